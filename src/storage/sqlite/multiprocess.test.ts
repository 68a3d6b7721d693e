/**
 * The embedded backend shared by several OS processes, and killed mid-write:
 * conditional writes stay exact across processes (SQLite's file locks, no
 * in-process lock), every acknowledged write survives SIGKILL, and a reader
 * in another process never sees half of a reset.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readAll } from '../contract.js';
import { BLOB_DIR, openEmbeddedStorage } from '../embedded.js';
import { TEMP_DIR } from '../files/blobs.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

type Child = ChildProcessByStdio<Writable, Readable, Readable> & { output: () => string; exited: Promise<number | null> };

function start(script: string, args: string[]): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture(script), ...args], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] }) as Child;
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.output = () => stdout;
  child.exited = new Promise((resolve) =>
    child.on('exit', (code) => {
      if (code !== 0 && code !== null) process.stderr.write(`${script} exited ${code}:\n${stderr}\n`);
      resolve(code);
    }),
  );
  return child;
}

async function waitFor(predicate: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for child output');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

let dataDir: string;
beforeEach(async () => (dataDir = await mkdtemp(join(tmpdir(), 'stratus-multiprocess-'))));
afterEach(async () => rm(dataDir, { recursive: true, force: true }));

describe('embedded storage across processes', () => {
  it('put ifVersion: 3 processes x 200 conditional increments end at exactly 600', { timeout: 120_000 }, async () => {
    const storage = await openEmbeddedStorage({ dataDir });
    await storage.close();
    const children = Array.from({ length: 3 }, () => start('increment.ts', [dataDir, '200']));
    await waitFor(() => children.every((c) => c.output() === 'ready\n'));
    for (const c of children) c.stdin.end('go\n');
    const codes = await Promise.all(children.map((c) => c.exited));
    assert.deepEqual(codes, [0, 0, 0]);
    for (const c of children) assert.match(c.output(), /^ready\ndone \d+\n$/);

    const reopened = await openEmbeddedStorage({ dataDir });
    assert.deepEqual(await reopened.documents.get('counters', 'shared'), { key: 'shared', value: { n: 600 }, version: 600 });
    assert.deepEqual(await reopened.checkIntegrity(), []);
    await reopened.close();
  });

  it('put: every write acknowledged before SIGKILL survives, and the files stay sound', { timeout: 120_000 }, async () => {
    const child = start('put-loop.ts', [dataDir]);
    await waitFor(() => child.output().split('\n').length > 150);
    child.kill('SIGKILL');
    assert.equal(await child.exited, null);
    // Only complete lines were acknowledged; a torn last line was not.
    const acked = child.output().split('\n').slice(0, -1);
    assert.ok(acked.length >= 150);

    const storage = await openEmbeddedStorage({ dataDir });
    for (const [i, key] of acked.entries()) {
      assert.deepEqual(await storage.documents.get('acks', key), { key, value: { i, blobSize: 8 * 32 * 1024 }, version: 1 });
      const blob = await readAll((await storage.blobs.read(`blobs/${key}`))!);
      assert.equal(blob.length, 8 * 32 * 1024);
      assert.equal(blob[blob.length - 1], (i + 7) & 0xff);
    }
    // The killed writer's temp file, if any, was swept at open.
    assert.deepEqual(await readdir(join(dataDir, BLOB_DIR, TEMP_DIR)), []);
    assert.deepEqual(await storage.checkIntegrity(), []);
    await storage.close();
  });

  it('reset: a reader in another process sees all documents or none', { timeout: 120_000 }, async () => {
    const storage = await openEmbeddedStorage({ dataDir });
    const fill = () => storage.documents.batch(Array.from({ length: 500 }, (_, i) => ({ op: 'put' as const, table: 't', key: `k${i}`, value: { i } })));
    await fill();
    const reader = start('list-loop.ts', [dataDir]);
    await waitFor(() => reader.output().startsWith('ready'));
    for (let round = 0; round < 20; round++) {
      await storage.reset();
      await new Promise((resolve) => setTimeout(resolve, 5));
      await fill();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    reader.stdin.end('stop\n');
    assert.equal(await reader.exited, 0);
    const counts = /counts ([\d,]+)/.exec(reader.output())![1]!.split(',').map(Number);
    assert.ok(counts.every((n) => n === 0 || n === 500), `reader saw ${counts.join(', ')}`);
    await storage.close();
  });
});
