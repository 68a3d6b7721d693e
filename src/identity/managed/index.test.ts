/**
 * Tests for the AWS-managed policy catalogue: every policy Stratus promises is
 * present with its real ARN, path and a well-formed document, spot checks of
 * real content, and that the compiled policies.ts matches policies.json.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  getManagedPolicy,
  isAwsManagedArn,
  listManagedPolicies,
  managedPolicyDocumentJson,
  type ManagedPolicy,
  type PolicyStatement,
} from './index.js';

const REQUIRED: ReadonlyArray<readonly [name: string, path: string]> = [
  ['AdministratorAccess', '/'],
  ['PowerUserAccess', '/'],
  ['ReadOnlyAccess', '/'],
  ['IAMFullAccess', '/'],
  ['IAMReadOnlyAccess', '/'],
  ['AmazonS3FullAccess', '/'],
  ['AmazonS3ReadOnlyAccess', '/'],
  ['AmazonSESFullAccess', '/'],
  ['AmazonSESReadOnlyAccess', '/'],
  ['CloudWatchFullAccess', '/'],
  ['CloudWatchFullAccessV2', '/'],
  ['CloudWatchLogsFullAccess', '/'],
  ['CloudWatchLogsReadOnlyAccess', '/'],
  ['AWSLambda_FullAccess', '/'],
  ['AWSLambda_ReadOnlyAccess', '/'],
  ['AWSLambdaBasicExecutionRole', '/service-role/'],
  ['AWSLambdaExecute', '/'],
  ['AWSLambdaRole', '/service-role/'],
  ['AWSLambdaVPCAccessExecutionRole', '/service-role/'],
  ['AmazonSNSFullAccess', '/'],
  ['AmazonSNSReadOnlyAccess', '/'],
  ['AmazonElasticTranscoder_FullAccess', '/'],
  ['AmazonElasticTranscoder_ReadOnlyAccess', '/'],
  ['AmazonElasticTranscoder_JobsSubmitter', '/'],
  ['AmazonAPIGatewayAdministrator', '/'],
  ['AmazonAPIGatewayInvokeFullAccess', '/'],
  ['AmazonAPIGatewayPushToCloudWatchLogs', '/service-role/'],
  ['AWSXrayWriteOnlyAccess', '/'],
];

const arnOf = (name: string, path = '/'): string => `arn:aws:iam::aws:policy${path}${name}`;

function must(arn: string): ManagedPolicy {
  const policy = getManagedPolicy(arn);
  assert.ok(policy, `missing ${arn}`);
  return policy;
}

const asList = (v: string | readonly string[] | undefined): readonly string[] => (v === undefined ? [] : typeof v === 'string' ? [v] : v);

function allows(policy: ManagedPolicy, action: string, resource: string): boolean {
  return policy.Document.Statement.some(
    (s: PolicyStatement) => s.Effect === 'Allow' && asList(s.Action).includes(action) && asList(s.Resource).includes(resource) && !s.Condition,
  );
}

test('listManagedPolicies: every required policy is present at its real path and ARN', () => {
  const byName = new Map(listManagedPolicies().map((p) => [p.PolicyName, p]));
  for (const [name, path] of REQUIRED) {
    const policy = byName.get(name);
    assert.ok(policy, `missing ${name}`);
    assert.equal(policy.Path, path, name);
    assert.equal(policy.Arn, arnOf(name, path), name);
    assert.equal(getManagedPolicy(policy.Arn), policy, name);
  }
});

test('listManagedPolicies: entries are sorted by name and carry IAM Policy metadata', () => {
  const all = listManagedPolicies();
  const names = all.map((p) => p.PolicyName);
  assert.deepEqual(names, [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  assert.equal(new Set(all.map((p) => p.Arn)).size, all.length);
  for (const p of all) {
    assert.match(p.Arn, /^arn:aws:iam::aws:policy\//, p.PolicyName);
    assert.ok(p.Arn.endsWith(`${p.Path}${p.PolicyName}`), p.PolicyName);
    assert.match(p.Path, /^\/(?:[\x21-\x7e]+\/)?$/, p.PolicyName);
    assert.match(p.PolicyId, /^ANPA[A-Z0-9]{17}$/, p.PolicyName);
    assert.match(p.DefaultVersionId, /^v[1-9]\d*$/, p.PolicyName);
    assert.ok(p.Description.length > 0, p.PolicyName);
    assert.match(p.CreateDate, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, p.PolicyName);
    assert.match(p.UpdateDate, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, p.PolicyName);
    assert.ok(p.UpdateDate >= p.CreateDate, p.PolicyName);
  }
});

test('listManagedPolicies: every document is 2012-10-17 JSON with a Statement array', () => {
  for (const p of listManagedPolicies()) {
    const parsed = JSON.parse(JSON.stringify(p.Document)) as Record<string, unknown>;
    assert.equal(parsed['Version'], '2012-10-17', p.PolicyName);
    assert.ok(Array.isArray(parsed['Statement']) && parsed['Statement'].length > 0, p.PolicyName);
    for (const s of p.Document.Statement) {
      assert.ok(s.Effect === 'Allow' || s.Effect === 'Deny', p.PolicyName);
      assert.ok((s.Action === undefined) !== (s.NotAction === undefined), `${p.PolicyName}: Action xor NotAction`);
      assert.ok((s.Resource === undefined) !== (s.NotResource === undefined), `${p.PolicyName}: Resource xor NotResource`);
    }
  }
});

test('listManagedPolicies: returns a fresh array of frozen policies', () => {
  const first = listManagedPolicies();
  first.pop();
  assert.equal(listManagedPolicies().length, first.length + 1);
  const admin = must(arnOf('AdministratorAccess'));
  assert.ok(Object.isFrozen(admin) && Object.isFrozen(admin.Document.Statement[0]));
  assert.throws(() => {
    (admin as { Description: string }).Description = 'changed';
  }, TypeError);
});

test('getManagedPolicy: AdministratorAccess is exactly AWS v1 document', () => {
  const admin = must(arnOf('AdministratorAccess'));
  assert.equal(admin.DefaultVersionId, 'v1');
  assert.equal(admin.Description, 'Provides full access to AWS services and resources.');
  assert.equal(admin.CreateDate, '2015-02-06T18:39:46Z');
  assert.equal(
    JSON.stringify(admin.Document),
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
  );
  assert.equal(managedPolicyDocumentJson(admin.Arn), JSON.stringify(admin.Document));
});

test('getManagedPolicy: AWSLambdaBasicExecutionRole allows the three log-writing actions on *', () => {
  const basic = must(arnOf('AWSLambdaBasicExecutionRole', '/service-role/'));
  assert.equal(basic.DefaultVersionId, 'v1');
  for (const action of ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents']) {
    assert.ok(allows(basic, action, '*'), action);
  }
  assert.equal(getManagedPolicy(arnOf('AWSLambdaBasicExecutionRole')), undefined, 'lives under service-role/, not /');
});

test('getManagedPolicy: AmazonSESFullAccess allows ses:* on *', () => {
  const ses = must(arnOf('AmazonSESFullAccess'));
  assert.ok(allows(ses, 'ses:*', '*'));
  assert.deepEqual(ses.Document, {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['ses:*'], Resource: '*' }],
  });
});

test('getManagedPolicy: spot checks of published content', () => {
  const power = must(arnOf('PowerUserAccess'));
  assert.deepEqual(power.Document.Statement[0], { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' });
  assert.ok(allows(must(arnOf('AmazonS3FullAccess')), 's3:*', '*'));
  assert.ok(allows(must(arnOf('AWSLambdaRole', '/service-role/')), 'lambda:InvokeFunction', '*'));
  assert.ok(allows(must(arnOf('AmazonSNSFullAccess')), 'sns:*', '*'));
  assert.ok(allows(must(arnOf('CloudWatchLogsFullAccess')), 'logs:*', '*'));
  assert.ok(allows(must(arnOf('AmazonElasticTranscoder_FullAccess')), 'elastictranscoder:*', '*'));
  assert.ok(allows(must(arnOf('AmazonAPIGatewayInvokeFullAccess')), 'execute-api:Invoke', 'arn:aws:execute-api:*:*:*'));
  assert.ok(allows(must(arnOf('AmazonAPIGatewayAdministrator')), 'apigateway:*', 'arn:aws:apigateway:*::/*'));
  assert.ok(allows(must(arnOf('AWSXrayWriteOnlyAccess')), 'xray:PutTraceSegments', '*'));
  assert.ok(allows(must(arnOf('AmazonAPIGatewayPushToCloudWatchLogs', '/service-role/')), 'logs:PutLogEvents', '*'));
  assert.ok(allows(must(arnOf('AWSLambda_FullAccess')), 'lambda:*', '*'));
  const passRole = must(arnOf('AWSLambda_FullAccess')).Document.Statement.find((s) => s.Action === 'iam:PassRole');
  assert.deepEqual(passRole?.Condition, { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } });
  const v1 = must(arnOf('CloudWatchFullAccess'));
  const v2 = must(arnOf('CloudWatchFullAccessV2'));
  assert.ok(allows(v1, 'cloudwatch:*', '*'));
  assert.notDeepEqual(v1.Document, v2.Document);
  assert.ok(must(arnOf('ReadOnlyAccess')).Document.Statement.length > 1);
});

test('getManagedPolicy: unknown, customer-managed and differently-cased ARNs are undefined', () => {
  assert.equal(getManagedPolicy(arnOf('NoSuchPolicy')), undefined);
  assert.equal(getManagedPolicy('arn:aws:iam::123456789012:policy/AdministratorAccess'), undefined);
  assert.equal(getManagedPolicy(arnOf('administratoraccess')), undefined);
  assert.equal(getManagedPolicy('AdministratorAccess'), undefined);
  assert.equal(managedPolicyDocumentJson(arnOf('NoSuchPolicy')), undefined);
});

test('isAwsManagedArn: recognises the reserved aws account in any partition', () => {
  assert.equal(isAwsManagedArn(arnOf('AdministratorAccess')), true);
  assert.equal(isAwsManagedArn(arnOf('AWSLambdaBasicExecutionRole', '/service-role/')), true);
  assert.equal(isAwsManagedArn(arnOf('SomePolicyStratusDoesNotShip', '/job-function/')), true);
  assert.equal(isAwsManagedArn('arn:aws-cn:iam::aws:policy/AdministratorAccess'), true);
  assert.equal(isAwsManagedArn('arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess'), true);
  assert.equal(isAwsManagedArn('arn:aws:iam::123456789012:policy/AdministratorAccess'), false);
  assert.equal(isAwsManagedArn('arn:aws:iam::aws:role/AdministratorAccess'), false);
  assert.equal(isAwsManagedArn('arn:aws:iam::aws:policy/'), false);
  assert.equal(isAwsManagedArn('arn:aws:s3:::aws:policy/AdministratorAccess'), false);
  assert.equal(isAwsManagedArn('AdministratorAccess'), false);
});

test('policies.ts: matches policies.json, including document key order', () => {
  const json = JSON.parse(readFileSync(new URL('./policies.json', import.meta.url), 'utf8')) as unknown;
  assert.equal(JSON.stringify(listManagedPolicies()), JSON.stringify(json), 'run node scripts/gen-managed-policies.mjs');
});
