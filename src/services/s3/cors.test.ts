import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PutBucketCorsCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { isServiceError } from '../../core/errors.js';
import { loadModel } from '../../protocol/model.js';
import { clientConfig, codecHandler } from '../../protocol/testing.js';
import {
  corsHeaders,
  matchCorsRule,
  preflight,
  validateCorsConfiguration,
  type CorsConfiguration,
  type CorsRule,
} from './cors.js';

const VARY = 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method';
const MALFORMED = 'The XML you provided was not well-formed or did not validate against our published schema';
const NOT_ALLOWED =
  "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.";

function rule(fields: Partial<CorsRule> = {}): CorsRule {
  return { AllowedOrigins: ['*'], AllowedMethods: ['GET'], ...fields };
}

function cfg(...rules: CorsRule[]): CorsConfiguration {
  return { CORSRules: rules };
}

/** [code, message, status] of what validate throws, or undefined when it accepts. */
function refusal(config: unknown): [string, string, number | undefined] | undefined {
  try {
    validateCorsConfiguration(config);
    return undefined;
  } catch (err) {
    if (!isServiceError(err)) throw err;
    return [err.code, err.message, err.status];
  }
}

describe('validateCorsConfiguration', () => {
  test('accepts a full rule, 100 rules, every method, one wildcard per origin and header', () => {
    const full = rule({
      ID: 'a'.repeat(255),
      AllowedOrigins: ['*', 'https://*.example.com', 'http://localhost:*'],
      AllowedMethods: ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'],
      AllowedHeaders: ['*', 'x-amz-*', 'x-*-id'],
      ExposeHeaders: ['ETag', 'x-amz-request-id'],
      MaxAgeSeconds: 0,
    });
    assert.equal(refusal(cfg(full)), undefined);
    assert.equal(refusal(cfg(...Array.from({ length: 100 }, () => rule()))), undefined);
    assert.equal(refusal(cfg(rule({ MaxAgeSeconds: 2147483647, ID: '' }))), undefined);
  });

  const malformed: Array<[string, unknown]> = [
    ['no configuration', undefined],
    ['no CORSRules', {}],
    ['no rule', cfg()],
    ['101 rules', cfg(...Array.from({ length: 101 }, () => rule()))],
    ['a rule without AllowedMethods', { CORSRules: [{ AllowedOrigins: ['*'] }] }],
    ['a rule without AllowedOrigins', { CORSRules: [{ AllowedMethods: ['GET'] }] }],
    ['empty AllowedMethods', cfg(rule({ AllowedMethods: [] }))],
    ['empty AllowedOrigins in a later rule', cfg(rule(), rule({ AllowedOrigins: [] }))],
    ['a negative MaxAgeSeconds', cfg(rule({ MaxAgeSeconds: -1 }))],
    ['a fractional MaxAgeSeconds', cfg(rule({ MaxAgeSeconds: 1.5 }))],
    ['a MaxAgeSeconds above 32 bits', cfg(rule({ MaxAgeSeconds: 2147483648 }))],
    ['an ID of 256 characters', cfg(rule({ ID: 'a'.repeat(256) }))],
  ];
  for (const [name, config] of malformed) {
    test(`MalformedXML: ${name}`, () => {
      assert.deepEqual(refusal(config), ['MalformedXML', MALFORMED, 400]);
    });
  }

  const invalid: Array<[string, CorsRule, string]> = [
    ['PATCH', rule({ AllowedMethods: ['GET', 'PATCH'] }), 'Found unsupported HTTP method in CORS config. Unsupported method is PATCH'],
    ['a lowercase method', rule({ AllowedMethods: ['get'] }), 'Found unsupported HTTP method in CORS config. Unsupported method is get'],
    ['an empty method', rule({ AllowedMethods: [''] }), 'Found unsupported HTTP method in CORS config. Unsupported method is '],
    ['OPTIONS', rule({ AllowedMethods: ['OPTIONS'] }), 'Found unsupported HTTP method in CORS config. Unsupported method is OPTIONS'],
    ['two wildcards in an origin', rule({ AllowedOrigins: ['https://*.example.*'] }), 'AllowedOrigin "https://*.example.*" can not have more than one wildcard.'],
    ['** as origin', rule({ AllowedOrigins: ['**'] }), 'AllowedOrigin "**" can not have more than one wildcard.'],
    ['two wildcards in a header', rule({ AllowedHeaders: ['x-*-meta-*'] }), 'AllowedHeader "x-*-meta-*" can not have more than one wildcard.'],
    [
      'a wildcard ExposeHeader',
      rule({ ExposeHeaders: ['ETag', 'x-amz-*'] }),
      'ExposeHeader "x-amz-*" contains wildcard. We currently do not support wildcard for ExposeHeader.',
    ],
  ];
  for (const [name, bad, message] of invalid) {
    test(`InvalidRequest: ${name}`, () => {
      assert.deepEqual(refusal(cfg(rule(), bad)), ['InvalidRequest', message, 400]);
    });
  }

  test('checks methods, then origins, then headers, then expose headers, rule by rule', () => {
    const all = rule({ AllowedMethods: ['PATCH'], AllowedOrigins: ['*.*'], AllowedHeaders: ['*-*'], ExposeHeaders: ['x-*'] });
    assert.match(refusal(cfg(all))![1], /Unsupported method is PATCH/);
    assert.match(refusal(cfg({ ...all, AllowedMethods: ['GET'] }))![1], /AllowedOrigin "\*\.\*"/);
    assert.match(refusal(cfg({ ...all, AllowedMethods: ['GET'], AllowedOrigins: ['*'] }))![1], /AllowedHeader "\*-\*"/);
    assert.match(refusal(cfg(rule({ ExposeHeaders: ['x-*'] }), rule({ AllowedMethods: ['PATCH'] })))![1], /ExposeHeader "x-\*"/);
  });

  test('a structural error anywhere wins over a bad value earlier', () => {
    const badMethod = rule({ AllowedMethods: ['PATCH'] });
    assert.equal(refusal(cfg(badMethod, rule({ MaxAgeSeconds: -1 })))![0], 'MalformedXML');
  });

  test('through a real S3 client: the XML the SDK sends parses into what the validator expects', async () => {
    let seen: unknown;
    const handler = codecHandler(loadModel('s3'), (operation, input) => {
      assert.equal(operation, 'PutBucketCors');
      seen = input.CORSConfiguration;
      validateCorsConfiguration(seen);
      return {};
    });
    const client = new S3Client({ ...clientConfig(handler), forcePathStyle: true });
    const good = cfg(rule({ AllowedOrigins: ['https://a.example'], AllowedHeaders: ['x-amz-*'], ExposeHeaders: ['ETag'], MaxAgeSeconds: 600 }));
    await client.send(new PutBucketCorsCommand({ Bucket: 'b', CORSConfiguration: good }));
    assert.deepEqual(seen, good);
    await assert.rejects(
      client.send(new PutBucketCorsCommand({ Bucket: 'b', CORSConfiguration: cfg(rule({ AllowedMethods: ['PATCH'] })) })),
      (err: unknown) => {
        assert.ok(err instanceof S3ServiceException);
        assert.equal(err.name, 'InvalidRequest');
        assert.equal(err.message, 'Found unsupported HTTP method in CORS config. Unsupported method is PATCH');
        assert.equal(err.$metadata.httpStatusCode, 400);
        return true;
      },
    );
    await assert.rejects(client.send(new PutBucketCorsCommand({ Bucket: 'b', CORSConfiguration: cfg() })), { name: 'MalformedXML' });
  });
});

describe('matchCorsRule', () => {
  const origins: Array<[string, string, boolean]> = [
    ['*', 'https://example.com', true],
    ['https://example.com', 'https://example.com', true],
    ['https://example.com', 'http://example.com', false],
    ['https://example.com', 'https://example.com:8443', false],
    ['https://example.com', 'https://EXAMPLE.com', false],
    ['https://*.example.com', 'https://www.example.com', true],
    ['https://*.example.com', 'https://a.b.example.com', true],
    ['https://*.example.com', 'https://.example.com', true],
    ['https://*.example.com', 'https://example.com', false],
    ['https://*.example.com', 'https://www.example.com.evil', false],
    ['https://example.com:*', 'https://example.com:8443', true],
    ['prefix*', 'prefix', true],
    ['https://a*a', 'https://a', false],
    ['*.example.com', 'https://x.example.com', true],
  ];
  for (const [pattern, origin, expected] of origins) {
    test(`origin ${pattern} ${expected ? 'admits' : 'refuses'} ${origin}`, () => {
      assert.equal(matchCorsRule(cfg(rule({ AllowedOrigins: [pattern] })), origin, 'GET') !== undefined, expected);
    });
  }

  const headers: Array<[string[] | undefined, string[], boolean]> = [
    [undefined, [], true],
    [undefined, ['content-type'], false],
    [['Content-Type'], ['content-type'], true],
    [['content-type'], ['CONTENT-TYPE'], true],
    [['content-type'], ['content-type', 'x-amz-date'], false],
    [['*'], ['Authorization', 'x-amz-date'], true],
    [['x-amz-*'], ['x-amz-date', 'X-Amz-Meta-A'], true],
    [['x-amz-*'], ['x-amzn-trace-id'], false],
    [['x-*-id'], ['x-request-id'], true],
    [['content-type'], [' content-type , '], true],
  ];
  for (const [allowed, requested, expected] of headers) {
    test(`AllowedHeaders ${JSON.stringify(allowed)} with ${JSON.stringify(requested)}: ${expected}`, () => {
      const r = rule(allowed ? { AllowedHeaders: allowed } : {});
      assert.equal(matchCorsRule(cfg(r), 'https://x', 'GET', requested) !== undefined, expected);
    });
  }

  test('methods are exact and case-sensitive', () => {
    const c = cfg(rule({ AllowedMethods: ['GET', 'PUT'] }));
    assert.ok(matchCorsRule(c, 'https://x', 'PUT'));
    assert.equal(matchCorsRule(c, 'https://x', 'put'), undefined);
    assert.equal(matchCorsRule(c, 'https://x', 'DELETE'), undefined);
  });

  test('the first rule admitting origin, method and headers wins, and decides Allow-Origin', () => {
    const exact = rule({ ID: 'exact', AllowedOrigins: ['https://example.com'], AllowedMethods: ['GET', 'PUT'] });
    const pattern = rule({ ID: 'pattern', AllowedOrigins: ['https://*.com'], AllowedHeaders: ['*'] });
    const any = rule({ ID: 'any', AllowedMethods: ['GET', 'HEAD'] });
    const c = cfg(exact, pattern, any);
    assert.equal(matchCorsRule(c, 'https://example.com', 'GET')?.rule.ID, 'exact');
    assert.equal(matchCorsRule(c, 'https://example.com', 'HEAD')?.rule.ID, 'any');
    assert.equal(matchCorsRule(c, 'https://example.com', 'GET', ['x-amz-date'])?.rule.ID, 'pattern');
    assert.equal(matchCorsRule(c, 'https://example.com', 'GET')?.allowOrigin, 'https://example.com');
    assert.equal(matchCorsRule(cfg(any, exact), 'https://example.com', 'GET')?.allowOrigin, '*');
    // The literal '*' anywhere in the rule's origins makes the answer '*'.
    assert.equal(matchCorsRule(cfg(rule({ AllowedOrigins: ['https://example.com', '*'] })), 'https://example.com', 'GET')?.allowOrigin, '*');
  });
});

describe('preflight', () => {
  const site = rule({
    ID: 'site',
    AllowedOrigins: ['https://example.com', 'https://*.example.com'],
    AllowedMethods: ['GET', 'PUT', 'DELETE'],
    AllowedHeaders: ['Content-Type', 'x-amz-*'],
    ExposeHeaders: ['ETag', 'x-amz-request-id'],
    MaxAgeSeconds: 3000,
  });
  const pub = rule({ ID: 'public', AllowedMethods: ['GET', 'HEAD'] });
  const config = cfg(site, pub);

  test('a named origin: every header, in S3 order, requested headers lowercased', () => {
    const r = preflight(config, { origin: 'https://example.com', method: 'PUT', requestHeaders: ['Content-Type,X-Amz-Date ', ' x-amz-meta-Name'] });
    assert.ok(r.allowed);
    assert.deepEqual(Object.entries(r.headers), [
      ['Access-Control-Allow-Origin', 'https://example.com'],
      ['Access-Control-Allow-Methods', 'GET, PUT, DELETE'],
      ['Access-Control-Allow-Headers', 'content-type, x-amz-date, x-amz-meta-name'],
      ['Access-Control-Expose-Headers', 'ETag, x-amz-request-id'],
      ['Access-Control-Max-Age', '3000'],
      ['Access-Control-Allow-Credentials', 'true'],
      ['Vary', VARY],
    ]);
  });

  test("the literal '*' origin: Allow-Origin '*' and no credentials", () => {
    const r = preflight(config, { origin: 'https://other.org', method: 'HEAD', requestHeaders: [] });
    assert.deepEqual(r, {
      allowed: true,
      headers: { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Methods': 'GET, HEAD', Vary: VARY },
    });
  });

  test('a MaxAgeSeconds of 0 is still sent', () => {
    const r = preflight(cfg(rule({ MaxAgeSeconds: 0 })), { origin: 'https://x', method: 'GET' });
    assert.ok(r.allowed);
    assert.equal(r.headers['Access-Control-Max-Age'], '0');
  });

  test('no Origin (or an empty one): 400 BadRequest, before anything else', () => {
    for (const origin of [undefined, '']) {
      assert.deepEqual(preflight(undefined, { origin, method: 'PATCH', requestHeaders: [] }), {
        allowed: false,
        status: 400,
        code: 'BadRequest',
        message: 'Insufficient information. Origin request header needed.',
        fields: {},
      });
    }
  });

  test('a missing or unsupported Access-Control-Request-Method: 400, even without a configuration', () => {
    const cases: Array<[string | undefined, string]> = [
      [undefined, 'Invalid Access-Control-Request-Method: null'],
      ['', 'Invalid Access-Control-Request-Method: '],
      ['PATCH', 'Invalid Access-Control-Request-Method: PATCH'],
      ['get', 'Invalid Access-Control-Request-Method: get'],
    ];
    for (const [method, message] of cases) {
      for (const c of [config, undefined]) {
        const r = preflight(c, { origin: 'https://example.com', method, requestHeaders: [] });
        assert.deepEqual(r, { allowed: false, status: 400, code: 'BadRequest', message, fields: {} });
      }
    }
  });

  test('no configuration: 403 AccessForbidden, CORS is not enabled', () => {
    assert.deepEqual(preflight(undefined, { origin: 'https://example.com', method: 'GET', requestHeaders: [], resourceType: 'BUCKET' }), {
      allowed: false,
      status: 403,
      code: 'AccessForbidden',
      message: 'CORSResponse: CORS is not enabled for this bucket.',
      fields: { Method: 'GET', ResourceType: 'BUCKET' },
    });
  });

  test('no rule matches: 403 AccessForbidden with S3 wording', () => {
    const refused: Array<[string, string, string[]]> = [
      ['https://example.org', 'PUT', []],
      ['https://EXAMPLE.com', 'PUT', []],
      ['https://example.com', 'POST', []],
      ['https://example.com', 'PUT', ['content-type, authorization']],
      ['https://example.org', 'GET', ['content-type']],
    ];
    for (const [origin, method, requestHeaders] of refused) {
      assert.deepEqual(preflight(config, { origin, method, requestHeaders }), {
        allowed: false,
        status: 403,
        code: 'AccessForbidden',
        message: NOT_ALLOWED,
        fields: { Method: method, ResourceType: 'OBJECT' },
      });
    }
  });
});

describe('corsHeaders', () => {
  const config = cfg(
    rule({ AllowedOrigins: ['https://example.com'], AllowedMethods: ['GET', 'PUT'], ExposeHeaders: ['ETag'], MaxAgeSeconds: 60 }),
    rule({ AllowedMethods: ['GET', 'HEAD'], AllowedHeaders: ['*'] }),
  );

  test('the first rule admitting origin and method, without Allow-Headers', () => {
    assert.deepEqual(corsHeaders(config, { origin: 'https://example.com', method: 'PUT' }), {
      'Access-Control-Allow-Origin': 'https://example.com',
      'Access-Control-Allow-Methods': 'GET, PUT',
      'Access-Control-Expose-Headers': 'ETag',
      'Access-Control-Max-Age': '60',
      'Access-Control-Allow-Credentials': 'true',
      Vary: VARY,
    });
    assert.deepEqual(corsHeaders(config, { origin: 'https://example.com', method: 'HEAD' }), {
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Methods': 'GET, HEAD',
      Vary: VARY,
    });
  });

  test('AllowedHeaders does not matter for an actual request', () => {
    const c = cfg(rule({ AllowedOrigins: ['https://a'], AllowedHeaders: ['x-only'] }));
    assert.equal(corsHeaders(c, { origin: 'https://a', method: 'GET' })['Access-Control-Allow-Origin'], 'https://a');
  });

  test('nothing without an Origin, a configuration or a matching rule', () => {
    assert.deepEqual(corsHeaders(undefined, { origin: 'https://example.com', method: 'GET' }), {});
    assert.deepEqual(corsHeaders(config, { method: 'GET' }), {});
    assert.deepEqual(corsHeaders(config, { origin: '', method: 'GET' }), {});
    assert.deepEqual(corsHeaders(config, { origin: 'https://example.com', method: 'DELETE' }), {});
    assert.deepEqual(corsHeaders(config, { origin: 'https://example.com', method: 'OPTIONS' }), {});
  });
});
