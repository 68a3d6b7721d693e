/**
 * Schema migrations for the embedded document database, keyed by SQLite's
 * `PRAGMA user_version` (https://www.sqlite.org/pragma.html#pragma_user_version).
 * Migration N upgrades a database from version N-1 to N. All pending
 * migrations run inside one IMMEDIATE transaction at open, so a process that
 * opens the file at the same time waits on SQLite's write lock and then sees
 * the upgraded version: an upgrade happens once, whole, or not at all. A
 * database written by newer software (a higher version than we know) is
 * refused rather than guessed at.
 */
import type { Database } from 'better-sqlite3';

export interface Migration {
  /** The user_version this migration produces; migrations are numbered 1, 2, 3... */
  version: number;
  description: string;
  up(db: Database): void;
}

/** Append only: never edit a migration that has shipped, add a new one. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'documents table keyed by (tbl, key) in binary order',
    up(db) {
      // BINARY collation compares the UTF-8 bytes, which is the contract's key
      // order; WITHOUT ROWID stores rows in the primary-key b-tree itself.
      db.exec(`
        CREATE TABLE documents (
          tbl     TEXT    NOT NULL COLLATE BINARY,
          key     TEXT    NOT NULL COLLATE BINARY,
          value   TEXT    NOT NULL,
          version INTEGER NOT NULL CHECK (version >= 1),
          PRIMARY KEY (tbl, key)
        ) WITHOUT ROWID
      `);
    },
  },
  {
    version: 2,
    description: 'documents as a rowid table with a unique (tbl, key) index',
    up(db) {
      // In a WITHOUT ROWID table every row is a key of the primary-key
      // b-tree, and a row larger than about 1 KB (a quarter page) overflows:
      // each comparison that meets it on the way to another key reads the
      // whole row, overflow pages included. With the key in an index of its
      // own, a lookup compares short keys only and then reads one row by id.
      db.exec(`
        CREATE TABLE documents_v2 (
          id      INTEGER PRIMARY KEY,
          tbl     TEXT    NOT NULL COLLATE BINARY,
          key     TEXT    NOT NULL COLLATE BINARY,
          value   TEXT    NOT NULL,
          version INTEGER NOT NULL CHECK (version >= 1)
        );
        INSERT INTO documents_v2 (tbl, key, value, version) SELECT tbl, key, value, version FROM documents ORDER BY tbl, key;
        DROP TABLE documents;
        ALTER TABLE documents_v2 RENAME TO documents;
        CREATE UNIQUE INDEX documents_key ON documents (tbl, key);
      `);
    },
  },
];

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings `db` up to the last of `migrations`. Returns the versions applied
 * (empty when the database was already current).
 */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration #${i} has version ${m.version}, expected ${i + 1}`);
  });
  const latest = migrations.length;
  // Cheap check outside the write lock: the common case is "already current".
  if (schemaVersion(db) === latest) return [];
  const run = db.transaction((): number[] => {
    const current = schemaVersion(db);
    if (current > latest) {
      throw new Error(`database schema version ${current} is newer than this software supports (${latest})`);
    }
    const applied: number[] = [];
    for (const m of migrations.slice(current)) {
      m.up(db);
      // user_version lives in the file header and is part of this transaction.
      db.pragma(`user_version = ${m.version}`);
      applied.push(m.version);
    }
    return applied;
  });
  return run.immediate();
}
