/**
 * Publish and PublishBatch, and the fan-out behind them: every confirmed
 * subscription whose filter policy accepts the message gets the delivery
 * half's writes for it, and all of them commit in one batch (together with a
 * check that the topic still exists), so that an accepted message is never
 * lost; then the delivery half is woken. FIFO topics require a
 * MessageGroupId, deduplicate for 5 minutes and number their messages.
 * Services (S3 notifications, Lambda destinations, Elastic Transcoder) get
 * the same writes uncommitted, to join their own transaction.
 * https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 * https://docs.aws.amazon.com/sns/latest/api/API_PublishBatch.html
 * https://docs.aws.amazon.com/sns/latest/dg/fifo-message-dedup.html
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Principal, RequestContext } from '../../core/context.js';
import { notImplemented, ServiceError } from '../../core/errors.js';
import { ConditionFailedError, type WriteOp } from '../../storage/types.js';
import { deliveryContext, requireTopic, sweepExpired, TABLES, topicSubscriptions, type SnsContext } from './common.js';
import type { Publication, SubscriptionDoc, TopicDoc } from './contract.js';
import { batchError, invalidParameter } from './errors.js';
import { cachedFilterPolicy, type FilterScope, matchesMessage } from './filter-policy.js';
import { checkMessage, checkMessageAttributes, MAX_MESSAGE_BYTES, textFor, type CheckedMessage, type MessageInput } from './message.js';
import { checkArnShape, parseTopicArn, requireTopicArn, topicKey } from './names.js';
import { servicePolicyAllows, topicPolicy, type ServiceSource } from './topic-policy.js';

export const DEDUP_WINDOW_MS = 5 * 60 * 1000;
const FIRST_SEQUENCE = 10000000000000000000n;

interface Entry extends CheckedMessage {
  groupId?: string;
  deduplicationId?: string;
}

interface Accepted {
  messageId: string;
  sequenceNumber?: string;
}

interface FifoDoc {
  sequence: string;
}

interface DedupDoc {
  messageId: string;
  sequenceNumber: string;
  expiresAt: number;
}

function accepts(sub: SubscriptionDoc, entry: Entry): boolean {
  const text = sub.attributes.FilterPolicy;
  if (!text) return true;
  const policy = cachedFilterPolicy(text, (sub.attributes.FilterPolicyScope ?? 'MessageAttributes') as FilterScope);
  // Policies are checked when set; one that no longer compiles lets nothing through.
  if (!policy) return false;
  return matchesMessage(policy, { attributes: entry.attributes, body: textFor(entry, sub.protocol) });
}

/** The FIFO rules a topic applies to an entry before it is accepted. */
function checkFifo(topic: TopicDoc, entry: Entry): void {
  const fifo = topic.attributes.FifoTopic === 'true';
  if (!fifo) {
    if (entry.deduplicationId !== undefined) throw invalidParameter('Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type');
    return;
  }
  if (!entry.groupId) throw invalidParameter('Invalid parameter: The MessageGroupId parameter is required for FIFO topics');
  if (!entry.deduplicationId) {
    if (topic.attributes.ContentBasedDeduplication !== 'true') {
      throw invalidParameter('Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
    }
    // Content-based: a SHA-256 of the body.
    entry.deduplicationId = createHash('sha256').update(entry.message).digest('hex');
  }
}

/**
 * The writes that deliver `entries` to the topic's subscribers, and the ids
 * they were accepted under. FIFO topics also write their sequence counter and
 * deduplication records, conditionally: the caller retries on a conflict.
 */
async function fanOut(c: SnsContext, topic: TopicDoc, entries: Entry[], endpoint: string): Promise<{ accepted: Accepted[]; ops: WriteOp[] }> {
  const subs = (await topicSubscriptions(c, topic.arn)).filter((s) => s.status === 'confirmed');
  const dctx = deliveryContext(topic, topic, endpoint);
  const timestamp = new Date(c.now()).toISOString();
  const ops: WriteOp[] = [{ op: 'check', table: TABLES.topics, key: topicKey(topic), condition: { ifExists: true } }];
  const accepted: Accepted[] = [];
  const fifo = topic.attributes.FifoTopic === 'true';
  let sequence: bigint | undefined;
  if (fifo) {
    const counter = await c.deps.store.get<FifoDoc>(TABLES.fifo, topic.arn);
    sequence = counter ? BigInt(counter.value.sequence) : FIRST_SEQUENCE;
    ops.push({ op: 'put', table: TABLES.fifo, key: topic.arn, value: null, condition: counter ? { ifVersion: counter.version } : { ifNotExists: true } });
  }
  const seen = new Map<string, Accepted>();
  for (const entry of entries) {
    let result: Accepted = { messageId: randomUUID() };
    if (fifo) {
      const dedupKey = `${topic.arn}|${entry.deduplicationId}`;
      const earlier = seen.get(dedupKey) ?? (await duplicateOf(c, dedupKey));
      if (earlier) {
        // A duplicate within the window is accepted and answered with the first message's ids, but not delivered again.
        accepted.push(earlier);
        continue;
      }
      sequence = sequence! + 1n;
      result = { ...result, sequenceNumber: sequence.toString() };
      seen.set(dedupKey, result);
      const dedup: DedupDoc = { messageId: result.messageId, sequenceNumber: result.sequenceNumber!, expiresAt: c.now() + DEDUP_WINDOW_MS };
      const existing = await c.deps.store.get(TABLES.fifo, dedupKey);
      ops.push({ op: 'put', table: TABLES.fifo, key: dedupKey, value: dedup, condition: existing ? { ifVersion: existing.version } : { ifNotExists: true } });
    }
    accepted.push(result);
    for (const sub of subs) {
      if (!accepts(sub, entry)) continue;
      const pub: Publication = {
        messageId: result.messageId,
        topicArn: topic.arn,
        message: textFor(entry, sub.protocol),
        timestamp,
        messageAttributes: entry.attributes,
        ...(entry.subject !== undefined ? { subject: entry.subject } : {}),
        ...(entry.groupId !== undefined ? { messageGroupId: entry.groupId } : {}),
        ...(fifo ? { messageDeduplicationId: entry.deduplicationId, sequenceNumber: result.sequenceNumber } : {}),
      };
      ops.push(...(await c.deps.delivery.notificationOps(sub, pub, dctx)));
    }
  }
  if (fifo) {
    const counterOp = ops.find((op) => op.table === TABLES.fifo && op.key === topic.arn) as Extract<WriteOp, { op: 'put' }>;
    counterOp.value = { sequence: sequence!.toString() } satisfies FifoDoc;
  }
  return { accepted, ops };
}

async function duplicateOf(c: SnsContext, key: string): Promise<Accepted | undefined> {
  const found = await c.deps.store.get<DedupDoc>(TABLES.fifo, key);
  if (!found || found.value.expiresAt <= c.now()) return undefined;
  return { messageId: found.value.messageId, sequenceNumber: found.value.sequenceNumber };
}

/** Fan-out and commit, again from the top when a concurrent FIFO publish took the same counter or deduplication id. */
async function commit(c: SnsContext, topic: TopicDoc, entries: Entry[], endpoint: string): Promise<Accepted[]> {
  for (let attempt = 0; ; attempt++) {
    const { accepted, ops } = await fanOut(c, topic, entries, endpoint);
    try {
      await c.deps.store.batch(ops);
    } catch (err) {
      if (err instanceof ConditionFailedError && err.table === TABLES.fifo && attempt < 50) continue;
      if (err instanceof ConditionFailedError && err.table === TABLES.topics) throw new ServiceError('NotFound', 'Topic does not exist', { status: 404 });
      throw err;
    }
    if (ops.some((op) => op.table !== TABLES.topics && op.table !== TABLES.fifo)) c.deps.delivery.wake();
    if (topic.attributes.FifoTopic === 'true') await sweepExpired<DedupDoc>(c, TABLES.fifo, `${topic.arn}|`, (d) => d.expiresAt <= c.now());
    return accepted;
  }
}

interface PublishInput extends MessageInput {
  TopicArn?: string;
  TargetArn?: string;
  PhoneNumber?: string;
  MessageDeduplicationId?: string;
  MessageGroupId?: string;
}

/** The topic a Publish names through TopicArn or TargetArn (platform endpoints and phone numbers are not served). */
function publishTarget(input: PublishInput, ctx: RequestContext) {
  if (input.PhoneNumber !== undefined && input.TopicArn === undefined && input.TargetArn === undefined) throw notImplemented('sns', 'Publish to a PhoneNumber (SMS)');
  if (input.TopicArn !== undefined && input.TargetArn !== undefined) throw invalidParameter('Invalid parameter: TopicArn or TargetArn Reason: Only one of TopicArn or TargetArn may be specified');
  if (input.TargetArn !== undefined && input.TargetArn.includes(':endpoint/')) {
    checkArnShape('TargetArn', input.TargetArn);
    throw invalidParameter('Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified');
  }
  const text = input.TopicArn ?? input.TargetArn;
  if (!text) throw invalidParameter('Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter');
  return requireTopicArn(text, ctx.region, input.TopicArn !== undefined ? 'TopicArn' : 'TargetArn');
}

async function publish(c: SnsContext, input: PublishInput, ctx: RequestContext) {
  const checked = checkMessage(input);
  const ref = publishTarget(input, ctx);
  const entry: Entry = { ...checked, groupId: input.MessageGroupId, deduplicationId: input.MessageDeduplicationId };
  const topic = (await requireTopic(c, ref)).value;
  checkFifo(topic, entry);
  const [result] = await commit(c, topic, [entry], ctx.endpoint);
  return { MessageId: result!.messageId, SequenceNumber: result!.sequenceNumber };
}

interface BatchEntryInput extends MessageInput {
  Id?: string;
  MessageDeduplicationId?: string;
  MessageGroupId?: string;
}

async function publishBatch(c: SnsContext, input: { TopicArn?: string; PublishBatchRequestEntries?: BatchEntryInput[] }, ctx: RequestContext) {
  const list = input.PublishBatchRequestEntries ?? [];
  if (list.length === 0) throw batchError('EmptyBatchRequest', "The batch request doesn't contain any entries.");
  if (list.length > 10) throw batchError('TooManyEntriesInBatchRequest', 'The batch request contains more entries than permissible.');
  const ref = requireTopicArn(input.TopicArn, ctx.region);
  const topic = (await requireTopic(c, ref)).value;
  const ids = list.map((e) => e.Id ?? '');
  if (new Set(ids).size !== ids.length) throw batchError('BatchEntryIdsNotDistinct', 'Two or more batch entries in the request have the same Id.');
  for (const id of ids) {
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(id)) throw batchError('InvalidBatchEntryId', 'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.');
  }
  // Attributes are checked for every entry first; a bad one fails the whole request, as on AWS.
  let total = 0;
  list.forEach((e, i) => (total += checkMessageAttributes(e.MessageAttributes, `publishBatchRequestEntries.${i + 1}.member.messageAttributes`).size + Buffer.byteLength(e.Message ?? '')));
  if (total > MAX_MESSAGE_BYTES) throw batchError('BatchRequestTooLong', 'The length of all the messages put together is more than the limit.');
  const entries = list.map((e, i): Entry => {
    const entry: Entry = { ...checkMessage(e, `publishBatchRequestEntries.${i + 1}.member.messageAttributes`), groupId: e.MessageGroupId, deduplicationId: e.MessageDeduplicationId };
    checkFifo(topic, entry);
    return entry;
  });
  const accepted = await commit(c, topic, entries, ctx.endpoint);
  return {
    Successful: accepted.map((a, i) => ({ Id: ids[i], MessageId: a.messageId, SequenceNumber: a.sequenceNumber })),
    Failed: [],
  };
}

export function publishHandlers(c: SnsContext) {
  return {
    Publish: (input: PublishInput, ctx: RequestContext) => publish(c, input, ctx),
    PublishBatch: (input: { TopicArn?: string; PublishBatchRequestEntries?: BatchEntryInput[] }, ctx: RequestContext) => publishBatch(c, input, ctx),
  };
}

// --------------------------------------------------------- service publishing

export type Publisher = { service: ServiceSource } | { principal: Principal };
export type PublishOpsResult = { ok: true; messageId: string; ops: WriteOp[] } | { ok: false; code: string; message: string };

/**
 * A message a service publishes on its own behalf (S3 notifications) or on a
 * principal's (a Lambda destination, as the function's execution role): the
 * same checks and fan-out as Publish, but the writes are returned for the
 * caller to commit with its own, and `wake()` is the caller's to call after.
 */
export async function publishOps(
  c: SnsContext,
  topicArn: string,
  msg: { subject?: string; message: string; messageAttributes?: Publication['messageAttributes'] },
  who: Publisher,
  endpoint: string,
): Promise<PublishOpsResult> {
  const ref = parseTopicArn(topicArn);
  if (!ref) return { ok: false, code: 'InvalidParameter', message: 'Invalid parameter: TopicArn' };
  const found = await c.deps.store.get<TopicDoc>(TABLES.topics, topicKey(ref));
  if (!found) return { ok: false, code: 'NotFound', message: 'Topic does not exist' };
  const topic = found.value;
  const denied = `User: ${'service' in who ? who.service.servicePrincipal : who.principal.arn} is not authorized to perform: SNS:Publish on resource: ${topic.arn}`;
  if ('service' in who) {
    if (!servicePolicyAllows(topic, who.service)) return { ok: false, code: 'AuthorizationError', message: denied };
  } else {
    const result = await c.deps.authorizer.authorize({
      principal: who.principal,
      action: 'SNS:Publish',
      resources: [topic.arn],
      context: {},
      resourceAccountId: topic.accountId,
      resourcePolicy: async () => topicPolicy(topic),
    });
    if (!result.allowed) return { ok: false, code: 'AuthorizationError', message: result.message };
  }
  try {
    const attributes = Object.fromEntries(Object.entries(msg.messageAttributes ?? {}).map(([k, v]) => [k, v.Type.startsWith('Binary') ? { DataType: v.Type, BinaryValue: Buffer.from(v.Value, 'base64') } : { DataType: v.Type, StringValue: v.Value }]));
    const entry: Entry = checkMessage({ Message: msg.message, Subject: msg.subject, MessageAttributes: attributes });
    checkFifo(topic, entry);
    const { accepted, ops } = await fanOut(c, topic, [entry], endpoint);
    return { ok: true, messageId: accepted[0]!.messageId, ops };
  } catch (err) {
    if (err instanceof ServiceError) return { ok: false, code: err.code, message: err.message };
    throw err;
  }
}

/** Whether `source` may publish to the topic (S3 checks a TopicConfiguration with this). */
export async function mayPublish(c: SnsContext, topicArn: string, source: ServiceSource): Promise<boolean> {
  const ref = parseTopicArn(topicArn);
  if (!ref) return false;
  const found = await c.deps.store.get<TopicDoc>(TABLES.topics, topicKey(ref));
  return found !== undefined && servicePolicyAllows(found.value, source);
}
