/**
 * The embedded storage backend, Stratus's default: documents in one SQLite
 * file and blobs as plain files, all under one data directory. No server, no
 * cluster, yet several Stratus processes may share the directory: every
 * guarantee below rests on SQLite's file locks and on atomic rename(2), never
 * on an in-process lock.
 *
 * On-disk layout of `<dataDir>`:
 *   stratus.db, stratus.db-wal, stratus.db-shm
 *       SQLite in WAL mode (https://www.sqlite.org/wal.html). Table
 *       `documents(id, tbl, key, value JSON text, version)`, unique index
 *       on (tbl, key), keys compared as UTF-8 bytes. The schema version is
 *       `PRAGMA user_version` (see sqlite/migrations.ts).
 *   blobs/<h0h1>/<h2h3>/<sha256(key)>
 *       One file per blob; h = hex SHA-256 of the key's UTF-8 bytes.
 *   blobs/.tmp/<pid>.<random>.<host>
 *       Blob writes in flight; files of dead writers are removed at open.
 *
 * Durability with `synchronous: 'full'` (default): once a document write or
 * batch resolves, it is committed to the WAL and fsynced (F_FULLFSYNC on
 * macOS), so it survives kill -9 and power loss; once a blob write resolves,
 * the file and its directory entry are fsynced. With `'normal'`, resolved
 * writes survive a process crash (kill -9) but the most recent ones may be
 * lost on power loss or an OS crash; the database never corrupts and a
 * visible blob is never torn (its bytes are fsynced before the rename either
 * way). Atomicity: a batch is one SQLite transaction (all ops or none); a
 * blob write is a rename (readers see the old blob or the whole new one).
 * Documents and blobs are not transactional together: a service that points
 * a document at a blob writes the blob first, then the document.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FileBlobStore } from './files/blobs.js';
import { SqliteDocumentStore, type SynchronousMode } from './sqlite/documents.js';
import type { Storage } from './types.js';

export interface EmbeddedStorageOptions {
  /** Directory that holds everything; created if missing. */
  dataDir: string;
  /** 'full' (default) survives power loss; 'normal' survives process crashes only. */
  synchronous?: SynchronousMode;
}

export const DATABASE_FILE = 'stratus.db';
export const BLOB_DIR = 'blobs';

class EmbeddedStorage implements Storage {
  readonly kind = 'embedded' as const;
  private closed = false;

  constructor(
    readonly documents: SqliteDocumentStore,
    readonly blobs: FileBlobStore,
  ) {}

  async reset(): Promise<void> {
    // Documents first, in one transaction: a concurrent reader sees the old
    // state or the empty one. Blobs then go one atomic unlink at a time.
    await this.documents.clear();
    await this.blobs.clear();
  }

  async checkIntegrity(): Promise<string[]> {
    return [...(await this.documents.integrityProblems()), ...(await this.blobs.integrityProblems())];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.documents.close();
  }
}

export async function openEmbeddedStorage(options: EmbeddedStorageOptions): Promise<Storage> {
  const synchronous = options.synchronous ?? 'full';
  await mkdir(options.dataDir, { recursive: true });
  const documents = await SqliteDocumentStore.open(join(options.dataDir, DATABASE_FILE), { synchronous });
  try {
    const blobs = await FileBlobStore.open(join(options.dataDir, BLOB_DIR), { syncDirectories: synchronous === 'full' });
    return new EmbeddedStorage(documents, blobs);
  } catch (err) {
    await documents.close();
    throw err;
  }
}
