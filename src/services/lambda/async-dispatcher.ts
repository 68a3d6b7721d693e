/**
 * The asynchronous-invocation dispatcher: takes due events from the durable
 * queue (async-queue.ts) with a lease, runs them through the function engine
 * with invocationType 'Event', and applies Lambda's error handling. A function
 * error is retried MaximumRetryAttempts times (default 2), after 1 and then
 * 2 minutes; throttles and system errors are retried with a backoff from 1 s
 * to 5 min until the event is older than MaximumEventAgeInSeconds (default
 * 6 h); all delays are divided by timeScale. Success and final failure send an
 * invocation record to the OnSuccess/OnFailure destination (a Lambda function
 * or an SNS topic), and a final failure also goes to the DeadLetterConfig's
 * SNS topic (destinations.ts); with neither it is dropped (and logged). What
 * they send commits in the batch that removes the event.
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
 */
import { randomUUID } from 'node:crypto';
import { isServiceError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { FunctionEngine, InvokeResult } from '../../functions/types.js';
import type { Authorizer } from '../../identity/authorizer.js';
import type { Directory } from '../../identity/types.js';
import type { BlobStore, DocumentStore, WriteOp } from '../../storage/types.js';
import { serviceMayInvoke } from './service-invoke.js';
import { ASYNC_EVENTS_TABLE, complete, enqueueOp, keyTime, lease, newEvent, onEnqueued, peek, renew, reschedule, type AsyncEvent, type HeldEvent, type LastResponse } from './async-queue.js';
import { resolve } from './common.js';
import type { EventInvokeRecord, VersionRecord } from './models.js';
import { toFunctionSpec } from './models.js';
import { childKey, functionArn, LATEST, parseFunctionArn, versionKey, type FunctionRef } from './names.js';
import { functionPolicy } from './permissions.js';
import { deadLetterAttributes, executionPrincipal, type FailureCause, type SnsPublisher } from './destinations.js';
import { LambdaStore, TABLES } from './store.js';

/** Lambda's defaults and limits for asynchronous invocation. */
const DEFAULT_RETRIES = 2;
const DEFAULT_MAX_AGE_S = 6 * 3600;
const FUNCTION_ERROR_DELAYS_MS = [60_000, 120_000];
const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 300_000;

export interface AsyncDispatcherOptions {
  store: DocumentStore;
  blobs: BlobStore;
  engine: FunctionEngine;
  directory: Directory;
  authorizer: Authorizer;
  /** Divides retry delays and event ages (1 = real time). */
  timeScale: number;
  log: Logger;
  /** How long a taken event stays this dispatcher's without renewal (real ms; default 5 s). */
  leaseMs?: number;
  /** Longest wait between looks at the queue (default 500 ms). */
  pollMs?: number;
  /** Invocations in flight at once across functions (default 32). */
  maxInFlight?: number;
  /** SNS topics as destinations and dead-letter queues; absent when SNS is not wired. */
  sns?: SnsPublisher;
}

export interface AsyncDispatcher {
  /** Stops taking events and waits for those in flight to settle. */
  close(): Promise<void>;
}

type Condition = 'Success' | 'RetriesExhausted' | 'EventAgeExceeded';

/** The invocation record Lambda sends to destinations. */
export function destinationRecord(event: AsyncEvent, condition: Condition, executedArnQualifier: string): Record<string, unknown> {
  const record: Record<string, unknown> = {
    version: '1.0',
    timestamp: new Date().toISOString(),
    requestContext: {
      requestId: event.id,
      functionArn: functionArn({ accountId: event.accountId, region: event.region, name: event.functionName }, executedArnQualifier),
      condition,
      approximateInvokeCount: event.attempts,
    },
    requestPayload: parseJson(event.payload),
  };
  const r = event.lastResponse;
  if (r) {
    const responseContext: Record<string, unknown> = { statusCode: r.statusCode, executedVersion: r.executedVersion ?? null };
    if (r.functionError) responseContext.functionError = r.functionError;
    record.responseContext = responseContext;
    if (r.payload !== undefined) record.responsePayload = parseJson(r.payload);
  }
  return record;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function startAsyncDispatcher(o: AsyncDispatcherOptions): AsyncDispatcher {
  const db = new LambdaStore(o.store, o.blobs, 50);
  const owner = randomUUID();
  const scale = Math.max(o.timeScale, 1e-9);
  const leaseMs = o.leaseMs ?? 5000;
  const pollMs = o.pollMs ?? 500;
  const maxInFlight = o.maxInFlight ?? 32;
  const inFlight = new Map<string, Promise<void>>();
  const perFunction = new Map<string, number>();
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let scanning = false;
  let again = false;

  const wake = () => {
    if (closed) return;
    if (scanning) {
      again = true;
      return;
    }
    if (timer) clearTimeout(timer);
    timer = undefined;
    void scan();
  };
  const unsubscribe = onEnqueued(wake);

  const sleep = (ms: number) => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(wake, Math.max(0, Math.min(ms, pollMs)));
    timer.unref();
  };

  async function capacityFor(e: AsyncEvent): Promise<number> {
    const fn = await db.getFunction({ accountId: e.accountId, region: e.region, name: e.functionName }).catch(() => undefined);
    // Reserved concurrency caps how many of this function's events are worth taking at once; 0 still takes
    // one so that throttling (and the event's age) runs its course as on Lambda.
    return Math.max(1, Math.min(fn?.value.reservedConcurrency ?? maxInFlight, maxInFlight));
  }

  async function scan(): Promise<void> {
    scanning = true;
    let nextDue = Date.now() + pollMs;
    try {
      const head = await peek(o.store, Math.max(64, maxInFlight * 2));
      const now = Date.now();
      for (const found of head) {
        if (closed) break;
        const due = keyTime(found.key);
        if (due > now) {
          nextDue = Math.min(nextDue, due);
          break;
        }
        if (inFlight.size >= maxInFlight) break;
        if (inFlight.has(found.event.id)) continue;
        const fnKey = `${found.event.accountId}/${found.event.region}/${found.event.functionName}`;
        if ((perFunction.get(fnKey) ?? 0) >= (await capacityFor(found.event))) continue;
        const held = await lease(o.store, found, owner, leaseMs);
        if (!held) continue;
        perFunction.set(fnKey, (perFunction.get(fnKey) ?? 0) + 1);
        const run = process(held)
          .catch((err: unknown) => o.log.error('asynchronous invocation failed in the dispatcher', { err, requestId: held.event.id }))
          .finally(() => {
            inFlight.delete(held.event.id);
            perFunction.set(fnKey, (perFunction.get(fnKey) ?? 1) - 1);
            wake();
          });
        inFlight.set(held.event.id, run);
      }
    } catch (err) {
      if (!closed) o.log.warn('could not read the asynchronous invocation queue', { err });
    } finally {
      scanning = false;
    }
    if (again) {
      again = false;
      return scan();
    }
    sleep(nextDue - Date.now());
  }

  /** Keeps the lease alive while the function runs; `current()` is where the event lives now. */
  function keepLease(held: HeldEvent): { current: () => HeldEvent | undefined; stop: () => void } {
    let current: HeldEvent | undefined = held;
    let stopped = false;
    const tick = setInterval(() => {
      if (!current || stopped) return;
      void renew(o.store, current, leaseMs).then(
        (next) => {
          if (!stopped) current = next;
        },
        () => undefined,
      );
    }, Math.max(50, leaseMs / 3));
    tick.unref();
    return { current: () => current, stop: () => ((stopped = true), clearInterval(tick)) };
  }

  async function process(held: HeldEvent): Promise<void> {
    const e = held.event;
    const ref: FunctionRef = { accountId: e.accountId, region: e.region, name: e.functionName, ...(e.qualifier ? { qualifier: e.qualifier } : {}) };
    let resolved;
    try {
      resolved = await resolve(db, ref);
    } catch (err) {
      o.log.warn('dropping an asynchronous event: its function no longer exists', { requestId: e.id, function: functionArn(ref, ref.qualifier), err: (err as Error).message });
      await complete(o.store, held);
      return;
    }
    // A service's event runs only while the function's policy still lets that service invoke it, as on AWS.
    if (e.source && !(await serviceMayInvoke(o.store, functionArn(ref, ref.qualifier), e.source))) {
      o.log.warn('dropping an asynchronous event: the function policy does not allow its source', { requestId: e.id, function: functionArn(ref, ref.qualifier), source: e.source.sourceArn });
      await complete(o.store, held);
      return;
    }
    const cfg = (await o.store.get<EventInvokeRecord>(TABLES.eventInvoke, childKey(ref, ref.qualifier ?? LATEST)))?.value;
    const maxRetries = cfg?.maximumRetryAttempts ?? DEFAULT_RETRIES;
    const maxAgeMs = ((cfg?.maximumEventAgeInSeconds ?? DEFAULT_MAX_AGE_S) * 1000) / scale;
    const finish = (h: HeldEvent, ev: AsyncEvent, condition: Condition, version: VersionRecord, cause?: FailureCause) => deliver(h, ev, condition, cfg, version, cause);

    if (Date.now() - e.enqueuedAt > maxAgeMs) return finish(held, e, 'EventAgeExceeded', resolved.version);

    let version = resolved.version;
    const weights = resolved.alias?.weights;
    if (weights) {
      const [other, weight] = Object.entries(weights)[0] ?? [];
      if (other !== undefined && weight !== undefined && Math.random() < weight) version = (await db.getVersion(ref, versionKey(ref, other))) ?? version;
    }

    const leaseKeeper = keepLease(held);
    let result: InvokeResult | undefined;
    let failure: unknown;
    try {
      if (version.state !== 'Active') throw new Error(`the function is ${version.state}`);
      result = await o.engine.invoke({
        fn: toFunctionSpec(version, resolved.fn.value.reservedConcurrency),
        payload: Buffer.from(e.payload),
        requestId: e.id,
        invokedArn: functionArn(ref, ref.qualifier),
        ...(e.clientContext ? { clientContext: e.clientContext } : {}),
        tailLog: false,
        invocationType: 'Event',
      });
    } catch (err) {
      failure = err;
    } finally {
      leaseKeeper.stop();
    }
    const current = leaseKeeper.current();
    if (!current) {
      o.log.warn('lost the lease of an asynchronous event while it ran; another dispatcher will run it again', { requestId: e.id });
      return;
    }

    const now = Date.now();
    if (result) {
      const lastResponse: LastResponse = { statusCode: 200, executedVersion: result.executedVersion, payload: result.payload.toString('utf8') };
      if (result.functionError) lastResponse.functionError = result.functionError;
      const next: AsyncEvent = { ...current.event, attempts: e.attempts + 1, lastResponse };
      if (!result.functionError) return finish(current, next, 'Success', version);
      next.functionErrors = e.functionErrors + 1;
      if (next.functionErrors > maxRetries) return finish(current, next, 'RetriesExhausted', version);
      const delay = FUNCTION_ERROR_DELAYS_MS[Math.min(next.functionErrors - 1, FUNCTION_ERROR_DELAYS_MS.length - 1)]! / scale;
      if (now + delay - e.enqueuedAt > maxAgeMs) return finish(current, next, 'EventAgeExceeded', version);
      await reschedule(o.store, current, next, now + delay);
      return;
    }

    // Throttles (429) and system errors: back off, doubling from 1 s to 5 min, while the event is young enough.
    const backoffMs = Math.min(BACKOFF_MAX_MS, Math.max(BACKOFF_MIN_MS, (e.backoffMs ?? 0) * 2));
    const throttled = isServiceError(failure) && failure.status === 429;
    o.log[throttled ? 'debug' : 'warn']('asynchronous invocation will be retried', { requestId: e.id, throttled, err: failure instanceof Error ? failure.message : String(failure) });
    const next: AsyncEvent = { ...current.event, backoffMs };
    const cause: FailureCause = throttled ? { statusCode: 429, message: 'Rate Exceeded.' } : { statusCode: 500, message: failure instanceof Error ? failure.message : String(failure) };
    if (now + backoffMs / scale - e.enqueuedAt > maxAgeMs) return finish(current, next, 'EventAgeExceeded', version, cause);
    await reschedule(o.store, current, next, now + backoffMs / scale);
  }

  /**
   * Ends an event: the destination for its outcome and, on failure, the
   * dead-letter queue (AWS sends to both when both are set), removed in one
   * batch with the event. When that batch fails although the event is still
   * ours (a topic deleted meanwhile, a FIFO counter that moved), the writes
   * are computed again.
   */
  async function deliver(held: HeldEvent, e: AsyncEvent, condition: Condition, cfg: EventInvokeRecord | undefined, version: VersionRecord, cause?: FailureCause): Promise<void> {
    const fields = { requestId: e.id, function: functionArn({ accountId: e.accountId, region: e.region, name: e.functionName }, e.qualifier), condition };
    const destination = condition === 'Success' ? cfg?.onSuccess : cfg?.onFailure;
    for (let attempt = 1; ; attempt++) {
      const extra: WriteOp[] = [];
      let published = false;
      if (destination) {
        const record = destinationRecord(e, condition, e.lastResponse?.executedVersion ?? e.qualifier ?? LATEST);
        const out = await destinationOps(destination, record, version, fields);
        extra.push(...out.ops);
        published ||= out.sns;
      }
      if (condition !== 'Success' && version.deadLetterTargetArn) {
        const out = await deadLetterOps(version.deadLetterTargetArn, e, version, fields, cause);
        extra.push(...out.ops);
        published ||= out.sns;
      }
      if (condition !== 'Success' && !destination && !version.deadLetterTargetArn) o.log.warn('asynchronous event dropped after its last attempt', { ...fields, attempts: e.attempts });
      if (await complete(o.store, held, extra)) {
        if (published) o.sns?.wake();
        return;
      }
      const still = await o.store.get(ASYNC_EVENTS_TABLE, held.key);
      if (extra.length === 0 || still?.version !== held.version || attempt >= 5) {
        o.log.warn('an asynchronous event changed hands before it could be completed; it may run again', fields);
        return;
      }
    }
  }

  /** The writes that send a record to a Lambda function or an SNS topic destination; other kinds are logged and dropped. */
  async function destinationOps(arn: string, record: Record<string, unknown>, version: VersionRecord, fields: Record<string, unknown>): Promise<{ ops: WriteOp[]; sns: boolean }> {
    const none = { ops: [], sns: false };
    const service = arn.split(':')[2];
    if (service === 'sns' && o.sns) {
      const ops = await publishAsRole(arn, { message: JSON.stringify(record) }, version, { ...fields, destination: arn });
      return { ops, sns: ops.length > 0 };
    }
    if (service !== 'lambda') {
      o.log.warn(`destination ${arn} is not supported by Stratus yet (only Lambda functions and SNS topics are); the record is dropped`, fields);
      return none;
    }
    const target = parseFunctionArn(arn);
    if (!target) return none;
    if (!(await roleMayInvoke(version, arn))) {
      o.log.warn(`the execution role ${version.role} is not allowed lambda:InvokeFunction on destination ${arn}; the record is dropped`, fields);
      return none;
    }
    const event = newEvent({ accountId: target.accountId, region: target.region, functionName: target.name, payload: JSON.stringify(record), ...(target.qualifier ? { qualifier: target.qualifier } : {}) });
    return { ops: [enqueueOp(event)], sns: false };
  }

  /** A dead-letter topic gets the event itself, with why it failed as message attributes. */
  async function deadLetterOps(arn: string, e: AsyncEvent, version: VersionRecord, fields: Record<string, unknown>, cause?: FailureCause): Promise<{ ops: WriteOp[]; sns: boolean }> {
    if (arn.split(':')[2] !== 'sns' || !o.sns) {
      o.log.warn(`dead-letter queue ${arn} is not supported by Stratus yet (only SNS topics are; SQS is not built); the event is dropped`, fields);
      return { ops: [], sns: false };
    }
    const ops = await publishAsRole(arn, { message: e.payload, messageAttributes: deadLetterAttributes(e, cause) }, version, { ...fields, deadLetterQueue: arn });
    return { ops, sns: ops.length > 0 };
  }

  /** SNS's writes for a message Lambda publishes with the execution role; a refusal is logged and the message dropped, as on AWS. */
  async function publishAsRole(topicArn: string, msg: Parameters<SnsPublisher['publishOps']>[1], version: VersionRecord, fields: Record<string, unknown>): Promise<WriteOp[]> {
    const principal = await executionPrincipal(o.directory, version);
    if (!principal) {
      o.log.warn(`the execution role ${version.role} no longer exists; nothing is published to ${topicArn}`, fields);
      return [];
    }
    const result = await o.sns!.publishOps(topicArn, msg, principal);
    if (result.ok) return result.ops;
    o.log.warn(`could not publish to ${topicArn} with the execution role ${version.role}; the message is dropped`, { ...fields, code: result.code, reason: result.message });
    return [];
  }

  /** Lambda sends destination records with the function's execution role, which must allow the call. */
  async function roleMayInvoke(version: VersionRecord, arn: string): Promise<boolean> {
    const principal = await executionPrincipal(o.directory, version);
    if (!principal) return false;
    const result = await o.authorizer.authorize({
      principal,
      action: 'lambda:InvokeFunction',
      resources: [arn],
      context: {},
      resourcePolicy: (resource) => functionPolicy(o.store, resource),
    });
    return result.allowed;
  }

  wake();
  return {
    async close() {
      closed = true;
      unsubscribe();
      if (timer) clearTimeout(timer);
      await Promise.allSettled([...inFlight.values()]);
    },
  };
}
