/**
 * Lambda function URLs end to end: the config API through
 * @aws-sdk/client-lambda (CRUD and AWS's errors), and requests at
 * `<url-id>.lambda-url.us-east-1.localhost` and the path-style address:
 * AuthType NONE with and without the lambda:InvokeFunctionUrl permission,
 * AWS_IAM unsigned and SigV4-signed, the payload 2.0 event, a form post
 * arriving base64, CORS preflights and a function error.
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AddPermissionCommand,
  CreateAliasCommand,
  CreateFunctionUrlConfigCommand,
  DeleteFunctionCommand,
  DeleteFunctionUrlConfigCommand,
  GetFunctionUrlConfigCommand,
  ListFunctionUrlConfigsCommand,
  PublishVersionCommand,
  UpdateFunctionUrlConfigCommand,
} from '@aws-sdk/client-lambda';
import { SignatureV4 } from '@smithy/signature-v4';
import { ACCOUNT, NodeSha256, ROOT_KEY, startTestServer, type TestServer } from './harness.js';
import { call, clients, createFunction, type Clients } from './clients/http-api.js';

const ECHO = `export const handler = async (event) => {
  if (event.queryStringParameters?.fail) throw new Error('boom');
  return { statusCode: 201, headers: { 'content-type': 'application/json', 'x-echo': 'yes' }, body: JSON.stringify(event) };
};`;

const URL_RE = /^http:\/\/([a-z0-9]{32})\.lambda-url\.us-east-1\.localhost:\d+\/$/;

async function expectError(p: Promise<unknown>, name: string, status: number, message?: RegExp): Promise<void> {
  await assert.rejects(p, (err: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(err.name, name, err.message);
    assert.equal(err.$metadata?.httpStatusCode, status);
    if (message) assert.match(err.message, message);
    return true;
  });
}

describe('Lambda function URLs', () => {
  let server: TestServer;
  let c: Clients;
  const host = (id: string) => `${id}.lambda-url.us-east-1.localhost:${server.port}`;

  before(async () => {
    server = await startTestServer();
    c = await clients(server);
    await createFunction(c.lambda, 'url-echo', 'nodejs20.x', 'index.handler', { 'index.mjs': ECHO });
    await createFunction(c.lambda, 'url-iam', 'nodejs20.x', 'index.handler', { 'index.mjs': ECHO });
  });
  after(() => server.close());

  it('CRUD: create, conflict, get, update, list, delete', async () => {
    const created = await c.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'url-echo', AuthType: 'NONE', Cors: { AllowOrigins: ['https://app.example'], AllowMethods: ['POST'], AllowHeaders: ['content-type'], MaxAge: 300 } }));
    assert.equal(created.$metadata.httpStatusCode, 201);
    assert.match(created.FunctionUrl!, URL_RE);
    assert.equal(created.FunctionArn, `arn:aws:lambda:us-east-1:${ACCOUNT}:function:url-echo`);
    assert.equal(created.AuthType, 'NONE');
    assert.equal(created.InvokeMode, 'BUFFERED');
    await expectError(c.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'url-echo', AuthType: 'NONE' })), 'ResourceConflictException', 409, /FunctionUrlConfig exists/);

    const got = await c.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'url-echo' }));
    assert.equal(got.FunctionUrl, created.FunctionUrl);
    assert.deepEqual(got.Cors?.AllowOrigins, ['https://app.example']);
    assert.ok(got.LastModifiedTime);

    const updated = await c.lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: 'url-echo', Cors: { AllowOrigins: ['https://app.example'], AllowMethods: ['POST', 'GET'], AllowHeaders: ['content-type'], ExposeHeaders: ['x-echo'], MaxAge: 600 } }));
    assert.equal(updated.FunctionUrl, created.FunctionUrl);
    assert.equal(updated.AuthType, 'NONE');
    assert.equal(updated.Cors?.MaxAge, 600);

    const list = await c.lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: 'url-echo' }));
    assert.equal(list.FunctionUrlConfigs?.length, 1);
    assert.equal(list.FunctionUrlConfigs![0]!.FunctionUrl, created.FunctionUrl);

    // An alias gets its own URL; a version number is refused.
    const v = await c.lambda.send(new PublishVersionCommand({ FunctionName: 'url-echo' }));
    await c.lambda.send(new CreateAliasCommand({ FunctionName: 'url-echo', Name: 'live', FunctionVersion: v.Version! }));
    const aliased = await c.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'url-echo', Qualifier: 'live', AuthType: 'AWS_IAM' }));
    assert.equal(aliased.FunctionArn, `arn:aws:lambda:us-east-1:${ACCOUNT}:function:url-echo:live`);
    assert.notEqual(aliased.FunctionUrl, created.FunctionUrl);
    assert.equal((await c.lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: 'url-echo' }))).FunctionUrlConfigs?.length, 2);
    await c.lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: 'url-echo', Qualifier: 'live' }));
    await expectError(c.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'url-echo', Qualifier: 'live' })), 'ResourceNotFoundException', 404, /does not exist/);
    await expectError(c.lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: 'url-echo', Qualifier: 'live' })), 'ResourceNotFoundException', 404);

    await expectError(c.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'url-echo', Qualifier: '1', AuthType: 'NONE' })), 'ValidationException', 400, /qualifier/);
    await expectError(c.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'url-echo', AuthType: 'BASIC' as 'NONE' })), 'ValidationException', 400, /enum value set: \[NONE, AWS_IAM\]/);
    await expectError(c.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'no-such-fn', AuthType: 'NONE' })), 'ResourceNotFoundException', 404, /Function not found/);
    await expectError(c.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'url-echo', Qualifier: 'nope', AuthType: 'NONE' })), 'ResourceNotFoundException', 404);
    await expectError(c.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'url-iam' })), 'ResourceNotFoundException', 404);
  });

  it('AuthType NONE: 403 until the policy allows lambda:InvokeFunctionUrl, then the 2.0 event', async () => {
    const { FunctionUrl } = await c.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'url-echo' }));
    const id = URL_RE.exec(FunctionUrl!)![1]!;
    const denied = await call(server, '', '/hello', { host: host(id) });
    assert.equal(denied.status, 403);
    assert.deepEqual(denied.json(), { Message: 'Forbidden' });

    await c.lambda.send(new AddPermissionCommand({ FunctionName: 'url-echo', StatementId: 'public-url', Action: 'lambda:InvokeFunctionUrl', Principal: '*', FunctionUrlAuthType: 'NONE' }));
    const r = await call(server, '', '/hello/world?a=1&a=2&b=x', { host: host(id), headers: { cookie: 'c1=v1; c2=v2', 'x-custom': 'one' } });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.headers['x-echo'], 'yes');
    const e = r.json();
    assert.equal(e.version, '2.0');
    assert.equal(e.routeKey, '$default');
    assert.equal(e.rawPath, '/hello/world');
    assert.equal(e.rawQueryString, 'a=1&a=2&b=x');
    assert.deepEqual(e.queryStringParameters, { a: '1,2', b: 'x' });
    assert.deepEqual(e.cookies, ['c1=v1', 'c2=v2']);
    assert.equal(e.headers['x-custom'], 'one');
    assert.equal(e.isBase64Encoded, false);
    assert.equal(e.requestContext.apiId, id);
    assert.equal(e.requestContext.domainPrefix, id);
    assert.equal(e.requestContext.domainName, `${id}.lambda-url.us-east-1.localhost`);
    assert.equal(e.requestContext.accountId, 'anonymous');
    assert.equal(e.requestContext.stage, '$default');
    assert.equal(e.requestContext.routeKey, '$default');
    assert.equal(e.requestContext.http.method, 'GET');
    assert.equal(e.requestContext.http.path, '/hello/world');

    // The path-style address reaches the same URL.
    const p = await call(server, '', `/_stratus/lambda-url/${id}/via/path`, { host: `127.0.0.1:${server.port}` });
    assert.equal(p.status, 201);
    assert.equal(p.json().rawPath, '/via/path');
    // An unknown url-id is Forbidden.
    assert.equal((await call(server, '', '/', { host: host('a'.repeat(32)) })).status, 403);
  });

  it('a form post arrives base64; a function error is 502', async () => {
    const { FunctionUrl } = await c.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'url-echo' }));
    const id = URL_RE.exec(FunctionUrl!)![1]!;
    const form = 'name=Ada+Lovelace&msg=hi%21';
    const r = await call(server, '', '/contact', { host: host(id), method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
    const e = r.json();
    assert.equal(e.isBase64Encoded, true);
    assert.equal(Buffer.from(e.body, 'base64').toString(), form);
    assert.equal(e.requestContext.http.method, 'POST');

    const failed = await call(server, '', '/?fail=1', { host: host(id) });
    assert.equal(failed.status, 502);
    assert.equal(failed.text, 'Internal Server Error');
  });

  it('CORS: preflight answered from the config, headers on responses', async () => {
    const { FunctionUrl } = await c.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'url-echo' }));
    const id = URL_RE.exec(FunctionUrl!)![1]!;
    const pre = await call(server, '', '/contact', { host: host(id), method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    assert.equal(pre.status, 200);
    assert.equal(pre.headers['access-control-allow-origin'], 'https://app.example');
    assert.equal(pre.headers['access-control-allow-methods'], 'POST,GET');
    assert.equal(pre.headers['access-control-max-age'], '600');
    const other = await call(server, '', '/contact', { host: host(id), method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    assert.equal(other.headers['access-control-allow-origin'], undefined);
    const r = await call(server, '', '/x', { host: host(id), headers: { origin: 'https://app.example' } });
    assert.equal(r.headers['access-control-allow-origin'], 'https://app.example');
    assert.equal(r.headers['access-control-expose-headers'], 'x-echo');
  });

  it('AuthType AWS_IAM: unsigned is 403, SigV4-signed (service lambda) by an allowed caller runs', async () => {
    const created = await c.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'url-iam', AuthType: 'AWS_IAM' }));
    const id = URL_RE.exec(created.FunctionUrl!)![1]!;
    const unsigned = await call(server, '', '/secure', { host: host(id) });
    assert.equal(unsigned.status, 403);
    assert.deepEqual(unsigned.json(), { Message: 'Forbidden' });

    const signer = new SignatureV4({ service: 'lambda', region: 'us-east-1', credentials: ROOT_KEY, sha256: NodeSha256 });
    const body = '{"hello":"iam"}';
    const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname: `${id}.lambda-url.us-east-1.localhost`, port: server.port, path: '/secure', query: { q: '1' }, headers: { host: host(id), 'content-type': 'application/json' }, body });
    const headers = Object.entries(signed.headers as Record<string, string>).filter(([k]) => k.toLowerCase() !== 'host');
    const r = await call(server, '', '/secure?q=1', { host: host(id), method: 'POST', headers, body });
    assert.equal(r.status, 201, r.text);
    const e = r.json();
    assert.equal(e.body, body);
    assert.equal(e.requestContext.accountId, ACCOUNT);
    assert.equal(e.requestContext.authorizer.iam.accessKey, ROOT_KEY.accessKeyId);
    assert.equal(e.requestContext.authorizer.iam.userArn, `arn:aws:iam::${ACCOUNT}:root`);

    // A tampered signature is refused.
    const bad = headers.map(([k, v]) => [k, k.toLowerCase() === 'authorization' ? v.replace(/Signature=[0-9a-f]{4}/, 'Signature=0000') : v] as [string, string]);
    assert.equal((await call(server, '', '/secure?q=1', { host: host(id), method: 'POST', headers: bad, body })).status, 403);
  });

  it('a URL does not outlive its function: a re-created function of the same name has none', async () => {
    await createFunction(c.lambda, 'url-gone', 'nodejs20.x', 'index.handler', { 'index.mjs': ECHO });
    const first = await c.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'url-gone', AuthType: 'AWS_IAM' }));
    const id = URL_RE.exec(first.FunctionUrl!)![1]!;
    await c.lambda.send(new DeleteFunctionCommand({ FunctionName: 'url-gone' }));
    await createFunction(c.lambda, 'url-gone', 'nodejs20.x', 'index.handler', { 'index.mjs': ECHO });
    await expectError(c.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'url-gone' })), 'ResourceNotFoundException', 404);
    assert.equal((await c.lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: 'url-gone' }))).FunctionUrlConfigs?.length, 0);
    assert.equal((await call(server, '', '/', { host: host(id) })).status, 403);
    const second = await c.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'url-gone', AuthType: 'NONE' }));
    assert.notEqual(second.FunctionUrl, first.FunctionUrl);
  });
});
