/**
 * Policy validation per kind, with the messages IAM and S3 answer:
 * identity policies (PutUserPolicy, CreatePolicy...) must not name a
 * principal and must name resources; role trust policies must name a
 * principal, may only use sts: actions and must not name resources; resource
 * policies (bucket policies) must name a principal, actions and resources.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html#policies-grammar-notes
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_policy-validator.html
 */
import { PolicyError } from './errors.js';
import {
  IAM_SYNTAX,
  checkActionsPresent,
  checkLegacyParsing,
  checkUniqueSids,
  parseSyntax,
  type SyntaxMessages,
} from './grammar.js';
import type { PolicyDocument, PolicyKind, PrincipalBlock } from './types.js';

const PARTITIONS = new Set(['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc']);

/**
 * Parses and normalizes a policy. Without `kind`, only the grammar shared by
 * every kind is enforced (syntax, Effect case, dates, unique Sids, actions);
 * with a kind, the matching validator runs.
 */
export function parsePolicy(json: string, kind?: PolicyKind): PolicyDocument {
  if (kind === 'identity') return validateIdentityPolicy(json);
  if (kind === 'trust') return validateTrustPolicy(json);
  if (kind === 'resource') return validateResourcePolicy(json);
  const doc = parseSyntax(json);
  checkLegacyParsing(doc);
  checkUniqueSids(doc);
  checkActionsPresent(doc);
  return doc;
}

export interface IdentityPolicyOptions {
  /** Managed policies (CreatePolicy, CreatePolicyVersion) must declare Version 2012-10-17. */
  managed?: boolean;
}

/** Identity-based policies and permissions boundaries; IAM's `MalformedPolicyDocument` messages. */
export function validateIdentityPolicy(json: string, options: IdentityPolicyOptions = {}): PolicyDocument {
  const doc = parseSyntax(json, IAM_SYNTAX);
  if (doc.Statement.some((st) => st.Principal !== undefined || st.NotPrincipal !== undefined)) {
    throw new PolicyError('PrincipalNotAllowed', 'Policy document should not specify a principal.');
  }
  if (options.managed && doc.Version !== '2012-10-17') {
    throw new PolicyError('Version', 'Policy document must be version 2012-10-17 or greater.');
  }
  checkLegacyParsing(doc);
  checkUniqueSids(doc);
  checkActionsPresent(doc);
  for (const st of doc.Statement) {
    const list = st.Resource ?? st.NotResource;
    if (!list || list.length === 0) {
      throw new PolicyError('MissingResource', 'Policy statement must contain resources.');
    }
  }
  for (const st of doc.Statement) {
    for (const resource of st.Resource ?? st.NotResource ?? []) {
      const problem = resourceFormatProblem(resource);
      if (problem) throw new PolicyError('InvalidResource', problem);
    }
  }
  for (const st of doc.Statement) {
    for (const action of st.Action ?? st.NotAction ?? []) {
      const problem = actionProblem(action);
      if (problem) throw new PolicyError('InvalidAction', problem);
    }
  }
  return doc;
}

const TRUST_SYNTAX: SyntaxMessages = {
  code: 'MalformedPolicyDocument',
  invalidJson: 'This policy contains invalid Json',
  syntax: 'Syntax errors in policy.',
  emptyStatement: 'Could not parse the policy: Statement is empty!',
};

/** Role trust policies (CreateRole, UpdateAssumeRolePolicy). */
export function validateTrustPolicy(json: string): PolicyDocument {
  const doc = parseSyntax(json, TRUST_SYNTAX);
  checkLegacyParsing(doc);
  for (const st of doc.Statement) {
    if (st.NotPrincipal !== undefined) {
      throw st.Effect === 'Allow'
        ? new PolicyError('NotPrincipalWithAllow', 'Allow with NotPrincipal is not allowed.')
        : new PolicyError('PrincipalNotAllowed', 'AssumeRole policy must not contain NotPrincipal field.');
    }
    if (st.Principal === undefined) throw new PolicyError('MissingPrincipal', 'Missing required field Principal');
    if (isEmptyPrincipal(st.Principal)) {
      throw new PolicyError('EmptyPrincipal', 'Missing required field Principal cannot be empty!');
    }
    const invalid = invalidPrincipal(st.Principal);
    if (invalid) throw new PolicyError('InvalidPrincipal', `Invalid principal in policy: "AWS":"${invalid}"`);
    const actions = st.Action ?? st.NotAction;
    if (!actions || actions.length === 0) throw new PolicyError('MissingAction', 'Missing required field Action');
    if (!actions.every((a) => a.toLowerCase().startsWith('sts:'))) {
      throw new PolicyError('InvalidAction', 'AssumeRole policy may only specify STS AssumeRole actions.');
    }
    if (st.Resource !== undefined) throw new PolicyError('ProhibitedResource', 'Has prohibited field Resource');
    if (st.NotResource !== undefined) {
      throw new PolicyError('ProhibitedResource', 'AssumeRole policy must not contain resources.');
    }
  }
  checkUniqueSids(doc);
  return doc;
}

export interface ResourcePolicyOptions {
  /** The error code to raise; S3 answers `MalformedPolicy` (the default), IAM-style services `MalformedPolicyDocument`. */
  code?: string;
  /** Whether every statement must name a Resource/NotResource (true for S3 bucket policies). */
  requireResource?: boolean;
}

/** Resource-based policies; the messages are S3's PutBucketPolicy ones. */
export function validateResourcePolicy(json: string, options: ResourcePolicyOptions = {}): PolicyDocument {
  const code = options.code ?? 'MalformedPolicy';
  const requireResource = options.requireResource ?? true;
  const doc = parseSyntax(json, {
    code,
    invalidJson: "Policies must be valid JSON and the first byte must be '{'",
    syntax: 'Invalid policy syntax.',
    emptyStatement: 'Could not parse the policy: Statement is empty!',
  });
  checkLegacyParsing(doc, code);
  checkUniqueSids(doc, code);
  for (const st of doc.Statement) {
    const principal = st.Principal ?? st.NotPrincipal;
    if (principal === undefined || isEmptyPrincipal(principal)) {
      throw new PolicyError('MissingPrincipal', 'Missing required field Principal', code);
    }
    if (invalidPrincipal(principal)) throw new PolicyError('InvalidPrincipal', 'Invalid principal in policy', code);
  }
  checkActionsPresent(doc, 'Missing required field Action', code);
  for (const st of doc.Statement) {
    const list = st.Resource ?? st.NotResource;
    if (requireResource && (!list || list.length === 0)) {
      throw new PolicyError('MissingResource', 'Missing required field Resource', code);
    }
    for (const resource of list ?? []) {
      if (resourceFormatProblem(resource)) throw new PolicyError('InvalidResource', 'Policy has invalid resource', code);
    }
    for (const action of st.Action ?? st.NotAction ?? []) {
      if (actionProblem(action)) throw new PolicyError('InvalidAction', 'Policy has invalid action', code);
    }
  }
  return doc;
}

function isEmptyPrincipal(block: PrincipalBlock): boolean {
  return block !== '*' && Object.values(block).every((list) => list === undefined || list.length === 0);
}

/** The first `"AWS"` value that is not `*`, an account id, an IAM/STS principal ARN or a unique id. */
function invalidPrincipal(block: PrincipalBlock): string | undefined {
  if (block === '*') return undefined;
  for (const value of block.AWS ?? []) if (!isValidAwsPrincipal(value)) return value;
  for (const value of [...(block.Service ?? []), ...(block.Federated ?? []), ...(block.CanonicalUser ?? [])]) {
    if (value.trim() === '') return value;
  }
  return undefined;
}

export function isValidAwsPrincipal(value: string): boolean {
  if (value === '*' || /^\d{12}$/.test(value)) return true;
  // Unique ids (AIDA..., AROA...) appear where IAM rewrote a principal it could resolve.
  if (/^A[A-Z0-9]{15,127}$/.test(value)) return true;
  // "You cannot use a wildcard to match part of a principal name or ARN."
  if (/[*?]/.test(value)) return false;
  const m = /^arn:([^:]+):(iam|sts)::(\d{12}):(.+)$/.exec(value);
  if (!m || !PARTITIONS.has(m[1]!)) return false;
  const [, , service, , rest] = m as unknown as [string, string, string, string, string];
  if (service === 'iam') return rest === 'root' || /^(user|role)\/.+/.test(rest);
  return /^assumed-role\/[^/]+\/.+/.test(rest) || /^federated-user\/.+/.test(rest);
}

/** IAM's resource format checks, with its messages; undefined when the resource is acceptable. */
export function resourceFormatProblem(resource: string): string | undefined {
  if (resource === '*') return undefined;
  const parts = resource.split(':');
  if (parts.length < 2) return `Resource ${resource} must be in ARN format or "*".`;
  const partition = parts[1] ?? '';
  if (!PARTITIONS.has(partition) && !/^[*?]+$/.test(partition)) {
    const seg = (i: number) => (parts[i] !== undefined && parts[i] !== '' ? parts[i] : '*');
    const tail = parts.length > 5 ? parts.slice(5).join(':') : '*';
    return `Partition "${partition}" is not valid for resource "arn:${partition}:${seg(2)}:${seg(3)}:${seg(4)}:${tail}".`;
  }
  if (parts.length < 3 || parts[2] === '' || /[*?]/.test(parts[2]!)) {
    return 'Resource vendor must be fully qualified and cannot contain regexes.';
  }
  return undefined;
}

/** IAM's action prefix checks; undefined when the action is acceptable. */
export function actionProblem(action: string): string | undefined {
  if (action === '*') return undefined;
  const parts = action.split(':');
  if (parts.length === 1) return 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.';
  if (parts.length > 2) return 'Actions/Condition can contain only one colon.';
  if (/[^a-zA-Z0-9\-.]/.test(parts[0]!)) return `Vendor ${parts[0]} is not valid`;
  return undefined;
}

