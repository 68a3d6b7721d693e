/**
 * What other services publish to SNS, end to end on a real server with real
 * SDK clients, every message read back from a Lambda function subscribed to
 * the topic (its Records[0].Sns as it logged it):
 *  - S3 event notifications: the s3:TestEvent S3 sends when a
 *    TopicConfiguration is saved, then the object event itself, with Subject
 *    "Amazon S3 Notification"; configurations naming a topic that is missing
 *    or whose policy does not let S3 publish for the bucket are refused; a
 *    topic policy revoked later drops the events;
 *  - Lambda's asynchronous invocation: an OnFailure destination that is a
 *    topic gets the invocation record, a DeadLetterConfig topic the event with
 *    RequestID/ErrorCode/ErrorMessage attributes, both published with the
 *    function's execution role (CreateFunction refuses a dead-letter topic the
 *    role may not publish to; a role that loses sns:Publish publishes nothing).
 * --time-scale 600 turns Lambda's retry delays into fractions of a second.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { AttachRolePolicyCommand, CreateRoleCommand, DeleteRolePolicyCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AddPermissionCommand, CreateFunctionCommand, InvokeCommand, LambdaClient, PutFunctionEventInvokeConfigCommand, waitUntilFunctionActiveV2 } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, GetBucketNotificationConfigurationCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SetTopicAttributesCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { trustPolicy } from './clients/lambda.js';
import { makeZip } from './clients/zip.js';
import { ACCOUNT, clientConfig, startTestServer, type TestServer } from './harness.js';

const REGION = 'us-east-1';
const fnArn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const SINK = `exports.handler = async (event) => { console.log('EVENT ' + JSON.stringify(event)); };`;
const FAILER = `exports.handler = async (event) => { throw new Error('boom ' + event.n); };`;

/** The policy that lets S3 publish for `bucket` (AWS's documented statement). */
function s3PublishPolicy(topicArn: string, bucket: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 's3-publish',
        Effect: 'Allow',
        Principal: { Service: 's3.amazonaws.com' },
        Action: 'SNS:Publish',
        Resource: topicArn,
        Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:s3:*:*:${bucket}` }, StringEquals: { 'aws:SourceAccount': ACCOUNT } },
      },
    ],
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('S3 and Lambda publishing to SNS', () => {
  let server: TestServer;
  let s3: S3Client;
  let sns: SNSClient;
  let lambda: LambdaClient;
  let logs: CloudWatchLogsClient;
  let iam: IAMClient;

  /** Every SNS notification the sink function received, oldest first. */
  async function received(): Promise<Array<Record<string, any>>> {
    const out: Array<Record<string, any>> = [];
    let nextToken: string | undefined;
    try {
      do {
        const page = await logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/sink', filterPattern: 'EVENT', nextToken }));
        for (const e of page.events ?? []) {
          const at = e.message!.indexOf('EVENT ');
          if (at !== -1) out.push(...(JSON.parse(e.message!.slice(at + 6)).Records as any[]).map((r) => r.Sns));
        }
        nextToken = page.nextToken;
      } while (nextToken);
    } catch (err) {
      if ((err as Error).name !== 'ResourceNotFoundException') throw err;
    }
    return out;
  }
  const notification = (what: string, match: (n: Record<string, any>) => boolean) => until(what, async () => (await received()).find(match));

  /** A topic the sink is subscribed to (the function's policy lets SNS invoke it for that topic). */
  async function subscribedTopic(name: string): Promise<string> {
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: name }))).TopicArn!;
    await lambda.send(new AddPermissionCommand({ FunctionName: 'sink', StatementId: `sns-${name}`, Action: 'lambda:InvokeFunction', Principal: 'sns.amazonaws.com', SourceArn: topicArn }));
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'lambda', Endpoint: fnArn('sink') }));
    return topicArn;
  }

  async function createFn(name: string, code: string, role: string, extra: { DeadLetterConfig?: { TargetArn: string } } = {}): Promise<void> {
    await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: roleArn(role), Code: { ZipFile: makeZip({ 'index.js': code }) }, Timeout: 10, ...extra }));
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 20, minDelay: 1, maxDelay: 1 }, { FunctionName: name });
  }

  before(async () => {
    server = await startTestServer(['--time-scale', '600']);
    s3 = new S3Client(clientConfig(server));
    sns = new SNSClient(clientConfig(server));
    lambda = new LambdaClient(clientConfig(server));
    logs = new CloudWatchLogsClient(clientConfig(server));
    iam = new IAMClient(clientConfig(server));
    for (const role of ['sink-role', 'publisher-role', 'mute-role', 'revoked-role']) {
      await iam.send(new CreateRoleCommand({ RoleName: role, AssumeRolePolicyDocument: trustPolicy('lambda.amazonaws.com') }));
      await iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole' }));
    }
    const publish = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sns:Publish', Resource: `arn:aws:sns:${REGION}:${ACCOUNT}:*` }] };
    for (const role of ['publisher-role', 'revoked-role']) await iam.send(new PutRolePolicyCommand({ RoleName: role, PolicyName: 'publish', PolicyDocument: JSON.stringify(publish) }));
    await createFn('sink', SINK, 'sink-role');
  });
  after(async () => {
    for (const c of [s3, sns, lambda, logs, iam]) c?.destroy();
    await server?.close();
  });

  it('S3: a TopicConfiguration gets the s3:TestEvent, then PutObject publishes the event JSON with Subject "Amazon S3 Notification"', async () => {
    const topicArn = await subscribedTopic('uploads');
    await sns.send(new SetTopicAttributesCommand({ TopicArn: topicArn, AttributeName: 'Policy', AttributeValue: s3PublishPolicy(topicArn, 'uploads-bucket') }));
    await s3.send(new CreateBucketCommand({ Bucket: 'uploads-bucket' }));
    const put = await s3.send(
      new PutBucketNotificationConfigurationCommand({ Bucket: 'uploads-bucket', NotificationConfiguration: { TopicConfigurations: [{ Id: 'to-topic', TopicArn: topicArn, Events: ['s3:ObjectCreated:*'] }] } }),
    );
    const test = await notification('the s3:TestEvent', (n) => n.TopicArn === topicArn);
    assert.equal(test.Subject, 'Amazon S3 Notification');
    const body = JSON.parse(test.Message);
    assert.deepEqual(Object.keys(body), ['Service', 'Event', 'Time', 'Bucket', 'RequestId', 'HostId']);
    assert.equal(body.Service, 'Amazon S3');
    assert.equal(body.Event, 's3:TestEvent');
    assert.equal(body.Bucket, 'uploads-bucket');
    assert.equal(body.RequestId, put.$metadata.requestId);
    assert.deepEqual((await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'uploads-bucket' }))).TopicConfigurations?.map((t) => t.TopicArn), [topicArn]);

    const obj = await s3.send(new PutObjectCommand({ Bucket: 'uploads-bucket', Key: 'photos/red flower.jpg', Body: 'petals' }));
    const event = await notification('the ObjectCreated:Put notification', (n) => n.TopicArn === topicArn && n.Message.includes('"Records"'));
    assert.equal(event.Type, 'Notification');
    assert.equal(event.Subject, 'Amazon S3 Notification');
    const { Records } = JSON.parse(event.Message);
    assert.equal(Records.length, 1);
    const r = Records[0];
    assert.equal(r.eventSource, 'aws:s3');
    assert.equal(r.eventName, 'ObjectCreated:Put');
    assert.equal(r.awsRegion, REGION);
    assert.equal(r.s3.configurationId, 'to-topic');
    assert.equal(r.s3.bucket.name, 'uploads-bucket');
    assert.equal(r.s3.bucket.arn, 'arn:aws:s3:::uploads-bucket');
    assert.equal(r.s3.object.key, 'photos/red+flower.jpg');
    assert.equal(r.s3.object.size, 6);
    assert.equal(`"${r.s3.object.eTag}"`, obj.ETag);
    assert.equal(r.responseElements['x-amz-request-id'], obj.$metadata.requestId);
    // One TestEvent and one object event: nothing published twice.
    assert.equal((await received()).filter((n) => n.TopicArn === topicArn).length, 2);
  });

  it('S3: a topic that is missing, or whose policy does not let S3 publish for this bucket, is refused with InvalidArgument', async () => {
    const open = (await sns.send(new CreateTopicCommand({ Name: 'default-policy' }))).TopicArn!;
    const other = (await sns.send(new CreateTopicCommand({ Name: 'other-bucket-only' }))).TopicArn!;
    await sns.send(new SetTopicAttributesCommand({ TopicArn: other, AttributeName: 'Policy', AttributeValue: s3PublishPolicy(other, 'some-other-bucket') }));
    const missing = `arn:aws:sns:${REGION}:${ACCOUNT}:no-such-topic`;
    await s3.send(new CreateBucketCommand({ Bucket: 'refusing-bucket' }));
    const err = await s3
      .send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: 'refusing-bucket',
          NotificationConfiguration: {
            TopicConfigurations: [
              { TopicArn: open, Events: ['s3:ObjectCreated:*'] },
              { TopicArn: other, Events: ['s3:ObjectRemoved:*'] },
              { TopicArn: missing, Events: ['s3:ObjectRestore:*'] },
            ],
          },
        }),
      )
      .then(
        () => undefined,
        (e: Error & Record<string, any>) => e,
      );
    assert.ok(err, 'the configuration was accepted');
    assert.equal(err.name, 'InvalidArgument');
    assert.equal(err.message, 'Unable to validate the following destination configurations');
    assert.equal(err.$metadata.httpStatusCode, 400);
    const denied = 'Permissions on the destination topic do not allow S3 to publish notifications from this bucket';
    assert.deepEqual(
      [err.ArgumentName1, err.ArgumentValue1, err.ArgumentName2, err.ArgumentValue2, err.ArgumentName3, err.ArgumentValue3],
      [open, denied, other, denied, missing, 'The destination topic does not exist'],
    );
    assert.equal((await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'refusing-bucket' }))).TopicConfigurations, undefined);
  });

  it('S3: once the topic policy no longer lets S3 publish, its events are dropped', async () => {
    const topicArn = await subscribedTopic('revoked');
    const allow = s3PublishPolicy(topicArn, 'revoking-bucket');
    await sns.send(new SetTopicAttributesCommand({ TopicArn: topicArn, AttributeName: 'Policy', AttributeValue: allow }));
    await s3.send(new CreateBucketCommand({ Bucket: 'revoking-bucket' }));
    await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: 'revoking-bucket', NotificationConfiguration: { TopicConfigurations: [{ TopicArn: topicArn, Events: ['s3:ObjectCreated:Put'] }] } }));
    const deny = JSON.stringify({ ...JSON.parse(allow), Statement: [{ ...JSON.parse(allow).Statement[0], Effect: 'Deny' }] });
    await sns.send(new SetTopicAttributesCommand({ TopicArn: topicArn, AttributeName: 'Policy', AttributeValue: deny }));
    await s3.send(new PutObjectCommand({ Bucket: 'revoking-bucket', Key: 'while-revoked.txt', Body: 'x' }));
    await sns.send(new SetTopicAttributesCommand({ TopicArn: topicArn, AttributeName: 'Policy', AttributeValue: allow }));
    await s3.send(new PutObjectCommand({ Bucket: 'revoking-bucket', Key: 'allowed-again.txt', Body: 'y' }));
    await notification('the event of allowed-again.txt', (n) => n.TopicArn === topicArn && n.Message.includes('allowed-again.txt'));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await received()).filter((n) => n.Message.includes('while-revoked.txt')).length, 0);
  });

  it('Lambda: an OnFailure destination that is a topic gets the invocation record, published with the execution role', async () => {
    const topicArn = await subscribedTopic('failures');
    await createFn('failer', FAILER, 'publisher-role');
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'failer', MaximumRetryAttempts: 1, DestinationConfig: { OnFailure: { Destination: topicArn } } }));
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'failer', InvocationType: 'Event', Payload: Buffer.from('{"n":7}') }));
    const requestId = out.$metadata.requestId!;
    const n = await notification('the invocation record', (m) => m.TopicArn === topicArn && m.Message.includes(requestId));
    assert.equal(n.Subject, null);
    const rec = JSON.parse(n.Message);
    assert.equal(rec.version, '1.0');
    assert.deepEqual(rec.requestContext, { requestId, functionArn: `${fnArn('failer')}:$LATEST`, condition: 'RetriesExhausted', approximateInvokeCount: 2 });
    assert.deepEqual(rec.requestPayload, { n: 7 });
    assert.deepEqual(rec.responseContext, { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' });
    assert.equal(rec.responsePayload.errorMessage, 'boom 7');
  });

  it('Lambda: a DeadLetterConfig topic gets the original event with RequestID, ErrorCode and ErrorMessage attributes', async () => {
    const topicArn = await subscribedTopic('dead-letters');
    await createFn('dlq-failer', FAILER, 'publisher-role', { DeadLetterConfig: { TargetArn: topicArn } });
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'dlq-failer', MaximumRetryAttempts: 0 }));
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'dlq-failer', InvocationType: 'Event', Payload: Buffer.from('{"n":9}') }));
    const requestId = out.$metadata.requestId!;
    const n = await notification('the dead-letter message', (m) => m.TopicArn === topicArn);
    assert.deepEqual(JSON.parse(n.Message), { n: 9 });
    assert.deepEqual(n.MessageAttributes, {
      RequestID: { Type: 'String', Value: requestId },
      ErrorCode: { Type: 'Number', Value: '200' },
      ErrorMessage: { Type: 'String', Value: 'boom 9' },
    });
  });

  it('Lambda: CreateFunction refuses a dead-letter topic the execution role may not publish to', async () => {
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: 'dlq-refused' }))).TopicArn!;
    const err = await lambda
      .send(new CreateFunctionCommand({ FunctionName: 'refused-dlq', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: roleArn('mute-role'), Code: { ZipFile: makeZip({ 'index.js': FAILER }) }, DeadLetterConfig: { TargetArn: topicArn } }))
      .then(
        () => undefined,
        (e: Error & { $metadata: { httpStatusCode: number } }) => e,
      );
    assert.ok(err, 'the function was created');
    assert.equal(err.name, 'InvalidParameterValueException');
    assert.equal(err.message, 'The provided execution role does not have permissions to call Publish on SNS.');
    assert.equal(err.$metadata.httpStatusCode, 400);
  });

  it('Lambda: once the execution role loses sns:Publish, neither the record nor the dead letter is published', async () => {
    const topicArn = await subscribedTopic('unreachable');
    await createFn('mute-failer', FAILER, 'revoked-role', { DeadLetterConfig: { TargetArn: topicArn } });
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'mute-failer', MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: topicArn } } }));
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'revoked-role', PolicyName: 'publish' }));
    const muted = await lambda.send(new InvokeCommand({ FunctionName: 'mute-failer', InvocationType: 'Event', Payload: Buffer.from('{"n":11}') }));
    // The same outcome for a function whose role may publish shows when the muted one would have arrived.
    await createFn('loud-failer', FAILER, 'publisher-role', { DeadLetterConfig: { TargetArn: topicArn } });
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'loud-failer', MaximumRetryAttempts: 0 }));
    await lambda.send(new InvokeCommand({ FunctionName: 'loud-failer', InvocationType: 'Event', Payload: Buffer.from('{"n":12}') }));
    await notification('the control dead letter', (m) => m.TopicArn === topicArn && m.Message === '{"n":12}');
    await new Promise((r) => setTimeout(r, 300));
    const all = (await received()).filter((m) => m.TopicArn === topicArn);
    assert.deepEqual(all.map((m) => m.Message), ['{"n":12}']);
    assert.ok(!all.some((m) => m.Message.includes(muted.$metadata.requestId!)));
  });
});
