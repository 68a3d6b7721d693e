import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACCOUNT, allow, harness, LAMBDA_TRUST_POLICY, rejectsWith } from './test-helpers.js';

describe('IAM roles', () => {
  it('CreateRole: the seed role ContactFormRole, trusted by Lambda, with SES and CloudWatch access', async () => {
    const { call, directory } = harness();
    const { Role } = await call('CreateRole', { RoleName: 'ContactFormRole', AssumeRolePolicyDocument: LAMBDA_TRUST_POLICY, Description: 'contact form' });
    assert.equal(Role.Arn, `arn:aws:iam::${ACCOUNT}:role/ContactFormRole`);
    assert.match(Role.RoleId, /^AROA/);
    assert.equal(Role.MaxSessionDuration, 3600);
    assert.equal(decodeURIComponent(Role.AssumeRolePolicyDocument), LAMBDA_TRUST_POLICY);
    for (const arn of ['arn:aws:iam::aws:policy/AmazonSESFullAccess', 'arn:aws:iam::aws:policy/CloudWatchFullAccess']) {
      await call('AttachRolePolicy', { RoleName: 'ContactFormRole', PolicyArn: arn });
    }
    const { AttachedPolicies } = await call('ListAttachedRolePolicies', { RoleName: 'ContactFormRole' });
    assert.deepEqual(AttachedPolicies, [
      { PolicyName: 'AmazonSESFullAccess', PolicyArn: 'arn:aws:iam::aws:policy/AmazonSESFullAccess' },
      { PolicyName: 'CloudWatchFullAccess', PolicyArn: 'arn:aws:iam::aws:policy/CloudWatchFullAccess' },
    ]);
    const record = await directory.getRole(ACCOUNT, 'contactformrole');
    assert.equal(record?.assumeRolePolicyDocument, LAMBDA_TRUST_POLICY);
    assert.equal((record as unknown as Record<string, unknown>).inline, undefined);
  });

  it('GetRole: the trust policy comes back URL-encoded (RFC 3986), with RoleLastUsed and tags', async () => {
    const { call } = harness();
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: "it's (ok)!", Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    await call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: trust, Tags: [{ Key: 'k', Value: 'v' }] });
    const { Role } = await call('GetRole', { RoleName: 'R' });
    assert.ok(Role.AssumeRolePolicyDocument.startsWith('%7B%22Version%22%3A%222012-10-17%22'));
    assert.ok(Role.AssumeRolePolicyDocument.includes('it%27s%20%28ok%29%21'));
    assert.equal(decodeURIComponent(Role.AssumeRolePolicyDocument), trust);
    assert.deepEqual(Role.RoleLastUsed, {});
    assert.deepEqual(Role.Tags, [{ Key: 'k', Value: 'v' }]);
    await rejectsWith(call('GetRole', { RoleName: 'nope' }), 'NoSuchEntity', 'The role with name nope cannot be found.');
  });

  it('CreateRole: a malformed trust policy answers MalformedPolicyDocument', async () => {
    const { call } = harness();
    await rejectsWith(call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: '{not json' }), 'MalformedPolicyDocument');
    await rejectsWith(call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: allow('s3:GetObject') }), 'MalformedPolicyDocument');
    await rejectsWith(call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: LAMBDA_TRUST_POLICY, MaxSessionDuration: 60 }), 'ValidationError', /at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600/);
    assert.deepEqual((await call('ListRoles', {})).Roles, []);
  });

  it('UpdateRole/UpdateAssumeRolePolicy: change description, session length and trust', async () => {
    const { call } = harness();
    await call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: LAMBDA_TRUST_POLICY });
    assert.deepEqual(await call('UpdateRole', { RoleName: 'r', Description: 'd', MaxSessionDuration: 7200 }), {});
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }] });
    await call('UpdateAssumeRolePolicy', { RoleName: 'r', PolicyDocument: trust });
    const { Role } = await call('GetRole', { RoleName: 'r' });
    assert.equal(Role.Description, 'd');
    assert.equal(Role.MaxSessionDuration, 7200);
    assert.equal(decodeURIComponent(Role.AssumeRolePolicyDocument), trust);
  });

  it('DeleteRole: refuses while attached or inline policies remain', async () => {
    const { call } = harness();
    await call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: LAMBDA_TRUST_POLICY });
    await call('AttachRolePolicy', { RoleName: 'r', PolicyArn: 'arn:aws:iam::aws:policy/AmazonSESFullAccess' });
    await call('PutRolePolicy', { RoleName: 'r', PolicyName: 'logs', PolicyDocument: allow('logs:*') });
    await rejectsWith(call('DeleteRole', { RoleName: 'r' }), 'DeleteConflict', 'Cannot delete entity, must detach all policies first.');
    await call('DetachRolePolicy', { RoleName: 'r', PolicyArn: 'arn:aws:iam::aws:policy/AmazonSESFullAccess' });
    await rejectsWith(call('DeleteRole', { RoleName: 'r' }), 'DeleteConflict', 'Cannot delete entity, must delete policies first.');
    await call('DeleteRolePolicy', { RoleName: 'r', PolicyName: 'logs' });
    await call('DeleteRole', { RoleName: 'r' });
    await rejectsWith(call('GetRole', { RoleName: 'r' }), 'NoSuchEntity');
  });

  it('TagRole/UntagRole/ListRoleTags: tags round-trip', async () => {
    const { call } = harness();
    await call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: LAMBDA_TRUST_POLICY });
    await call('TagRole', { RoleName: 'r', Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] });
    await call('UntagRole', { RoleName: 'r', TagKeys: ['a'] });
    assert.deepEqual((await call('ListRoleTags', { RoleName: 'r' })).Tags, [{ Key: 'b', Value: '2' }]);
  });

  it('AttachRolePolicy: at most 10 managed policies, and only existing ones', async () => {
    const { call } = harness();
    await call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: LAMBDA_TRUST_POLICY });
    const missing = 'arn:aws:iam::aws:policy/NoSuchPolicyHere';
    await rejectsWith(call('AttachRolePolicy', { RoleName: 'r', PolicyArn: missing }), 'NoSuchEntity', `Policy ${missing} does not exist or is not attachable.`);
    for (let i = 0; i < 11; i++) await call('CreatePolicy', { PolicyName: `p${i}`, PolicyDocument: allow('s3:GetObject') });
    for (let i = 0; i < 10; i++) await call('AttachRolePolicy', { RoleName: 'r', PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/p${i}` });
    await rejectsWith(call('AttachRolePolicy', { RoleName: 'r', PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/p10` }), 'LimitExceeded', 'Cannot exceed quota for PoliciesPerRole: 10');
  });

  it('resources: role actions act on the role ARN; attach carries iam:PolicyARN', async () => {
    const { call, resources, service } = harness();
    await call('CreateRole', { RoleName: 'r', Path: '/svc/', AssumeRolePolicyDocument: LAMBDA_TRUST_POLICY });
    assert.deepEqual(await resources('AttachRolePolicy', { RoleName: 'r', PolicyArn: 'arn:aws:iam::aws:policy/AmazonSESFullAccess' }), [`arn:aws:iam::${ACCOUNT}:role/svc/r`]);
    assert.deepEqual(service.operations.AttachRolePolicy!.conditions!({ RoleName: 'r', PolicyArn: 'arn:aws:iam::aws:policy/AmazonSESFullAccess' }, undefined as never), {
      'iam:PolicyARN': 'arn:aws:iam::aws:policy/AmazonSESFullAccess',
    });
    assert.deepEqual(await resources('ListRoles', {}), ['*']);
  });
});
