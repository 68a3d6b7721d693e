/**
 * The durable queue of HTTP/S and email deliveries (`sns.deliveries`): one
 * document per message and subscription, keyed `<due time>/<id>` so that the
 * head of the table is what is due next. The write that adds one commits in
 * the publisher's batch, so an accepted message is never lost. A dispatcher
 * takes a row by moving it, in one conditional batch, to
 * `<lease expiry>/<id>`; if that process dies, the lease runs out and the row
 * is due again for any process (at-least-once, as SNS delivers). Nothing
 * here relies on an in-process lock.
 */
import { randomUUID } from 'node:crypto';
import { ConditionFailedError, type DocumentStore, type WriteOp } from '../../storage/types.js';
import { TABLES } from './contract.js';
import type { SnsMessage } from './envelope.js';

export interface DeliveryRow {
  id: string;
  protocol: 'http' | 'https' | 'email' | 'email-json';
  subscriptionArn: string;
  topicArn: string;
  /** The URL or the email address. */
  endpoint: string;
  /** The signed message; its Type says what is delivered. */
  message: SnsMessage;
  /** RawMessageDelivery (http/https Notifications): the body is the message alone. */
  raw?: boolean;
  /** For an UnsubscribeConfirmation (the subscription is gone by then): the policy it had. */
  subscriptionPolicy?: string;
  /** Attempts made so far. */
  attempts: number;
  enqueuedAt: number;
  lastError?: string;
  /** Throttled deliveries: the time slot this one waited for. */
  slot?: number;
  lease?: { owner: string; token: string };
}

export interface HeldRow {
  key: string;
  version: number;
  row: DeliveryRow;
}

const TIME_DIGITS = 15;

export function rowKey(time: number, id: string): string {
  return `${String(Math.max(0, Math.floor(time))).padStart(TIME_DIGITS, '0')}/${id}`;
}

export function keyTime(key: string): number {
  return Number(key.slice(0, TIME_DIGITS));
}

export function newRow(fields: Omit<DeliveryRow, 'id' | 'attempts' | 'enqueuedAt'>, now = Date.now()): DeliveryRow {
  return { id: randomUUID(), attempts: 0, enqueuedAt: now, ...fields };
}

/** The write that queues a row, due at once (for the caller's batch). */
export function enqueueOp(row: DeliveryRow, dueAt = Date.now()): WriteOp {
  return { op: 'put', table: TABLES.deliveries, key: rowKey(dueAt, row.id), value: row, condition: { ifNotExists: true } };
}

export async function peek(store: DocumentStore, limit: number): Promise<HeldRow[]> {
  return (await store.list<DeliveryRow>(TABLES.deliveries, { limit })).map((d) => ({ key: d.key, version: d.version, row: d.value }));
}

async function tryBatch(store: DocumentStore, ops: WriteOp[]): Promise<boolean> {
  try {
    await store.batch(ops);
    return true;
  } catch (err) {
    if (err instanceof ConditionFailedError && err.table === TABLES.deliveries) return false;
    throw err;
  }
}

/** Moves the row to `time` with `row` as its value, unless someone else moved it first. */
async function move(store: DocumentStore, held: HeldRow, row: DeliveryRow, time: number): Promise<HeldRow | undefined> {
  const key = rowKey(time, row.id);
  const ops: WriteOp[] =
    key === held.key
      ? [{ op: 'put', table: TABLES.deliveries, key, value: row, condition: { ifVersion: held.version } }]
      : [
          { op: 'delete', table: TABLES.deliveries, key: held.key, condition: { ifVersion: held.version } },
          { op: 'put', table: TABLES.deliveries, key, value: row, condition: { ifNotExists: true } },
        ];
  if (!(await tryBatch(store, ops))) return undefined;
  const after = await store.get<DeliveryRow>(TABLES.deliveries, key);
  if (!after || after.value.lease?.token !== row.lease?.token) return undefined;
  return { key, version: after.version, row: after.value };
}

/** Takes a due row for `leaseMs`; undefined when another dispatcher took it first. */
export function lease(store: DocumentStore, found: HeldRow, owner: string, leaseMs: number, now = Date.now()): Promise<HeldRow | undefined> {
  return move(store, found, { ...found.row, lease: { owner, token: randomUUID() } }, now + leaseMs);
}

/** Puts the row back, due at `dueAt`, with its updated fields. */
export async function reschedule(store: DocumentStore, held: HeldRow, row: DeliveryRow, dueAt: number): Promise<boolean> {
  const next = { ...row };
  delete next.lease;
  return (await move(store, held, next, dueAt)) !== undefined;
}

/** Removes a finished row, with `extra` writes (the mail it became), atomically. */
export function complete(store: DocumentStore, held: HeldRow, extra: WriteOp[] = []): Promise<boolean> {
  return tryBatch(store, [{ op: 'delete', table: TABLES.deliveries, key: held.key, condition: { ifVersion: held.version } }, ...extra]);
}
