/**
 * The embedded Storage as a whole: on-disk layout, persistence, reset and
 * checkIntegrity (PRAGMA integrity_check, https://www.sqlite.org/pragma.html#pragma_integrity_check).
 */
import assert from 'node:assert/strict';
import { mkdtemp, open, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { readAll } from './contract.js';
import { BLOB_DIR, DATABASE_FILE, openEmbeddedStorage } from './embedded.js';
import { TEMP_DIR } from './files/blobs.js';

let dataDir: string;
beforeEach(async () => (dataDir = await mkdtemp(join(tmpdir(), 'stratus-embedded-'))));
afterEach(async () => rm(dataDir, { recursive: true, force: true }));

describe('openEmbeddedStorage', () => {
  it('open: lays out the database file and blob directory under dataDir', async () => {
    const nested = join(dataDir, 'does', 'not', 'exist');
    const storage = await openEmbeddedStorage({ dataDir: nested });
    assert.equal(storage.kind, 'embedded');
    const entries = await readdir(nested);
    assert.ok(entries.includes(DATABASE_FILE));
    assert.ok(entries.includes(BLOB_DIR));
    assert.deepEqual(await readdir(join(nested, BLOB_DIR)), [TEMP_DIR]);
    assert.deepEqual(await storage.checkIntegrity(), []);
    await storage.close();
    await storage.close();
  });

  it('open: documents and blobs persist across reopen', async () => {
    const first = await openEmbeddedStorage({ dataDir, synchronous: 'normal' });
    await first.documents.put('functions', 'f1', { runtime: 'nodejs20.x' });
    await first.blobs.write('code/f1.zip', Buffer.from('PK...'));
    await first.close();
    const second = await openEmbeddedStorage({ dataDir });
    assert.deepEqual(await second.documents.get('functions', 'f1'), { key: 'f1', value: { runtime: 'nodejs20.x' }, version: 1 });
    assert.deepEqual(await readAll((await second.blobs.read('code/f1.zip'))!), Buffer.from('PK...'));
    await second.close();
  });

  it('reset: wipes every document and blob and leaves the storage usable', async () => {
    const storage = await openEmbeddedStorage({ dataDir });
    for (let i = 0; i < 50; i++) {
      await storage.documents.put(`table${i % 3}`, `k${i}`, { i });
      await storage.blobs.write(`blob/${i}`, Buffer.from(String(i)));
    }
    await storage.reset();
    for (let t = 0; t < 3; t++) assert.deepEqual(await storage.documents.list(`table${t}`), []);
    assert.equal(await storage.blobs.stat('blob/1'), undefined);
    assert.deepEqual(await readdir(join(dataDir, BLOB_DIR)), [TEMP_DIR]);
    assert.deepEqual(await storage.checkIntegrity(), []);
    assert.equal(await storage.documents.put('table0', 'k0', 'fresh'), 1);
    await storage.blobs.write('blob/1', Buffer.from('fresh'));
    assert.deepEqual(await storage.blobs.stat('blob/1'), { size: 5 });
    await storage.close();
  });

  it('reset: a concurrent reader sees all documents or none', async () => {
    const storage = await openEmbeddedStorage({ dataDir });
    const reader = await openEmbeddedStorage({ dataDir });
    await storage.documents.batch(Array.from({ length: 200 }, (_, i) => ({ op: 'put' as const, table: 't', key: `k${String(i).padStart(3, '0')}`, value: i })));
    const seen = new Set<number>();
    const resetting = storage.reset();
    for (let i = 0; i < 20; i++) seen.add((await reader.documents.list('t')).length);
    await resetting;
    seen.add((await reader.documents.list('t')).length);
    for (const n of seen) assert.ok(n === 0 || n === 200, `saw ${n} documents`);
    assert.ok(seen.has(0));
    await reader.close();
    await storage.close();
  });

  it('checkIntegrity: reports a leftover temp file', async () => {
    const storage = await openEmbeddedStorage({ dataDir });
    await writeFile(join(dataDir, BLOB_DIR, TEMP_DIR, 'garbage'), 'x');
    assert.deepEqual(await storage.checkIntegrity(), ['blobs: leftover temp file .tmp/garbage']);
    await storage.close();
  });

  it('checkIntegrity: reports a corrupt database page', async () => {
    const storage = await openEmbeddedStorage({ dataDir });
    await storage.documents.batch(Array.from({ length: 2000 }, (_, i) => ({ op: 'put' as const, table: 't', key: `key-${i}`, value: { i, pad: 'x'.repeat(100) } })));
    await storage.close();
    const file = join(dataDir, DATABASE_FILE);
    const fh = await open(file, 'r+');
    const { size } = await fh.stat();
    assert.ok(size > 20 * 4096);
    // Scribble over the middle of a b-tree page deep inside the file.
    await fh.write(Buffer.alloc(2000, 0xa5), 0, 2000, 10 * 4096 + 100);
    await fh.close();
    const reopened = await openEmbeddedStorage({ dataDir });
    const problems = await reopened.checkIntegrity();
    assert.ok(problems.length > 0);
    assert.ok(problems.every((p) => p.startsWith('sqlite integrity_check:')), problems.join('\n'));
    await reopened.close();
  });
});
