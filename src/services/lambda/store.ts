/**
 * Lambda's state in the DocumentStore, keyed by account and region, and the
 * function lifecycle that AWS exposes as State and LastUpdateStatus. Every
 * change to a function or to anything under it (versions, aliases, policies,
 * event-invoke configurations) is one atomic batch conditioned on the
 * function document's version, so concurrent writers serialize through the
 * store and a DeleteFunction never leaves children behind.
 *
 * Lifecycle: a create or an update leaves the version Pending (or its update
 * InProgress); it settles once its package has been checked in the blob store,
 * after a short delay, through a timer and, should the process have stopped
 * meanwhile, on the next read. Settling assigns a new RevisionId, as on AWS.
 * https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html
 */
import { randomUUID } from 'node:crypto';
import { ConditionFailedError, type BlobStore, type DocumentStore, type StoredDocument, type WriteOp } from '../../storage/types.js';
import { functionArn, functionKey, type FunctionRef } from './names.js';
import { functionNotFound, notReady, updateInProgress } from './errors.js';
import type { FunctionRecord, VersionRecord } from './models.js';

export const TABLES = {
  functions: 'lambda.functions',
  versions: 'lambda.versions',
  aliases: 'lambda.aliases',
  policies: 'lambda.policies',
  eventInvoke: 'lambda.event-invoke',
  accounts: 'lambda.accounts',
} as const;

type Ref = Pick<FunctionRef, 'accountId' | 'region' | 'name'>;

const MAX_ATTEMPTS = 12;

export interface Mutation<T> {
  /** The function's new document; null deletes it; undefined rewrites it unchanged (to serialize child writes). */
  value?: FunctionRecord | null;
  ops?: WriteOp[];
  result: T;
}

let localWrites = 0;
/**
 * How many function configuration writes (every `mutate`) this process has committed, through any
 * LambdaStore. Short-lived read caches (service-invoke.ts) drop what they read before the count
 * moved, so this process sees its own writes at once; other processes' writes show after the
 * caches' TTL.
 */
export const localWriteCount = (): number => localWrites;

export class LambdaStore {
  constructor(
    readonly docs: DocumentStore,
    readonly blobs: BlobStore,
    /** How long a create or update stays Pending/InProgress before it may settle. */
    readonly settleDelayMs: number,
  ) {}

  async getFunction(ref: Ref): Promise<StoredDocument<FunctionRecord> | undefined> {
    const doc = await this.docs.get<FunctionRecord>(TABLES.functions, functionKey(ref));
    if (doc && isDue(doc.value.latest)) return (await this.settleLatest(ref)) ?? doc;
    return doc;
  }

  async requireFunction(ref: Ref, qualifierForError?: string): Promise<StoredDocument<FunctionRecord>> {
    const doc = await this.getFunction(ref);
    if (!doc) throw functionNotFound(functionArn(ref, qualifierForError));
    return doc;
  }

  async getVersion(ref: Ref, key: string): Promise<VersionRecord | undefined> {
    const doc = await this.docs.get<VersionRecord>(TABLES.versions, key);
    if (doc && isDue(doc.value)) {
      const settled = await settle(this.blobs, doc.value);
      await this.docs.put(TABLES.versions, key, settled, { ifVersion: doc.version }).catch(ignoreConflict);
      return (await this.docs.get<VersionRecord>(TABLES.versions, key))?.value;
    }
    return doc?.value;
  }

  /**
   * Read-modify-write of a function and its children as one batch, retried
   * when another writer got there first. `change` sees the current document
   * (it throws ResourceNotFound itself when that matters).
   */
  async mutate<T>(ref: Ref, change: (current: StoredDocument<FunctionRecord> | undefined) => Promise<Mutation<T>> | Mutation<T>): Promise<T> {
    const key = functionKey(ref);
    for (let attempt = 0; ; attempt++) {
      const current = await this.getFunction(ref);
      const m = await change(current);
      const ops: WriteOp[] = [];
      if (m.value === null) {
        if (current) ops.push({ op: 'delete', table: TABLES.functions, key, condition: { ifVersion: current.version } });
      } else {
        const value = m.value ?? current?.value;
        if (value) ops.push({ op: 'put', table: TABLES.functions, key, value, condition: current ? { ifVersion: current.version } : { ifNotExists: true } });
      }
      ops.push(...(m.ops ?? []));
      try {
        if (ops.length > 0) {
          try {
            await this.docs.batch(ops);
          } finally {
            // Also on failure: a batch may have committed before its error reached us.
            localWrites++;
          }
        }
        return m.result;
      } catch (err) {
        if (!(err instanceof ConditionFailedError) || attempt >= MAX_ATTEMPTS) throw err;
        await new Promise((r) => setTimeout(r, Math.random() * 5 * (attempt + 1)));
      }
    }
  }

  /** Settles $LATEST (and a version, when given) once their delay has passed, without waiting for a read. */
  scheduleSettle(ref: Ref, versionKey?: string): void {
    const timer = setTimeout(() => {
      void this.getFunction(ref).catch(() => undefined);
      if (versionKey) void this.getVersion(ref, versionKey).catch(() => undefined);
    }, this.settleDelayMs + 5);
    timer.unref();
  }

  private async settleLatest(ref: Ref): Promise<StoredDocument<FunctionRecord> | undefined> {
    const key = functionKey(ref);
    const doc = await this.docs.get<FunctionRecord>(TABLES.functions, key);
    if (!doc || !isDue(doc.value.latest)) return doc;
    const latest = await settle(this.blobs, doc.value.latest);
    await this.docs.put(TABLES.functions, key, { ...doc.value, latest }, { ifVersion: doc.version }).catch(ignoreConflict);
    return this.docs.get<FunctionRecord>(TABLES.functions, key);
  }

  /** Every document under a prefix, in key order. */
  async listAll<T>(table: string, prefix: string): Promise<StoredDocument<T>[]> {
    const out: StoredDocument<T>[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.docs.list<T>(table, { prefix, after, limit: 500 });
      out.push(...page);
      if (page.length < 500) return out;
      after = page[page.length - 1]!.key;
    }
  }
}

function ignoreConflict(err: unknown): void {
  if (!(err instanceof ConditionFailedError)) throw err;
}

export function isDue(v: VersionRecord, now = Date.now()): boolean {
  return (v.state === 'Pending' || v.lastUpdateStatus === 'InProgress') && (v.settleAfter ?? 0) <= now;
}

/** A version after its package check: Active and Successful, or Failed when the package has gone. */
async function settle(blobs: BlobStore, v: VersionRecord): Promise<VersionRecord> {
  const info = await blobs.stat(v.code.blobKey);
  const ok = info !== undefined && info.size === v.code.size;
  const next: VersionRecord = { ...v, revisionId: randomUUID() };
  delete next.settleAfter;
  delete next.stateReason;
  delete next.stateReasonCode;
  delete next.lastUpdateStatusReason;
  delete next.lastUpdateStatusReasonCode;
  if (ok) {
    next.state = 'Active';
    next.lastUpdateStatus = 'Successful';
  } else if (v.state === 'Pending') {
    next.state = 'Failed';
    next.stateReason = 'Lambda was unable to read the function code.';
    next.stateReasonCode = 'InternalError';
    next.lastUpdateStatus = 'Failed';
  } else {
    next.lastUpdateStatus = 'Failed';
    next.lastUpdateStatusReason = 'Lambda was unable to read the function code.';
    next.lastUpdateStatusReasonCode = 'InternalError';
  }
  return next;
}

/** Marks a new $LATEST or version as being created. */
export function pending(v: VersionRecord, delayMs: number): VersionRecord {
  return {
    ...v,
    state: 'Pending',
    stateReason: 'The function is being created.',
    stateReasonCode: 'Creating',
    lastUpdateStatus: 'InProgress',
    settleAfter: Date.now() + delayMs,
  };
}

/** Marks $LATEST as being updated; AWS words the reason as for a creation. */
export function updating(v: VersionRecord, delayMs: number): VersionRecord {
  return {
    ...v,
    lastUpdateStatus: 'InProgress',
    lastUpdateStatusReason: 'The function is being created.',
    lastUpdateStatusReasonCode: 'Creating',
    settleAfter: Date.now() + delayMs,
  };
}

/** Updates need a settled function: Pending refuses them, as does an update in progress. */
export function assertUpdatable(fn: FunctionRecord): void {
  const arn = functionArn({ accountId: fn.accountId, region: fn.region, name: fn.name });
  if (fn.latest.state === 'Pending') throw notReady('Pending');
  if (fn.latest.lastUpdateStatus === 'InProgress') throw updateInProgress(arn);
}
