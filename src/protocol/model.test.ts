import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { codecFor, createCodec } from './index.js';
import { buildModel, errorInfo, loadModel, missingRequired } from './model.js';
import { makeRequest } from './testing.js';

const ALL = ['s3', 'iam', 'sts', 'lambda', 'apigatewayv2', 'sns', 'ses', 'sesv2', 'logs', 'monitoring', 'elastictranscoder'];

describe('model loading', () => {
  it('loadModel: every pinned model loads once and gets a codec of its protocol', () => {
    for (const name of ALL) {
      const model = loadModel(name);
      assert.equal(loadModel(name), model, 'cached');
      assert.ok(model.operations.size > 0);
      assert.equal(createCodec(model).protocol, model.metadata.protocol);
      assert.equal(codecFor(name), createCodec(model));
    }
  });

  it('loadModel: rejects names that could escape the models folder', () => {
    assert.throws(() => loadModel('../package'));
  });

  it('shapes: member traits sit on top of the referenced shape, type defaults to string', () => {
    const put = loadModel('s3').operations.get('PutObject')!;
    const metadata = put.input!.members.Metadata!;
    assert.equal(metadata.type, 'map');
    assert.equal(metadata.location, 'headers');
    assert.equal(metadata.locationName, 'x-amz-meta-');
    assert.equal(metadata.key?.type, 'string');
    const sse = put.input!.members.SSECustomerKey!;
    assert.equal(sse.type, 'blob');
    assert.equal(sse.sensitive, true);
    assert.equal(sse.location, 'header');
    assert.equal(put.input!.members.Bucket!.type, 'string');
    assert.equal(put.input!.payload, 'Body');
    assert.equal(put.http.method, 'PUT');
    assert.equal(put.http.responseCode, 200);
  });

  it('shapes: query outputs keep resultWrapper even when the output is a reference', () => {
    const iam = loadModel('iam');
    assert.equal(iam.operations.get('SimulateCustomPolicy')!.output!.resultWrapper, 'SimulateCustomPolicyResult');
    assert.equal(iam.operations.get('DeleteUser')!.output, undefined);
    assert.equal(iam.operations.get('CreateUser')!.http.method, 'POST');
  });

  it('shapes: recursive references resolve to one shared object', () => {
    const model = buildModel('synthetic', {
      metadata: { apiVersion: '1', protocol: 'json' },
      operations: { Op: { input: { shape: 'Node' } } },
      shapes: {
        Node: { type: 'structure', members: { Name: {}, Children: { type: 'list', member: { shape: 'Node' } } } },
      },
    });
    const node = model.operations.get('Op')!.input!;
    assert.equal(node.members.Children!.member, node);
    assert.equal(model.shape('Node'), node);
  });

  it('errorInfo: by wire code or shape name; unknown codes are undefined', () => {
    const iam = loadModel('iam');
    assert.deepEqual(errorInfo(iam, 'ConcurrentModification'), { status: 409, senderFault: true });
    assert.deepEqual(errorInfo(iam, 'ConcurrentModificationException'), { status: 409, senderFault: true });
    assert.deepEqual(errorInfo(loadModel('s3'), 'NoSuchKey'), { status: 404, senderFault: true });
    assert.equal(errorInfo(iam, 'SignatureDoesNotMatch'), undefined);
  });

  it('missingRequired: lists absent required top-level members', () => {
    const sts = loadModel('sts');
    assert.deepEqual(missingRequired(sts, 'AssumeRole', { RoleArn: 'a' }), ['RoleSessionName']);
    assert.deepEqual(missingRequired(sts, 'AssumeRole', { RoleArn: 'a', RoleSessionName: null }), ['RoleSessionName']);
    assert.deepEqual(missingRequired(sts, 'GetCallerIdentity', {}), []);
    assert.deepEqual(missingRequired(sts, 'NoSuchOperation', {}), []);
  });
});

describe('rest routing over whole models', () => {
  // Operations AWS superseded with an identical request line, and S3 Express's twin of ListBuckets.
  const SHADOWED = new Set([
    'GetBucketLifecycle', 'GetBucketNotification', 'PutBucketLifecycle', 'PutBucketNotification', 'ListDirectoryBuckets',
  ]);

  for (const name of ['s3', 'lambda', 'apigatewayv2', 'sesv2', 'elastictranscoder']) {
    it(`${name}: a request built from each operation's template routes back to it`, () => {
      const model = loadModel(name);
      const codec = createCodec(model);
      for (const op of model.operations.values()) {
        if (SHADOWED.has(op.name)) continue;
        const [path, query] = op.http.requestUri.split('?');
        const params = (query ?? '').split('&').filter((q) => q !== '' && !q.startsWith('x-id'));
        const headers: Record<string, string> = {};
        for (const r of op.input?.required ?? []) {
          const m = op.input!.members[r]!;
          if (m.location === 'querystring') params.push(`${m.locationName}=1`);
          if (m.location === 'header') headers[m.locationName!.toLowerCase()] = 'x';
        }
        const req = makeRequest({
          method: op.http.method,
          path: path!.replace(/\{[^}]+\+\}/g, 'a/b%20c').replace(/\{[^}]+\}/g, 'v%3A1'),
          query: params.join('&'),
          headers,
        });
        assert.equal(codec.resolveOperation(req), op.name, `${op.http.method} ${op.http.requestUri}`);
      }
    });
  }
});
