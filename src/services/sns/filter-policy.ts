/**
 * Subscription filter policies: the validation SNS applies when a policy is
 * set (Subscribe, SetSubscriptionAttributes) and the matching it applies to
 * each published message. Pure functions; no I/O.
 *
 * A message is accepted when, for one of the policy's alternatives ($or
 * splits a policy into several), every key matches: at least one of the
 * key's conditions holds for the message's value(s) there. Keys name message
 * attributes (scope MessageAttributes, the default; flat policies only) or
 * properties of the JSON message body (scope MessageBody; nested keys). An
 * array value (String.Array attribute, JSON array in the body) matches when
 * any element matches, except anything-but, which holds only when no
 * element is excluded.
 *
 * https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html
 * https://docs.aws.amazon.com/sns/latest/dg/string-value-matching.html
 * https://docs.aws.amazon.com/sns/latest/dg/numeric-value-matching.html
 * https://docs.aws.amazon.com/sns/latest/dg/attribute-key-matching.html
 * https://docs.aws.amazon.com/sns/latest/dg/and-or-logic.html
 * https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html
 */
import { BlockList, isIP } from 'node:net';

export type FilterScope = 'MessageAttributes' | 'MessageBody';

/** A policy SNS refuses; `reason` follows "Invalid parameter: [Attributes Reason: ]". */
export class FilterPolicyError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'FilterPolicyError';
  }
}

const fail = (reason: string): never => {
  throw new FilterPolicyError(`FilterPolicy: ${reason}`);
};

export const MAX_COMBINATIONS = 150;
export const MAX_KEYS = 5;

type Literal = string | number | boolean | null;

export type Condition =
  | { kind: 'equals'; value: Literal }
  | { kind: 'prefix'; value: string }
  | { kind: 'suffix'; value: string }
  | { kind: 'equals-ignore-case'; value: string }
  | { kind: 'anything-but'; values?: Literal[]; prefix?: string; suffix?: string; ignoreCase?: string[] }
  | { kind: 'numeric'; ops: Array<[string, number]> }
  | { kind: 'exists'; value: boolean }
  | { kind: 'cidr'; list: BlockList };

/** One alternative: path (segments joined by '.') → conditions, any of which may hold. */
export type Alternative = Map<string, { path: string[]; conditions: Condition[] }>;

export interface CompiledFilterPolicy {
  scope: FilterScope;
  alternatives: Alternative[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses, validates and compiles a FilterPolicy attribute value. Throws FilterPolicyError. */
export function compileFilterPolicy(text: string, scope: FilterScope): CompiledFilterPolicy {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    fail('failed to parse JSON.');
  }
  if (!isObject(doc)) fail('Filter policy must be a JSON object');
  const policy = doc as Record<string, unknown>;
  checkShape(policy, scope, 1);
  const alternatives = expand(policy, []);
  for (const alt of alternatives) {
    const topKeys = new Set([...alt.values()].map((k) => k.path[0]));
    if (topKeys.size > MAX_KEYS) fail(`Filter policy can not have more than ${MAX_KEYS} keys`);
  }
  if (combinations(policy, 1) > MAX_COMBINATIONS) fail('Filter policy is too complex');
  return { scope, alternatives };
}

/** Structure first: values are arrays of rules or (MessageBody only) nested objects. */
function checkShape(node: Record<string, unknown>, scope: FilterScope, depth: number): void {
  for (const [key, value] of Object.entries(node)) {
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2 || !value.every(isObject)) fail('"$or" must be an array of at least 2 objects');
      for (const branch of value as Record<string, unknown>[]) checkShape(branch, scope, depth);
      continue;
    }
    if (Array.isArray(value)) {
      if (value.length === 0) fail('Empty arrays are not allowed');
      continue;
    }
    if (!isObject(value)) fail(`"${key}" must be an object or an array`);
    if (scope === 'MessageAttributes') throw new FilterPolicyError('Filter policy scope MessageAttributes does not support nested filter policy');
    checkShape(value as Record<string, unknown>, scope, depth + 1);
  }
}

/**
 * "Multiply the number of values in each array"; nested (payload) keys also
 * multiply by their depth (the guide's 3 x 4 x 2 x 3 = 72); $or branches add up.
 */
export function combinations(node: Record<string, unknown>, depth: number): number {
  let total = 1;
  for (const [key, value] of Object.entries(node)) {
    if (key === '$or' && Array.isArray(value)) total *= value.reduce((sum: number, branch) => sum + combinations(branch as Record<string, unknown>, depth), 0);
    else if (Array.isArray(value)) total *= value.length * depth;
    else if (isObject(value)) total *= combinations(value, depth + 1);
    if (total > 1e9) return total;
  }
  return total;
}

/** The policy as a list of flat alternatives ($or multiplies them), with each rule compiled. */
function expand(node: Record<string, unknown>, prefix: string[]): Alternative[] {
  let alternatives: Alternative[] = [new Map()];
  for (const [key, value] of Object.entries(node)) {
    let options: Alternative[];
    if (key === '$or') options = (value as Record<string, unknown>[]).flatMap((branch) => expand(branch, prefix));
    else if (Array.isArray(value)) {
      const path = [...prefix, key];
      options = [new Map([[path.join('.'), { path, conditions: value.map(compileRule) }]])];
    } else options = expand(value as Record<string, unknown>, [...prefix, key]);
    const next: Alternative[] = [];
    for (const alt of alternatives) {
      for (const option of options) {
        const merged: Alternative = new Map(alt);
        for (const [k, v] of option) {
          const existing = merged.get(k);
          // The same key at the top level and inside an $or branch: both must hold, so keep both entries.
          merged.set(existing ? `${k}\u0000${merged.size}` : k, v);
        }
        next.push(merged);
      }
      if (next.length > MAX_COMBINATIONS * 10) fail('Filter policy is too complex');
    }
    alternatives = next;
  }
  return alternatives;
}

function isLiteral(v: unknown): v is Literal {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

function compileRule(rule: unknown): Condition {
  if (isLiteral(rule)) return { kind: 'equals', value: rule };
  if (!isObject(rule)) return fail('Match value must be String, number, true, false, or null');
  const keys = Object.keys(rule);
  if (keys.length !== 1) fail('Only one key allowed in match expression');
  const operator = keys[0]!;
  const value = rule[operator];
  switch (operator) {
    case 'prefix':
    case 'suffix':
    case 'equals-ignore-case':
      if (typeof value !== 'string') fail(`${operator} match pattern must be a string`);
      return { kind: operator, value: value as string };
    case 'exists':
      if (typeof value !== 'boolean') fail('exists match pattern must be either true or false.');
      return { kind: 'exists', value: value as boolean };
    case 'anything-but':
      return compileAnythingBut(value);
    case 'numeric':
      return { kind: 'numeric', ops: compileNumeric(value) };
    case 'cidr':
      return { kind: 'cidr', list: compileCidr(value) };
    default:
      return fail(`Unrecognized match type ${operator}`);
  }
}

function compileAnythingBut(value: unknown): Condition {
  if (isLiteral(value)) {
    if (typeof value === 'boolean' || value === null) fail('Match value must be String, number, true, false, or null');
    return { kind: 'anything-but', values: [value] };
  }
  if (Array.isArray(value)) {
    if (value.length === 0) fail('Empty arrays are not allowed');
    for (const v of value) if (typeof v !== 'string' && typeof v !== 'number') fail('Inside anything but list, start|null|boolean is not supported.');
    return { kind: 'anything-but', values: value as Literal[] };
  }
  if (!isObject(value)) return fail('Value of anything-but must be an array or single string/number value.');
  const keys = Object.keys(value);
  if (keys.length !== 1) fail('Only one key allowed in match expression');
  const inner = keys[0]!;
  const pattern = value[inner];
  if (inner === 'prefix' || inner === 'suffix') {
    if (typeof pattern !== 'string') fail(`${inner} match pattern must be a string`);
    return { kind: 'anything-but', [inner]: pattern as string };
  }
  if (inner === 'equals-ignore-case') {
    const list = typeof pattern === 'string' ? [pattern] : Array.isArray(pattern) && pattern.length > 0 && pattern.every((p) => typeof p === 'string') ? (pattern as string[]) : fail('equals-ignore-case match pattern must be a string');
    return { kind: 'anything-but', ignoreCase: (list as string[]).map((s) => s.toLowerCase()) };
  }
  return fail(`Unsupported anything-but pattern: ${inner}`);
}

const RANGE_LOW = new Set(['>', '>=']);
const RANGE_HIGH = new Set(['<', '<=']);
const NUMERIC_OPS = new Set(['<', '<=', '=', '>', '>=']);

/** ["=", 5] | ["<", 0] | [">", 0, "<=", 150]: one comparison, or a range with a lower then an upper bound. */
function compileNumeric(value: unknown): Array<[string, number]> {
  if (!Array.isArray(value) || value.length === 0) fail('Invalid member in numeric match: ]');
  const items = value as unknown[];
  const op = items[0];
  if (typeof op !== 'string') fail(`Invalid member in numeric match: ${JSON.stringify(op)}`);
  if (!NUMERIC_OPS.has(op as string)) fail(`Unrecognized numeric range operator: ${op}`);
  const first = items[1];
  if (typeof first !== 'number') fail(`Value of ${op === '=' ? 'equals' : op} must be numeric`);
  const ops: Array<[string, number]> = [[op as string, first as number]];
  if (items.length === 2) return ops;
  if (!RANGE_LOW.has(op as string)) fail('Too many elements in numeric expression');
  const op2 = items[2];
  if (typeof op2 !== 'string') fail(`Bad value in numeric range: ${JSON.stringify(op2)}`);
  if (!RANGE_HIGH.has(op2 as string)) fail(`Bad numeric range operator: ${op2}`);
  const second = items[3];
  if (typeof second !== 'number') fail(`Value of ${op2} must be numeric`);
  if ((second as number) <= (first as number)) fail('Bottom must be less than top');
  if (items.length > 4) fail('Too many terms in numeric range expression');
  ops.push([op2 as string, second as number]);
  return ops;
}

function compileCidr(value: unknown): BlockList {
  if (typeof value !== 'string') return fail('prefix match pattern must be a string');
  const parts = value.split('/');
  if (parts.length !== 2) fail("Malformed CIDR, one '/' required");
  const [ip, bits] = parts as [string, string];
  if (!/^\d+$/.test(bits)) fail('Malformed CIDR, mask bits must be an integer');
  const family = isIP(ip);
  const prefix = Number(bits);
  if (family === 0 || prefix > (family === 4 ? 32 : 128)) fail(`Nonstandard IP address: ${ip}`);
  const list = new BlockList();
  list.addSubnet(ip, prefix, family === 4 ? 'ipv4' : 'ipv6');
  return list;
}

// ---------------------------------------------------------------- matching

/** A value found in the message: strings and numbers are distinct, as in the policy. */
type Found = string | number | boolean | null;

/** "Five digits of accuracy after the decimal point." */
const scaled = (n: number) => Math.round(n * 1e5);

function compare(op: string, v: number, bound: number): boolean {
  const a = scaled(v);
  const b = scaled(bound);
  switch (op) {
    case '=':
      return a === b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    default:
      return a >= b;
  }
}

function equalsLiteral(v: Found, lit: Literal): boolean {
  if (typeof lit === 'number') return typeof v === 'number' && scaled(v) === scaled(lit);
  return v === lit;
}

function excluded(c: Extract<Condition, { kind: 'anything-but' }>, v: Found): boolean {
  if (c.values) return c.values.some((lit) => equalsLiteral(v, lit));
  if (typeof v !== 'string') return true;
  if (c.prefix !== undefined) return v.startsWith(c.prefix);
  if (c.suffix !== undefined) return v.endsWith(c.suffix);
  return c.ignoreCase!.includes(v.toLowerCase());
}

function holds(c: Condition, v: Found): boolean {
  switch (c.kind) {
    case 'equals':
      return equalsLiteral(v, c.value);
    case 'prefix':
      return typeof v === 'string' && v.startsWith(c.value);
    case 'suffix':
      return typeof v === 'string' && v.endsWith(c.value);
    case 'equals-ignore-case':
      return typeof v === 'string' && v.toLowerCase() === c.value.toLowerCase();
    case 'numeric':
      return typeof v === 'number' && c.ops.every(([op, bound]) => compare(op, v, bound));
    case 'cidr': {
      if (typeof v !== 'string') return false;
      const family = isIP(v);
      return family !== 0 && c.list.check(v, family === 4 ? 'ipv4' : 'ipv6');
    }
    default:
      return false;
  }
}

/** Whether one key's conditions hold for the values found there (`present`: the key exists at all). */
export function keyMatches(conditions: Condition[], values: Found[], present: boolean): boolean {
  return conditions.some((c) => {
    if (c.kind === 'exists') return c.value === present;
    if (c.kind === 'anything-but') return values.length > 0 && values.every((v) => !excluded(c, v));
    return values.some((v) => holds(c, v));
  });
}

/** A message attribute as Publication carries it: Type is the DataType, Value the string (Binary: base64). */
export interface AttributeValue {
  Type: string;
  Value: string;
}

/** The values an attribute offers to a filter; Binary attributes are ignored, as AWS does. */
export function attributeValues(attr: AttributeValue | undefined): { present: boolean; values: Found[] } {
  if (!attr || attr.Type.startsWith('Binary')) return { present: false, values: [] };
  if (attr.Type.startsWith('Number')) {
    const n = Number(attr.Value);
    return { present: true, values: Number.isFinite(n) ? [n] : [] };
  }
  if (attr.Type === 'String.Array') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(attr.Value);
    } catch {
      return { present: true, values: [] };
    }
    const items = Array.isArray(parsed) ? parsed : [parsed];
    return { present: true, values: items.filter(isLiteral) };
  }
  return { present: true, values: [attr.Value] };
}

export function matchesAttributes(policy: CompiledFilterPolicy, attributes: Record<string, AttributeValue>): boolean {
  return policy.alternatives.some((alt) =>
    [...alt.values()].every(({ path, conditions }) => {
      const { present, values } = attributeValues(attributes[path[0]!]);
      return keyMatches(conditions, values, present);
    }),
  );
}

/** The leaf values at `path` in a JSON document; arrays at any level contribute each element. */
export function bodyValues(doc: unknown, path: string[]): { present: boolean; values: Found[] } {
  let nodes: unknown[] = [doc];
  for (const segment of path) {
    const next: unknown[] = [];
    const visit = (n: unknown) => {
      if (Array.isArray(n)) n.forEach(visit);
      else if (isObject(n) && Object.prototype.hasOwnProperty.call(n, segment)) next.push(n[segment]);
    };
    nodes.forEach(visit);
    nodes = next;
  }
  const values: Found[] = [];
  const collect = (n: unknown) => {
    if (Array.isArray(n)) n.forEach(collect);
    else if (isLiteral(n)) values.push(n);
  };
  nodes.forEach(collect);
  return { present: values.length > 0, values };
}

/** Payload-based filtering: a body that is not a JSON object matches no policy. */
export function matchesBody(policy: CompiledFilterPolicy, body: string): boolean {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return false;
  }
  if (!isObject(doc)) return false;
  return policy.alternatives.some((alt) =>
    [...alt.values()].every(({ path, conditions }) => {
      const { present, values } = bodyValues(doc, path);
      return keyMatches(conditions, values, present);
    }),
  );
}

export function matchesMessage(policy: CompiledFilterPolicy, message: { attributes: Record<string, AttributeValue>; body: string }): boolean {
  return policy.scope === 'MessageBody' ? matchesBody(policy, message.body) : matchesAttributes(policy, message.attributes);
}

/**
 * Compiled policies by scope and text: Publish evaluates the same policies
 * over and over. Bounded so that a flood of distinct policies cannot grow it.
 */
const cache = new Map<string, CompiledFilterPolicy>();

export function cachedFilterPolicy(text: string, scope: FilterScope): CompiledFilterPolicy | undefined {
  const key = `${scope}\u0000${text}`;
  let compiled = cache.get(key);
  if (!compiled) {
    try {
      compiled = compileFilterPolicy(text, scope);
    } catch {
      return undefined;
    }
    if (cache.size >= 1000) cache.delete(cache.keys().next().value!);
    cache.set(key, compiled);
  }
  return compiled;
}
