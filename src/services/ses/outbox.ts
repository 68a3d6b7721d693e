/**
 * The SMTP relay's durable outbox: accepting a message writes, in the same
 * batch as the message, one entry keyed `<due time>/<message id>`, so the
 * head of the table is what is due next. A relay takes an entry by moving it
 * to `<lease expiry>/<id>` with a conditional batch; if that relay dies the
 * lease runs out and the entry is due again (at-least-once, like an MTA's
 * queue). Nothing here relies on an in-process lock.
 */
import { randomUUID } from 'node:crypto';
import { ConditionFailedError, type DocumentStore, type WriteOp } from '../../storage/types.js';
import { TABLES } from './common.js';

export interface OutboxEntry {
  id: string;
  /** Epoch ms the message was accepted: its age decides when the relay gives up. */
  enqueuedAt: number;
  attempts: number;
  lease?: string;
}

export interface HeldEntry {
  key: string;
  version: number;
  entry: OutboxEntry;
}

const DIGITS = 15;

export const outboxKey = (time: number, id: string) => `${String(Math.max(0, Math.floor(time))).padStart(DIGITS, '0')}/${id}`;
export const keyTime = (key: string) => Number(key.slice(0, DIGITS));

export function enqueueOp(id: string, now: number): WriteOp {
  const entry: OutboxEntry = { id, enqueuedAt: now, attempts: 0 };
  return { op: 'put', table: TABLES.outbox, key: outboxKey(now, id), value: entry, condition: { ifNotExists: true } };
}

type Listener = () => void;
const listeners = new Set<Listener>();

/** In-process hint that a message was queued, so the relay need not wait for its next poll. */
export function onQueued(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function notifyQueued(): void {
  for (const l of listeners) l();
}

export async function peek(store: DocumentStore, limit: number): Promise<HeldEntry[]> {
  const found = await store.list<OutboxEntry>(TABLES.outbox, { limit });
  return found.map((d) => ({ key: d.key, version: d.version, entry: d.value }));
}

async function tryBatch(store: DocumentStore, ops: WriteOp[]): Promise<boolean> {
  try {
    await store.batch(ops);
    return true;
  } catch (err) {
    if (err instanceof ConditionFailedError) return false;
    throw err;
  }
}

/** Moves an entry to `time` with a new value (and `extra` writes, atomically), unless someone else moved it first. */
async function move(store: DocumentStore, held: HeldEntry, entry: OutboxEntry, time: number, extra: WriteOp[] = []): Promise<HeldEntry | undefined> {
  const key = outboxKey(time, entry.id);
  const ops: WriteOp[] =
    key === held.key
      ? [{ op: 'put', table: TABLES.outbox, key, value: entry, condition: { ifVersion: held.version } }]
      : [
          { op: 'delete', table: TABLES.outbox, key: held.key, condition: { ifVersion: held.version } },
          { op: 'put', table: TABLES.outbox, key, value: entry, condition: { ifNotExists: true } },
        ];
  if (!(await tryBatch(store, [...ops, ...extra]))) return undefined;
  const after = await store.get<OutboxEntry>(TABLES.outbox, key);
  if (!after || after.value.lease !== entry.lease) return undefined;
  return { key, version: after.version, entry: after.value };
}

export function lease(store: DocumentStore, held: HeldEntry, leaseMs: number, now = Date.now()): Promise<HeldEntry | undefined> {
  return move(store, held, { ...held.entry, lease: randomUUID() }, now + leaseMs);
}

/** Puts the entry back, due at `dueAt`, with its attempt count; `extra` is written in the same batch. */
export async function reschedule(store: DocumentStore, held: HeldEntry, attempts: number, dueAt: number, extra: WriteOp[] = []): Promise<boolean> {
  const entry: OutboxEntry = { ...held.entry, attempts };
  delete entry.lease;
  return (await move(store, held, entry, dueAt, extra)) !== undefined;
}

/** Removes a finished entry, with `extra` writes, atomically. */
export function complete(store: DocumentStore, held: HeldEntry, extra: WriteOp[] = []): Promise<boolean> {
  return tryBatch(store, [{ op: 'delete', table: TABLES.outbox, key: held.key, condition: { ifVersion: held.version } }, ...extra]);
}

/** Every entry of a message (to cancel its delivery when the inbox is cleared). */
export async function entriesFor(store: DocumentStore, ids: Set<string>): Promise<string[]> {
  const keys: string[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await store.list<OutboxEntry>(TABLES.outbox, { after, limit: 500 });
    for (const d of page) if (ids.has(d.value.id)) keys.push(d.key);
    if (page.length < 500) return keys;
    after = page[page.length - 1]!.key;
  }
}
