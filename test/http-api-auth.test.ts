/**
 * HTTP API authorizers end to end: a JWT authorizer whose issuer is a local
 * node:http server publishing an OpenID configuration and a JWKS (tokens
 * signed here with an RSA key), and Lambda REQUEST authorizers answering with
 * simple responses (2.0) and IAM policies (1.0), with result caching and the
 * function policy API Gateway needs to call them; and AWS_IAM routes called
 * with SigV4-signed requests.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { CreateAuthorizerCommand, UpdateRouteCommand } from '@aws-sdk/client-apigatewayv2';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { SignatureV4 } from '@smithy/signature-v4';
import { ACCOUNT, clientConfig, NodeSha256, ROOT_KEY, startTestServer, type TestServer } from './harness.js';
import { allowApi, call, clients, createApi, createFunction, fnArn, logLines, type Clients } from './clients/http-api.js';

const NODE_ECHO = `export const handler = async (event) => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });`;
/** Counts its own invocations so a test can tell a cached decision from a fresh one. */
const SIMPLE_AUTH = `let calls = 0;
export const handler = async (event) => {
  calls++;
  return { isAuthorized: event.headers.authorization === 'let-me-in', context: { user: 'u-1', calls, routeArn: event.routeArn, identity: event.identitySource } };
};`;
const POLICY_AUTH = `export const handler = async (event) => ({
  principalId: 'user-7',
  policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: event.authorizationToken === 'allow' ? 'Allow' : 'Deny', Resource: event.methodArn }] },
  context: { tier: 'gold', n: 3 },
});`;

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...(publicKey.export({ format: 'jwk' }) as object), kid: 'key-1', use: 'sig', alg: 'RS256' };

function token(claims: Record<string, unknown>): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const data = `${enc({ alg: 'RS256', typ: 'JWT', kid: 'key-1' })}.${enc(claims)}`;
  return `${data}.${sign('RSA-SHA256', Buffer.from(data), privateKey).toString('base64url')}`;
}

describe('HTTP API authorizers', () => {
  let server: TestServer;
  let c: Clients;
  let idp: Server;
  let issuer: string;
  let idpRequests = 0;

  before(async () => {
    idp = createServer((req, res) => {
      idpRequests++;
      res.setHeader('content-type', 'application/json');
      if (req.url === '/.well-known/openid-configuration') res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/keys` }));
      else if (req.url === '/keys') res.end(JSON.stringify({ keys: [jwk] }));
      else res.writeHead(404).end('{}');
    });
    await new Promise<void>((r) => idp.listen(0, '127.0.0.1', r));
    issuer = `http://127.0.0.1:${(idp.address() as { port: number }).port}`;
    server = await startTestServer();
    c = await clients(server);
    await Promise.all([
      createFunction(c.lambda, 'echo', 'nodejs20.x', 'index.handler', { 'index.mjs': NODE_ECHO }),
      createFunction(c.lambda, 'simple-auth', 'nodejs20.x', 'index.handler', { 'index.mjs': SIMPLE_AUTH }),
      createFunction(c.lambda, 'policy-auth', 'nodejs20.x', 'index.handler', { 'index.mjs': POLICY_AUTH }),
    ]);
  });
  after(async () => {
    await server.close();
    idp.close();
  });

  it('JWT: a valid token passes with its claims; missing, invalid and out-of-scope tokens are 401/403', async () => {
    const { apiId, routes } = await createApi(c.apigw, { name: 'jwt', routes: { 'GET /me': { target: fnArn('echo') }, 'GET /admin': { target: fnArn('echo') } } });
    await allowApi(c.lambda, 'echo', apiId);
    const auth = await c.apigw.send(new CreateAuthorizerCommand({ ApiId: apiId, Name: 'idp', AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'], JwtConfiguration: { Issuer: issuer, Audience: ['my-client'] } }));
    await c.apigw.send(new UpdateRouteCommand({ ApiId: apiId, RouteId: routes['GET /me']!, AuthorizationType: 'JWT', AuthorizerId: auth.AuthorizerId }));
    await c.apigw.send(new UpdateRouteCommand({ ApiId: apiId, RouteId: routes['GET /admin']!, AuthorizationType: 'JWT', AuthorizerId: auth.AuthorizerId, AuthorizationScopes: ['admin'] }));
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: issuer, aud: 'my-client', sub: 'user-1', email: 'u@example.com', exp: now + 600, iat: now, scope: 'read profile', groups: ['a', 'b'] };

    const none = await call(server, apiId, '/me');
    assert.equal(none.status, 401);
    assert.equal(none.text, '{"message":"Unauthorized"}');

    const ok = await call(server, apiId, '/me', { headers: { Authorization: `Bearer ${token(claims)}` } });
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.json().requestContext.authorizer, {
      jwt: { claims: { iss: issuer, aud: 'my-client', sub: 'user-1', email: 'u@example.com', exp: String(now + 600), iat: String(now), scope: 'read profile', groups: '[a b]' }, scopes: null },
    });

    const wrongAud = await call(server, apiId, '/me', { headers: { Authorization: token({ ...claims, aud: 'someone-else' }) } });
    assert.equal(wrongAud.status, 401);
    assert.equal(wrongAud.headers['www-authenticate'], 'Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience"');
    const expired = await call(server, apiId, '/me', { headers: { Authorization: token({ ...claims, exp: now - 5 }) } });
    assert.equal(expired.status, 401);
    assert.match(String(expired.headers['www-authenticate']), /the token has expired/);
    const forged = token(claims).replace(/\.[^.]+$/, '.AAAA');
    assert.equal((await call(server, apiId, '/me', { headers: { Authorization: forged } })).status, 401);

    const noScope = await call(server, apiId, '/admin', { headers: { Authorization: token(claims) } });
    assert.equal(noScope.status, 403);
    assert.equal(noScope.text, '{"message":"Forbidden"}');
    const scoped = await call(server, apiId, '/admin', { headers: { Authorization: token({ ...claims, scope: 'read admin' }) } });
    assert.equal(scoped.status, 200);
    assert.deepEqual(scoped.json().requestContext.authorizer.jwt.scopes, ['read', 'admin']);
    assert.equal(idpRequests, 2, 'the discovery document and the JWKS were fetched once and cached');
  });

  it('Lambda REQUEST, simple responses: allow with context, deny 403, missing identity 401 without invoking; results cached', async () => {
    const { apiId, routes } = await createApi(c.apigw, { name: 'simple', routes: { 'GET /pets/{id}': { target: fnArn('echo') } } });
    await allowApi(c.lambda, 'echo', apiId);
    await allowApi(c.lambda, 'simple-auth', apiId, 'authorizers/*', 'auth-simple');
    const auth = await c.apigw.send(
      new CreateAuthorizerCommand({
        ApiId: apiId, Name: 'simple', AuthorizerType: 'REQUEST', AuthorizerPayloadFormatVersion: '2.0', EnableSimpleResponses: true,
        IdentitySource: ['$request.header.Authorization'], AuthorizerResultTtlInSeconds: 300,
        AuthorizerUri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${fnArn('simple-auth')}/invocations`,
      }),
    );
    await c.apigw.send(new UpdateRouteCommand({ ApiId: apiId, RouteId: routes['GET /pets/{id}']!, AuthorizationType: 'CUSTOM', AuthorizerId: auth.AuthorizerId }));

    const missing = await call(server, apiId, '/pets/1');
    assert.equal(missing.status, 401);
    assert.equal(missing.text, '{"message":"Unauthorized"}');
    assert.deepEqual(await logLines(c.logs, 'simple-auth'), [], 'not invoked without its identity source');

    const ok = await call(server, apiId, '/pets/1', { headers: { Authorization: 'let-me-in' } });
    assert.equal(ok.status, 200, ok.text);
    const lambdaCtx = ok.json().requestContext.authorizer.lambda;
    assert.deepEqual(lambdaCtx, { user: 'u-1', calls: 1, routeArn: `arn:aws:execute-api:us-east-1:123456789012:${apiId}/$default/GET/pets/1`, identity: ['let-me-in'] });
    const cached = await call(server, apiId, '/pets/2', { headers: { Authorization: 'let-me-in' } });
    assert.equal(cached.json().requestContext.authorizer.lambda.calls, 1, 'the cached decision, not a second call');

    const denied = await call(server, apiId, '/pets/1', { headers: { Authorization: 'wrong' } });
    assert.equal(denied.status, 403);
    assert.equal(denied.text, '{"message":"Forbidden"}');
  });

  it('Lambda REQUEST, IAM policies (payload 1.0): Allow passes principalId and context, Deny is 403', async () => {
    const { apiId, routes } = await createApi(c.apigw, { name: 'policy', routes: { 'POST /orders': { target: fnArn('echo'), payload: '1.0' } } });
    await allowApi(c.lambda, 'echo', apiId);
    const auth = await c.apigw.send(
      new CreateAuthorizerCommand({ ApiId: apiId, Name: 'policy', AuthorizerType: 'REQUEST', AuthorizerPayloadFormatVersion: '1.0', IdentitySource: ['$request.header.X-Token'], AuthorizerUri: fnArn('policy-auth') }),
    );
    await c.apigw.send(new UpdateRouteCommand({ ApiId: apiId, RouteId: routes['POST /orders']!, AuthorizationType: 'CUSTOM', AuthorizerId: auth.AuthorizerId }));

    // Without a permission for the authorizer, API Gateway cannot call it: 500.
    const noPermission = await call(server, apiId, '/orders', { method: 'POST', headers: { 'X-Token': 'allow' } });
    assert.equal(noPermission.status, 500);
    assert.equal(noPermission.text, '{"message":"Internal Server Error"}');

    await allowApi(c.lambda, 'policy-auth', apiId, `authorizers/${auth.AuthorizerId}`, 'auth-policy');
    const ok = await call(server, apiId, '/orders', { method: 'POST', headers: { 'X-Token': 'allow' } });
    assert.equal(ok.status, 200, ok.text);
    const a = ok.json().requestContext.authorizer;
    assert.equal(a.principalId, 'user-7');
    assert.equal(a.tier, 'gold');
    assert.equal(a.n, '3');
    assert.equal(typeof a.integrationLatency, 'number');
    const denied = await call(server, apiId, '/orders', { method: 'POST', headers: { 'X-Token': 'deny' } });
    assert.equal(denied.status, 403);
    assert.equal(denied.text, '{"message":"Forbidden"}');
  });

  it('AWS_IAM: SigV4-signed callers allowed execute-api:Invoke reach the route with their identity; others get 403', async () => {
    const { apiId, routes } = await createApi(c.apigw, { name: 'iam', routes: { 'GET /private/{id}': { target: fnArn('echo') }, 'GET /v1/{id}': { target: fnArn('echo'), payload: '1.0' } } });
    await allowApi(c.lambda, 'echo', apiId);
    for (const key of ['GET /private/{id}', 'GET /v1/{id}']) await c.apigw.send(new UpdateRouteCommand({ ApiId: apiId, RouteId: routes[key]!, AuthorizationType: 'AWS_IAM' }));
    const iam = new IAMClient(clientConfig(server));
    const user = async (name: string, resource: string) => {
      await iam.send(new CreateUserCommand({ UserName: name }));
      await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'invoke', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: resource }] }) }));
      const k = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
      return { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
    };
    const allowed = await user('caller-ok', `arn:aws:execute-api:us-east-1:${ACCOUNT}:${apiId}/$default/GET/private/*`);
    const other = await user('caller-other', `arn:aws:execute-api:us-east-1:${ACCOUNT}:${apiId}/$default/POST/*`);
    const signed = async (path: string, creds: { accessKeyId: string; secretAccessKey: string }) => {
      const host = `${apiId}.execute-api.localhost:${server.port}`;
      const signer = new SignatureV4({ service: 'execute-api', region: 'us-east-1', credentials: creds, sha256: NodeSha256 });
      const req = await signer.sign({ method: 'GET', protocol: 'http:', hostname: host.split(':')[0]!, port: server.port, path, headers: { host } });
      return call(server, apiId, path, { headers: Object.entries(req.headers).filter(([k]) => k !== 'host') });
    };
    const unsigned = await call(server, apiId, '/private/1');
    assert.equal(unsigned.status, 403);
    assert.equal(unsigned.text, '{"message":"Forbidden"}');
    const ok = await signed('/private/1', allowed);
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.json().requestContext.authorizer.iam, {
      accessKey: allowed.accessKeyId, accountId: ACCOUNT, callerId: ok.json().requestContext.authorizer.iam.userId, cognitoIdentity: null, principalOrgId: null, userArn: `arn:aws:iam::${ACCOUNT}:user/caller-ok`, userId: ok.json().requestContext.authorizer.iam.userId,
    });
    assert.match(ok.json().requestContext.authorizer.iam.userId, /^AIDA/);
    assert.equal((await signed('/private/1', other)).status, 403);
    assert.equal((await signed('/private/1', { ...allowed, secretAccessKey: 'wrong' })).status, 403);
    const v1 = await signed('/v1/2', ROOT_KEY);
    assert.equal(v1.status, 200, v1.text);
    const identity = v1.json().requestContext.identity;
    assert.equal(identity.accessKey, ROOT_KEY.accessKeyId);
    assert.equal(identity.userArn, `arn:aws:iam::${ACCOUNT}:root`);
    assert.equal(identity.accountId, ACCOUNT);
  });
});
