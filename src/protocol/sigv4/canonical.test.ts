import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { hmacHex, leanCanonicalRequest, signingKey, smithyCanonicalRequest, type CanonicalInput } from './canonical.js';

/** A small deterministic generator, so a failure names an input that can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const PATH_PIECES = ['', '.', '..', 'a', 'B-c_d.e~f', 'k%20ey', '%2F', 'sp ace', 'é', '%E2%82%AC', "it's", '(x)*!', 'a+b', '%zz', '~'];
const QUERY_KEYS = ['Action', 'Version', 'a', 'A', 'a-b', 'a b', 'X-Amz-Signature', 'x-amz-signature', 'X-Amz-Date', 'list-type', '', 'é', '%41', 'k%2B', '1', '10', '2'];
const QUERY_VALUES = ['', 'GetCallerIdentity', '2011-06-15', 'a+b', 'a%20b', '%2B', "it's", '~', 'é', '%E2%82%AC', 'z', 'Z', '%zz'];
const HEADER_NAMES = ['host', 'content-type', 'x-amz-date', 'x-amz-content-sha256', 'x-amz-security-token', 'x-amz-target', 'Host', 'X-Amz-Date', 'missing', 'a', ''];
const HEADER_VALUES = ['127.0.0.1:4566', 'application/x-www-form-urlencoded; charset=utf-8', '  padded  ', 'two  spaces', 'tab\there', 'line\nbreak', ' ', '', 'a, b', 'x'];

function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)]!;
}

function generate(r: () => number): CanonicalInput {
  const segments = Array.from({ length: Math.floor(r() * 5) }, () => pick(r, PATH_PIECES));
  const rawPath = r() < 0.15 ? '' : (r() < 0.9 ? '/' : '') + segments.join('/') + (r() < 0.2 ? '/' : '');
  const pairs = Array.from({ length: Math.floor(r() * 5) }, () => {
    const key = pick(r, QUERY_KEYS);
    return r() < 0.15 ? key : `${key}=${pick(r, QUERY_VALUES)}`;
  });
  const rawQuery = pairs.join(r() < 0.1 ? '&&' : '&');
  const headers: Record<string, string> = {};
  for (const name of HEADER_NAMES) if (name === name.toLowerCase() && name !== 'missing' && r() < 0.7) headers[name] = pick(r, HEADER_VALUES);
  let signedHeaders = [...new Set(Array.from({ length: 1 + Math.floor(r() * 5) }, () => pick(r, HEADER_NAMES)))];
  if (r() < 0.8) signedHeaders = signedHeaders.sort();
  return {
    method: pick(r, ['GET', 'POST', 'PUT', 'HEAD']),
    rawPath,
    rawQuery,
    headers,
    signedHeaders,
    payloadHash: pick(r, ['UNSIGNED-PAYLOAD', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']),
    s3: r() < 0.5,
    presigned: r() < 0.3,
  };
}

test('the lean canonical request is byte for byte smithy’s, or defers to it', () => {
  const r = rng(20261122);
  let lean = 0;
  for (let i = 0; i < 20000; i++) {
    const input = generate(r);
    const expected = smithyCanonicalRequest(input);
    const actual = leanCanonicalRequest(input);
    if (actual === undefined) continue;
    lean++;
    assert.equal(actual, expected, `input ${i}: ${JSON.stringify(input)}`);
  }
  // Most generated requests take the lean path (unsorted or upper-case SignedHeaders do not).
  assert.ok(lean > 10000, `only ${lean} of 20000 took the lean path`);
});

test('an SDK-shaped request always takes the lean path', () => {
  const input: CanonicalInput = {
    method: 'POST',
    rawPath: '/',
    rawQuery: '',
    headers: {
      host: '127.0.0.1:4566',
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      'x-amz-content-sha256': 'ab',
      'x-amz-date': '20261122T000000Z',
      'x-amz-security-token': 'token',
    },
    signedHeaders: ['content-type', 'host', 'x-amz-content-sha256', 'x-amz-date', 'x-amz-security-token'],
    payloadHash: 'ab',
    s3: false,
    presigned: false,
  };
  assert.equal(leanCanonicalRequest(input), smithyCanonicalRequest(input));
  const s3: CanonicalInput = { ...input, method: 'GET', rawPath: '/bucket/a%20key', rawQuery: 'list-type=2&prefix=a%2Fb&delimiter=%2F', s3: true };
  assert.equal(leanCanonicalRequest(s3), smithyCanonicalRequest(s3));
});

test('names a plain object already has are left to smithy', () => {
  const base: CanonicalInput = { method: 'GET', rawPath: '/', rawQuery: '', headers: { host: 'h' }, signedHeaders: ['host'], payloadHash: 'x', s3: false, presigned: false };
  assert.equal(leanCanonicalRequest({ ...base, rawQuery: '__proto__=1' }), undefined);
  assert.equal(leanCanonicalRequest({ ...base, rawQuery: 'constructor=1' }), undefined);
  assert.equal(leanCanonicalRequest({ ...base, signedHeaders: ['constructor', 'host'] }), undefined);
  assert.equal(leanCanonicalRequest({ ...base, signedHeaders: ['host', 'Host'] }), undefined);
  assert.equal(leanCanonicalRequest({ ...base, signedHeaders: ['x-amz-date', 'host'] }), undefined);
});

test('the HMAC from cached pad blocks equals node:crypto’s', () => {
  const r = rng(7);
  for (let i = 0; i < 300; i++) {
    const secret = `secret-${i}-${'s'.repeat(Math.floor(r() * 80))}`;
    const date = `202611${String(10 + (i % 20))}`;
    const key = signingKey(secret, date, 'us-east-1', 'sts');
    let expectedKey = createHmac('sha256', `AWS4${secret}`).update(date).digest();
    for (const part of ['us-east-1', 'sts', 'aws4_request']) expectedKey = createHmac('sha256', expectedKey).update(part).digest();
    // Up to 30,000 characters: past the shared scratch buffer's 64 KiB, a text gets a buffer of its own.
    const data = i % 3 === 0 ? 'é€'.repeat(Math.floor(r() * 3000)) : 'x'.repeat(Math.floor(r() * (i % 10 === 1 ? 30000 : 9000)));
    assert.equal(hmacHex(key, data), createHmac('sha256', expectedKey).update(data).digest('hex'));
    // The cached key answers the same the second time.
    assert.equal(hmacHex(signingKey(secret, date, 'us-east-1', 'sts'), data), createHmac('sha256', expectedKey).update(data).digest('hex'));
  }
});
