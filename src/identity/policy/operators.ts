/**
 * Condition operator names: the base operators, their negations, the
 * `...IfExists` suffix and the `ForAllValues:` / `ForAnyValue:` set
 * qualifiers, decoded once into a small descriptor that both the parser
 * (to reject unknown operators) and the condition compiler use.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html
 */

export type OperatorFamily =
  | 'string'
  | 'stringIgnoreCase'
  | 'like'
  | 'numeric'
  | 'date'
  | 'bool'
  | 'binary'
  | 'ip'
  | 'arn'
  | 'null';

export type Comparison = 'eq' | 'lt' | 'le' | 'gt' | 'ge';

export interface OperatorSpec {
  family: OperatorFamily;
  cmp: Comparison;
  /** Negated operators (StringNotEquals, NotIpAddress...) succeed when no policy value matches. */
  negated: boolean;
}

export interface ParsedOperator extends OperatorSpec {
  /** The operator as written, e.g. `ForAnyValue:StringLikeIfExists`. */
  name: string;
  base: string;
  qualifier: 'ForAllValues' | 'ForAnyValue' | undefined;
  ifExists: boolean;
}

const spec = (family: OperatorFamily, negated = false, cmp: Comparison = 'eq'): OperatorSpec => ({ family, cmp, negated });

const BASE: Record<string, OperatorSpec> = {
  StringEquals: spec('string'),
  StringNotEquals: spec('string', true),
  StringEqualsIgnoreCase: spec('stringIgnoreCase'),
  StringNotEqualsIgnoreCase: spec('stringIgnoreCase', true),
  StringLike: spec('like'),
  StringNotLike: spec('like', true),
  NumericEquals: spec('numeric'),
  NumericNotEquals: spec('numeric', true),
  NumericLessThan: spec('numeric', false, 'lt'),
  NumericLessThanEquals: spec('numeric', false, 'le'),
  NumericGreaterThan: spec('numeric', false, 'gt'),
  NumericGreaterThanEquals: spec('numeric', false, 'ge'),
  DateEquals: spec('date'),
  DateNotEquals: spec('date', true),
  DateLessThan: spec('date', false, 'lt'),
  DateLessThanEquals: spec('date', false, 'le'),
  DateGreaterThan: spec('date', false, 'gt'),
  DateGreaterThanEquals: spec('date', false, 'ge'),
  Bool: spec('bool'),
  BinaryEquals: spec('binary'),
  IpAddress: spec('ip'),
  NotIpAddress: spec('ip', true),
  ArnEquals: spec('arn'),
  ArnLike: spec('arn'),
  ArnNotEquals: spec('arn', true),
  ArnNotLike: spec('arn', true),
  Null: spec('null'),
};

export const BASE_OPERATORS: readonly string[] = Object.keys(BASE);

/** Decodes an operator name; undefined when it is not one IAM knows. Names are case-sensitive, as in IAM. */
export function parseOperator(name: string): ParsedOperator | undefined {
  let rest = name;
  let qualifier: ParsedOperator['qualifier'];
  if (rest.startsWith('ForAllValues:')) {
    qualifier = 'ForAllValues';
    rest = rest.slice('ForAllValues:'.length);
  } else if (rest.startsWith('ForAnyValue:')) {
    qualifier = 'ForAnyValue';
    rest = rest.slice('ForAnyValue:'.length);
  }
  let ifExists = false;
  if (rest.endsWith('IfExists')) {
    ifExists = true;
    rest = rest.slice(0, -'IfExists'.length);
  }
  const base = Object.hasOwn(BASE, rest) ? BASE[rest] : undefined;
  if (!base) return undefined;
  // "You can add IfExists to the end of any condition operator name except the Null condition."
  if (base.family === 'null' && (ifExists || qualifier)) return undefined;
  return { ...base, name, base: rest, qualifier, ifExists };
}

/**
 * Parses a Date operator value: ISO 8601 (W3C profile) or epoch seconds. As in
 * IAM, text without `T` or `-` is an epoch time, so "2020" is a second count.
 * Returns epoch milliseconds, or NaN when the text is neither.
 * https://www.w3.org/TR/NOTE-datetime
 */
export function parseDateValue(text: string): number {
  const t = text.trim();
  if (t === '') return NaN;
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  if (!/^\d{4}(-\d{2}(-\d{2}([Tt]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}(:?\d{2})?)?)?)?)?$/.test(t)) return NaN;
  // A date-time without a zone designator is read as UTC, as AWS does, rather than as local time.
  const zoned = /[Tt]/.test(t) && !/([Zz]|[+-]\d{2}(:?\d{2})?)$/.test(t) ? t + 'Z' : t;
  return Date.parse(zoned);
}
