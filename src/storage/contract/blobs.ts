/**
 * The BlobStore contract as one node:test suite that every backend must pass
 * (local files now, NATS JetStream object storage later). Ranges follow HTTP
 * byte ranges, inclusive at both ends (RFC 9110 §14.1.2,
 * https://www.rfc-editor.org/rfc/rfc9110#name-byte-ranges). Each case gets a
 * fresh store from the factory; only the public interface of `../types.ts` is used.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { Readable } from 'node:stream';
import type { BlobStore } from '../types.js';
import type { ContractFactory } from './documents.js';

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}

async function readBlob(s: BlobStore, key: string, range?: { start: number; end: number }): Promise<Buffer | undefined> {
  const stream = await s.read(key, range);
  return stream && readAll(stream);
}

function bytes(length: number, seed = 0): Buffer {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
  return b;
}

/** A stream of `chunks` x 64 KiB that fails (or is destroyed) after `failAfter` chunks. */
function brokenStream(failAfter: number, how: 'error' | 'destroy'): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent++ < failAfter) {
        this.push(bytes(64 * 1024, sent));
        return;
      }
      setImmediate(() => (how === 'error' ? this.destroy(new Error('source failed midway')) : this.destroy()));
    },
  });
}

const ODD_KEYS = [
  'plain',
  'with/slashes/in/it',
  '/leading-slash',
  'trailing-slash/',
  '..',
  '.',
  '../../../etc/passwd',
  'a/../../b',
  'C:\\windows\\system32',
  'spaces and\ttabs',
  'percent%2Fencoded',
  'ünïcødé/日本語/😀',
  'UPPER',
  'upper',
  '.tmp',
  'x'.repeat(1024),
];

export function runBlobStoreContract(name: string, factory: ContractFactory<BlobStore>): void {
  const test = (title: string, fn: (store: BlobStore) => Promise<void>, timeout = 60_000): void => {
    it(title, { timeout }, async () => {
      const { store, cleanup } = await factory();
      try {
        await fn(store);
      } finally {
        await cleanup();
      }
    });
  };

  describe(`BlobStore contract: ${name}`, () => {
    test('write/read: round-trips a Buffer and reports its size', async (s) => {
      const data = bytes(100_000);
      assert.deepEqual(await s.write('k', data), { size: 100_000 });
      assert.deepEqual(await readBlob(s, 'k'), data);
      assert.deepEqual(await s.stat('k'), { size: 100_000 });
    });

    test('write: accepts a multi-chunk stream', async (s) => {
      const parts = Array.from({ length: 40 }, (_, i) => bytes(10_000 + i, i));
      assert.deepEqual(await s.write('k', Readable.from(parts)), { size: Buffer.concat(parts).length });
      assert.deepEqual(await readBlob(s, 'k'), Buffer.concat(parts));
    });

    test('write: stores an empty blob', async (s) => {
      assert.deepEqual(await s.write('empty', Buffer.alloc(0)), { size: 0 });
      assert.deepEqual(await s.stat('empty'), { size: 0 });
      assert.deepEqual(await readBlob(s, 'empty'), Buffer.alloc(0));
      assert.deepEqual(await s.write('empty-stream', Readable.from([])), { size: 0 });
      assert.deepEqual(await s.stat('empty-stream'), { size: 0 });
    });

    test('read/stat: return undefined for a missing key', async (s) => {
      assert.equal(await s.read('missing'), undefined);
      assert.equal(await s.read('missing', { start: 0, end: 0 }), undefined);
      assert.equal(await s.stat('missing'), undefined);
    });

    test('read: ranges are inclusive and an end past the blob is clamped', async (s) => {
      const data = bytes(1_000_000);
      await s.write('k', data);
      assert.deepEqual(await readBlob(s, 'k', { start: 0, end: 0 }), data.subarray(0, 1));
      assert.deepEqual(await readBlob(s, 'k', { start: 0, end: 9 }), data.subarray(0, 10));
      assert.deepEqual(await readBlob(s, 'k', { start: 500_000, end: 500_099 }), data.subarray(500_000, 500_100));
      assert.deepEqual(await readBlob(s, 'k', { start: 999_999, end: 999_999 }), data.subarray(999_999));
      assert.deepEqual(await readBlob(s, 'k', { start: 999_990, end: 5_000_000 }), data.subarray(999_990));
      assert.deepEqual(await readBlob(s, 'k', { start: 0, end: 999_999 }), data);
    });

    test('write: overwriting replaces content and size', async (s) => {
      await s.write('k', bytes(5000, 1));
      await s.write('k', bytes(123, 2));
      assert.deepEqual(await s.stat('k'), { size: 123 });
      assert.deepEqual(await readBlob(s, 'k'), bytes(123, 2));
    });

    test('delete: removes the blob and ignores a missing key', async (s) => {
      await s.write('k', Buffer.from('hello'));
      await s.write('other', Buffer.from('stays'));
      await s.delete('k');
      assert.equal(await s.stat('k'), undefined);
      assert.equal(await s.read('k'), undefined);
      await s.delete('k');
      await s.delete('never-existed');
      assert.deepEqual(await readBlob(s, 'other'), Buffer.from('stays'));
    });

    test('write: a source that errors midway rejects and leaves nothing behind', async (s) => {
      await assert.rejects(s.write('k', brokenStream(8, 'error')), /source failed midway/);
      assert.equal(await s.stat('k'), undefined);
      assert.equal(await s.read('k'), undefined);
    });

    test('write: a source destroyed midway rejects and leaves nothing behind', async (s) => {
      await assert.rejects(s.write('k', brokenStream(8, 'destroy')));
      assert.equal(await s.stat('k'), undefined);
    });

    test('write: a failed overwrite keeps the previous blob whole', async (s) => {
      const old = bytes(300_000, 9);
      await s.write('k', old);
      await assert.rejects(s.write('k', brokenStream(10, 'error')));
      await assert.rejects(s.write('k', brokenStream(3, 'destroy')));
      assert.deepEqual(await s.stat('k'), { size: old.length });
      assert.deepEqual(await readBlob(s, 'k'), old);
    });

    test('write: concurrent writers of one key leave exactly one whole version', async (s) => {
      const versions = Array.from({ length: 8 }, (_, i) => bytes(200_000 + i * 1000, i));
      await Promise.all(versions.map((v) => s.write('k', Readable.from([v.subarray(0, 50_000), v.subarray(50_000)]))));
      const got = (await readBlob(s, 'k'))!;
      assert.ok(
        versions.some((v) => v.equals(got)),
        'the stored blob is one of the written versions',
      );
      assert.deepEqual(await s.stat('k'), { size: got.length });
    });

    test('keys: odd keys are distinct, safe and round-trip', async (s) => {
      for (const [i, key] of ODD_KEYS.entries()) await s.write(key, Buffer.from(`blob #${i}`));
      for (const [i, key] of ODD_KEYS.entries()) {
        assert.deepEqual(await readBlob(s, key), Buffer.from(`blob #${i}`), `key ${JSON.stringify(key)}`);
        assert.deepEqual(await s.stat(key), { size: Buffer.byteLength(`blob #${i}`) });
      }
      await s.delete('..');
      assert.equal(await s.stat('..'), undefined);
      assert.deepEqual(await readBlob(s, '.'), Buffer.from(`blob #${ODD_KEYS.indexOf('.')}`));
    });

    test(
      'write/read: a 100 MB stream round-trips with flat memory (RSS growth < 50 MB)',
      async (s) => {
        const chunkSize = 64 * 1024;
        const chunks = (100 * 1024 * 1024) / chunkSize;
        const baseline = process.memoryUsage.rss();
        let peak = baseline;
        const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
        try {
          const written = createHash('sha256');
          let i = 0;
          // A fresh buffer per chunk, produced only on demand: a backend that
          // buffers the stream would hold all 100 MB.
          const source = new Readable({
            read() {
              if (i === chunks) return void this.push(null);
              const chunk = Buffer.allocUnsafe(chunkSize).fill(i & 0xff);
              chunk.writeUInt32BE(i++, 0);
              written.update(chunk);
              peak = Math.max(peak, process.memoryUsage.rss());
              this.push(chunk);
            },
          });
          assert.deepEqual(await s.write('big', source), { size: chunks * chunkSize });
          const read = createHash('sha256');
          for await (const chunk of (await s.read('big'))!) {
            read.update(chunk as Buffer);
            peak = Math.max(peak, process.memoryUsage.rss());
          }
          assert.equal(read.digest('hex'), written.digest('hex'));
          const tail = await readBlob(s, 'big', { start: chunks * chunkSize - 4, end: chunks * chunkSize - 1 });
          assert.deepEqual(tail, Buffer.alloc(4, (chunks - 1) & 0xff));
        } finally {
          clearInterval(sampler);
        }
        const growth = (peak - baseline) / 1024 / 1024;
        assert.ok(growth < 50, `RSS grew by ${growth.toFixed(1)} MB`);
      },
      180_000,
    );
  });
}
