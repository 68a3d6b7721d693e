import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetBucketLocationCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { ServiceError } from '../core/errors.js';
import { createCodec, unknownOperationError } from './index.js';
import { loadModel } from './model.js';
import { clientConfig, codecHandler, makeRequest, TEST_REQUEST_ID, type Responder } from './testing.js';

const s3 = loadModel('s3');
const codec = createCodec(s3);

function client(respond: Responder) {
  const handler = codecHandler(s3, respond);
  return { handler, client: new S3Client({ ...clientConfig(handler), forcePathStyle: true }) };
}

async function readAll(stream: Readable): Promise<string> {
  let s = '';
  for await (const c of stream) s += c.toString();
  return s;
}

describe('rest-xml (S3): success paths', () => {
  it('PutObject: key labels decode, metadata headers become a map, a streamed body stays a stream', async () => {
    let body: unknown;
    const { client: c, handler } = client((op, input) => {
      assert.equal(op, 'PutObject');
      body = input.Body;
      assert.equal(input.Bucket, 'photos');
      assert.equal(input.Key, 'dir/a b+c&ü.txt');
      assert.deepEqual(input.Metadata, { owner: 'alice', 'camera-model': 'x100' });
      assert.equal(input.ContentType, 'text/plain');
      return { ETag: '"d41d8cd98f00b204e9800998ecf8427e"', VersionId: 'v1' };
    });
    const out = await c.send(
      new PutObjectCommand({
        Bucket: 'photos', Key: 'dir/a b+c&ü.txt', Body: Buffer.from('hello'), ContentType: 'text/plain',
        Metadata: { owner: 'alice', 'camera-model': 'x100' },
      }),
    );
    assert.equal(out.ETag, '"d41d8cd98f00b204e9800998ecf8427e"');
    assert.equal(out.VersionId, 'v1');
    assert.ok(body instanceof Readable, 'streaming input stays a Readable');
    assert.equal(await readAll(body as Readable), 'hello');
    assert.equal(handler.last.response.headers['x-amz-request-id'], TEST_REQUEST_ID);
    assert.equal(codec.hasStreamingInput('PutObject'), true);
  });

  it('PutObject: a Readable request body is handed over without being read', async () => {
    const stream = Readable.from([Buffer.from('abc')]);
    const req = makeRequest({ method: 'PUT', path: '/b/k', headers: { 'content-length': '3' } });
    req.body = stream;
    const op = codec.resolveOperation(req);
    assert.equal(op, 'PutObject');
    const input = await codec.parse(op!, req);
    assert.equal(input.Body, stream);
    assert.equal(input.ContentLength, 3);
  });

  it('GetObject: Range and response-* overrides in, a streamed body and headers out', async () => {
    const { client: c } = client((op, input) => {
      assert.equal(op, 'GetObject');
      assert.equal(input.Range, 'bytes=0-4');
      assert.equal(input.ResponseContentType, 'application/x-custom');
      assert.equal(input.VersionId, 'v 2');
      return {
        Body: Readable.from([Buffer.from('hello'), Buffer.from(' world')]),
        ContentType: 'application/x-custom', ContentLength: 11, ETag: '"abc"',
        LastModified: new Date('2024-02-03T04:05:06Z'), Metadata: { owner: 'alice' }, ContentRange: 'bytes 0-4/11',
      };
    });
    const out = await c.send(
      new GetObjectCommand({ Bucket: 'b', Key: 'k', Range: 'bytes=0-4', ResponseContentType: 'application/x-custom', VersionId: 'v 2' }),
    );
    assert.equal(await out.Body?.transformToString(), 'hello world');
    assert.equal(out.ContentType, 'application/x-custom');
    assert.equal(out.LastModified?.toISOString(), '2024-02-03T04:05:06.000Z');
    assert.deepEqual(out.Metadata, { owner: 'alice' });
    assert.equal(out.ContentRange, 'bytes 0-4/11');
  });

  it('ListObjectsV2: flattened Contents/CommonPrefixes, escaped keys, millisecond timestamps', async () => {
    const { client: c, handler } = client((op, input) => {
      assert.equal(op, 'ListObjectsV2');
      assert.deepEqual(input, { Bucket: 'b', MaxKeys: 2, Prefix: 'p/', Delimiter: '/', FetchOwner: true });
      return {
        Name: 'b', Prefix: 'p/', Delimiter: '/', MaxKeys: 2, KeyCount: 3, IsTruncated: true, NextContinuationToken: 'tok',
        Contents: [
          { Key: 'p/a&b<c>.txt', Size: 3, ETag: '"e1"', LastModified: new Date('2024-01-01T00:00:00Z'), StorageClass: 'STANDARD' },
          { Key: 'p/\r.txt', Size: 0, ETag: '"e2"', LastModified: new Date('2024-01-01T00:00:00.250Z'), StorageClass: 'STANDARD' },
        ],
        CommonPrefixes: [{ Prefix: 'p/sub/' }],
      };
    });
    const out = await c.send(new ListObjectsV2Command({ Bucket: 'b', MaxKeys: 2, Prefix: 'p/', Delimiter: '/', FetchOwner: true }));
    assert.deepEqual(out.Contents?.map((o) => o.Key), ['p/a&b<c>.txt', 'p/\r.txt']);
    assert.equal(out.Contents?.[1]?.LastModified?.toISOString(), '2024-01-01T00:00:00.250Z');
    assert.deepEqual(out.CommonPrefixes, [{ Prefix: 'p/sub/' }]);
    assert.equal(out.IsTruncated, true);
    assert.equal(out.NextContinuationToken, 'tok');
    const xml = String(handler.last.response.body);
    assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<ListBucketResult xmlns="http:\/\/s3\.amazonaws\.com\/doc\/2006-03-01\/">/);
    assert.match(xml, /<Contents><Key>p\/a&amp;b&lt;c&gt;\.txt<\/Key><LastModified>2024-01-01T00:00:00\.000Z<\/LastModified><ETag>&quot;e1&quot;<\/ETag>/);
  });

  it('DeleteObjects: the XML body is parsed into the Delete structure', async () => {
    const { client: c } = client((op, input) => {
      assert.equal(op, 'DeleteObjects');
      assert.deepEqual(input.Delete, { Objects: [{ Key: 'a b' }, { Key: 'c&d', VersionId: 'v1' }], Quiet: true });
      return { Deleted: [{ Key: 'a b' }], Errors: [{ Key: 'c&d', VersionId: 'v1', Code: 'AccessDenied', Message: 'Access Denied' }] };
    });
    const out = await c.send(
      new DeleteObjectsCommand({ Bucket: 'b', Delete: { Objects: [{ Key: 'a b' }, { Key: 'c&d', VersionId: 'v1' }], Quiet: true } }),
    );
    assert.deepEqual(out.Deleted, [{ Key: 'a b' }]);
    assert.equal(out.Errors?.[0]?.Code, 'AccessDenied');
  });

  it('CreateBucket: the location constraint body is read; GetBucketLocation writes it as the root text', async () => {
    const { client: c, handler } = client((op, input) => {
      if (op === 'CreateBucket') {
        assert.deepEqual(input, { Bucket: 'b', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } });
        return { Location: 'http://b.s3.localhost/' };
      }
      assert.equal(op, 'GetBucketLocation');
      return { LocationConstraint: 'eu-west-1' };
    });
    const created = await c.send(new CreateBucketCommand({ Bucket: 'b', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    assert.equal(created.Location, 'http://b.s3.localhost/');
    const loc = await c.send(new GetBucketLocationCommand({ Bucket: 'b' }));
    assert.equal(loc.LocationConstraint, 'eu-west-1');
    assert.equal(
      handler.last.response.body,
      '<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">eu-west-1</LocationConstraint>',
    );
  });

  it('GetObjectAcl: xsi:type attributes and namespaces round-trip', async () => {
    const { client: c, handler } = client(() => ({
      Owner: { ID: 'o1', DisplayName: 'me' },
      Grants: [{ Grantee: { Type: 'CanonicalUser', ID: 'o1' }, Permission: 'FULL_CONTROL' }],
    }));
    const out = await c.send(new GetObjectAclCommand({ Bucket: 'b', Key: 'k' }));
    assert.deepEqual(out.Grants, [{ Grantee: { Type: 'CanonicalUser', ID: 'o1' }, Permission: 'FULL_CONTROL' }]);
    assert.match(String(handler.last.response.body), /<Grantee xmlns:xsi="http:\/\/www\.w3\.org\/2001\/XMLSchema-instance" xsi:type="CanonicalUser">/);
  });

  it('routing: UploadPartCopy, UploadPart, CopyObject and PutObject share PUT /{Bucket}/{Key+}', async () => {
    const seen: string[] = [];
    const { client: c } = client((op) => {
      seen.push(op);
      return op === 'CopyObject' ? { CopyObjectResult: { ETag: '"e"', LastModified: new Date(0) } } : {};
    });
    await c.send(new UploadPartCommand({ Bucket: 'b', Key: 'k', UploadId: 'u', PartNumber: 1, Body: 'x' }));
    const copied = await c.send(new CopyObjectCommand({ Bucket: 'b', Key: 'k', CopySource: 'src/k' }));
    assert.equal(copied.CopyObjectResult?.ETag, '"e"');
    const req = makeRequest({
      method: 'PUT', path: '/b/k', query: 'partNumber=2&uploadId=u', headers: { 'x-amz-copy-source': '/src/k' },
    });
    seen.push(codec.resolveOperation(req)!);
    seen.push(codec.resolveOperation(makeRequest({ method: 'PUT', path: '/b/k' }))!);
    assert.deepEqual(seen, ['UploadPart', 'CopyObject', 'UploadPartCopy', 'PutObject']);
  });

  it('routing: bucket vs object paths, trailing slashes and sub-resources', () => {
    const route = (method: string, path: string, query = '') => codec.resolveOperation(makeRequest({ method, path, query }));
    assert.equal(route('GET', '/'), 'ListBuckets');
    assert.equal(route('GET', '/b'), 'ListObjects');
    assert.equal(route('GET', '/b/'), 'ListObjects');
    assert.equal(route('GET', '/b', 'list-type=2'), 'ListObjectsV2');
    assert.equal(route('GET', '/b', 'versioning'), 'GetBucketVersioning');
    assert.equal(route('GET', '/b', 'lifecycle'), 'GetBucketLifecycleConfiguration');
    assert.equal(route('GET', '/b/dir/'), 'GetObject');
    assert.equal(route('GET', '/b/k', 'uploadId=u'), 'ListParts');
    assert.equal(route('GET', '/b/k', 'tagging'), 'GetObjectTagging');
    assert.equal(route('POST', '/b/k', 'uploads'), 'CreateMultipartUpload');
    assert.equal(route('POST', '/b/k', 'uploadId=u'), 'CompleteMultipartUpload');
    assert.equal(route('DELETE', '/b/k', 'uploadId=u'), 'AbortMultipartUpload');
    assert.equal(route('HEAD', '/b'), 'HeadBucket');
    assert.equal(route('PATCH', '/b'), undefined);
  });
});

describe('rest-xml (S3): errors', () => {
  it('ListParts: a modelled error with extra fields, request id and host id', async () => {
    const { client: c, handler } = client(() => {
      throw new ServiceError('NoSuchUpload', 'The specified upload does not exist.', { fields: { UploadId: 'u1' } });
    });
    await assert.rejects(c.send(new ListPartsCommand({ Bucket: 'b', Key: 'k', UploadId: 'u1' })), (err: any) => {
      assert.equal(err.name, 'NoSuchUpload');
      assert.equal(err.message, 'The specified upload does not exist.');
      assert.equal(err.$metadata.httpStatusCode, 404);
      assert.equal(err.$metadata.requestId, TEST_REQUEST_ID);
      assert.equal(err.UploadId, 'u1');
      return true;
    });
    const res = handler.last.response;
    assert.equal(res.headers['content-type'], 'application/xml');
    assert.match(
      String(res.body),
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>NoSuchUpload<\/Code><Message>The specified upload does not exist\.<\/Message><UploadId>u1<\/UploadId><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE<\/RequestId><HostId>[A-Za-z0-9+/=]+<\/HostId><\/Error>$/,
    );
  });

  it('HeadObject: errors carry no body, the SDK reports NotFound', async () => {
    const { client: c, handler } = client(() => {
      throw new ServiceError('NoSuchKey', 'The specified key does not exist.');
    });
    await assert.rejects(c.send(new HeadObjectCommand({ Bucket: 'b', Key: 'k' })), (err: any) => {
      assert.equal(err.name, 'NotFound');
      assert.equal(err.$metadata.httpStatusCode, 404);
      return true;
    });
    assert.equal(handler.last.response.body, undefined);
  });

  it('GetObject: an unexpected exception is 500 InternalError', async () => {
    const { client: c, handler } = client(() => {
      throw new TypeError('cannot read properties of undefined');
    });
    await assert.rejects(c.send(new GetObjectCommand({ Bucket: 'b', Key: 'k' })), (err: any) => {
      assert.equal(err.name, 'InternalError');
      assert.equal(err.$metadata.httpStatusCode, 500);
      return true;
    });
    assert.doesNotMatch(String(handler.last.response.body), /undefined|TypeError/);
  });

  it('unknown method: 405 MethodNotAllowed with Method and ResourceType', () => {
    const req = makeRequest({ method: 'PATCH', path: '/b/k' });
    const res = codec.serializeError(unknownOperationError(s3, req), undefined, { requestId: 'r1' });
    assert.equal(res.status, 405);
    assert.match(String(res.body), /<Code>MethodNotAllowed<\/Code>.*<Method>PATCH<\/Method><ResourceType>OBJECT<\/ResourceType>/);
  });
});

describe('rest-xml (S3): malformed input', () => {
  const parse = (init: Parameters<typeof makeRequest>[0]) => {
    const req = makeRequest(init);
    const op = codec.resolveOperation(req);
    assert.ok(op);
    return codec.parse(op, req);
  };

  it('DeleteObjects: XML that is not well-formed is MalformedXML 400', async () => {
    await assert.rejects(parse({ path: '/b', query: 'delete', body: '<Delete><Object><Key>a</Key></Delete>' }), (err: any) => {
      assert.ok(err instanceof ServiceError);
      assert.equal(err.code, 'MalformedXML');
      assert.equal(err.status, 400);
      return true;
    });
  });

  it('DeleteObjects: a wrong root element, DOCTYPE or bad boolean is MalformedXML', async () => {
    for (const body of [
      '<Remove><Object><Key>a</Key></Object></Remove>',
      '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Delete><Object><Key>&e;</Key></Object></Delete>',
      '<Delete><Object><Key>a</Key></Object><Quiet>maybe</Quiet></Delete>',
    ]) {
      await assert.rejects(parse({ path: '/b', query: 'delete', body }), (err: any) => err.code === 'MalformedXML', body);
    }
  });

  it('ListObjectsV2: a non-numeric max-keys is InvalidArgument', async () => {
    await assert.rejects(parse({ method: 'GET', path: '/b', query: 'list-type=2&max-keys=lots' }), (err: any) => {
      assert.equal(err.code, 'InvalidArgument');
      assert.equal(err.status, 400);
      return true;
    });
  });

  it('GetObject: an undecodable key is InvalidURI', async () => {
    await assert.rejects(parse({ method: 'GET', path: '/b/%E0%A4%A' }), (err: any) => err.code === 'InvalidURI');
  });

  it('CreateBucket: a body that is not UTF-8 is MalformedXML', async () => {
    const body = Buffer.concat([Buffer.from('<CreateBucketConfiguration><LocationConstraint>'), Buffer.from([0xc3, 0x28]), Buffer.from('</LocationConstraint></CreateBucketConfiguration>')]);
    await assert.rejects(parse({ method: 'PUT', path: '/b', body }), (err: any) => err.code === 'MalformedXML');
  });
});
