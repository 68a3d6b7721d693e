/**
 * S3's browser-facing data planes end to end: CORS preflights and the CORS
 * headers of actual requests (errors included), the static website endpoint
 * in both URL forms (virtual host, path-style under /_stratus/website/), and
 * browser POST uploads signed with @aws-sdk/s3-presigned-post.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/WebsiteEndpoints.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import {
  CreateBucketCommand,
  DeletePublicAccessBlockCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutBucketCorsCommand,
  PutBucketPolicyCommand,
  PutBucketWebsiteCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { clientConfig, startTestServer, type TestServer } from './harness.js';

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** node:http, because fetch will not send a Host header of our choosing. */
function raw(server: TestServer, method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const APP = 'http://app.example';

describe('S3 CORS, websites and POST uploads', () => {
  let server: TestServer;
  let s3: S3Client;

  const publicRead = (bucket: string, denyPrefix?: string) =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` },
        ...(denyPrefix ? [{ Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/${denyPrefix}*` }] : []),
      ],
    });
  const put = (Bucket: string, Key: string, Body: string, extra: Record<string, unknown> = {}) => s3.send(new PutObjectCommand({ Bucket, Key, Body, ContentType: 'text/html', ...extra }));

  before(async () => {
    server = await startTestServer();
    s3 = new S3Client(clientConfig(server));
    for (const Bucket of ['cors-b', 'plain-b', 'site', 'site2', 'redirect-all', 'no-site', 'uploads', 'drop']) await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(
      new PutBucketCorsCommand({
        Bucket: 'cors-b',
        CORSConfiguration: { CORSRules: [{ AllowedOrigins: [APP], AllowedMethods: ['GET', 'PUT', 'POST'], AllowedHeaders: ['*'], ExposeHeaders: ['ETag'], MaxAgeSeconds: 600 }] },
      }),
    );
    await put('cors-b', 'hello.txt', 'hello');

    await s3.send(new DeletePublicAccessBlockCommand({ Bucket: 'site' }));
    await s3.send(new PutBucketPolicyCommand({ Bucket: 'site', Policy: publicRead('site', 'private/') }));
    await s3.send(
      new PutBucketWebsiteCommand({
        Bucket: 'site',
        WebsiteConfiguration: {
          IndexDocument: { Suffix: 'index.html' },
          ErrorDocument: { Key: 'error.html' },
          RoutingRules: [
            { Condition: { KeyPrefixEquals: 'docs-old/' }, Redirect: { ReplaceKeyPrefixWith: 'docs/' } },
            { Condition: { KeyPrefixEquals: 'gone/', HttpErrorCodeReturnedEquals: '404' }, Redirect: { HostName: 'elsewhere.example', Protocol: 'https', HttpRedirectCode: '302' } },
          ],
        },
      }),
    );
    await put('site', 'index.html', '<h1>home</h1>');
    await put('site', 'error.html', '<h1>oops</h1>');
    await put('site', 'docs/index.html', '<h1>docs</h1>');
    await put('site', 'private/secret.html', 'secret');
    await put('site', 'old.html', '', { WebsiteRedirectLocation: '/docs/' });
    await put('site', 'style.css', 'body{}', { ContentType: 'text/css', CacheControl: 'max-age=60' });

    await s3.send(new DeletePublicAccessBlockCommand({ Bucket: 'site2' }));
    await s3.send(new PutBucketPolicyCommand({ Bucket: 'site2', Policy: publicRead('site2') }));
    await s3.send(new PutBucketWebsiteCommand({ Bucket: 'site2', WebsiteConfiguration: { IndexDocument: { Suffix: 'index.html' }, ErrorDocument: { Key: 'missing-error.html' } } }));
    await s3.send(new PutBucketWebsiteCommand({ Bucket: 'redirect-all', WebsiteConfiguration: { RedirectAllRequestsTo: { HostName: 'www.example.com', Protocol: 'https' } } }));

    await s3.send(new DeletePublicAccessBlockCommand({ Bucket: 'drop' }));
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: 'drop',
        Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:PutObject', Resource: 'arn:aws:s3:::drop/incoming/*' }] }),
      }),
    );
    await s3.send(
      new PutBucketCorsCommand({ Bucket: 'uploads', CORSConfiguration: { CORSRules: [{ AllowedOrigins: [APP], AllowedMethods: ['POST', 'PUT'], AllowedHeaders: ['*'] }] } }),
    );
  });

  after(async () => {
    s3?.destroy();
    await server?.close();
  });

  describe('CORS', () => {
    it('answers an allowed preflight without authentication, path-style and virtual-host', async () => {
      for (const [path, host] of [
        ['/cors-b/some/key', undefined],
        ['/some/key', `cors-b.s3.localhost:${server.port}`],
      ] as const) {
        const res = await raw(server, 'OPTIONS', path, { origin: APP, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'Content-Type, X-Amz-Date', ...(host ? { host } : {}) });
        assert.equal(res.status, 200, res.body);
        assert.equal(res.headers['access-control-allow-origin'], APP);
        assert.equal(res.headers['access-control-allow-methods'], 'GET, PUT, POST');
        assert.equal(res.headers['access-control-allow-headers'], 'content-type, x-amz-date');
        assert.equal(res.headers['access-control-expose-headers'], 'ETag');
        assert.equal(res.headers['access-control-max-age'], '600');
        assert.equal(res.headers['access-control-allow-credentials'], 'true');
        assert.equal(res.body, '');
      }
    });

    it('refuses a preflight from another origin, for a bucket without CORS, for a missing bucket, and without Origin', async () => {
      const denied = await raw(server, 'OPTIONS', '/cors-b/k', { origin: 'http://evil.example', 'access-control-request-method': 'PUT' });
      assert.equal(denied.status, 403);
      assert.match(denied.body, /<Code>AccessForbidden<\/Code><Message>CORSResponse: This CORS request is not allowed\./);
      assert.match(denied.body, /<Method>PUT<\/Method><ResourceType>OBJECT<\/ResourceType>/);
      assert.equal(denied.headers['access-control-allow-origin'], undefined);

      const disallowedMethod = await raw(server, 'OPTIONS', '/cors-b/k', { origin: APP, 'access-control-request-method': 'DELETE' });
      assert.equal(disallowedMethod.status, 403);

      const noCors = await raw(server, 'OPTIONS', '/plain-b/k', { origin: APP, 'access-control-request-method': 'GET' });
      assert.equal(noCors.status, 403);
      assert.match(noCors.body, /CORSResponse: CORS is not enabled for this bucket\.<\/Message><Method>GET<\/Method><ResourceType>BUCKET<\/ResourceType>/);

      const missing = await raw(server, 'OPTIONS', '/no-such-bucket-here/k', { origin: APP, 'access-control-request-method': 'GET' });
      assert.equal(missing.status, 403);
      assert.match(missing.body, /CORSResponse: Bucket not found/);

      const noOrigin = await raw(server, 'OPTIONS', '/cors-b/k', { 'access-control-request-method': 'GET' });
      assert.equal(noOrigin.status, 400);
      assert.match(noOrigin.body, /<Code>BadRequest<\/Code><Message>Insufficient information\. Origin request header needed\.<\/Message>/);
    });

    it('adds CORS headers to a signed GET and to an anonymous 403', async () => {
      const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'cors-b', Key: 'hello.txt' }), { expiresIn: 60 });
      const ok = await fetch(url, { headers: { origin: APP } });
      assert.equal(ok.status, 200);
      assert.equal(await ok.text(), 'hello');
      assert.equal(ok.headers.get('access-control-allow-origin'), APP);
      assert.equal(ok.headers.get('access-control-expose-headers'), 'ETag');
      assert.equal(ok.headers.get('vary'), 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method');

      const denied = await fetch(`${server.url}/cors-b/hello.txt`, { headers: { origin: APP } });
      assert.equal(denied.status, 403);
      assert.match(await denied.text(), /<Code>AccessDenied<\/Code>/);
      assert.equal(denied.headers.get('access-control-allow-origin'), APP);

      const otherOrigin = await fetch(url, { headers: { origin: 'http://evil.example' } });
      assert.equal(otherOrigin.status, 200);
      await otherOrigin.arrayBuffer();
      assert.equal(otherOrigin.headers.get('access-control-allow-origin'), null);

      const noOrigin = await fetch(url);
      await noOrigin.arrayBuffer();
      assert.equal(noOrigin.headers.get('access-control-allow-origin'), null);
    });
  });

  describe('website endpoint', () => {
    const forms = [
      { name: 'virtual host', base: '', host: (port: number) => `site.s3-website.localhost:${port}` },
      { name: 'virtual host with region', base: '', host: (port: number) => `site.s3-website-us-east-1.localhost:${port}` },
      { name: 'path-style', base: '/_stratus/website/site', host: (port: number) => `127.0.0.1:${port}` },
    ];
    for (const form of forms) {
      describe(form.name, () => {
        const get = (path: string, method = 'GET', headers: Record<string, string> = {}) => raw(server, method, form.base + path, { host: form.host(server.port), ...headers });

        it('serves the index document with its headers, and HEAD without a body', async () => {
          const res = await get('/');
          assert.equal(res.status, 200);
          assert.equal(res.body, '<h1>home</h1>');
          assert.equal(res.headers['content-type'], 'text/html');
          assert.equal(res.headers['content-length'], '13');
          assert.match(String(res.headers['etag']), /^"[0-9a-f]{32}"$/);
          assert.ok(res.headers['last-modified']);
          const head = await get('/index.html', 'HEAD');
          assert.equal(head.status, 200);
          assert.equal(head.body, '');
          assert.equal(head.headers['content-length'], '13');
          const css = await get('/style.css');
          assert.equal(css.headers['content-type'], 'text/css');
          assert.equal(css.headers['cache-control'], 'max-age=60');
          const notModified = await get('/style.css', 'GET', { 'if-none-match': String(css.headers['etag']) });
          assert.equal(notModified.status, 304);
          const part = await get('/index.html', 'GET', { range: 'bytes=0-3' });
          assert.equal(part.status, 206);
          assert.equal(part.body, '<h1>');
          assert.equal(part.headers['content-range'], 'bytes 0-3/13');
        });

        it('redirects a folder without its slash, then serves its index', async () => {
          const res = await get('/docs');
          assert.equal(res.status, 302);
          assert.equal(res.headers['location'], `${form.base}/docs/`);
          const docs = await get('/docs/');
          assert.equal(docs.status, 200);
          assert.equal(docs.body, '<h1>docs</h1>');
        });

        it('serves the error document with 404 for a missing key and 403 for an object that is not public', async () => {
          const missing = await get('/nope.html');
          assert.equal(missing.status, 404);
          assert.equal(missing.body, '<h1>oops</h1>');
          assert.equal(missing.headers['content-type'], 'text/html');
          const forbidden = await get('/private/secret.html');
          assert.equal(forbidden.status, 403);
          assert.equal(forbidden.body, '<h1>oops</h1>');
        });

        it('applies routing rules and x-amz-website-redirect-location', async () => {
          const prefix = await get('/docs-old/page.html');
          assert.equal(prefix.status, 301);
          assert.equal(prefix.headers['location'], `http://${form.host(server.port)}${form.base}/docs/page.html`);
          const onError = await get('/gone/x.html');
          assert.equal(onError.status, 302);
          assert.equal(onError.headers['location'], 'https://elsewhere.example/gone/x.html');
          const moved = await get('/old.html');
          assert.equal(moved.status, 301);
          assert.equal(moved.headers['location'], `${form.base}/docs/`);
        });

        it('refuses methods other than GET and HEAD with an HTML page', async () => {
          const res = await get('/index.html', 'DELETE');
          assert.equal(res.status, 405);
          assert.match(res.body, /<li>Code: MethodNotAllowed<\/li>/);
        });
      });
    }

    it('answers HTML error pages: no error document, missing error document, no configuration, no bucket', async () => {
      const host = `site2.s3-website.localhost:${server.port}`;
      const res = await raw(server, 'GET', '/nope', { host });
      assert.equal(res.status, 404);
      assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
      assert.match(res.body, /<h1>404 Not Found<\/h1>/);
      assert.match(res.body, /<li>Code: NoSuchKey<\/li>\n<li>Message: The specified key does not exist\.<\/li>\n<li>Key: nope<\/li>/);
      assert.match(res.body, /An Error Occurred While Attempting to Retrieve a Custom Error Document[\s\S]*<li>Key: missing-error.html<\/li>/);

      const noSite = await raw(server, 'GET', '/_stratus/website/no-site/');
      assert.equal(noSite.status, 404);
      assert.match(noSite.body, /Code: NoSuchWebsiteConfiguration[\s\S]*BucketName: no-site/);

      const noBucket = await raw(server, 'GET', '/', { host: `ghost-bucket.s3-website.us-east-1.localhost:${server.port}` });
      assert.equal(noBucket.status, 404);
      assert.match(noBucket.body, /Code: NoSuchBucket[\s\S]*BucketName: ghost-bucket/);
    });

    it('redirects every request with RedirectAllRequestsTo, keeping path and query', async () => {
      for (const [path, host] of [
        ['/a/b.html?x=1', `redirect-all.s3-website.localhost:${server.port}`],
        ['/_stratus/website/redirect-all/a/b.html?x=1', `127.0.0.1:${server.port}`],
      ] as const) {
        const res = await raw(server, 'GET', path, { host });
        assert.equal(res.status, 301);
        assert.equal(res.headers['location'], 'https://www.example.com/a/b.html?x=1');
      }
    });

    it('sends the path-style root to its slash so relative links resolve', async () => {
      const res = await fetch(`${server.url}/_stratus/website/site`, { redirect: 'manual' });
      assert.equal(res.status, 302);
      assert.equal(res.headers.get('location'), '/_stratus/website/site/');
      const followed = await fetch(`${server.url}/_stratus/website/site`);
      assert.equal(await followed.text(), '<h1>home</h1>');
    });
  });

  describe('POST uploads', () => {
    const form = (fields: Record<string, string>, file: string | Blob, fileName = 'note.txt') => {
      const fd = new FormData();
      for (const [k, v] of Object.entries(fields)) fd.append(k, v);
      fd.append('file', typeof file === 'string' ? new Blob([file], { type: 'text/plain' }) : file, fileName);
      return fd;
    };

    it('stores a signed upload with its fields, answering 201 with a PostResponse and CORS headers', async () => {
      const { url, fields } = await createPresignedPost(s3, {
        Bucket: 'uploads',
        Key: 'in/${filename}',
        Conditions: [['content-length-range', 1, 100], ['starts-with', '$Content-Type', 'text/']],
        Fields: { 'Content-Type': 'text/plain', success_action_status: '201', 'x-amz-meta-owner': 'ana', acl: 'bucket-owner-full-control' },
        Expires: 300,
      });
      assert.equal(url, `${server.url}/uploads`);
      const res = await fetch(url, { method: 'POST', body: form(fields, 'posted text'), headers: { origin: APP } });
      const body = await res.text();
      assert.equal(res.status, 201, body);
      assert.match(body, /<PostResponse><Location>http:\/\/127\.0\.0\.1:\d+\/uploads\/in%2Fnote\.txt<\/Location><Bucket>uploads<\/Bucket><Key>in\/note\.txt<\/Key><ETag>"[0-9a-f]{32}"<\/ETag><\/PostResponse>/);
      assert.equal(res.headers.get('access-control-allow-origin'), APP);
      const got = await s3.send(new GetObjectCommand({ Bucket: 'uploads', Key: 'in/note.txt' }));
      assert.equal(await got.Body!.transformToString(), 'posted text');
      assert.equal(got.ContentType, 'text/plain');
      assert.deepEqual(got.Metadata, { owner: 'ana' });
      assert.equal(got.ETag, res.headers.get('etag'));
    });

    it('refuses what the policy does not allow: size, a changed field, an extra field, a bad signature', async () => {
      const { url, fields } = await createPresignedPost(s3, { Bucket: 'uploads', Key: 'strict.txt', Conditions: [['content-length-range', 1, 10]], Expires: 300 });
      const tooBig = await fetch(url, { method: 'POST', body: form(fields, 'x'.repeat(11)) });
      assert.equal(tooBig.status, 400);
      assert.match(await tooBig.text(), /<Code>EntityTooLarge<\/Code>[\s\S]*<MaxSizeAllowed>10<\/MaxSizeAllowed>/);

      const otherKey = await fetch(url, { method: 'POST', body: form({ ...fields, key: 'elsewhere.txt' }, 'ok') });
      assert.equal(otherKey.status, 403);
      assert.match(await otherKey.text(), /Invalid according to Policy: Policy Condition failed: \[&quot;eq&quot;, &quot;\$key&quot;, &quot;strict.txt&quot;\]/);

      const extra = await fetch(url, { method: 'POST', body: form({ ...fields, 'x-amz-meta-sneaky': '1' }, 'ok') });
      assert.equal(extra.status, 403);
      assert.match(await extra.text(), /Extra input fields: x-amz-meta-sneaky/);

      const forged = await fetch(url, { method: 'POST', body: form({ ...fields, 'X-Amz-Signature': '0'.repeat(64) }, 'ok') });
      assert.equal(forged.status, 403);
      assert.match(await forged.text(), /<Code>SignatureDoesNotMatch<\/Code>/);

      await assert.rejects(s3.send(new HeadObjectCommand({ Bucket: 'uploads', Key: 'strict.txt' })), { name: 'NotFound' });
    });

    it('refuses an anonymous form on a private bucket and answers 204 by default', async () => {
      const anon = await fetch(`${server.url}/uploads`, { method: 'POST', body: form({ key: 'anon.txt' }, 'x') });
      assert.equal(anon.status, 403);
      assert.match(await anon.text(), /<Code>AccessDenied<\/Code>/);

      const { url, fields } = await createPresignedPost(s3, { Bucket: 'uploads', Key: 'plain.txt', Expires: 300 });
      const res = await fetch(url, { method: 'POST', body: form(fields, 'plain') });
      assert.equal(res.status, 204);
      assert.equal(res.headers.get('location'), `${server.url}/uploads/plain.txt`);
      assert.match(res.headers.get('etag') ?? '', /^"[0-9a-f]{32}"$/);
    });

    it('lets a bucket policy admit anonymous forms, for the keys it names', async () => {
      const ok = await fetch(`${server.url}/drop`, { method: 'POST', body: form({ key: 'incoming/${filename}', 'Content-Type': 'text/csv' }, 'a,b', 'data.csv') });
      assert.equal(ok.status, 204, await ok.text());
      const got = await s3.send(new GetObjectCommand({ Bucket: 'drop', Key: 'incoming/data.csv' }));
      assert.equal(await got.Body!.transformToString(), 'a,b');
      assert.equal(got.ContentType, 'text/csv');
      const outside = await fetch(`${server.url}/drop`, { method: 'POST', body: form({ key: 'elsewhere.csv' }, 'a,b') });
      assert.equal(outside.status, 403);
      const noBucket = await fetch(`${server.url}/no-such-drop`, { method: 'POST', body: form({ key: 'x' }, 'x') });
      assert.equal(noBucket.status, 404);
      assert.match(await noBucket.text(), /<Code>NoSuchBucket<\/Code>/);
    });

    it('redirects to success_action_redirect with bucket, key and etag', async () => {
      const { url, fields } = await createPresignedPost(s3, {
        Bucket: 'uploads',
        Key: 'redirected.txt',
        Fields: { success_action_redirect: 'http://app.example/done?from=s3' },
        Conditions: [['eq', '$tagging', '<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>']],
        Expires: 300,
      });
      const res = await fetch(url, {
        method: 'POST',
        redirect: 'manual',
        body: form({ ...fields, tagging: '<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>' }, 'r'),
      });
      assert.equal(res.status, 303);
      const location = new URL(res.headers.get('location')!);
      assert.equal(location.origin + location.pathname, 'http://app.example/done');
      assert.equal(location.searchParams.get('from'), 's3');
      assert.equal(location.searchParams.get('bucket'), 'uploads');
      assert.equal(location.searchParams.get('key'), 'redirected.txt');
      assert.match(location.searchParams.get('etag')!, /^"[0-9a-f]{32}"$/);
      const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: 'uploads', Key: 'redirected.txt' }));
      assert.deepEqual(tags.TagSet, [{ Key: 'k', Value: 'v' }]);
    });

    it('accepts the virtual-host form of the bucket URL', async () => {
      const { fields } = await createPresignedPost(s3, { Bucket: 'uploads', Key: 'vhost.txt', Fields: { success_action_status: '201' }, Expires: 300 });
      const fd = form(fields, 'via host');
      const encoded = new Response(fd);
      const res = await raw(server, 'POST', '/', { host: `uploads.s3.localhost:${server.port}`, 'content-type': encoded.headers.get('content-type')! }, Buffer.from(await encoded.arrayBuffer()));
      assert.equal(res.status, 201, res.body);
      assert.match(res.body, new RegExp(`<Location>http://uploads\\.s3\\.localhost:${server.port}/vhost\\.txt</Location>`));
      const got = await s3.send(new GetObjectCommand({ Bucket: 'uploads', Key: 'vhost.txt' }));
      assert.equal(await got.Body!.transformToString(), 'via host');
    });
  });
});
