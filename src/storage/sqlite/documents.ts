/**
 * The embedded DocumentStore: one SQLite database file (better-sqlite3) in
 * WAL mode, rows `documents(tbl, key, value JSON, version)` ordered by the
 * UTF-8 bytes of the key. Every write runs in a `BEGIN IMMEDIATE` transaction
 * that checks its conditions and writes under SQLite's own file lock, so
 * several processes may share the file and conditional writes stay correct
 * across them (https://www.sqlite.org/wal.html,
 * https://www.sqlite.org/lang_transaction.html). better-sqlite3 is
 * synchronous: a transaction never spans an `await`, so no lock is ever held
 * while the event loop runs other work.
 */
import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConditionFailedError, type DocumentStore, type ListOptions, type StoredDocument, type WriteCondition, type WriteOp } from '../types.js';
import { migrate } from './migrations.js';

export type SynchronousMode = 'full' | 'normal';

export interface SqliteDocumentStoreOptions {
  /**
   * 'full' (default): a resolved write is on stable storage (survives power
   * loss). 'normal': it survives a crash of the process (kill -9) but the last
   * commits may roll back on power loss; the file is never corrupted either way.
   */
  synchronous?: SynchronousMode;
  /** How long SQLite itself waits for another process's write lock (ms). */
  busyTimeoutMs?: number;
  /** Total time a write keeps retrying SQLITE_BUSY before giving up (ms). */
  retryForMs?: number;
}

type Row = [value: string, version: number];
type ListRow = [key: string, value: string, version: number];

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

function holds(version: number | undefined, condition: WriteCondition | undefined): boolean {
  if (!condition) return true;
  if ('ifNotExists' in condition) return version === undefined;
  if ('ifExists' in condition) return version !== undefined;
  return version === condition.ifVersion;
}

function encode(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError('document value must be JSON-serialisable (got undefined/function/symbol)');
  return json;
}

/**
 * The smallest byte string greater than every string starting with `prefix`.
 * UTF-8 never contains 0xFF, so bumping the last byte always works; the result
 * may be invalid UTF-8, which is why SQL compares it via CAST(? AS TEXT) (the
 * bytes are kept as-is and BINARY collation is a memcmp).
 */
function prefixEnd(prefix: string): Buffer {
  const end = Buffer.from(prefix, 'utf8');
  end[end.length - 1] += 1;
  return end;
}

export class SqliteDocumentStore implements DocumentStore {
  readonly path: string;
  private readonly db: Db;
  private readonly retryForMs: number;
  private readonly stmtGet: Statement<[string, string], Row>;
  private readonly stmtUpsert: Statement<[string, string, string], number>;
  private readonly stmtDelete: Statement<[string, string]>;
  private readonly listStmts = new Map<string, Statement<unknown[], ListRow>>();
  private readonly putTx: (table: string, key: string, json: string, condition: WriteCondition | undefined) => number;
  private readonly deleteTx: (table: string, key: string, condition: WriteCondition | undefined) => boolean;
  private readonly batchTx: (ops: WriteOp[], json: (string | undefined)[]) => void;
  private closed = false;

  private constructor(path: string, db: Db, retryForMs: number) {
    this.path = path;
    this.db = db;
    this.retryForMs = retryForMs;
    this.stmtGet = db.prepare<[string, string], Row>('SELECT value, version FROM documents WHERE tbl = ? AND key = ?').raw();
    this.stmtUpsert = db
      .prepare<[string, string, string], number>(
        `INSERT INTO documents (tbl, key, value, version) VALUES (?, ?, ?, 1)
         ON CONFLICT (tbl, key) DO UPDATE SET value = excluded.value, version = documents.version + 1
         RETURNING version`,
      )
      .pluck();
    this.stmtDelete = db.prepare<[string, string]>('DELETE FROM documents WHERE tbl = ? AND key = ?');

    const versionOf = (table: string, key: string): number | undefined => this.stmtGet.get(table, key)?.[1];
    const put = db.transaction((table: string, key: string, json: string, condition: WriteCondition | undefined): number => {
      if (condition && !holds(versionOf(table, key), condition)) throw new ConditionFailedError(table, key);
      return this.stmtUpsert.get(table, key, json)!;
    });
    const del = db.transaction((table: string, key: string, condition: WriteCondition | undefined): boolean => {
      if (condition && !holds(versionOf(table, key), condition)) throw new ConditionFailedError(table, key);
      return this.stmtDelete.run(table, key).changes > 0;
    });
    // Every condition is checked against the state before the batch, then
    // every write applies; a throw anywhere rolls the whole transaction back.
    const batch = db.transaction((ops: WriteOp[], json: (string | undefined)[]): void => {
      for (const op of ops) {
        if (op.condition && !holds(versionOf(op.table, op.key), op.condition)) throw new ConditionFailedError(op.table, op.key);
      }
      ops.forEach((op, i) => {
        if (op.op === 'put') this.stmtUpsert.get(op.table, op.key, json[i]!);
        else if (op.op === 'delete') this.stmtDelete.run(op.table, op.key);
      });
    });
    this.putTx = put.immediate;
    this.deleteTx = del.immediate;
    this.batchTx = batch.immediate;
  }

  /** Opens (creating if needed) and migrates the database file at `path`. */
  static async open(path: string, options: SqliteDocumentStoreOptions = {}): Promise<SqliteDocumentStore> {
    const synchronous = options.synchronous ?? 'full';
    if (synchronous !== 'full' && synchronous !== 'normal') throw new TypeError(`synchronous must be 'full' or 'normal', got ${String(synchronous)}`);
    const retryForMs = options.retryForMs ?? 30_000;
    const deadline = Date.now() + retryForMs;
    for (let attempt = 0; ; attempt++) {
      let db: Db | undefined;
      try {
        db = new Database(path, { timeout: options.busyTimeoutMs ?? 5_000 });
        // Switching to WAL needs a moment of exclusive access the first time;
        // another process opening the same new file can make it answer BUSY.
        const mode = db.pragma('journal_mode = WAL', { simple: true });
        if (mode !== 'wal') throw new Error(`could not put ${path} in WAL mode (journal_mode=${String(mode)})`);
        db.pragma(`synchronous = ${synchronous.toUpperCase()}`);
        // F_FULLFSYNC on macOS, where plain fsync does not reach the platter; a no-op elsewhere.
        db.pragma(`fullfsync = ${synchronous === 'full' ? 'ON' : 'OFF'}`);
        db.pragma('foreign_keys = ON');
        db.pragma('temp_store = MEMORY');
        migrate(db);
        return new SqliteDocumentStore(path, db, retryForMs);
      } catch (err) {
        db?.close();
        if (!isBusy(err) || Date.now() > deadline) throw err;
        await sleep(Math.min(200, 5 * 2 ** attempt) * (0.5 + Math.random()));
      }
    }
  }

  /**
   * Runs a synchronous SQLite call, retrying SQLITE_BUSY with an async backoff.
   * The busy timeout already waits inside SQLite; this catches the cases it
   * does not cover (WAL recovery in another process, snapshot conflicts).
   */
  private async retrying<T>(fn: () => T): Promise<T> {
    const deadline = Date.now() + this.retryForMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return fn();
      } catch (err) {
        if (!isBusy(err) || Date.now() > deadline) throw err;
        await sleep(Math.min(100, 2 ** attempt) * (0.5 + Math.random()));
      }
    }
  }

  async get<T>(table: string, key: string): Promise<StoredDocument<T> | undefined> {
    let row: Row | undefined;
    try {
      row = this.stmtGet.get(table, key);
    } catch (err) {
      if (!isBusy(err)) throw err;
      row = await this.retrying(() => this.stmtGet.get(table, key));
    }
    return row && { key, value: JSON.parse(row[0]) as T, version: row[1] };
  }

  async put(table: string, key: string, value: unknown, condition?: WriteCondition): Promise<number> {
    const json = encode(value);
    return this.retrying(() => this.putTx(table, key, json, condition));
  }

  async delete(table: string, key: string, condition?: WriteCondition): Promise<boolean> {
    return this.retrying(() => this.deleteTx(table, key, condition));
  }

  async list<T>(table: string, options: ListOptions = {}): Promise<StoredDocument<T>[]> {
    const { prefix, after, limit } = options;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
    // Pick the tighter lower bound in JS so the index range starts at the
    // cursor instead of scanning the whole prefix on every page.
    let lower: { op: '>' | '>='; key: string } | undefined;
    if (prefix) lower = { op: '>=', key: prefix };
    if (after !== undefined && (!lower || Buffer.compare(Buffer.from(after), Buffer.from(lower.key)) >= 0)) lower = { op: '>', key: after };
    const params: unknown[] = [table];
    let sql = 'SELECT key, value, version FROM documents WHERE tbl = ?';
    if (lower) {
      sql += ` AND key ${lower.op} ?`;
      params.push(lower.key);
    }
    if (prefix) {
      sql += ' AND key < CAST(? AS TEXT)';
      params.push(prefixEnd(prefix));
    }
    sql += ' ORDER BY key LIMIT ?';
    params.push(limit ?? -1);
    let stmt = this.listStmts.get(sql);
    if (!stmt) this.listStmts.set(sql, (stmt = this.db.prepare<unknown[], ListRow>(sql).raw()));
    const rows = await this.retrying(() => stmt.all(...params));
    return rows.map(([k, v, version]) => ({ key: k, value: JSON.parse(v) as T, version }));
  }

  async batch(ops: WriteOp[]): Promise<void> {
    if (ops.length === 0) return;
    const json = ops.map((op) => (op.op === 'put' ? encode(op.value) : undefined));
    await this.retrying(() => this.batchTx(ops, json));
  }

  /** Deletes every document in one transaction: readers see all of them or none. */
  async clear(): Promise<void> {
    await this.retrying(() => this.db.transaction(() => this.db.exec('DELETE FROM documents')).immediate());
  }

  /** PRAGMA integrity_check + foreign_key_check; empty when the file is sound. */
  async integrityProblems(): Promise<string[]> {
    const problems: string[] = [];
    const integrity = this.db.pragma('integrity_check') as { integrity_check: string }[];
    for (const row of integrity) if (row.integrity_check !== 'ok') problems.push(`sqlite integrity_check: ${row.integrity_check}`);
    const fks = this.db.pragma('foreign_key_check') as { table: string; rowid: number | null; parent: string; fkid: number }[];
    for (const fk of fks) problems.push(`sqlite foreign_key_check: ${fk.table} row ${String(fk.rowid)} references missing ${fk.parent} (fk ${fk.fkid})`);
    return problems;
  }

  /** The current value of a PRAGMA, for diagnostics and tests. */
  pragma(name: string): unknown {
    return this.db.pragma(name, { simple: true });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Lets SQLite refresh planner statistics cheaply before the last connection goes.
    try {
      this.db.pragma('optimize');
    } catch {
      // best effort only
    }
    this.db.close();
  }
}
