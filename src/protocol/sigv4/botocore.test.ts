/**
 * Requests signed by botocore, the signer the AWS CLI and boto3 use: its
 * low-level SigV4Auth, S3SigV4Auth, SigV4QueryAuth and S3SigV4QueryAuth, and
 * whole boto3 clients whose requests are captured just before they would be
 * sent. Skipped where python3 has no botocore.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { parseAuth, verify, type SigV4Style } from './index.js';
import type { HttpRequest } from '../types.js';
import { fromWire, readAll, rejection } from './testing.js';

const SECRET = 'bot/secret+key=1';
const TOKEN = 'IQoJb3JpZ2luX2VjE+/token==';

const SCRIPT = String.raw`
import base64, json, sys
import boto3
from botocore.auth import SigV4Auth, S3SigV4Auth, SigV4QueryAuth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

SECRET, TOKEN = sys.argv[1], sys.argv[2]
creds = Credentials('AKIDBOTOCORE', SECRET, TOKEN)
out = {}

def record(name, method, url, headers, body):
    if body is None: body = b''
    elif hasattr(body, 'read'): body = body.read()
    elif isinstance(body, str): body = body.encode()
    out[name] = {'method': method, 'url': url, 'body': base64.b64encode(bytes(body)).decode(),
                 'headers': {k: (v.decode() if isinstance(v, bytes) else v) for k, v in headers.items()}}

def low_level(name, auth, method, url, headers=None, body=None):
    request = AWSRequest(method=method, url=url, headers=headers or {}, data=body)
    auth.add_auth(request)
    prepared = request.prepare()
    record(name, prepared.method, prepared.url, prepared.headers, prepared.body)

low_level('sigv4-post', SigV4Auth(creds, 'sts', 'us-east-1'), 'POST', 'https://localhost:4566/',
          {'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8'}, 'Action=GetCallerIdentity&Version=2011-06-15')
low_level('sigv4-path', SigV4Auth(creds, 'lambda', 'us-east-1'), 'GET',
          'https://localhost:4566/2015-03-31/functions/my%20fn%2Bv1/./configuration?Qualifier=%24LATEST&tag=b%20c&tag=a%2Bb')
low_level('s3sigv4', S3SigV4Auth(creds, 's3', 'us-east-1'), 'GET',
          'https://localhost:4566/bucket/a%20b%2Bc/%C3%BC%21%28x%29?list-type=2&prefix=a%20b%2Bc&k=2&k=1')
low_level('sigv4-query', SigV4QueryAuth(creds, 'sts', 'us-east-1', expires=300), 'GET',
          'https://localhost:4566/?Action=GetCallerIdentity&Version=2011-06-15')
low_level('s3sigv4-query', S3SigV4QueryAuth(creds, 's3', 'us-east-1', expires=300), 'GET',
          'https://localhost:4566/bucket/a%20b%2Bc/%C3%BC.txt?versionId=3')

class Captured(Exception):
    pass

def capture(name):
    def hook(request, **kwargs):
        record(name, request.method, request.url, request.headers, request.body)
        raise Captured()
    return hook

session = boto3.session.Session(aws_access_key_id='AKIDBOTOCORE', aws_secret_access_key=SECRET,
                                aws_session_token=TOKEN, region_name='us-east-1')
def call(name, service, endpoint, operation, **params):
    # boto3 presigns S3 URLs with SigV2 unless told otherwise; s3v4 changes nothing else.
    config = Config(s3={'addressing_style': 'path'}, retries={'max_attempts': 0},
                    signature_version='s3v4' if service == 's3' else None)
    client = session.client(service, endpoint_url=endpoint, config=config)
    client.meta.events.register('before-send', capture(name))
    try:
        getattr(client, operation)(**params)
    except Captured:
        pass
    return client

call('sts', 'sts', 'https://localhost:4566', 'get_caller_identity')
call('iam', 'iam', 'https://localhost:4566', 'list_users', PathPrefix='/a b+c/')
call('lambda', 'lambda', 'https://localhost:4566', 'invoke', FunctionName='my-fn:live', Payload=b'{"a": "b c"}')
call('s3-put-https', 's3', 'https://localhost:4566', 'put_object', Bucket='b', Key='a b+c/ü (1).txt', Body=b'hello world' * 1000)
call('s3-put-http', 's3', 'http://localhost:4566', 'put_object', Bucket='b', Key='a b+c/ü (1).txt', Body=b'hello world' * 1000)
call('s3-acl', 's3', 'https://localhost:4566', 'get_bucket_acl', Bucket='b')
s3 = call('s3-list', 's3', 'https://localhost:4566', 'list_objects_v2', Bucket='b', Prefix='a b+c/ü', Delimiter='/')
out['s3-presigned-get'] = {'method': 'GET', 'headers': {}, 'body': '',
    'url': s3.generate_presigned_url('get_object', Params={'Bucket': 'b', 'Key': 'dir/a b+c ü.txt'}, ExpiresIn=300)}
out['s3-presigned-put'] = {'method': 'PUT', 'headers': {}, 'body': base64.b64encode(b'uploaded').decode(),
    'url': s3.generate_presigned_url('put_object', Params={'Bucket': 'b', 'Key': 'up.txt'}, ExpiresIn=300)}
print(json.dumps(out))
`;

interface Captured {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

function runBotocore(): Record<string, Captured> | undefined {
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

/** The request as node:http would hand it to the gateway (urllib3 adds Host from the URL). */
function request(name: string): HttpRequest {
  const c = captured![name]!;
  const url = new URL(c.url);
  return fromWire(c.method, url.pathname + url.search, { host: url.host, ...c.headers }, Buffer.from(c.body, 'base64'));
}

async function accept(name: string, style: SigV4Style) {
  const req = request(name);
  const auth = parseAuth(req, { style, region: 'us-east-1' });
  assert.ok(auth, `${name} carries a credential`);
  return verify(req, auth, { secretAccessKey: SECRET, sessionToken: TOKEN });
}

async function refuse(req: HttpRequest, style: SigV4Style) {
  return rejection(async () => {
    const auth = parseAuth(req, { style, region: 'us-east-1' })!;
    const result = await verify(req, auth, { secretAccessKey: SECRET, sessionToken: TOKEN });
    await readAll(result.body);
  });
}

test('botocore: SigV4Auth, S3SigV4Auth and their query forms are accepted', { skip }, async () => {
  await accept('sigv4-post', 'query');
  await accept('sigv4-path', 'json');
  await accept('s3sigv4', 's3');
  await accept('sigv4-query', 'query');
  await accept('s3sigv4-query', 's3');
});

test('botocore: boto3 clients of query, JSON and S3 services are accepted', { skip }, async () => {
  assert.equal((await accept('sts', 'query')).body.toString(), 'Action=GetCallerIdentity&Version=2011-06-15');
  await accept('iam', 'query');
  assert.equal((await accept('lambda', 'json')).body.toString(), '{"a": "b c"}');
  await accept('s3-acl', 's3');
  await accept('s3-list', 's3');
  assert.equal((await readAll((await accept('s3-presigned-put', 's3')).body)).toString(), 'uploaded');
  await accept('s3-presigned-get', 's3');
});

test('botocore: boto3 PutObject over https streams an aws-chunked body with a CRC32 trailer', { skip }, async () => {
  assert.equal(captured!['s3-put-https']!.headers['X-Amz-Content-SHA256'], 'STREAMING-UNSIGNED-PAYLOAD-TRAILER');
  const result = await accept('s3-put-https', 's3');
  assert.equal((await readAll(result.body)).toString(), 'hello world'.repeat(1000));
  assert.deepEqual(Object.keys(await result.trailers!), ['x-amz-checksum-crc32']);
  const plain = await accept('s3-put-http', 's3');
  assert.equal((await readAll(plain.body)).toString(), 'hello world'.repeat(1000));
});

test('botocore: each tampered part is refused with its exact error', { skip }, async () => {
  const cases: [string, SigV4Style, (req: HttpRequest) => void, string, number][] = [
    ['sts', 'query', (r) => (r.body = Buffer.from('Action=GetCallerIdentity&Version=2011-06-16')), 'SignatureDoesNotMatch', 403],
    ['sts', 'query', (r) => (r.headers['content-type'] = 'text/plain'), 'SignatureDoesNotMatch', 403],
    ['iam', 'query', (r) => (r.rawQuery += '&Marker=x'), 'SignatureDoesNotMatch', 403],
    ['lambda', 'json', (r) => (r.rawPath = r.rawPath.replace('live', 'prod')), 'InvalidSignatureException', 403],
    ['s3-acl', 's3', (r) => (r.rawQuery = 'policy'), 'SignatureDoesNotMatch', 403],
    ['s3-list', 's3', (r) => (r.headers['x-amz-date'] = r.headers['x-amz-date']!.replace(/(\d)Z$/, (_, d) => `${(Number(d) + 1) % 10}Z`)), 'SignatureDoesNotMatch', 403],
    ['s3-put-http', 's3', (r) => (r.body = Buffer.from('hello world'.repeat(999))), 'XAmzContentSHA256Mismatch', 400],
    ['s3-put-https', 's3', (r) => ((r.body as Buffer)[10] = 0x21), 'BadDigest', 400],
    ['s3-put-https', 's3', (r) => (r.headers['x-amz-decoded-content-length'] = '5'), 'SignatureDoesNotMatch', 403],
    ['s3-presigned-get', 's3', (r) => (r.rawPath = '/b/other.txt'), 'SignatureDoesNotMatch', 403],
    ['s3-presigned-get', 's3', (r) => (r.headers['x-amz-meta-x'] = '1'), 'AccessDenied', 403],
    ['s3-presigned-get', 's3', (r) => (r.rawQuery = r.rawQuery.replace(/X-Amz-Security-Token=[^&]*/, 'X-Amz-Security-Token=other')), 'InvalidAccessKeyId', 403],
  ];
  for (const [name, style, tamper, code, status] of cases) {
    const req = request(name);
    tamper(req);
    const error = await refuse(req, style);
    assert.deepEqual([error.code, error.status], [code, status], `${name}: ${tamper.toString()}`);
  }
  // The access key is not in the string to sign; a key that resolves to another secret is.
  const req = request('sts');
  const auth = parseAuth(req, { style: 'query' })!;
  const error = await rejection(() => verify(req, auth, { secretAccessKey: 'another secret', sessionToken: TOKEN }));
  assert.equal(error.code, 'SignatureDoesNotMatch');
});
