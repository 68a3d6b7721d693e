import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { AwsQueryProtocol, AwsSmithyRpcV2CborProtocol } from '@aws-sdk/core/protocols';
import { CloudWatchClient, GetMetricDataCommand, GetMetricStatisticsCommand, ListMetricsCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { HttpResponse as SdkHttpResponse, type HttpRequest as SdkHttpRequest } from '@smithy/protocol-http';
import { ServiceError } from '../core/errors.js';
import { decodeCbor, encodeCbor } from './cbor.js';
import { codecForRequest, createCodec, unknownOperationError } from './index.js';
import { loadModel } from './model.js';
import { clientConfig, fromSdkRequest, makeRequest, TEST_REQUEST_ID, type Responder } from './testing.js';
import type { HttpRequest, HttpResponse } from './types.js';

const monitoring = loadModel('monitoring');
const multi = createCodec(monitoring);
const CBOR_PATH = '/service/GraniteServiceVersion20100801/operation/';
const cborHeaders = { 'smithy-protocol': 'rpc-v2-cbor', 'content-type': 'application/cbor', accept: 'application/cbor' };

interface Exchange {
  operation?: string;
  request: HttpRequest;
  response: HttpResponse;
}

/** Like testing.ts's codecHandler, but each request is served by the codec its protocol picks, as the gateway does. */
function handler(respond: Responder) {
  const exchanges: Exchange[] = [];
  return {
    exchanges,
    async handle(sdkRequest: SdkHttpRequest): Promise<{ response: SdkHttpResponse }> {
      const req = fromSdkRequest(sdkRequest);
      const codec = codecForRequest(multi, req);
      let operation: string | undefined;
      let response: HttpResponse;
      try {
        operation = codec.resolveOperation(req);
        if (!operation) throw unknownOperationError(monitoring, req);
        const input = await codec.parse(operation, req);
        response = codec.serialize(operation, (await respond(operation, input, req)) as Record<string, unknown> | undefined, { requestId: TEST_REQUEST_ID });
      } catch (err) {
        response = codec.serializeError(err, operation, { requestId: TEST_REQUEST_ID });
      }
      exchanges.push({ operation, request: req, response });
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(response.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      const body = response.body === undefined ? [] : [Buffer.from(response.body as Buffer | string)];
      return { response: new SdkHttpResponse({ statusCode: response.status, headers, body: Readable.from(body) }) };
    },
    updateHttpClientConfig(): void {},
    httpHandlerConfigs(): Record<string, never> {
      return {};
    },
  };
}

function client(protocol: unknown, respond: Responder) {
  const h = handler(respond);
  const config = { ...clientConfig(h), ...(protocol ? { protocol } : {}) };
  return { h, cw: new CloudWatchClient(config as never) };
}

const t0 = new Date('2024-01-01T00:00:00Z');
const t1 = new Date('2024-01-01T01:00:00Z');
const statsInput = { Namespace: 'AWS/Lambda', MetricName: 'Invocations', Dimensions: [{ Name: 'FunctionName', Value: 'f' }], StartTime: t0, EndTime: t1, Period: 60, Statistics: ['Sum' as const, 'SampleCount' as const] };
const statsOutput = { Label: 'Invocations', Datapoints: [{ Timestamp: t0, Sum: 4, SampleCount: 4, Unit: 'Count' }, { Timestamp: new Date(1704067260500), Sum: 0.5, SampleCount: 1, Unit: 'Count' }] };

for (const [name, protocol] of [['rpc-v2-cbor', AwsSmithyRpcV2CborProtocol], ['awsJson1_0 (the SDK v3 default)', undefined], ['awsQuery', AwsQueryProtocol]] as const) {
  describe(`CloudWatch over ${name}: SDK v3 round trips`, () => {
    it('GetMetricStatistics: timestamps, lists and doubles both ways', async () => {
      const { h, cw } = client(protocol, (op, input) => {
        assert.equal(op, 'GetMetricStatistics');
        assert.deepEqual(input, statsInput);
        return statsOutput;
      });
      const out = await cw.send(new GetMetricStatisticsCommand(statsInput));
      assert.deepEqual(out.Datapoints, statsOutput.Datapoints);
      assert.equal(out.Label, 'Invocations');
      assert.equal(out.$metadata.requestId, TEST_REQUEST_ID);
      const res = h.exchanges[0]!.response;
      if (name === 'rpc-v2-cbor') {
        assert.equal(h.exchanges[0]!.request.rawPath, CBOR_PATH + 'GetMetricStatistics');
        assert.equal(res.headers['smithy-protocol'], 'rpc-v2-cbor');
        assert.equal(res.headers['content-type'], 'application/cbor');
      }
    });

    it('PutMetricData: an operation without output answers an empty 200', async () => {
      const { h, cw } = client(protocol, (op, input) => {
        assert.equal(op, 'PutMetricData');
        assert.deepEqual(input, { Namespace: 'Shop', MetricData: [{ MetricName: 'Placed', Values: [1, 2.5], Counts: [1, 3], Timestamp: t0, StorageResolution: 60 }] });
        return undefined;
      });
      await cw.send(new PutMetricDataCommand({ Namespace: 'Shop', MetricData: [{ MetricName: 'Placed', Values: [1, 2.5], Counts: [1, 3], Timestamp: t0, StorageResolution: 60 }] }));
      if (name === 'rpc-v2-cbor') {
        const res = h.exchanges[0]!.response;
        assert.equal((res.body as Buffer).length, 0);
        assert.equal(res.headers['content-type'], undefined);
      }
    });

    it('GetMetricData and ListMetrics: nested structures and lists of timestamps', async () => {
      const { cw } = client(protocol, (op) =>
        op === 'GetMetricData'
          ? { MetricDataResults: [{ Id: 'q', Label: 'L', Timestamps: [t1, t0], Values: [3, 1.25], StatusCode: 'Complete' }], Messages: [] }
          : { Metrics: [{ Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: 'f' }] }] },
      );
      const data = await cw.send(new GetMetricDataCommand({ StartTime: t0, EndTime: t1, MetricDataQueries: [{ Id: 'q', MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Errors' }, Period: 60, Stat: 'Sum' } }] }));
      assert.deepEqual(data.MetricDataResults, [{ Id: 'q', Label: 'L', Timestamps: [t1, t0], Values: [3, 1.25], StatusCode: 'Complete' }]);
      const list = await cw.send(new ListMetricsCommand({ Namespace: 'AWS/Lambda' }));
      assert.deepEqual(list.Metrics, [{ Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: 'f' }] }]);
    });

    it('a modelled error keeps its query code, message and status', async () => {
      const { h, cw } = client(protocol, () => {
        throw new ServiceError('InvalidParameterValue', 'The parameter Period must be a multiple of 60.', { status: 400 });
      });
      await assert.rejects(cw.send(new GetMetricStatisticsCommand(statsInput)), (e: any) => {
        assert.match(e.name, /^InvalidParameterValue(Exception)?$/);
        assert.equal(e.message, 'The parameter Period must be a multiple of 60.');
        assert.equal(e.$metadata.httpStatusCode, 400);
        return true;
      });
      const res = h.exchanges[0]!.response;
      if (name !== 'awsQuery') assert.equal(res.headers['x-amzn-query-error'], 'InvalidParameterValue;Sender');
      if (name === 'rpc-v2-cbor') {
        assert.deepEqual(decodeCbor(res.body as Buffer), { __type: 'com.amazonaws.cloudwatch#InvalidParameterValueException', message: 'The parameter Period must be a multiple of 60.' });
      }
    });
  });
}

describe('rpc-v2-cbor: wire details', () => {
  const cbor = codecForRequest(multi, makeRequest({ path: CBOR_PATH + 'ListMetrics', headers: cborHeaders }));
  const req = (op: string, body: unknown, headers: Record<string, string> = cborHeaders, path = CBOR_PATH + op) =>
    makeRequest({ path, headers, body: body instanceof Buffer ? body : encodeCbor(body) });

  it('the smithy-protocol header picks the CBOR codec; otherwise the model is query', () => {
    assert.equal(cbor.protocol, 'rpc-v2-cbor');
    assert.equal(codecForRequest(multi, makeRequest({ body: 'Action=ListMetrics' })).protocol, 'query');
    assert.equal(codecForRequest(multi, makeRequest({ headers: { 'x-amz-target': 'GraniteServiceVersion20100801.ListMetrics' } })).protocol, 'json');
    assert.equal(multi.protocol, 'query');
  });

  it('routes on the last four path segments, by service name or absolute id', () => {
    assert.equal(cbor.resolveOperation(req('ListMetrics', {})), 'ListMetrics');
    assert.equal(cbor.resolveOperation(req('ListMetrics', {}, cborHeaders, '/v1/service/GraniteServiceVersion20100801/operation/ListMetrics')), 'ListMetrics');
    assert.equal(cbor.resolveOperation(req('ListMetrics', {}, cborHeaders, '/service/com.amazonaws.cloudwatch.GraniteServiceVersion20100801/operation/ListMetrics')), 'ListMetrics');
    assert.equal(cbor.resolveOperation(req('ListMetrics', {}, cborHeaders, '/service/Other/operation/ListMetrics')), undefined);
    assert.equal(cbor.resolveOperation(req('NoSuchOp', {})), undefined);
    assert.equal(cbor.resolveOperation(req('ListMetrics', {}, { ...cborHeaders, 'x-amz-target': 'GraniteServiceVersion20100801.ListMetrics' })), undefined);
    assert.equal(cbor.resolveOperation({ ...req('ListMetrics', {}), method: 'GET' }), undefined);
  });

  it('an unknown operation is 404 UnknownOperationException in CBOR', () => {
    const r = req('NoSuchOp', {});
    const res = codecForRequest(multi, r).serializeError(unknownOperationError(monitoring, r), undefined, { requestId: 'rid' });
    assert.equal(res.status, 404);
    assert.equal(res.headers['smithy-protocol'], 'rpc-v2-cbor');
    assert.equal(res.headers['x-amzn-query-error'], 'UnknownOperationException;Sender');
    assert.deepEqual(decodeCbor(res.body as Buffer), { __type: 'com.amazonaws.cloudwatch#UnknownOperationException', message: `No operation matches POST ${CBOR_PATH}NoSuchOp` });
    const json = unknownOperationError(monitoring, makeRequest({ headers: { 'x-amz-target': 'GraniteServiceVersion20100801.Nope' } }));
    assert.equal(json.code, 'UnknownOperationException');
    assert.equal(json.status, 400);
    assert.equal(unknownOperationError(monitoring, makeRequest({ body: 'Action=Nope' })).code, 'InvalidAction');
  });

  it('empty bodies and empty maps (indefinite too) read as {}', async () => {
    assert.deepEqual(await cbor.parse('ListMetrics', req('ListMetrics', Buffer.alloc(0))), {});
    assert.deepEqual(await cbor.parse('ListMetrics', req('ListMetrics', Buffer.from('bfff', 'hex'))), {});
    assert.deepEqual(await cbor.parse('ListMetrics', req('ListMetrics', { Namespace: null, MetricName: undefined, Unknown: 1 })), {});
  });

  it('timestamps: tag 1 integers or floats, and bare epoch numbers', async () => {
    const input = await cbor.parse('GetMetricStatistics', req('GetMetricStatistics', { StartTime: t0, EndTime: 1704070800.25 }));
    assert.deepEqual(input, { StartTime: t0, EndTime: new Date(1704070800250) });
  });

  it('integers may arrive in 64-bit heads or as bigints, doubles as integers', async () => {
    // {"Period": 60} with the 60 in an 8-byte head.
    const wide = Buffer.concat([Buffer.from('a1', 'hex'), encodeCbor('Period'), Buffer.from('1b000000000000003c', 'hex')]);
    assert.deepEqual(await cbor.parse('GetMetricStatistics', req('GetMetricStatistics', wide)), { Period: 60 });
    assert.deepEqual(await cbor.parse('GetMetricStatistics', req('GetMetricStatistics', { Period: 2n ** 60n })), { Period: 2 ** 60 });
    const md = await cbor.parse('PutMetricData', req('PutMetricData', { Namespace: 'n', MetricData: [{ MetricName: 'm', Value: 5, Counts: [1, 2.5] }] }));
    assert.deepEqual(md, { Namespace: 'n', MetricData: [{ MetricName: 'm', Value: 5, Counts: [1, 2.5] }] });
  });

  it('malformed CBOR and wrong member types are 400 SerializationException', async () => {
    for (const [op, body] of [
      ['ListMetrics', Buffer.from('a1', 'hex')],
      ['ListMetrics', Buffer.from('ff', 'hex')],
      ['ListMetrics', Buffer.from('a16161', 'hex')],
      ['ListMetrics', encodeCbor([1, 2])],
      ['ListMetrics', encodeCbor({ Namespace: 7 })],
      ['ListMetrics', encodeCbor({ Dimensions: { Name: 'x' } })],
      ['GetMetricStatistics', encodeCbor({ Period: 1.5 })],
      ['GetMetricStatistics', encodeCbor({ StartTime: 'yesterday' })],
      ['GetMetricStatistics', encodeCbor({ Period: '60' })],
      ['PutMetricData', encodeCbor({ MetricData: [{ Value: true }] })],
      ['ListMetrics', encodeCbor(new Map([[1, 'x']]))],
    ] as const) {
      await assert.rejects(cbor.parse(op, req(op, body)), (e: any) => e instanceof ServiceError && e.code === 'SerializationException' && e.status === 400, body.toString('hex'));
    }
  });

  it('a body that is not application/cbor is 415', async () => {
    await assert.rejects(cbor.parse('ListMetrics', req('ListMetrics', {}, { ...cborHeaders, 'content-type': 'application/json' })), (e: any) => e.code === 'UnsupportedMediaTypeException' && e.status === 415);
  });

  it('writes doubles as 64-bit floats, integers in their shortest form, timestamps as tag 1', () => {
    const res = cbor.serialize('GetMetricStatistics', { Datapoints: [{ Timestamp: t0, Sum: 4 }] }, { requestId: 'r' });
    const hex = (res.body as Buffer).toString('hex');
    assert.ok(hex.includes(Buffer.from('Sum').toString('hex') + 'fb4010000000000000'), hex);
    assert.ok(hex.includes('c11a65920080'), hex);
    assert.equal(res.headers['x-amzn-requestid'], 'r');
    const list = cbor.serialize('ListDashboards', { DashboardEntries: [{ DashboardName: 'd', Size: 2 ** 40, LastModified: '2024-01-01T00:00:00.500Z' }] }, { requestId: 'r' });
    assert.deepEqual(decodeCbor(list.body as Buffer), { DashboardEntries: [{ DashboardName: 'd', LastModified: new Date(1704067200500), Size: 2 ** 40 }] });
  });

  it('an unexpected failure is 500 InternalFailure, Receiver', () => {
    const res = cbor.serializeError(new Error('secret details'), 'ListMetrics', { requestId: 'r' });
    assert.equal(res.status, 500);
    assert.equal(res.headers['x-amzn-query-error'], 'InternalFailure;Receiver');
    const body = decodeCbor(res.body as Buffer) as Record<string, string>;
    assert.equal(body.__type, 'com.amazonaws.cloudwatch#InternalFailure');
    assert.doesNotMatch(body.message!, /secret/);
  });

  it('extra error fields are written next to message', () => {
    const res = cbor.serializeError(new ServiceError('InvalidNextToken', 'bad token', { status: 400, fields: { Detail: 'd', Count: 2 } }), 'ListMetrics', { requestId: 'r' });
    assert.deepEqual(decodeCbor(res.body as Buffer), { __type: 'com.amazonaws.cloudwatch#InvalidNextToken', message: 'bad token', Detail: 'd', Count: 2 });
  });
});
