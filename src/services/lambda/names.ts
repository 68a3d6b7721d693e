/**
 * Function names, ARNs and qualifiers. Lambda accepts a function as a name
 * (`my-fn`), a partial ARN (`123456789012:function:my-fn`) or a full ARN, each
 * optionally suffixed with `:qualifier` (`$LATEST`, a version number or an
 * alias); a qualifier may also come as the Qualifier parameter, and both must
 * then agree. IAM sees the function ARN, qualified when the call names a
 * version or alias ("Actions, resources, and condition keys for AWS Lambda").
 * https://docs.aws.amazon.com/lambda/latest/api/API_GetFunction.html#API_GetFunction_RequestSyntax
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awslambda.html
 */
import type { RequestContext } from '../../core/context.js';
import { qualifierMismatch, resourceNotFound, validation } from './errors.js';

/** The FunctionName pattern of the Lambda model (botocore), quoted in validation messages. */
const FUNCTION_NAME_PATTERN = '(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?';
const FUNCTION_NAME_RE = new RegExp(`^${FUNCTION_NAME_PATTERN}$`);
const NAME_RE = /^[a-zA-Z0-9-_]+$/;
const QUALIFIER_PATTERN = '(|[a-zA-Z0-9$_-]+)';
const QUALIFIER_RE = /^[a-zA-Z0-9$_-]+$/;
const MAX_NAME = 140;

export const LATEST = '$LATEST';

export interface FunctionRef {
  accountId: string;
  region: string;
  name: string;
  /** From the name (`fn:prod`) or the Qualifier parameter. */
  qualifier?: string;
}

/**
 * Parses a FunctionName parameter. `qualifierParam` is the operation's
 * Qualifier; `ctx` supplies the account and region a bare name lives in.
 */
export function parseFunctionRef(value: string | undefined, ctx: RequestContext, qualifierParam?: string): FunctionRef {
  if (value === undefined || value === '') throw validation(value, 'functionName', 'Member must not be null');
  if (value.length > MAX_NAME) throw validation(value, 'functionName', `Member must have length less than or equal to ${MAX_NAME}`);
  if (!FUNCTION_NAME_RE.test(value)) throw validation(value, 'functionName', `Member must satisfy regular expression pattern: ${FUNCTION_NAME_PATTERN}`);
  if (qualifierParam !== undefined && !QUALIFIER_RE.test(qualifierParam)) {
    throw validation(qualifierParam, 'qualifier', `Member must satisfy regular expression pattern: ${QUALIFIER_PATTERN}`);
  }
  let accountId = ctx.accountId;
  let region = ctx.region;
  let rest = value;
  if (rest.startsWith('arn:')) {
    const parts = rest.split(':');
    // arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]
    region = parts[3] ?? '';
    accountId = parts[4] ?? '';
    if (parts[5] !== 'function' || !region || !accountId) throw validation(value, 'functionName', `Member must satisfy regular expression pattern: ${FUNCTION_NAME_PATTERN}`);
    rest = parts.slice(6).join(':');
  } else {
    const partial = /^(\d{12}):function:(.+)$/.exec(rest);
    if (partial) {
      accountId = partial[1]!;
      rest = partial[2]!;
    }
  }
  const [name, fromName, extra] = rest.split(':');
  if (!name || !NAME_RE.test(name) || extra !== undefined) throw validation(value, 'functionName', `Member must satisfy regular expression pattern: ${FUNCTION_NAME_PATTERN}`);
  if (region !== ctx.region) throw resourceNotFound(`Functions from '${region}' are not reachable in this region ('${ctx.region}')`);
  if (fromName !== undefined && qualifierParam !== undefined && fromName !== qualifierParam) throw qualifierMismatch();
  const qualifier = fromName ?? (qualifierParam === '' ? undefined : qualifierParam);
  return qualifier === undefined ? { accountId, region, name } : { accountId, region, name, qualifier };
}

/** Parses without throwing, for IAM resources (the handler reports the problem). */
export function tryParseFunctionRef(value: string | undefined, ctx: RequestContext, qualifierParam?: string): FunctionRef | undefined {
  try {
    return parseFunctionRef(value, ctx, qualifierParam);
  } catch {
    return undefined;
  }
}

export function functionArn(ref: { accountId: string; region: string; name: string }, qualifier?: string): string {
  const base = `arn:aws:lambda:${ref.region}:${ref.accountId}:function:${ref.name}`;
  return qualifier === undefined ? base : `${base}:${qualifier}`;
}

/** The ARN IAM evaluates: qualified when the request names a qualifier; '*' when the name cannot be parsed. */
export function resourceArn(value: string | undefined, ctx: RequestContext, qualifierParam?: string, allowQualifier = true): string[] {
  const ref = tryParseFunctionRef(value, ctx, qualifierParam);
  if (!ref) return ['*'];
  return [functionArn(ref, allowQualifier ? ref.qualifier : undefined)];
}

export function isVersionNumber(qualifier: string): boolean {
  return /^\d+$/.test(qualifier);
}

/** Document keys: account/region/name[/child]; names never contain '/'. */
export function functionKey(ref: { accountId: string; region: string; name: string }): string {
  return `${ref.accountId}/${ref.region}/${ref.name}`;
}

export function regionPrefix(accountId: string, region: string): string {
  return `${accountId}/${region}/`;
}

/** Published versions sort numerically under their function. */
export function versionKey(ref: { accountId: string; region: string; name: string }, version: string | number): string {
  return `${functionKey(ref)}/${String(version).padStart(10, '0')}`;
}

export function childKey(ref: { accountId: string; region: string; name: string }, child: string): string {
  return `${functionKey(ref)}/${child}`;
}

/** Parses a function ARN (resource policies, tags); undefined when it is not one. */
export function parseFunctionArn(arn: string): FunctionRef | undefined {
  const m = /^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):function:([a-zA-Z0-9-_]+)(?::([a-zA-Z0-9$_-]+))?$/.exec(arn);
  if (!m) return undefined;
  return m[4] === undefined ? { region: m[1]!, accountId: m[2]!, name: m[3]! } : { region: m[1]!, accountId: m[2]!, name: m[3]!, qualifier: m[4] };
}
