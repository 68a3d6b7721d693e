/**
 * Every SigV4 failure, triggered with a real signed request against a real
 * server, answers with AWS's exact code and status in the service's own
 * format: S3's <Error>, the query protocol's <ErrorResponse>, and JSON.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateBucketCommand, GetObjectCommand, ListBucketsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { SignatureV4 } from '@smithy/signature-v4';
import { ACCOUNT, clientConfig, NodeSha256, ROOT_KEY, startTestServer, type TestServer } from './harness.js';

type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

/** A raw request signed by @smithy/signature-v4, sent with fetch, so each part can be tampered with. */
async function signedFetch(
  server: TestServer,
  o: { service: string; method?: string; path?: string; query?: Record<string, string>; headers?: Record<string, string>; body?: string; creds?: Creds; date?: Date; tamper?: (h: Record<string, string>) => void },
) {
  const url = new URL(server.url);
  const signer = new SignatureV4({ service: o.service, region: 'us-east-1', credentials: o.creds ?? ROOT_KEY, sha256: NodeSha256, uriEscapePath: o.service !== 's3' });
  const request = {
    method: o.method ?? 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: o.path ?? '/',
    query: o.query ?? {},
    headers: { host: url.host, ...(o.headers ?? {}) },
    body: o.body ?? '',
  };
  const signed = await signer.sign(request, { signingDate: o.date });
  const headers = { ...(signed.headers as Record<string, string>) };
  delete headers.host;
  o.tamper?.(headers);
  const qs = new URLSearchParams(o.query ?? {}).toString();
  const res = await fetch(`${server.url}${request.path}${qs ? `?${qs}` : ''}`, { method: request.method, headers, body: request.method === 'GET' || request.method === 'HEAD' ? undefined : (o.body ?? '') });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

const STS_FORM = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
const STS_BODY = 'Action=GetCallerIdentity&Version=2011-06-15';

function xmlCode(text: string): string | undefined {
  return /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
}

describe('SigV4 errors', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => server.close());

  it('GetCallerIdentity: a correctly signed query request succeeds', async () => {
    const r = await signedFetch(server, { service: 'sts', headers: STS_FORM, body: STS_BODY });
    assert.equal(r.status, 200, r.text);
    assert.match(r.text, new RegExp(`<Arn>arn:aws:iam::${ACCOUNT}:root</Arn>`));
  });

  it('GetCallerIdentity: no signature at all is MissingAuthenticationToken 403 in query format', async () => {
    const res = await fetch(server.url, { method: 'POST', headers: STS_FORM, body: STS_BODY });
    const text = await res.text();
    assert.equal(res.status, 403);
    assert.equal(xmlCode(text), 'MissingAuthenticationToken');
    assert.match(text, /<ErrorResponse[^>]*>\s*<Error>\s*<Type>Sender<\/Type>/);
  });

  it('GetCallerIdentity: an Authorization header without SignedHeaders is IncompleteSignature 400', async () => {
    const r = await signedFetch(server, {
      service: 'sts', headers: STS_FORM, body: STS_BODY,
      tamper: (h) => { h.authorization = h.authorization!.replace(/SignedHeaders=[^,]+, /, ''); },
    });
    assert.equal(r.status, 400, r.text);
    assert.equal(xmlCode(r.text), 'IncompleteSignature');
  });

  it('GetCallerIdentity: an unknown access key is InvalidClientTokenId 403', async () => {
    await assert.rejects(new STSClient(clientConfig(server, { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'x'.repeat(40) })).send(new GetCallerIdentityCommand({})), (e: Error & { $metadata: { httpStatusCode: number } }) => {
      assert.equal(e.name, 'InvalidClientTokenId');
      assert.equal(e.message, 'The security token included in the request is invalid.');
      assert.equal(e.$metadata.httpStatusCode, 403);
      return true;
    });
  });

  it('ListBuckets: an unknown access key is InvalidAccessKeyId 403 in S3 format', async () => {
    await assert.rejects(new S3Client(clientConfig(server, { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'x'.repeat(40) })).send(new ListBucketsCommand({})), (e: Error & { $metadata: { httpStatusCode: number } }) => {
      assert.equal(e.name, 'InvalidAccessKeyId');
      assert.equal(e.message, 'The AWS Access Key Id you provided does not exist in our records.');
      assert.equal(e.$metadata.httpStatusCode, 403);
      return true;
    });
  });

  it('GetCallerIdentity: a wrong secret is SignatureDoesNotMatch 403', async () => {
    await assert.rejects(new STSClient(clientConfig(server, { accessKeyId: ROOT_KEY.accessKeyId, secretAccessKey: 'wrong'.repeat(8) })).send(new GetCallerIdentityCommand({})), (e: Error & { $metadata: { httpStatusCode: number } }) => {
      assert.equal(e.name, 'SignatureDoesNotMatch');
      assert.equal(e.$metadata.httpStatusCode, 403);
      return true;
    });
  });

  it('GetCallerIdentity: a body changed after signing is SignatureDoesNotMatch 403', async () => {
    const url = new URL(server.url);
    const signer = new SignatureV4({ service: 'sts', region: 'us-east-1', credentials: ROOT_KEY, sha256: NodeSha256 });
    const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', headers: { host: url.host, ...STS_FORM }, body: STS_BODY });
    const headers = { ...(signed.headers as Record<string, string>) };
    delete headers.host;
    const res = await fetch(server.url, { method: 'POST', headers, body: STS_BODY + '&Extra=1' });
    assert.equal(res.status, 403);
    assert.equal(xmlCode(await res.text()), 'SignatureDoesNotMatch');
  });

  it('ListBuckets: a wrong secret is SignatureDoesNotMatch 403 in S3 format with the StringToSign', async () => {
    const r = await signedFetch(server, { service: 's3', method: 'GET', path: '/', creds: { accessKeyId: ROOT_KEY.accessKeyId, secretAccessKey: 'wrong'.repeat(8) } });
    assert.equal(r.status, 403);
    assert.equal(xmlCode(r.text), 'SignatureDoesNotMatch');
    assert.match(r.text, /^<\?xml[^>]*>\s*<Error>/);
    assert.match(r.text, /<StringToSign>AWS4-HMAC-SHA256\n/);
  });

  it('ListBuckets: a request dated 20 minutes ago is RequestTimeTooSkewed 403', async () => {
    const r = await signedFetch(server, { service: 's3', method: 'GET', path: '/', date: new Date(Date.now() - 20 * 60 * 1000) });
    assert.equal(r.status, 403, r.text);
    assert.equal(xmlCode(r.text), 'RequestTimeTooSkewed');
    assert.match(r.text, /<MaxAllowedSkewMilliseconds>900000<\/MaxAllowedSkewMilliseconds>/);
  });

  it('GetCallerIdentity: a request dated 20 minutes ahead is refused as a clock-skew error (403 Signature expired)', async () => {
    const r = await signedFetch(server, { service: 'sts', headers: STS_FORM, body: STS_BODY, date: new Date(Date.now() + 20 * 60 * 1000) });
    assert.equal(r.status, 403, r.text);
    assert.equal(xmlCode(r.text), 'SignatureDoesNotMatch');
    assert.match(r.text, /Signature (expired|not yet current)/);
  });

  it('GetCallerIdentity: a request 10 minutes old is within the 15-minute skew and succeeds', async () => {
    const r = await signedFetch(server, { service: 'sts', headers: STS_FORM, body: STS_BODY, date: new Date(Date.now() - 10 * 60 * 1000) });
    assert.equal(r.status, 200, r.text);
  });

  it('AssumeRole: session credentials work with their token and are InvalidClientTokenId with a wrong one', async () => {
    const sts = new STSClient(clientConfig(server));
    const creds = (await sts.send(new GetSessionTokenCommand({ DurationSeconds: 900 }))).Credentials!;
    const good = { accessKeyId: creds.AccessKeyId!, secretAccessKey: creds.SecretAccessKey!, sessionToken: creds.SessionToken! };
    assert.equal((await new STSClient(clientConfig(server, good)).send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:iam::${ACCOUNT}:root`);
    await assert.rejects(new STSClient(clientConfig(server, { ...good, sessionToken: good.sessionToken.slice(0, -4) + 'AAAA' })).send(new GetCallerIdentityCommand({})), { name: 'InvalidClientTokenId' });
    await assert.rejects(new STSClient(clientConfig(server, { accessKeyId: good.accessKeyId, secretAccessKey: good.secretAccessKey })).send(new GetCallerIdentityCommand({})), { name: 'InvalidClientTokenId' });
  });

  it('GetCallerIdentity: expired session credentials are ExpiredToken 403 (S3: 400)', async () => {
    const sts = new STSClient(clientConfig(server));
    const c = (await sts.send(new GetSessionTokenCommand({ DurationSeconds: 900 }))).Credentials!;
    // Age the session as 15 minutes would, instead of waiting for them.
    const docs = server.stratus.storage.documents;
    const doc = await docs.get<{ expiresAt: number }>('identity.sessions', c.AccessKeyId!);
    await docs.put('identity.sessions', c.AccessKeyId!, { ...doc!.value, expiresAt: Date.now() - 1000 });
    const creds = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
    await assert.rejects(new STSClient(clientConfig(server, creds)).send(new GetCallerIdentityCommand({})), (e: Error & { $metadata: { httpStatusCode: number } }) => {
      assert.equal(e.name, 'ExpiredToken');
      assert.equal(e.$metadata.httpStatusCode, 403);
      return true;
    });
    await assert.rejects(new S3Client(clientConfig(server, creds)).send(new ListBucketsCommand({})), (e: Error & { $metadata: { httpStatusCode: number } }) => {
      assert.equal(e.name, 'ExpiredToken');
      assert.equal(e.$metadata.httpStatusCode, 400);
      return true;
    });
  });

  it('CreateUser: a signed caller without permission is AccessDenied 403', async () => {
    const iam = new IAMClient(clientConfig(server));
    await iam.send(new CreateUserCommand({ UserName: 'nobody' }));
    const { CreateAccessKeyCommand } = await import('@aws-sdk/client-iam');
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'nobody' }))).AccessKey!;
    await assert.rejects(new IAMClient(clientConfig(server, { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! })).send(new CreateUserCommand({ UserName: 'x' })), (e: Error & { $metadata: { httpStatusCode: number } }) => {
      assert.equal(e.name, 'AccessDenied');
      assert.equal(e.$metadata.httpStatusCode, 403);
      assert.match(e.message, new RegExp(`^User: arn:aws:iam::${ACCOUNT}:user/nobody is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${ACCOUNT}:user/x`));
      return true;
    });
  });

  it('GetObject: a presigned URL is accepted while valid, AccessDenied "Request has expired" after', async () => {
    const s3 = new S3Client(clientConfig(server));
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'b', Key: 'k' }), { expiresIn: 1 });
    const early = await fetch(url);
    // Authenticated, then S3 itself answers: the bucket does not exist; never an auth error.
    const earlyText = await early.text();
    assert.equal(early.status, 404, earlyText);
    assert.equal(xmlCode(earlyText), 'NoSuchBucket');
    await new Promise((r) => setTimeout(r, 2100));
    const late = await fetch(url);
    const text = await late.text();
    assert.equal(late.status, 403, text);
    assert.equal(xmlCode(text), 'AccessDenied');
    assert.match(text, /<Message>Request has expired<\/Message>/);
  });

  it('GetObject: a presigned URL valid for more than 7 days is AuthorizationQueryParametersError 400', async () => {
    const s3 = new S3Client(clientConfig(server));
    const url = new URL(await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'b', Key: 'k' }), { expiresIn: 3600 }));
    url.searchParams.set('X-Amz-Expires', '604801');
    const res = await fetch(url);
    const text = await res.text();
    assert.equal(res.status, 400, text);
    assert.equal(xmlCode(text), 'AuthorizationQueryParametersError');
  });

  it('PutObject: the SDK\'s default streaming upload (STREAMING-UNSIGNED-PAYLOAD-TRAILER) authenticates; a wrong key does not', async () => {
    const body = Buffer.alloc(256 * 1024, 7);
    const ok = new S3Client(clientConfig(server));
    await ok.send(new CreateBucketCommand({ Bucket: 'streamed' }));
    const put = await ok.send(new PutObjectCommand({ Bucket: 'streamed', Key: 'k', Body: body }));
    assert.equal(put.ETag, `"${createHash('md5').update(body).digest('hex')}"`);
    const bad = new S3Client(clientConfig(server, { accessKeyId: ROOT_KEY.accessKeyId, secretAccessKey: 'wrong'.repeat(8) }));
    await assert.rejects(bad.send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: body })), { name: 'SignatureDoesNotMatch' });
  });

  it('UpdateAccessKey/DeleteAccessKey: a deactivated or deleted key is refused at once, though keys are cached', async () => {
    const { CreateAccessKeyCommand, UpdateAccessKeyCommand, DeleteAccessKeyCommand } = await import('@aws-sdk/client-iam');
    const iam = new IAMClient(clientConfig(server));
    await iam.send(new CreateUserCommand({ UserName: 'revoked' }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'revoked' }))).AccessKey!;
    const sts = new STSClient(clientConfig(server, { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! }));
    assert.match((await sts.send(new GetCallerIdentityCommand({}))).Arn!, /user\/revoked$/);
    await iam.send(new UpdateAccessKeyCommand({ UserName: 'revoked', AccessKeyId: key.AccessKeyId!, Status: 'Inactive' }));
    await assert.rejects(sts.send(new GetCallerIdentityCommand({})), { name: 'InvalidClientTokenId' });
    await iam.send(new UpdateAccessKeyCommand({ UserName: 'revoked', AccessKeyId: key.AccessKeyId!, Status: 'Active' }));
    assert.match((await sts.send(new GetCallerIdentityCommand({}))).Arn!, /user\/revoked$/);
    await iam.send(new DeleteAccessKeyCommand({ UserName: 'revoked', AccessKeyId: key.AccessKeyId! }));
    await assert.rejects(sts.send(new GetCallerIdentityCommand({})), { name: 'InvalidClientTokenId' });
  });

  it('AssumeRole: credentials for an unknown role are refused with AccessDenied 403', async () => {
    await assert.rejects(new STSClient(clientConfig(server)).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/Nope`, RoleSessionName: 's1' })), { name: 'AccessDenied' });
  });
});
