/**
 * Functions reach Stratus, not AWS: every environment has AWS_ENDPOINT_URL and the role's
 * credentials. boto3 (mirrored to /opt/python for a sandboxed interpreter that lacks it) and
 * SDK v3 read it themselves; the legacy aws-sdk v2 is pointed at it by
 * the runtime's preload (runtimes/node/aws-sdk-v2-endpoint.cjs). A small local HTTP server
 * stands in for Stratus and records what arrives.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { silentLogger } from '../core/logger.js';
import { boto3Interpreters, resolveInterpreter, runtimeInfo } from './runtimes.js';
import { detectCapabilities } from './sandbox/index.js';
import { startHarness, type Harness } from './test-support.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const CALLER = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:sts::123456789012:assumed-role/fn-role/fn</Arn><UserId>AROAEXAMPLE:fn</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;

let server: Server;
let endpoint: string;
const seen: Seen[] = [];

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      if (req.method === 'GET' && req.url === '/bucket-one/some/key.txt') {
        res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 5, ETag: '"abc"' }).end('hello');
      } else {
        res.writeHead(200, { 'Content-Type': 'text/xml' }).end(CALLER);
      }
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => new Promise<void>((ok) => server.close(() => ok())));

const caps = await detectCapabilities();
const hostBoto3 = await boto3Interpreters();
const boto3Python = await (async () => {
  const interp = await resolveInterpreter(runtimeInfo('python3.11')!, silentLogger);
  if (!interp) return undefined;
  try {
    execFileSync(interp.path, ['-c', 'import boto3'], { env: {}, stdio: 'ignore' });
    return interp.path;
  } catch {
    return undefined;
  }
})();

for (const ex of [{ name: 'process', choice: 'process' as const, skip: false as string | false }, { name: 'sandbox', choice: 'sandbox' as const, skip: caps.namespaces.mount ? (false as const) : 'no sandbox here' }]) {
  describe(`SDK endpoints (${ex.name})`, { skip: ex.skip }, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness({ executor: ex.choice, endpoint });
    });
    after(() => h.close());

    test('invoke: a handler using the legacy aws-sdk v2 reaches AWS_ENDPOINT_URL unchanged', async () => {
      const fn = await h.deploy({ functionName: 'sdk-v2', runtime: 'nodejs20.x', handler: 'index.handler', timeoutSeconds: 20 }, {
        'index.js': `const AWS = require('aws-sdk');
          exports.handler = async () => {
            const id = await new AWS.STS().getCallerIdentity().promise();
            const obj = await new AWS.S3().getObject({ Bucket: 'bucket-one', Key: 'some/key.txt' }).promise();
            return { account: id.Account, body: obj.Body.toString() };
          };`,
      });
      seen.length = 0;
      const r = await h.invoke(fn);
      assert.equal(r.functionError, undefined, r.payload.toString());
      assert.deepEqual(r.json, { account: '123456789012', body: 'hello' });
      const sts = seen.find((s) => s.body.includes('Action=GetCallerIdentity'));
      assert.ok(sts, 'the STS call arrived at the local endpoint');
      assert.match(String(sts.headers.authorization), /Credential=ASIATESTACCESSKEY\/\d{8}\/us-east-1\/sts\/aws4_request/);
      assert.equal(sts.headers['x-amz-security-token'], 'test-session-token');
      const s3 = seen.find((s) => s.method === 'GET');
      assert.ok(s3, 'the S3 call arrived, path-style');
      assert.equal(s3.url, '/bucket-one/some/key.txt');
      assert.equal(s3.headers.host, endpoint.slice('http://'.length));
    });

    test('invoke: boto3 honours AWS_ENDPOINT_URL on its own', { skip: ex.name === 'process' ? (boto3Python ? false : 'no python3.11 with boto3 here') : hostBoto3.length ? false : 'no Python on this host has boto3' }, async () => {
      const fn = await h.deploy({ functionName: 'boto3-fn', runtime: 'python3.11', handler: 'app.handler', timeoutSeconds: 20 }, {
        'app.py': 'import boto3\ndef handler(event, context):\n    return boto3.client("sts").get_caller_identity()["Account"]\n',
      });
      seen.length = 0;
      const r = await h.invoke(fn);
      assert.equal(r.functionError, undefined, r.payload.toString());
      assert.equal(r.json, '123456789012');
      const sts = seen.find((s) => s.body.includes('Action=GetCallerIdentity'));
      assert.ok(sts);
      assert.match(String(sts.headers.authorization), /Credential=ASIATESTACCESSKEY\//);
    });
  });
}
