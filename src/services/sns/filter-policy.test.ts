/**
 * Filter policies, case by case from the SNS developer guide's examples:
 * https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html
 * https://docs.aws.amazon.com/sns/latest/dg/string-value-matching.html
 * https://docs.aws.amazon.com/sns/latest/dg/numeric-value-matching.html
 * https://docs.aws.amazon.com/sns/latest/dg/attribute-key-matching.html
 * https://docs.aws.amazon.com/sns/latest/dg/and-or-logic.html
 * https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html
 * https://docs.aws.amazon.com/sns/latest/dg/example-filter-policies.html
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { combinations, compileFilterPolicy, FilterPolicyError, matchesAttributes, matchesBody, type AttributeValue, type FilterScope } from './filter-policy.js';

const S = (Value: string): AttributeValue => ({ Type: 'String', Value });
const N = (Value: string | number): AttributeValue => ({ Type: 'Number', Value: String(Value) });
const A = (values: unknown[]): AttributeValue => ({ Type: 'String.Array', Value: JSON.stringify(values) });

function attrs(policy: object, attributes: Record<string, AttributeValue>): boolean {
  return matchesAttributes(compileFilterPolicy(JSON.stringify(policy), 'MessageAttributes'), attributes);
}

function body(policy: object, message: unknown): boolean {
  return matchesBody(compileFilterPolicy(JSON.stringify(policy), 'MessageBody'), typeof message === 'string' ? message : JSON.stringify(message));
}

function refused(policy: unknown, reason: string, scope: FilterScope = 'MessageAttributes'): void {
  assert.throws(
    () => compileFilterPolicy(typeof policy === 'string' ? policy : JSON.stringify(policy), scope),
    (e: unknown) => e instanceof FilterPolicyError && e.reason === reason,
    `expected "${reason}"`,
  );
}

describe('filter policy: string value matching (string-value-matching.html)', () => {
  it('exact matching: any listed value, case-sensitive', () => {
    const p = { customer_interests: ['rugby', 'tennis'] };
    assert.equal(attrs(p, { customer_interests: S('rugby') }), true);
    assert.equal(attrs(p, { customer_interests: S('tennis') }), true);
    assert.equal(attrs(p, { customer_interests: S('baseball') }), false);
    assert.equal(attrs(p, { customer_interests: S('Rugby') }), false);
    assert.equal(body(p, { customer_interests: 'rugby' }), true);
    assert.equal(body(p, { customer_interests: 'baseball' }), false);
  });

  it('exact matching on String.Array: each element is a separate string', () => {
    const p = { customer_interests: ['rugby', 'tennis'] };
    assert.equal(attrs(p, { customer_interests: A(['rugby', 'tennis']) }), true);
    assert.equal(attrs(p, { customer_interests: A(['soccer', 'tennis']) }), true);
    assert.equal(attrs(p, { customer_interests: A(['baseball']) }), false);
  });

  it('a missing attribute matches no value condition', () => {
    assert.equal(attrs({ store: ['example_corp'] }, { other: S('example_corp') }), false);
  });

  it('prefix matching', () => {
    const p = { customer_interests: [{ prefix: 'bas' }] };
    assert.equal(attrs(p, { customer_interests: S('baseball') }), true);
    assert.equal(attrs(p, { customer_interests: S('basketball') }), true);
    assert.equal(attrs(p, { customer_interests: S('rugby') }), false);
    assert.equal(body(p, { customer_interests: 'basketball' }), true);
  });

  it('suffix matching', () => {
    const p = { customer_interests: [{ suffix: 'ball' }] };
    assert.equal(attrs(p, { customer_interests: S('baseball') }), true);
    assert.equal(attrs(p, { customer_interests: S('rugby') }), false);
    assert.equal(body(p, { customer_interests: 'football' }), true);
  });

  it('equals-ignore-case matching', () => {
    const p = { customer_interests: [{ 'equals-ignore-case': 'tennis' }] };
    assert.equal(attrs(p, { customer_interests: S('TENNIS') }), true);
    assert.equal(attrs(p, { customer_interests: S('Tennis') }), true);
    assert.equal(attrs(p, { customer_interests: S('baseball') }), false);
  });

  it('anything-but with a list of values', () => {
    const p = { customer_interests: [{ 'anything-but': ['rugby', 'tennis'] }] };
    assert.equal(attrs(p, { customer_interests: S('baseball') }), true);
    assert.equal(attrs(p, { customer_interests: S('football') }), true);
    assert.equal(attrs(p, { customer_interests: S('rugby') }), false);
    assert.equal(body(p, { customer_interests: 'football' }), true);
    assert.equal(body(p, { customer_interests: ['rugby'] }), false);
  });

  it('anything-but on arrays: matches only when none of the elements is excluded', () => {
    const p = { customer_interests: [{ 'anything-but': ['rugby', 'tennis'] }] };
    assert.equal(attrs(p, { customer_interests: A(['soccer', 'baseball']) }), true);
    assert.equal(attrs(p, { customer_interests: A(['rugby', 'baseball']) }), false);
    assert.equal(body(p, { customer_interests: ['rugby', 'baseball'] }), false);
  });

  it('anything-but a single value, and an absent attribute does not match anything-but', () => {
    const p = { event: [{ 'anything-but': 'order_cancelled' }] };
    assert.equal(attrs(p, { event: S('order_placed') }), true);
    assert.equal(attrs(p, { event: S('order_cancelled') }), false);
    assert.equal(attrs(p, {}), false);
  });

  it('anything-but combined with exists:false also accepts messages without the key', () => {
    const p = { event: [{ 'anything-but': 'order_cancelled' }, { exists: false }] };
    assert.equal(attrs(p, {}), true);
    assert.equal(attrs(p, { event: S('order_cancelled') }), false);
  });

  it('anything-but with a prefix', () => {
    const p = { event: [{ 'anything-but': { prefix: 'order-' } }] };
    assert.equal(attrs(p, { event: S('data-entry') }), true);
    assert.equal(attrs(p, { event: S('order_number') }), true);
    assert.equal(attrs(p, { event: S('order-cancelled') }), false);
    assert.equal(body(p, { event: 'order-cancelled' }), false);
  });

  it('anything-but with a suffix', () => {
    const p = { event: [{ 'anything-but': { suffix: '-test' } }] };
    assert.equal(attrs(p, { event: S('order-live') }), true);
    assert.equal(attrs(p, { event: S('order-test') }), false);
  });

  it('IP address matching with cidr, IPv4 and IPv6', () => {
    const p = { source_ip: [{ cidr: '10.0.0.0/24' }] };
    assert.equal(attrs(p, { source_ip: S('10.0.0.0') }), true);
    assert.equal(attrs(p, { source_ip: S('10.0.0.255') }), true);
    assert.equal(attrs(p, { source_ip: S('10.1.1.0') }), false);
    assert.equal(attrs(p, { source_ip: S('not-an-ip') }), false);
    assert.equal(body(p, { source_ip: '10.0.0.7' }), true);
    assert.equal(attrs({ ip: [{ cidr: '2001:db8::/32' }] }, { ip: S('2001:db8::1') }), true);
    assert.equal(attrs({ ip: [{ cidr: '2001:db8::/32' }] }, { ip: S('2001:db9::1') }), false);
  });
});

describe('filter policy: numeric value matching (numeric-value-matching.html)', () => {
  it('exact matching with = and a literal number, five decimal digits of accuracy', () => {
    const p = { price_usd: [{ numeric: ['=', 301.5] }] };
    assert.equal(attrs(p, { price_usd: N('301.5') }), true);
    assert.equal(attrs(p, { price_usd: N('3.015e2') }), true);
    assert.equal(attrs(p, { price_usd: N('301.500001') }), true);
    assert.equal(attrs(p, { price_usd: N('301.6') }), false);
    assert.equal(body(p, { price_usd: 3.015e2 }), true);
    assert.equal(attrs({ price_usd: [301.5] }, { price_usd: N('301.50') }), true);
  });

  it('a numeric condition does not match a String attribute, nor a string literal a Number', () => {
    assert.equal(attrs({ price: [{ numeric: ['=', 5] }] }, { price: S('5') }), false);
    assert.equal(attrs({ price: ['5'] }, { price: N('5') }), false);
  });

  it('anything-but numbers, also on arrays', () => {
    const p = { price: [{ 'anything-but': [100, 500] }] };
    assert.equal(attrs(p, { price: N('101') }), true);
    assert.equal(attrs(p, { price: N('100.1') }), true);
    assert.equal(attrs(p, { price: N('100') }), false);
    assert.equal(body(p, { price: 100 }), false);
    assert.equal(body(p, { price: [101, 50] }), true);
  });

  it('value ranges: <, <=, >, >= and a bounded range', () => {
    assert.equal(attrs({ p: [{ numeric: ['<', 0] }] }, { p: N(-1) }), true);
    assert.equal(attrs({ p: [{ numeric: ['<', 0] }] }, { p: N(0) }), false);
    const r = { p: [{ numeric: ['>', 0, '<=', 150] }] };
    assert.equal(attrs(r, { p: N(150) }), true);
    assert.equal(attrs(r, { p: N(0.5) }), true);
    assert.equal(attrs(r, { p: N(0) }), false);
    assert.equal(attrs(r, { p: N(150.1) }), false);
    assert.equal(attrs({ p: [{ numeric: ['>=', 10, '<', 20] }] }, { p: N(10) }), true);
    assert.equal(attrs({ p: [{ numeric: ['>=', 10, '<', 20] }] }, { p: N(20) }), false);
  });

  it('String.Array elements that are numbers match numeric conditions', () => {
    assert.equal(attrs({ p: [{ numeric: ['>', 10] }] }, { p: A([1, 'x', 11]) }), true);
    assert.equal(attrs({ p: [{ numeric: ['>', 10] }] }, { p: A([1, 2]) }), false);
  });
});

describe('filter policy: key matching (attribute-key-matching.html)', () => {
  it('exists: true needs the key, exists: false its absence', () => {
    assert.equal(attrs({ store: [{ exists: true }] }, { store: S('fans') }), true);
    assert.equal(attrs({ store: [{ exists: true }] }, { customer_interests: A(['baseball']) }), false);
    assert.equal(attrs({ store: [{ exists: false }] }, { customer_interests: A(['baseball']) }), true);
    assert.equal(attrs({ store: [{ exists: false }] }, { store: S('fans') }), false);
    assert.equal(body({ store: [{ exists: true }] }, { store: 'fans' }), true);
    assert.equal(body({ store: [{ exists: false }] }, { customer_interests: ['baseball'] }), true);
  });

  it('Binary attributes are ignored: they neither match nor exist', () => {
    const bin: AttributeValue = { Type: 'Binary', Value: Buffer.from('x').toString('base64') };
    assert.equal(attrs({ data: [{ exists: true }] }, { data: bin }), false);
    assert.equal(attrs({ data: [{ exists: false }] }, { data: bin }), true);
  });
});

describe('filter policy: AND/OR logic (and-or-logic.html)', () => {
  it('AND across keys, OR across one key\'s values', () => {
    const p = { customer_interests: ['rugby'], price_usd: [{ numeric: ['>', 100] }] };
    assert.equal(attrs(p, { customer_interests: S('rugby'), price_usd: N(101) }), true);
    assert.equal(attrs(p, { customer_interests: S('rugby'), price_usd: N(100) }), false);
    assert.equal(attrs(p, { customer_interests: S('rugby') }), false);
    const or = { customer_interests: ['rugby', 'football', 'baseball'] };
    assert.equal(attrs(or, { customer_interests: S('football') }), true);
  });

  it('$or across keys', () => {
    const p = { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }] };
    assert.equal(attrs(p, { source: S('aws.cloudwatch'), metricName: S('CPUUtilization') }), true);
    assert.equal(attrs(p, { source: S('aws.cloudwatch'), namespace: S('AWS/EC2') }), true);
    assert.equal(attrs(p, { source: S('aws.cloudwatch'), namespace: S('AWS/S3') }), false);
    assert.equal(attrs(p, { metricName: S('CPUUtilization') }), false);
  });

  it('$or in a payload policy, nested', () => {
    const p = { detail: { $or: [{ state: ['running'] }, { code: [{ numeric: ['>=', 500] }] }] } };
    assert.equal(body(p, { detail: { state: 'running' } }), true);
    assert.equal(body(p, { detail: { code: 503 } }), true);
    assert.equal(body(p, { detail: { state: 'stopped', code: 200 } }), false);
  });
});

describe('filter policy: payload-based filtering (MessageBody scope)', () => {
  it('nested keys follow the JSON structure; arrays along the path are searched', () => {
    const p = { order: { customer: { tier: ['gold'] } } };
    assert.equal(body(p, { order: { customer: { tier: 'gold' } } }), true);
    assert.equal(body(p, { order: { customer: { tier: 'silver' } } }), false);
    assert.equal(body(p, { order: [{ customer: { tier: 'silver' } }, { customer: { tier: 'gold' } }] }), true);
    assert.equal(body(p, { order: { tier: 'gold' } }), false);
  });

  it('true, false and null literals match JSON values', () => {
    assert.equal(body({ paid: [true] }, { paid: true }), true);
    assert.equal(body({ paid: [true] }, { paid: 'true' }), false);
    assert.equal(body({ note: [null] }, { note: null }), true);
  });

  it('a body that is not a JSON object matches nothing', () => {
    assert.equal(body({ a: [{ exists: false }] }, 'plain text'), false);
    assert.equal(body({ a: [{ exists: false }] }, '[1,2]'), false);
  });
});

describe('filter policy: validation (subscription-filter-policy-constraints.html)', () => {
  it('accepts the guide\'s example policies', () => {
    compileFilterPolicy(JSON.stringify({ store: ['example_corp'], event: [{ 'anything-but': 'order_cancelled' }], customer_interests: ['rugby', 'football', 'baseball'], price_usd: [{ numeric: ['>=', 100] }] }), 'MessageAttributes');
    compileFilterPolicy(JSON.stringify({ key_a: { key_b: { key_c: ['value_one', 'value_two', 'value_three', 'value_four'] } }, key_d: { key_e: ['value_one', 'value_two', 'value_three'] } }), 'MessageBody');
  });

  it('combinations: 3 x 1 x 2 = 6 flat, and 3 x 4 x 2 x 3 = 72 for the nested example', () => {
    assert.equal(combinations({ key_a: ['value_one', 'value_two', 'value_three'], key_b: ['value_one'], key_c: ['value_one', 'value_two'] }, 1), 6);
    assert.equal(combinations({ key_a: { key_b: { key_c: ['1', '2', '3', '4'] } }, key_d: { key_e: ['1', '2', '3'] } }, 1), 72);
    assert.equal(combinations({ a: ['1', '2'], $or: [{ b: ['1', '2', '3'] }, { c: ['1'] }] }, 1), 8);
  });

  it('more than 150 combinations is too complex', () => {
    const values = (n: number) => Array.from({ length: n }, (_, i) => `v${i}`);
    compileFilterPolicy(JSON.stringify({ a: values(10), b: values(15) }), 'MessageAttributes');
    refused({ a: values(10), b: values(16) }, 'FilterPolicy: Filter policy is too complex');
  });

  it('at most five keys', () => {
    const five = { a: ['1'], b: ['1'], c: ['1'], d: ['1'], e: ['1'] };
    compileFilterPolicy(JSON.stringify(five), 'MessageAttributes');
    refused({ ...five, f: ['1'] }, 'FilterPolicy: Filter policy can not have more than 5 keys');
    // Payload policies count parent keys only.
    compileFilterPolicy(JSON.stringify({ a: { x: ['1'], y: ['1'], z: ['1'], w: ['1'], v: ['1'], u: ['1'] } }), 'MessageBody');
  });

  it('nesting needs the MessageBody scope', () => {
    refused({ a: { b: ['1'] } }, 'Filter policy scope MessageAttributes does not support nested filter policy');
  });

  it('structure and JSON errors', () => {
    refused('{not json', 'FilterPolicy: failed to parse JSON.');
    refused({ a: 'x' }, 'FilterPolicy: "a" must be an object or an array');
    refused({ a: [] }, 'FilterPolicy: Empty arrays are not allowed');
    refused({ a: [['x']] }, 'FilterPolicy: Match value must be String, number, true, false, or null');
    refused({ a: [{ prefix: 'x', suffix: 'y' }] }, 'FilterPolicy: Only one key allowed in match expression');
    refused({ a: [{ wildcard: 'x*' }] }, 'FilterPolicy: Unrecognized match type wildcard');
    refused({ a: [{ prefix: 1 }] }, 'FilterPolicy: prefix match pattern must be a string');
    refused({ a: [{ exists: 'yes' }] }, 'FilterPolicy: exists match pattern must be either true or false.');
    refused({ a: [{ 'anything-but': { wildcard: 'x' } }] }, 'FilterPolicy: Unsupported anything-but pattern: wildcard');
  });

  it('numeric expression errors', () => {
    refused({ a: [{ numeric: [] }] }, 'FilterPolicy: Invalid member in numeric match: ]');
    refused({ a: [{ numeric: ['~', 1] }] }, 'FilterPolicy: Unrecognized numeric range operator: ~');
    refused({ a: [{ numeric: ['=', 'x'] }] }, 'FilterPolicy: Value of equals must be numeric');
    refused({ a: [{ numeric: ['<', 1, '>', 0] }] }, 'FilterPolicy: Too many elements in numeric expression');
    refused({ a: [{ numeric: ['>', 1, '>', 5] }] }, 'FilterPolicy: Bad numeric range operator: >');
    refused({ a: [{ numeric: ['>', 5, '<', 1] }] }, 'FilterPolicy: Bottom must be less than top');
  });

  it('cidr errors', () => {
    refused({ a: [{ cidr: '10.0.0.0' }] }, "FilterPolicy: Malformed CIDR, one '/' required");
    refused({ a: [{ cidr: '10.0.0.0/x' }] }, 'FilterPolicy: Malformed CIDR, mask bits must be an integer');
    refused({ a: [{ cidr: '10.0.0.300/24' }] }, 'FilterPolicy: Nonstandard IP address: 10.0.0.300');
  });
});
