/**
 * CloudWatch Logs end to end: the SDK v3 client (groups, streams, events,
 * pagination, retention and its sweep, tags, IAM, exact errors), the pip AWS
 * CLI v1 (get-log-events, filter-log-events), the Debian AWS CLI v2's
 * `aws logs tail` (v1 has no tail command), with and without --follow, and
 * boto3 through test/clients/logs_boto3.py.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DeleteLogStreamCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  ListTagsForResourceCommand,
  ListTagsLogGroupCommand,
  paginateDescribeLogGroups,
  paginateFilterLogEvents,
  paginateGetLogEvents,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { sweepRetention } from '../src/services/logs/index.js';
import { ACCOUNT, clientConfig, REPO, removeDir, startTestServer, tempDir, type TestServer } from './harness.js';

const run = promisify(execFile);
const DAY = 86_400_000;
const hasCliV2 = existsSync('/usr/bin/aws');

type AwsError = Error & { $metadata: { httpStatusCode: number } };
const fails = (name: string, message?: string | RegExp) => (e: AwsError) => {
  assert.equal(e.name, name);
  assert.equal(e.$metadata.httpStatusCode, 400);
  if (typeof message === 'string') assert.equal(e.message, message);
  else if (message) assert.match(e.message, message);
  return true;
};

describe('logs', () => {
  let server: TestServer;
  let logs: CloudWatchLogsClient;
  let home: string;
  const cliEnv = () => ({
    PATH: process.env.PATH,
    HOME: home,
    AWS_ACCESS_KEY_ID: server.root.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.root.secretAccessKey,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: server.url,
    AWS_PAGER: '',
  });
  const put = (group: string, stream: string, events: { timestamp: number; message: string }[]) => logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: events }));
  const makeStream = async (group: string, ...streams: string[]) => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    for (const s of streams) await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: s }));
  };

  before(async () => {
    server = await startTestServer();
    logs = new CloudWatchLogsClient(clientConfig(server));
    home = tempDir('stratus-logs-home-');
  });
  after(async () => {
    logs.destroy();
    await server.close();
    removeDir(home);
  });

  it('CreateLogGroup/DescribeLogGroups: prefix, pagination and the fields AWS reports', async () => {
    for (let i = 0; i < 7; i++) await logs.send(new CreateLogGroupCommand({ logGroupName: `/page/g${i}` }));
    await assert.rejects(logs.send(new CreateLogGroupCommand({ logGroupName: '/page/g0' })), fails('ResourceAlreadyExistsException', 'The specified log group already exists'));
    const names: string[] = [];
    let pages = 0;
    for await (const page of paginateDescribeLogGroups({ client: logs, pageSize: 3 }, { logGroupNamePrefix: '/page/' })) {
      pages++;
      names.push(...page.logGroups!.map((g) => g.logGroupName!));
    }
    assert.equal(pages, 3);
    assert.deepEqual(names, ['/page/g0', '/page/g1', '/page/g2', '/page/g3', '/page/g4', '/page/g5', '/page/g6']);
    const [g] = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/page/g3' }))).logGroups!;
    assert.equal(g!.arn, `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/page/g3:*`);
    assert.equal(g!.logGroupArn, `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/page/g3`);
    assert.equal(g!.storedBytes, 0);
    assert.equal(g!.retentionInDays, undefined);
    assert.ok(Math.abs(g!.creationTime! - Date.now()) < 60_000);
    const byPattern = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePattern: 'g5' }))).logGroups!;
    assert.deepEqual(byPattern.map((x) => x.logGroupName), ['/page/g5']);
    await assert.rejects(logs.send(new CreateLogGroupCommand({ logGroupName: 'has space' })), fails('InvalidParameterException', /^1 validation error detected: Value 'has space' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern/));
  });

  it('PutLogEvents/GetLogEvents: head, tail, time range and the paginator that stops on a repeated token', async () => {
    await makeStream('/app/get', 'one');
    const now = Date.now();
    const events = Array.from({ length: 30 }, (_, i) => ({ timestamp: now - 30_000 + i * 1000, message: `event ${i}` }));
    const out = await put('/app/get', 'one', events);
    assert.match(out.nextSequenceToken!, /^\d+$/);
    assert.equal(out.rejectedLogEventsInfo, undefined);

    const tail = await logs.send(new GetLogEventsCommand({ logGroupName: '/app/get', logStreamName: 'one', limit: 5 }));
    assert.deepEqual(tail.events!.map((e) => e.message), ['event 25', 'event 26', 'event 27', 'event 28', 'event 29']);
    assert.match(tail.nextForwardToken!, /^f\/\d+$/);
    assert.match(tail.nextBackwardToken!, /^b\/\d+$/);
    const range = await logs.send(new GetLogEventsCommand({ logGroupName: '/app/get', logStreamName: 'one', startTime: now - 20_000, endTime: now - 17_000, startFromHead: true }));
    assert.deepEqual(range.events!.map((e) => e.message), ['event 10', 'event 11', 'event 12']);
    assert.equal(typeof range.events![0]!.ingestionTime, 'number');

    const seen: string[] = [];
    for await (const page of paginateGetLogEvents({ client: logs, pageSize: 7, stopOnSameToken: true }, { logGroupName: '/app/get', logStreamName: 'one', startFromHead: true })) seen.push(...page.events!.map((e) => e.message!));
    assert.equal(seen.length, 30);
    assert.equal(seen[29], 'event 29');

    await assert.rejects(put('/app/get', 'one', [{ timestamp: now, message: 'b' }, { timestamp: now - 1, message: 'a' }]), fails('InvalidParameterException', 'Log events in a single PutLogEvents request must be in chronological order.'));
    await assert.rejects(put('/app/get', 'nope', [{ timestamp: now, message: 'x' }]), fails('ResourceNotFoundException', 'The specified log stream does not exist.'));
    await assert.rejects(put('/app/nope', 'one', [{ timestamp: now, message: 'x' }]), fails('ResourceNotFoundException', 'The specified log group does not exist.'));
    await assert.rejects(logs.send(new GetLogEventsCommand({ logGroupName: '/app/get', logStreamName: 'one', nextToken: 'garbage' })), fails('InvalidParameterException', 'The specified nextToken is invalid.'));
    const rejected = await put('/app/get', 'one', [{ timestamp: now - 15 * DAY, message: 'ancient' }, { timestamp: now, message: 'ok' }, { timestamp: now + 3 * 3_600_000, message: 'future' }]);
    assert.deepEqual(rejected.rejectedLogEventsInfo, { tooOldLogEventEndIndex: 0, tooNewLogEventStartIndex: 2 });
  });

  it('FilterLogEvents: patterns, stream selection, interleaving and pagination', async () => {
    await makeStream('/app/filter', 'web-1', 'web-2', 'worker');
    const t = Date.now() - 10_000;
    await put('/app/filter', 'web-1', [{ timestamp: t, message: 'GET /a 200' }, { timestamp: t + 2, message: 'GET /b 500 ERROR' }]);
    await put('/app/filter', 'web-2', [{ timestamp: t + 1, message: 'GET /c 200' }, { timestamp: t + 3, message: 'POST /d 404 WARN' }]);
    await put('/app/filter', 'worker', [{ timestamp: t + 4, message: JSON.stringify({ level: 'error', latency: 12 }) }, { timestamp: t + 5, message: JSON.stringify({ level: 'info', latency: 3 }) }]);
    const messages = async (input: Record<string, unknown>) => (await logs.send(new FilterLogEventsCommand({ logGroupName: '/app/filter', ...input }))).events!.map((e) => e.message);

    assert.deepEqual(await messages({}), ['GET /a 200', 'GET /c 200', 'GET /b 500 ERROR', 'POST /d 404 WARN', '{"level":"error","latency":12}', '{"level":"info","latency":3}']);
    assert.deepEqual(await messages({ filterPattern: 'GET 200' }), ['GET /a 200', 'GET /c 200']);
    assert.deepEqual(await messages({ filterPattern: '?ERROR ?WARN' }), ['GET /b 500 ERROR', 'POST /d 404 WARN']);
    assert.deepEqual(await messages({ filterPattern: 'GET -"/a"' }), ['GET /c 200', 'GET /b 500 ERROR']);
    assert.deepEqual(await messages({ filterPattern: '{ $.latency > 5 }' }), ['{"level":"error","latency":12}']);
    assert.deepEqual(await messages({ filterPattern: '{ $.level = "info" || $.latency > 100 }' }), ['{"level":"info","latency":3}']);
    assert.deepEqual(await messages({ logStreamNamePrefix: 'web-' }), ['GET /a 200', 'GET /c 200', 'GET /b 500 ERROR', 'POST /d 404 WARN']);
    assert.deepEqual(await messages({ logStreamNames: ['worker', 'web-2'], startTime: t + 3, endTime: t + 4 }), ['POST /d 404 WARN', '{"level":"error","latency":12}']);
    const byArn = await logs.send(new FilterLogEventsCommand({ logGroupIdentifier: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/app/filter`, limit: 1 }));
    assert.equal(byArn.events![0]!.logStreamName, 'web-1');
    assert.match(byArn.events![0]!.eventId!, /^\d{56}$/);
    assert.ok(byArn.nextToken);

    const paged: string[] = [];
    let pages = 0;
    for await (const page of paginateFilterLogEvents({ client: logs, pageSize: 4 }, { logGroupName: '/app/filter' })) {
      pages++;
      paged.push(...page.events!.map((e) => e.message!));
    }
    assert.equal(pages, 2);
    assert.equal(paged.length, 6);
    await assert.rejects(messages({ filterPattern: 'user@example.com' }), fails('InvalidParameterException', "Invalid character(s) in term 'user@example.com'"));
    await assert.rejects(messages({ logStreamNames: ['a'], logStreamNamePrefix: 'b' }), fails('InvalidParameterException'));
  });

  it('DescribeLogStreams: by name or last event time, descending, with pagination', async () => {
    await makeStream('/app/streams', 'c', 'a', 'b');
    const t = Date.now() - 5000;
    await put('/app/streams', 'b', [{ timestamp: t, message: 'x' }]);
    await put('/app/streams', 'c', [{ timestamp: t + 1, message: 'x' }]);
    await put('/app/streams', 'a', [{ timestamp: t + 2, message: 'x' }]);
    const names = async (input: Record<string, unknown>) => (await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/app/streams', ...input }))).logStreams!.map((s) => s.logStreamName);
    assert.deepEqual(await names({}), ['a', 'b', 'c']);
    assert.deepEqual(await names({ descending: true }), ['c', 'b', 'a']);
    assert.deepEqual(await names({ orderBy: 'LastEventTime', descending: true }), ['a', 'c', 'b']);
    const first = await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/app/streams', orderBy: 'LastEventTime', limit: 2 }));
    assert.deepEqual(first.logStreams!.map((s) => s.logStreamName), ['b', 'c']);
    assert.deepEqual(await names({ orderBy: 'LastEventTime', limit: 2, nextToken: first.nextToken }), ['a']);
    const [b] = (await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/app/streams', logStreamNamePrefix: 'b' }))).logStreams!;
    assert.equal(b!.firstEventTimestamp, t);
    assert.equal(b!.lastEventTimestamp, t);
    assert.equal(b!.arn, `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/app/streams:log-stream:b`);
    await assert.rejects(logs.send(new DescribeLogStreamsCommand({ logGroupName: '/app/streams', orderBy: 'LastEventTime', logStreamNamePrefix: 'a' })), fails('InvalidParameterException'));
    await assert.rejects(logs.send(new CreateLogStreamCommand({ logGroupName: '/app/streams', logStreamName: 'a' })), fails('ResourceAlreadyExistsException', 'The specified log stream already exists'));
    await logs.send(new DeleteLogStreamCommand({ logGroupName: '/app/streams', logStreamName: 'a' }));
    assert.deepEqual(await names({}), ['b', 'c']);
  });

  it('PutRetentionPolicy: old events disappear at once, the sweep deletes them, and only AWS values are allowed', async () => {
    await makeStream('/app/retention', 's');
    const now = Date.now();
    await put('/app/retention', 's', [{ timestamp: now - 3 * DAY, message: 'three days old' }]);
    await put('/app/retention', 's', [{ timestamp: now - 1000, message: 'fresh' }]);
    const visible = async () => (await logs.send(new GetLogEventsCommand({ logGroupName: '/app/retention', logStreamName: 's', startFromHead: true }))).events!.map((e) => e.message);
    const bytes = async () => (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/app/retention' }))).logGroups![0]!;
    assert.deepEqual(await visible(), ['three days old', 'fresh']);
    assert.equal((await bytes()).storedBytes, 'three days old'.length + 'fresh'.length);

    await assert.rejects(logs.send(new PutRetentionPolicyCommand({ logGroupName: '/app/retention', retentionInDays: 2 })), fails('InvalidParameterException', /Member must satisfy enum value set: \[1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653\]$/));
    await assert.rejects(logs.send(new PutRetentionPolicyCommand({ logGroupName: '/nope', retentionInDays: 1 })), fails('ResourceNotFoundException', 'The specified log group does not exist.'));
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: '/app/retention', retentionInDays: 1 }));
    assert.equal((await bytes()).retentionInDays, 1);
    assert.deepEqual(await visible(), ['fresh']);
    const filtered = await logs.send(new FilterLogEventsCommand({ logGroupName: '/app/retention', startTime: 0 }));
    assert.deepEqual(filtered.events!.map((e) => e.message), ['fresh']);
    const expired = await put('/app/retention', 's', [{ timestamp: now - 2 * DAY, message: 'too late' }, { timestamp: now, message: 'kept' }]);
    assert.deepEqual(expired.rejectedLogEventsInfo, { expiredLogEventEndIndex: 0 });

    const swept = await sweepRetention(server.stratus.storage.documents, Date.now());
    assert.equal(swept.deletedEvents, 1);
    assert.equal((await bytes()).storedBytes, 'fresh'.length + 'kept'.length);
    const [stream] = (await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/app/retention' }))).logStreams!;
    assert.equal(stream!.firstEventTimestamp, now - 1000);
    // A day later by the sweep's clock, everything has expired.
    assert.equal((await sweepRetention(server.stratus.storage.documents, Date.now() + 2 * DAY)).deletedEvents, 2);
    assert.equal((await bytes()).storedBytes, 0);
  });

  it('DeleteLogGroup: removes its streams and events; tags follow the group', async () => {
    await makeStream('/app/doomed', 'x', 'y');
    await put('/app/doomed', 'x', [{ timestamp: Date.now(), message: 'bye' }]);
    const arn = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/app/doomed`;
    await logs.send(new TagResourceCommand({ resourceArn: arn, tags: { env: 'dev', team: 'a' } }));
    await logs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['team'] }));
    assert.deepEqual((await logs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags, { env: 'dev' });
    assert.deepEqual((await logs.send(new ListTagsLogGroupCommand({ logGroupName: '/app/doomed' }))).tags, { env: 'dev' });
    const before = (await server.stratus.storage.documents.list('logs.events')).length;
    await logs.send(new DeleteLogGroupCommand({ logGroupName: '/app/doomed' }));
    assert.equal((await server.stratus.storage.documents.list('logs.events')).length, before - 1);
    await assert.rejects(logs.send(new DescribeLogStreamsCommand({ logGroupName: '/app/doomed' })), fails('ResourceNotFoundException', 'The specified log group does not exist.'));
    await assert.rejects(logs.send(new DeleteLogGroupCommand({ logGroupName: '/app/doomed' })), fails('ResourceNotFoundException'));
    await assert.rejects(logs.send(new ListTagsForResourceCommand({ resourceArn: arn })), fails('ResourceNotFoundException'));
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/app/doomed' }));
    assert.deepEqual((await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/app/doomed' }))).logStreams, []);
  });

  it('IAM: a policy on log-group:<name>:* grants stream writes there and nowhere else', async () => {
    await makeStream('/fn/allowed', 's');
    await makeStream('/fn/other', 's');
    const iam = new IAMClient(clientConfig(server));
    await iam.send(new CreateUserCommand({ UserName: 'logger' }));
    await iam.send(new PutUserPolicyCommand({
      UserName: 'logger',
      PolicyName: 'logs',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:FilterLogEvents'], Resource: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/fn/allowed:*` }] }),
    }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'logger' }))).AccessKey!;
    iam.destroy();
    const user = new CloudWatchLogsClient(clientConfig(server, { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! }));
    const event = [{ timestamp: Date.now(), message: 'hi' }];
    await user.send(new CreateLogStreamCommand({ logGroupName: '/fn/allowed', logStreamName: 'new' }));
    await user.send(new PutLogEventsCommand({ logGroupName: '/fn/allowed', logStreamName: 'new', logEvents: event }));
    assert.equal((await user.send(new FilterLogEventsCommand({ logGroupName: '/fn/allowed' }))).events!.length, 1);
    await assert.rejects(user.send(new PutLogEventsCommand({ logGroupName: '/fn/other', logStreamName: 's', logEvents: event })), (e: AwsError) => {
      assert.equal(e.name, 'AccessDeniedException');
      assert.match(e.message, new RegExp(`not authorized to perform: logs:PutLogEvents on resource: arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/fn/other:log-stream:s`));
      return true;
    });
    await assert.rejects(user.send(new DescribeLogGroupsCommand({})), { name: 'AccessDeniedException' });
    user.destroy();
  });

  it('GetLogEvents/FilterLogEvents: `aws logs get-log-events` and `filter-log-events --filter-pattern` (pip AWS CLI v1)', async () => {
    await makeStream('/cli/v1', 'main');
    const t = Date.now() - 5000;
    await put('/cli/v1', 'main', [{ timestamp: t, message: 'alpha ok' }, { timestamp: t + 1, message: 'beta ERROR' }, { timestamp: t + 2, message: 'gamma ok' }]);
    const got = JSON.parse((await run('aws', ['logs', 'get-log-events', '--log-group-name', '/cli/v1', '--log-stream-name', 'main', '--start-from-head', '--output', 'json'], { env: cliEnv() })).stdout);
    assert.deepEqual(got.events.map((e: { message: string }) => e.message), ['alpha ok', 'beta ERROR', 'gamma ok']);
    assert.match(got.nextForwardToken, /^f\//);
    const filtered = JSON.parse((await run('aws', ['logs', 'filter-log-events', '--log-group-name', '/cli/v1', '--filter-pattern', 'ok', '--output', 'json'], { env: cliEnv() })).stdout);
    assert.deepEqual(filtered.events.map((e: { message: string }) => e.message), ['alpha ok', 'gamma ok']);
    await assert.rejects(run('aws', ['logs', 'get-log-events', '--log-group-name', '/cli/none', '--log-stream-name', 'x'], { env: cliEnv() }), (e: Error & { stderr: string }) => {
      assert.match(e.stderr, /ResourceNotFoundException.*The specified log group does not exist\./);
      return true;
    });
  });

  const tailArgs = (group: string, ...more: string[]) => ['logs', 'tail', group, '--format', 'short', '--endpoint-url', server.url, ...more];

  it('FilterLogEvents: `aws logs tail --since 1h` prints the lines (Debian AWS CLI v2)', { skip: hasCliV2 ? false : '/usr/bin/aws is not installed' }, async () => {
    await makeStream('/aws/lambda/tailme', '2026/01/01/[$LATEST]abc');
    const t = Date.now() - 60_000;
    await put('/aws/lambda/tailme', '2026/01/01/[$LATEST]abc', [{ timestamp: t, message: 'START RequestId: 1' }, { timestamp: t + 5, message: 'hello from the function' }, { timestamp: t + 9, message: 'END RequestId: 1' }]);
    const { stdout } = await run('/usr/bin/aws', tailArgs('/aws/lambda/tailme', '--since', '1h'), { env: cliEnv() });
    const lines = stdout.trim().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[1]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d hello from the function$/);
  });

  it('FilterLogEvents: `aws logs tail --follow` shows events appended after it started (Debian AWS CLI v2)', { skip: hasCliV2 ? false : '/usr/bin/aws is not installed', timeout: 40_000 }, async () => {
    await makeStream('/aws/lambda/follow', 'env-1', 'env-2');
    await put('/aws/lambda/follow', 'env-1', [{ timestamp: Date.now() - 1000, message: 'before follow' }]);
    // Python block-buffers a pipe; a terminal would see each line at once.
    const child = spawn('/usr/bin/aws', tailArgs('/aws/lambda/follow', '--follow', '--since', '5m'), { env: { ...cliEnv(), PYTHONUNBUFFERED: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const waitFor = async (text: string, ms: number) => {
      const deadline = Date.now() + ms;
      while (!out.includes(text)) {
        if (Date.now() > deadline) throw new Error(`'${text}' did not appear within ${ms} ms; output so far:\n${out}`);
        if (child.exitCode !== null) throw new Error(`aws logs tail exited (${child.exitCode}):\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    try {
      await waitFor('before follow', 15_000);
      await put('/aws/lambda/follow', 'env-2', [{ timestamp: Date.now(), message: 'appended while following' }]);
      await put('/aws/lambda/follow', 'env-1', [{ timestamp: Date.now(), message: 'and another one' }]);
      // The CLI polls every 5 seconds.
      await waitFor('and another one', 12_000);
      assert.ok(out.includes('appended while following'));
      assert.equal(out.split('before follow').length, 2, 'no event is printed twice');
    } finally {
      child.kill('SIGINT');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    }
  });

  it('PutLogEvents/GetLogEvents/FilterLogEvents: boto3 with paginators, describe, tags and errors', async () => {
    const { stdout } = await run('python3', [join(REPO, 'test/clients/logs_boto3.py')], {
      env: { PATH: process.env.PATH, HOME: home, STRATUS_URL: server.url, ROOT_AK: server.root.accessKeyId, ROOT_SK: server.root.secretAccessKey },
    });
    const out = JSON.parse(stdout);
    assert.match(out.nextSequenceToken, /^\d+$/);
    assert.deepEqual(out.get, ['boto3 line 0 ERROR', 'boto3 line 1', 'boto3 line 2', 'boto3 line 3 ERROR', 'boto3 line 4']);
    assert.match(out.forwardToken, /^f\//);
    assert.deepEqual(out.filtered, ['boto3 line 0 ERROR', 'boto3 line 3 ERROR', 'boto3 line 6 ERROR', 'boto3 line 9 ERROR']);
    assert.deepEqual(out.json, ['{"level": "error", "code": 503}']);
    assert.deepEqual(out.streams, ['s-b', 's-a']);
    assert.deepEqual(out.tags, { team: 'py' });
    assert.deepEqual(out.errors.exists, { code: 'ResourceAlreadyExistsException', message: 'The specified log group already exists', status: 400 });
    assert.deepEqual(out.errors.noGroup, { code: 'ResourceNotFoundException', message: 'The specified log group does not exist.', status: 400 });
    assert.deepEqual(out.errors.noStream, { code: 'ResourceNotFoundException', message: 'The specified log stream does not exist.', status: 400 });
    assert.equal(out.errors.retention.code, 'InvalidParameterException');
  });
});
