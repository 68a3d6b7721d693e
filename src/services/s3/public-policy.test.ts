import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isServiceError } from '../../core/errors.js';
import { isPublicPolicy, validateBucketPolicyShape } from './public-policy.js';

const BUCKET = 'my-bucket';

type Stmt = Record<string, unknown>;
const policy = (...statements: Stmt[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const allow = (extra: Stmt = {}): Stmt => ({
  Effect: 'Allow',
  Principal: '*',
  Action: 's3:GetObject',
  Resource: `arn:aws:s3:::${BUCKET}/*`,
  ...extra,
});

function malformed(json: string, message: string, bucket = BUCKET): void {
  assert.throws(
    () => validateBucketPolicyShape(json, bucket),
    (err: unknown) => {
      assert.ok(isServiceError(err));
      assert.equal(err.code, 'MalformedPolicy');
      assert.equal(err.message, message);
      assert.equal(err.status, 400);
      return true;
    },
  );
}

describe('validateBucketPolicyShape', () => {
  it('accepts ordinary bucket policies and returns the normalized document', () => {
    const doc = validateBucketPolicyShape(policy(allow()), BUCKET);
    assert.deepEqual(doc.Statement[0]?.Action, ['s3:GetObject']);
    validateBucketPolicyShape(
      policy(
        allow({ Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: ['s3:ListBucket', 's3:GetObject'], Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`] }),
        allow({ Effect: 'Deny', Action: 's3:*', Resource: `arn:aws:s3:::${BUCKET}/private/*` }),
        allow({ Action: '*', Resource: `arn:aws:s3:::${BUCKET}*` }),
        allow({ Action: 's3:Get*', Resource: `arn:aws:s3:::${BUCKET}/\${aws:username}/*` }),
        allow({ Action: 'S3:getobject', Resource: 'arn:aws:s3:::*' }),
        allow({ Action: 's3:PutBucketPolicy', Resource: `arn:aws:s3:::my-?ucket` }),
        { Effect: 'Allow', Principal: '*', NotAction: 's3:DeleteBucket', Resource: `arn:aws:s3:::${BUCKET}` },
      ),
      BUCKET,
    );
  });

  it('invalid JSON', () => {
    malformed('not json', "Policies must be valid JSON and the first byte must be '{'");
    malformed('', "Policies must be valid JSON and the first byte must be '{'");
  });

  it('a statement without Principal', () => {
    const st = allow();
    delete st.Principal;
    malformed(policy(st), 'Missing required field Principal');
  });

  it('resources must be this bucket or its objects', () => {
    malformed(policy(allow({ Resource: '*' })), 'Policy has invalid resource');
    malformed(policy(allow({ Resource: 'arn:aws:s3:::other-bucket/*' })), 'Policy has invalid resource');
    malformed(policy(allow({ Resource: [`arn:aws:s3:::${BUCKET}/*`, 'arn:aws:s3:::other-bucket/*'] })), 'Policy has invalid resource');
    malformed(policy(allow({ Resource: `arn:aws:s3:::${BUCKET}-2/*` })), 'Policy has invalid resource');
    malformed(policy(allow({ Resource: `arn:aws:s3:us-east-1:123456789012:${BUCKET}/*` })), 'Policy has invalid resource');
    malformed(policy(allow({ Resource: `arn:aws:sqs:::${BUCKET}` })), 'Policy has invalid resource');
    malformed(policy(allow({ Resource: 'nope' })), 'Policy has invalid resource');
  });

  it('actions must be S3 actions on buckets or objects', () => {
    malformed(policy(allow({ Action: 'invalid_action' })), 'Policy has invalid action');
    malformed(policy(allow({ Action: 's3:GetObjectt' })), 'Policy has invalid action');
    malformed(policy(allow({ Action: 's3:Foo*' })), 'Policy has invalid action');
    malformed(policy(allow({ Action: 'ec2:RunInstances' })), 'Policy has invalid action');
    malformed(policy(allow({ Action: 's3:ListAllMyBuckets' })), 'Policy has invalid action');
    malformed(policy(allow({ Action: 's3:CreateBucket', Resource: `arn:aws:s3:::${BUCKET}` })), 'Policy has invalid action');
  });

  it('actions must apply to at least one resource of the statement', () => {
    malformed(policy(allow({ Action: 's3:PutObject', Resource: `arn:aws:s3:::${BUCKET}` })), 'Action does not apply to any resource(s) in statement');
    malformed(policy(allow({ Action: ['s3:GetBucketAcl', 's3:ListBucket'], Resource: `arn:aws:s3:::${BUCKET}/*` })), 'Action does not apply to any resource(s) in statement');
    validateBucketPolicyShape(policy(allow({ Action: ['s3:GetBucketAcl', 's3:GetObject'], Resource: `arn:aws:s3:::${BUCKET}/*` })), BUCKET);
  });

  it('the grammar errors of resource policies', () => {
    malformed(JSON.stringify({ Version: '2012-10-17', Statement: [] }), 'Could not parse the policy: Statement is empty!');
    const noAction = allow();
    delete noAction.Action;
    malformed(policy(noAction), 'Missing required field Action');
    const noResource = allow();
    delete noResource.Resource;
    malformed(policy(noResource), 'Missing required field Resource');
  });
});

describe('isPublicPolicy', () => {
  it('Principal "*" or {"AWS": "*"} with no confining condition is public', () => {
    assert.equal(isPublicPolicy(policy(allow())), true);
    assert.equal(isPublicPolicy(policy(allow({ Principal: { AWS: '*' } }))), true);
    assert.equal(isPublicPolicy(policy(allow({ Principal: { AWS: ['arn:aws:iam::123456789012:root', '*'] } }))), true);
    assert.equal(isPublicPolicy(policy(allow({ Principal: { AWS: 'arn:aws:iam::123456789012:user/*' } }))), true);
    assert.equal(isPublicPolicy(policy(allow({ Principal: { AWS: 'arn:aws:iam::123456789012:user/${aws:username}' } }))), true);
  });

  it('fixed principals are not public', () => {
    assert.equal(isPublicPolicy(policy(allow({ Principal: { AWS: 'arn:aws:iam::123456789012:root' } }))), false);
    assert.equal(isPublicPolicy(policy(allow({ Principal: { AWS: ['111122223333', 'arn:aws:iam::123456789012:role/r'] } }))), false);
    assert.equal(isPublicPolicy(policy(allow({ Principal: { Service: 'cloudtrail.amazonaws.com' } }))), false);
    assert.equal(isPublicPolicy(policy(allow({ Principal: { CanonicalUser: 'a'.repeat(64) } }))), false);
  });

  it('Deny statements never make a policy public; Allow with NotPrincipal does', () => {
    assert.equal(isPublicPolicy(policy(allow({ Effect: 'Deny' }))), false);
    const notPrincipal = allow({ NotPrincipal: { AWS: 'arn:aws:iam::123456789012:root' } });
    delete notPrincipal.Principal;
    assert.equal(isPublicPolicy(policy(notPrincipal)), true);
  });

  it('one public statement makes the whole policy public', () => {
    assert.equal(
      isPublicPolicy(policy(allow({ Principal: { Service: 'cloudtrail.amazonaws.com' } }), allow({ Principal: { AWS: '222233334444' } }), allow())),
      true,
    );
  });

  it('the documented aws:SourceVpc examples', () => {
    assert.equal(isPublicPolicy(policy(allow({ Condition: { StringLike: { 'aws:SourceVpc': 'vpc-*' } } }))), true);
    assert.equal(isPublicPolicy(policy(allow({ Condition: { StringEquals: { 'aws:SourceVpc': 'vpc-91237329' } } }))), false);
  });

  it('aws:SourceIp confines only with ranges no broader than /8 (IPv4) or /32 (IPv6)', () => {
    const ip = (op: string, value: string | string[]) => isPublicPolicy(policy(allow({ Condition: { [op]: { 'aws:SourceIp': value } } })));
    assert.equal(ip('IpAddress', '203.0.113.0/24'), false);
    assert.equal(ip('IpAddress', '203.0.113.7'), false);
    assert.equal(ip('IpAddress', '10.0.0.0/8'), false);
    assert.equal(ip('IpAddress', '2001:db8::/32'), false);
    assert.equal(ip('IpAddress', '0.0.0.0/0'), true);
    assert.equal(ip('IpAddress', '0.0.0.0/1'), true);
    assert.equal(ip('IpAddress', '10.0.0.0/7'), true);
    assert.equal(ip('IpAddress', '2001:db8::/31'), true);
    assert.equal(ip('IpAddress', ['203.0.113.0/24', '0.0.0.0/0']), true);
    assert.equal(ip('NotIpAddress', '203.0.113.0/24'), true);
    assert.equal(ip('IpAddress', 'not-an-ip'), true);
  });

  it('each listed key confines when fixed; wildcards and variables do not', () => {
    const keys = [
      ['aws:SourceArn', 'arn:aws:cloudfront::123456789012:distribution/E1'],
      ['aws:SourceVpce', 'vpce-1a2b3c4d'],
      ['aws:SourceAccount', '123456789012'],
      ['aws:SourceOwner', '123456789012'],
      ['aws:userid', 'AIDAEXAMPLE'],
      ['aws:PrincipalArn', 'arn:aws:iam::123456789012:role/r'],
      ['aws:PrincipalAccount', '123456789012'],
      ['aws:PrincipalOrgID', 'o-abc123'],
      ['s3:DataAccessPointAccount', '123456789012'],
      ['s3:DataAccessPointArn', 'arn:aws:s3:us-west-2:123456789012:accesspoint/ap'],
    ];
    for (const [key, value] of keys) {
      assert.equal(isPublicPolicy(policy(allow({ Condition: { StringEquals: { [key!]: value } } }))), false, key);
      // The access point name may be wildcarded; see the next test.
      if (key === 's3:DataAccessPointArn') continue;
      assert.equal(isPublicPolicy(policy(allow({ Condition: { StringLike: { [key!]: `${value}*` } } }))), true, `${key} wildcard`);
    }
    assert.equal(isPublicPolicy(policy(allow({ Condition: { StringLike: { 'aws:userid': 'AROAEXAMPLE:*' } } }))), true);
    assert.equal(isPublicPolicy(policy(allow({ Condition: { StringEquals: { 'aws:PrincipalAccount': '${aws:username}' } } }))), true);
    assert.equal(isPublicPolicy(policy(allow({ Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:sns:us-east-1:123456789012:topic' } } }))), false);
    // Condition keys are case-insensitive.
    assert.equal(isPublicPolicy(policy(allow({ Condition: { StringEquals: { 'AWS:SOURCEACCOUNT': '123456789012' } } }))), false);
  });

  it('s3:DataAccessPointArn may wildcard the access point name when the account is fixed', () => {
    const ap = (value: string) => isPublicPolicy(policy(allow({ Condition: { ArnLike: { 's3:DataAccessPointArn': value } } })));
    assert.equal(ap('arn:aws:s3:us-west-2:123456789012:accesspoint/*'), false);
    assert.equal(ap('arn:aws:s3:us-west-2:*:accesspoint/*'), true);
    assert.equal(ap('arn:aws:s3:*:123456789012:accesspoint/*'), true);
  });

  it('conditions that do not confine: other keys, negated, IfExists, ForAllValues, Null', () => {
    const cond = (condition: Stmt) => isPublicPolicy(policy(allow({ Condition: condition })));
    assert.equal(cond({ Bool: { 'aws:SecureTransport': 'true' } }), true);
    assert.equal(cond({ StringLike: { 's3:prefix': 'home/' } }), true);
    assert.equal(cond({ StringNotEquals: { 'aws:SourceVpc': 'vpc-1' } }), true);
    assert.equal(cond({ StringEqualsIfExists: { 'aws:SourceVpc': 'vpc-1' } }), true);
    assert.equal(cond({ 'ForAllValues:StringEquals': { 'aws:SourceVpc': 'vpc-1' } }), true);
    assert.equal(cond({ Null: { 'aws:SourceVpc': 'false' } }), true);
    assert.equal(cond({ IpAddress: { 'aws:SourceVpc': '10.0.0.0/16' } }), true);
    assert.equal(cond({ 'ForAnyValue:StringEquals': { 'aws:PrincipalOrgID': 'o-1' } }), false);
    // One confining block is enough, next to others.
    assert.equal(cond({ Bool: { 'aws:SecureTransport': 'true' }, StringEquals: { 'aws:SourceVpce': 'vpce-1' } }), false);
  });

  it('a document that does not parse is not public', () => {
    assert.equal(isPublicPolicy('not json'), false);
    assert.equal(isPublicPolicy('{}'), false);
  });
});
