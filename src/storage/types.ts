/**
 * Storage contracts. Every service keeps its state through these interfaces so
 * that the embedded backend (SQLite + local files) and the cluster backend
 * (PostgreSQL + NATS JetStream) are interchangeable. Correctness never relies
 * on an in-process lock: uniqueness and read-modify-write go through the
 * conditional writes and atomic batches below, which both backends can honour
 * across processes and machines.
 */
import type { Readable } from 'node:stream';

export interface StoredDocument<T = unknown> {
  key: string;
  value: T;
  /** Increases on every write of the key; used for optimistic concurrency. */
  version: number;
}

/** A write's precondition. Absent: unconditional. */
export type WriteCondition = { ifNotExists: true } | { ifVersion: number } | { ifExists: true };

export type WriteOp =
  | { op: 'put'; table: string; key: string; value: unknown; condition?: WriteCondition }
  | { op: 'delete'; table: string; key: string; condition?: WriteCondition }
  /** Asserts a key's state without writing it (e.g. "the user still exists"). */
  | { op: 'check'; table: string; key: string; condition: WriteCondition };

export interface ListOptions {
  /** Only keys starting with this string. */
  prefix?: string;
  /** Only keys strictly greater than this one (pagination cursor). */
  after?: string;
  limit?: number;
}

/** Raised when a write's condition does not hold; nothing of the batch was written. */
export class ConditionFailedError extends Error {
  constructor(
    readonly table: string,
    readonly key: string,
  ) {
    super(`condition failed on ${table}/${key}`);
    this.name = 'ConditionFailedError';
  }
}

/**
 * JSON documents in named tables, ordered by key (binary order). Tables exist
 * on first use. Values must be JSON-serialisable.
 */
export interface DocumentStore {
  get<T>(table: string, key: string): Promise<StoredDocument<T> | undefined>;
  /** Returns the new version. Throws ConditionFailedError. */
  put(table: string, key: string, value: unknown, condition?: WriteCondition): Promise<number>;
  /** Returns whether a document was deleted. Throws ConditionFailedError. */
  delete(table: string, key: string, condition?: WriteCondition): Promise<boolean>;
  list<T>(table: string, options?: ListOptions): Promise<StoredDocument<T>[]>;
  /** All ops or none. Throws ConditionFailedError naming the first failed op. */
  batch(ops: WriteOp[]): Promise<void>;
}

export interface BlobInfo {
  size: number;
}

/**
 * Immutable byte objects (function code, object data). A write is atomic: a
 * reader sees the whole blob or nothing, and a failed or aborted stream leaves
 * nothing behind. Keys are opaque, slash-separated strings.
 */
export interface BlobStore {
  write(key: string, data: Readable | Buffer): Promise<BlobInfo>;
  /** `end` is inclusive, as in HTTP ranges. Returns undefined when absent. */
  read(key: string, range?: { start: number; end: number }): Promise<Readable | undefined>;
  stat(key: string): Promise<BlobInfo | undefined>;
  delete(key: string): Promise<void>;
}

/** One backend's whole state. */
export interface Storage {
  readonly kind: 'embedded' | 'cluster';
  readonly documents: DocumentStore;
  readonly blobs: BlobStore;
  /** Wipes every table and blob (POST /_stratus/reset). */
  reset(): Promise<void>;
  /** Runs the backend's own consistency check; returns problems found (empty when sound). */
  checkIntegrity(): Promise<string[]>;
  close(): Promise<void>;
}
