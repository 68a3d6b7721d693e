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
 *
 * Group commit: with synchronous=FULL every COMMIT is an fsync of the WAL, on
 * the event loop. Writes are therefore queued and committed together, once per
 * turn of the event loop (setImmediate): every write called while the loop
 * was busy shares one transaction and one fsync. Each write runs in its own
 * SAVEPOINT, in call order, so it sees the writes queued before it exactly as
 * sequential transactions would; a write whose condition fails rolls back to
 * its savepoint and rejects alone, the others commit. A promise settles only
 * after the COMMIT, so a read after an awaited write sees it. Any other error
 * (I/O, disk full) may leave SQLite's transaction rolled back under us, so the
 * whole group is undone and each of its writes replayed in a transaction of
 * its own: only the write that really fails rejects. SQLITE_BUSY (another
 * process holds the lock) retries the group, ahead of newer writes.
 */
import Database from 'better-sqlite3';
import type { Database as Db, Statement, Transaction } from 'better-sqlite3';
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

/** A write waiting for its group's transaction. `run` executes its statements (inside a savepoint). */
interface QueuedWrite {
  run: () => unknown;
  resolve: (value: never) => void;
  reject: (err: unknown) => void;
  /** Until when SQLITE_BUSY is retried for it. */
  deadline: number;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: ConditionFailedError };

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
  private readonly stmtClear: Statement<[]>;
  private readonly listStmts = new Map<string, Statement<unknown[], ListRow>>();
  /** Runs one write: in a savepoint inside a group, or `.immediate` as a transaction of its own. */
  private readonly writeTx: Transaction<(run: () => unknown) => unknown>;
  private readonly groupTx: (group: QueuedWrite[]) => Outcome[];
  private queue: QueuedWrite[] = [];
  /** A flush is scheduled or running; writes only queue. */
  private flushing = false;
  private busyAttempt = 0;
  private idle: Array<() => void> = [];
  private closing: Promise<void> | undefined;

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
    this.stmtClear = db.prepare<[]>('DELETE FROM documents');
    // Nested in the group's transaction, better-sqlite3 makes this a SAVEPOINT
    // that a throw rolls back (https://github.com/WiseLibs/better-sqlite3/blob/master/docs/api.md#transactionfunction---function).
    this.writeTx = db.transaction((run: () => unknown) => run());
    this.groupTx = db.transaction((group: QueuedWrite[]): Outcome[] =>
      group.map((w) => {
        try {
          return { ok: true, value: this.writeTx(w.run) };
        } catch (err) {
          if (err instanceof ConditionFailedError) return { ok: false, error: err };
          throw err;
        }
      }),
    ).immediate;
  }

  private versionOf(table: string, key: string): number | undefined {
    return this.stmtGet.get(table, key)?.[1];
  }

  private check(table: string, key: string, condition: WriteCondition | undefined): void {
    if (condition && !holds(this.versionOf(table, key), condition)) throw new ConditionFailedError(table, key);
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

  /** Queues a write for the next group commit; settles once that group has committed (or the write failed). */
  private write<T>(run: () => T): Promise<T> {
    if (this.closing) return Promise.reject(new TypeError('The database connection is not open'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, resolve: resolve as (value: never) => void, reject, deadline: Date.now() + this.retryForMs });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(this.flush);
      }
    });
  }

  private readonly flush = (): void => {
    const group = this.queue;
    this.queue = [];
    let outcomes: Outcome[];
    try {
      outcomes = this.groupTx(group);
    } catch (err) {
      if (isBusy(err)) return this.retryGroup(group, err);
      void this.replayOneByOne(group).then(this.next);
      return;
    }
    this.busyAttempt = 0;
    outcomes.forEach((o, i) => (o.ok ? group[i]!.resolve(o.value as never) : group[i]!.reject(o.error)));
    this.next();
  };

  /** Another process holds the write lock: the group goes back ahead of newer writes, minus those out of time. */
  private retryGroup(group: QueuedWrite[], err: unknown): void {
    const now = Date.now();
    const live = group.filter((w) => w.deadline >= now || (w.reject(err), false));
    this.queue = live.concat(this.queue);
    if (this.queue.length === 0) {
      this.busyAttempt = 0;
      return this.next();
    }
    const attempt = this.busyAttempt++;
    setTimeout(this.flush, Math.min(100, 2 ** attempt) * (0.5 + Math.random()));
  }

  /** After an error no condition explains: each write alone, in order, so only the one at fault fails. */
  private async replayOneByOne(group: QueuedWrite[]): Promise<void> {
    for (const w of group) {
      try {
        w.resolve((await this.retrying(() => this.writeTx.immediate(w.run))) as never);
      } catch (err) {
        w.reject(err);
      }
    }
  }

  private readonly next = (): void => {
    if (this.queue.length > 0) {
      setImmediate(this.flush);
      return;
    }
    this.flushing = false;
    for (const done of this.idle.splice(0)) done();
  };

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
    return this.write(() => {
      this.check(table, key, condition);
      return this.stmtUpsert.get(table, key, json)!;
    });
  }

  async delete(table: string, key: string, condition?: WriteCondition): Promise<boolean> {
    return this.write(() => {
      this.check(table, key, condition);
      return this.stmtDelete.run(table, key).changes > 0;
    });
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
    // Every condition is checked against the state before the batch, then every write applies.
    return this.write(() => {
      for (const op of ops) this.check(op.table, op.key, op.condition);
      ops.forEach((op, i) => {
        if (op.op === 'put') this.stmtUpsert.get(op.table, op.key, json[i]!);
        else if (op.op === 'delete') this.stmtDelete.run(op.table, op.key);
      });
    });
  }

  /**
   * Deletes every document in one transaction: readers see all of them or
   * none. Queued like any write, so writes called before it are cleared too.
   */
  async clear(): Promise<void> {
    await this.write(() => void this.stmtClear.run());
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

  /** Commits the writes already queued, then closes; later writes are refused. */
  async close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.flushing) await new Promise<void>((resolve) => this.idle.push(resolve));
      // Lets SQLite refresh planner statistics cheaply before the last connection goes.
      try {
        this.db.pragma('optimize');
      } catch {
        // best effort only
      }
      this.db.close();
    })();
    return this.closing;
  }
}
