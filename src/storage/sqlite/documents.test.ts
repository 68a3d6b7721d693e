/**
 * SQLite-specific behaviour of the embedded DocumentStore that the shared
 * contract cannot see: pragmas, persistence across reopen, several
 * connections on one file, and SQLITE_BUSY retries while another connection
 * holds the write lock (https://www.sqlite.org/rescode.html#busy).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { ConditionFailedError } from '../types.js';
import { SqliteDocumentStore } from './documents.js';

let dir: string;
let path: string;
const open: SqliteDocumentStore[] = [];

async function store(options?: Parameters<typeof SqliteDocumentStore.open>[1]): Promise<SqliteDocumentStore> {
  const s = await SqliteDocumentStore.open(path, options);
  open.push(s);
  return s;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stratus-sqlite-'));
  path = join(dir, 'stratus.db');
});
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  await rm(dir, { recursive: true, force: true });
});

describe('SqliteDocumentStore', () => {
  it('open: uses WAL, synchronous=FULL, foreign keys and a busy timeout by default', async () => {
    const s = await store();
    assert.equal(s.pragma('journal_mode'), 'wal');
    assert.equal(s.pragma('synchronous'), 2);
    assert.equal(s.pragma('foreign_keys'), 1);
    assert.equal(s.pragma('busy_timeout'), 5000);
  });

  it('open: synchronous normal is an option, anything else is refused', async () => {
    const s = await store({ synchronous: 'normal', busyTimeoutMs: 250 });
    assert.equal(s.pragma('synchronous'), 1);
    assert.equal(s.pragma('busy_timeout'), 250);
    await assert.rejects(SqliteDocumentStore.open(path, { synchronous: 'off' as never }), TypeError);
  });

  it('open: documents survive close and reopen', async () => {
    const s = await store();
    await s.put('t', 'k', { n: 1 });
    await s.put('t', 'k', { n: 2 });
    await s.close();
    const again = await store();
    assert.deepEqual(await again.get('t', 'k'), { key: 'k', value: { n: 2 }, version: 2 });
  });

  it('connections: two stores on one file share documents and conditions', async () => {
    const a = await store();
    const b = await store();
    await a.put('t', 'k', 'from a', { ifNotExists: true });
    await assert.rejects(b.put('t', 'k', 'from b', { ifNotExists: true }), ConditionFailedError);
    assert.equal(await b.put('t', 'k', 'from b', { ifVersion: 1 }), 2);
    assert.deepEqual(await a.get('t', 'k'), { key: 'k', value: 'from b', version: 2 });
  });

  it('put: refuses a value JSON cannot hold and writes nothing', async () => {
    const s = await store();
    await assert.rejects(s.put('t', 'k', undefined), TypeError);
    await assert.rejects(s.batch([{ op: 'put', table: 't', key: 'a', value: 1 }, { op: 'put', table: 't', key: 'b', value: () => 1 }]), TypeError);
    assert.deepEqual(await s.list('t'), []);
  });

  it('list: refuses a negative or fractional limit', async () => {
    const s = await store();
    await assert.rejects(s.list('t', { limit: -1 }), RangeError);
    await assert.rejects(s.list('t', { limit: 1.5 }), RangeError);
  });

  it('write: retries while another process holds the write lock, then succeeds', async () => {
    const s = await store({ busyTimeoutMs: 20 });
    const other = new Database(path);
    try {
      other.exec('BEGIN IMMEDIATE');
      setTimeout(() => other.exec('COMMIT'), 300);
      const started = Date.now();
      assert.equal(await s.put('t', 'k', 'waited'), 1);
      assert.ok(Date.now() - started >= 250);
    } finally {
      other.close();
    }
  });

  it('write: gives up with SQLITE_BUSY once retryForMs has passed', async () => {
    const s = await store({ busyTimeoutMs: 10, retryForMs: 100 });
    const other = new Database(path);
    try {
      other.exec('BEGIN IMMEDIATE');
      await assert.rejects(s.put('t', 'k', 'never'), (err: { code?: string }) => err.code === 'SQLITE_BUSY');
      other.exec('ROLLBACK');
      assert.equal(await s.get('t', 'k'), undefined);
    } finally {
      other.close();
    }
  });

  it('clear: removes every document of every table', async () => {
    const s = await store();
    await s.batch([
      { op: 'put', table: 'a', key: '1', value: 1 },
      { op: 'put', table: 'b', key: '2', value: 2 },
    ]);
    await s.clear();
    assert.deepEqual([...(await s.list('a')), ...(await s.list('b'))], []);
    assert.deepEqual(await s.integrityProblems(), []);
  });

  it('group commit: writes called in one turn share one transaction', async () => {
    const s = await store();
    const walFrames = (): number => {
      const other = new Database(path);
      try {
        const frames = (other.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }>)[0]!.log;
        other.pragma('wal_checkpoint(TRUNCATE)');
        return frames;
      } finally {
        other.close();
      }
    };
    await s.put('t', 'warm', 0);
    walFrames();
    const versions = await Promise.all(Array.from({ length: 50 }, (_, i) => s.put('t', `k${i}`, i)));
    assert.deepEqual(versions, Array(50).fill(1));
    const grouped = walFrames();
    for (let i = 0; i < 50; i++) await s.put('t', `k${i}`, i);
    const oneByOne = walFrames();
    // Each commit appends the pages it changed to the WAL: one commit touches a page once.
    assert.ok(grouped <= 5, `grouped writes wrote ${grouped} WAL frames`);
    assert.ok(oneByOne >= 50, `sequential writes wrote ${oneByOne} WAL frames`);
  });

  it('group commit: a failed condition rejects only its write; later writes see the earlier ones', async () => {
    const s = await store();
    const results = await Promise.allSettled([
      s.put('t', 'k', 'a', { ifNotExists: true }),
      s.put('t', 'k', 'b', { ifNotExists: true }),
      s.put('t', 'k', 'c', { ifVersion: 1 }),
      s.batch([
        { op: 'put', table: 't', key: 'x', value: 'x' },
        { op: 'check', table: 't', key: 'k', condition: { ifVersion: 2 } },
      ]),
      s.batch([
        { op: 'put', table: 't', key: 'y', value: 'never' },
        { op: 'check', table: 't', key: 'k', condition: { ifVersion: 1 } },
      ]),
      s.delete('t', 'x', { ifVersion: 1 }),
      s.delete('t', 'k', { ifVersion: 9 }),
    ]);
    assert.deepEqual(
      results.map((r) => (r.status === 'fulfilled' ? r.value : r.reason instanceof ConditionFailedError ? 'condition' : String(r.reason))),
      [1, 'condition', 2, undefined, 'condition', true, 'condition'],
    );
    assert.deepEqual(await s.get('t', 'k'), { key: 'k', value: 'c', version: 2 });
    assert.equal(await s.get('t', 'x'), undefined);
    assert.equal(await s.get('t', 'y'), undefined);
  });

  it('group commit: a write SQLite refuses fails alone, the rest of its group commits in order', async () => {
    const s = await store();
    const other = new Database(path);
    other.exec("CREATE TRIGGER refuse BEFORE INSERT ON documents WHEN NEW.key = 'refused' BEGIN SELECT RAISE(ABORT, 'refused by trigger'); END");
    other.close();
    const results = await Promise.allSettled([
      s.put('t', 'a', 1),
      s.put('t', 'refused', 1),
      s.put('t', 'a', 2, { ifVersion: 1 }),
      s.put('t', 'b', 1, { ifVersion: 1 }),
    ]);
    assert.deepEqual(results[0], { status: 'fulfilled', value: 1 });
    assert.equal(results[1]!.status, 'rejected');
    assert.match(String((results[1] as PromiseRejectedResult).reason), /refused by trigger/);
    assert.deepEqual(results[2], { status: 'fulfilled', value: 2 });
    assert.ok((results[3] as PromiseRejectedResult).reason instanceof ConditionFailedError);
    assert.deepEqual(await s.get('t', 'a'), { key: 'a', value: 2, version: 2 });
    assert.equal(await s.get('t', 'refused'), undefined);
    // The store keeps grouping afterwards.
    assert.deepEqual(await Promise.all([s.put('t', 'c', 1), s.put('t', 'c', 2)]), [1, 2]);
  });

  it('group commit: writes queued while another process holds the lock all commit, in order', async () => {
    const s = await store({ busyTimeoutMs: 20 });
    const other = new Database(path);
    try {
      other.exec('BEGIN IMMEDIATE');
      setTimeout(() => other.exec('COMMIT'), 200);
      const first = [s.put('t', 'k', 'one', { ifNotExists: true }), s.put('t', 'k', 'two', { ifVersion: 1 })];
      await new Promise((resolve) => setTimeout(resolve, 60));
      const later = s.put('t', 'k', 'three', { ifVersion: 2 });
      assert.deepEqual(await Promise.all([...first, later]), [1, 2, 3]);
    } finally {
      other.close();
    }
  });

  it('clear: takes its place among queued writes', async () => {
    const s = await store();
    const before = s.put('t', 'before', 1);
    const cleared = s.clear();
    const after = s.put('t', 'after', 1);
    await Promise.all([before, cleared, after]);
    assert.deepEqual(
      (await s.list('t')).map((d) => d.key),
      ['after'],
    );
  });

  it('close: commits writes already queued, then refuses new ones', async () => {
    const s = await SqliteDocumentStore.open(path);
    const queued = s.put('t', 'k', 'queued');
    await s.close();
    assert.equal(await queued, 1);
    await assert.rejects(s.put('t', 'k', 'late'), TypeError);
    const again = await store();
    assert.deepEqual(await again.get('t', 'k'), { key: 'k', value: 'queued', version: 1 });
  });

  it('close: is idempotent', async () => {
    const s = await SqliteDocumentStore.open(path);
    await s.close();
    await s.close();
  });
});
