/**
 * S3's Signature Version 2, as the AWS documentation's example and botocore
 * (boto3's default presigned URLs, and clients configured with
 * signature_version='s3') produce it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { parseAuth, verify } from './index.js';
import type { HttpRequest } from '../types.js';
import { fromWire, readAll, rejection } from './testing.js';

const DOC_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

test('sigv2: verifies the AWS documentation example of a virtual-hosted GET', async () => {
  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/RESTAuthentication.html, "Object GET"
  const req = fromWire('GET', '/photos/puppy.jpg', {
    host: 'awsexamplebucket1.us-west-1.s3.amazonaws.com',
    date: 'Tue, 27 Mar 2007 19:36:42 +0000',
    authorization: 'AWS AKIAIOSFODNN7EXAMPLE:qgk2+6Sv9/oM7G3qLEjTH1a1l1g=',
  });
  const now = Date.UTC(2007, 2, 27, 19, 40);
  const auth = parseAuth(req, { style: 's3', now, bucket: 'awsexamplebucket1', region: 'us-west-1' })!;
  assert.equal(auth.version, 2);
  assert.equal(auth.stringToSign, 'GET\n\n\nTue, 27 Mar 2007 19:36:42 +0000\n/awsexamplebucket1/photos/puppy.jpg');
  await verify(req, auth, { secretAccessKey: DOC_SECRET }, { now });
  const wrong = await rejection(() => verify(req, auth, { secretAccessKey: 'other' }, { now }));
  assert.deepEqual([wrong.code, wrong.status], ['SignatureDoesNotMatch', 403]);
  assert.deepEqual(Object.keys(wrong.fields), ['AWSAccessKeyId', 'StringToSign', 'SignatureProvided', 'StringToSignBytes']);
  const skewed = await rejection(() => parseAuth(req, { style: 's3', now: now + 3600000, bucket: 'awsexamplebucket1' }));
  assert.deepEqual([skewed.code, skewed.fields.RequestTime], ['RequestTimeTooSkewed', 'Tue, 27 Mar 2007 19:36:42 +0000']);
});

test('sigv2: query faults are AccessDenied with S3 messages', async () => {
  const now = Date.UTC(2024, 0, 1);
  const ask = (q: string) => rejection(() => parseAuth(fromWire('GET', `/b/k?${q}`, { host: 'localhost' }), { style: 's3', now }));
  assert.equal((await ask('Signature=x&Expires=1')).message, 'Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters');
  assert.equal((await ask('Signature=x&Expires=soon&AWSAccessKeyId=A')).message, 'Invalid date (should be seconds since epoch): soon');
  const expired = await ask(`Signature=x&Expires=${now / 1000 - 1}&AWSAccessKeyId=A`);
  assert.deepEqual([expired.code, expired.message, expired.fields], [
    'AccessDenied',
    'Request has expired',
    { Expires: '2023-12-31T23:59:59Z', ServerTime: '2024-01-01T00:00:00Z' },
  ]);
});

const SECRET = 'v2/secret+key';
const TOKEN = 'FQoGZXIvYXdzE+/v2token==';
const SCRIPT = String.raw`
import base64, json, sys
import boto3
from botocore.config import Config

class Captured(Exception):
    pass
out = {}
def capture(name):
    def hook(request, **kwargs):
        body = request.body or b''
        if hasattr(body, 'read'): body = body.read()
        if isinstance(body, str): body = body.encode()
        out[name] = {'method': request.method, 'url': request.url, 'body': base64.b64encode(body).decode(),
                     'headers': {k: (v.decode() if isinstance(v, bytes) else v) for k, v in request.headers.items()}}
        raise Captured()
    return hook

session = boto3.session.Session(aws_access_key_id='AKIDV2', aws_secret_access_key=sys.argv[1],
                                aws_session_token=sys.argv[2], region_name='us-east-1')
path = session.client('s3', endpoint_url='http://localhost:4566', config=Config(s3={'addressing_style': 'path'}))
virtual = session.client('s3', endpoint_url='http://s3.amazonaws.com', config=Config(s3={'addressing_style': 'virtual'}))
out['presigned-get'] = {'method': 'GET', 'headers': {}, 'body': '', 'url': path.generate_presigned_url(
    'get_object', Params={'Bucket': 'b', 'Key': 'dir/a b+c ü.txt', 'ResponseContentType': 'text/plain', 'VersionId': '3'}, ExpiresIn=300)}
out['presigned-virtual'] = {'method': 'GET', 'headers': {}, 'body': '',
    'url': virtual.generate_presigned_url('get_object', Params={'Bucket': 'bucket-v', 'Key': 'k.txt'}, ExpiresIn=300)}
for name, operation, params in [
    ('put', 'put_object', {'Bucket': 'b', 'Key': 'a b/ü.txt', 'Body': b'v2 body', 'ContentType': 'text/plain', 'Metadata': {'Colour': 'blue'}}),
    ('acl', 'get_bucket_acl', {'Bucket': 'b'}),
]:
    v2 = session.client('s3', endpoint_url='http://localhost:4566', config=Config(signature_version='s3', s3={'addressing_style': 'path'}))
    v2.meta.events.register('before-send', capture(name))
    try:
        getattr(v2, operation)(**params)
    except Captured:
        pass
print(json.dumps(out))
`;

function runBotocore(): Record<string, { method: string; url: string; headers: Record<string, string>; body: string }> | undefined {
  try {
    const python = execFileSync('python3', ['-c', 'import botocore, sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
    const env = { AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', HOME: '/tmp' };
    return JSON.parse(execFileSync(python, ['-c', SCRIPT, SECRET, TOKEN], { encoding: 'utf8', env }));
  } catch (error) {
    if (process.env.CI) throw error;
    return undefined;
  }
}
const captured = runBotocore();
const skip = captured === undefined && 'python3 with botocore is not available';

function request(name: string): HttpRequest {
  const c = captured![name]!;
  const url = new URL(c.url);
  return fromWire(c.method, url.pathname + url.search, { host: url.host, ...c.headers }, Buffer.from(c.body, 'base64'));
}

async function accept(req: HttpRequest, bucket?: string) {
  const auth = parseAuth(req, { style: 's3', bucket })!;
  assert.equal(auth.version, 2);
  return verify(req, auth, { secretAccessKey: SECRET, sessionToken: TOKEN });
}

test('sigv2: accepts boto3\'s default presigned URLs, path and virtual-hosted style', { skip }, async () => {
  const get = request('presigned-get');
  assert.match(get.rawQuery, /AWSAccessKeyId=AKIDV2/);
  await accept(get);
  const virtual = request('presigned-virtual');
  assert.equal(virtual.headers.host, 'bucket-v.s3.amazonaws.com');
  await accept(virtual, 'bucket-v');
  const tampered = request('presigned-get');
  tampered.rawQuery = tampered.rawQuery.replace('versionId=3', 'versionId=4');
  assert.equal((await rejection(() => accept(tampered))).code, 'SignatureDoesNotMatch');
  const otherToken = request('presigned-get');
  otherToken.rawQuery = otherToken.rawQuery.replace(/x-amz-security-token=[^&]*/, 'x-amz-security-token=other');
  assert.equal((await rejection(() => accept(otherToken))).code, 'InvalidAccessKeyId');
});

test('sigv2: accepts header-signed requests from a signature_version=s3 client', { skip }, async () => {
  assert.match(captured!.put!.headers.Authorization!, /^AWS AKIDV2:/);
  const put = await accept(request('put'));
  assert.equal((await readAll(put.body)).toString(), 'v2 body');
  await accept(request('acl'));
  const tamperings: [string, (r: HttpRequest) => void][] = [
    ['put', (r) => (r.headers['content-type'] = 'text/html')],
    ['put', (r) => (r.headers['x-amz-meta-colour'] = 'red')],
    ['put', (r) => (r.rawPath = '/b/a%20b/u.txt')],
    ['acl', (r) => (r.rawQuery = 'policy')],
    ['acl', (r) => (r.headers.date = new Date(Date.parse(r.headers.date!) + 1000).toUTCString())],
  ];
  for (const [name, tamper] of tamperings) {
    const req = request(name);
    tamper(req);
    assert.equal((await rejection(() => accept(req))).code, 'SignatureDoesNotMatch', tamper.toString());
  }
});
