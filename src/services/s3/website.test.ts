import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PutBucketWebsiteCommand, S3Client, S3ServiceException, type WebsiteConfiguration as SdkWebsiteConfiguration } from '@aws-sdk/client-s3';
import { isServiceError } from '../../core/errors.js';
import { loadModel } from '../../protocol/model.js';
import { clientConfig, codecHandler } from '../../protocol/testing.js';
import {
  resolveWebsiteRequest,
  validateWebsiteConfiguration,
  websiteErrorPage,
  type RoutingRule,
  type WebsiteConfiguration,
  type WebsiteLookup,
} from './website.js';

const MALFORMED = 'The XML you provided was not well-formed or did not validate against our published schema';

/** [code, message, fields] of what validate throws, or undefined when it accepts. */
function refusal(config: unknown): [string, string, Record<string, unknown>] | undefined {
  try {
    validateWebsiteConfiguration(config);
    return undefined;
  } catch (err) {
    if (!isServiceError(err)) throw err;
    assert.equal(err.status, 400);
    return [err.code, err.message, err.fields];
  }
}

const INDEX = { IndexDocument: { Suffix: 'index.html' } };
const withRules = (...rules: RoutingRule[]): WebsiteConfiguration => ({ ...INDEX, RoutingRules: rules });
const toHost = (HostName: string): RoutingRule => ({ Redirect: { HostName } });

describe('validateWebsiteConfiguration', () => {
  test('accepts the documented forms', () => {
    assert.equal(refusal(INDEX), undefined);
    assert.equal(refusal({ ...INDEX, ErrorDocument: { Key: 'error.html' } }), undefined);
    assert.equal(refusal({ RedirectAllRequestsTo: { HostName: 'example.com', Protocol: 'https' } }), undefined);
    const rules = withRules(
      { Condition: { KeyPrefixEquals: 'docs/' }, Redirect: { ReplaceKeyPrefixWith: 'documents/' } },
      { Condition: { HttpErrorCodeReturnedEquals: '404' }, Redirect: { HostName: 'h', Protocol: 'https', HttpRedirectCode: '302', ReplaceKeyWith: 'x' } },
      { Condition: { KeyPrefixEquals: '' }, Redirect: { ReplaceKeyPrefixWith: '' } },
    );
    assert.equal(refusal(rules), undefined);
    assert.equal(refusal(withRules(...Array.from({ length: 50 }, () => toHost('example.com')))), undefined);
  });

  const refused: Array<[string, unknown, [string, string, Record<string, unknown>]]> = [
    [
      'nothing',
      {},
      ['InvalidArgument', 'A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty', { ArgumentName: 'IndexDocument', ArgumentValue: 'null' }],
    ],
    [
      'only an ErrorDocument',
      { ErrorDocument: { Key: 'e.html' } },
      ['InvalidArgument', 'A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty', { ArgumentName: 'IndexDocument', ArgumentValue: 'null' }],
    ],
    [
      'a Suffix with a slash',
      { IndexDocument: { Suffix: 'a/index.html' } },
      ['InvalidArgument', 'The IndexDocument Suffix is not well formed', { ArgumentName: 'IndexDocument', ArgumentValue: 'a/index.html' }],
    ],
    [
      'an empty Suffix',
      { IndexDocument: { Suffix: '' } },
      ['InvalidArgument', 'The IndexDocument Suffix is not well formed', { ArgumentName: 'IndexDocument', ArgumentValue: '' }],
    ],
    [
      'RedirectAllRequestsTo with an IndexDocument',
      { ...INDEX, RedirectAllRequestsTo: { HostName: 'example.com' } },
      ['InvalidArgument', 'RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.', { ArgumentName: 'RedirectAllRequestsTo', ArgumentValue: 'not null' }],
    ],
    [
      'RedirectAllRequestsTo with RoutingRules',
      { RedirectAllRequestsTo: { HostName: 'example.net' }, RoutingRules: [toHost('example.com')] },
      ['InvalidArgument', 'RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.', { ArgumentName: 'RedirectAllRequestsTo', ArgumentValue: 'not null' }],
    ],
    ['RedirectAllRequestsTo without HostName', { RedirectAllRequestsTo: {} }, ['MalformedXML', MALFORMED, {}]],
    [
      'RedirectAllRequestsTo with an empty HostName',
      { RedirectAllRequestsTo: { HostName: '' } },
      ['InvalidRequest', 'A host name must be provided to redirect all requests (e.g. "example.com").', {}],
    ],
    [
      'RedirectAllRequestsTo with protocol ftp',
      { RedirectAllRequestsTo: { HostName: 'h', Protocol: 'ftp' } },
      ['InvalidRequest', 'Invalid protocol, protocol can be http or https. If not defined the protocol will be selected automatically.', {}],
    ],
    ['an ErrorDocument without Key', { ...INDEX, ErrorDocument: {} }, ['MalformedXML', MALFORMED, {}]],
    [
      'an ErrorDocument with an empty Key',
      { ...INDEX, ErrorDocument: { Key: '' } },
      ['InvalidArgument', 'The ErrorDocument Key is not well formed', { ArgumentName: 'ErrorDocument', ArgumentValue: '' }],
    ],
    ['empty RoutingRules', { ...INDEX, RoutingRules: [] }, ['MalformedXML', MALFORMED, {}]],
    ['a rule without Redirect', { ...INDEX, RoutingRules: [{ Condition: { KeyPrefixEquals: 'a' } }] }, ['MalformedXML', MALFORMED, {}]],
    [
      '51 rules',
      withRules(...Array.from({ length: 51 }, () => toHost('example.com'))),
      ['InvalidRequest', '51 routing rules provided, the number of routing rules in a website configuration is limited to 50.', {}],
    ],
    [
      'HttpRedirectCode 300',
      withRules({ Redirect: { HttpRedirectCode: '300' } }),
      ['InvalidRequest', 'The provided HTTP redirect code (300) is not valid. Valid codes are 3XX except 300.', {}],
    ],
    [
      'HttpRedirectCode 200',
      withRules({ Redirect: { HttpRedirectCode: '200' } }),
      ['InvalidRequest', 'The provided HTTP redirect code (200) is not valid. Valid codes are 3XX except 300.', {}],
    ],
    ['HttpRedirectCode that is a word', withRules({ Redirect: { HttpRedirectCode: 'moved' } }), ['MalformedXML', MALFORMED, {}]],
    [
      'HttpErrorCodeReturnedEquals 302',
      withRules({ Condition: { HttpErrorCodeReturnedEquals: '302' }, Redirect: { HostName: 'h' } }),
      ['InvalidRequest', 'The provided HTTP error code (302) is not valid. Valid codes are 4XX or 5XX.', {}],
    ],
    [
      'both ReplaceKeyWith and ReplaceKeyPrefixWith',
      withRules({ Redirect: { ReplaceKeyWith: 'a', ReplaceKeyPrefixWith: 'b/' } }),
      ['InvalidRequest', 'You can only define ReplaceKeyPrefix or ReplaceKey but not both.', {}],
    ],
    [
      'an empty Condition',
      withRules({ Condition: {}, Redirect: { HostName: 'h' } }),
      ['InvalidRequest', "Condition cannot be empty. To redirect all requests without a condition, the condition element shouldn't be present.", {}],
    ],
    [
      'a Redirect Protocol of ftp',
      withRules({ Redirect: { Protocol: 'ftp' } }),
      ['InvalidRequest', 'Invalid protocol, protocol can be http or https. If not defined the protocol will be selected automatically.', {}],
    ],
  ];
  for (const [name, config, expected] of refused) {
    test(`refuses ${name}`, () => {
      assert.deepEqual(refusal(config), expected);
    });
  }

  test('through a real S3 client: what the SDK sends parses into what the validator expects', async () => {
    let seen: unknown;
    const handler = codecHandler(loadModel('s3'), (operation, input) => {
      assert.equal(operation, 'PutBucketWebsite');
      seen = input.WebsiteConfiguration;
      validateWebsiteConfiguration(seen);
      return {};
    });
    const client = new S3Client({ ...clientConfig(handler), forcePathStyle: true });
    const good: SdkWebsiteConfiguration = {
      IndexDocument: { Suffix: 'index.html' },
      ErrorDocument: { Key: '404.html' },
      RoutingRules: [
        { Condition: { KeyPrefixEquals: 'docs/' }, Redirect: { ReplaceKeyPrefixWith: 'documents/' } },
        { Condition: { HttpErrorCodeReturnedEquals: '404' }, Redirect: { HostName: 'example.com', Protocol: 'https', HttpRedirectCode: '302' } },
      ],
    };
    await client.send(new PutBucketWebsiteCommand({ Bucket: 'b', WebsiteConfiguration: good }));
    assert.deepEqual(seen, good);
    await assert.rejects(
      client.send(new PutBucketWebsiteCommand({ Bucket: 'b', WebsiteConfiguration: { IndexDocument: { Suffix: 'a/b' } } })),
      (err: unknown) => {
        assert.ok(err instanceof S3ServiceException);
        assert.equal(err.name, 'InvalidArgument');
        assert.equal(err.message, 'The IndexDocument Suffix is not well formed');
        assert.equal(err.$metadata.httpStatusCode, 400);
        return true;
      },
    );
    await assert.rejects(client.send(new PutBucketWebsiteCommand({ Bucket: 'b', WebsiteConfiguration: {} })), { name: 'InvalidArgument' });
  });
});

/** A lookup over a fixed set of keys; values are website redirect locations ('' for none). */
function bucket(objects: Record<string, string>) {
  const calls: string[] = [];
  const lookup = async (key: string): Promise<WebsiteLookup> => {
    calls.push(key);
    const v = objects[key];
    if (v === undefined) return { exists: false };
    return v ? { exists: true, websiteRedirectLocation: v } : { exists: true };
  };
  return { lookup, calls };
}

const SITE: WebsiteConfiguration = { IndexDocument: { Suffix: 'index.html' }, ErrorDocument: { Key: 'error.html' } };
const HOST = 'site.s3-website.localhost:4566';

function get(cfg: WebsiteConfiguration | undefined, path: string, objects: Record<string, string>, extra: { method?: string; query?: string; protocol?: 'http' | 'https' } = {}) {
  const { lookup } = bucket(objects);
  return resolveWebsiteRequest(cfg, { method: extra.method ?? 'GET', path, host: HOST, query: extra.query, protocol: extra.protocol, bucket: 'site' }, lookup);
}

describe('resolveWebsiteRequest: index documents and errors', () => {
  test("'/' serves the root index document", async () => {
    assert.deepEqual(await get(SITE, '/', { 'index.html': '' }), { kind: 'object', key: 'index.html', status: 200 });
  });

  test("'folder/' serves folder/index.html, whether or not a 'folder/' object exists", async () => {
    assert.deepEqual(await get(SITE, '/key/', { 'key/index.html': '' }), { kind: 'object', key: 'key/index.html', status: 200 });
    assert.deepEqual(await get(SITE, '/key/', { 'key/': '', 'key/index.html': '' }), { kind: 'object', key: 'key/index.html', status: 200 });
  });

  test("'folder/' without its index document is NoSuchKey for the index key, with the error document", async () => {
    assert.deepEqual(await get(SITE, '/key/', { 'key/': '' }), {
      kind: 'error',
      status: 404,
      code: 'NoSuchKey',
      message: 'The specified key does not exist.',
      key: 'key/index.html',
      fields: { Key: 'key/index.html' },
      errorDocumentKey: 'error.html',
    });
  });

  test("an existing 'key' is served even when 'key/index.html' exists", async () => {
    assert.deepEqual(await get(SITE, '/key', { key: '', 'key/index.html': '' }), { kind: 'object', key: 'key', status: 200 });
  });

  test("a missing 'key' with 'key/index.html': 302 to '/key/', query dropped", async () => {
    assert.deepEqual(await get(SITE, '/key', { 'key/index.html': '' }, { query: 'acl' }), { kind: 'redirect', status: 302, location: '/key/' });
    assert.deepEqual(await get(SITE, '/a b/c', { 'a b/c/index.html': '' }), { kind: 'redirect', status: 302, location: '/a%20b/c/' });
  });

  test('a missing key: NoSuchKey; without an ErrorDocument no errorDocumentKey', async () => {
    const r = await get(SITE, '/missing', {});
    assert.equal(r.kind, 'error');
    assert.equal(r.kind === 'error' && r.errorDocumentKey, 'error.html');
    assert.deepEqual(await get(INDEX, '/missing', {}), {
      kind: 'error',
      status: 404,
      code: 'NoSuchKey',
      message: 'The specified key does not exist.',
      key: 'missing',
      fields: { Key: 'missing' },
    });
  });

  test('an object with a website redirect location answers 301 to it (index documents too)', async () => {
    assert.deepEqual(await get(SITE, '/key', { key: 'https://example.org/example' }), {
      kind: 'redirect',
      status: 301,
      location: 'https://example.org/example',
    });
    assert.deepEqual(await get(SITE, '/key/', { 'key/index.html': '/example' }), { kind: 'redirect', status: 301, location: '/example' });
  });

  test('HEAD is served like GET; other methods are 405 MethodNotAllowed without a lookup', async () => {
    assert.deepEqual(await get(SITE, '/', { 'index.html': '' }, { method: 'HEAD' }), { kind: 'object', key: 'index.html', status: 200 });
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const { lookup, calls } = bucket({ 'index.html': '' });
      assert.deepEqual(await resolveWebsiteRequest(SITE, { method, path: '/', host: HOST }, lookup), {
        kind: 'error',
        status: 405,
        code: 'MethodNotAllowed',
        message: 'The specified method is not allowed against this resource.',
        fields: { Method: method, ResourceType: 'OBJECT' },
      });
      assert.deepEqual(calls, []);
    }
  });

  test('no website configuration: 404 NoSuchWebsiteConfiguration', async () => {
    assert.deepEqual(await get(undefined, '/', {}), {
      kind: 'error',
      status: 404,
      code: 'NoSuchWebsiteConfiguration',
      message: 'The specified bucket does not have a website configuration',
      fields: { BucketName: 'site' },
    });
  });
});

describe('resolveWebsiteRequest: redirects', () => {
  test('RedirectAllRequestsTo keeps path and query; protocol defaults to the request', async () => {
    const cfg = { RedirectAllRequestsTo: { HostName: 'bells.example.com' } };
    assert.deepEqual(await get(cfg, '/key', {}, { query: 'query=string' }), {
      kind: 'redirect',
      status: 301,
      location: 'http://bells.example.com/key?query=string',
    });
    assert.equal(((await get(cfg, '/key', {}, { protocol: 'https' })) as { location: string }).location, 'https://bells.example.com/key');
    const https = { RedirectAllRequestsTo: { HostName: 'burrito.example.com', Protocol: 'https' } };
    assert.deepEqual(await get(https, '/', {}), { kind: 'redirect', status: 301, location: 'https://burrito.example.com/' });
  });

  test('a rule without Condition redirects every request, before any lookup; first rule wins', async () => {
    const { lookup, calls } = bucket({ any: '' });
    const cfg = withRules(toHost('first.example.com'), toHost('second.example.com'));
    assert.deepEqual(await resolveWebsiteRequest(cfg, { method: 'GET', path: '/any', host: HOST }, lookup), {
      kind: 'redirect',
      status: 301,
      location: 'http://first.example.com/any',
    });
    assert.deepEqual(calls, []);
  });

  test('KeyPrefixEquals is checked against the requested key, before the index document', async () => {
    const cfg = withRules({ Condition: { KeyPrefixEquals: 'r' }, Redirect: { HostName: 'example.com' } });
    assert.deepEqual(await get(cfg, '/rad', {}), { kind: 'redirect', status: 301, location: 'http://example.com/rad' });
    assert.deepEqual(await get(cfg, '/r', { r: '' }), { kind: 'redirect', status: 301, location: 'http://example.com/r' });
    assert.equal((await get(cfg, '/bad', {})).kind, 'error');
    const folder = withRules({ Condition: { KeyPrefixEquals: 'r/' }, Redirect: { HostName: 'example.com' } });
    assert.deepEqual(await get(folder, '/r/', {}), { kind: 'redirect', status: 301, location: 'http://example.com/r/' });
    const empty = withRules({ Condition: { KeyPrefixEquals: '' }, Redirect: { HostName: 'example.com' } });
    assert.deepEqual(await get(empty, '/', {}), { kind: 'redirect', status: 301, location: 'http://example.com/' });
  });

  test('ReplaceKeyPrefixWith swaps the matched prefix; ReplaceKeyWith the whole key', async () => {
    const prefix = withRules({ Condition: { KeyPrefixEquals: 'docs/' }, Redirect: { ReplaceKeyPrefixWith: 'documents/' } });
    assert.deepEqual(await get(prefix, '/docs/a/b.html', {}), { kind: 'redirect', status: 301, location: `http://${HOST}/documents/a/b.html` });
    const images = withRules({ Condition: { KeyPrefixEquals: 'images/' }, Redirect: { ReplaceKeyPrefixWith: '' } });
    assert.deepEqual(await get(images, '/images/x.png', {}), { kind: 'redirect', status: 301, location: `http://${HOST}/x.png` });
    const whole = withRules({ Condition: { KeyPrefixEquals: 'old/' }, Redirect: { ReplaceKeyWith: 'error.html', HttpRedirectCode: '307' } });
    assert.deepEqual(await get(whole, '/old/page', {}), { kind: 'redirect', status: 307, location: `http://${HOST}/error.html` });
  });

  test('HostName and Protocol replace the request host and scheme; keys are percent-encoded', async () => {
    const cfg = withRules({ Redirect: { HostName: 'example.com', Protocol: 'https', HttpRedirectCode: '302' } });
    assert.deepEqual(await get(cfg, '/a b/ü?#', {}), { kind: 'redirect', status: 302, location: 'https://example.com/a%20b/%C3%BC%3F%23' });
    const https = withRules({ Redirect: { ReplaceKeyWith: 'x' } });
    assert.deepEqual(await get(https, '/y', {}, { protocol: 'https' }), { kind: 'redirect', status: 301, location: `https://${HOST}/x` });
  });

  test('HttpErrorCodeReturnedEquals applies after a failed lookup, with the original key', async () => {
    const cfg = withRules({ Condition: { HttpErrorCodeReturnedEquals: '404' }, Redirect: { HostName: 'h.example.com', ReplaceKeyPrefixWith: 'report-404/' } });
    assert.deepEqual(await get(cfg, '/ExamplePage.html', {}), { kind: 'redirect', status: 301, location: 'http://h.example.com/report-404/ExamplePage.html' });
    assert.deepEqual(await get(cfg, '/ExamplePage.html', { 'ExamplePage.html': '' }), { kind: 'object', key: 'ExamplePage.html', status: 200 });
    assert.deepEqual(await get(cfg, '/d/', {}), { kind: 'redirect', status: 301, location: 'http://h.example.com/report-404/d/' });
    const other = withRules({ Condition: { HttpErrorCodeReturnedEquals: '403' }, Redirect: { HostName: 'h' } });
    assert.equal((await get(other, '/bad', {})).kind, 'error');
  });

  test('prefix and error code must both hold', async () => {
    const cfg = withRules({ Condition: { KeyPrefixEquals: 'r', HttpErrorCodeReturnedEquals: '404' }, Redirect: { HostName: 'aerial.example.com' } });
    assert.deepEqual(await get(cfg, '/rad', {}), { kind: 'redirect', status: 301, location: 'http://aerial.example.com/rad' });
    assert.equal((await get(cfg, '/bad', {})).kind, 'error');
    assert.equal((await get(cfg, '/rad', { rad: '' })).kind, 'object');
  });

  test('rules apply in order: an error-code rule before an unconditional one wins when it matches', async () => {
    const cfg = withRules(
      { Condition: { HttpErrorCodeReturnedEquals: '404' }, Redirect: { HostName: 'primary.example.com' } },
      toHost('secondary.example.com'),
    );
    assert.deepEqual(await get(cfg, '/any', {}), { kind: 'redirect', status: 301, location: 'http://primary.example.com/any' });
    assert.deepEqual(await get(cfg, '/any', { any: '' }), { kind: 'redirect', status: 301, location: 'http://secondary.example.com/any' });
  });

  test('the lookup runs once however many error-code rules there are', async () => {
    const { lookup, calls } = bucket({});
    const cfg = withRules(
      { Condition: { HttpErrorCodeReturnedEquals: '403' }, Redirect: { HostName: 'a' } },
      { Condition: { HttpErrorCodeReturnedEquals: '500' }, Redirect: { HostName: 'b' } },
    );
    const r = await resolveWebsiteRequest({ ...cfg, ErrorDocument: { Key: 'error.html' } }, { method: 'GET', path: '/k', host: HOST }, lookup);
    assert.equal(r.kind === 'error' && r.errorDocumentKey, 'error.html');
    assert.deepEqual(calls, ['k', 'k/index.html']);
  });
});

describe('websiteErrorPage', () => {
  test("S3's 404 page, line by line", () => {
    const page = websiteErrorPage(404, 'NoSuchKey', 'The specified key does not exist.', 'REQ1', { key: 'missing.html', hostId: 'HOST' });
    assert.equal(
      page,
      [
        '<html>',
        '<head><title>404 Not Found</title></head>',
        '<body>',
        '<h1>404 Not Found</h1>',
        '<ul>',
        '<li>Code: NoSuchKey</li>',
        '<li>Message: The specified key does not exist.</li>',
        '<li>Key: missing.html</li>',
        '<li>RequestId: REQ1</li>',
        '<li>HostId: HOST</li>',
        '</ul>',
        '<hr/>',
        '</body>',
        '</html>',
        '',
      ].join('\n'),
    );
  });

  test('the custom error document failure section, and a default HostId', () => {
    const page = websiteErrorPage(404, 'NoSuchKey', 'The specified key does not exist.', 'REQ2', {
      key: 'index.html',
      errorDocument: { code: 'NoSuchKey', message: 'The specified key does not exist.', key: 'error.html' },
    });
    assert.match(page, /<li>HostId: UkVRMg==<\/li>\n<\/ul>\n<h3>An Error Occurred While Attempting to Retrieve a Custom Error Document<\/h3>\n<ul>\n<li>Code: NoSuchKey<\/li>\n<li>Message: The specified key does not exist.<\/li>\n<li>Key: error.html<\/li>\n<\/ul>\n<hr\/>/);
  });

  test('405 and bucket pages list their own fields; values are HTML-escaped', () => {
    const page405 = websiteErrorPage(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.', 'R', {
      fields: { Method: 'POST', ResourceType: 'OBJECT' },
    });
    assert.match(page405, /<title>405 Method Not Allowed<\/title>/);
    assert.match(page405, /<li>Message: The specified method is not allowed against this resource.<\/li>\n<li>Method: POST<\/li>\n<li>ResourceType: OBJECT<\/li>\n<li>RequestId: R<\/li>/);
    const bucketPage = websiteErrorPage(404, 'NoSuchBucket', 'The specified bucket does not exist', 'R', { bucket: 'site' });
    assert.match(bucketPage, /<li>BucketName: site<\/li>/);
    assert.match(websiteErrorPage(404, 'NoSuchKey', 'm', 'R', { key: '<script>&"' }), /<li>Key: &lt;script&gt;&amp;&quot;<\/li>/);
    // fields that repeat key/bucket are not listed twice
    const once = websiteErrorPage(404, 'NoSuchKey', 'm', 'R', { key: 'k', fields: { Key: 'k' } });
    assert.equal(once.match(/<li>Key: k<\/li>/g)?.length, 1);
  });
});
