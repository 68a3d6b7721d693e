import assert from 'node:assert/strict';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { describe, it } from 'node:test';
import { AuthorizerCache, authorizeJwt, authorizeLambda, flattenClaims, identityValues, JwksCache, selectIdentity, tokenScopes, type IdentityView } from './authorizers-runtime.js';

const ISSUER = 'https://idp.example.com/pool';
const NOW = 1_800_000_000_000;
const S = NOW / 1000;

function keyPair(): { privateKey: KeyObject; jwk: Record<string, unknown> } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey, jwk: publicKey.export({ format: 'jwk' }) as Record<string, unknown> };
}
const k1 = keyPair();
const k2 = keyPair();

function jwt(claims: Record<string, unknown>, opts: { key?: KeyObject; kid?: string; alg?: string } = {}): string {
  const header = { alg: opts.alg ?? 'RS256', typ: 'JWT', kid: opts.kid ?? 'k1' };
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const data = `${enc(header)}.${enc(claims)}`;
  const sig = sign('RSA-SHA256', Buffer.from(data), opts.key ?? k1.privateKey).toString('base64url');
  return `${data}.${sig}`;
}

function fakeIdp(keys: () => Record<string, unknown>[]) {
  const calls: string[] = [];
  const get = async (url: string) => {
    calls.push(url);
    if (url === `${ISSUER}/.well-known/openid-configuration`) return { issuer: ISSUER, jwks_uri: 'https://idp.example.com/jwks.json' };
    if (url === 'https://idp.example.com/jwks.json') return { keys: keys() };
    throw new Error('404');
  };
  return { calls, cache: new JwksCache(get, 3_600_000, 0) };
}

const good = { iss: ISSUER, aud: 'client-1', sub: 'user-1', exp: S + 600, iat: S - 10, scope: 'read write', groups: ['a', 'b'], email_verified: true };
const authorizer = { jwtConfiguration: { issuer: ISSUER, audience: ['client-1', 'client-2'] } };

describe('JWT authorizer', () => {
  const idp = fakeIdp(() => [{ ...k1.jwk, kid: 'k1', use: 'sig', alg: 'RS256' }]);
  const check = (token: string | undefined, scopes?: string[]) => authorizeJwt({ authorizer, token, scopes, jwks: idp.cache, now: NOW });

  it('allows a valid token (with or without Bearer) and passes claims as strings', async () => {
    for (const t of [jwt(good), `Bearer ${jwt(good)}`]) {
      const d = await check(t);
      assert.equal(d.allow, true);
      if (d.allow) assert.deepEqual(d.facts, { kind: 'jwt', claims: { iss: ISSUER, aud: 'client-1', sub: 'user-1', exp: String(S + 600), iat: String(S - 10), scope: 'read write', groups: '[a b]', email_verified: 'true' }, scopes: null });
    }
    assert.deepEqual(idp.calls.slice(0, 2), [`${ISSUER}/.well-known/openid-configuration`, 'https://idp.example.com/jwks.json']);
  });

  it('a missing token is 401 Unauthorized without www-authenticate', async () => {
    const d = await check(undefined);
    assert.equal(d.allow, false);
    if (!d.allow) {
      assert.equal(d.response.status, 401);
      assert.equal(d.response.body.toString(), '{"message":"Unauthorized"}');
      assert.equal(d.response.headers['www-authenticate'], undefined);
    }
  });

  const denied = async (token: string, description: string) => {
    const d = await check(token);
    assert.equal(d.allow, false, description);
    if (!d.allow) {
      assert.equal(d.response.status, 401);
      assert.equal(d.response.body.toString(), '{"message":"Unauthorized"}');
      assert.equal(d.response.headers['www-authenticate'], `Bearer scope="" error="invalid_token" error_description="${description}"`);
    }
  };

  it('rejects wrong audience, issuer, expiry, nbf, signature, algorithm and malformed tokens', async () => {
    await denied(jwt({ ...good, aud: 'other' }), 'the token does not have a valid audience');
    await denied(jwt({ ...good, iss: 'https://evil' }), 'the token does not have a valid issuer');
    await denied(jwt({ ...good, exp: S - 1 }), 'the token has expired');
    await denied(jwt({ ...good, nbf: S + 60 }), 'the token is not valid yet');
    await denied(jwt(good, { key: k2.privateKey }), 'crypto/rsa: verification error');
    await denied(jwt(good, { alg: 'HS256' }), 'signing method HS256 is invalid');
    await denied('abc.def', 'the token is malformed');
    await denied('a.b.c', 'the token is malformed');
  });

  it('accepts client_id in place of aud, and any configured audience in a list', async () => {
    const { aud: _aud, ...noAud } = good;
    assert.equal((await check(jwt({ ...noAud, client_id: 'client-2' }))).allow, true);
    assert.equal((await check(jwt({ ...good, aud: ['x', 'client-2'] }))).allow, true);
  });

  it('route scopes: one match is enough, none is 403 Forbidden', async () => {
    const ok = await check(jwt(good), ['admin', 'write']);
    assert.equal(ok.allow, true);
    if (ok.allow && ok.facts.kind === 'jwt') assert.deepEqual(ok.facts.scopes, ['read', 'write']);
    assert.equal((await check(jwt({ ...good, scope: undefined, scp: ['admin'] }), ['admin'])).allow, true);
    const no = await check(jwt(good), ['admin']);
    assert.equal(no.allow, false);
    if (!no.allow) {
      assert.equal(no.response.status, 403);
      assert.equal(no.response.body.toString(), '{"message":"Forbidden"}');
    }
  });

  it('refetches the key set for an unknown kid (rotation)', async () => {
    let keys = [{ ...k1.jwk, kid: 'k1' }];
    const rotating = fakeIdp(() => keys);
    assert.equal((await authorizeJwt({ authorizer, token: jwt(good), jwks: rotating.cache, now: NOW })).allow, true);
    keys = [{ ...k1.jwk, kid: 'k1' }, { ...k2.jwk, kid: 'k2' }];
    assert.equal((await authorizeJwt({ authorizer, token: jwt(good, { key: k2.privateKey, kid: 'k2' }), jwks: rotating.cache, now: NOW })).allow, true);
    assert.equal(rotating.calls.length, 4);
  });

  it('an unreachable issuer is 401', async () => {
    const broken = new JwksCache(async () => {
      throw new Error('down');
    });
    const d = await authorizeJwt({ authorizer, token: jwt(good), jwks: broken, now: NOW });
    assert.equal(d.allow, false);
    if (!d.allow) assert.equal(d.response.status, 401);
  });

  it('flattens claims and reads scopes', () => {
    assert.deepEqual(flattenClaims({ a: 1, b: [1, 'x'], c: { d: 1 }, e: null }), { a: '1', b: '[1 x]', c: '{"d":1}' });
    assert.deepEqual(tokenScopes({ scope: 'a  b' }), ['a', 'b']);
    assert.deepEqual(tokenScopes({ scp: 'a b' }), ['a', 'b']);
    assert.deepEqual(tokenScopes({}), []);
  });
});

const view = (headers: Record<string, string>, query: Record<string, string> = {}): IdentityView => ({
  header: (n) => headers[n.toLowerCase()],
  query: (n) => query[n],
  stageVariable: (n) => (n === 'env' ? 'dev' : undefined),
  context: (n) => (n === 'routeKey' ? 'GET /x' : undefined),
});

describe('identity sources', () => {
  it('selects headers (any case), query strings, stage and context variables', () => {
    const v = view({ authorization: 'tok' }, { key: 'k' });
    assert.equal(selectIdentity('$request.header.Authorization', v), 'tok');
    assert.equal(selectIdentity('$request.querystring.key', v), 'k');
    assert.equal(selectIdentity('$stageVariables.env', v), 'dev');
    assert.equal(selectIdentity('$context.routeKey', v), 'GET /x');
    assert.equal(selectIdentity('$request.body.x', v), undefined);
  });
  it('all must be present and non-empty', () => {
    assert.deepEqual(identityValues(['$request.header.A', '$request.querystring.q'], view({ a: '1' }, { q: '2' })), ['1', '2']);
    assert.equal(identityValues(['$request.header.A', '$request.querystring.q'], view({ a: '1' })), undefined);
    assert.equal(identityValues(['$request.header.A'], view({ a: '' })), undefined);
    assert.deepEqual(identityValues([], view({})), []);
  });
});

describe('Lambda REQUEST authorizer', () => {
  const ROUTE_ARN = 'arn:aws:execute-api:us-east-1:123456789012:api1/$default/GET/pets/1';
  const base = { authorizerId: 'au1', identitySource: ['$request.header.Authorization'], authorizerPayloadFormatVersion: '2.0' as const, authorizerResultTtlInSeconds: 0 };

  function run(result: unknown, over: Partial<Parameters<typeof authorizeLambda>[0]> = {}) {
    const events: unknown[] = [];
    const p = authorizeLambda({
      authorizer: { ...base, enableSimpleResponses: true },
      apiId: 'api1',
      view: view({ authorization: 'secret' }),
      routeArn: ROUTE_ARN,
      accountId: '123456789012',
      event: (identity) => ({ identity }),
      invoke: async (e) => {
        events.push(e);
        return result === undefined ? undefined : Buffer.from(JSON.stringify(result));
      },
      cache: new AuthorizerCache(),
      now: NOW,
      ...over,
    });
    return { p, events };
  }

  it('a missing identity source is 401 and the function is not invoked', async () => {
    const { p, events } = run({ isAuthorized: true }, { view: view({}) });
    const d = await p;
    assert.equal(d.allow, false);
    if (!d.allow) assert.equal(d.response.status, 401);
    assert.equal(events.length, 0);
  });

  it('simple responses: isAuthorized true passes the context on, false is 403', async () => {
    const yes = run({ isAuthorized: true, context: { user: 'u1', n: 2 } });
    const d = await yes.p;
    assert.deepEqual(yes.events, [{ identity: ['secret'] }]);
    assert.equal(d.allow, true);
    if (d.allow) assert.deepEqual(d.facts, { kind: 'lambda', context: { user: 'u1', n: 2 }, integrationLatency: (d.facts as { integrationLatency: number }).integrationLatency });
    const no = await run({ isAuthorized: false }).p;
    assert.equal(no.allow, false);
    if (!no.allow) assert.equal(no.response.body.toString(), '{"message":"Forbidden"}');
  });

  const policy = (effect: string, resource: string) => ({ principalId: 'abcdef', policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }] }, context: { k: 'v' } });

  it('IAM policy responses: an Allow on the route ARN (wildcards too) passes, anything else is 403', async () => {
    const iam = { authorizer: { ...base, enableSimpleResponses: false } };
    const allowed = await run(policy('Allow', ROUTE_ARN), iam).p;
    assert.equal(allowed.allow, true);
    if (allowed.allow) assert.equal((allowed.facts as { principalId?: string }).principalId, 'abcdef');
    assert.equal((await run(policy('Allow', 'arn:aws:execute-api:us-east-1:123456789012:api1/*/GET/*'), iam).p).allow, true);
    assert.equal((await run(policy('Allow', 'arn:aws:execute-api:us-east-1:123456789012:api1/*/POST/*'), iam).p).allow, false);
    const denied = await run(policy('Deny', ROUTE_ARN), iam).p;
    assert.equal(denied.allow, false);
    if (!denied.allow) assert.equal(denied.response.status, 403);
  });

  it('1.0 authorizers always answer with a policy, even when simple responses are asked for', async () => {
    const d = await run({ isAuthorized: true }, { authorizer: { ...base, authorizerPayloadFormatVersion: '1.0', enableSimpleResponses: true } }).p;
    assert.equal(d.allow, false);
    if (!d.allow) assert.equal(d.response.status, 500);
  });

  it('an invocation failure or a malformed answer is 500', async () => {
    for (const bad of [undefined, 'yes', { isAuthorized: 'true' }, { isAuthorized: true, context: [1] }]) {
      const d = await run(bad).p;
      assert.equal(d.allow, false);
      if (!d.allow) assert.equal(d.response.body.toString(), '{"message":"Internal Server Error"}');
    }
    const noPolicy = await run({ principalId: 'x' }, { authorizer: { ...base, enableSimpleResponses: false } }).p;
    assert.equal(noPolicy.allow, false);
  });

  it('caches results by identity values for the TTL, and not at all with TTL 0', async () => {
    const cache = new AuthorizerCache();
    let calls = 0;
    const go = (token: string, now: number, ttl = 300) =>
      authorizeLambda({
        authorizer: { ...base, enableSimpleResponses: true, authorizerResultTtlInSeconds: ttl },
        apiId: 'api1',
        view: view({ authorization: token }),
        routeArn: ROUTE_ARN,
        accountId: '123456789012',
        event: () => ({}),
        invoke: async () => {
          calls++;
          return Buffer.from(JSON.stringify({ isAuthorized: token === 'good' }));
        },
        cache,
        now,
      });
    assert.equal((await go('good', NOW)).allow, true);
    assert.equal((await go('good', NOW + 1000)).allow, true);
    assert.equal(calls, 1);
    assert.equal((await go('bad', NOW)).allow, false);
    assert.equal((await go('bad', NOW + 1000)).allow, false);
    assert.equal(calls, 2);
    assert.equal((await go('good', NOW + 301_000)).allow, true);
    assert.equal(calls, 3);
    await go('good', NOW, 0);
    await go('good', NOW, 0);
    assert.equal(calls, 5);
  });
});
