/**
 * Policy grammar and per-kind validation, with the MalformedPolicyDocument /
 * MalformedPolicy messages IAM and S3 answer.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PolicyError } from './errors.js';
import { parsePolicy, validateIdentityPolicy, validateResourcePolicy, validateTrustPolicy } from './validate.js';

const st = (s: object) => JSON.stringify({ Version: '2012-10-17', Statement: [s] });
const ok = { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' };

function rejects(fn: () => unknown, message: string, code = 'MalformedPolicyDocument'): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof PolicyError, String(err));
    assert.equal(err.message, message);
    assert.equal(err.code, code);
    assert.equal(err.status, 400);
    return true;
  });
}

test('validateIdentityPolicy: normalizes single values into arrays', () => {
  const doc = validateIdentityPolicy(
    JSON.stringify({
      Version: '2012-10-17',
      Statement: { Sid: 'A', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': true }, NumericLessThan: { 's3:max-keys': 10 } } },
    }),
  );
  assert.deepEqual(doc, {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'A', Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::b/*'], Condition: { Bool: { 'aws:MultiFactorAuthPresent': ['true'] }, NumericLessThan: { 's3:max-keys': ['10'] } } },
    ],
  });
});

test('validateIdentityPolicy: bad JSON is a syntax error', () => {
  rejects(() => validateIdentityPolicy('{"Version": "2012-10-17", '), 'Syntax errors in policy.');
});

test('validateIdentityPolicy: grammar violations are syntax errors', () => {
  const bad = [
    JSON.stringify({ Version: '2012-10-17', Statement: [ok], Foo: 1 }),
    JSON.stringify({ Version: '2013-01-01', Statement: [ok] }),
    JSON.stringify({ Version: '2012-10-17' }),
    JSON.stringify({ Version: '2012-10-17', Statement: [] }),
    JSON.stringify([ok]),
    st({ Action: 's3:*', Resource: '*' }),
    st({ ...ok, Effect: 'Permit' }),
    st({ ...ok, NotAction: 's3:PutObject' }),
    st({ ...ok, NotResource: 'arn:aws:s3:::x' }),
    st({ ...ok, Action: ['s3:GetObject', 7] }),
    st({ ...ok, Extra: true }),
    st({ ...ok, Condition: { StringEqualz: { 'aws:username': 'x' } } }),
    st({ ...ok, Condition: { NullIfExists: { 'aws:TokenIssueTime': 'true' } } }),
    st({ ...ok, Condition: { StringEquals: 'x' } }),
    st({ ...ok, Sid: 5 }),
  ];
  for (const json of bad) rejects(() => validateIdentityPolicy(json), 'Syntax errors in policy.');
});

test('validateIdentityPolicy: an unknown operator with an empty block is tolerated', () => {
  assert.ok(validateIdentityPolicy(st({ ...ok, Condition: { Whatever: {} } })));
});

test('validateIdentityPolicy: Effect is case-sensitive (legacy parsing)', () => {
  rejects(() => validateIdentityPolicy(st({ ...ok, Effect: 'allow' })), 'The policy failed legacy parsing');
});

test('validateIdentityPolicy: date condition values must parse', () => {
  rejects(
    () => validateIdentityPolicy(st({ ...ok, Condition: { DateLessThan: { 'aws:CurrentTime': 'next tuesday' } } })),
    'The policy failed legacy parsing',
  );
  assert.ok(validateIdentityPolicy(st({ ...ok, Condition: { DateLessThan: { 'aws:CurrentTime': ['2020-06-30T23:59:59Z', '1600000000', '2020-06-30'] } } })));
});

test('validateIdentityPolicy: a principal is not allowed', () => {
  rejects(() => validateIdentityPolicy(st({ ...ok, Principal: '*' })), 'Policy document should not specify a principal.');
  rejects(() => validateIdentityPolicy(st({ ...ok, NotPrincipal: { AWS: '123456789012' } })), 'Policy document should not specify a principal.');
});

test('validateIdentityPolicy: managed policies need Version 2012-10-17', () => {
  const noVersion = JSON.stringify({ Statement: [ok] });
  rejects(() => validateIdentityPolicy(noVersion, { managed: true }), 'Policy document must be version 2012-10-17 or greater.');
  rejects(
    () => validateIdentityPolicy(JSON.stringify({ Version: '2008-10-17', Statement: [ok] }), { managed: true }),
    'Policy document must be version 2012-10-17 or greater.',
  );
  assert.equal(validateIdentityPolicy(noVersion).Version, undefined);
});

test('validateIdentityPolicy: Sids must be unique', () => {
  const json = JSON.stringify({ Version: '2012-10-17', Statement: [{ ...ok, Sid: 'A' }, { ...ok, Sid: 'A' }] });
  rejects(() => validateIdentityPolicy(json), 'Statement IDs (SID) in a single policy must be unique.');
});

test('validateIdentityPolicy: actions and resources are required', () => {
  rejects(() => validateIdentityPolicy(st({ Effect: 'Allow', Resource: '*' })), 'Policy statement must contain actions.');
  rejects(() => validateIdentityPolicy(st({ Effect: 'Allow', Action: [], Resource: '*' })), 'Policy statement must contain actions.');
  rejects(() => validateIdentityPolicy(st({ Effect: 'Allow', Action: 's3:*' })), 'Policy statement must contain resources.');
});

test('validateIdentityPolicy: resource formats', () => {
  rejects(() => validateIdentityPolicy(st({ ...ok, Resource: 'my-bucket' })), 'Resource my-bucket must be in ARN format or "*".');
  rejects(
    () => validateIdentityPolicy(st({ ...ok, Resource: 'arn:foo:s3:::b' })),
    'Partition "foo" is not valid for resource "arn:foo:s3:*:*:b".',
  );
  rejects(() => validateIdentityPolicy(st({ ...ok, Resource: 'arn:aws:*:::b' })), 'Resource vendor must be fully qualified and cannot contain regexes.');
});

test('validateIdentityPolicy: action prefixes', () => {
  rejects(() => validateIdentityPolicy(st({ ...ok, Action: 's3GetObject' })), 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.');
  rejects(() => validateIdentityPolicy(st({ ...ok, Action: 's3:Get:Object' })), 'Actions/Condition can contain only one colon.');
  rejects(() => validateIdentityPolicy(st({ ...ok, Action: 's 3:GetObject' })), 'Vendor s 3 is not valid');
});

const trustOk = { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' };

test('validateTrustPolicy: accepts a service trust policy', () => {
  const doc = validateTrustPolicy(st(trustOk));
  assert.deepEqual(doc.Statement[0]!.Principal, { Service: ['lambda.amazonaws.com'] });
});

test('validateTrustPolicy: resources are prohibited', () => {
  rejects(() => validateTrustPolicy(st({ ...trustOk, Resource: '*' })), 'Has prohibited field Resource');
  rejects(() => validateTrustPolicy(st({ ...trustOk, NotResource: '*' })), 'AssumeRole policy must not contain resources.');
});

test('validateTrustPolicy: a principal is required and must be valid', () => {
  rejects(() => validateTrustPolicy(st({ Effect: 'Allow', Action: 'sts:AssumeRole' })), 'Missing required field Principal');
  rejects(() => validateTrustPolicy(st({ ...trustOk, Principal: {} })), 'Missing required field Principal cannot be empty!');
  rejects(() => validateTrustPolicy(st({ ...trustOk, Principal: { AWS: 'bob' } })), 'Invalid principal in policy: "AWS":"bob"');
  rejects(
    () => validateTrustPolicy(st({ ...trustOk, Principal: { AWS: 'arn:aws:iam::123456789012:role/*' } })),
    'Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:role/*"',
  );
  rejects(() => validateTrustPolicy(st({ Effect: 'Allow', NotPrincipal: { AWS: '*' }, Action: 'sts:AssumeRole' })), 'Allow with NotPrincipal is not allowed.');
  for (const aws of ['123456789012', 'arn:aws:iam::123456789012:root', 'arn:aws:iam::123456789012:user/path/bob', 'arn:aws:sts::123456789012:assumed-role/r/s', 'AIDAJQABLZS4A3QDU576Q', '*']) {
    assert.ok(validateTrustPolicy(st({ ...trustOk, Principal: { AWS: aws } })), aws);
  }
});

test('validateTrustPolicy: only sts actions', () => {
  rejects(() => validateTrustPolicy(st({ ...trustOk, Action: '*' })), 'AssumeRole policy may only specify STS AssumeRole actions.');
  assert.ok(validateTrustPolicy(st({ ...trustOk, Action: ['sts:AssumeRole', 'sts:TagSession'] })));
});

test('validateTrustPolicy: JSON and empty-statement wording', () => {
  rejects(() => validateTrustPolicy('not json'), 'This policy contains invalid Json');
  rejects(() => validateTrustPolicy(JSON.stringify({ Version: '2012-10-17', Statement: [] })), 'Could not parse the policy: Statement is empty!');
});

test("validateResourcePolicy: S3's MalformedPolicy messages", () => {
  const base = { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' };
  assert.ok(validateResourcePolicy(st(base)));
  rejects(() => validateResourcePolicy(st({ ...base, Principal: undefined })), 'Missing required field Principal', 'MalformedPolicy');
  rejects(() => validateResourcePolicy(st({ ...base, Principal: { AWS: 'not-an-arn' } })), 'Invalid principal in policy', 'MalformedPolicy');
  rejects(() => validateResourcePolicy(st({ ...base, Action: undefined })), 'Missing required field Action', 'MalformedPolicy');
  rejects(() => validateResourcePolicy(st({ ...base, Resource: undefined })), 'Missing required field Resource', 'MalformedPolicy');
  rejects(() => validateResourcePolicy(st({ ...base, Resource: 'b' })), 'Policy has invalid resource', 'MalformedPolicy');
  rejects(() => validateResourcePolicy('x'), "Policies must be valid JSON and the first byte must be '{'", 'MalformedPolicy');
  rejects(() => validateResourcePolicy(st({ ...base, Action: 'x' }), { code: 'InvalidParameter' }), 'Policy has invalid action', 'InvalidParameter');
  assert.ok(validateResourcePolicy(st({ ...base, Resource: undefined }), { requireResource: false }));
});

test('parsePolicy: without a kind only the shared grammar applies', () => {
  const doc = parsePolicy(st(trustOk));
  assert.equal(doc.Statement[0]!.Resource, undefined);
  rejects(() => parsePolicy(st({ Effect: 'Allow', Resource: '*' })), 'Policy statement must contain actions.');
  rejects(() => parsePolicy(st(trustOk), 'identity'), 'Policy document should not specify a principal.');
  rejects(() => parsePolicy(st(ok), 'trust'), 'Missing required field Principal');
});

test('PolicyError: carries a machine-readable problem', () => {
  try {
    validateTrustPolicy(st({ ...trustOk, Resource: '*' }));
    assert.fail('expected a PolicyError');
  } catch (err) {
    assert.ok(err instanceof PolicyError);
    assert.equal(err.problem, 'ProhibitedResource');
  }
});
