import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  expiredTokenError,
  invalidAccessKeyError,
  invalidTokenError,
  missingAuthenticationError,
  parseAuth,
  styleFor,
  type ParseOptions,
} from './index.js';
import { NOW, fromWire, rejection } from './testing.js';

const SIG = 'a'.repeat(64);
const HASH = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const CRED = 'AKIDEXAMPLE/20240101/us-east-1/sts/aws4_request';
const header = (cred = CRED, signed = 'host;x-amz-date') => `AWS4-HMAC-SHA256 Credential=${cred}, SignedHeaders=${signed}, Signature=${SIG}`;
const query = { style: 'query', now: NOW } satisfies ParseOptions;

function stsRequest(headers: Record<string, string>, target = '/') {
  return fromWire('POST', target, { host: 'localhost', 'x-amz-date': '20240101T000000Z', ...headers });
}

test('parseAuth: a request with no credential is anonymous in every style', () => {
  for (const style of ['s3', 'query', 'json'] as const) {
    assert.equal(parseAuth(fromWire('GET', '/b/k', { host: 'localhost' }), { style, now: NOW }), undefined);
  }
});

test('parseAuth: reads a header credential into its parts', () => {
  const auth = parseAuth(stsRequest({ authorization: header(), 'x-amz-security-token': 'tok' }), query)!;
  assert.equal(auth.accessKeyId, 'AKIDEXAMPLE');
  assert.equal(auth.region, 'us-east-1');
  assert.equal(auth.service, 'sts');
  assert.equal(auth.scope, '20240101/us-east-1/sts/aws4_request');
  assert.deepEqual(auth.signedHeaders, ['host', 'x-amz-date']);
  assert.equal(auth.signature, SIG);
  assert.equal(auth.sessionToken, 'tok');
  assert.equal(auth.presigned, false);
  assert.equal(auth.payloadHash, undefined);
  assert.equal(auth.date.getTime(), NOW);
});

test('parseAuth: components may be separated by commas without spaces', () => {
  const auth = parseAuth(
    stsRequest({ authorization: `AWS4-HMAC-SHA256 Credential=${CRED},SignedHeaders=host;x-amz-date,Signature=${SIG}` }),
    query,
  )!;
  assert.equal(auth.signature, SIG);
});

test('missingAuthenticationError: names the missing token per dialect', () => {
  const q = missingAuthenticationError('query');
  assert.deepEqual([q.code, q.status, q.message], ['MissingAuthenticationToken', 403, 'Request is missing Authentication Token']);
  const j = missingAuthenticationError('json');
  assert.deepEqual([j.code, j.status, j.message], ['MissingAuthenticationTokenException', 403, 'Missing Authentication Token']);
});

test('parseAuth: a non-SigV4 Authorization header is an incomplete signature listing every missing part', async () => {
  const error = await rejection(() => parseAuth(stsRequest({ authorization: 'Bearer abc' }), query));
  assert.equal(error.code, 'IncompleteSignature');
  assert.equal(error.status, 400);
  assert.equal(
    error.message,
    "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=Bearer abc",
  );
});

test('parseAuth: a missing date joins the missing parts (json dialect adds Exception)', async () => {
  const req = fromWire('POST', '/', { host: 'localhost', authorization: `AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=host` });
  const error = await rejection(() => parseAuth(req, { style: 'json', now: NOW }));
  assert.equal(error.code, 'IncompleteSignatureException');
  assert.equal(
    error.message,
    `Authorization header requires 'Signature' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=host`,
  );
});

test('parseAuth: an unknown algorithm and a short credential are incomplete signatures', async () => {
  const algorithm = await rejection(() => parseAuth(stsRequest({ authorization: `AWS4-HMAC-SHA512 Credential=${CRED}` }), query));
  assert.equal(algorithm.message, "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'");
  const short = await rejection(() => parseAuth(stsRequest({ authorization: header('AKIDEXAMPLE/20240101/us-east-1/sts') }), query));
  assert.equal(short.code, 'IncompleteSignature');
  assert.equal(
    short.message,
    "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIDEXAMPLE/20240101/us-east-1/sts'",
  );
  const badDate = await rejection(() => parseAuth(stsRequest({ authorization: header(), 'x-amz-date': '2024-01-01' }), query));
  assert.match(badDate.message, /^Date must be in ISO-8601 'basic format'. Got '2024-01-01'/);
});

test('parseAuth: a credential scoped to another region or service is a signature mismatch', async () => {
  const error = await rejection(() =>
    parseAuth(stsRequest({ authorization: header('AKIDEXAMPLE/20240101/us-west-2/s3/aws4_request') }), {
      ...query,
      region: 'us-east-1',
      service: 'sts',
    }),
  );
  assert.equal(error.code, 'SignatureDoesNotMatch');
  assert.equal(error.status, 403);
  assert.equal(error.message, "Credential should be scoped to a valid region. Credential should be scoped to correct service: 'sts'. ");
  const date = await rejection(() => parseAuth(stsRequest({ authorization: header('AKIDEXAMPLE/20231231/us-east-1/sts/aws4_request') }), query));
  assert.equal(
    date.message,
    "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20231231' != '20240101', from '20240101T000000Z'. ",
  );
});

test('parseAuth: a skewed clock is "Signature expired" or "not yet current" outside S3', async () => {
  const late = await rejection(() => parseAuth(stsRequest({ authorization: header() }), { style: 'query', now: NOW + 30 * 60000 }));
  assert.equal(late.code, 'SignatureDoesNotMatch');
  assert.equal(late.status, 403);
  assert.equal(late.message, 'Signature expired: 20240101T000000Z is now earlier than 20240101T001500Z (20240101T003000Z - 15 min.)');
  const early = await rejection(() => parseAuth(stsRequest({ authorization: header() }), { style: 'json', now: NOW - 30 * 60000 }));
  assert.equal(early.code, 'InvalidSignatureException');
  assert.equal(early.message, 'Signature not yet current: 20240101T000000Z is still later than 20231231T234500Z (20231231T233000Z + 15 min.)');
  assert.ok(parseAuth(stsRequest({ authorization: header() }), { style: 'query', now: NOW + 14 * 60000 }));
});

test('parseAuth: presigned query credentials outside S3 must name every parameter', async () => {
  const req = fromWire('GET', `/?Action=GetCallerIdentity&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${encodeURIComponent(CRED)}`, {
    host: 'localhost',
  });
  const error = await rejection(() => parseAuth(req, query));
  assert.equal(error.code, 'IncompleteSignature');
  assert.equal(
    error.message,
    "AWS query-string parameters must include 'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-SignedHeaders'. AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters.",
  );
});

const S3_CRED = 'AKIDEXAMPLE/20240101/us-east-1/s3/aws4_request';
function s3Request(headers: Record<string, string | undefined>, target = '/bucket/key') {
  const all: Record<string, string> = {};
  const base: Record<string, string | undefined> = {
    host: 'localhost',
    'x-amz-date': '20240101T000000Z',
    'x-amz-content-sha256': HASH,
    authorization: header(S3_CRED, 'host;x-amz-content-sha256;x-amz-date'),
    ...headers,
  };
  for (const [k, v] of Object.entries(base)) if (v !== undefined) all[k] = v;
  return fromWire('GET', target, all);
}
const s3 = { style: 's3', now: NOW } satisfies ParseOptions;

test('parseAuth: S3 header faults answer in S3 order with S3 codes', async () => {
  const cases: [Record<string, string | undefined>, string, number, string][] = [
    [{ authorization: 'AWS4-HMAC-SHA256' }, 'InvalidArgument', 400, "Authorization header is invalid -- one and only one ' ' (space) required"],
    [{ authorization: 'Bearer abc' }, 'InvalidArgument', 400, 'Unsupported Authorization Type'],
    [{ authorization: 'AWS AKIDEXAMPLE' }, 'InvalidArgument', 400, 'AWS authorization header is invalid.  Expected AwsAccessKeyId:signature'],
    [{ 'x-amz-content-sha256': undefined }, 'InvalidRequest', 400, 'Missing required header for this request: x-amz-content-sha256'],
    [{ 'x-amz-date': undefined }, 'AccessDenied', 403, 'AWS authentication requires a valid Date or x-amz-date header'],
    [{ authorization: `AWS4-HMAC-SHA256 Credential=${S3_CRED}` }, 'AuthorizationHeaderMalformed', 400, 'The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.'],
    [{ authorization: header('AKIDEXAMPLE/20240101/s3/aws4_request') }, 'AuthorizationHeaderMalformed', 400, 'The authorization header is malformed; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".'],
    [{ authorization: header('AKIDEXAMPLE/20240101/us-east-1/sts/aws4_request') }, 'AuthorizationHeaderMalformed', 400, 'The authorization header is malformed; incorrect service "sts". This endpoint belongs to "s3".'],
    [{ authorization: header('AKIDEXAMPLE/20231231/us-east-1/s3/aws4_request') }, 'AuthorizationHeaderMalformed', 400, 'The authorization header is malformed; Invalid credential date. Date is not the same as X-Amz-Date.'],
  ];
  for (const [headers, code, status, message] of cases) {
    const error = await rejection(() => parseAuth(s3Request(headers), s3));
    assert.deepEqual([error.code, error.status, error.message], [code, status, message], JSON.stringify(headers));
  }
  const bad = await rejection(() => parseAuth(s3Request({ 'x-amz-content-sha256': 'unsigned-payload' }), s3));
  assert.equal(bad.code, 'InvalidArgument');
  assert.deepEqual(bad.fields, { ArgumentName: 'x-amz-content-sha256', ArgumentValue: 'unsigned-payload' });
});

test('parseAuth: S3 names the expected region when the scope names another', async () => {
  const error = await rejection(() =>
    parseAuth(s3Request({ authorization: header('AKIDEXAMPLE/20240101/us-west-2/s3/aws4_request') }), { ...s3, region: 'us-east-1' }),
  );
  assert.equal(error.code, 'AuthorizationHeaderMalformed');
  assert.equal(error.message, "The authorization header is malformed; the region 'us-west-2' is wrong; expecting 'us-east-1'");
  assert.deepEqual(error.fields, { Region: 'us-east-1' });
  assert.deepEqual(error.headers, { 'x-amz-bucket-region': 'us-east-1' });
});

test('parseAuth: S3 clock skew is RequestTimeTooSkewed with the times it compared', async () => {
  const error = await rejection(() => parseAuth(s3Request({}), { style: 's3', now: NOW + 16 * 60000 }));
  assert.equal(error.code, 'RequestTimeTooSkewed');
  assert.equal(error.status, 403);
  assert.equal(error.message, 'The difference between the request time and the current time is too large.');
  assert.deepEqual(error.fields, {
    RequestTime: '20240101T000000Z',
    ServerTime: '2024-01-01T00:16:00Z',
    MaxAllowedSkewMilliseconds: '900000',
  });
});

test('parseAuth: S3 refuses x-amz-* headers sent unsigned, listed in its order', async () => {
  const error = await rejection(() => parseAuth(s3Request({ 'x-amz-meta-a': '1', 'x-amz-security-token': 't', 'content-md5': 'x' }), s3));
  assert.equal(error.code, 'AccessDenied');
  assert.equal(error.status, 403);
  assert.equal(error.message, 'There were headers present in the request which were not signed');
  assert.equal(error.fields.HeadersNotSigned, 'x-amz-meta-a, content-md5, x-amz-security-token');
});

test('parseAuth: S3 refuses a header credential beside a presigned one', async () => {
  const req = s3Request({}, '/bucket/key?X-Amz-Algorithm=AWS4-HMAC-SHA256');
  const error = await rejection(() => parseAuth(req, s3));
  assert.equal(error.code, 'InvalidArgument');
  assert.match(error.message, /^Only one auth mechanism allowed/);
});

function presigned(params: Record<string, string | undefined>) {
  const all: Record<string, string | undefined> = {
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': S3_CRED,
    'X-Amz-Date': '20240101T000000Z',
    'X-Amz-Expires': '300',
    'X-Amz-SignedHeaders': 'host',
    'X-Amz-Signature': SIG,
    ...params,
  };
  const q = Object.entries(all)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(v!)}`)
    .join('&');
  return fromWire('GET', `/bucket/key?${q}`, { host: 'localhost' });
}

test('parseAuth: S3 presigned URL faults are AuthorizationQueryParametersError with S3 messages', async () => {
  const cases: [Record<string, string | undefined>, string][] = [
    [{ 'X-Amz-Algorithm': 'AWS4-HMAC-SHA1' }, 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256 and AWS4-ECDSA-P256-SHA256"'],
    [{ 'X-Amz-SignedHeaders': undefined }, 'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.'],
    [{ 'X-Amz-Date': '2024-01-01' }, `X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`],
    [{ 'X-Amz-Expires': 'soon' }, 'X-Amz-Expires should be a number'],
    [{ 'X-Amz-Expires': '-1' }, 'X-Amz-Expires must be non-negative'],
    [{ 'X-Amz-Expires': '604801' }, 'X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds'],
    [{ 'X-Amz-Credential': 'AKIDEXAMPLE/20240101/s3' }, 'Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".'],
    [{ 'X-Amz-Credential': 'AKIDEXAMPLE/20231231/us-east-1/s3/aws4_request' }, 'Invalid credential date "20231231". This date is not the same as X-Amz-Date: "20240101".'],
  ];
  for (const [params, message] of cases) {
    const error = await rejection(() => parseAuth(presigned(params), s3));
    assert.deepEqual([error.code, error.status, error.message], ['AuthorizationQueryParametersError', 400, message], JSON.stringify(params));
  }
  assert.equal(parseAuth(presigned({ 'X-Amz-Expires': '604800' }), s3)!.expiresSeconds, 604800);
});

test('parseAuth: an expired or not yet valid presigned URL is AccessDenied with its times', async () => {
  const expired = await rejection(() => parseAuth(presigned({}), { style: 's3', now: NOW + 301000 }));
  assert.deepEqual([expired.code, expired.status, expired.message], ['AccessDenied', 403, 'Request has expired']);
  assert.deepEqual(expired.fields, { 'X-Amz-Expires': '300', Expires: '2024-01-01T00:05:00Z', ServerTime: '2024-01-01T00:05:01Z' });
  const early = await rejection(() => parseAuth(presigned({}), { style: 's3', now: NOW - 3600000 }));
  assert.equal(early.message, 'Request is not yet valid');
  assert.deepEqual(early.fields, { 'X-Amz-Date': String(NOW), Expires: '2024-01-01T00:05:00Z', ServerTime: '2023-12-31T23:00:00Z' });
  assert.ok(parseAuth(presigned({}), { style: 's3', now: NOW + 300000 }));
});

test('parseAuth: a presigned token sent as a signed header wins over the query one', () => {
  const req = presigned({ 'X-Amz-SignedHeaders': 'host;x-amz-security-token', 'X-Amz-Security-Token': 'query-token' });
  req.headers['x-amz-security-token'] = 'header-token';
  assert.equal(parseAuth(req, s3)!.sessionToken, 'header-token');
  assert.equal(parseAuth(presigned({ 'X-Amz-Security-Token': 'query-token' }), s3)!.sessionToken, 'query-token');
});

test('error helpers: unknown keys and bad tokens per dialect', () => {
  const s3Key = invalidAccessKeyError('s3', 'AKIDX');
  assert.deepEqual([s3Key.code, s3Key.status, s3Key.message, s3Key.fields], [
    'InvalidAccessKeyId',
    403,
    'The AWS Access Key Id you provided does not exist in our records.',
    { AWSAccessKeyId: 'AKIDX' },
  ]);
  const queryKey = invalidAccessKeyError('query', 'AKIDX');
  assert.deepEqual([queryKey.code, queryKey.status, queryKey.message], ['InvalidClientTokenId', 403, 'The security token included in the request is invalid.']);
  assert.equal(invalidAccessKeyError('json', 'AKIDX').code, 'UnrecognizedClientException');
  const expired = expiredTokenError('s3', 'tok');
  assert.deepEqual([expired.code, expired.status, expired.message, expired.fields], ['ExpiredToken', 400, 'The provided token has expired.', { 'Token-0': 'tok' }]);
  const stsExpired = expiredTokenError('query', 'tok');
  assert.deepEqual([stsExpired.code, stsExpired.status, stsExpired.message], ['ExpiredToken', 403, 'The security token included in the request is expired']);
  assert.equal(expiredTokenError('json', 'tok').code, 'ExpiredTokenException');
  const malformed = invalidTokenError('s3', 'tok');
  assert.deepEqual([malformed.code, malformed.status, malformed.message], ['InvalidToken', 400, 'The provided token is malformed or otherwise invalid.']);
});

test('styleFor: picks the dialect from the protocol and signing name', () => {
  assert.equal(styleFor('rest-xml', 's3'), 's3');
  assert.equal(styleFor('query', 'sts'), 'query');
  assert.equal(styleFor('rest-json', 'lambda'), 'json');
  assert.equal(styleFor('json', 'logs'), 'json');
});
