import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DescribeLogGroupsCommand,
  PutLogEventsCommand,
  ResourceAlreadyExistsException,
} from '@aws-sdk/client-cloudwatch-logs';
import type { PutLogEventsCommandOutput } from '@aws-sdk/client-cloudwatch-logs';
import { ServiceError } from '../core/errors.js';
import { createCodec, unknownOperationError } from './index.js';
import { loadModel } from './model.js';
import { clientConfig, codecHandler, makeRequest, TEST_REQUEST_ID, type Responder } from './testing.js';

const logs = loadModel('logs');
const codec = createCodec(logs);

function client(respond: Responder) {
  const handler = codecHandler(logs, respond);
  return { handler, client: new CloudWatchLogsClient(clientConfig(handler)) };
}

const amzJson = { 'content-type': 'application/x-amz-json-1.1' };

describe('json 1.1 (CloudWatch Logs): success paths', () => {
  it('PutLogEvents: routed by X-Amz-Target, lists of structures with longs in', async () => {
    const { client: c, handler } = client((op, input) => {
      assert.equal(op, 'PutLogEvents');
      assert.deepEqual(input, {
        logGroupName: '/aws/lambda/hello',
        logStreamName: '2024/01/01/[$LATEST]abc',
        logEvents: [
          { timestamp: 1704067200000, message: 'START' },
          { timestamp: 1704067200001, message: 'ünïcode ✓' },
        ],
      });
      return { nextSequenceToken: '49590' };
    });
    const out: PutLogEventsCommandOutput = await c.send(
      new PutLogEventsCommand({
        logGroupName: '/aws/lambda/hello',
        logStreamName: '2024/01/01/[$LATEST]abc',
        logEvents: [
          { timestamp: 1704067200000, message: 'START' },
          { timestamp: 1704067200001, message: 'ünïcode ✓' },
        ],
      }),
    );
    assert.equal(out.nextSequenceToken, '49590');
    assert.equal(out.$metadata.requestId, TEST_REQUEST_ID);
    assert.equal(handler.last.request.headers['x-amz-target'], 'Logs_20140328.PutLogEvents');
    assert.equal(handler.last.response.headers['content-type'], 'application/x-amz-json-1.1');
  });

  it('DescribeLogGroups: pagination input, list output', async () => {
    const { client: c } = client((op, input) => {
      assert.equal(op, 'DescribeLogGroups');
      assert.deepEqual(input, { logGroupNamePrefix: '/aws/', limit: 2 });
      return {
        logGroups: [
          { logGroupName: '/aws/a', creationTime: 1704067200000, retentionInDays: 7, storedBytes: 0, arn: 'arn:aws:logs:us-east-1:1:log-group:/aws/a:*' },
          { logGroupName: '/aws/b', creationTime: 1704067200000 },
        ],
        nextToken: 'n',
      };
    });
    const out = await c.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/', limit: 2 }));
    assert.deepEqual(out.logGroups?.map((g) => g.logGroupName), ['/aws/a', '/aws/b']);
    assert.equal(out.logGroups?.[0]?.retentionInDays, 7);
    assert.equal(out.nextToken, 'n');
  });

  it('CreateLogGroup: an operation without output answers {}', async () => {
    const { client: c, handler } = client(() => undefined);
    await c.send(new CreateLogGroupCommand({ logGroupName: 'g' }));
    assert.equal(handler.last.response.body, '{}');
  });
});

describe('json 1.1 (CloudWatch Logs): errors', () => {
  it('CreateLogGroup: __type and message round-trip to the modelled exception', async () => {
    const { client: c, handler } = client(() => {
      throw new ServiceError('ResourceAlreadyExistsException', 'The specified log group already exists');
    });
    await assert.rejects(c.send(new CreateLogGroupCommand({ logGroupName: 'g' })), (err: any) => {
      assert.ok(err instanceof ResourceAlreadyExistsException);
      assert.equal(err.message, 'The specified log group already exists');
      assert.equal(err.$metadata.httpStatusCode, 400);
      assert.equal(err.$metadata.requestId, TEST_REQUEST_ID);
      return true;
    });
    assert.equal(handler.last.response.body, '{"__type":"ResourceAlreadyExistsException","message":"The specified log group already exists"}');
    assert.equal(handler.last.response.headers['x-amzn-errortype'], 'ResourceAlreadyExistsException');
  });

  it('PutLogEvents: extra fields such as expectedSequenceToken are kept', async () => {
    const { client: c } = client(() => {
      throw new ServiceError('InvalidSequenceTokenException', 'The given sequenceToken is invalid.', {
        fields: { expectedSequenceToken: '4959' },
      });
    });
    await assert.rejects(
      c.send(new PutLogEventsCommand({ logGroupName: 'g', logStreamName: 's', logEvents: [] })),
      (err: any) => err.name === 'InvalidSequenceTokenException' && err.expectedSequenceToken === '4959',
    );
  });

  it('DescribeLogGroups: an unexpected exception is a 500 InternalFailure', async () => {
    const { client: c } = client(() => {
      throw 'a thrown string';
    });
    await assert.rejects(c.send(new DescribeLogGroupsCommand({})), (err: any) => {
      assert.equal(err.name, 'InternalFailure');
      assert.equal(err.$metadata.httpStatusCode, 500);
      return true;
    });
  });
});

describe('json 1.1: malformed input and routing', () => {
  const parse = (op: string, body: string | Buffer, headers: Record<string, string> = amzJson) =>
    codec.parse(op, makeRequest({ body, headers: { ...headers, 'x-amz-target': `Logs_20140328.${op}` } }));

  it('PutLogEvents: a body that is not JSON is SerializationException 400', async () => {
    await assert.rejects(parse('PutLogEvents', '{"logGroupName":'), (err: any) => {
      assert.ok(err instanceof ServiceError);
      assert.equal(err.code, 'SerializationException');
      assert.equal(err.status, 400);
      return true;
    });
  });

  it('PutLogEvents: wrong member types and invalid UTF-8 are SerializationException', async () => {
    for (const body of [
      '{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":"soon","message":"m"}]}',
      '{"logGroupName":"g","logStreamName":"s","logEvents":{"timestamp":1}}',
      '{"logGroupName":7}',
      '"just a string"',
      Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]),
    ]) {
      await assert.rejects(parse('PutLogEvents', body), (err: any) => err.code === 'SerializationException', String(body));
    }
  });

  it('PutLogEvents: an empty body reads as {} and nulls are absent', async () => {
    assert.deepEqual(await parse('DescribeLogGroups', ''), {});
    assert.deepEqual(await parse('DescribeLogGroups', '{"limit":null,"logGroupNamePrefix":"a"}'), { logGroupNamePrefix: 'a' });
  });

  it('a non-JSON content type is rejected with 400', async () => {
    await assert.rejects(parse('DescribeLogGroups', '{}', { 'content-type': 'text/plain' }), (err: any) => {
      assert.equal(err.code, 'UnknownOperationException');
      assert.equal(err.status, 400);
      return true;
    });
    assert.deepEqual(await parse('DescribeLogGroups', '{}', { 'content-type': 'application/x-amz-json-1.0' }), {});
  });

  it('unknown or foreign X-Amz-Target: no operation, 400 UnknownOperationException', () => {
    for (const target of ['Logs_20140328.Nope', 'DynamoDB_20120810.PutItem', undefined]) {
      const req = makeRequest({ body: '{}', headers: target ? { ...amzJson, 'x-amz-target': target } : amzJson });
      assert.equal(codec.resolveOperation(req), undefined);
      const res = codec.serializeError(unknownOperationError(logs, req), undefined, { requestId: 'r' });
      assert.equal(res.status, 400);
      assert.equal(JSON.parse(String(res.body)).__type, 'UnknownOperationException');
    }
  });
});
