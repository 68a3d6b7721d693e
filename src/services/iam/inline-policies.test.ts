import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACCOUNT, allow, harness, LAMBDA_TRUST_POLICY, LAMBDA_UPLOAD_POLICY, rejectsWith } from './test-helpers.js';

describe('IAM inline policies', () => {
  it('PutUserPolicy/GetUserPolicy: the seed policy lambda-upload-policy round-trips URL-encoded', async () => {
    const { call } = harness();
    await call('CreateUser', { UserName: 'lambda_upload' });
    await call('PutUserPolicy', { UserName: 'lambda_upload', PolicyName: 'lambda-upload-policy', PolicyDocument: LAMBDA_UPLOAD_POLICY });
    const got = await call('GetUserPolicy', { UserName: 'LAMBDA_UPLOAD', PolicyName: 'lambda-upload-policy' });
    assert.equal(got.UserName, 'lambda_upload');
    assert.equal(got.PolicyName, 'lambda-upload-policy');
    // RFC 3986, as AWS answers: '*' becomes %2A (encodeURIComponent would leave it).
    assert.equal(got.PolicyDocument, encodeURIComponent(LAMBDA_UPLOAD_POLICY).replace(/\*/g, '%2A'));
    assert.ok(got.PolicyDocument.endsWith('%22Resource%22%3A%22%2A%22%7D%5D%7D'));
    assert.deepEqual((await call('ListUserPolicies', { UserName: 'lambda_upload' })).PolicyNames, ['lambda-upload-policy']);
  });

  it('PutUserPolicy: replacing a policy keeps one entry; names are listed in order and paged', async () => {
    const { call } = harness();
    await call('CreateUser', { UserName: 'u' });
    for (const name of ['b', 'a', 'c']) await call('PutUserPolicy', { UserName: 'u', PolicyName: name, PolicyDocument: allow('s3:GetObject') });
    await call('PutUserPolicy', { UserName: 'u', PolicyName: 'a', PolicyDocument: allow('s3:PutObject') });
    const first = await call('ListUserPolicies', { UserName: 'u', MaxItems: 2 });
    assert.deepEqual([first.PolicyNames, first.IsTruncated], [['a', 'b'], true]);
    const rest = await call('ListUserPolicies', { UserName: 'u', Marker: first.Marker });
    assert.deepEqual(rest.PolicyNames, ['c']);
    assert.equal(decodeURIComponent((await call('GetUserPolicy', { UserName: 'u', PolicyName: 'a' })).PolicyDocument), allow('s3:PutObject'));
  });

  it('PutUserPolicy: identity policies may not name a principal; invalid JSON is refused', async () => {
    const { call } = harness();
    await call('CreateUser', { UserName: 'u' });
    await rejectsWith(call('PutUserPolicy', { UserName: 'u', PolicyName: 'p', PolicyDocument: LAMBDA_TRUST_POLICY }), 'MalformedPolicyDocument', 'Policy document should not specify a principal.');
    await rejectsWith(call('PutUserPolicy', { UserName: 'u', PolicyName: 'p', PolicyDocument: '{' }), 'MalformedPolicyDocument');
    await rejectsWith(call('PutUserPolicy', { UserName: 'ghost', PolicyName: 'p', PolicyDocument: allow('s3:*') }), 'NoSuchEntity', 'The user with name ghost cannot be found.');
  });

  it('PutUserPolicy: the aggregate size of a user inline policies is capped at 2,048 characters', async () => {
    const { call } = harness();
    await call('CreateUser', { UserName: 'u' });
    const big = allow('s3:GetObject', `arn:aws:s3:::${'b'.repeat(1000)}/*`);
    await call('PutUserPolicy', { UserName: 'u', PolicyName: 'one', PolicyDocument: big });
    await rejectsWith(call('PutUserPolicy', { UserName: 'u', PolicyName: 'two', PolicyDocument: big }), 'LimitExceeded', 'Maximum policy size of 2048 bytes exceeded for user u');
    // A role allows five times as much.
    await call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: LAMBDA_TRUST_POLICY });
    await call('PutRolePolicy', { RoleName: 'r', PolicyName: 'one', PolicyDocument: big });
    await call('PutRolePolicy', { RoleName: 'r', PolicyName: 'two', PolicyDocument: big });
  });

  it('DeleteGroupPolicy/GetRolePolicy: missing policies answer NoSuchEntity in AWS wording', async () => {
    const { call } = harness();
    await call('CreateGroup', { GroupName: 'g' });
    await call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: LAMBDA_TRUST_POLICY });
    await rejectsWith(call('DeleteGroupPolicy', { GroupName: 'g', PolicyName: 'p' }), 'NoSuchEntity', 'The group policy with name p cannot be found.');
    await rejectsWith(call('GetRolePolicy', { RoleName: 'r', PolicyName: 'p' }), 'NoSuchEntity', 'The role policy with name p cannot be found.');
    await call('PutGroupPolicy', { GroupName: 'g', PolicyName: 'p', PolicyDocument: allow('sns:Publish') });
    const got = await call('GetGroupPolicy', { GroupName: 'g', PolicyName: 'p' });
    assert.equal(got.GroupName, 'g');
    await call('DeleteGroupPolicy', { GroupName: 'g', PolicyName: 'p' });
    assert.deepEqual((await call('ListGroupPolicies', { GroupName: 'g' })).PolicyNames, []);
  });

  it('resources: inline policy actions act on the owning entity', async () => {
    const { call, resources } = harness();
    await call('CreateGroup', { GroupName: 'g', Path: '/t/' });
    assert.deepEqual(await resources('PutGroupPolicy', { GroupName: 'g', PolicyName: 'p', PolicyDocument: '{}' }), [`arn:aws:iam::${ACCOUNT}:group/t/g`]);
  });
});
