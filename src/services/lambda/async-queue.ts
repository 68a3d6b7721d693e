/**
 * The durable queue behind asynchronous invocation (InvocationType=Event):
 * Invoke writes the event here before it answers 202, and dispatchers take
 * events from it with leases. Each event is one document in the
 * DocumentStore keyed `<due time>/<event id>`, so the head of the table is
 * what is due next. Taking an event moves it, in one conditional batch, to
 * `<lease expiry>/<id>`: a holder that dies simply lets its lease run out and
 * the event becomes due again for any process (at-least-once delivery, as on
 * Lambda). Correctness rests only on conditional writes, never on a lock.
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html
 */
import { randomUUID } from 'node:crypto';
import { ConditionFailedError, type DocumentStore, type WriteOp } from '../../storage/types.js';

export const ASYNC_EVENTS_TABLE = 'lambda.async-events';

/** What Lambda keeps of the last response, for destination records. */
export interface LastResponse {
  statusCode: number;
  executedVersion?: string;
  functionError?: string;
  /** The function's response or error, as text. */
  payload?: string;
}

export interface AsyncEvent {
  /** The request id of the Invoke call; retries keep it, as on Lambda. */
  id: string;
  accountId: string;
  region: string;
  functionName: string;
  /** As invoked: a version, an alias or $LATEST; undefined for the unqualified function. */
  qualifier?: string;
  /** The event (JSON text). */
  payload: string;
  clientContext?: string;
  /** Epoch ms of the Invoke call: the start of the event's age. */
  enqueuedAt: number;
  /** Invocations that reached the function (approximateInvokeCount). */
  attempts: number;
  /** Function errors so far, counted against MaximumRetryAttempts. */
  functionErrors: number;
  /** The last throttle/system-error backoff, in unscaled ms. */
  backoffMs?: number;
  lastResponse?: LastResponse;
  lease?: { owner: string; token: string };
  /** Set when an AWS service (S3, SNS) queued the event: Lambda checks the function policy allows it when it runs. */
  source?: { servicePrincipal: string; sourceArn: string; sourceAccount: string };
}

/** An event a dispatcher holds: where it lives now and at which version. */
export interface HeldEvent {
  key: string;
  version: number;
  event: AsyncEvent;
}

const TIME_DIGITS = 15;

export function eventKey(time: number, id: string): string {
  return `${String(Math.max(0, Math.floor(time))).padStart(TIME_DIGITS, '0')}/${id}`;
}

export function keyTime(key: string): number {
  return Number(key.slice(0, TIME_DIGITS));
}

type Listener = () => void;
const listeners = new Set<Listener>();

/** In-process hint that something was enqueued, so a dispatcher need not wait for its next poll. */
export function onEnqueued(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function notifyEnqueued(): void {
  for (const l of listeners) l();
}

export function newEvent(fields: Pick<AsyncEvent, 'accountId' | 'region' | 'functionName' | 'payload'> & Partial<AsyncEvent>): AsyncEvent {
  return { id: randomUUID(), enqueuedAt: Date.now(), attempts: 0, functionErrors: 0, ...fields };
}

/** The write that adds an event, due at once (for use in a larger batch). */
export function enqueueOp(event: AsyncEvent, dueAt = Date.now()): WriteOp {
  return { op: 'put', table: ASYNC_EVENTS_TABLE, key: eventKey(dueAt, event.id), value: event, condition: { ifNotExists: true } };
}

/** Durably queues an event; resolves once the store has it. */
export async function enqueue(docs: DocumentStore, event: AsyncEvent, dueAt = Date.now()): Promise<void> {
  await docs.batch([enqueueOp(event, dueAt)]);
  notifyEnqueued();
}

/** The first `limit` events in due order, due or not (the caller reads keyTime to know). */
export async function peek(docs: DocumentStore, limit: number): Promise<HeldEvent[]> {
  const docsFound = await docs.list<AsyncEvent>(ASYNC_EVENTS_TABLE, { limit });
  return docsFound.map((d) => ({ key: d.key, version: d.version, event: d.value }));
}

/**
 * Moves `current` to a new key (`time`), with `event` as its new value, as
 * long as nobody else moved it first. Returns where it now lives, or
 * undefined when another holder won.
 */
async function move(docs: DocumentStore, current: HeldEvent, event: AsyncEvent, time: number, extra: WriteOp[] = []): Promise<HeldEvent | undefined> {
  const key = eventKey(time, event.id);
  const ops: WriteOp[] = [{ op: 'delete', table: ASYNC_EVENTS_TABLE, key: current.key, condition: { ifVersion: current.version } }];
  ops.push({ op: 'put', table: ASYNC_EVENTS_TABLE, key, value: event, condition: key === current.key ? { ifVersion: current.version } : { ifNotExists: true } });
  if (key === current.key) ops.shift();
  ops.push(...extra);
  try {
    await docs.batch(ops);
  } catch (err) {
    if (err instanceof ConditionFailedError) return undefined;
    throw err;
  }
  const after = await docs.get<AsyncEvent>(ASYNC_EVENTS_TABLE, key);
  if (!after || after.value.lease?.token !== event.lease?.token) return undefined;
  return { key, version: after.version, event: after.value };
}

/** Takes a due event for `leaseMs`; undefined when another dispatcher took it first. */
export function lease(docs: DocumentStore, found: HeldEvent, owner: string, leaseMs: number, now = Date.now()): Promise<HeldEvent | undefined> {
  const event: AsyncEvent = { ...found.event, lease: { owner, token: randomUUID() } };
  return move(docs, found, event, now + leaseMs);
}

/** Extends a lease still held; undefined when it was lost. */
export function renew(docs: DocumentStore, held: HeldEvent, leaseMs: number, now = Date.now()): Promise<HeldEvent | undefined> {
  return move(docs, held, { ...held.event }, now + leaseMs);
}

/** Releases the event back to the queue, due at `dueAt`, with its updated fields. */
export async function reschedule(docs: DocumentStore, held: HeldEvent, event: AsyncEvent, dueAt: number): Promise<boolean> {
  const next = { ...event };
  delete next.lease;
  const key = eventKey(dueAt, event.id);
  const ops: WriteOp[] = key === held.key
    ? [{ op: 'put', table: ASYNC_EVENTS_TABLE, key, value: next, condition: { ifVersion: held.version } }]
    : [
        { op: 'delete', table: ASYNC_EVENTS_TABLE, key: held.key, condition: { ifVersion: held.version } },
        { op: 'put', table: ASYNC_EVENTS_TABLE, key, value: next, condition: { ifNotExists: true } },
      ];
  return tryBatch(docs, ops);
}

/** Removes a finished event, together with `extra` writes (e.g. a destination's event), atomically. */
export async function complete(docs: DocumentStore, held: HeldEvent, extra: WriteOp[] = []): Promise<boolean> {
  const done = await tryBatch(docs, [{ op: 'delete', table: ASYNC_EVENTS_TABLE, key: held.key, condition: { ifVersion: held.version } }, ...extra]);
  if (done && extra.length > 0) notifyEnqueued();
  return done;
}

async function tryBatch(docs: DocumentStore, ops: WriteOp[]): Promise<boolean> {
  try {
    await docs.batch(ops);
    return true;
  } catch (err) {
    if (err instanceof ConditionFailedError) return false;
    throw err;
  }
}
