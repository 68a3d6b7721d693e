/**
 * Browser POST uploads: AWS's own SigV4 POST example (known answers), forms
 * that boto3's generate_presigned_post signs and `requests` encodes (SigV4,
 * session tokens, SigV2), forms shaped as @aws-sdk/s3-presigned-post's
 * createPresignedPost builds them and serialized by WHATWG FormData (what a
 * browser sends), and S3's error answers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isServiceError } from '../../core/errors.js';
import {
  contentLengthGuard,
  parsePostUpload,
  parsePolicy,
  postLocation,
  postUploadResponse,
  verifyPostPolicy,
  type ParsedPostUpload,
  type PostSigningCredentials,
} from './post-upload.js';

const CREDS: Record<string, PostSigningCredentials> = {
  AKIAIOSFODNN7EXAMPLE: { secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
  AKIDPOST: { secretAccessKey: 's3cr3t/k+y' },
  ASIAPOST: { secretAccessKey: 'temp/s3cr3t', sessionToken: 'tok+en/==' },
};
const lookupSecret = async (id: string) => CREDS[id];

async function formBody(fields: Array<[string, string]>, file: { name?: string; data: string; type?: string }, after: Array<[string, string]> = []) {
  const fd = new FormData();
  for (const [k, v] of fields) fd.append(k, v);
  fd.append('file', new Blob([file.data], { type: file.type ?? '' }), file.name ?? 'blob');
  for (const [k, v] of after) fd.append(k, v);
  const req = new Request('http://localhost/bucket', { method: 'POST', body: fd });
  return { contentType: req.headers.get('content-type')!, body: Readable.from([Buffer.from(await req.arrayBuffer())]) };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of stream) out.push(c as Buffer);
  return Buffer.concat(out);
}

async function expectError(promise: Promise<unknown>, code: string, message?: string, fields?: Record<string, unknown>) {
  try {
    await promise;
  } catch (err) {
    assert.ok(isServiceError(err), String(err));
    assert.equal(err.code, code, err.message);
    if (message !== undefined) assert.equal(err.message, message);
    if (fields !== undefined) for (const [k, v] of Object.entries(fields)) assert.deepEqual(err.fields[k], v, k);
    return err;
  }
  assert.fail(`expected ${code}`);
}

// --- AWS's example (sigv4-post-example): its policy, base64 and signature are known answers.
const DOC_POLICY = [
  '{ "expiration": "2015-12-30T12:00:00.000Z",',
  '  "conditions": [',
  '    {"bucket": "sigv4examplebucket"},',
  '    ["starts-with", "$key", "user/user1/"],',
  '    {"acl": "public-read"},',
  '    {"success_action_redirect": "http://sigv4examplebucket.s3.amazonaws.com/successful_upload.html"},',
  '    ["starts-with", "$Content-Type", "image/"],',
  '    {"x-amz-meta-uuid": "14365123651274"},',
  '    {"x-amz-server-side-encryption": "AES256"},',
  '    ["starts-with", "$x-amz-meta-tag", ""],',
  '',
  '    {"x-amz-credential": "AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request"},',
  '    {"x-amz-algorithm": "AWS4-HMAC-SHA256"},',
  '    {"x-amz-date": "20151229T000000Z" }',
  '  ]',
  '}',
].join('\r\n');
/** The StringToSign the page prints. */
const DOC_POLICY_B64 =
  'eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0KICAiY29uZGl0aW9ucyI6IFsNCiAgICB7ImJ1Y2tldCI6ICJzaWd2NGV4YW1w' +
  'bGVidWNrZXQifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXNlci91c2VyMS8iXSwNCiAgICB7ImFjbCI6ICJwdWJsaWMtcmVhZCJ9LA0KICAg' +
  'IHsic3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiOiAiaHR0cDovL3NpZ3Y0ZXhhbXBsZWJ1Y2tldC5zMy5hbWF6b25hd3MuY29tL3N1Y2Nlc3NmdWxfdXBsb2Fk' +
  'Lmh0bWwifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRDb250ZW50LVR5cGUiLCAiaW1hZ2UvIl0sDQogICAgeyJ4LWFtei1tZXRhLXV1aWQiOiAiMTQzNjUx' +
  'MjM2NTEyNzQifSwNCiAgICB7IngtYW16LXNlcnZlci1zaWRlLWVuY3J5cHRpb24iOiAiQUVTMjU2In0sDQogICAgWyJzdGFydHMtd2l0aCIsICIkeC1hbXot' +
  'bWV0YS10YWciLCAiIl0sDQoNCiAgICB7IngtYW16LWNyZWRlbnRpYWwiOiAiQUtJQUlPU0ZPRE5ON0VYQU1QTEUvMjAxNTEyMjkvdXMtZWFzdC0xL3MzL2F3' +
  'czRfcmVxdWVzdCJ9LA0KICAgIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwNCiAgICB7IngtYW16LWRhdGUiOiAiMjAxNTEyMjlU' +
  'MDAwMDAwWiIgfQ0KICBdDQp9';
const DOC_SIGNATURE = '8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e';

/** The doc's recipe, independently: HMAC chain, then hex HMAC of the base64 policy. */
function sigv4(secret: string, date: string, region: string, policyB64: string): string {
  let key = createHmac('sha256', `AWS4${secret}`).update(date).digest();
  for (const part of [region, 's3', 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  return createHmac('sha256', key).update(policyB64).digest('hex');
}

function docForm(overrides: Record<string, string | undefined> = {}): Array<[string, string]> {
  const policy = Buffer.from(DOC_POLICY).toString('base64');
  const fields: Record<string, string | undefined> = {
    key: 'user/user1/${filename}',
    acl: 'public-read',
    success_action_redirect: 'http://sigv4examplebucket.s3.amazonaws.com/successful_upload.html',
    'Content-Type': 'image/jpeg',
    'x-amz-meta-uuid': '14365123651274',
    'x-amz-server-side-encryption': 'AES256',
    'X-Amz-Credential': 'AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request',
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Date': '20151229T000000Z',
    'x-amz-meta-tag': '',
    Policy: policy,
    'X-Amz-Signature': DOC_SIGNATURE,
    ...overrides,
  };
  return Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined);
}

const DOC_NOW = new Date('2015-12-29T10:00:00Z');

async function docUpload(overrides: Record<string, string | undefined> = {}, file = { name: 'C:\\Users\\eric\\MyPicture.jpg', data: 'jpeg bytes', type: 'image/jpeg' }) {
  const parsed = await parsePostUpload(await formBody(docForm(overrides), file, [['submit', 'Upload to Amazon S3']]));
  return { parsed, check: () => verifyPostPolicy({ fields: parsed.fields, bucket: 'sigv4examplebucket', key: parsed.key, now: DOC_NOW, region: 'us-east-1', lookupSecret }) };
}

test("AWS's SigV4 POST example: policy, base64 and signature match the page, and the form is accepted", async () => {
  const b64 = Buffer.from(DOC_POLICY).toString('base64');
  assert.equal(b64, DOC_POLICY_B64);
  assert.equal(sigv4(CREDS.AKIAIOSFODNN7EXAMPLE!.secretAccessKey, '20151229', 'us-east-1', b64), DOC_SIGNATURE);

  const { parsed, check } = await docUpload();
  assert.equal(parsed.key, 'user/user1/MyPicture.jpg');
  assert.equal(parsed.fileName, 'C:\\Users\\eric\\MyPicture.jpg');
  assert.equal(parsed.fields['content-type'], 'image/jpeg');
  assert.equal(parsed.fields.submit, undefined);
  assert.deepEqual(await check(), { anonymous: false, accessKeyId: 'AKIAIOSFODNN7EXAMPLE', credentials: CREDS.AKIAIOSFODNN7EXAMPLE, signatureVersion: 4, contentLength: undefined });
  assert.equal((await readAll(parsed.file)).toString(), 'jpeg bytes');
});

test("botocore's generate_presigned_post offline vector", async () => {
  const policy =
    '{"expiration": "2015-12-29T01:00:00Z", "conditions": [{"bucket": "sigv4examplebucket"}, {"key": "user/user1/photo.jpg"}, {"x-amz-algorithm": "AWS4-HMAC-SHA256"}, {"x-amz-credential": "AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request"}, {"x-amz-date": "20151229T000000Z"}]}';
  const b64 = Buffer.from(policy).toString('base64');
  const fields = {
    key: 'user/user1/photo.jpg',
    'x-amz-algorithm': 'AWS4-HMAC-SHA256',
    'x-amz-credential': 'AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request',
    'x-amz-date': '20151229T000000Z',
    policy: b64,
    'x-amz-signature': '3364624b39010d9b06f5d9b8c9a18a6e478d261c048159c92f2fd6fa885f14e6',
  };
  const input = { fields, bucket: 'sigv4examplebucket', key: fields.key, now: new Date('2015-12-29T00:30:00Z'), lookupSecret };
  assert.equal((await verifyPostPolicy(input)).anonymous, false);
  await expectError(verifyPostPolicy({ ...input, now: new Date('2015-12-29T01:00:01Z') }), 'AccessDenied', 'Invalid according to Policy: Policy expired.');
  await expectError(verifyPostPolicy({ ...input, bucket: 'other' }), 'AccessDenied', 'Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "sigv4examplebucket"]');
});

const BOTO = String.raw`
import base64, json, boto3, requests
from botocore.config import Config
def post(akid, secret, token, sig, key, fields, conditions, file):
    s = boto3.session.Session(aws_access_key_id=akid, aws_secret_access_key=secret, aws_session_token=token, region_name='us-east-1')
    c = s.client('s3', endpoint_url='http://localhost:4566', config=Config(signature_version=sig))
    p = c.generate_presigned_post('bkt', key, Fields=fields, Conditions=conditions, ExpiresIn=600)
    r = requests.Request('POST', p['url'], data=p['fields'], files={'file': file}).prepare()
    return {'fields': p['fields'], 'contentType': r.headers['Content-Type'], 'body': base64.b64encode(r.body).decode()}
FILENAME_KEY = 'uploads/$' + '{filename}'
meta = {'Content-Type': 'image/png', 'x-amz-meta-Note': 'h\u00e9', 'success_action_status': '201'}
conds = [{'Content-Type': 'image/png'}, ['starts-with', '$x-amz-meta-note', 'h'], {'success_action_status': '201'}, ['content-length-range', 1, 100]]
png = ('dir/photo.png', b'\x89PNG\r\n--data', 'image/png')
print(json.dumps({
  'v4': post('AKIDPOST', 's3cr3t/k+y', None, 's3v4', FILENAME_KEY, meta, conds, png),
  'v4-token': post('ASIAPOST', 'temp/s3cr3t', 'tok+en/==', 's3v4', 'fixed.txt', {}, [], ('a.txt', b'text', 'text/plain')),
  'v2-token': post('ASIAPOST', 'temp/s3cr3t', 'tok+en/==', 's3', FILENAME_KEY, meta, conds, png),
}))
`;

function boto(): Record<string, { fields: Record<string, string>; contentType: string; body: string }> | undefined {
  try {
    return JSON.parse(execFileSync('python3', ['-c', BOTO], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
  } catch {
    return undefined;
  }
}

test('forms boto3 signs and requests encodes: SigV4, session token, SigV2', async (t) => {
  const forms = boto();
  if (!forms) return t.skip('python3 with boto3 and requests is not available');
  const upload = async (name: string) => {
    const f = forms[name]!;
    const parsed = await parsePostUpload({ contentType: f.contentType, body: Readable.from([Buffer.from(f.body, 'base64')]) });
    const auth = await verifyPostPolicy({ fields: parsed.fields, bucket: 'bkt', key: parsed.key, now: new Date(), region: 'us-east-1', lookupSecret });
    return { parsed, auth };
  };
  const v4 = await upload('v4');
  assert.equal(v4.parsed.key, 'uploads/photo.png');
  assert.equal(v4.parsed.fields['x-amz-meta-note'], 'hé');
  assert.deepEqual(v4.auth, { anonymous: false, accessKeyId: 'AKIDPOST', credentials: CREDS.AKIDPOST, signatureVersion: 4, contentLength: { min: 1, max: 100 } });
  const guarded = await readAll(v4.parsed.file.pipe(contentLengthGuard(v4.auth.anonymous ? undefined : v4.auth.contentLength)));
  assert.equal(guarded.toString('latin1'), '\x89PNG\r\n--data');

  const token = await upload('v4-token');
  assert.equal(token.parsed.key, 'fixed.txt');
  assert.equal(token.auth.anonymous === false && token.auth.accessKeyId, 'ASIAPOST');

  const v2 = await upload('v2-token');
  assert.equal(v2.auth.anonymous === false && v2.auth.signatureVersion, 2);

  // The token is part of what the policy covers and must be the credentials' own.
  const f = forms['v4-token']!;
  const fields = Object.fromEntries(Object.entries(f.fields).map(([k, v]) => [k.toLowerCase(), v]));
  const input = { fields, bucket: 'bkt', key: 'fixed.txt', now: new Date(), lookupSecret };
  await expectError(verifyPostPolicy({ ...input, fields: { ...fields, 'x-amz-security-token': 'other' } }), 'InvalidAccessKeyId', undefined, { AWSAccessKeyId: 'ASIAPOST' });
  await expectError(verifyPostPolicy({ ...input, lookupSecret: async () => ({ secretAccessKey: 'temp/s3cr3t' }) }), 'InvalidToken');
  await expectError(verifyPostPolicy({ ...input, lookupSecret: async () => ({ ...CREDS.ASIAPOST!, expiresAt: input.now.getTime() }) }), 'ExpiredToken');
});

/** What @aws-sdk/s3-presigned-post's createPresignedPost returns: capitalized names, a bucket field, compact JSON. */
function sdkV3Post(opts: { bucket: string; key: string; akid: string; conditions?: unknown[]; fields?: Record<string, string>; expires?: number; now?: Date }) {
  const now = opts.now ?? new Date();
  const creds = CREDS[opts.akid]!;
  const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  const fields: Record<string, string> = {
    ...opts.fields,
    bucket: opts.bucket,
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': `${opts.akid}/${amzDate.slice(0, 8)}/us-east-1/s3/aws4_request`,
    'X-Amz-Date': amzDate,
    ...(creds.sessionToken ? { 'X-Amz-Security-Token': creds.sessionToken } : {}),
  };
  const keyCond = opts.key.endsWith('${filename}') ? ['starts-with', '$key', opts.key.slice(0, opts.key.lastIndexOf('${filename}'))] : { key: opts.key };
  const conditions = [...(opts.conditions ?? []), ...Object.entries(fields).map(([k, v]) => ({ [k]: v })), keyCond];
  const expiration = new Date(now.getTime() + (opts.expires ?? 3600) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const policy = Buffer.from(JSON.stringify({ expiration, conditions })).toString('base64');
  return { ...fields, key: opts.key, Policy: policy, 'X-Amz-Signature': sigv4(creds.secretAccessKey, amzDate.slice(0, 8), 'us-east-1', policy) };
}

async function sdkUpload(post: Record<string, string>, file = { name: 'report.pdf', data: 'pdf', type: 'application/pdf' }, bucket = 'bkt', now = new Date()) {
  const parsed: ParsedPostUpload = await parsePostUpload(await formBody(Object.entries(post), file));
  return { parsed, check: (over: Partial<Parameters<typeof verifyPostPolicy>[0]> = {}) => verifyPostPolicy({ fields: parsed.fields, bucket, key: parsed.key, now, lookupSecret, ...over }) };
}

test('createPresignedPost-shaped forms from a browser FormData, with a session token and conditions', async () => {
  const post = sdkV3Post({
    bucket: 'bkt',
    key: 'users/42/${filename}',
    akid: 'ASIAPOST',
    fields: { 'Content-Type': 'application/pdf', 'x-amz-meta-owner': '42' },
    conditions: [['content-length-range', '1', '10'], ['starts-with', '$Content-Type', 'application/']],
  });
  const { parsed, check } = await sdkUpload(post);
  assert.equal(parsed.key, 'users/42/report.pdf');
  const auth = await check();
  assert.ok(!auth.anonymous);
  assert.deepEqual(auth.contentLength, { min: 1, max: 10 });
  await expectError(check({ bucket: 'other' }), 'AccessDenied', 'Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "bkt"]');
  await expectError(check({ region: 'eu-west-1' }), 'InvalidArgument', "the region 'us-east-1' is wrong; expecting 'eu-west-1'", { ArgumentName: 'X-Amz-Credential', Region: 'eu-west-1' });
  await expectError(check({ lookupSecret: async () => undefined }), 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', { AWSAccessKeyId: 'ASIAPOST' });
  await expectError(check({ now: new Date(Date.now() + 3601_000) }), 'AccessDenied', 'Invalid according to Policy: Policy expired.');
});

test('signature and field errors as S3 answers them', async () => {
  const post = sdkV3Post({ bucket: 'bkt', key: 'k.txt', akid: 'AKIDPOST' });
  const tamper = (change: Record<string, string | undefined>) => {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...post, ...change })) if (v !== undefined) out[k] = v;
    return out;
  };
  const truncated = post.Policy.slice(0, -2);
  const mismatch = await expectError((await sdkUpload(tamper({ Policy: truncated }))).check(), 'SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    { AWSAccessKeyId: 'AKIDPOST', StringToSign: truncated, SignatureProvided: post['X-Amz-Signature'] });
  assert.equal((mismatch as { status?: number }).status, 403);
  await expectError((await sdkUpload(tamper({ 'X-Amz-Signature': undefined }))).check(), 'InvalidArgument',
    "Bucket POST must contain a field named 'X-Amz-Signature'.  If it is specified, please check the order of the fields.", { ArgumentName: 'X-Amz-Signature', ArgumentValue: '' });
  await expectError((await sdkUpload(tamper({ 'X-Amz-Algorithm': undefined, 'X-Amz-Credential': undefined }))).check(), 'InvalidArgument',
    "Bucket POST must contain a field named 'X-Amz-Algorithm'.  If it is specified, please check the order of the fields.");
  await expectError((await sdkUpload(tamper({ Policy: undefined }))).check(), 'InvalidArgument', undefined, { ArgumentName: 'Policy' });
  await expectError((await sdkUpload(tamper({ 'X-Amz-Credential': 'AKIDPOST/2024/us-east-1/s3/aws4_request' }))).check(), 'InvalidArgument',
    'incorrect date format "2024". This date in the credential must be in the format "yyyyMMdd".');
  await expectError((await sdkUpload(tamper({ 'X-Amz-Date': '2024-01-01' }))).check(), 'InvalidArgument', 'X-Amz-Date must be formated via ISO8601 Long format', { ArgumentName: 'X-Amz-Date' });
  // A field the policy does not cover; x-ignore-* fields and fields after the file are exempt.
  await expectError((await sdkUpload(tamper({ 'X-Amz-Meta-Extra': '1', 'x-ignore-tracker': '1' }))).check(), 'AccessDenied', 'Invalid according to Policy: Extra input fields: x-amz-meta-extra');
  // No signature fields at all: anonymous, whatever else the form has.
  assert.deepEqual(await (await sdkUpload({ key: 'k.txt', Policy: post.Policy })).check(), { anonymous: true });
  assert.deepEqual(await (await sdkUpload({ key: 'k.txt', acl: 'public-read' })).check(), { anonymous: true });
});

test('form errors: no key, no file, key after the file', async () => {
  await expectError(parsePostUpload(await formBody([['acl', 'private']], { data: 'x' }, [['key', 'late.txt']])), 'InvalidArgument',
    "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.", { ArgumentName: 'key', ArgumentValue: '' });
  const fd = new FormData();
  fd.append('key', 'k');
  const req = new Request('http://localhost/', { method: 'POST', body: fd });
  await expectError(parsePostUpload({ contentType: req.headers.get('content-type')!, body: Readable.from([Buffer.from(await req.arrayBuffer())]) }), 'InvalidArgument',
    'POST requires exactly one file upload per request.', { ArgumentName: 'file', ArgumentValue: '0' });
  await expectError(parsePostUpload({ contentType: 'application/json', body: Readable.from([Buffer.from('{}')]) }), 'PreconditionFailed');
});

test('${filename}: path stripped, literal without a filename parameter, empty when empty', async () => {
  const raw = (disposition: string) =>
    Readable.from([Buffer.from(`--b\r\nContent-Disposition: form-data; name="key"\r\n\r\nup/\${filename}\r\n--b\r\nContent-Disposition: form-data; name="x-amz-meta-name"\r\n\r\n\${filename}!\r\n--b\r\nContent-Disposition: ${disposition}\r\n\r\nx\r\n--b--`)]);
  const parse = async (d: string) => parsePostUpload({ contentType: 'multipart/form-data; boundary=b', body: raw(d) });
  const withPath = await parse('form-data; name="file"; filename="/home/me/a b.txt"');
  assert.equal(withPath.key, 'up/a b.txt');
  assert.equal(withPath.fields['x-amz-meta-name'], 'a b.txt!');
  assert.equal((await parse('form-data; name="file"')).key, 'up/${filename}');
  assert.equal((await parse('form-data; name="file"; filename=""')).key, 'up/');
});

test('policy conditions: case-insensitive names, exact values, starts-with, Content-Type lists, ranges', async () => {
  const enc = (doc: unknown) => Buffer.from(typeof doc === 'string' ? doc : JSON.stringify(doc)).toString('base64');
  const expiration = '2030-01-01T00:00:00.000Z';
  const check = (conditions: unknown[], fields: Record<string, string>, key = 'k') => {
    const policy = enc({ expiration, conditions });
    const all = { key, ...fields, policy, awsaccesskeyid: 'AKIDPOST', signature: createHmac('sha1', 's3cr3t/k+y').update(policy).digest('base64') };
    return verifyPostPolicy({ fields: all, bucket: 'bkt', key, now: new Date('2025-01-01T00:00:00Z'), lookupSecret });
  };
  await check([{ BUCKET: 'bkt' }, ['StArTs-WiTh', '$KeY', ''], ['eq', '$X-AMZ-META-a', 'v']], { 'x-amz-meta-a': 'v' });
  await check([{ key: 'k' }, ['starts-with', '$content-type', 'image/']], { 'content-type': 'image/jpg, image/png' });
  await expectError(check([{ key: 'k' }, ['starts-with', '$content-type', 'image/']], { 'content-type': 'image/jpg,text/plain' }), 'AccessDenied',
    'Invalid according to Policy: Policy Condition failed: ["starts-with", "$content-type", "image/"]');
  await expectError(check([{ key: 'k' }, ['eq', '$acl', 'Private']], { acl: 'private' }), 'AccessDenied', 'Invalid according to Policy: Policy Condition failed: ["eq", "$acl", "Private"]');
  await expectError(check([{ key: 'k' }, ['eq', 'acl', 'private']], { acl: 'private' }), 'AccessDenied', 'Invalid according to Policy: Policy Condition failed: ["eq", "acl", "private"]');
  await expectError(check([{ key: 'k' }, ['starts-with', '$Content-Type', '']], {}), 'AccessDenied', 'Invalid according to Policy: Policy Condition failed: ["starts-with", "$Content-Type", ""]');
  await expectError(check([{ key: 'k' }, { 'Content-Disposition': 'filename="a.png"' }], { 'content-disposition': 'x' }), 'AccessDenied',
    'Invalid according to Policy: Policy Condition failed: ["eq", "$Content-Disposition", "filename=\\"a.png\\""]');
  await expectError(check([{ key: 'k' }, ['content-length-range', 'test', '10']], {}), 'AccessDenied', 'Invalid according to Policy: Policy Condition failed: ["content-length-range", "test", "10"]');
  const auth = await check([{ key: 'k' }, ['content-length-range', 0, 100], ['content-length-range', '5', '200']], {});
  assert.deepEqual(!auth.anonymous && auth.contentLength, { min: 5, max: 100 });
  await expectError(check([{ key: 'k' }], { a: '1', b: '2' }), 'AccessDenied', 'Invalid according to Policy: Extra input fields: a, b');
  await expectError(check([{ key: 'k', acl: 'x' }], {}), 'InvalidPolicyDocument', 'Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.');
  await expectError(check([{ 'Content-Length': 6199034 }], {}), 'InvalidPolicyDocument', 'Invalid Policy: Invalid Simple-Condition: value must be a string.');
  await expectError(check([['content-length-range', 0, 512.5]], {}), 'InvalidPolicyDocument', 'Invalid Policy: Invalid JSON.');
});

test('policy documents S3 cannot use', () => {
  const bad = (doc: string, message: string) => {
    assert.throws(() => parsePolicy(Buffer.from(doc).toString('base64')), (err: unknown) => isServiceError(err) && err.code === 'InvalidPolicyDocument' && err.message === `Invalid Policy: ${message}` && err.status === 400);
  };
  bad('{"expiration": "2030-01-01T00:00:00Z", "conditions": [],}', 'Invalid JSON.');
  bad('{"expiration": "2011-09-13T07:52:58+02:00", "conditions": []}', "Invalid 'expiration' value: '2011-09-13T07:52:58+02:00'");
  bad('{"conditions": []}', 'Policy missing expiration.');
  bad('{"expiration": "2030-01-01T00:00:00Z"}', 'Policy missing conditions.');
  bad('{"EXPIRATION": "2030-01-01T00:00:00Z", "conditions": []}', "Unexpected: 'expiration'");
  bad('{"expiration": "2030-01-01T00:00:00Z", "conditions": {}}', "Invalid 'conditions' value: must be a List.");
  bad('{"expiration": "2030-01-01T00:00:00Z", "conditions": [[]]}', 'Invalid Condition: missing operation identifier.');
  bad('{"expiration": "2030-01-01T00:00:00Z", "conditions": [["in", "$key", "a"]]}', "Invalid Condition: unknown operation 'in'.");
  bad('{"expiration": "2030-01-01T00:00:00Z", "conditions": [["eq", "$key"]]}', 'Invalid eq: wrong number of arguments.');
  bad('{"expiration": "2030-01-01T00:00:00Z", "conditions": ["key"]}', 'Invalid condition test: must be a List or Object.');
  assert.throws(() => parsePolicy('not base64!'), /Invalid Policy: invalid Base64 encoding\./);
  assert.equal(parsePolicy(Buffer.from('{"expiration": "2030-01-01T00:00:00Z", "conditions": []}').toString('base64')).expiration, Date.UTC(2030, 0, 1));
});

test('content-length-range while streaming: inclusive bounds, EntityTooLarge early, EntityTooSmall at the end', async () => {
  const run = (bytes: number, chunks = 1) => pipeline(Readable.from(Array.from({ length: chunks }, () => Buffer.alloc(bytes / chunks))), contentLengthGuard({ min: 5, max: 10 }), async function* (src) {
    for await (const _ of src);
  });
  await run(5);
  await run(10, 2);
  await expectError(run(12, 2), 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', { ProposedSize: 12, MaxSizeAllowed: 10 });
  await expectError(run(1), 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', { ProposedSize: 1, MinSizeAllowed: 5 });
  // No range, no limit.
  await pipeline(Readable.from([Buffer.alloc(0)]), contentLengthGuard(undefined), async function* (src) {
    for await (const _ of src);
  });
});

test('success answers: 204 by default, 200, 201 with PostResponse, 303 to success_action_redirect', () => {
  const result = { bucket: 'bkt', key: 'dir/a b+é.txt', etag: '"9b2cf535f27731c974343645a3985328"', location: postLocation('http://localhost:4566/bkt', 'dir/a b+é.txt') };
  assert.equal(result.location, 'http://localhost:4566/bkt/dir%2Fa%20b%2B%C3%A9.txt');
  assert.deepEqual(postUploadResponse({}, result), { status: 204, headers: { etag: result.etag, location: result.location } });
  assert.equal(postUploadResponse({ success_action_status: '200' }, result).status, 200);
  assert.equal(postUploadResponse({ success_action_status: '404' }, result).status, 204);
  const created = postUploadResponse({ success_action_status: '201' }, { ...result, key: 'a&b<c>.txt', versionId: 'v1' });
  assert.equal(created.status, 201);
  assert.equal(created.headers['content-type'], 'application/xml');
  assert.equal(created.headers['x-amz-version-id'], 'v1');
  assert.equal(created.body, `<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse><Location>${result.location}</Location><Bucket>bkt</Bucket><Key>a&amp;b&lt;c&gt;.txt</Key><ETag>"9b2cf535f27731c974343645a3985328"</ETag></PostResponse>`);
  const redirect = postUploadResponse({ success_action_redirect: 'https://app.example/done?md5=1&x=a b', success_action_status: '201' }, result);
  assert.equal(redirect.status, 303);
  assert.equal(redirect.body, undefined);
  assert.equal(redirect.headers.location, 'https://app.example/done?md5=1&x=a b&bucket=bkt&key=dir%2Fa+b%2B%C3%A9.txt&etag=%229b2cf535f27731c974343645a3985328%22');
  assert.equal(postUploadResponse({ redirect: 'http://app.example/ok' }, result).headers.location, 'http://app.example/ok?bucket=bkt&key=dir%2Fa+b%2B%C3%A9.txt&etag=%229b2cf535f27731c974343645a3985328%22');
  // A URL S3 cannot interpret is as if the field were absent.
  assert.equal(postUploadResponse({ success_action_redirect: '/wrong/redirect/relative' }, result).status, 204);
});
