/**
 * Helpers for the function engine's tests (not used by the engine): real deployment packages
 * built in memory (the zip format of https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT,
 * with Unix modes), a FunctionLogSink that records what it is given, and a FunctionSpec
 * factory. Everything else in the tests is real: blobs on disk, processes, sockets.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { silentLogger } from '../core/logger.js';
import { FileBlobStore } from '../storage/files/blobs.js';
import { createFunctionEngine } from './engine.js';
import type { ExecutorChoice } from './executor.js';
import type { FunctionEngine, FunctionLogSink, FunctionSpec, InvokeRequest, InvokeResult } from './types.js';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export type ZipEntry = string | Buffer | { data: string | Buffer; mode?: number; symlink?: boolean };

/** A zip of `files` (name → content); names ending in '/' are directories. */
export function makeZip(files: Record<string, ZipEntry>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, entry] of Object.entries(files)) {
    const spec = typeof entry === 'string' || Buffer.isBuffer(entry) ? { data: entry } : entry;
    const isDir = name.endsWith('/');
    const data = isDir ? Buffer.alloc(0) : Buffer.isBuffer(spec.data) ? spec.data : Buffer.from(spec.data);
    const type = isDir ? 0o040000 : spec.symlink ? 0o120000 : 0o100000;
    const mode = type | (spec.mode ?? (isDir ? 0o755 : 0o644));
    const compressed = data.length ? deflateRawSync(data) : data;
    const method = data.length ? 8 : 0;
    const crc = crc32(data);
    const nameBuf = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    locals.push(local, nameBuf, compressed);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE((mode << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, nameBuf);
    offset += 30 + nameBuf.length + compressed.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

export function sha256Base64(data: Buffer): string {
  return createHash('sha256').update(data).digest('base64');
}

export interface RecordedStream {
  group: string;
  stream: string;
  events: { timestamp: number; message: string }[];
}

/** A FunctionLogSink that keeps what it is given, per stream. */
export class RecordingLogSink implements FunctionLogSink {
  readonly streams = new Map<string, RecordedStream>();

  async append(_account: string, _region: string, group: string, stream: string, events: { timestamp: number; message: string }[]): Promise<void> {
    const key = `${group}\u0000${stream}`;
    const s = this.streams.get(key) ?? { group, stream, events: [] };
    s.events.push(...events);
    this.streams.set(key, s);
  }

  /** Every message of a group, stream by stream. */
  messages(group?: string): string[] {
    return [...this.streams.values()].filter((s) => !group || s.group === group).flatMap((s) => s.events.map((e) => e.message));
  }
}

let revision = 0;

export function functionSpec(over: Partial<FunctionSpec> & { functionName: string; runtime: string; handler: string; codeBlobKey: string; codeSha256: string }): FunctionSpec {
  const accountId = over.accountId ?? '123456789012';
  const region = over.region ?? 'us-east-1';
  return {
    accountId,
    region,
    functionArn: `arn:aws:lambda:${region}:${accountId}:function:${over.functionName}`,
    version: '$LATEST',
    memoryMb: 128,
    timeoutSeconds: 3,
    ephemeralStorageMb: 512,
    environment: {},
    roleArn: `arn:aws:iam::${accountId}:role/fn-role`,
    architectures: ['x86_64'],
    revisionId: `rev-${++revision}`,
    ...over,
  };
}

/** Waits until `check` holds (polling), for assertions on what arrives off the invocation path. */
export async function eventually<T>(check: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((ok) => setTimeout(ok, 10));
  }
}

export interface Harness {
  engine: FunctionEngine;
  sink: RecordingLogSink;
  dir: string;
  /** Uploads a package and returns a spec for it. */
  deploy(over: Partial<FunctionSpec> & { functionName: string; runtime: string; handler: string }, files: Record<string, ZipEntry>): Promise<FunctionSpec>;
  invoke(fn: FunctionSpec, event?: unknown, over?: Partial<InvokeRequest>): Promise<InvokeResult & { json: any }>;
  close(): Promise<void>;
}

let requestSeq = 0;

/** A real engine over a FileBlobStore in a temporary directory. */
export async function startHarness(
  opts: { executor?: ExecutorChoice; keepAliveMs?: number; timeScale?: number; accountConcurrency?: number; endpoint?: string; canWriteLogs?: boolean; credentialsTtlMs?: number } = {},
): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'stratus-fn-test-'));
  const blobs = await FileBlobStore.open(join(dir, 'blobs'), { syncDirectories: false });
  const sink = new RecordingLogSink();
  const engine = createFunctionEngine(
    {
      blobs,
      logs: sink,
      endpoint: opts.endpoint ?? 'http://127.0.0.1:9',
      workDir: join(dir, 'work'),
      keepAliveMs: opts.keepAliveMs ?? 600_000,
      timeScale: opts.timeScale ?? 1,
      accountConcurrency: opts.accountConcurrency ?? 1000,
      log: silentLogger,
      roleCredentials: async () => ({
        accessKeyId: 'ASIATESTACCESSKEY',
        secretAccessKey: 'test-secret',
        sessionToken: 'test-session-token',
        expiration: new Date(Date.now() + (opts.credentialsTtlMs ?? 3600_000)),
      }),
      canWriteLogs: async () => opts.canWriteLogs ?? true,
    },
    { executor: opts.executor ?? 'auto' },
  );
  return {
    engine,
    sink,
    dir,
    async deploy(over, files) {
      const zip = makeZip(files);
      const sha = sha256Base64(zip);
      await blobs.write(`code/${sha}`, zip);
      return functionSpec({ codeBlobKey: `code/${sha}`, codeSha256: sha, ...over });
    },
    async invoke(fn, event = {}, over = {}) {
      const r = await engine.invoke({ fn, payload: Buffer.from(JSON.stringify(event)), requestId: `00000000-0000-4000-8000-${String(++requestSeq).padStart(12, '0')}`, invokedArn: fn.functionArn, tailLog: false, invocationType: 'RequestResponse', ...over });
      let json: unknown;
      try {
        json = JSON.parse(r.payload.toString('utf8'));
      } catch {
        json = undefined;
      }
      return { ...r, json };
    },
    async close() {
      await engine.close();
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    },
  };
}
