/**
 * S3 event notifications to Lambda, end to end on a real server: a Node and
 * a Python function receive ObjectCreated and ObjectRemoved events in AWS's
 * exact 2.1 shape through the durable asynchronous path; the configuration
 * call fails, as on AWS, for a function whose policy does not let S3 invoke
 * it; and once the permission is removed, events no longer run the function.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 * https://docs.aws.amazon.com/lambda/latest/dg/with-s3.html
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AddPermissionCommand, CreateFunctionCommand, LambdaClient, RemovePermissionCommand, waitUntilFunctionActiveV2 } from '@aws-sdk/client-lambda';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { makeZip } from './clients/zip.js';
import { trustPolicy } from './clients/lambda.js';
import { ACCOUNT, clientConfig, startTestServer, type TestServer } from './harness.js';

const ROLE = `arn:aws:iam::${ACCOUNT}:role/s3-events-role`;
const ARN = (name: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;
const NODE_HANDLER = `exports.handler = async (event) => { console.log('EVENT ' + JSON.stringify(event)); };`;
const PYTHON_HANDLER = `import json\ndef handler(event, context):\n    print('EVENT ' + json.dumps(event))\n`;

async function records(logs: CloudWatchLogsClient, fn: string): Promise<any[]> {
  try {
    const page = await logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${fn}`, filterPattern: 'EVENT' }));
    return (page.events ?? []).flatMap((e) => {
      const at = e.message!.indexOf('EVENT ');
      return at === -1 ? [] : (JSON.parse(e.message!.slice(at + 6)).Records as any[]);
    });
  } catch (err) {
    if ((err as Error).name === 'ResourceNotFoundException') return [];
    throw err;
  }
}

async function waitForRecords(logs: CloudWatchLogsClient, fn: string, count: number, timeoutMs = 20_000): Promise<any[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await records(logs, fn);
    if (found.length >= count) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} events in ${fn}; have ${found.length}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('S3 event notifications to Lambda', () => {
  let server: TestServer;
  let s3: S3Client;
  let lambda: LambdaClient;
  let logs: CloudWatchLogsClient;

  const allowS3 = (fn: string, bucket: string) =>
    lambda.send(new AddPermissionCommand({ FunctionName: fn, StatementId: 's3invoke', Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com', SourceArn: `arn:aws:s3:::${bucket}`, SourceAccount: ACCOUNT }));

  before(async () => {
    server = await startTestServer();
    s3 = new S3Client(clientConfig(server));
    lambda = new LambdaClient(clientConfig(server));
    logs = new CloudWatchLogsClient(clientConfig(server));
    const iam = new IAMClient(clientConfig(server));
    await iam.send(new CreateRoleCommand({ RoleName: 's3-events-role', AssumeRolePolicyDocument: trustPolicy('lambda.amazonaws.com') }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 's3-events-role', PolicyArn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole' }));
    for (const [name, runtime, file, code, handler] of [
      ['on-upload-node', 'nodejs20.x', 'index.js', NODE_HANDLER, 'index.handler'],
      ['on-upload-python', 'python3.12', 'main.py', PYTHON_HANDLER, 'main.handler'],
      ['not-allowed', 'nodejs20.x', 'index.js', NODE_HANDLER, 'index.handler'],
    ] as const) {
      await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: runtime, Handler: handler, Role: ROLE, Code: { ZipFile: makeZip({ [file]: code }) }, Timeout: 10 }));
      await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 20, minDelay: 1, maxDelay: 1 }, { FunctionName: name });
    }
  });
  after(async () => server.close());

  it('PutBucketNotificationConfiguration: a function whose policy does not allow S3 is refused with InvalidArgument', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'refused' }));
    const err = await s3
      .send(new PutBucketNotificationConfigurationCommand({ Bucket: 'refused', NotificationConfiguration: { LambdaFunctionConfigurations: [{ LambdaFunctionArn: ARN('not-allowed'), Events: ['s3:ObjectCreated:*'] }] } }))
      .then(() => undefined, (e: Error & { $metadata: { httpStatusCode: number } }) => e);
    assert.ok(err, 'the configuration was accepted');
    assert.equal(err.name, 'InvalidArgument');
    assert.equal(err.message, 'Unable to validate the following destination configurations');
    assert.equal(err.$metadata.httpStatusCode, 400);
    const cfg = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'refused' }));
    assert.equal(cfg.LambdaFunctionConfigurations, undefined);
  });

  it('ObjectCreated:Put and ObjectRemoved:Delete reach a Node and a Python function with the exact event shape, filtered by prefix and suffix', async () => {
    const bucket = 'uploads';
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await allowS3('on-upload-node', bucket);
    await allowS3('on-upload-python', bucket);
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: {
          LambdaFunctionConfigurations: [
            { Id: 'node-created', LambdaFunctionArn: ARN('on-upload-node'), Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'videos/' }] } } },
            // Overlapping filters for one event type are refused by S3, so the Python rule takes another prefix.
            { Id: 'python-mp4', LambdaFunctionArn: ARN('on-upload-python'), Events: ['s3:ObjectCreated:Put', 's3:ObjectRemoved:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'clips/' }, { Name: 'suffix', Value: '.mp4' }] } } },
          ],
        },
      }),
    );
    const body = Buffer.from('not really a video');
    const started = Date.now();
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'videos/my clip+1.mp4', Body: body }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'clips/my clip+1.mp4', Body: body }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'clips/skip.txt', Body: 'ignored by both filters' }));
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'clips/my clip+1.mp4' }));

    const [nodeRecord] = await waitForRecords(logs, 'on-upload-node', 1);
    const py = await waitForRecords(logs, 'on-upload-python', 2);
    const md5 = createHash('md5').update(body).digest('hex');
    assert.equal(put.ETag, `"${md5}"`);
    for (const [record, id] of [[nodeRecord, 'node-created'], [py.find((r) => r.eventName === 'ObjectCreated:Put'), 'python-mp4']] as const) {
      assert.deepEqual(Object.keys(record), ['eventVersion', 'eventSource', 'awsRegion', 'eventTime', 'eventName', 'userIdentity', 'requestParameters', 'responseElements', 's3']);
      assert.equal(record.eventVersion, '2.1');
      assert.equal(record.eventSource, 'aws:s3');
      assert.equal(record.awsRegion, 'us-east-1');
      assert.match(record.eventTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.ok(Math.abs(Date.parse(record.eventTime) - started) < 10_000);
      assert.equal(record.eventName, 'ObjectCreated:Put');
      assert.equal(typeof record.userIdentity.principalId, 'string');
      assert.equal(record.requestParameters.sourceIPAddress, '127.0.0.1');
      assert.deepEqual(Object.keys(record.responseElements), ['x-amz-request-id', 'x-amz-id-2']);
      assert.deepEqual(Object.keys(record.s3), ['s3SchemaVersion', 'configurationId', 'bucket', 'object']);
      assert.equal(record.s3.s3SchemaVersion, '1.0');
      assert.equal(record.s3.configurationId, id);
      assert.deepEqual(record.s3.bucket, { name: bucket, ownerIdentity: { principalId: record.s3.bucket.ownerIdentity.principalId }, arn: `arn:aws:s3:::${bucket}` });
      // Keys arrive URL-encoded as in a form: space as '+', '+' as %2B.
      assert.deepEqual(Object.keys(record.s3.object), ['key', 'size', 'eTag', 'sequencer']);
      assert.equal(record.s3.object.key, `${id === 'node-created' ? 'videos' : 'clips'}/my+clip%2B1.mp4`);
      assert.equal(record.s3.object.size, body.length);
      assert.equal(record.s3.object.eTag, md5);
      assert.match(record.s3.object.sequencer, /^[0-9A-F]{18}$/);
    }
    const removed = py.find((r) => r.eventName === 'ObjectRemoved:Delete');
    assert.ok(removed, 'the Python function got the delete');
    assert.deepEqual(Object.keys(removed.s3.object), ['key', 'sequencer']);
    assert.ok(removed.s3.object.sequencer > py.find((r) => r.eventName === 'ObjectCreated:Put').s3.object.sequencer, 'sequencers order events of a key');
    // The unmatched key reached neither function.
    assert.equal((await records(logs, 'on-upload-node')).length, 1);
  });

  it('Invoke: once S3 is no longer allowed by the function policy, its events do not run the function', async () => {
    const bucket = 'revoked';
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await lambda.send(new AddPermissionCommand({ FunctionName: 'not-allowed', StatementId: 's3invoke', Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com', SourceArn: `arn:aws:s3:::${bucket}` }));
    await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: bucket, NotificationConfiguration: { LambdaFunctionConfigurations: [{ LambdaFunctionArn: ARN('not-allowed'), Events: ['s3:ObjectCreated:*'] }] } }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'first', Body: 'x' }));
    await waitForRecords(logs, 'not-allowed', 1);
    await lambda.send(new RemovePermissionCommand({ FunctionName: 'not-allowed', StatementId: 's3invoke' }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'second', Body: 'y' }));
    await new Promise((r) => setTimeout(r, 1500));
    const seen = (await records(logs, 'not-allowed')).map((r) => r.s3.object.key);
    assert.deepEqual(seen, ['first']);
  });
});
