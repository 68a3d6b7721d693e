/**
 * AccessDenied wording, checked against the examples of "Troubleshooting
 * access denied error messages" in the IAM User Guide.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluate } from './evaluate.js';
import { accessDeniedMessage } from './messages.js';
import { anonymous, doc, roleSession, user } from './testkit.test.js';
import type { EvaluationRequest } from './types.js';

const john = user('JohnDoe');
const req = (action: string, resource: string, principal = john): EvaluationRequest => ({ principal, action, resource, context: {} });

test('accessDeniedMessage: implicit deny by identity-based policies (troubleshoot_access-denied)', () => {
  const r = req('iam:CreateUser', 'arn:aws:iam::123456789012:user/y', user('x'));
  assert.equal(
    accessDeniedMessage(r, evaluate(r, { identity: [] })),
    'User: arn:aws:iam::123456789012:user/x is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::123456789012:user/y because no identity-based policy allows the iam:CreateUser action',
  );
});

test('accessDeniedMessage: a resource-less action leaves out "on resource"', () => {
  const r = req('codecommit:ListRepositories', '*');
  assert.equal(
    accessDeniedMessage(r, { decision: 'ImplicitDeny', reason: 'identity-based policy' }),
    'User: arn:aws:iam::123456789012:user/JohnDoe is not authorized to perform: codecommit:ListRepositories because no identity-based policy allows the codecommit:ListRepositories action',
  );
});

test('accessDeniedMessage: explicit deny in an identity-based policy', () => {
  const r = req('codedeploy:ListDeployments', 'arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:*');
  const d = evaluate(r, { identity: [doc({ Effect: 'Deny', Action: 'codedeploy:*', Resource: '*' })] });
  assert.equal(
    accessDeniedMessage(r, d),
    'User: arn:aws:iam::123456789012:user/JohnDoe is not authorized to perform: codedeploy:ListDeployments on resource: arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:* with an explicit deny in an identity-based policy',
  );
});

test('accessDeniedMessage: every policy type has its wording', () => {
  const r = req('secretsmanager:GetSecretValue', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:*');
  const head = 'User: arn:aws:iam::123456789012:user/JohnDoe is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:123456789012:secret:*';
  const expect: Array<[Parameters<typeof accessDeniedMessage>[1], string]> = [
    [{ decision: 'ExplicitDeny', reason: 'resource-based policy' }, ' with an explicit deny in a resource-based policy'],
    [{ decision: 'ImplicitDeny', reason: 'resource-based policy' }, ' because no resource-based policy allows the secretsmanager:GetSecretValue action'],
    [{ decision: 'ExplicitDeny', reason: 'permissions boundary' }, ' with an explicit deny in a permissions boundary'],
    [{ decision: 'ImplicitDeny', reason: 'permissions boundary' }, ' because no permissions boundary allows the secretsmanager:GetSecretValue action'],
    [{ decision: 'ExplicitDeny', reason: 'session policy' }, ' with an explicit deny in a session policy'],
    [{ decision: 'ImplicitDeny', reason: 'session policy' }, ' because no session policy allows the secretsmanager:GetSecretValue action'],
  ];
  for (const [decision, tail] of expect) assert.equal(accessDeniedMessage(r, decision), head + tail);
});

test('accessDeniedMessage: role trust policy wording', () => {
  const r = req('sts:AssumeRole', 'arn:aws:iam::123456789012:role/deploy');
  const head = 'User: arn:aws:iam::123456789012:user/JohnDoe is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/deploy';
  const d = evaluate(r, { resource: doc({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }), resourceKind: 'trust' });
  assert.equal(accessDeniedMessage(r, d), `${head} because no role trust policy allows the sts:AssumeRole action`);
  assert.equal(accessDeniedMessage(r, { decision: 'ExplicitDeny', reason: 'role trust policy' }), `${head} with an explicit deny in the role trust policy`);
});

test('accessDeniedMessage: the variant without the reason suffix', () => {
  const r = req('s3:GetObject', 'arn:aws:s3:::b/k', roleSession('app', 'i-0123'));
  assert.equal(
    accessDeniedMessage(r, { decision: 'ImplicitDeny', reason: 'identity-based policy' }, { includeReason: false }),
    'User: arn:aws:sts::123456789012:assumed-role/app/i-0123 is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k',
  );
});

test('accessDeniedMessage: anonymous callers', () => {
  const r = req('s3:GetObject', 'arn:aws:s3:::b/k', anonymous);
  assert.equal(
    accessDeniedMessage(r, evaluate(r, {})),
    'User: anonymous is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k because no resource-based policy allows the s3:GetObject action',
  );
});
