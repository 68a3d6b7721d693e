/**
 * HTTP APIs end to end, on a real server with real functions: APIs built
 * with @aws-sdk/client-apigatewayv2, Node and Python functions behind
 * payload format 2.0 and 1.0 Lambda proxy integrations, requests at
 * `<apiId>.execute-api.localhost` and the path-style address. Checks the
 * exact events (an echo function returns its event), the seed's form post
 * (base64 body), route precedence, AWS's error responses, response mapping,
 * the function policy API Gateway needs, CORS, throttles, timeouts, an
 * HTTP_PROXY integration, and Hono's aws-lambda adapter inside a function.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CreateApiCommand } from '@aws-sdk/client-apigatewayv2';
import { PutFunctionConcurrencyCommand } from '@aws-sdk/client-lambda';
import { ACCOUNT, REPO, startTestServer, type TestServer } from './harness.js';
import { allowApi, call, clients, createApi, createFunction, logLines, type Clients } from './clients/http-api.js';

const run = promisify(execFile);

const NODE_ECHO = `export const handler = async (event) => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });`;
const PY_ECHO = `import json\ndef handler(event, context):\n    return {'statusCode': 200, 'headers': {'content-type': 'application/json'}, 'body': json.dumps(event)}\n`;
/** Reads the form the way the seed's handler does. */
const PY_FORM = `import json
from base64 import b64decode
from urllib.parse import parse_qs

def handler(event, context):
    data = parse_qs(b64decode(event['body']).decode())
    return {'statusCode': 200, 'headers': {'Access-Control-Allow-Origin': '*'}, 'body': json.dumps({'data': data, 'isBase64Encoded': event['isBase64Encoded'], 'contentType': event['headers'].get('content-type')})}
`;
const SHAPES = `export const handler = async (event) => {
  switch (event.queryStringParameters?.case) {
    case 'string': return 'Hello from Lambda!';
    case 'object': return { message: 'Hello from Lambda!' };
    case 'cookies': return { statusCode: 201, headers: { 'content-type': 'text/plain', 'x-custom': 'yes' }, cookies: ['a=1; Path=/', 'b=2; HttpOnly'], body: 'with cookies' };
    case 'binary': return { statusCode: 200, headers: { 'content-type': 'image/png' }, body: Buffer.from([137, 80, 78, 71, 0, 1, 2, 255]).toString('base64'), isBase64Encoded: true };
    case 'malformed': return { statusCode: 200, body: { not: 'a string' } };
    case 'throw': throw new Error('boom');
    case 'sleep': await new Promise((r) => setTimeout(r, 3000)); return 'late';
    default: return { statusCode: 418, body: 'no case' };
  }
};`;
/** One Hono app for both payload formats: routes carry the format as their first segment. */
const HONO_APP = `import { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
const app = new Hono();
app.get('/:v/hello/:name', (c) => c.json({ hello: c.req.param('name'), x: c.req.query('x') ?? null, ua: c.req.header('user-agent') ?? null, cookie: c.req.header('cookie') ?? null }));
app.post('/:v/form', async (c) => c.json(await c.req.parseBody()));
app.post('/:v/json', async (c) => c.json({ got: await c.req.json() }, 201));
app.get('/:v/cookie', (c) => { c.header('set-cookie', 'session=abc; Path=/', { append: true }); c.header('set-cookie', 'theme=dark', { append: true }); return c.text('cookies set'); });
export const handler = handle(app);
`;

/** Hono's ESM build, bundled into the function's node_modules as npm would install it. */
function honoFiles(): Record<string, Buffer | string> {
  const root = join(REPO, 'node_modules/hono');
  const files: Record<string, Buffer | string> = { 'node_modules/hono/package.json': readFileSync(join(root, 'package.json')), 'index.mjs': HONO_APP };
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'cjs' && e.name !== 'types') walk(p);
      } else if (e.name.endsWith('.js')) files[`node_modules/hono/${relative(root, p)}`] = readFileSync(p);
    }
  };
  walk(join(root, 'dist'));
  return files;
}

const REQUEST_ID = /^[A-Za-z0-9_-]{15}=$/;

describe('HTTP APIs: Lambda proxy integrations', () => {
  let server: TestServer;
  let c: Clients;
  const fn: Record<string, string> = {};

  before(async () => {
    server = await startTestServer();
    c = await clients(server);
    const made = await Promise.all([
      createFunction(c.lambda, 'echo-node', 'nodejs20.x', 'index.handler', { 'index.mjs': NODE_ECHO }),
      createFunction(c.lambda, 'echo-python', 'python3.12', 'main.handler', { 'main.py': PY_ECHO }),
      createFunction(c.lambda, 'form-python', 'python3.12', 'main.handler', { 'main.py': PY_FORM }),
      createFunction(c.lambda, 'shapes', 'nodejs20.x', 'index.handler', { 'index.mjs': SHAPES }),
      createFunction(c.lambda, 'not-allowed', 'nodejs20.x', 'index.handler', { 'index.mjs': NODE_ECHO }),
      createFunction(c.lambda, 'hono', 'nodejs20.x', 'index.handler', honoFiles()),
    ]);
    for (const arn of made) fn[arn.split(':').pop()!] = arn;
  });
  after(async () => server.close());

  it('payload 2.0: a Node function receives AWS exact event', async () => {
    const { apiId } = await createApi(c.apigw, { name: 'v2', routes: { 'GET /items/{id}': { target: fn['echo-node']! } }, stageVariables: { env: 'test' } });
    await allowApi(c.lambda, 'echo-node', apiId);
    const before = Date.now();
    const r = await call(server, apiId, '/items/a%20b?tag=x&tag=y&q=p+q&empty=', {
      headers: [['User-Agent', 'stratus-test'], ['Accept', 'application/json'], ['X-Many', 'one'], ['X-Many', 'two'], ['Cookie', 'sid=1; theme=dark'], ['X-Forwarded-For', '10.1.2.3']],
    });
    assert.equal(r.status, 200);
    assert.match(String(r.headers['apigw-requestid']), REQUEST_ID);
    const e = r.json();
    const ctx = e.requestContext;
    assert.deepEqual(Object.keys(e), ['version', 'routeKey', 'rawPath', 'rawQueryString', 'cookies', 'headers', 'queryStringParameters', 'requestContext', 'pathParameters', 'isBase64Encoded', 'stageVariables']);
    assert.equal(e.version, '2.0');
    assert.equal(e.routeKey, 'GET /items/{id}');
    assert.equal(e.rawPath, '/items/a b');
    assert.equal(e.rawQueryString, 'tag=x&tag=y&q=p+q&empty=');
    assert.deepEqual(e.cookies, ['sid=1', 'theme=dark']);
    assert.deepEqual(e.queryStringParameters, { tag: 'x,y', q: 'p q', empty: '' });
    assert.deepEqual(e.pathParameters, { id: 'a b' });
    assert.deepEqual(e.stageVariables, { env: 'test' });
    assert.equal(e.isBase64Encoded, false);
    assert.equal('body' in e, false);
    const { 'x-amzn-trace-id': trace, ...headers } = e.headers;
    assert.match(trace, /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    assert.deepEqual(headers, {
      host: `${apiId}.execute-api.localhost:${server.port}`,
      'user-agent': 'stratus-test',
      accept: 'application/json',
      'x-many': 'one,two',
      'content-length': '0',
      'x-forwarded-for': '10.1.2.3, 127.0.0.1',
      'x-forwarded-port': String(server.port),
      'x-forwarded-proto': 'http',
    });
    assert.deepEqual(ctx.http, { method: 'GET', path: '/items/a b', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'stratus-test' });
    assert.equal(ctx.accountId, ACCOUNT);
    assert.equal(ctx.apiId, apiId);
    assert.equal(ctx.domainName, `${apiId}.execute-api.localhost`);
    assert.equal(ctx.domainPrefix, apiId);
    assert.equal(ctx.requestId, r.headers['apigw-requestid']);
    assert.equal(ctx.routeKey, 'GET /items/{id}');
    assert.equal(ctx.stage, '$default');
    assert.match(ctx.time, /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    assert.ok(ctx.timeEpoch >= before - 1000 && ctx.timeEpoch <= Date.now());
    assert.equal('authorizer' in ctx, false);
  });

  it('payload 1.0: a Python function on a named stage receives AWS exact event', async () => {
    const { apiId } = await createApi(c.apigw, { name: 'v1', routes: { 'POST /things/{id}': { target: fn['echo-python']!, payload: '1.0' } }, stage: 'prod' });
    await allowApi(c.lambda, 'echo-python', apiId);
    const r = await call(server, apiId, '/prod/things/7?a=1&a=2', { method: 'POST', headers: [['Content-Type', 'application/json'], ['User-Agent', 'ua/1'], ['Cookie', 'k=v']], body: '{"x":"é"}' });
    assert.equal(r.status, 200);
    const e = r.json();
    assert.deepEqual(Object.keys(e).sort(), ['body', 'headers', 'httpMethod', 'isBase64Encoded', 'multiValueHeaders', 'multiValueQueryStringParameters', 'path', 'pathParameters', 'queryStringParameters', 'requestContext', 'resource', 'stageVariables', 'version']);
    assert.equal(e.version, '1.0');
    assert.equal(e.resource, '/things/{id}');
    assert.equal(e.path, '/prod/things/7');
    assert.equal(e.httpMethod, 'POST');
    assert.equal(e.body, '{"x":"é"}');
    assert.equal(e.isBase64Encoded, false);
    assert.deepEqual(e.pathParameters, { id: '7' });
    assert.equal(e.stageVariables, null);
    assert.deepEqual(e.queryStringParameters, { a: '2' });
    assert.deepEqual(e.multiValueQueryStringParameters, { a: ['1', '2'] });
    assert.equal(e.headers['Content-Type'], 'application/json');
    assert.equal(e.headers['Cookie'], 'k=v');
    assert.equal(e.headers['Content-Length'], String(Buffer.byteLength('{"x":"é"}')));
    assert.deepEqual(e.multiValueHeaders['User-Agent'], ['ua/1']);
    assert.equal(e.headers['X-Forwarded-Proto'], 'http');
    const ctx = e.requestContext;
    assert.equal(ctx.resourceId, 'POST /things/{id}');
    assert.equal(ctx.resourcePath, '/things/{id}');
    assert.equal(ctx.path, '/prod/things/7');
    assert.equal(ctx.stage, 'prod');
    assert.equal(ctx.httpMethod, 'POST');
    assert.equal(ctx.extendedRequestId, ctx.requestId);
    assert.equal(ctx.requestId, r.headers['apigw-requestid']);
    assert.match(ctx.requestTime, /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    assert.deepEqual(ctx.identity, {
      accessKey: null, accountId: null, caller: null, cognitoAmr: null, cognitoAuthenticationProvider: null, cognitoAuthenticationType: null,
      cognitoIdentityId: null, cognitoIdentityPoolId: null, principalOrgId: null, sourceIp: '127.0.0.1', user: null, userAgent: 'ua/1', userArn: null,
    });
    // Without the stage segment the path reaches no stage: this API has no $default stage.
    const none = await call(server, apiId, '/things/7', { method: 'POST' });
    assert.equal(none.status, 404);
    assert.equal(none.text, '{"message":"Not Found"}');
  });

  it("the seed's curl --data-urlencode post reaches a Python function base64-encoded", async () => {
    const { apiId } = await createApi(c.apigw, { name: 'contact', routes: { 'ANY /ContactFormFunction': { target: fn['form-python']!, payload: '2.0' } }, stage: 'default' });
    await allowApi(c.lambda, 'form-python', apiId, '*/*/ContactFormFunction');
    const url = `http://${apiId}.execute-api.localhost:${server.port}/default/ContactFormFunction`;
    const { stdout } = await run('curl', ['-s', '-i', url, '--data-urlencode', 'name=John', '--data-urlencode', 'email=john@example.com', '--data-urlencode', 'message=bonjour']);
    const [head, body] = stdout.split('\r\n\r\n');
    assert.match(head!, /^HTTP\/1\.1 200 OK/);
    assert.match(head!, /access-control-allow-origin: \*/i);
    assert.match(head!, /apigw-requestid: /i);
    assert.deepEqual(JSON.parse(body!), { data: { name: ['John'], email: ['john@example.com'], message: ['bonjour'] }, isBase64Encoded: true, contentType: 'application/x-www-form-urlencoded' });
    // And at the path-style address, which needs no *.localhost resolution.
    const path = await fetch(`${server.url}/_stratus/execute-api/${apiId}/default/ContactFormFunction`, { method: 'POST', body: new URLSearchParams({ name: 'Ann', email: 'a@b.c', message: 'hi' }) });
    assert.equal(path.status, 200);
    assert.deepEqual(((await path.json()) as { data: unknown }).data, { name: ['Ann'], email: ['a@b.c'], message: ['hi'] });
  });

  it('a quick-created API answers at its ApiEndpoint once the function allows it', async () => {
    const api = await c.apigw.send(new CreateApiCommand({ Name: 'quick', ProtocolType: 'HTTP', Target: fn.shapes! }));
    const url = `${api.ApiEndpoint}/anything?case=object`;
    const denied = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', url]);
    assert.equal(denied.stdout, '500', 'no permission yet');
    await allowApi(c.lambda, 'shapes', api.ApiId!, '*/$default', 'quick');
    const { stdout } = await run('curl', ['-s', url]);
    assert.deepEqual(JSON.parse(stdout), { message: 'Hello from Lambda!' });
  });

  it('routes by AWS precedence, and answers 404 {"message":"Not Found"} when nothing matches', async () => {
    const target = { target: fn['echo-node']! };
    const { apiId } = await createApi(c.apigw, { name: 'precedence', routes: { 'GET /pets/dog/1': target, 'GET /pets/dog/{id}': target, 'GET /pets/{proxy+}': target, 'ANY /{proxy+}': target } });
    await allowApi(c.lambda, 'echo-node', apiId);
    const routeOf = async (method: string, path: string) => (await call(server, apiId, path, { method })).json().routeKey;
    assert.equal(await routeOf('GET', '/pets/dog/1'), 'GET /pets/dog/1');
    assert.equal(await routeOf('GET', '/pets/dog/2'), 'GET /pets/dog/{id}');
    assert.equal(await routeOf('GET', '/pets/cat/1'), 'GET /pets/{proxy+}');
    assert.equal(await routeOf('POST', '/test/5'), 'ANY /{proxy+}');
    const miss = await call(server, apiId, '/');
    assert.equal(miss.status, 404);
    assert.equal(miss.headers['content-type'], 'application/json');
    assert.equal(miss.text, '{"message":"Not Found"}');
    assert.match(String(miss.headers['apigw-requestid']), REQUEST_ID);
    const unknown = await call(server, 'nosuchapi1', '/');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.text, '{"message":"Not Found"}');
  });

  it('maps 2.0 results: bare string, JSON, cookies, base64 bodies; errors and malformed results are 500', async () => {
    const { apiId } = await createApi(c.apigw, { name: 'shapes', routes: { 'GET /r': { target: fn.shapes! } } });
    await allowApi(c.lambda, 'shapes', apiId);
    const get = (k: string) => call(server, apiId, `/r?case=${k}`);
    const s = await get('string');
    assert.equal(s.status, 200);
    assert.equal(s.headers['content-type'], 'application/json');
    assert.equal(s.text, 'Hello from Lambda!');
    const o = await get('object');
    assert.equal(o.headers['content-type'], 'application/json');
    assert.deepEqual(o.json(), { message: 'Hello from Lambda!' });
    const k = await get('cookies');
    assert.equal(k.status, 201);
    assert.deepEqual(k.headers['set-cookie'], ['a=1; Path=/', 'b=2; HttpOnly']);
    assert.equal(k.headers['x-custom'], 'yes');
    assert.equal(k.text, 'with cookies');
    const b = await get('binary');
    assert.equal(b.headers['content-type'], 'image/png');
    assert.deepEqual(b.body, Buffer.from([137, 80, 78, 71, 0, 1, 2, 255]));
    for (const bad of ['throw', 'malformed']) {
      const r = await get(bad);
      assert.equal(r.status, 500, bad);
      assert.equal(r.text, '{"message":"Internal Server Error"}');
      assert.equal(r.headers['content-type'], 'application/json');
    }
  });

  it('a function whose policy does not allow API Gateway is not invoked: 500', async () => {
    const target = { target: fn['not-allowed']! };
    const { apiId } = await createApi(c.apigw, { name: 'denied', routes: { 'GET /x': target, 'GET /y': target } });
    // A permission for one route of the API does not cover the other.
    await allowApi(c.lambda, 'not-allowed', apiId, '*/GET/y');
    const r = await call(server, apiId, '/x');
    assert.equal(r.status, 500);
    assert.equal(r.text, '{"message":"Internal Server Error"}');
    assert.equal((await call(server, apiId, '/y')).status, 200);
    const starts = async () => (await logLines(c.logs, 'not-allowed')).filter((l) => l.startsWith('START')).length;
    const deadline = Date.now() + 10_000;
    while ((await starts()) === 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
    assert.equal(await starts(), 1, 'only the allowed route ran the function');
  });

  it('CORS: preflights are answered by the API, responses carry the configured headers', async () => {
    const cors = { AllowOrigins: ['https://site.example'], AllowMethods: ['GET', 'POST'], AllowHeaders: ['content-type', 'x-api-key'], ExposeHeaders: ['x-custom'], MaxAge: 300 };
    const { apiId } = await createApi(c.apigw, { name: 'cors', routes: { 'POST /r': { target: fn.shapes! } }, cors });
    await allowApi(c.lambda, 'shapes', apiId);
    const pre = await call(server, apiId, '/r', { method: 'OPTIONS', headers: { Origin: 'https://site.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'Content-Type' } });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers['access-control-allow-origin'], 'https://site.example');
    assert.equal(pre.headers['access-control-allow-methods'], 'GET,POST');
    assert.equal(pre.headers['access-control-allow-headers'], 'content-type,x-api-key');
    assert.equal(pre.headers['access-control-max-age'], '300');
    const refused = await call(server, apiId, '/r', { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } });
    assert.equal(refused.status, 204);
    assert.equal(refused.headers['access-control-allow-origin'], undefined);
    const actual = await call(server, apiId, '/r?case=cookies', { method: 'POST', headers: { Origin: 'https://site.example' } });
    assert.equal(actual.status, 201);
    assert.equal(actual.headers['access-control-allow-origin'], 'https://site.example');
    assert.equal(actual.headers['access-control-expose-headers'], 'x-custom');
  });

  it('an integration slower than TimeoutInMillis answers 503 {"message":"Service Unavailable"}', async () => {
    const { apiId } = await createApi(c.apigw, { name: 'slow', routes: { 'GET /slow': { target: fn.shapes!, timeoutMs: 500 } } });
    await allowApi(c.lambda, 'shapes', apiId);
    const started = Date.now();
    const r = await call(server, apiId, '/slow?case=sleep');
    assert.equal(r.status, 503);
    assert.equal(r.text, '{"message":"Service Unavailable"}');
    assert.ok(Date.now() - started < 2500, 'answered before the function finished');
  });

  it('throttles: stage limits and a throttled function answer 429 {"message":"Too Many Requests"}', async () => {
    const { apiId } = await createApi(c.apigw, { name: 'throttled', routes: { 'GET /t': { target: fn['echo-node']! } }, throttle: { rate: 0.01, burst: 1 } });
    await allowApi(c.lambda, 'echo-node', apiId);
    assert.equal((await call(server, apiId, '/t')).status, 200);
    const second = await call(server, apiId, '/t');
    assert.equal(second.status, 429);
    assert.equal(second.text, '{"message":"Too Many Requests"}');

    await createFunction(c.lambda, 'zero-concurrency', 'nodejs20.x', 'index.handler', { 'index.mjs': NODE_ECHO });
    await c.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'zero-concurrency', ReservedConcurrentExecutions: 0 }));
    const z = await createApi(c.apigw, { name: 'zero', routes: { 'GET /z': { target: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:zero-concurrency` } } });
    await allowApi(c.lambda, 'zero-concurrency', z.apiId);
    const throttled = await call(server, z.apiId, '/z');
    assert.equal(throttled.status, 429);
    assert.equal(throttled.text, '{"message":"Too Many Requests"}');
  });

  it('HTTP_PROXY forwards the request and passes the response back', async () => {
    const seen: { method?: string; url?: string; headers?: Record<string, unknown>; body?: string } = {};
    const backend: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        Object.assign(seen, { method: req.method, url: req.url, headers: req.headers, body });
        res.writeHead(202, { 'content-type': 'text/plain', 'x-backend': 'yes' });
        res.end('from backend');
      });
    });
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
    try {
      const port = (backend.address() as { port: number }).port;
      const { apiId } = await createApi(c.apigw, { name: 'proxy', routes: { 'ANY /svc/{proxy+}': { target: `http://127.0.0.1:${port}/base/{proxy}` }, $default: { target: `http://127.0.0.1:${port}` } } });
      const r = await call(server, apiId, '/svc/a/b?x=1', { method: 'PUT', headers: { 'X-Test': 't' }, body: 'payload' });
      assert.equal(r.status, 202);
      assert.equal(r.text, 'from backend');
      assert.equal(r.headers['x-backend'], 'yes');
      assert.deepEqual([seen.method, seen.url, seen.body, seen.headers?.['x-test'], seen.headers?.['x-forwarded-for']], ['PUT', '/base/a/b?x=1', 'payload', 't', '127.0.0.1']);
      await call(server, apiId, '/other/path?y=2');
      assert.equal(seen.url, '/other/path?y=2');
    } finally {
      backend.close();
    }
  });

  it("Hono's aws-lambda adapter serves the same app from 2.0 and 1.0 events", async () => {
    const { apiId } = await createApi(c.apigw, { name: 'hono', routes: { 'ANY /v2/{proxy+}': { target: fn.hono!, payload: '2.0' }, 'ANY /v1/{proxy+}': { target: fn.hono!, payload: '1.0' } } });
    await allowApi(c.lambda, 'hono', apiId);
    for (const v of ['v2', 'v1']) {
      const hello = await call(server, apiId, `/${v}/hello/world?x=42`, { headers: { 'User-Agent': 'hono-test', Cookie: 'a=1; b=2' } });
      assert.equal(hello.status, 200, `${v}: ${hello.text}`);
      assert.match(String(hello.headers['content-type']), /^application\/json/);
      assert.deepEqual(hello.json(), { hello: 'world', x: '42', ua: 'hono-test', cookie: 'a=1; b=2' }, v);
      const form = await call(server, apiId, `/${v}/form`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'name=John&email=john%40example.com' });
      assert.deepEqual(form.json(), { name: 'John', email: 'john@example.com' }, v);
      const json = await call(server, apiId, `/${v}/json`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"a":[1,2]}' });
      assert.equal(json.status, 201);
      assert.deepEqual(json.json(), { got: { a: [1, 2] } });
      const cookies = await call(server, apiId, `/${v}/cookie`);
      assert.deepEqual(cookies.headers['set-cookie'], ['session=abc; Path=/', 'theme=dark'], v);
      assert.equal(cookies.text, 'cookies set');
      const missing = await call(server, apiId, `/${v}/nothing-here`);
      assert.equal(missing.status, 404, `${v}: Hono's own 404`);
    }
  });
});
