/**
 * Asynchronous invocation end to end, on a real server at --time-scale 600
 * (Lambda's 1 and 2 minute retry delays become 0.1 and 0.2 s): Event answers
 * 202 and the function runs; a failing function is retried per
 * MaximumRetryAttempts and its record reaches the OnFailure Lambda
 * destination; OnSuccess records; the 1 MB limit; and durability: events
 * queued when the real CLI is killed with SIGKILL all run after a restart.
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, InvokeCommand, LambdaClient, PutFunctionConcurrencyCommand, PutFunctionEventInvokeConfigCommand, waitUntilFunctionActiveV2 } from '@aws-sdk/client-lambda';
import { ACCOUNT, clientConfig, removeDir, ROOT_KEY, startChildServer, startTestServer, tempDir, type TestServer } from './harness.js';
import { makeZip } from './clients/zip.js';
import { trustPolicy } from './clients/lambda.js';

const ROLE = `arn:aws:iam::${ACCOUNT}:role/async-role`;
const ARN = (name: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;
type AwsError = Error & { $metadata: { httpStatusCode: number } };

async function setUpRole(server: { url: string }): Promise<void> {
  const iam = new IAMClient(clientConfig(server));
  await iam.send(new CreateRoleCommand({ RoleName: 'async-role', AssumeRolePolicyDocument: trustPolicy('lambda.amazonaws.com') }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'async-role', PolicyArn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole' }));
  // Destinations are invoked with the function's execution role.
  const invoke = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: `arn:aws:lambda:*:${ACCOUNT}:function:*` }] };
  await iam.send(new PutRolePolicyCommand({ RoleName: 'async-role', PolicyName: 'destinations', PolicyDocument: JSON.stringify(invoke) }));
}

async function createFn(lambda: LambdaClient, name: string, code: string, file = 'index.js'): Promise<void> {
  await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: makeZip({ [file]: code }) }, Timeout: 10 }));
  await new Promise((r) => setTimeout(r, 80));
  await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 20, minDelay: 1, maxDelay: 1 }, { FunctionName: name });
}

/** Every message of a log group (all streams), in order. */
async function messages(logs: CloudWatchLogsClient, group: string): Promise<string[]> {
  const out: string[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await logs.send(new FilterLogEventsCommand({ logGroupName: group, nextToken }));
      out.push(...(page.events ?? []).map((e) => e.message ?? ''));
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (err) {
    if ((err as Error).name !== 'ResourceNotFoundException') throw err;
  }
  return out;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const WORKER = `exports.handler = async (event) => { console.log('got n=' + event.n); return { ok: true, n: event.n }; };`;
const FAILER = `exports.handler = async (event) => { console.log('attempt n=' + event.n); throw new Error('boom ' + event.n); };`;
const SINK = `exports.handler = async (event) => { console.log('RECORD ' + JSON.stringify(event)); };`;

describe('lambda asynchronous invocation', () => {
  let server: TestServer;
  let lambda: LambdaClient;
  let logs: CloudWatchLogsClient;

  before(async () => {
    server = await startTestServer(['--time-scale', '600']);
    await setUpRole(server);
    lambda = new LambdaClient(clientConfig(server));
    logs = new CloudWatchLogsClient(clientConfig(server));
    await createFn(lambda, 'sink', SINK);
  });
  after(async () => server.close());

  const count = async (fn: string, needle: string) => (await messages(logs, `/aws/lambda/${fn}`)).filter((m) => m.includes(needle)).length;
  const record = (requestId: string) =>
    waitFor(`the destination record of ${requestId}`, async () => {
      const line = (await messages(logs, '/aws/lambda/sink')).find((m) => m.includes('RECORD ') && m.includes(requestId));
      return line ? (JSON.parse(line.slice(line.indexOf('RECORD ') + 7)) as Record<string, any>) : undefined;
    });

  it('Invoke: Event answers 202 with an empty body and the function runs', async () => {
    await createFn(lambda, 'worker', WORKER);
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'worker', InvocationType: 'Event', Payload: Buffer.from('{"n":1}') }));
    assert.equal(out.StatusCode, 202);
    assert.equal(Buffer.from(out.Payload ?? []).length, 0);
    assert.match(out.$metadata.requestId ?? '', /^[0-9a-f-]{36}$/);
    await waitFor('the worker to run', async () => ((await count('worker', 'got n=1')) > 0 ? true : undefined));
  });

  it('Invoke: a failing function runs 1 + 2 times, then its record reaches the OnFailure Lambda destination', async () => {
    await createFn(lambda, 'failer', FAILER);
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'failer', DestinationConfig: { OnFailure: { Destination: ARN('sink') } } }));
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'failer', InvocationType: 'Event', Payload: Buffer.from('{"n":7}') }));
    const requestId = out.$metadata.requestId!;
    const rec = await record(requestId);
    assert.equal(rec.version, '1.0');
    assert.match(rec.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual(rec.requestContext, { requestId, functionArn: `${ARN('failer')}:$LATEST`, condition: 'RetriesExhausted', approximateInvokeCount: 3 });
    assert.deepEqual(rec.requestPayload, { n: 7 });
    assert.deepEqual(rec.responseContext, { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' });
    assert.equal(rec.responsePayload.errorMessage, 'boom 7');
    assert.equal(rec.responsePayload.errorType, 'Error');
    assert.equal(await count('failer', 'attempt n=7'), 3);
  });

  it('Invoke: MaximumRetryAttempts 0 means one attempt', async () => {
    await createFn(lambda, 'failer-once', FAILER);
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'failer-once', MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: ARN('sink') } } }));
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'failer-once', InvocationType: 'Event', Payload: Buffer.from('{"n":8}') }));
    const rec = await record(out.$metadata.requestId!);
    assert.equal(rec.requestContext.condition, 'RetriesExhausted');
    assert.equal(rec.requestContext.approximateInvokeCount, 1);
    // Longer than both retry delays at this time scale: no further attempt comes.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await count('failer-once', 'attempt n=8'), 1);
  });

  it('Invoke: the OnSuccess destination receives the success record', async () => {
    await createFn(lambda, 'happy', WORKER);
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'happy', DestinationConfig: { OnSuccess: { Destination: ARN('sink') } } }));
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'happy', InvocationType: 'Event', Payload: Buffer.from('{"n":9}') }));
    const requestId = out.$metadata.requestId!;
    const rec = await record(requestId);
    assert.deepEqual(rec.requestContext, { requestId, functionArn: `${ARN('happy')}:$LATEST`, condition: 'Success', approximateInvokeCount: 1 });
    assert.deepEqual(rec.requestPayload, { n: 9 });
    assert.deepEqual(rec.responseContext, { statusCode: 200, executedVersion: '$LATEST' });
    assert.deepEqual(rec.responsePayload, { ok: true, n: 9 });
  });

  it('Invoke: an Event payload over 1 MB is refused with 413', async () => {
    const big = Buffer.from(JSON.stringify({ pad: 'x'.repeat(1024 * 1024) }));
    await assert.rejects(lambda.send(new InvokeCommand({ FunctionName: 'worker', InvocationType: 'Event', Payload: big })), (e: AwsError) => {
      assert.equal(e.name, 'RequestEntityTooLargeException');
      assert.equal(e.$metadata.httpStatusCode, 413);
      return true;
    });
  });
});

describe('lambda asynchronous invocation: durability', () => {
  const dataDir = tempDir();
  after(() => removeDir(dataDir));
  const args = ['--data-dir', dataDir, '--account-id', ACCOUNT, '--no-profile', '--log-level', 'warn', '--durability', 'normal', '--time-scale', '600', '--root-access-key-id', ROOT_KEY.accessKeyId, '--root-secret-access-key', ROOT_KEY.secretAccessKey];
  // The evidence is written through the API before the handler returns, so it is durable before the event is completed.
  const SLOW = `const { CloudWatchLogsClient, PutLogEventsCommand } = require('@aws-sdk/client-cloudwatch-logs');
const client = new CloudWatchLogsClient({});
exports.handler = async (event) => {
  await new Promise((r) => setTimeout(r, 50));
  await client.send(new PutLogEventsCommand({ logGroupName: 'evidence', logStreamName: 'n', logEvents: [{ timestamp: Date.now(), message: 'n=' + event.n }] }));
  return event.n;
};`;

  it('Invoke: events queued when the server is killed with SIGKILL are all delivered after a restart', { timeout: 180_000 }, async () => {
    const first = await startChildServer(args);
    const seen = async (server: { url: string }) => new Set((await messages(new CloudWatchLogsClient(clientConfig(server)), 'evidence')).map((m) => Number(/^n=(\d+)/.exec(m)?.[1])));
    try {
      await setUpRole(first);
      const lambda = new LambdaClient(clientConfig(first));
      const logs = new CloudWatchLogsClient(clientConfig(first));
      await logs.send(new CreateLogGroupCommand({ logGroupName: 'evidence' }));
      await logs.send(new CreateLogStreamCommand({ logGroupName: 'evidence', logStreamName: 'n' }));
      await createFn(lambda, 'slow', SLOW);
      await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'slow', ReservedConcurrentExecutions: 2 }));
      for (let batch = 0; batch < 10; batch++) {
        await Promise.all(Array.from({ length: 10 }, (_, i) => lambda.send(new InvokeCommand({ FunctionName: 'slow', InvocationType: 'Event', Payload: Buffer.from(JSON.stringify({ n: batch * 10 + i })) }))).map((p) => p.then((r) => assert.equal(r.StatusCode, 202))));
      }
      await waitFor('some events to run', async () => ((await seen(first)).size >= 5 ? true : undefined), 60_000);
    } finally {
      await first.stop('SIGKILL');
    }
    const second = await startChildServer(args);
    try {
      const before = await seen(second);
      assert.ok(before.size < 100, `the kill should land while events are still queued (${before.size} delivered)`);
      const all = await waitFor('all 100 events', async () => {
        const s = await seen(second);
        return s.size >= 100 ? s : undefined;
      }, 120_000);
      assert.deepEqual([...all].sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i));
    } finally {
      await second.stop('SIGKILL');
    }
  });
});
