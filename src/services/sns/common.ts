/**
 * What the SNS API half shares: its dependencies, its tables (the contract's
 * topics and subscriptions, plus its own confirmation tokens, the
 * endpoint index that keeps Subscribe idempotent across processes, and FIFO
 * sequence/deduplication state), pagination tokens and the read-modify-write
 * loop every attribute change goes through.
 */
import type { Principal, RequestContext } from '../../core/context.js';
import { randomHex } from '../../core/ids.js';
import type { Logger } from '../../core/logger.js';
import type { Authorizer } from '../../identity/authorizer.js';
import { ConditionFailedError, type DocumentStore, type WriteOp } from '../../storage/types.js';
import { TABLES as CONTRACT_TABLES, type DeliveryContext, type SnsDelivery, type SubscriptionDoc, type TopicDoc } from './contract.js';
import { invalidParameter, topicNotFound } from './errors.js';
import { topicKey, type TopicRef } from './names.js';

export interface SnsDeps {
  store: DocumentStore;
  authorizer: Authorizer;
  accountId: string;
  region: string;
  delivery: SnsDelivery;
  log?: Logger;
  now?: () => number;
}

export interface SnsContext {
  deps: SnsDeps;
  now(): number;
}

export function snsContext(deps: SnsDeps): SnsContext {
  return { deps, now: deps.now ?? Date.now };
}

export const TABLES = {
  ...CONTRACT_TABLES,
  /** key: token → TokenDoc (pending confirmations, and re-subscription after an http/https Unsubscribe). */
  tokens: 'sns.tokens',
  /** key: `${topicArn}|${protocol}|${endpoint}` → { arn }: one subscription per endpoint and topic. */
  endpoints: 'sns.endpoints',
  /** key: topicArn → { sequence } and `${topicArn}|${deduplicationId}` → DedupDoc (FIFO topics). */
  fifo: 'sns.fifo',
} as const;

/** AWS: a confirmation token is valid for three days. */
export const TOKEN_LIFETIME_MS = 3 * 24 * 3600 * 1000;

export interface TokenDoc {
  subscriptionArn: string;
  topicArn: string;
  expiresAt: number;
  /** After an http/https Unsubscribe: the subscription as it was, so that ConfirmSubscription restores it. */
  restore?: SubscriptionDoc;
}

export const endpointKey = (sub: Pick<SubscriptionDoc, 'topicArn' | 'protocol' | 'endpoint'>) => `${sub.topicArn}|${sub.protocol}|${sub.endpoint}`;

export async function findTopic(c: SnsContext, ref: Pick<TopicRef, 'accountId' | 'region' | 'name'>) {
  return c.deps.store.get<TopicDoc>(TABLES.topics, topicKey(ref));
}

export async function requireTopic(c: SnsContext, ref: Pick<TopicRef, 'accountId' | 'region' | 'name'>) {
  const found = await findTopic(c, ref);
  if (!found) throw topicNotFound();
  return found;
}

/** Every subscription of a topic; subscription ARNs are the topic ARN, ':' and an id, so they share the prefix. */
export async function topicSubscriptions(c: SnsContext, topicArn: string): Promise<SubscriptionDoc[]> {
  return (await c.deps.store.list<SubscriptionDoc>(TABLES.subscriptions, { prefix: `${topicArn}:` })).map((d) => d.value);
}

/** The writes that remove a subscription and its endpoint index entry. */
export function subscriptionDeleteOps(sub: SubscriptionDoc): WriteOp[] {
  return [
    { op: 'delete', table: TABLES.subscriptions, key: sub.arn },
    { op: 'delete', table: TABLES.endpoints, key: endpointKey(sub) },
  ];
}

/**
 * Read, change, write back with a version check; on a concurrent change, read
 * again. `change` returns the ops to commit (the document's own put
 * included) or undefined to write nothing.
 */
export async function updateDocument<T>(
  c: SnsContext,
  table: string,
  key: string,
  missing: () => Error,
  change: (value: T) => WriteOp[] | undefined | Promise<WriteOp[] | undefined>,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const found = await c.deps.store.get<T>(table, key);
    if (!found) throw missing();
    const value = structuredClone(found.value);
    const ops = await change(value);
    if (!ops) return found.value;
    try {
      await c.deps.store.batch(ops.map((op) => (op.table === table && op.key === key && op.op === 'put' ? { ...op, condition: { ifVersion: found.version } } : op)));
      return value;
    } catch (err) {
      if (!(err instanceof ConditionFailedError) || attempt >= 20 || err.table !== table || err.key !== key) throw err;
    }
  }
}

/** Opaque NextToken: the last key of the page, base64url. */
export function pageToken(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

export function readPageToken(token: string | undefined): string | undefined {
  if (token === undefined || token === '') return undefined;
  if (!/^[A-Za-z0-9_-]+$/.test(token)) throw invalidParameter('Invalid parameter: NextToken');
  return Buffer.from(token, 'base64url').toString('utf8');
}

export const PAGE_SIZE = 100;

/** Pages of up to 100 documents in key order, continuing after the key the token carries. */
export async function page<T>(c: SnsContext, table: string, prefix: string, token: string | undefined, keep: (v: T) => boolean = () => true) {
  const items: Array<{ key: string; value: T }> = [];
  let after = readPageToken(token);
  if (after !== undefined && !after.startsWith(prefix)) throw invalidParameter('Invalid parameter: NextToken');
  for (;;) {
    const batch = await c.deps.store.list<T>(table, { prefix, after, limit: PAGE_SIZE + 1 });
    for (const d of batch) if (keep(d.value)) items.push({ key: d.key, value: d.value });
    if (items.length > PAGE_SIZE || batch.length <= PAGE_SIZE) break;
    after = batch[batch.length - 1]!.key;
  }
  const more = items.length > PAGE_SIZE;
  const shown = items.slice(0, PAGE_SIZE);
  return { items: shown.map((i) => i.value), nextToken: more ? pageToken(shown[shown.length - 1]!.key) : undefined };
}

/** SNS answers "true"/"false" strings for booleans set as attributes, whatever case they were sent in. */
export function boolText(v: string): string | undefined {
  const lower = v.toLowerCase();
  return lower === 'true' || lower === 'false' ? lower : undefined;
}

export function isAnonymous(ctx: Pick<RequestContext, 'principal'>): boolean {
  return ctx.principal.type === 'anonymous';
}

/** The ARN AWS reports as SubscriptionPrincipal: who called Subscribe. */
export function principalArn(p: Principal): string {
  return p.type === 'root' ? `arn:aws:iam::${p.accountId}:root` : p.arn;
}

/** What the delivery half needs to sign and address a message for a topic. */
export function deliveryContext(topic: Pick<TopicDoc, 'accountId' | 'region' | 'attributes'> | undefined, fallback: { accountId: string; region: string }, endpoint: string): DeliveryContext {
  return {
    accountId: topic?.accountId ?? fallback.accountId,
    region: topic?.region ?? fallback.region,
    endpoint,
    signatureVersion: topic?.attributes.SignatureVersion === '2' ? '2' : '1',
  };
}

/**
 * Removes a few expired documents (tokens, FIFO deduplication records),
 * starting at a random key so that successive calls cover the whole table.
 * Called now and then from the operations that create such documents.
 */
export async function sweepExpired<T>(c: SnsContext, table: string, prefix: string, expired: (value: T) => boolean): Promise<void> {
  if (Math.random() >= 0.1) return;
  const docs = await c.deps.store.list<T>(table, { prefix, after: prefix + randomHex(2), limit: 20 });
  for (const d of docs) if (expired(d.value)) await c.deps.store.delete(table, d.key, { ifVersion: d.version }).catch(() => false);
}
