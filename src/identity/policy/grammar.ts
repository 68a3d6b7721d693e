/**
 * The JSON policy grammar: turns policy text into a normalized
 * `PolicyDocument` (single values become arrays, condition values become
 * strings) and runs the checks that every policy kind shares, in the order
 * IAM reports them: syntax, legacy parsing (case-sensitive Effect, date
 * values), unique Sids, present actions.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
 */
import { PolicyError } from './errors.js';
import { parseDateValue, parseOperator } from './operators.js';
import type { ConditionBlock, PolicyDocument, PrincipalBlock, PrincipalMap, Statement } from './types.js';

export const POLICY_VERSIONS: readonly string[] = ['2008-10-17', '2012-10-17'];

const TOP_ELEMENTS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_ELEMENTS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);
const PRINCIPAL_KEYS = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);

/** The wording each service uses for the three syntax-level failures. */
export interface SyntaxMessages {
  code: string;
  invalidJson: string;
  syntax: string;
  emptyStatement: string;
}

export const IAM_SYNTAX: SyntaxMessages = {
  code: 'MalformedPolicyDocument',
  invalidJson: 'Syntax errors in policy.',
  syntax: 'Syntax errors in policy.',
  emptyStatement: 'Syntax errors in policy.',
};

class SyntaxFailure extends Error {}

function fail(): never {
  throw new SyntaxFailure();
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringList(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v)) fail();
  for (const item of v) if (typeof item !== 'string') fail();
  return v as string[];
}

function principalBlock(v: unknown): PrincipalBlock {
  if (v === '*') return '*';
  if (!isObject(v)) fail();
  const out: PrincipalMap = {};
  for (const [key, value] of Object.entries(v)) {
    if (!PRINCIPAL_KEYS.has(key)) fail();
    out[key as keyof PrincipalMap] = stringList(value);
  }
  return out;
}

function conditionValue(v: unknown): string {
  if (typeof v === 'string') return v;
  // The grammar lets numbers and booleans go unquoted: {"aws:MultiFactorAuthPresent": true}.
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return fail();
}

function conditionBlock(v: unknown): ConditionBlock {
  if (!isObject(v)) fail();
  const out: ConditionBlock = {};
  for (const [operator, body] of Object.entries(v)) {
    if (!isObject(body)) fail();
    const keys: Record<string, string[]> = {};
    for (const [key, values] of Object.entries(body)) {
      keys[key] = Array.isArray(values) ? values.map(conditionValue) : [conditionValue(values)];
    }
    // An unknown operator is a syntax error unless its block is empty (IAM tolerates `"Foo": {}`).
    if (!parseOperator(operator) && Object.keys(keys).length > 0) fail();
    out[operator] = keys;
  }
  return out;
}

function statement(v: unknown): Statement {
  if (!isObject(v)) fail();
  for (const key of Object.keys(v)) if (!STATEMENT_ELEMENTS.has(key)) fail();
  if ('Principal' in v && 'NotPrincipal' in v) fail();
  if ('Action' in v && 'NotAction' in v) fail();
  if ('Resource' in v && 'NotResource' in v) fail();
  const effect = v.Effect;
  if (typeof effect !== 'string' || !['allow', 'deny'].includes(effect.toLowerCase())) fail();
  const out: Statement = { Effect: effect as Statement['Effect'] };
  if ('Sid' in v) {
    if (typeof v.Sid !== 'string') fail();
    out.Sid = v.Sid;
  }
  if ('Principal' in v) out.Principal = principalBlock(v.Principal);
  if ('NotPrincipal' in v) out.NotPrincipal = principalBlock(v.NotPrincipal);
  if ('Action' in v) out.Action = stringList(v.Action);
  if ('NotAction' in v) out.NotAction = stringList(v.NotAction);
  if ('Resource' in v) out.Resource = stringList(v.Resource);
  if ('NotResource' in v) out.NotResource = stringList(v.NotResource);
  if ('Condition' in v) out.Condition = conditionBlock(v.Condition);
  return out;
}

/** JSON and grammar-shape checks; throws PolicyError with the service's syntax wording. */
export function parseSyntax(json: string, messages: SyntaxMessages = IAM_SYNTAX): PolicyDocument {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new PolicyError('InvalidJson', messages.invalidJson, messages.code);
  }
  try {
    if (!isObject(raw)) fail();
    for (const key of Object.keys(raw)) if (!TOP_ELEMENTS.has(key)) fail();
    const doc: PolicyDocument = { Statement: [] };
    if ('Version' in raw) {
      if (typeof raw.Version !== 'string' || !POLICY_VERSIONS.includes(raw.Version)) fail();
      doc.Version = raw.Version;
    }
    if ('Id' in raw) {
      if (typeof raw.Id !== 'string') fail();
      doc.Id = raw.Id;
    }
    const statements = raw.Statement;
    if (statements === undefined) fail();
    const list = Array.isArray(statements) ? statements : [statements];
    if (list.length === 0) throw new PolicyError('EmptyStatement', messages.emptyStatement, messages.code);
    doc.Statement = list.map(statement);
    return doc;
  } catch (err) {
    if (err instanceof SyntaxFailure) throw new PolicyError('Syntax', messages.syntax, messages.code);
    throw err;
  }
}

/** IAM's "legacy parsing": Effect must be exactly Allow/Deny and date condition values must parse. */
export function checkLegacyParsing(doc: PolicyDocument, code = IAM_SYNTAX.code): void {
  for (const st of doc.Statement) {
    const ok = (st.Effect === 'Allow' || st.Effect === 'Deny') && datesParse(st.Condition);
    if (!ok) throw new PolicyError('LegacyParsing', 'The policy failed legacy parsing', code);
  }
}

function datesParse(block: ConditionBlock | undefined): boolean {
  if (!block) return true;
  for (const [operator, keys] of Object.entries(block)) {
    if (parseOperator(operator)?.family !== 'date') continue;
    for (const values of Object.values(keys)) {
      for (const value of values) if (Number.isNaN(parseDateValue(value))) return false;
    }
  }
  return true;
}

export function checkUniqueSids(doc: PolicyDocument, code = IAM_SYNTAX.code): void {
  const seen = new Set<string>();
  for (const st of doc.Statement) {
    if (!st.Sid) continue;
    if (seen.has(st.Sid)) {
      throw new PolicyError('DuplicateSid', 'Statement IDs (SID) in a single policy must be unique.', code);
    }
    seen.add(st.Sid);
  }
}

export function checkActionsPresent(
  doc: PolicyDocument,
  message = 'Policy statement must contain actions.',
  code = IAM_SYNTAX.code,
): void {
  for (const st of doc.Statement) {
    const list = st.Action ?? st.NotAction;
    if (!list || list.length === 0) throw new PolicyError('MissingAction', message, code);
  }
}
