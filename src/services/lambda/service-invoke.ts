/**
 * Invocations by other AWS services: S3 event notifications (asynchronous)
 * and API Gateway integrations and authorizers (synchronous). As on AWS, a
 * service may invoke a function only when the function's resource policy
 * allows its service principal, usually with aws:SourceArn /
 * aws:SourceAccount conditions. Asynchronous events go through the same
 * durable queue as Invoke with InvocationType=Event; synchronous ones run
 * like Invoke with RequestResponse.
 * https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html
 * https://docs.aws.amazon.com/lambda/latest/dg/with-s3.html
 */
import { compilePolicy, evaluate, type CompiledPolicy } from '../../identity/policy/index.js';
import { resolve, type Resolved } from './common.js';
import type { FunctionEngine, InvokeResult } from '../../functions/types.js';
import type { DocumentStore, WriteOp } from '../../storage/types.js';
import { enqueueOp, newEvent, notifyEnqueued } from './async-queue.js';
import { functionKey, parseFunctionArn } from './names.js';
import { pickVersion, runVersion } from './invoke.js';
import { functionPolicy } from './permissions.js';
import { localWriteCount, TABLES, type LambdaStore } from './store.js';

export interface ServiceSource {
  /** e.g. s3.amazonaws.com */
  servicePrincipal: string;
  sourceArn: string;
  sourceAccount: string;
}

/** Whether the function exists and its resource policy lets the service invoke it for this source. */
export async function serviceMayInvoke(store: DocumentStore, functionArn: string, source: ServiceSource): Promise<boolean> {
  const ref = parseFunctionArn(functionArn);
  if (!ref) return false;
  const fn = await store.get(TABLES.functions, functionKey(ref));
  if (!fn) return false;
  return policyAllows(store, functionArn, source);
}

/** Whether the function's resource policy lets the service invoke it for this source (the function's existence aside). */
async function policyAllows(store: DocumentStore, functionArn: string, source: ServiceSource, compiled?: CompiledPolicy | null): Promise<boolean> {
  const ref = parseFunctionArn(functionArn);
  if (!ref) return false;
  if (compiled === undefined) {
    const policy = await functionPolicy(store, functionArn, ref.qualifier);
    compiled = policy ? compilePolicy(policy) : null;
  }
  if (!compiled) return false;
  const decision = evaluate(
    {
      principal: { type: 'service', arn: source.servicePrincipal, accountId: '', servicePrincipal: source.servicePrincipal },
      action: 'lambda:InvokeFunction',
      resource: functionArn,
      resourceAccountId: ref.accountId,
      context: { 'aws:SourceArn': source.sourceArn, 'aws:SourceAccount': source.sourceAccount },
    },
    { resource: compiled },
  );
  return decision.decision === 'Allow';
}

/** The write that durably queues an event for the function; join it to the caller's own transaction. */
export function serviceInvokeOp(functionArn: string, payload: string, source: ServiceSource): WriteOp {
  const ref = parseFunctionArn(functionArn);
  if (!ref) throw new Error(`not a function ARN: ${functionArn}`);
  return enqueueOp(newEvent({ accountId: ref.accountId, region: ref.region, functionName: ref.name, qualifier: ref.qualifier, payload, source }));
}

/** Wakes this process's dispatcher once a transaction with queued events committed. */
export function wakeDispatcher(): void {
  notifyEnqueued();
}

/**
 * Runs the function synchronously for a service, as Invoke with
 * RequestResponse would. Undefined, without running anything, when its
 * policy does not allow the service for this source. Throws what Invoke
 * throws: ResourceNotFoundException for a missing function,
 * TooManyRequestsException (429) when throttled, ResourceConflictException
 * for a version that is not Active...
 */
export async function invokeAsService(db: LambdaStore, engine: FunctionEngine, functionArn: string, payload: Buffer, source: ServiceSource, requestId: string): Promise<InvokeResult | undefined> {
  const ref = parseFunctionArn(functionArn);
  if (!ref) return undefined;
  const hit = cacheOf(db).get(functionArn);
  let resolved: Resolved;
  let policy: CompiledPolicy | null;
  if (hit && hit.writes === localWriteCount() && performance.now() - hit.at < CACHE_TTL_MS) ({ resolved, policy } = hit);
  else {
    const writes = localWriteCount();
    const at = performance.now();
    // Resolving first reads the function once; a missing one throws ResourceNotFoundException before the policy is read.
    resolved = await resolve(db, ref);
    const doc = await functionPolicy(db.docs, functionArn, ref.qualifier);
    policy = doc ? compilePolicy(doc) : null;
    remember(db, functionArn, { at, writes, resolved, policy });
  }
  const { version } = await pickVersion(db, ref, resolved);
  if (!(await policyAllows(db.docs, functionArn, source, policy))) return undefined;
  return runVersion(engine, ref, resolved, version, payload, requestId);
}

/**
 * What a synchronous service invocation reads before it runs (the function, its version or alias,
 * and its compiled resource policy), kept for at most CACHE_TTL_MS so that an HTTP API does not
 * read and parse them from the store on every request. An entry read before any of this
 * process's own writes (localWriteCount) is dropped, so a change made here applies at once;
 * a change made by another process (cluster mode) may go unseen for up to CACHE_TTL_MS, and
 * nothing relies on it showing sooner. A version's state is re-checked by pickVersion on each
 * use; only Active versions are kept.
 */
interface CacheEntry {
  at: number;
  writes: number;
  resolved: Resolved;
  policy: CompiledPolicy | null;
}
const CACHE_TTL_MS = 1000;
const CACHE_MAX = 1000;
const caches = new WeakMap<LambdaStore, Map<string, CacheEntry>>();

function cacheOf(db: LambdaStore): Map<string, CacheEntry> {
  let c = caches.get(db);
  if (!c) caches.set(db, (c = new Map()));
  return c;
}

function remember(db: LambdaStore, functionArn: string, entry: CacheEntry): void {
  // A write that landed while the entry was read may not be in it; a version that is not Active
  // yet settles by a read, not a write, so it is not kept either.
  if (entry.writes !== localWriteCount() || entry.resolved.version.state !== 'Active') return;
  const c = cacheOf(db);
  if (c.size >= CACHE_MAX) c.clear();
  c.set(functionArn, entry);
}
