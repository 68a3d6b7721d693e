import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CreateFunctionCommand,
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-lambda';
import { ServiceError } from '../core/errors.js';
import { createCodec, unknownOperationError } from './index.js';
import { loadModel } from './model.js';
import { clientConfig, codecHandler, makeRequest, TEST_REQUEST_ID, type Responder } from './testing.js';

const lambda = loadModel('lambda');
const codec = createCodec(lambda);

function client(respond: Responder) {
  const handler = codecHandler(lambda, respond);
  return { handler, client: new LambdaClient(clientConfig(handler)) };
}

const FN_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:hello';

describe('rest-json (Lambda): success paths', () => {
  it('CreateFunction: JSON body with a base64 blob in, 201 with the configuration out', async () => {
    const { client: c, handler } = client((op, input) => {
      assert.equal(op, 'CreateFunction');
      assert.deepEqual(input, {
        FunctionName: 'hello', Role: 'arn:aws:iam::123456789012:role/r', Runtime: 'nodejs20.x', Handler: 'index.handler',
        Code: { ZipFile: Buffer.from('PK\u0003\u0004zip') }, Timeout: 3, MemorySize: 256, Publish: true,
        Environment: { Variables: { STAGE: 'dev' } }, Architectures: ['arm64'],
      });
      return {
        FunctionName: 'hello', FunctionArn: FN_ARN, Runtime: 'nodejs20.x', Timeout: 3, MemorySize: 256,
        LastModified: '2024-01-01T00:00:00.000+0000', State: 'Active', Environment: { Variables: { STAGE: 'dev' } },
        Architectures: ['arm64'],
      };
    });
    const out = await c.send(
      new CreateFunctionCommand({
        FunctionName: 'hello', Role: 'arn:aws:iam::123456789012:role/r', Runtime: 'nodejs20.x', Handler: 'index.handler',
        Code: { ZipFile: Buffer.from('PK\u0003\u0004zip') }, Timeout: 3, MemorySize: 256, Publish: true,
        Environment: { Variables: { STAGE: 'dev' } }, Architectures: ['arm64'],
      }),
    );
    assert.equal(out.$metadata.httpStatusCode, 201);
    assert.equal(out.$metadata.requestId, TEST_REQUEST_ID);
    assert.equal(out.FunctionArn, FN_ARN);
    assert.deepEqual(out.Environment, { Variables: { STAGE: 'dev' } });
    assert.equal(handler.last.response.headers['content-type'], 'application/json');
  });

  it('Invoke: ARN label, headers and raw payload in; status, headers and raw payload out', async () => {
    const { client: c, handler } = client((op, input) => {
      assert.equal(op, 'Invoke');
      assert.equal(input.FunctionName, `${FN_ARN}:prod`);
      assert.equal(input.InvocationType, 'RequestResponse');
      assert.equal(input.LogType, 'Tail');
      assert.equal(input.Qualifier, undefined);
      assert.deepEqual(input.Payload, Buffer.from('{"name":"world"}'));
      return {
        StatusCode: 200, ExecutedVersion: '$LATEST', FunctionError: 'Unhandled',
        LogResult: Buffer.from('START RequestId').toString('base64'), Payload: Buffer.from('{"errorMessage":"boom"}'),
      };
    });
    const out = await c.send(
      new InvokeCommand({ FunctionName: `${FN_ARN}:prod`, InvocationType: 'RequestResponse', LogType: 'Tail', Payload: Buffer.from('{"name":"world"}') }),
    );
    assert.equal(out.StatusCode, 200);
    assert.equal(out.FunctionError, 'Unhandled');
    assert.equal(out.ExecutedVersion, '$LATEST');
    assert.equal(Buffer.from(out.LogResult!, 'base64').toString(), 'START RequestId');
    assert.equal(Buffer.from(out.Payload!).toString(), '{"errorMessage":"boom"}');
    assert.equal(handler.last.response.headers['x-amz-function-error'], 'Unhandled');
  });

  it('Invoke: the statusCode member sets the HTTP status (202 for Event)', async () => {
    const { client: c } = client(() => ({ StatusCode: 202 }));
    const out = await c.send(new InvokeCommand({ FunctionName: 'hello', InvocationType: 'Event' }));
    assert.equal(out.StatusCode, 202);
    assert.equal(out.$metadata.httpStatusCode, 202);
  });

  it('ListFunctions: query-string members in, lists out', async () => {
    const { client: c, handler } = client((op, input) => {
      assert.equal(op, 'ListFunctions');
      assert.deepEqual(input, { MaxItems: 5, Marker: 'abc', FunctionVersion: 'ALL' });
      return { Functions: [{ FunctionName: 'a' }, { FunctionName: 'b', MemorySize: 128 }], NextMarker: 'def' };
    });
    const out = await c.send(new ListFunctionsCommand({ MaxItems: 5, Marker: 'abc', FunctionVersion: 'ALL' }));
    assert.deepEqual(out.Functions, [{ FunctionName: 'a' }, { FunctionName: 'b', MemorySize: 128 }]);
    assert.equal(out.NextMarker, 'def');
    assert.equal(handler.last.request.method, 'GET');
    for (const path of ['/2015-03-31/functions', '/2015-03-31/functions/']) {
      assert.equal(codec.resolveOperation(makeRequest({ method: 'GET', path })), 'ListFunctions');
    }
  });
});

describe('rest-json (Lambda): errors', () => {
  it('GetFunction: Lambda-style {"Type","Message"} body and x-amzn-ErrorType header', async () => {
    const { client: c, handler } = client(() => {
      throw new ServiceError('ResourceNotFoundException', `Function not found: ${FN_ARN}`);
    });
    await assert.rejects(c.send(new GetFunctionCommand({ FunctionName: 'hello' })), (err: any) => {
      assert.equal(err.name, 'ResourceNotFoundException');
      assert.equal(err.message, `Function not found: ${FN_ARN}`);
      assert.equal(err.Type, 'User');
      assert.equal(err.$metadata.httpStatusCode, 404);
      assert.equal(err.$metadata.requestId, TEST_REQUEST_ID);
      return true;
    });
    assert.equal(handler.last.response.headers['x-amzn-errortype'], 'ResourceNotFoundException');
    assert.equal(handler.last.response.body, `{"Type":"User","Message":"Function not found: ${FN_ARN}"}`);
  });

  it('Invoke: extra error fields and headers reach the SDK exception', async () => {
    const { client: c } = client(() => {
      throw new ServiceError('TooManyRequestsException', 'Rate Exceeded.', {
        fields: { Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' },
        headers: { 'retry-after': '3' },
      });
    });
    await assert.rejects(c.send(new InvokeCommand({ FunctionName: 'hello' })), (err: any) => {
      assert.ok(err instanceof TooManyRequestsException);
      assert.equal(err.$metadata.httpStatusCode, 429);
      assert.equal(err.Reason, 'ReservedFunctionConcurrentInvocationLimitExceeded');
      assert.equal(err.retryAfterSeconds, '3');
      return true;
    });
  });

  it('ListFunctions: an unexpected exception is a 500 Service fault', async () => {
    const { client: c, handler } = client(() => {
      throw new RangeError('stack overflow in provider');
    });
    await assert.rejects(c.send(new ListFunctionsCommand({})), (err: any) => {
      assert.equal(err.name, 'InternalFailure');
      assert.equal(err.$metadata.httpStatusCode, 500);
      return true;
    });
    assert.equal(
      handler.last.response.body,
      '{"Type":"Service","Message":"We encountered an internal error. Please try again."}',
    );
  });

  it('unknown path: 404 UnknownOperationException', () => {
    const req = makeRequest({ method: 'GET', path: '/2015-03-31/nothing-here' });
    assert.equal(codec.resolveOperation(req), undefined);
    const res = codec.serializeError(unknownOperationError(lambda, req), undefined, { requestId: 'r' });
    assert.equal(res.status, 404);
    assert.equal(res.headers['x-amzn-errortype'], 'UnknownOperationException');
  });
});

describe('rest-json: malformed input', () => {
  const parse = async (init: Parameters<typeof makeRequest>[0]) => {
    const req = makeRequest(init);
    const op = codec.resolveOperation(req);
    assert.ok(op);
    return codec.parse(op, req);
  };

  it('CreateFunction: a body that is not JSON is InvalidRequestContentException 400', async () => {
    await assert.rejects(parse({ path: '/2015-03-31/functions', body: '{"FunctionName": "x",' }), (err: any) => {
      assert.ok(err instanceof ServiceError);
      assert.equal(err.code, 'InvalidRequestContentException');
      assert.equal(err.status, 400);
      return true;
    });
  });

  it('CreateFunction: wrong JSON types, bad base64 and invalid UTF-8 are rejected', async () => {
    for (const body of [
      '{"FunctionName":"x","MemorySize":"big"}',
      '{"FunctionName":"x","MemorySize":1.5}',
      '{"FunctionName":"x","Publish":"yes"}',
      '{"FunctionName":["x"]}',
      '{"FunctionName":"x","Code":{"ZipFile":"not base64!"}}',
      '[1,2]',
      Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]),
    ]) {
      await assert.rejects(parse({ path: '/2015-03-31/functions', body }), (err: any) => err.code === 'InvalidRequestContentException', String(body));
    }
  });

  it('ListFunctions: a non-numeric MaxItems query value is rejected', async () => {
    await assert.rejects(parse({ method: 'GET', path: '/2015-03-31/functions/', query: 'MaxItems=many' }), (err: any) => err.status === 400);
  });

  it('API Gateway v2 uses BadRequestException and lower-case "message"', async () => {
    const apigw = loadModel('apigatewayv2');
    const c = createCodec(apigw);
    const req = makeRequest({ path: '/v2/apis', body: '{"name": 1}' });
    assert.equal(c.resolveOperation(req), 'CreateApi');
    await assert.rejects(c.parse('CreateApi', req), (err: any) => err.code === 'BadRequestException');
    const res = c.serializeError(new ServiceError('NotFoundException', 'Invalid API identifier specified'), 'GetApi', { requestId: 'r' });
    assert.equal(res.status, 404);
    assert.equal(res.body, '{"message":"Invalid API identifier specified"}');
  });

  it('API Gateway v2: locationName JSON keys and ISO-8601 timestamps', async () => {
    const apigw = loadModel('apigatewayv2');
    const c = createCodec(apigw);
    const req = makeRequest({ path: '/v2/apis', body: '{"name":"api","protocolType":"HTTP"}' });
    assert.deepEqual(await c.parse('CreateApi', req), { Name: 'api', ProtocolType: 'HTTP' });
    const res = c.serialize('CreateApi', { ApiId: 'a1', Name: 'api', CreatedDate: new Date('2024-01-01T00:00:00Z') }, { requestId: 'r' });
    assert.equal(res.status, 201);
    assert.deepEqual(JSON.parse(String(res.body)), { apiId: 'a1', name: 'api', createdDate: '2024-01-01T00:00:00.000Z' });
  });
});
