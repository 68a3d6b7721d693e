/**
 * Schema migrations keyed by PRAGMA user_version: upgrading an old file,
 * idempotent reopen, all-or-nothing upgrades, and refusing newer files
 * (https://www.sqlite.org/pragma.html#pragma_user_version).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { MIGRATIONS, migrate, schemaVersion, type Migration } from './migrations.js';
import { SqliteDocumentStore } from './documents.js';

let dir: string;
before(async () => (dir = await mkdtemp(join(tmpdir(), 'stratus-migrations-'))));
after(async () => rm(dir, { recursive: true, force: true }));

const v1: Migration = { version: 1, description: 'items', up: (db) => db.exec('CREATE TABLE items (id TEXT PRIMARY KEY)') };
const v2: Migration = { version: 2, description: 'items.color', up: (db) => db.exec("ALTER TABLE items ADD COLUMN color TEXT NOT NULL DEFAULT 'blue'") };

describe('migrate', () => {
  it('migrate: upgrades an old-version database and keeps its rows', () => {
    const path = join(dir, 'upgrade.db');
    const old = new Database(path);
    assert.deepEqual(migrate(old, [v1]), [1]);
    old.prepare('INSERT INTO items (id) VALUES (?)').run('a');
    old.close();

    const db = new Database(path);
    assert.deepEqual(migrate(db, [v1, v2]), [2]);
    assert.equal(schemaVersion(db), 2);
    assert.deepEqual(db.prepare('SELECT id, color FROM items').all(), [{ id: 'a', color: 'blue' }]);
    db.close();
  });

  it('migrate: re-running on a current database is a no-op', () => {
    const path = join(dir, 'idempotent.db');
    const db = new Database(path);
    assert.deepEqual(migrate(db, [v1, v2]), [1, 2]);
    assert.deepEqual(migrate(db, [v1, v2]), []);
    db.close();
    const again = new Database(path);
    assert.deepEqual(migrate(again, [v1, v2]), []);
    assert.equal(schemaVersion(again), 2);
    again.close();
  });

  it('migrate: a failing migration rolls back every step of the upgrade', () => {
    const db = new Database(join(dir, 'failing.db'));
    const broken: Migration = {
      version: 2,
      description: 'half done',
      up: (d) => {
        d.exec('CREATE TABLE half (x)');
        throw new Error('boom');
      },
    };
    assert.throws(() => migrate(db, [v1, broken]), /boom/);
    assert.equal(schemaVersion(db), 0);
    assert.deepEqual(db.prepare("SELECT name FROM sqlite_master WHERE name IN ('items', 'half')").all(), []);
    db.close();
  });

  it('migrate: refuses a database written by newer software', () => {
    const db = new Database(join(dir, 'newer.db'));
    db.pragma('user_version = 99');
    assert.throws(() => migrate(db, [v1]), /newer than this software supports/);
    db.close();
  });

  it('migrate: rejects a migration list with gaps', () => {
    const db = new Database(':memory:');
    assert.throws(() => migrate(db, [v2]), /expected 1/);
    db.close();
  });
});

describe('SqliteDocumentStore.open', () => {
  it('open: upgrades a version-0 database file to the current schema, then reopens idempotently', async () => {
    const path = join(dir, 'stratus-v0.db');
    const legacy = new Database(path);
    legacy.exec('CREATE TABLE unrelated (x)');
    legacy.prepare('INSERT INTO unrelated VALUES (1)').run();
    assert.equal(schemaVersion(legacy), 0);
    legacy.close();

    const store = await SqliteDocumentStore.open(path);
    assert.equal(store.pragma('user_version'), MIGRATIONS.length);
    assert.equal(store.pragma('journal_mode'), 'wal');
    await store.put('t', 'k', { kept: true });
    await store.close();

    const reopened = await SqliteDocumentStore.open(path);
    assert.equal(reopened.pragma('user_version'), MIGRATIONS.length);
    assert.deepEqual(await reopened.get('t', 'k'), { key: 'k', value: { kept: true }, version: 1 });
    await reopened.close();

    const check = new Database(path, { readonly: true });
    assert.deepEqual(check.prepare('SELECT x FROM unrelated').all(), [{ x: 1 }]);
    check.close();
  });

  it('open: moves a version-1 file (WITHOUT ROWID) to a rowid table, keeping documents, versions and key order', async () => {
    const path = join(dir, 'stratus-v1.db');
    const v1db = new Database(path);
    migrate(v1db, MIGRATIONS.slice(0, 1));
    const insert = v1db.prepare('INSERT INTO documents (tbl, key, value, version) VALUES (?, ?, ?, ?)');
    const keys = ['b', 'a', 'é', 'Z', 'a/b', '😀'];
    keys.forEach((k, i) => insert.run('t', k, JSON.stringify({ k, big: 'x'.repeat(i * 2000) }), i + 1));
    insert.run('other', 'k', '"v"', 7);
    v1db.close();

    const store = await SqliteDocumentStore.open(path);
    assert.equal(store.pragma('user_version'), 2);
    const listed = await store.list<{ k: string }>('t');
    assert.deepEqual(
      listed.map((d) => [d.key, d.value.k, d.version]),
      [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))).map((k) => [k, k, keys.indexOf(k) + 1]),
    );
    assert.deepEqual(await store.get('other', 'k'), { key: 'k', value: 'v', version: 7 });
    assert.equal(await store.put('t', 'a', 'next', { ifVersion: 2 }), 3);
    await assert.rejects(store.put('t', 'b', 'dup', { ifNotExists: true }), /condition failed/);
    assert.deepEqual(await store.integrityProblems(), []);
    await store.close();
  });
});
