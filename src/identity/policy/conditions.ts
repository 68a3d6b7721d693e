/**
 * The Condition element: each (operator, key) pair compiles once into a
 * matcher, and a statement's conditions are ANDed. Within one pair the policy
 * values are ORed; negated operators (StringNotEquals, NotIpAddress...) hold
 * when no policy value matches ("the string cannot match any of the values").
 * A key missing from the request makes a positive operator false and a
 * negated one true; `...IfExists` makes it true, `ForAllValues` is true and
 * `ForAnyValue` false on a missing or empty key, and `Null` tests presence.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html
 */
import { cidrContains, parseCidr, parseIp, type Cidr } from './ip.js';
import { parseDateValue, parseOperator, type Comparison, type ParsedOperator } from './operators.js';
import type { ConditionBlock } from './types.js';
import {
  compileArnPattern,
  matchArn,
  matchGlob,
  parseTemplate,
  resolveGlob,
  resolveText,
  splitArn,
  type Template,
  type VariableLookup,
} from './wildcard.js';

/** What condition evaluation needs from the request: raw values by lower-cased key, and single values for variables. */
export interface ConditionContext {
  get(key: string): string | string[] | undefined;
  variable: VariableLookup;
}

/** Does any policy value match this one request value (before negation)? */
type ValueMatcher = (requestValue: string, ctx: ConditionContext) => boolean;

export interface CompiledCondition {
  op: ParsedOperator | undefined;
  /** Lower-cased: condition key names are case-insensitive. */
  key: string;
  match: ValueMatcher;
  /** Null operator: the expected "key is absent" answers. */
  nullExpect?: boolean[];
}

export function compileConditions(block: ConditionBlock | undefined, substitute: boolean): CompiledCondition[] {
  if (!block) return [];
  const out: CompiledCondition[] = [];
  for (const [operator, keys] of Object.entries(block)) {
    const op = parseOperator(operator);
    for (const [key, values] of Object.entries(keys)) {
      out.push(compileOne(op, key.toLowerCase(), values, substitute));
    }
  }
  return out;
}

const never: ValueMatcher = () => false;

function compare(cmp: Comparison, a: number, b: number): boolean {
  switch (cmp) {
    case 'eq':
      return a === b;
    case 'lt':
      return a < b;
    case 'le':
      return a <= b;
    case 'gt':
      return a > b;
    default:
      return a >= b;
  }
}

function toNumber(text: string): number {
  return text.trim() === '' ? NaN : Number(text);
}

function compileOne(op: ParsedOperator | undefined, key: string, values: string[], substitute: boolean): CompiledCondition {
  if (!op) return { op, key, match: never };
  // "You can't use a policy variable with the Numeric, Date, Binary, IP address or Null operators."
  switch (op.family) {
    case 'string':
    case 'stringIgnoreCase':
    case 'bool': {
      const fold = op.family !== 'string';
      const templates = values.map((v) => parseTemplate(v, substitute));
      if (templates.every((t) => t.static)) {
        const set = new Set(templates.map((t) => (fold ? t.static!.text.toLowerCase() : t.static!.text)));
        return { op, key, match: fold ? (rv) => set.has(rv.toLowerCase()) : (rv) => set.has(rv) };
      }
      return { op, key, match: (rv, ctx) => matchTemplates(templates, fold ? rv.toLowerCase() : rv, fold, ctx) };
    }
    case 'like': {
      const templates = values.map((v) => parseTemplate(v, substitute));
      return {
        op,
        key,
        match: (rv, ctx) =>
          templates.some((t) => {
            const g = resolveGlob(t, ctx.variable);
            return g !== undefined && matchGlob(g, rv);
          }),
      };
    }
    case 'numeric': {
      const nums = values.map(toNumber).filter(Number.isFinite);
      return {
        op,
        key,
        match: (rv) => {
          const n = toNumber(rv);
          return Number.isFinite(n) && nums.some((p) => compare(op.cmp, n, p));
        },
      };
    }
    case 'date': {
      const dates = values.map(parseDateValue).filter(Number.isFinite);
      return {
        op,
        key,
        match: (rv) => {
          const t = parseDateValue(rv);
          return Number.isFinite(t) && dates.some((p) => compare(op.cmp, t, p));
        },
      };
    }
    case 'binary': {
      const set = new Set(values.map(normalizeBase64));
      return { op, key, match: (rv) => set.has(normalizeBase64(rv)) };
    }
    case 'ip': {
      const ranges = values.map(parseCidr).filter((c): c is Cidr => c !== undefined);
      return {
        op,
        key,
        match: (rv) => {
          const ip = parseIp(rv);
          return ip !== undefined && ranges.some((r) => cidrContains(r, ip));
        },
      };
    }
    case 'arn': {
      const patterns = values.map((v) => compileArnPattern(v, substitute));
      return {
        op,
        key,
        match: (rv, ctx) => {
          const segments = splitArn(rv);
          return patterns.some((p) => matchArn(p, rv, segments, ctx.variable));
        },
      };
    }
    case 'null':
      return { op, key, match: never, nullExpect: values.map((v) => v.toLowerCase() === 'true') };
  }
}

function matchTemplates(templates: Template[], rv: string, fold: boolean, ctx: ConditionContext): boolean {
  for (const t of templates) {
    const text = resolveText(t, ctx.variable);
    // A variable with no value matches nothing ("there is no equal or like value").
    if (text !== undefined && (fold ? text.toLowerCase() : text) === rv) return true;
  }
  return false;
}

function normalizeBase64(text: string): string {
  return Buffer.from(text, 'base64').toString('base64');
}

export function evaluateCondition(c: CompiledCondition, ctx: ConditionContext): boolean {
  if (!c.op) return false;
  const raw = ctx.get(c.key);
  const values = raw === undefined ? EMPTY : typeof raw === 'string' ? [raw] : raw;
  if (c.nullExpect) {
    const absent = values.length === 0;
    return c.nullExpect.some((expectAbsent) => expectAbsent === absent);
  }
  const { qualifier, ifExists, negated } = c.op;
  // For set operators an empty string is "a null data set", like a missing key.
  const empty = values.length === 0 || (qualifier !== undefined && values.length === 1 && values[0] === '');
  if (empty) {
    if (qualifier === 'ForAllValues') return true;
    if (qualifier === 'ForAnyValue') return ifExists;
    // "If the policy condition requires that the key is not matched ... and the key is not present, the condition is true."
    return ifExists || negated;
  }
  if (qualifier === 'ForAllValues') {
    for (const v of values) if (c.match(v, ctx) === negated) return false;
    return true;
  }
  if (qualifier === 'ForAnyValue') {
    for (const v of values) if (c.match(v, ctx) !== negated) return true;
    return false;
  }
  let any = false;
  for (const v of values) {
    if (c.match(v, ctx)) {
      any = true;
      break;
    }
  }
  return negated ? !any : any;
}

const EMPTY: readonly string[] = [];

export function evaluateConditions(list: CompiledCondition[], ctx: ConditionContext): boolean {
  for (const c of list) if (!evaluateCondition(c, ctx)) return false;
  return true;
}
