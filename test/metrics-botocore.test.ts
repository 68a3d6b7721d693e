/**
 * CloudWatch metrics over the protocols newer clients speak, end to end.
 * botocore's CloudWatch model offers ['smithy-rpc-v2-cbor', 'json', 'query']
 * and botocore 1.43 picks json (awsJson1_0) by its own priority; boto3 and the
 * pip AWS CLI v1 run both that way and forced onto smithy RPC v2 CBOR. The SDK
 * v3 client defaults to awsJson1_0 and can be given the CBOR protocol. All are
 * awsQueryCompatible, so errors keep the query codes. After the same Lambda
 * invocations as metrics.test.ts (three successes, an error, a throttle) every
 * client reads the same exact values.
 * https://smithy.io/2.0/additional-specs/protocols/smithy-rpc-v2.html
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { AwsSmithyRpcV2CborProtocol } from '@aws-sdk/core/protocols';
import { CloudWatchClient, GetMetricDataCommand, GetMetricStatisticsCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, InvokeCommand, LambdaClient, PutFunctionConcurrencyCommand, waitUntilFunctionActiveV2 } from '@aws-sdk/client-lambda';
import { ACCOUNT, clientConfig, REPO, startTestServer, tempDir, type TestServer } from './harness.js';
import { makeZip } from './clients/zip.js';

const run = promisify(execFile);
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const FN = [{ Name: 'FunctionName', Value: 'metered' }];

describe('CloudWatch metrics over awsJson1_0 and smithy RPC v2 CBOR: boto3, the pip AWS CLI v1 and SDK v3', () => {
  let server: TestServer;
  let home: string;
  const start = new Date(Date.now() - 10 * 60_000);
  const end = () => new Date(Date.now() + 60_000);

  before(async () => {
    server = await startTestServer();
    home = tempDir('stratus-metrics-home-');
    const lambda = new LambdaClient(clientConfig(server));
    await new IAMClient(clientConfig(server)).send(new CreateRoleCommand({ RoleName: 'fn-role', AssumeRolePolicyDocument: TRUST }));
    const code = makeZip({ 'index.js': `exports.handler = async (e) => { if (e.fail) throw new Error('boom'); return 'ok'; };` });
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'metered', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: `arn:aws:iam::${ACCOUNT}:role/fn-role`, Code: { ZipFile: code }, MemorySize: 256 }));
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30 }, { FunctionName: 'metered' });
    for (let i = 0; i < 3; i++) await lambda.send(new InvokeCommand({ FunctionName: 'metered', Payload: Buffer.from('{}') }));
    const failed = await lambda.send(new InvokeCommand({ FunctionName: 'metered', Payload: Buffer.from('{"fail":true}') }));
    assert.equal(failed.FunctionError, 'Unhandled');
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'metered', ReservedConcurrentExecutions: 0 }));
    await assert.rejects(lambda.send(new InvokeCommand({ FunctionName: 'metered' })), (e: { name: string }) => e.name === 'TooManyRequestsException');
  });
  after(async () => server.close());

  const cliEnv = () => ({ PATH: process.env.PATH, HOME: home, AWS_ACCESS_KEY_ID: server.root.accessKeyId, AWS_SECRET_ACCESS_KEY: server.root.secretAccessKey, AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '' });
  /**
   * The pip AWS CLI v1, by module so the Debian v2 binary on PATH is never picked. With `protocol`,
   * botocore's protocol priority is reordered first, as test/clients/metrics_boto3.py does.
   */
  const cliV1 = async (args: string[], protocol?: string) => {
    const prefix = protocol
      ? ['-c', `import sys, botocore.model as m; m.PRIORITY_ORDERED_SUPPORTED_PROTOCOLS = ('${protocol}',) + m.PRIORITY_ORDERED_SUPPORTED_PROTOCOLS; from awscli.clidriver import main; sys.exit(main())`]
      : ['-m', 'awscli'];
    return run('python3', [...prefix, '--endpoint-url', server.url, 'cloudwatch', ...args], { env: cliEnv() });
  };
  const window = () => ['--start-time', start.toISOString(), '--end-time', end().toISOString()];

  for (const protocol of ['json', 'smithy-rpc-v2-cbor']) {
    const forced = protocol === 'smithy-rpc-v2-cbor';
    it(`boto3 over ${protocol}${forced ? ' (forced)' : " (botocore's own pick)"}: statistics, metric data, paginated list, custom metrics and query-compatible errors`, async () => {
      const { stdout } = await run('python3', [join(REPO, 'test/clients/metrics_boto3.py')], {
        env: { PATH: process.env.PATH, HOME: home, STRATUS_URL: server.url, ROOT_AK: server.root.accessKeyId, ROOT_SK: server.root.secretAccessKey, FUNCTION: 'metered', ...(forced ? { BOTOCORE_PROTOCOL: protocol } : {}) },
      });
      const out = JSON.parse(stdout);
      assert.equal(out.protocol, protocol);
      assert.deepEqual(
        out.wire,
        forced
          ? { path: 'service/GraniteServiceVersion20100801/operation/ListMetrics', smithyProtocol: 'rpc-v2-cbor', target: null }
          : { path: '', smithyProtocol: null, target: 'GraniteServiceVersion20100801.ListMetrics' },
      );
      assert.deepEqual(out.sums, { Invocations: 4, Errors: 1, Throttles: 1 });
      assert.deepEqual(out.duration, { points: 1, sampleCount: 4, unit: 'Milliseconds', ordered: true, timestampIsDatetime: true });
      assert.deepEqual(out.data, { id: 'inv', status: 'Complete', sum: 4, timestamps: 1 });
      for (const n of ['Invocations', 'Errors', 'Throttles', 'Duration', 'ConcurrentExecutions']) assert.ok(out.names.includes(n), n);
      assert.deepEqual(out.throttlesOnly, [{ Namespace: 'AWS/Lambda', MetricName: 'Throttles', Dimensions: FN }]);
      assert.deepEqual(out.custom, [{ Sum: 12, SampleCount: 5, Maximum: 5, Minimum: 1, Unit: 'Count' }]);
      assert.deepEqual(out.errors.period, { class: 'InvalidParameterValueException', code: 'InvalidParameterValue', message: 'The parameter Period must be a multiple of 60.', status: 400 });
      assert.equal(out.errors.noStatistics.code, 'InvalidParameterCombination');
      assert.equal(out.errors.reversed.code, 'InvalidParameterValue');
      assert.equal(out.errors.expression.code, 'InvalidParameterValue');
      assert.match(out.errors.expression.message, /Expressions are not supported/);
      assert.equal(out.errors.reservedNamespace.code, 'InvalidParameterValue');
      assert.equal(out.modeledClass, true);
    });
  }

  for (const protocol of [undefined, 'smithy-rpc-v2-cbor']) {
    const label = protocol ? 'forced to smithy-rpc-v2-cbor' : 'its own pick, json';
    const ns = protocol ? 'CliV1/Cbor' : 'CliV1/Json';

    it(`aws cloudwatch get-metric-statistics (pip CLI v1, ${label}): the same sums`, async () => {
      const sum = async (metric: string) => {
        const { stdout } = await cliV1(['get-metric-statistics', '--namespace', 'AWS/Lambda', '--metric-name', metric, '--dimensions', 'Name=FunctionName,Value=metered', ...window(), '--period', '3600', '--statistics', 'Sum', '--output', 'json'], protocol);
        return JSON.parse(stdout).Datapoints.reduce((a: number, d: { Sum: number }) => a + d.Sum, 0);
      };
      assert.equal(await sum('Invocations'), 4);
      assert.equal(await sum('Errors'), 1);
      assert.equal(await sum('Throttles'), 1);
      const { stderr } = await cliV1(['--debug', 'list-metrics', '--namespace', 'AWS/Lambda', '--metric-name', 'Errors'], protocol);
      if (protocol) {
        assert.match(stderr, /url=http:\/\/127\.0\.0\.1:\d+\/service\/GraniteServiceVersion20100801\/operation\/ListMetrics/);
        assert.match(stderr, /'smithy-protocol': b?'rpc-v2-cbor'/);
      } else assert.match(stderr, /'X-Amz-Target': b'GraniteServiceVersion20100801\.ListMetrics'/);
    });

    it(`aws cloudwatch list-metrics, get-metric-data and put-metric-data (pip CLI v1, ${label})`, async () => {
      const listed = JSON.parse((await cliV1(['list-metrics', '--namespace', 'AWS/Lambda', '--metric-name', 'Throttles', '--dimensions', 'Name=FunctionName', '--output', 'json'], protocol)).stdout);
      assert.deepEqual(listed.Metrics, [{ Namespace: 'AWS/Lambda', MetricName: 'Throttles', Dimensions: FN }]);

      const queries = JSON.stringify([{ Id: 'inv', MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Invocations', Dimensions: FN }, Period: 3600, Stat: 'Sum' } }]);
      const data = JSON.parse((await cliV1(['get-metric-data', '--metric-data-queries', queries, ...window(), '--output', 'json'], protocol)).stdout);
      assert.equal(data.MetricDataResults[0].Id, 'inv');
      assert.equal(data.MetricDataResults[0].StatusCode, 'Complete');
      assert.equal(data.MetricDataResults[0].Values.reduce((a: number, b: number) => a + b, 0), 4);

      assert.equal((await cliV1(['put-metric-data', '--namespace', ns, '--metric-name', 'Placed', '--dimensions', 'Shop=cli', '--value', '3', '--unit', 'Count'], protocol)).stdout, '');
      await cliV1(['put-metric-data', '--namespace', ns, '--metric-data', JSON.stringify([{ MetricName: 'Placed', Dimensions: [{ Name: 'Shop', Value: 'cli' }], Values: [1, 2], Counts: [1, 3], Unit: 'Count' }])], protocol);
      const stats = JSON.parse((await cliV1(['get-metric-statistics', '--namespace', ns, '--metric-name', 'Placed', '--dimensions', 'Name=Shop,Value=cli', ...window(), '--period', '300', '--statistics', 'Sum', 'SampleCount', 'Maximum', 'Minimum', '--output', 'json'], protocol)).stdout);
      assert.equal(stats.Datapoints.length, 1);
      assert.deepEqual({ ...stats.Datapoints[0], Timestamp: undefined }, { Timestamp: undefined, Sum: 10, SampleCount: 5, Maximum: 3, Minimum: 1, Unit: 'Count' });
    });

    it(`aws cloudwatch errors (pip CLI v1, ${label}) name the query code`, async () => {
      await assert.rejects(cliV1(['get-metric-statistics', '--namespace', 'AWS/Lambda', '--metric-name', 'Invocations', ...window(), '--period', '90', '--statistics', 'Sum'], protocol), (e: Error & { stderr: string; code: number }) => {
        assert.match(e.stderr, /An error occurred \(InvalidParameterValue\) when calling the GetMetricStatistics operation: The parameter Period must be a multiple of 60\./);
        assert.equal(e.code, 255);
        return true;
      });
    });
  }

  for (const [label, protocol] of [['its default protocol (awsJson1_0)', undefined], ['AwsSmithyRpcV2CborProtocol', AwsSmithyRpcV2CborProtocol]] as const) {
    it(`SDK v3 with ${label}: the same values and error codes`, async () => {
      const cw = new CloudWatchClient({ ...clientConfig(server), ...(protocol ? { protocol } : {}) } as never);
      const r = await cw.send(new GetMetricStatisticsCommand({ Namespace: 'AWS/Lambda', MetricName: 'Invocations', Dimensions: FN, StartTime: start, EndTime: end(), Period: 3600, Statistics: ['Sum'] }));
      assert.equal(r.Datapoints!.reduce((a, d) => a + d.Sum!, 0), 4);
      const data = await cw.send(new GetMetricDataCommand({ StartTime: start, EndTime: end(), MetricDataQueries: [{ Id: 'thr', MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Throttles', Dimensions: FN }, Period: 3600, Stat: 'Sum' } }] }));
      assert.equal(data.MetricDataResults![0]!.Values!.reduce((a, b) => a + b, 0), 1);
      await assert.rejects(cw.send(new PutMetricDataCommand({ Namespace: 'AWS/Lambda', MetricData: [{ MetricName: 'x', Value: 1 }] })), (e: Error & { $metadata: { httpStatusCode?: number } }) => {
        assert.match(e.name, /^InvalidParameterValue(Exception)?$/);
        assert.equal(e.$metadata.httpStatusCode, 400);
        return true;
      });
    });
  }
});
