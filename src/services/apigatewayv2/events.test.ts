import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  APIGatewayEventIdentity,
  APIGatewayEventRequestContextWithAuthorizer,
  APIGatewayProxyEvent,
  APIGatewayProxyEventV2,
  APIGatewayProxyEventV2WithIAMAuthorizer,
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyEventV2WithLambdaAuthorizer,
  APIGatewayRequestAuthorizerEvent,
  APIGatewayRequestAuthorizerEventV2,
} from 'aws-lambda';
import {
  buildAuthorizerEventV1,
  buildAuthorizerEventV2,
  buildEventV1,
  buildEventV2,
  clfTime,
  encodeBody,
  gatewayHeaders,
  isTextContentType,
  newApiRequestId,
  newTraceId,
  queryV1,
  queryV2,
  type ApiRequestFacts,
} from './events.js';

const AT = new Date(Date.UTC(2026, 10, 22, 6, 1, 46, 390));

function facts(over: Partial<ApiRequestFacts> = {}): ApiRequestFacts {
  return {
    method: 'POST',
    path: '/default/contact',
    rawQuery: 'a=1&a=2&b=x%20y&c=p+q&flag',
    headers: gatewayHeaders(
      [
        ['Host', 'abc123.execute-api.localhost:4566'],
        ['User-Agent', 'curl/8.5.0'],
        ['accept', '*/*'],
        ['Content-Type', 'application/x-www-form-urlencoded'],
        ['Content-Length', '44'],
        ['X-Multi', 'one'],
        ['x-multi', 'two'],
        ['Cookie', 'a=1; b=2'],
        ['Cookie', 'c=3'],
        ['Connection', 'keep-alive'],
      ],
      { sourceIp: '127.0.0.1', port: '4566', proto: 'http', traceId: 'Root=1-00000000-000000000000000000000000', bodyLength: 44 },
    ),
    body: Buffer.from('name=John&email=john%40example.com&message=x'),
    sourceIp: '127.0.0.1',
    protocol: 'HTTP/1.1',
    requestId: 'Mc7UVioPPHcEKPA=',
    receivedAt: AT,
    domainName: 'abc123.execute-api.localhost',
    apiId: 'abc123',
    accountId: '123456789012',
    stage: 'default',
    ...over,
  };
}

describe('body encoding rule', () => {
  it('text/*, application/json, application/xml and application/javascript arrive as text', () => {
    for (const t of ['text/plain', 'text/html; charset=utf-8', 'TEXT/CSV', 'application/json', 'application/json;charset=UTF-8', 'application/xml', 'application/javascript']) {
      assert.equal(isTextContentType(t), true, t);
    }
  });

  it('everything else, form posts and a missing type included, arrives base64', () => {
    for (const t of [undefined, '', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream', 'image/png', 'application/vnd.api+json', 'application/ld+json', 'application/soap+xml']) {
      assert.equal(isTextContentType(t), false, String(t));
    }
    assert.deepEqual(encodeBody(Buffer.from('name=John'), 'application/x-www-form-urlencoded'), { body: Buffer.from('name=John').toString('base64'), isBase64Encoded: true });
    assert.deepEqual(encodeBody(Buffer.from('{}'), 'application/json'), { body: '{}', isBase64Encoded: false });
    assert.deepEqual(encodeBody(Buffer.alloc(0), undefined), { isBase64Encoded: false });
  });
});

describe('helpers', () => {
  it('formats times the CLF way', () => assert.equal(clfTime(AT), '22/Nov/2026:06:01:46 +0000'));
  it('makes ids in API Gateway forms', () => {
    assert.match(newApiRequestId(), /^[A-Za-z0-9_-]{15}=$/);
    assert.match(newTraceId(AT), /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
  });
  it('adds the headers API Gateway writes and drops hop-by-hop ones', () => {
    const h = gatewayHeaders([['X-Forwarded-For', '10.0.0.1'], ['Transfer-Encoding', 'chunked'], ['X-Forwarded-Proto', 'https'], ['A', 'b']], { sourceIp: '1.2.3.4', port: '80', proto: 'http', traceId: 'T', bodyLength: 3 });
    assert.deepEqual(h, [['A', 'b'], ['Content-Length', '3'], ['X-Amzn-Trace-Id', 'T'], ['X-Forwarded-For', '10.0.0.1, 1.2.3.4'], ['X-Forwarded-Port', '80'], ['X-Forwarded-Proto', 'http']]);
  });
  it('decodes query strings ("+" is a space), joining repeats for 2.0 and keeping the last for 1.0', () => {
    assert.deepEqual(queryV2('a=1&a=2&b=x%20y&c=p+q&flag'), { a: '1,2', b: 'x y', c: 'p q', flag: '' });
    assert.deepEqual(queryV1('a=1&a=2'), { single: { a: '2' }, multi: { a: ['1', '2'] } });
    assert.equal(queryV2(''), undefined);
    assert.deepEqual(queryV1(''), { single: null, multi: null });
    assert.deepEqual(queryV2('bad=%E0%A4%A'), { bad: '%E0%A4%A' });
  });
});

describe('payload format 2.0', () => {
  it('has every field AWS sends, in AWS form', () => {
    const e = buildEventV2(facts(), { routeKey: 'ANY /contact/{proxy+}', pathParameters: { proxy: 'x' } }, { stageVariables: { env: 'dev' } });
    assert.deepEqual(e, {
      version: '2.0',
      routeKey: 'ANY /contact/{proxy+}',
      rawPath: '/default/contact',
      rawQueryString: 'a=1&a=2&b=x%20y&c=p+q&flag',
      cookies: ['a=1', 'b=2', 'c=3'],
      headers: {
        host: 'abc123.execute-api.localhost:4566',
        'user-agent': 'curl/8.5.0',
        accept: '*/*',
        'content-type': 'application/x-www-form-urlencoded',
        'x-multi': 'one,two',
        'content-length': '44',
        'x-amzn-trace-id': 'Root=1-00000000-000000000000000000000000',
        'x-forwarded-for': '127.0.0.1',
        'x-forwarded-port': '4566',
        'x-forwarded-proto': 'http',
      },
      queryStringParameters: { a: '1,2', b: 'x y', c: 'p q', flag: '' },
      requestContext: {
        accountId: '123456789012',
        apiId: 'abc123',
        domainName: 'abc123.execute-api.localhost',
        domainPrefix: 'abc123',
        http: { method: 'POST', path: '/default/contact', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'curl/8.5.0' },
        requestId: 'Mc7UVioPPHcEKPA=',
        routeKey: 'ANY /contact/{proxy+}',
        stage: 'default',
        time: '22/Nov/2026:06:01:46 +0000',
        timeEpoch: AT.getTime(),
      },
      body: Buffer.from('name=John&email=john%40example.com&message=x').toString('base64'),
      pathParameters: { proxy: 'x' },
      isBase64Encoded: true,
      stageVariables: { env: 'dev' },
    });
  });

  it('leaves out cookies, query, body, path parameters and stage variables when there are none', () => {
    const e = buildEventV2(facts({ method: 'GET', rawQuery: '', body: Buffer.alloc(0), headers: [['Host', 'h'], ['User-Agent', 'x']] }), { routeKey: '$default' }, { stageVariables: {} });
    assert.deepEqual(Object.keys(e), ['version', 'routeKey', 'rawPath', 'rawQueryString', 'headers', 'requestContext', 'isBase64Encoded']);
    assert.equal(e.isBase64Encoded, false);
    assert.equal('authorizer' in e.requestContext, false);
  });

  it('reports JWT claims and Lambda authorizer context under requestContext.authorizer', () => {
    const jwt = buildEventV2(facts(), { routeKey: '$default' }, { authorizer: { kind: 'jwt', claims: { sub: 'u1', exp: '1700000000' }, scopes: ['read'] } });
    assert.deepEqual(jwt.requestContext.authorizer, { jwt: { claims: { sub: 'u1', exp: '1700000000' }, scopes: ['read'] } });
    const lambda = buildEventV2(facts(), { routeKey: '$default' }, { authorizer: { kind: 'lambda', context: { n: 1, ok: true }, integrationLatency: 3 } });
    assert.deepEqual(lambda.requestContext.authorizer, { lambda: { n: 1, ok: true } });
  });

  it('a JSON body is plain text, userAgent is empty when none was sent', () => {
    const e = buildEventV2(facts({ headers: [['content-type', 'application/json']], body: Buffer.from('{"a":"é"}') }), { routeKey: '$default' });
    assert.equal(e.body, '{"a":"é"}');
    assert.equal(e.isBase64Encoded, false);
    assert.equal(e.requestContext.http.userAgent, '');
  });

  it('type-checks as @types/aws-lambda APIGatewayProxyEventV2 (and its JWT and Lambda authorizer variants)', () => {
    const plain: APIGatewayProxyEventV2 = buildEventV2(facts(), { routeKey: '$default' });
    const e = buildEventV2(facts(), { routeKey: '$default' }, { authorizer: { kind: 'jwt', claims: {}, scopes: null } });
    const withJwt: APIGatewayProxyEventV2WithJWTAuthorizer = { ...e, requestContext: { ...e.requestContext, authorizer: e.requestContext.authorizer as APIGatewayProxyEventV2WithJWTAuthorizer['requestContext']['authorizer'] } };
    const l = buildEventV2(facts(), { routeKey: '$default' }, { authorizer: { kind: 'lambda', context: { a: 1 }, integrationLatency: 0 } });
    const withLambda: APIGatewayProxyEventV2WithLambdaAuthorizer<{ a: number }> = { ...l, requestContext: { ...l.requestContext, authorizer: l.requestContext.authorizer as { lambda: { a: number } } } };
    assert.ok(plain && withJwt && withLambda);
  });
});

/** @types/aws-lambda models REST events: `authorizer` is always present and identity has API key and certificate fields HTTP APIs never send. */
type HttpApiV1Event = Omit<APIGatewayProxyEvent, 'requestContext'> & {
  requestContext: Omit<APIGatewayEventRequestContextWithAuthorizer<undefined>, 'identity' | 'authorizer'> & {
    identity: Omit<APIGatewayEventIdentity, 'apiKey' | 'apiKeyId' | 'clientCert'>;
  };
};

describe('payload format 1.0', () => {
  it('has every field AWS sends, names as sent except those API Gateway writes', () => {
    const e = buildEventV1(facts(), { routeKey: 'POST /contact' });
    assert.deepEqual(e, {
      version: '1.0',
      resource: '/contact',
      path: '/default/contact',
      httpMethod: 'POST',
      headers: {
        Host: 'abc123.execute-api.localhost:4566',
        'User-Agent': 'curl/8.5.0',
        accept: '*/*',
        'Content-Type': 'application/x-www-form-urlencoded',
        'X-Multi': 'two',
        Cookie: 'c=3',
        'Content-Length': '44',
        'X-Amzn-Trace-Id': 'Root=1-00000000-000000000000000000000000',
        'X-Forwarded-For': '127.0.0.1',
        'X-Forwarded-Port': '4566',
        'X-Forwarded-Proto': 'http',
      },
      multiValueHeaders: {
        Host: ['abc123.execute-api.localhost:4566'],
        'User-Agent': ['curl/8.5.0'],
        accept: ['*/*'],
        'Content-Type': ['application/x-www-form-urlencoded'],
        'X-Multi': ['one', 'two'],
        Cookie: ['a=1; b=2', 'c=3'],
        'Content-Length': ['44'],
        'X-Amzn-Trace-Id': ['Root=1-00000000-000000000000000000000000'],
        'X-Forwarded-For': ['127.0.0.1'],
        'X-Forwarded-Port': ['4566'],
        'X-Forwarded-Proto': ['http'],
      },
      queryStringParameters: { a: '2', b: 'x y', c: 'p q', flag: '' },
      multiValueQueryStringParameters: { a: ['1', '2'], b: ['x y'], c: ['p q'], flag: [''] },
      requestContext: {
        accountId: '123456789012',
        apiId: 'abc123',
        domainName: 'abc123.execute-api.localhost',
        domainPrefix: 'abc123',
        extendedRequestId: 'Mc7UVioPPHcEKPA=',
        httpMethod: 'POST',
        identity: {
          accessKey: null,
          accountId: null,
          caller: null,
          cognitoAmr: null,
          cognitoAuthenticationProvider: null,
          cognitoAuthenticationType: null,
          cognitoIdentityId: null,
          cognitoIdentityPoolId: null,
          principalOrgId: null,
          sourceIp: '127.0.0.1',
          user: null,
          userAgent: 'curl/8.5.0',
          userArn: null,
        },
        path: '/default/contact',
        protocol: 'HTTP/1.1',
        requestId: 'Mc7UVioPPHcEKPA=',
        requestTime: '22/Nov/2026:06:01:46 +0000',
        requestTimeEpoch: AT.getTime(),
        resourceId: 'POST /contact',
        resourcePath: '/contact',
        stage: 'default',
      },
      pathParameters: null,
      stageVariables: null,
      body: Buffer.from('name=John&email=john%40example.com&message=x').toString('base64'),
      isBase64Encoded: true,
    });
  });

  it('nulls what is empty; $default is its own resource', () => {
    const e = buildEventV1(facts({ rawQuery: '', body: Buffer.alloc(0) }), { routeKey: '$default' });
    assert.equal(e.resource, '$default');
    assert.equal(e.requestContext.resourcePath, '$default');
    assert.equal(e.requestContext.resourceId, '$default');
    assert.equal(e.queryStringParameters, null);
    assert.equal(e.multiValueQueryStringParameters, null);
    assert.equal(e.body, null);
    assert.equal(e.isBase64Encoded, false);
  });

  it('JWT claims sit directly under authorizer; a Lambda context is flattened to strings with principalId', () => {
    const jwt = buildEventV1(facts(), { routeKey: '$default' }, { authorizer: { kind: 'jwt', claims: { sub: 'u' }, scopes: null } });
    assert.deepEqual(jwt.requestContext.authorizer, { claims: { sub: 'u' }, scopes: null });
    const l = buildEventV1(facts(), { routeKey: '$default' }, { authorizer: { kind: 'lambda', context: { n: 1, b: false, o: { x: 1 } }, principalId: 'me', integrationLatency: 7 } });
    assert.deepEqual(l.requestContext.authorizer, { n: '1', b: 'false', o: '{"x":1}', principalId: 'me', integrationLatency: 7 });
  });

  it('an IAM caller fills the identity block (REST style) rather than authorizer', () => {
    const iam = { accessKey: 'AKIA1', accountId: '123456789012', callerId: 'AIDA1', cognitoIdentity: null, principalOrgId: null, userArn: 'arn:aws:iam::123456789012:user/u', userId: 'AIDA1' };
    const e = buildEventV1(facts(), { routeKey: '$default' }, { authorizer: { kind: 'iam', iam } });
    assert.equal('authorizer' in e.requestContext, false);
    assert.deepEqual([e.requestContext.identity.accessKey, e.requestContext.identity.accountId, e.requestContext.identity.caller, e.requestContext.identity.user, e.requestContext.identity.userArn], ['AKIA1', '123456789012', 'AIDA1', 'AIDA1', 'arn:aws:iam::123456789012:user/u']);
    const v2 = buildEventV2(facts(), { routeKey: '$default' }, { authorizer: { kind: 'iam', iam } });
    assert.deepEqual(v2.requestContext.authorizer, { iam });
    // @types declares principalOrgId a string; AWS sends null for a caller outside an organization.
    const typed: Omit<APIGatewayProxyEventV2WithIAMAuthorizer['requestContext']['authorizer']['iam'], 'principalOrgId'> = iam;
    assert.ok(typed);
  });

  it('type-checks as @types/aws-lambda APIGatewayProxyEvent, less the REST-only fields', () => {
    const e: HttpApiV1Event = buildEventV1(facts(), { routeKey: 'GET /x/{id}', pathParameters: { id: '1' } }, { stageVariables: { a: 'b' } });
    assert.deepEqual(e.pathParameters, { id: '1' });
    assert.deepEqual(e.stageVariables, { a: 'b' });
  });
});

describe('REQUEST authorizer events', () => {
  const arn = 'arn:aws:execute-api:us-east-1:123456789012:abc123/default/POST/contact';

  it('2.0: the request without its body, with routeArn and identity values', () => {
    const e = buildAuthorizerEventV2(facts(), { routeKey: 'POST /contact' }, arn, ['tok', 'v']);
    assert.equal(e.type, 'REQUEST');
    assert.equal(e.version, '2.0');
    assert.equal(e.routeArn, arn);
    assert.deepEqual(e.identitySource, ['tok', 'v']);
    assert.equal('body' in e, false);
    assert.deepEqual(e.cookies, ['a=1', 'b=2', 'c=3']);
    const typed: Omit<APIGatewayRequestAuthorizerEventV2, 'cookies'> & { cookies?: string[] } = e;
    assert.ok(typed);
  });

  it('1.0: methodArn, identitySource and authorizationToken joined with commas', () => {
    const e = buildAuthorizerEventV1(facts(), { routeKey: 'POST /contact' }, arn, ['tok', 'v']);
    assert.equal(e.methodArn, arn);
    assert.equal(e.identitySource, 'tok,v');
    assert.equal(e.authorizationToken, 'tok,v');
    assert.equal(e.resource, '/contact');
    assert.equal('body' in e, false);
    const typed: Omit<APIGatewayRequestAuthorizerEvent, 'requestContext'> = e;
    assert.ok(typed);
  });
});
