/**
 * The single edge port: readiness, the root-only reset, service detection in
 * its documented order, and 501 NotImplemented (never a fake success) in
 * each protocol's own error format for operations not written yet.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { CloudWatchLogsClient, DescribeMetricFiltersCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateAccessKeyCommand, CreateUserCommand, GetUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient, ListLayersCommand } from '@aws-sdk/client-lambda';
import { GetBucketReplicationCommand, S3Client } from '@aws-sdk/client-s3';
import { ListPlatformApplicationsCommand, SNSClient } from '@aws-sdk/client-sns';
import { clientConfig, resetServer, startTestServer, type TestServer } from './harness.js';

type SdkError = Error & { $metadata: { httpStatusCode: number } };

/** A raw request with a chosen Host header (fetch cannot set it). */
function rawRequest(server: TestServer, o: { method: string; path: string; host?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; type: string; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, method: o.method, path: o.path, headers: { host: o.host ?? `127.0.0.1:${server.port}`, ...(o.headers ?? {}) } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type'] ?? ''), text }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

describe('edge', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => server.close());

  it('health: answers 200 with every service and its state', async () => {
    const res = await fetch(`${server.url}/_stratus/health`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { status: string; services: Record<string, string> };
    assert.equal(body.status, 'ready');
    assert.equal(body.services.iam, 'running');
    assert.equal(body.services.sts, 'running');
    for (const name of ['s3', 'lambda', 'apigatewayv2', 'sns', 'ses', 'logs', 'elastictranscoder']) assert.ok(body.services[name], `${name} listed`);
  });

  it('reset: wipes state when signed by root, and refuses unsigned callers and IAM users', async () => {
    const iam = new IAMClient(clientConfig(server));
    await iam.send(new CreateUserCommand({ UserName: 'before-reset' }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'before-reset' }))).AccessKey!;
    assert.equal((await fetch(`${server.url}/_stratus/reset`, { method: 'POST' })).status, 403);
    assert.equal((await resetServer(server, { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! })).status, 403);
    assert.equal((await resetServer(server)).status, 200);
    await assert.rejects(iam.send(new GetUserCommand({ UserName: 'before-reset' })), { name: 'NoSuchEntityException' });
    // Root keys survive a reset: the call above was made with them.
  });

  it('detection: unimplemented operations answer 501 NotImplemented in their own protocol (rest-xml, rest-json, json, query)', async () => {
    const cases: [string, () => Promise<unknown>][] = [
      // S3 replication is not implemented (buckets and objects are).
      ['s3', () => new S3Client(clientConfig(server)).send(new GetBucketReplicationCommand({ Bucket: 'any-bucket' }))],
      // Lambda layers are not implemented (functions are).
      ['lambda', () => new LambdaClient(clientConfig(server)).send(new ListLayersCommand({}))],
      ['logs', () => new CloudWatchLogsClient(clientConfig(server)).send(new DescribeMetricFiltersCommand({}))],
      // SNS mobile push is not implemented (topics are).
      ['sns', () => new SNSClient(clientConfig(server)).send(new ListPlatformApplicationsCommand({}))],
    ];
    for (const [name, call] of cases) {
      await assert.rejects(call(), (e: SdkError) => {
        assert.equal(e.name, 'NotImplemented', `${name}: ${e.name} ${e.message}`);
        assert.equal(e.$metadata.httpStatusCode, 501, name);
        return true;
      });
    }
  });

  it('detection: X-Amz-Target, path, host and Action each route an unsigned request to the right service format', async () => {
    const byTarget = await rawRequest(server, { method: 'POST', path: '/', headers: { 'x-amz-target': 'Logs_20140328.DescribeLogGroups', 'content-type': 'application/x-amz-json-1.1' }, body: '{}' });
    assert.equal(byTarget.status, 403);
    assert.match(byTarget.type, /json/);
    assert.match(byTarget.text, /MissingAuthenticationToken/);

    const byPath = await rawRequest(server, { method: 'GET', path: '/2015-03-31/functions/' });
    assert.equal(byPath.status, 403);
    assert.match(byPath.type, /json/);

    const byAction = await rawRequest(server, { method: 'POST', path: '/', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=ListTopics&Version=2010-03-31' });
    assert.equal(byAction.status, 403);
    assert.match(byAction.text, /<ErrorResponse xmlns="http:\/\/sns\.amazonaws\.com\/doc\/2010-03-31\/">/);

    // S3 lets anonymous requests through to authorization; virtual-hosted addressing reaches S3.
    const byHost = await rawRequest(server, { method: 'GET', path: '/key', host: `my-bucket.s3.localhost:${server.port}` });
    assert.equal(byHost.status, 404);
    assert.match(byHost.text, /^<\?xml[^>]*>\s*<Error><Code>NoSuchBucket<\/Code>.*<BucketName>my-bucket<\/BucketName>/);
  });
});
