/**
 * S3 from a real browser (Chromium through playwright-core): a page served
 * from another origin uploads through a presigned PUT URL (a CORS preflight,
 * then the PUT) and through a POST policy form, with the bucket's CORS rules
 * allowing that origin and refusing others; and the browser loads a static
 * website bucket, its error document included, by both URL forms.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/WebsiteEndpoints.html
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  CreateBucketCommand,
  DeletePublicAccessBlockCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketCorsCommand,
  PutBucketPolicyCommand,
  PutBucketWebsiteCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { chromium, type Browser, type Page } from 'playwright-core';
import { clientConfig, startTestServer, type TestServer } from './harness.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = '/tmp/stratus-s3-website.png';

describe('S3 from a real browser', { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed` }, () => {
  let server: TestServer;
  let s3: S3Client;
  let app: Server;
  let appOrigin: string;
  let browser: Browser;
  let page: Page;

  before(async () => {
    server = await startTestServer();
    // Presigned URLs without flexible-checksum parameters, as browser upload code configures its client.
    s3 = new S3Client({ ...clientConfig(server), requestChecksumCalculation: 'WHEN_REQUIRED' });
    app = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>app</title><h1>uploader</h1>');
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    appOrigin = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;

    await s3.send(new CreateBucketCommand({ Bucket: 'browser-uploads' }));
    await s3.send(
      new PutBucketCorsCommand({
        Bucket: 'browser-uploads',
        CORSConfiguration: { CORSRules: [{ AllowedOrigins: [appOrigin], AllowedMethods: ['PUT', 'POST', 'GET'], AllowedHeaders: ['*'], ExposeHeaders: ['ETag'] }] },
      }),
    );
    await s3.send(new CreateBucketCommand({ Bucket: 'no-cors' }));

    await s3.send(new CreateBucketCommand({ Bucket: 'browser-site' }));
    await s3.send(new DeletePublicAccessBlockCommand({ Bucket: 'browser-site' }));
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: 'browser-site',
        Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::browser-site/*' }] }),
      }),
    );
    await s3.send(new PutBucketWebsiteCommand({ Bucket: 'browser-site', WebsiteConfiguration: { IndexDocument: { Suffix: 'index.html' }, ErrorDocument: { Key: '404.html' } } }));
    const html = (Key: string, Body: string) => s3.send(new PutObjectCommand({ Bucket: 'browser-site', Key, Body, ContentType: 'text/html; charset=utf-8' }));
    await html(
      'index.html',
      '<!doctype html><html><head><title>Stratus site</title><link rel="stylesheet" href="style.css"></head>' +
        '<body><h1 id="title">Hello from an S3 website</h1><p>Served by Stratus.</p><script src="app.js"></script></body></html>',
    );
    await html('404.html', '<!doctype html><title>Not here</title><h1 id="title">Custom 404 page</h1>');
    await s3.send(new PutObjectCommand({ Bucket: 'browser-site', Key: 'style.css', Body: 'body{font-family:sans-serif;background:#eef6ff}h1{color:#c0392b}', ContentType: 'text/css' }));
    await s3.send(new PutObjectCommand({ Bucket: 'browser-site', Key: 'app.js', Body: 'document.body.dataset.ready = "yes";', ContentType: 'text/javascript' }));

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await browser.newPage();
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => (app ? app.close(resolve) : resolve(undefined)));
    s3?.destroy();
    await server?.close();
  });

  it('uploads from another origin through a presigned PUT URL, after a preflight', async () => {
    await page.goto(`${appOrigin}/`);
    const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket: 'browser-uploads', Key: 'put.txt', ContentType: 'text/plain' }), { expiresIn: 300 });
    const result = await page.evaluate(async (target) => {
      const res = await fetch(target, { method: 'PUT', body: 'uploaded with PUT', headers: { 'content-type': 'text/plain' } });
      return { status: res.status, etag: res.headers.get('etag') };
    }, url);
    assert.equal(result.status, 200);
    assert.match(result.etag ?? '', /^"[0-9a-f]{32}"$/, 'ETag is exposed to the page');
    const got = await s3.send(new GetObjectCommand({ Bucket: 'browser-uploads', Key: 'put.txt' }));
    assert.equal(await got.Body!.transformToString(), 'uploaded with PUT');
    assert.equal(got.ContentType, 'text/plain');
  });

  it('uploads from another origin through a POST policy form', async () => {
    await page.goto(`${appOrigin}/`);
    const { url, fields } = await createPresignedPost(s3, {
      Bucket: 'browser-uploads',
      Key: 'forms/${filename}',
      Conditions: [['content-length-range', 1, 1024]],
      Fields: { 'Content-Type': 'text/plain', success_action_status: '201' },
      Expires: 300,
    });
    const result = await page.evaluate(
      async ({ target, fields }) => {
        const form = new FormData();
        for (const [k, v] of Object.entries(fields)) form.append(k, v);
        form.append('file', new File(['uploaded with a form'], 'hello.txt', { type: 'text/plain' }));
        const res = await fetch(target, { method: 'POST', body: form });
        return { status: res.status, body: await res.text() };
      },
      { target: url, fields },
    );
    assert.equal(result.status, 201, result.body);
    assert.match(result.body, /<Key>forms\/hello\.txt<\/Key>/);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'browser-uploads', Key: 'forms/hello.txt' }));
    assert.equal(await got.Body!.transformToString(), 'uploaded with a form');
    assert.equal(got.ContentType, 'text/plain');
  });

  it('is stopped by CORS when the bucket does not allow the origin', async () => {
    await page.goto(`${appOrigin}/`);
    const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket: 'no-cors', Key: 'blocked.txt', ContentType: 'text/plain' }), { expiresIn: 300 });
    const outcome = await page.evaluate(async (target) => {
      try {
        await fetch(target, { method: 'PUT', body: 'nope', headers: { 'content-type': 'text/plain' } });
        return 'sent';
      } catch (err) {
        return `blocked: ${(err as Error).name}`;
      }
    }, url);
    assert.equal(outcome, 'blocked: TypeError');
    // The preflight failed, so the PUT itself was never sent.
    await assert.rejects(s3.send(new HeadObjectCommand({ Bucket: 'no-cors', Key: 'blocked.txt' })), { name: 'NotFound' });
  });

  it('loads a website bucket with its assets, and its error document on a 404', async () => {
    const base = `${server.url}/_stratus/website/browser-site/`;
    const home = await page.goto(base);
    assert.equal(home?.status(), 200);
    assert.equal(await page.textContent('#title'), 'Hello from an S3 website');
    assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('h1')!).color), 'rgb(192, 57, 43)', 'the relative stylesheet loaded');
    assert.equal(await page.evaluate(() => document.body.dataset.ready), 'yes', 'the relative script ran');
    await page.screenshot({ path: SCREENSHOT });

    const missing = await page.goto(`${base}no/such/page.html`);
    assert.equal(missing?.status(), 404);
    assert.equal(await page.textContent('#title'), 'Custom 404 page');

    // Chromium resolves every *.localhost name to the loopback address itself.
    const vhost = await page.goto(`http://browser-site.s3-website.localhost:${server.port}/`);
    assert.equal(vhost?.status(), 200);
    assert.equal(await page.textContent('#title'), 'Hello from an S3 website');
  });
});
