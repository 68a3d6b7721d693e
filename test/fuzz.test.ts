/**
 * Bad input never crashes Stratus: at least 10,000 malformed requests (wrong
 * content types, broken XML/JSON/form bodies, huge headers, invalid UTF-8,
 * truncated bodies, garbage auth) all get a 4xx (or 501) in the addressed
 * service's own format, and the server keeps answering throughout.
 * The generator is seeded, so a failure can be replayed.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256, ROOT_KEY, startTestServer, type TestServer } from './harness.js';

const TOTAL = Number(process.env.FUZZ_REQUESTS ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261122);

export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    bytes: (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(next() * 256))),
  };
}
type Rng = ReturnType<typeof prng>;

const INVALID_UTF8 = [Buffer.from([0xff, 0xfe, 0xfd]), Buffer.from([0xc3, 0x28]), Buffer.from([0xe2, 0x82]), Buffer.from([0xed, 0xa0, 0x80])];
const CONTENT_TYPES = ['application/x-www-form-urlencoded', 'application/json', 'application/x-amz-json-1.1', 'application/x-amz-json-1.0', 'application/xml', 'text/plain', 'multipart/form-data; boundary=x', '', 'application/x-www-form-urlencoded; charset=utf-16', 'x/y;;;=;'];
const QUERY_ACTIONS = ['CreateUser', 'GetUser', 'ListUsers', 'PutUserPolicy', 'CreateRole', 'AttachRolePolicy', 'CreatePolicy', 'CreateAccessKey', 'AssumeRole', 'GetCallerIdentity', 'GetSessionToken', 'ListPolicies', 'TagUser', 'NoSuchAction', 'Publish', 'SendEmail', ''];
const LOGS_TARGETS = ['Logs_20140328.CreateLogGroup', 'Logs_20140328.PutLogEvents', 'Logs_20140328.DescribeLogGroups', 'Logs_20140328.Nope', 'Logs_20140328.', 'Logs_20140328.\u00e9'];

function garbage(r: Rng): Buffer {
  switch (r.int(8)) {
    case 0: return r.bytes(r.int(300));
    case 1: return Buffer.concat([Buffer.from('<?xml version="1.0"?><Create'), r.pick(INVALID_UTF8), Buffer.from('<<')]);
    case 2: return Buffer.from('{"a": [1, 2, {"b": ' + '['.repeat(r.int(2000)));
    case 3: return Buffer.from(JSON.stringify({ Name: 'x'.repeat(r.int(5000)), Count: 'NaN', Nested: { Deep: [null, true, 1e400] } }));
    case 4: return Buffer.concat([Buffer.from('Action=CreateUser&UserName='), r.pick(INVALID_UTF8), Buffer.from('&Path=%ZZ%&Tags.member.99999999999.Key=')]);
    case 5: return Buffer.from(`<Delete><Object><Key>${'&amp;'.repeat(r.int(100))}</Key></Object><Object><Key>&unknown;</Key></Delete>`);
    case 6: return Buffer.from('<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><x>&b;&b;&b;</x>');
    default: return Buffer.alloc(0);
  }
}

function formBody(r: Rng): Buffer {
  const action = r.pick(QUERY_ACTIONS);
  const parts = [`Action=${action}`, r.next() < 0.7 ? 'Version=2010-05-08' : `Version=${r.int(99999)}`];
  const keys = ['UserName', 'RoleName', 'PolicyDocument', 'AssumeRolePolicyDocument', 'PolicyArn', 'MaxItems', 'Marker', 'DurationSeconds', 'Tags.member.1.Key', 'Tags.member.1.Value', 'Tags.member.x.Key', 'Path', 'RoleArn', 'RoleSessionName', 'PolicyName', 'SetAsDefault'];
  for (let i = r.int(6); i > 0; i--) {
    const values = ['', 'x'.repeat(r.int(3000)), '%ZZ', '%', '-1', '1e999', 'true', 'maybe', '{"Version":"2012-10-17","Statement":[', '/a//b/', 'arn:aws:iam::aws:policy/Nope', '%F0%9F%92%A9', '%ED%A0%80', '\u0000'];
    parts.push(`${r.pick(keys)}=${r.pick(values)}`);
  }
  const body = Buffer.from(parts.join('&'));
  return r.next() < 0.2 ? Buffer.concat([body, Buffer.from('&UserName='), r.pick(INVALID_UTF8)]) : body;
}

interface Case {
  service: 'sts' | 'iam' | 's3' | 'lambda' | 'logs' | 'none';
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  sign: boolean;
}

export function makeCase(r: Rng): Case {
  const kind = r.int(6);
  const ct = r.pick(CONTENT_TYPES);
  const headers: Record<string, string> = ct ? { 'content-type': ct } : {};
  if (kind === 0 || kind === 1) {
    return { service: kind === 0 ? 'iam' : 'sts', method: r.pick(['POST', 'POST', 'POST', 'GET', 'PUT']), path: r.pick(['/', '/', '/?Action=GetUser', '/%ZZ', '/a/b']), headers: { ...headers, ...(r.next() < 0.6 ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) }, body: r.next() < 0.7 ? formBody(r) : garbage(r), sign: r.next() < 0.9 };
  }
  if (kind === 2) {
    const paths = ['/', '/bucket', '/bucket/key', '/bucket/a%2F..%2F..%2Fetc', '/bucket/%FF%FE', '/bucket?delete', '/bucket?uploads', '/bucket/key?partNumber=abc&uploadId=x', '/bucket?list-type=2&max-keys=-5', '//', '/bucket/' + 'k'.repeat(2000), '/bucket?versioning', '/bucket/key?tagging'];
    return { service: 's3', method: r.pick(['GET', 'PUT', 'POST', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS']), path: r.pick(paths), headers: { ...headers, ...(r.next() < 0.3 ? { 'x-amz-meta-bad': 'v' } : {}), ...(r.next() < 0.2 ? { range: r.pick(['bytes=abc', 'bytes=5-1', 'bytes=-', 'items=1-2']) } : {}) }, body: garbage(r), sign: r.next() < 0.85 };
  }
  if (kind === 3) {
    const paths = ['/2015-03-31/functions', '/2015-03-31/functions/', '/2015-03-31/functions/f/invocations', '/2015-03-31/functions/%FF/configuration', '/2015-03-31/functions?MaxItems=abc', '/2015-03-31/nothing'];
    return { service: 'lambda', method: r.pick(['GET', 'POST', 'PUT', 'DELETE']), path: r.pick(paths), headers: { ...headers, ...(r.next() < 0.3 ? { 'x-amz-invocation-type': r.pick(['Event', 'Nope', '']) } : {}) }, body: garbage(r), sign: r.next() < 0.85 };
  }
  if (kind === 4) {
    return { service: 'logs', method: 'POST', path: '/', headers: { ...headers, 'x-amz-target': r.pick(LOGS_TARGETS), ...(r.next() < 0.5 ? { 'content-type': 'application/x-amz-json-1.1' } : {}) }, body: garbage(r), sign: r.next() < 0.85 };
  }
  const auth = r.pick([
    'AWS4-HMAC-SHA256',
    'AWS4-HMAC-SHA256 Credential=, SignedHeaders=, Signature=',
    `AWS4-HMAC-SHA256 Credential=${ROOT_KEY.accessKeyId}/20990101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00`,
    'AWS AKIA:abc',
    'Bearer x',
    'AWS4-HMAC-SHA256 Credential=AKIA/2024/x/y/z/w/v, SignedHeaders=host;x-amz-date, Signature=' + 'f'.repeat(64),
    '\u00ff\u00fe',
  ]);
  return { service: 'none', method: r.pick(['GET', 'POST', 'PUT']), path: r.pick(['/', '/x', '/2015-03-31/functions', '/?Action=GetCallerIdentity', '/?X-Amz-Credential=a/b/c/d/e&X-Amz-Signature=zz&X-Amz-Date=nope']), headers: { ...headers, authorization: auth, 'x-amz-date': r.pick(['20240101T000000Z', 'yesterday', '']) }, body: garbage(r), sign: false };
}

async function send(server: TestServer, c: Case): Promise<{ status: number; type: string; text: string }> {
  const url = new URL(server.url);
  let headers = { ...c.headers };
  if (c.sign) {
    const signingService = c.service === 'none' ? 'sts' : c.service;
    const signer = new SignatureV4({ service: signingService, region: 'us-east-1', credentials: ROOT_KEY, sha256: NodeSha256, uriEscapePath: c.service !== 's3' });
    const [path, query] = c.path.split('?') as [string, string | undefined];
    const q: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(query ?? '')) q[k] = v;
    const signed = await signer.sign({ method: c.method, protocol: 'http:', hostname: url.hostname, port: Number(url.port), path, query: q, headers: { host: url.host, ...headers }, body: c.body });
    headers = { ...(signed.headers as Record<string, string>) };
    delete headers.host;
  }
  const hasBody = c.method !== 'GET' && c.method !== 'HEAD';
  const res = await fetch(server.url + c.path, { method: c.method, headers, body: hasBody ? new Uint8Array(c.body) : undefined });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

/** Raw-socket abuse fetch can't express. Resolves with the status line, or '' if the server just closed. */
function raw(server: TestServer, payload: Buffer, endEarly: boolean): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(server.port, '127.0.0.1');
    let got = '';
    s.on('data', (d) => (got += d.toString('latin1')));
    s.on('error', () => resolve(got.split('\r\n')[0] ?? ''));
    s.on('close', () => resolve(got.split('\r\n')[0] ?? ''));
    s.write(payload, () => (endEarly ? s.end() : undefined));
    setTimeout(() => s.destroy(), 500);
  });
}

function checkFormat(c: Case, res: { status: number; type: string; text: string }): string | undefined {
  if (res.status >= 500 && res.status !== 501) return `status ${res.status}`;
  if (res.status < 400) return undefined;
  if (c.method === 'HEAD' || res.text === '') return undefined;
  if (c.service === 'iam' || c.service === 'sts' || c.service === 's3') {
    if (!/xml/.test(res.type) || !res.text.trimStart().startsWith('<')) return `expected XML, got ${res.type}: ${res.text.slice(0, 120)}`;
  }
  if (c.service === 'lambda' || c.service === 'logs') {
    if (!/json/.test(res.type)) return `expected JSON, got ${res.type}: ${res.text.slice(0, 120)}`;
    try {
      JSON.parse(res.text);
    } catch {
      return `unparseable JSON: ${res.text.slice(0, 120)}`;
    }
  }
  return undefined;
}

describe('fuzz', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => server.close());

  it(`edge: ${TOTAL} malformed requests get 4xx/501 in the right format and never crash the server`, { timeout: 10 * 60 * 1000 }, async () => {
    const r = prng(SEED);
    // All cases are drawn up front so a seed replays exactly, whatever the workers' interleaving.
    const plan = Array.from({ length: TOTAL }, (_, i) => (i % 50 === 49 ? { raw: r.int(4) } : { case: makeCase(r) }));
    const problems: string[] = [];
    let done = 0;
    const statuses = new Map<number, number>();
    const worker = async () => {
      while (done < TOTAL) {
        const i = done++;
        const step = plan[i]!;
        if ('raw' in step) {
          // Every 50th request abuses the socket itself.
          const variant = step.raw;
          const payload =
            variant === 0 ? Buffer.from(`GET / HTTP/1.1\r\nHost: x\r\nX-Huge: ${'a'.repeat(100_000)}\r\n\r\n`)
            : variant === 1 ? Buffer.concat([Buffer.from('POST / HTTP/1.1\r\nHost: x\r\nX-Bad: '), INVALID_UTF8[0]!, Buffer.from('\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 5\r\n\r\nAc=\xff')])
            : variant === 2 ? Buffer.from('POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nAction=Get')
            : Buffer.from('\x16\x03\x01 not http at all\r\n\r\n');
          const line = await raw(server, payload, variant === 2);
          const m = /^HTTP\/1\.1 (\d{3})/.exec(line);
          if (m && Number(m[1]) >= 500 && Number(m[1]) !== 501) problems.push(`raw variant ${variant}: ${line}`);
          continue;
        }
        const c = step.case!;
        try {
          const res = await send(server, c);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const problem = checkFormat(c, res);
          if (problem) problems.push(`#${i} ${c.service} ${c.method} ${c.path}: ${problem}`);
        } catch (err) {
          problems.push(`#${i} ${c.service} ${c.method} ${c.path}: request failed: ${(err as Error).message}`);
        }
        if (i % 1000 === 0) {
          const health = await fetch(`${server.url}/_stratus/health`);
          if (health.status !== 200) problems.push(`health ${health.status} after ${i} requests`);
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    assert.deepEqual(problems.slice(0, 20), [], `${problems.length} problems`);
    assert.equal((await fetch(`${server.url}/_stratus/health`)).status, 200);
    assert.ok([...statuses.keys()].some((s) => s >= 400 && s < 500));
  });
});
