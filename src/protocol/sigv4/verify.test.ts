import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { S3Client, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { IAMClient, ListUsersCommand } from '@aws-sdk/client-iam';
import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';
import { HttpResponse, type HttpRequest as SmithyRequest } from '@smithy/protocol-http';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { parseAuth, verify, type ParseOptions, type SigV4Style } from './index.js';
import type { HttpRequest } from '../types.js';
import { AKID, NOW, SECRET, TOKEN, fromSmithy, fromWire, newRequest, readAll, rejection, signer } from './testing.js';

const at = { signingDate: new Date(NOW) };
const AWS_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

async function check(req: HttpRequest, style: SigV4Style, creds: { secretAccessKey: string; sessionToken?: string; expiresAt?: number } = { secretAccessKey: SECRET }, opts: Partial<ParseOptions> = {}) {
  const auth = parseAuth(req, { style, now: NOW, ...opts });
  assert.ok(auth, 'the request carries a credential');
  return verify(req, auth, creds, { now: NOW });
}

async function stsPost(token?: string) {
  const body = 'Action=GetCallerIdentity&Version=2011-06-15';
  const request = newRequest({
    method: 'POST',
    path: '/',
    headers: { host: 'localhost:4566', 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body,
  });
  return fromSmithy(await signer('sts', { token }).sign(request, at));
}

test('verify: accepts a query-protocol POST signed by SignatureV4', async () => {
  const result = await check(await stsPost(), 'query');
  assert.equal(result.body.toString(), 'Action=GetCallerIdentity&Version=2011-06-15');
});

test('verify: any tampering outside S3 is SignatureDoesNotMatch 403 with AWS message', async () => {
  const tamperings: [string, (req: HttpRequest) => void][] = [
    ['body', (req) => (req.body = Buffer.from('Action=GetCallerIdentity&Version=2011-06-16'))],
    ['signed header', (req) => (req.headers['content-type'] = 'text/plain')],
    ['query', (req) => (req.rawQuery = 'Action=AssumeRole')],
    ['date', (req) => (req.headers['x-amz-date'] = '20240101T000001Z')],
    ['path', (req) => (req.rawPath = '/x')],
    ['method', (req) => (req.method = 'PUT')],
  ];
  for (const [what, tamper] of tamperings) {
    const req = await stsPost();
    tamper(req);
    const error = await rejection(() => check(req, 'query'));
    assert.deepEqual([error.code, error.status, error.message], ['SignatureDoesNotMatch', 403, AWS_MISMATCH], what);
    assert.deepEqual(error.fields, {}, what);
  }
  const wrongKey = await rejection(async () => check(await stsPost(), 'query', { secretAccessKey: 'not-the-secret' }));
  assert.equal(wrongKey.code, 'SignatureDoesNotMatch');
});

test('verify: temporary credentials need their own token and expire', async () => {
  await check(await stsPost(TOKEN), 'query', { secretAccessKey: SECRET, sessionToken: TOKEN });
  const missing = await rejection(async () => check(await stsPost(), 'query', { secretAccessKey: SECRET, sessionToken: TOKEN }));
  assert.deepEqual([missing.code, missing.status, missing.message], ['InvalidClientTokenId', 403, 'The security token included in the request is invalid.']);
  const other = await rejection(async () => check(await stsPost('other'), 'json', { secretAccessKey: SECRET, sessionToken: TOKEN }));
  assert.equal(other.code, 'UnrecognizedClientException');
  const expired = await rejection(async () =>
    check(await stsPost(TOKEN), 'query', { secretAccessKey: SECRET, sessionToken: TOKEN, expiresAt: NOW - 1 }),
  );
  assert.deepEqual([expired.code, expired.status, expired.message], ['ExpiredToken', 403, 'The security token included in the request is expired']);
  const stray = await rejection(async () => check(await stsPost('stray'), 'query'));
  assert.equal(stray.code, 'InvalidClientTokenId');
});

test('verify: double-encodes and normalises the path for services other than S3', async () => {
  const request = newRequest({
    method: 'GET',
    path: '/2015-03-31/functions/my%20function%2Bv1/./configuration',
    query: { Qualifier: '$LATEST', tag: ['b c', 'a+b'] },
    headers: { host: 'lambda.localhost' },
  });
  const req = fromSmithy(await signer('lambda').sign(request, at));
  await check(req, 'json');
  req.rawPath = '/2015-03-31/functions/my%20function%2Bv2/./configuration';
  const error = await rejection(() => check(req, 'json'));
  assert.deepEqual([error.code, error.status, error.message], ['InvalidSignatureException', 403, AWS_MISMATCH]);
});

test('verify: accepts a presigned GetCallerIdentity URL and expires it', async () => {
  const request = newRequest({ method: 'GET', path: '/', query: { Action: 'GetCallerIdentity', Version: '2011-06-15' }, headers: { host: 'localhost' } });
  const req = fromSmithy(await signer('sts', { token: TOKEN }).presign(request, { ...at, expiresIn: 60 }));
  await check(req, 'query', { secretAccessKey: SECRET, sessionToken: TOKEN });
  const auth = parseAuth(req, { style: 'query', now: NOW })!;
  assert.equal(auth.presigned, true);
  assert.equal(auth.expiresSeconds, 60);
  const expired = await rejection(() => parseAuth(req, { style: 'query', now: NOW + 61000 }));
  assert.equal(expired.code, 'SignatureDoesNotMatch');
  assert.match(expired.message, /^Signature expired: 20240101T000000Z is now earlier than/);
});

async function s3Get(path: string, query: Record<string, string | string[]> = {}, token?: string) {
  const request = newRequest({ method: 'GET', path, query, headers: { host: 'localhost:4566' } });
  return fromSmithy(await signer('s3', { s3: true, token }).sign(request, at));
}

test('verify: S3 signs the path as sent, with spaces, unicode, + and repeated query keys', async () => {
  const req = await s3Get('/bucket/a%20b%2Bc/%C3%BC%21%28x%29//..', { 'list-type': '2', prefix: 'a b+c', k: ['2', '1'], acl: '' });
  assert.equal(req.rawQuery, 'list-type=2&prefix=a%20b%2Bc&k=2&k=1&acl=');
  await check(req, 's3');
});

test('verify: an S3 mismatch echoes what was signed, as text and as bytes', async () => {
  const req = await s3Get('/bucket/key', {}, TOKEN);
  req.rawPath = '/bucket/other';
  const error = await rejection(() => check(req, 's3', { secretAccessKey: SECRET, sessionToken: TOKEN }));
  assert.deepEqual(
    [error.code, error.status, error.message],
    ['SignatureDoesNotMatch', 403, 'The request signature we calculated does not match the signature you provided. Check your key and signing method.'],
  );
  const canonical = `GET\n/bucket/other\n\nhost:localhost:4566\nx-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\nx-amz-date:20240101T000000Z\nx-amz-security-token:${TOKEN}\n\nhost;x-amz-content-sha256;x-amz-date;x-amz-security-token\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855`;
  const toSign = `AWS4-HMAC-SHA256\n20240101T000000Z\n20240101/us-east-1/s3/aws4_request\n${createHash('sha256').update(canonical).digest('hex')}`;
  assert.deepEqual(Object.keys(error.fields), ['AWSAccessKeyId', 'StringToSign', 'SignatureProvided', 'StringToSignBytes', 'CanonicalRequest', 'CanonicalRequestBytes']);
  assert.equal(error.fields.AWSAccessKeyId, AKID);
  assert.equal(error.fields.CanonicalRequest, canonical);
  assert.equal(error.fields.StringToSign, toSign);
  assert.equal(error.fields.SignatureProvided, req.headers.authorization!.slice(-64));
  assert.equal((error.fields.StringToSignBytes as string).slice(0, 23), '41 57 53 34 2d 48 4d 41');
});

test('verify: a temporary S3 key without its token is an unknown key', async () => {
  const error = await rejection(async () => check(await s3Get('/bucket/key'), 's3', { secretAccessKey: SECRET, sessionToken: TOKEN }));
  assert.deepEqual([error.code, error.status, error.fields], ['InvalidAccessKeyId', 403, { AWSAccessKeyId: AKID }]);
  const expired = await rejection(async () =>
    check(await s3Get('/bucket/key', {}, TOKEN), 's3', { secretAccessKey: SECRET, sessionToken: TOKEN, expiresAt: NOW }),
  );
  assert.deepEqual([expired.code, expired.status, expired.fields], ['ExpiredToken', 400, { 'Token-0': TOKEN }]);
});

async function s3Put(body: string) {
  const request = newRequest({ method: 'PUT', path: '/bucket/key', headers: { host: 'localhost:4566', 'content-length': String(body.length) }, body });
  return fromSmithy(await signer('s3', { s3: true }).sign(request, at));
}

test('verify: an S3 body must hash to its x-amz-content-sha256', async () => {
  const ok = await check(await s3Put('hello'), 's3');
  assert.equal(ok.body.toString(), 'hello');
  const req = await s3Put('hello');
  req.body = Buffer.from('jello');
  const error = await rejection(() => check(req, 's3'));
  assert.deepEqual([error.code, error.status], ['XAmzContentSHA256Mismatch', 400]);
  assert.equal(error.message, "The provided 'x-amz-content-sha256' header does not match what was computed.");
  assert.deepEqual(error.fields, {
    ClientComputedContentSHA256: createHash('sha256').update('hello').digest('hex'),
    S3ComputedContentSHA256: createHash('sha256').update('jello').digest('hex'),
  });
});

test('verify: a streamed S3 body is checked as it passes and fails before it ends', async () => {
  const good = await s3Put('hello world');
  good.body = Readable.from([Buffer.from('hello '), Buffer.from('world')]);
  const result = await check(good, 's3');
  assert.ok(result.body instanceof Readable);
  assert.equal((await readAll(result.body)).toString(), 'hello world');

  const bad = await s3Put('hello world');
  bad.body = Readable.from([Buffer.from('hello '), Buffer.from('w0rld')]);
  const stream = (await check(bad, 's3')).body as Readable;
  let ended = false;
  stream.on('end', () => (ended = true));
  const error = await rejection(() => readAll(stream));
  assert.equal(error.code, 'XAmzContentSHA256Mismatch');
  assert.equal(ended, false);
});

test('verify: UNSIGNED-PAYLOAD leaves the body unread', async () => {
  const request = newRequest({ method: 'PUT', path: '/bucket/key', headers: { host: 'localhost', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
  const req = fromSmithy(await signer('s3', { s3: true }).sign(request, at));
  const body = Readable.from([Buffer.from('anything')]);
  req.body = body;
  assert.equal((await check(req, 's3')).body, body);
});

const s3Client = new S3Client({
  region: 'us-east-1',
  endpoint: 'http://localhost:4566',
  forcePathStyle: true,
  credentials: { accessKeyId: AKID, secretAccessKey: SECRET, sessionToken: TOKEN },
});

async function presignedUrl(command: GetObjectCommand | PutObjectCommand, expiresIn = 60) {
  const url = new URL(await getSignedUrl(s3Client, command, { expiresIn, signingDate: new Date(NOW) }));
  return fromWire(command instanceof PutObjectCommand ? 'PUT' : 'GET', url.pathname + url.search, { host: url.host });
}

test('verify: accepts S3 presigned URLs from the SDK presigner, keys with spaces and unicode', async () => {
  const get = await presignedUrl(new GetObjectCommand({ Bucket: 'b', Key: 'a b+c/ü(1)!.txt', ResponseContentType: 'text/plain' }));
  await check(get, 's3', { secretAccessKey: SECRET, sessionToken: TOKEN });
  const put = await presignedUrl(new PutObjectCommand({ Bucket: 'b', Key: 'photos/cat.jpg', ContentType: 'image/jpeg' }));
  put.body = Readable.from([Buffer.from('jpeg bytes')]);
  const result = await check(put, 's3', { secretAccessKey: SECRET, sessionToken: TOKEN });
  assert.equal((await readAll(result.body)).toString(), 'jpeg bytes');
});

test('verify: S3 presigned URL tampering and token faults', async () => {
  const creds = { secretAccessKey: SECRET, sessionToken: TOKEN };
  const req = await presignedUrl(new GetObjectCommand({ Bucket: 'b', Key: 'k' }));
  const tampered = { ...req, rawQuery: req.rawQuery.replace('X-Amz-Expires=60', 'X-Amz-Expires=600') };
  const mismatch = await rejection(() => check(tampered, 's3', creds));
  assert.equal(mismatch.code, 'SignatureDoesNotMatch');
  assert.match(mismatch.fields.CanonicalRequest as string, /X-Amz-Expires=600/);
  assert.doesNotMatch(mismatch.fields.CanonicalRequest as string, /X-Amz-Signature/);
  const otherToken = await rejection(() => check(req, 's3', { secretAccessKey: SECRET, sessionToken: 'another' }));
  assert.equal(otherToken.code, 'InvalidAccessKeyId');
  const expired = await rejection(() => parseAuth(req, { style: 's3', now: NOW + 61000 }));
  assert.deepEqual([expired.code, expired.message], ['AccessDenied', 'Request has expired']);
  const unsigned = { ...req, headers: { ...req.headers, 'x-amz-acl': 'public-read' } };
  const notSigned = await rejection(() => check(unsigned, 's3', creds));
  assert.deepEqual([notSigned.code, notSigned.fields], ['AccessDenied', { HeadersNotSigned: 'x-amz-acl' }]);
});

/** Captures what a real SDK client sends, answering with an empty 200. */
function capturing(into: HttpRequest[], body = '') {
  return {
    async handle(request: SmithyRequest) {
      into.push(fromSmithy(request));
      return { response: new HttpResponse({ statusCode: 200, headers: {}, body: Readable.from([Buffer.from(body)]) }) };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
  } as never;
}

test('verify: accepts what the SDK\'s STS, IAM and Lambda clients send', async () => {
  const sent: HttpRequest[] = [];
  const config = {
    region: 'eu-west-1',
    endpoint: 'http://localhost:4566',
    credentials: { accessKeyId: AKID, secretAccessKey: SECRET, sessionToken: TOKEN },
    maxAttempts: 1,
  };
  await new STSClient({ ...config, requestHandler: capturing(sent) }).send(new GetCallerIdentityCommand({})).catch(() => {});
  await new IAMClient({ ...config, requestHandler: capturing(sent) }).send(new ListUsersCommand({ PathPrefix: '/a b+c/' })).catch(() => {});
  await new LambdaClient({ ...config, requestHandler: capturing(sent, '{}') })
    .send(new InvokeCommand({ FunctionName: 'my-fn:live', Payload: Buffer.from('{"a": "b c"}') }))
    .catch(() => {});
  assert.equal(sent.length, 3);
  const [sts, iam, lambda] = sent as [HttpRequest, HttpRequest, HttpRequest];
  const creds = { secretAccessKey: SECRET, sessionToken: TOKEN };
  const now = Date.now();
  for (const [req, style, service] of [[sts, 'query', 'sts'], [iam, 'query', 'iam'], [lambda, 'json', 'lambda']] as const) {
    const auth = parseAuth(req, { style, now, service })!;
    assert.equal(auth.service, service);
    await verify(req, auth, creds, { now });
  }
  assert.match(lambda.rawPath, /my-fn%3Alive/);
  lambda.body = Buffer.from('{"a": "b d"}');
  const error = await rejection(() => verify(lambda, parseAuth(lambda, { style: 'json', now })!, creds, { now }));
  assert.equal(error.code, 'InvalidSignatureException');
});
