import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gatewayError, mapResponseV1, mapResponseV2, NOT_FOUND } from './responses.js';

const j = (v: unknown) => Buffer.from(JSON.stringify(v));
const text = (r: { body: Buffer } | undefined) => r?.body.toString('utf8');

describe('payload format 2.0 responses', () => {
  it('a bare string is a 200 application/json whose body is the string', () => {
    const r = mapResponseV2(j('Hello from Lambda!'))!;
    assert.equal(r.status, 200);
    assert.deepEqual(r.headers, { 'content-type': 'application/json' });
    assert.equal(text(r), 'Hello from Lambda!');
  });

  it('JSON without statusCode is a 200 application/json with the JSON as its body', () => {
    const r = mapResponseV2(Buffer.from('{"message":"Hello from Lambda!"}'))!;
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(text(r), '{"message":"Hello from Lambda!"}');
    assert.equal(text(mapResponseV2(j([1, 2]))), '[1,2]');
    assert.equal(text(mapResponseV2(j(42))), '42');
    assert.equal(text(mapResponseV2(Buffer.from('null'))), 'null');
  });

  it('a structured result: status, headers, cookies as Set-Cookie, body', () => {
    const r = mapResponseV2(j({ statusCode: 201, headers: { 'Content-Type': 'text/html', 'X-N': 3, 'X-B': false }, cookies: ['a=1; Path=/', 'b=2'], body: '<p>hi</p>' }))!;
    assert.equal(r.status, 201);
    assert.deepEqual(r.headers, { 'content-type': 'text/html', 'x-n': '3', 'x-b': 'false', 'set-cookie': ['a=1; Path=/', 'b=2'] });
    assert.equal(text(r), '<p>hi</p>');
  });

  it('decodes a base64 body', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 255]);
    const r = mapResponseV2(j({ statusCode: 200, headers: { 'content-type': 'image/png' }, body: png.toString('base64'), isBase64Encoded: true }))!;
    assert.deepEqual(r.body, png);
  });

  it('merges multiValueHeaders and headers; drops headers API Gateway owns', () => {
    const r = mapResponseV2(j({ statusCode: 200, multiValueHeaders: { 'X-A': ['1', '2'], 'Set-Cookie': ['c=1'] }, headers: { 'x-a': '2', 'x-c': 'y', 'Content-Length': '99' }, cookies: ['d=2'] }))!;
    assert.deepEqual(r.headers, { 'x-a': ['1', '2'], 'set-cookie': ['c=1', 'd=2'], 'x-c': 'y' });
    assert.equal(r.body.length, 0);
  });

  it('a structured body without Content-Type is served as text/plain; an empty one gets none', () => {
    assert.equal(mapResponseV2(j({ statusCode: 200, body: 'x' }))!.headers['content-type'], 'text/plain; charset=utf-8');
    assert.deepEqual(mapResponseV2(j({ statusCode: 204 }))!.headers, {});
  });

  it('accepts a numeric-string status', () => assert.equal(mapResponseV2(j({ statusCode: '302', headers: { location: '/x' } }))!.status, 302));

  it('malformed results are undefined (500)', () => {
    for (const bad of [{ statusCode: 200, body: { a: 1 } }, { statusCode: 'OK' }, { statusCode: 99 }, { statusCode: 200, headers: { a: { b: 1 } } }, { statusCode: 200, headers: 'x' }, { statusCode: 200, cookies: 'a=1' }, { statusCode: 200, multiValueHeaders: { a: 'x' } }]) {
      assert.equal(mapResponseV2(j(bad)), undefined, JSON.stringify(bad));
    }
    assert.equal(mapResponseV2(Buffer.from('not json')), undefined);
  });
});

describe('payload format 1.0 responses', () => {
  it('reads statusCode, headers, multiValueHeaders, body and isBase64Encoded', () => {
    const r = mapResponseV1(j({ statusCode: 200, headers: { 'content-type': 'application/json' }, multiValueHeaders: { 'set-cookie': ['a=1', 'b=2'] }, body: '{"ok":true}', isBase64Encoded: false }))!;
    assert.equal(r.status, 200);
    assert.deepEqual(r.headers, { 'set-cookie': ['a=1', 'b=2'], 'content-type': 'application/json' });
    assert.equal(text(r), '{"ok":true}');
    assert.deepEqual(mapResponseV1(j({ statusCode: 200, body: Buffer.from([1, 2]).toString('base64'), isBase64Encoded: true }))!.body, Buffer.from([1, 2]));
  });

  it('ignores cookies (a 2.0 field) and accepts a null body', () => {
    const r = mapResponseV1(j({ statusCode: 404, cookies: ['a=1'], body: null }))!;
    assert.equal(r.status, 404);
    assert.deepEqual(r.headers, {});
  });

  it('anything without a statusCode is malformed (500), unlike 2.0', () => {
    assert.equal(mapResponseV1(j('Hello')), undefined);
    assert.equal(mapResponseV1(j({ message: 'hi' })), undefined);
    assert.equal(mapResponseV1(j({ statusCode: 200, body: 5 })), undefined);
  });
});

describe('gateway errors', () => {
  it('are JSON {"message": ...}', () => {
    const r = NOT_FOUND();
    assert.equal(r.status, 404);
    assert.equal(text(r), '{"message":"Not Found"}');
    assert.deepEqual(gatewayError(401, 'Unauthorized', { 'www-authenticate': 'Bearer' }).headers, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
  });
});
