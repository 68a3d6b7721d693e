import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CreateUserCommand, GetUserCommand, IAMClient, ListUsersCommand } from '@aws-sdk/client-iam';
import { PublishCommand, SNSClient, GetTopicAttributesCommand } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ServiceError } from '../core/errors.js';
import { createCodec, unknownOperationError } from './index.js';
import { loadModel } from './model.js';
import { clientConfig, codecHandler, makeRequest, TEST_REQUEST_ID } from './testing.js';

const iam = loadModel('iam');
const form = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };

async function parseError(model: string, body: string): Promise<ServiceError> {
  const codec = createCodec(loadModel(model));
  const req = makeRequest({ body, headers: form });
  const op = codec.resolveOperation(req);
  assert.ok(op, 'operation resolves');
  try {
    await codec.parse(op, req);
  } catch (err) {
    assert.ok(err instanceof ServiceError, 'a ServiceError');
    return err;
  }
  assert.fail('parse did not throw');
}

describe('query protocol (IAM)', () => {
  it('CreateUser: parses tags from member lists and returns the wrapped User with ISO timestamps', async () => {
    const handler = codecHandler(iam, (op, input) => {
      assert.equal(op, 'CreateUser');
      assert.deepEqual(input, { UserName: 'alice', Path: '/eng/', Tags: [{ Key: 'team', Value: 'a&b c' }] });
      return {
        User: {
          Path: '/eng/', UserName: 'alice', UserId: 'AIDAEXAMPLE', Arn: 'arn:aws:iam::123456789012:user/eng/alice',
          CreateDate: new Date('2024-01-02T03:04:05Z'), Tags: [{ Key: 'team', Value: 'a&b c' }],
        },
      };
    });
    const client = new IAMClient(clientConfig(handler));
    const out = await client.send(new CreateUserCommand({ UserName: 'alice', Path: '/eng/', Tags: [{ Key: 'team', Value: 'a&b c' }] }));
    assert.equal(out.User?.UserName, 'alice');
    assert.equal(out.User?.CreateDate?.toISOString(), '2024-01-02T03:04:05.000Z');
    assert.deepEqual(out.User?.Tags, [{ Key: 'team', Value: 'a&b c' }]);
    assert.equal(out.$metadata.requestId, TEST_REQUEST_ID);
    const body = String(handler.last.response.body);
    assert.match(body, /^<CreateUserResponse xmlns="https:\/\/iam\.amazonaws\.com\/doc\/2010-05-08\/"><CreateUserResult><User>/);
    assert.match(body, /<CreateDate>2024-01-02T03:04:05Z<\/CreateDate>/);
    assert.match(body, /<ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE<\/RequestId><\/ResponseMetadata><\/CreateUserResponse>$/);
    assert.equal(handler.last.response.headers['content-type'], 'text/xml');
  });

  it('ListUsers: integers in, lists of members and booleans out', async () => {
    const handler = codecHandler(iam, (_op, input) => {
      assert.deepEqual(input, { MaxItems: 2, PathPrefix: '/' });
      return {
        Users: [
          { Path: '/', UserName: 'a', UserId: 'AIDA1', Arn: 'arn:aws:iam::123456789012:user/a', CreateDate: new Date(1700000000123) },
          { Path: '/', UserName: 'b', UserId: 'AIDA2', Arn: 'arn:aws:iam::123456789012:user/b', CreateDate: '2020-05-06T07:08:09Z' },
        ],
        IsTruncated: true,
        Marker: 'next',
      };
    });
    const out = await new IAMClient(clientConfig(handler)).send(new ListUsersCommand({ MaxItems: 2, PathPrefix: '/' }));
    assert.deepEqual(out.Users?.map((u) => u.UserName), ['a', 'b']);
    assert.equal(out.Users?.[0]?.CreateDate?.getTime(), 1700000000123);
    assert.equal(out.Users?.[1]?.CreateDate?.toISOString(), '2020-05-06T07:08:09.000Z');
    assert.equal(out.IsTruncated, true);
    assert.equal(out.Marker, 'next');
  });

  it('ListUsers: an empty list is written as an empty element', async () => {
    const handler = codecHandler(iam, () => ({ Users: [], IsTruncated: false }));
    const out = await new IAMClient(clientConfig(handler)).send(new ListUsersCommand({}));
    assert.deepEqual(out.Users, []);
    assert.match(String(handler.last.response.body), /<Users><\/Users>/);
  });

  it('GetUser: a modelled error round-trips with its status, code, message and Sender type', async () => {
    const handler = codecHandler(iam, () => {
      throw new ServiceError('NoSuchEntity', 'The user with name nobody cannot be found.');
    });
    await assert.rejects(new IAMClient(clientConfig(handler)).send(new GetUserCommand({ UserName: 'nobody' })), (err: any) => {
      assert.equal(err.name, 'NoSuchEntityException');
      assert.equal(err.message, 'The user with name nobody cannot be found.');
      assert.equal(err.$metadata.httpStatusCode, 404);
      assert.equal(err.$metadata.requestId, TEST_REQUEST_ID);
      assert.equal(err.Error.Code, 'NoSuchEntity');
      assert.equal(err.Error.Type, 'Sender');
      return true;
    });
    assert.equal(
      handler.last.response.body,
      '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>NoSuchEntity</Code>' +
        '<Message>The user with name nobody cannot be found.</Message></Error>' +
        '<RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ErrorResponse>',
    );
  });

  it('GetUser: codes outside the model (auth failures) keep their own status', async () => {
    const handler = codecHandler(iam, () => {
      throw new ServiceError('SignatureDoesNotMatch', 'The request signature we calculated does not match', { status: 403 });
    });
    await assert.rejects(new IAMClient(clientConfig(handler)).send(new GetUserCommand({})), (err: any) => {
      assert.equal(err.name, 'SignatureDoesNotMatch');
      assert.equal(err.$metadata.httpStatusCode, 403);
      return true;
    });
  });

  it('GetUser: a 5xx ServiceError is a Receiver fault with its own status', () => {
    const res = createCodec(iam).serializeError(
      new ServiceError('ServiceUnavailable', 'Service is unable to handle request.', { status: 503 }),
      'GetUser',
      { requestId: 'r' },
    );
    assert.equal(res.status, 503);
    assert.match(String(res.body), /<Type>Receiver<\/Type><Code>ServiceUnavailable<\/Code>/);
  });

  it('GetUser: an unexpected exception is a 500 InternalFailure from the Receiver without internals', async () => {
    const handler = codecHandler(iam, () => {
      throw new Error('database exploded at /srv/secret.ts:12');
    });
    await assert.rejects(new IAMClient(clientConfig(handler)).send(new GetUserCommand({})), (err: any) => {
      assert.equal(err.name, 'InternalFailure');
      assert.equal(err.$metadata.httpStatusCode, 500);
      return true;
    });
    const body = String(handler.last.response.body);
    assert.match(body, /<Type>Receiver<\/Type><Code>InternalFailure<\/Code>/);
    assert.doesNotMatch(body, /secret|exploded/);
  });
});

describe('query protocol (STS)', () => {
  const sts = loadModel('sts');

  it('GetCallerIdentity: no input, wrapped result', async () => {
    const handler = codecHandler(sts, (op, input) => {
      assert.equal(op, 'GetCallerIdentity');
      assert.deepEqual(input, {});
      return { UserId: 'AIDAEXAMPLE', Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/alice' };
    });
    const out = await new STSClient(clientConfig(handler)).send(new GetCallerIdentityCommand({}));
    assert.equal(out.Account, '123456789012');
    assert.equal(out.Arn, 'arn:aws:iam::123456789012:user/alice');
    assert.equal(out.UserId, 'AIDAEXAMPLE');
  });

  it('AssumeRole: nested lists and structures in, credentials with a millisecond expiry out', async () => {
    const handler = codecHandler(sts, (_op, input) => {
      assert.deepEqual(input, {
        RoleArn: 'arn:aws:iam::123456789012:role/r',
        RoleSessionName: 's1',
        DurationSeconds: 900,
        PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }],
        Tags: [{ Key: 'k', Value: 'v' }],
        TransitiveTagKeys: ['k'],
      });
      return {
        Credentials: { AccessKeyId: 'ASIAEXAMPLE', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date('2024-01-01T01:00:00.359Z') },
        AssumedRoleUser: { AssumedRoleId: 'AROAEXAMPLE:s1', Arn: 'arn:aws:sts::123456789012:assumed-role/r/s1' },
        PackedPolicySize: 6,
      };
    });
    const out = await new STSClient(clientConfig(handler)).send(
      new AssumeRoleCommand({
        RoleArn: 'arn:aws:iam::123456789012:role/r', RoleSessionName: 's1', DurationSeconds: 900,
        PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }], Tags: [{ Key: 'k', Value: 'v' }], TransitiveTagKeys: ['k'],
      }),
    );
    assert.equal(out.Credentials?.Expiration?.toISOString(), '2024-01-01T01:00:00.359Z');
    assert.equal(out.AssumedRoleUser?.Arn, 'arn:aws:sts::123456789012:assumed-role/r/s1');
    assert.equal(out.PackedPolicySize, 6);
  });

  it('AssumeRole: a model error uses the code and status from the error table', async () => {
    const handler = codecHandler(sts, () => {
      throw new ServiceError('MalformedPolicyDocument', 'bad policy');
    });
    await assert.rejects(
      new STSClient(clientConfig(handler)).send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::1:role/r', RoleSessionName: 's' })),
      (err: any) => err.name === 'MalformedPolicyDocumentException' && err.$metadata.httpStatusCode === 400 && err.message === 'bad policy',
    );
  });
});

describe('query protocol (SNS)', () => {
  const sns = loadModel('sns');

  it('Publish: MessageAttributes map entries with named key/value and base64 blobs', async () => {
    const handler = codecHandler(sns, (_op, input) => {
      assert.deepEqual(input, {
        TopicArn: 'arn:aws:sns:us-east-1:123456789012:t',
        Message: 'hello',
        MessageAttributes: {
          color: { DataType: 'String', StringValue: 'blue' },
          raw: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 2, 255]) },
        },
      });
      return { MessageId: 'b1a5b6c4-0000-0000-0000-000000000000' };
    });
    const out = await new SNSClient(clientConfig(handler)).send(
      new PublishCommand({
        TopicArn: 'arn:aws:sns:us-east-1:123456789012:t',
        Message: 'hello',
        MessageAttributes: {
          color: { DataType: 'String', StringValue: 'blue' },
          raw: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 2, 255]) },
        },
      }),
    );
    assert.equal(out.MessageId, 'b1a5b6c4-0000-0000-0000-000000000000');
    assert.match(String(handler.last.request.body), /MessageAttributes\.entry\.1\.Name=color/);
  });

  it('GetTopicAttributes: maps are written as entry/key/value', async () => {
    const handler = codecHandler(sns, () => ({ Attributes: { Policy: '{"a":"<b>"}', Owner: '123456789012' } }));
    const out = await new SNSClient(clientConfig(handler)).send(new GetTopicAttributesCommand({ TopicArn: 'arn:aws:sns:us-east-1:1:t' }));
    assert.deepEqual(out.Attributes, { Policy: '{"a":"<b>"}', Owner: '123456789012' });
    assert.match(String(handler.last.response.body), /<Attributes><entry><key>Policy<\/key><value>\{&quot;a&quot;:&quot;&lt;b&gt;&quot;\}<\/value><\/entry>/);
  });
});

describe('query protocol: malformed input', () => {
  it('ListUsers: a non-numeric integer is InvalidParameterValue 400', async () => {
    const err = await parseError('iam', 'Action=ListUsers&Version=2010-05-08&MaxItems=ten');
    assert.equal(err.code, 'InvalidParameterValue');
    assert.equal(err.status, 400);
  });

  it('ListUsers: a broken percent escape is MalformedQueryString', async () => {
    const err = await parseError('iam', 'Action=ListUsers&Version=2010-05-08&PathPrefix=%E0%A4%A');
    assert.equal(err.code, 'MalformedQueryString');
  });

  it('ListUsers: a body that is not UTF-8 is MalformedQueryString', async () => {
    const codec = createCodec(iam);
    const req = makeRequest({ body: Buffer.concat([Buffer.from('Action=ListUsers&PathPrefix='), Buffer.from([0xff, 0xfe])]), headers: form });
    assert.equal(codec.resolveOperation(req), 'ListUsers');
    await assert.rejects(codec.parse('ListUsers', req), (err: any) => err.code === 'MalformedQueryString');
  });

  it('AssumeRole: a fractional integer is rejected and an empty list reads as []', async () => {
    const err = await parseError('sts', 'Action=AssumeRole&RoleArn=a&RoleSessionName=s&DurationSeconds=1.5');
    assert.equal(err.code, 'InvalidParameterValue');
    const codec = createCodec(loadModel('sts'));
    const req = makeRequest({ body: 'Action=AssumeRole&RoleArn=a&RoleSessionName=s&TransitiveTagKeys=', headers: form });
    assert.deepEqual(await codec.parse('AssumeRole', req), { RoleArn: 'a', RoleSessionName: 's', TransitiveTagKeys: [] });
  });

  it('GET requests carry their parameters in the query string', async () => {
    const codec = createCodec(iam);
    const req = makeRequest({ method: 'GET', query: 'Action=GetUser&Version=2010-05-08&UserName=bob' });
    assert.equal(codec.resolveOperation(req), 'GetUser');
    assert.deepEqual(await codec.parse('GetUser', req), { UserName: 'bob' });
  });

  it('unknown or missing Action: InvalidAction / MissingAction 400', () => {
    const codec = createCodec(iam);
    const unknown = makeRequest({ body: 'Action=StealEverything&Version=2010-05-08', headers: form });
    assert.equal(codec.resolveOperation(unknown), undefined);
    const e1 = unknownOperationError(iam, unknown);
    assert.equal(e1.code, 'InvalidAction');
    assert.equal(e1.message, 'Could not find operation StealEverything for version 2010-05-08');
    const res = codec.serializeError(e1, undefined, { requestId: 'r' });
    assert.equal(res.status, 400);
    assert.equal(unknownOperationError(iam, makeRequest({ body: 'Version=2010-05-08' })).code, 'MissingAction');
  });
});
