/**
 * CloudWatch metrics end to end: Lambda invocations (successes, an error and
 * a throttle) read back as AWS/Lambda metrics through GetMetricStatistics,
 * GetMetricData and ListMetrics; a custom metric round-trips through
 * PutMetricData; `stratus usage` reports requests and GB-seconds. The SDK v3
 * CloudWatch client now speaks awsJson1_0 by default, so it is pointed at
 * the query protocol explicitly; Debian's AWS CLI v2 speaks query natively.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { AwsQueryProtocol } from '@aws-sdk/core/protocols';
import { CloudWatchClient, GetMetricDataCommand, GetMetricStatisticsCommand, ListMetricsCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, InvokeCommand, LambdaClient, PutFunctionConcurrencyCommand, waitUntilFunctionActiveV2 } from '@aws-sdk/client-lambda';
import { usageCommand } from '../src/cli/usage.js';
import { ACCOUNT, clientConfig, startTestServer, tempDir, type TestServer } from './harness.js';
import { makeZip } from './clients/zip.js';

const run = promisify(execFile);
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const FN = [{ Name: 'FunctionName', Value: 'metered' }];

describe('CloudWatch metrics end to end', () => {
  let server: TestServer;
  let cw: CloudWatchClient;
  const start = new Date(Date.now() - 10 * 60_000);
  const end = () => new Date(Date.now() + 60_000);

  before(async () => {
    server = await startTestServer();
    cw = new CloudWatchClient({ ...clientConfig(server), protocol: AwsQueryProtocol } as never);
    const lambda = new LambdaClient(clientConfig(server));
    await new IAMClient(clientConfig(server)).send(new CreateRoleCommand({ RoleName: 'fn-role', AssumeRolePolicyDocument: TRUST }));
    const code = makeZip({ 'index.js': `exports.handler = async (e) => { if (e.fail) throw new Error('boom'); return 'ok'; };` });
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'metered', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: `arn:aws:iam::${ACCOUNT}:role/fn-role`, Code: { ZipFile: code }, MemorySize: 256 }));
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30 }, { FunctionName: 'metered' });
    for (let i = 0; i < 3; i++) await lambda.send(new InvokeCommand({ FunctionName: 'metered', Payload: Buffer.from('{}') }));
    const failed = await lambda.send(new InvokeCommand({ FunctionName: 'metered', Payload: Buffer.from('{"fail":true}') }));
    assert.equal(failed.FunctionError, 'Unhandled');
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'metered', ReservedConcurrentExecutions: 0 }));
    await assert.rejects(lambda.send(new InvokeCommand({ FunctionName: 'metered' })), (e: { name: string; $metadata: { httpStatusCode?: number } }) => e.name === 'TooManyRequestsException' && e.$metadata.httpStatusCode === 429);
  });
  after(async () => server.close());

  const sum = async (metric: string) => {
    const r = await cw.send(new GetMetricStatisticsCommand({ Namespace: 'AWS/Lambda', MetricName: metric, Dimensions: FN, StartTime: start, EndTime: end(), Period: 3600, Statistics: ['Sum', 'SampleCount'] }));
    return r.Datapoints!.reduce((a, d) => a + d.Sum!, 0);
  };

  it('GetMetricStatistics: Invocations, Errors and Throttles sum what happened', async () => {
    assert.equal(await sum('Invocations'), 4);
    assert.equal(await sum('Errors'), 1);
    assert.equal(await sum('Throttles'), 1);
  });

  it('GetMetricStatistics: Duration has SampleCount, Average, Minimum and Maximum in Milliseconds', async () => {
    const r = await cw.send(new GetMetricStatisticsCommand({ Namespace: 'AWS/Lambda', MetricName: 'Duration', Dimensions: FN, StartTime: start, EndTime: end(), Period: 3600, Statistics: ['SampleCount', 'Average', 'Minimum', 'Maximum'] }));
    assert.equal(r.Datapoints!.length, 1);
    const dp = r.Datapoints![0]!;
    assert.equal(dp.SampleCount, 4);
    assert.equal(dp.Unit, 'Milliseconds');
    assert.ok(dp.Minimum! >= 0 && dp.Minimum! <= dp.Average! && dp.Average! <= dp.Maximum!);
  });

  it('GetMetricStatistics: AWS errors for a bad Period, missing Statistics and a reversed range', async () => {
    const base = { Namespace: 'AWS/Lambda', MetricName: 'Invocations', StartTime: start, EndTime: end(), Period: 60, Statistics: ['Sum' as const] };
    await assert.rejects(cw.send(new GetMetricStatisticsCommand({ ...base, Period: 90 })), (e: Error) => /^InvalidParameterValue(Exception)?$/.test(e.name) && /multiple of 60/.test(e.message));
    await assert.rejects(cw.send(new GetMetricStatisticsCommand({ ...base, Statistics: undefined })), (e: Error) => /^InvalidParameterCombination(Exception)?$/.test(e.name));
    await assert.rejects(cw.send(new GetMetricStatisticsCommand({ ...base, StartTime: end(), EndTime: start })), (e: Error) => /^InvalidParameterValue(Exception)?$/.test(e.name));
    await assert.rejects(cw.send(new GetMetricStatisticsCommand({ ...base, StartTime: new Date(Date.now() - 3 * 86400_000) })), (e: Error) => /^InvalidParameterCombination(Exception)?$/.test(e.name) && /1,440/.test(e.message));
  });

  it('GetMetricData: MetricStat queries answer; expressions are refused clearly', async () => {
    const r = await cw.send(
      new GetMetricDataCommand({ StartTime: start, EndTime: end(), MetricDataQueries: [{ Id: 'inv', MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Invocations', Dimensions: FN }, Period: 3600, Stat: 'Sum' } }] }),
    );
    assert.equal(r.MetricDataResults![0]!.Id, 'inv');
    assert.equal(r.MetricDataResults![0]!.StatusCode, 'Complete');
    assert.equal(r.MetricDataResults![0]!.Values!.reduce((a, b) => a + b, 0), 4);
    await assert.rejects(cw.send(new GetMetricDataCommand({ StartTime: start, EndTime: end(), MetricDataQueries: [{ Id: 'e1', Expression: 'SUM(METRICS())' }] })), (e: Error) => /^InvalidParameterValue(Exception)?$/.test(e.name) && /Expressions are not supported/.test(e.message));
  });

  it('ListMetrics: lists the Lambda metrics, filtered by namespace, name and dimension', async () => {
    const r = await cw.send(new ListMetricsCommand({ Namespace: 'AWS/Lambda', Dimensions: [{ Name: 'FunctionName', Value: 'metered' }] }));
    const names = new Set(r.Metrics!.map((m) => m.MetricName));
    for (const n of ['Invocations', 'Errors', 'Throttles', 'Duration', 'ConcurrentExecutions']) assert.ok(names.has(n), n);
    const one = await cw.send(new ListMetricsCommand({ Namespace: 'AWS/Lambda', MetricName: 'Throttles', Dimensions: [{ Name: 'FunctionName' }] }));
    assert.deepEqual(one.Metrics, [{ Namespace: 'AWS/Lambda', MetricName: 'Throttles', Dimensions: FN }]);
  });

  it('PutMetricData: a custom metric round-trips through GetMetricStatistics', async () => {
    const dims = [{ Name: 'Shop', Value: 'eu' }];
    await cw.send(new PutMetricDataCommand({ Namespace: 'Shop/Orders', MetricData: [{ MetricName: 'Placed', Dimensions: dims, Value: 5, Unit: 'Count' }, { MetricName: 'Placed', Dimensions: dims, Values: [1, 2], Counts: [1, 3], Unit: 'Count' }] }));
    const r = await cw.send(new GetMetricStatisticsCommand({ Namespace: 'Shop/Orders', MetricName: 'Placed', Dimensions: dims, StartTime: start, EndTime: end(), Period: 300, Statistics: ['Sum', 'SampleCount', 'Maximum', 'Minimum'] }));
    assert.equal(r.Datapoints!.length, 1);
    assert.deepEqual({ ...r.Datapoints![0], Timestamp: undefined }, { Timestamp: undefined, Sum: 12, SampleCount: 5, Maximum: 5, Minimum: 1, Unit: 'Count' });
    await assert.rejects(cw.send(new PutMetricDataCommand({ Namespace: 'AWS/Lambda', MetricData: [{ MetricName: 'x', Value: 1 }] })), (e: Error) => /^InvalidParameterValue(Exception)?$/.test(e.name));
  });

  it('get-metric-statistics: the Debian AWS CLI v2 (query protocol) reads the same sums', { skip: existsSync('/usr/bin/aws') ? false : '/usr/bin/aws is not installed' }, async () => {
    const env = { PATH: process.env.PATH, HOME: tempDir(), AWS_ACCESS_KEY_ID: server.root.accessKeyId, AWS_SECRET_ACCESS_KEY: server.root.secretAccessKey, AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '' };
    const { stdout } = await run('/usr/bin/aws', ['--endpoint-url', server.url, 'cloudwatch', 'get-metric-statistics', '--namespace', 'AWS/Lambda', '--metric-name', 'Invocations', '--dimensions', 'Name=FunctionName,Value=metered', '--start-time', start.toISOString(), '--end-time', end().toISOString(), '--period', '3600', '--statistics', 'Sum', '--output', 'json'], { env });
    assert.equal(JSON.parse(stdout).Datapoints.reduce((a: number, d: { Sum: number }) => a + d.Sum, 0), 4);
  });

  it('stratus usage: prints the function with its requests and GB-seconds', async () => {
    const lines: string[] = [];
    const env = { HOME: tempDir(), AWS_ACCESS_KEY_ID: server.root.accessKeyId, AWS_SECRET_ACCESS_KEY: server.root.secretAccessKey, AWS_ENDPOINT_URL: server.url, AWS_DEFAULT_REGION: 'us-east-1' };
    assert.equal(await usageCommand(['--json'], env, (s) => lines.push(s)), 0);
    const report = JSON.parse(lines.join(''));
    const fn = report.functions.find((f: { functionName: string }) => f.functionName === 'metered');
    assert.equal(fn.requests, 4);
    assert.ok(fn.gbSeconds > 0);
    assert.equal(report.totals.estimatedCostUsd, 0);
    lines.length = 0;
    assert.equal(await usageCommand([], env, (s) => lines.push(s)), 0);
    const row = lines.join('\n').split('\n').find((l) => l.startsWith('metered'));
    assert.match(row ?? '', /^metered\s+us-east-1\s+4\s+\d+\.\d{3}\s+\$/);
  });
});
