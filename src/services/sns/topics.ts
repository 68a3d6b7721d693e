/**
 * Topics: CreateTopic (idempotent for the same name, attributes and tags),
 * DeleteTopic (with its subscriptions, idempotent), ListTopics (pages of
 * 100), Get/SetTopicAttributes, AddPermission/RemovePermission (edits of the
 * Policy document) and tagging.
 * https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html
 * https://docs.aws.amazon.com/sns/latest/api/API_DeleteTopic.html
 * https://docs.aws.amazon.com/sns/latest/api/API_ListTopics.html
 * https://docs.aws.amazon.com/sns/latest/api/API_TagResource.html
 * https://docs.aws.amazon.com/sns/latest/dg/sns-tags-configuring.html
 */
import type { RequestContext } from '../../core/context.js';
import { notImplemented } from '../../core/errors.js';
import { ConditionFailedError, type WriteOp } from '../../storage/types.js';
import { checkTopicAttribute, initialTopicAttributes, topicAttributeMap } from './attributes.js';
import { findTopic, page, requireTopic, subscriptionDeleteOps, TABLES, topicSubscriptions, updateDocument, type SnsContext } from './common.js';
import type { TopicDoc } from './contract.js';
import { authorizationError, invalidParameter, resourceNotFound, tagLimitExceeded, topicNotFound, validationError } from './errors.js';
import { checkArnShape, FIFO_NAME, parseTopicArn, requireTopicArn, STANDARD_NAME, topicArn, topicKey } from './names.js';
import { addPermission, removePermission, topicPolicy } from './topic-policy.js';

type Tag = { Key: string; Value: string };

const FIFO_NAME_MESSAGE =
  'Invalid parameter: Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.';

export const MAX_TAGS = 50;

/** Tag constraints as the front end words them ("1 validation error detected: Value 'k' at 'tags.1.member.key' ..."). */
function checkTags(tags: Tag[]): void {
  tags.forEach((tag, i) => {
    if (tag.Key === undefined || tag.Key === null) throw validationError(`1 validation error detected: Value null at 'tags.${i + 1}.member.key' failed to satisfy constraint: Member must not be null`);
    if (tag.Value === undefined || tag.Value === null) throw validationError(`1 validation error detected: Value null at 'tags.${i + 1}.member.value' failed to satisfy constraint: Member must not be null`);
    if (tag.Key.length < 1 || tag.Key.length > 128) {
      throw validationError(`1 validation error detected: Value '${tag.Key}' at 'tags.${i + 1}.member.key' failed to satisfy constraint: Member must have length ${tag.Key.length < 1 ? 'greater than or equal to 1' : 'less than or equal to 128'}`);
    }
    if (tag.Value.length > 256) throw validationError(`1 validation error detected: Value '${tag.Value}' at 'tags.${i + 1}.member.value' failed to satisfy constraint: Member must have length less than or equal to 256`);
  });
  if (new Set(tags.map((t) => t.Key)).size !== tags.length) throw invalidParameter('Invalid parameter: Duplicated keys are not allowed.');
  if (tags.length > MAX_TAGS) throw tagLimitExceeded();
}

function sameAttribute(existing: TopicDoc, name: string, value: string): boolean {
  const v = name === 'FifoTopic' || name === 'ContentBasedDeduplication' ? value.toLowerCase() : value;
  const current = name === 'Policy' ? topicPolicy(existing) : name === 'FifoTopic' ? (existing.attributes.FifoTopic ?? 'false') : name === 'DisplayName' ? (existing.attributes.DisplayName ?? '') : existing.attributes[name];
  if (current === v) return true;
  if (name === 'Policy' || name === 'DeliveryPolicy') {
    try {
      return current !== undefined && JSON.stringify(JSON.parse(current)) === JSON.stringify(JSON.parse(v));
    } catch {
      return false;
    }
  }
  return false;
}

/** An existing topic answers CreateTopic only when nothing asked for differs from what it has. */
function checkSameTopic(existing: TopicDoc, attributes: Record<string, string>, tags: Tag[]): void {
  for (const [k, v] of Object.entries(attributes)) if (!sameAttribute(existing, k, v)) throw invalidParameter('Invalid parameter: Attributes Reason: Topic already exists with different attributes');
  for (const tag of tags) if (existing.tags[tag.Key] !== tag.Value) throw invalidParameter('Invalid parameter: Tags Reason: Topic already exists with different tags');
}

interface CreateTopicInput {
  Name?: string;
  Attributes?: Record<string, string>;
  Tags?: Tag[];
  DataProtectionPolicy?: string;
}

async function createTopic(c: SnsContext, input: CreateTopicInput, ctx: RequestContext) {
  const name = input.Name ?? '';
  const attributes = input.Attributes ?? {};
  const tags = input.Tags ?? [];
  const fifo = attributes.FifoTopic?.toLowerCase() === 'true';
  if (fifo ? !FIFO_NAME.test(name) : !STANDARD_NAME.test(name)) throw invalidParameter(fifo ? FIFO_NAME_MESSAGE : 'Invalid parameter: Topic Name');
  checkTags(tags);
  if (input.DataProtectionPolicy !== undefined) throw notImplemented('sns', 'CreateTopic with a DataProtectionPolicy');
  const ref = { accountId: ctx.accountId, region: ctx.region, name };
  const arn = topicArn(ctx.region, ctx.accountId, name);
  const existing = await findTopic(c, ref);
  if (existing) {
    checkSameTopic(existing.value, attributes, tags);
    return { TopicArn: arn };
  }
  if (tags.length > 0) await authorizeTagging(c, ctx, arn);
  const doc: TopicDoc = { arn, name, accountId: ctx.accountId, region: ctx.region, attributes: initialTopicAttributes(name, attributes), tags: Object.fromEntries(tags.map((t) => [t.Key, t.Value])), createdAt: new Date(c.now()).toISOString() };
  try {
    await c.deps.store.put(TABLES.topics, topicKey(ref), doc, { ifNotExists: true });
  } catch (err) {
    if (!(err instanceof ConditionFailedError)) throw err;
    // Created concurrently: the same rules as for a topic that already existed.
    const now = await findTopic(c, ref);
    if (now) checkSameTopic(now.value, attributes, tags);
  }
  return { TopicArn: arn };
}

/** CreateTopic with tags also needs sns:TagResource (Service Authorization Reference). */
async function authorizeTagging(c: SnsContext, ctx: RequestContext, arn: string): Promise<void> {
  if (ctx.principal.type !== 'user' && ctx.principal.type !== 'assumed-role') return;
  const result = await c.deps.authorizer.authorize({ principal: ctx.principal, action: 'SNS:TagResource', resources: [arn], context: { 'aws:SourceIp': ctx.sourceIp, 'aws:RequestedRegion': ctx.region } });
  if (!result.allowed) throw authorizationError(result.message);
}

/** The topic, its subscriptions and its FIFO state go in one batch; a topic changed meanwhile is read again. */
async function deleteTopic(c: SnsContext, input: { TopicArn?: string }, ctx: RequestContext) {
  const ref = requireTopicArn(input.TopicArn, ctx.region);
  for (let attempt = 0; ; attempt++) {
    const found = await findTopic(c, ref);
    if (!found) return {};
    const subs = await topicSubscriptions(c, ref.arn);
    const fifoState = await c.deps.store.list(TABLES.fifo, { prefix: ref.arn });
    const ops: WriteOp[] = [
      { op: 'delete', table: TABLES.topics, key: topicKey(ref), condition: { ifVersion: found.version } },
      ...subs.flatMap(subscriptionDeleteOps),
      ...fifoState.filter((d) => d.key === ref.arn || d.key.startsWith(`${ref.arn}|`)).map((d): WriteOp => ({ op: 'delete', table: TABLES.fifo, key: d.key })),
    ];
    try {
      await c.deps.store.batch(ops);
      return {};
    } catch (err) {
      if (!(err instanceof ConditionFailedError) || attempt >= 20) throw err;
    }
  }
}

async function listTopics(c: SnsContext, input: { NextToken?: string }, ctx: RequestContext) {
  const { items, nextToken } = await page<TopicDoc>(c, TABLES.topics, `${ctx.accountId}/${ctx.region}/`, input.NextToken);
  return { Topics: items.map((t) => ({ TopicArn: t.arn })), NextToken: nextToken };
}

async function getTopicAttributes(c: SnsContext, input: { TopicArn?: string }, ctx: RequestContext) {
  const ref = requireTopicArn(input.TopicArn, ctx.region);
  const topic = (await requireTopic(c, ref)).value;
  const subs = await topicSubscriptions(c, ref.arn);
  const confirmed = subs.filter((s) => s.status === 'confirmed').length;
  return { Attributes: topicAttributeMap(topic, { confirmed, pending: subs.length - confirmed }) };
}

/** Attributes that an empty value removes rather than sets. */
const CLEARABLE = new Set(['DisplayName', 'DeliveryPolicy', 'KmsMasterKeyId', 'TracingConfig', 'SignatureVersion', 'ArchivePolicy']);

async function setTopicAttributes(c: SnsContext, input: { TopicArn?: string; AttributeName?: string; AttributeValue?: string }, ctx: RequestContext) {
  const ref = requireTopicArn(input.TopicArn, ctx.region);
  const name = input.AttributeName;
  if (!name) throw invalidParameter('Invalid parameter: AttributeName Reason: no value for required parameter');
  const value = input.AttributeValue ?? '';
  await updateDocument<TopicDoc>(c, TABLES.topics, topicKey(ref), topicNotFound, (topic) => {
    const fifo = topic.attributes.FifoTopic === 'true';
    if (value === '' && CLEARABLE.has(name) && (name !== 'ArchivePolicy' || fifo)) delete topic.attributes[name];
    else topic.attributes[name] = checkTopicAttribute(name, value, fifo, false);
    return [{ op: 'put', table: TABLES.topics, key: topicKey(ref), value: topic }];
  });
  return {};
}

async function addPermissionOp(c: SnsContext, input: { TopicArn?: string; Label?: string; AWSAccountId?: string[]; ActionName?: string[] }, ctx: RequestContext) {
  const ref = requireTopicArn(input.TopicArn, ctx.region);
  const label = input.Label;
  if (!label) throw invalidParameter('Invalid parameter: Label Reason: no value for required parameter');
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(label)) throw invalidParameter('Invalid parameter: Label');
  if (!input.AWSAccountId?.length) throw invalidParameter('Invalid parameter: AWSAccountId Reason: no value for required parameter');
  if (!input.ActionName?.length) throw invalidParameter('Invalid parameter: ActionName Reason: no value for required parameter');
  await updateDocument<TopicDoc>(c, TABLES.topics, topicKey(ref), topicNotFound, (topic) => {
    topic.attributes.Policy = addPermission(topic, label, input.AWSAccountId!, input.ActionName!);
    return [{ op: 'put', table: TABLES.topics, key: topicKey(ref), value: topic }];
  });
  return {};
}

async function removePermissionOp(c: SnsContext, input: { TopicArn?: string; Label?: string }, ctx: RequestContext) {
  const ref = requireTopicArn(input.TopicArn, ctx.region);
  if (!input.Label) throw invalidParameter('Invalid parameter: Label Reason: no value for required parameter');
  await updateDocument<TopicDoc>(c, TABLES.topics, topicKey(ref), topicNotFound, (topic) => {
    const policy = removePermission(topic, input.Label!);
    if (policy === undefined) return undefined;
    topic.attributes.Policy = policy;
    return [{ op: 'put', table: TABLES.topics, key: topicKey(ref), value: topic }];
  });
  return {};
}

/** Tagging acts on topics only; any other ARN (or a missing topic) is ResourceNotFound. */
function taggedTopic(arn: string | undefined, ctx: RequestContext) {
  if (!arn) throw invalidParameter('Invalid parameter: ResourceArn Reason: no value for required parameter');
  checkArnShape('ResourceArn', arn);
  const ref = parseTopicArn(arn);
  if (!ref || ref.region !== ctx.region) throw resourceNotFound();
  return ref;
}

async function tagResource(c: SnsContext, input: { ResourceArn?: string; Tags?: Tag[] }, ctx: RequestContext) {
  const ref = taggedTopic(input.ResourceArn, ctx);
  const tags = input.Tags ?? [];
  checkTags(tags);
  await updateDocument<TopicDoc>(c, TABLES.topics, topicKey(ref), resourceNotFound, (topic) => {
    for (const t of tags) topic.tags[t.Key] = t.Value;
    if (Object.keys(topic.tags).length > MAX_TAGS) throw tagLimitExceeded();
    return [{ op: 'put', table: TABLES.topics, key: topicKey(ref), value: topic }];
  });
  return {};
}

async function untagResource(c: SnsContext, input: { ResourceArn?: string; TagKeys?: string[] }, ctx: RequestContext) {
  const ref = taggedTopic(input.ResourceArn, ctx);
  await updateDocument<TopicDoc>(c, TABLES.topics, topicKey(ref), resourceNotFound, (topic) => {
    for (const k of input.TagKeys ?? []) delete topic.tags[k];
    return [{ op: 'put', table: TABLES.topics, key: topicKey(ref), value: topic }];
  });
  return {};
}

async function listTagsForResource(c: SnsContext, input: { ResourceArn?: string }, ctx: RequestContext) {
  const ref = taggedTopic(input.ResourceArn, ctx);
  const found = await findTopic(c, ref);
  if (!found) throw resourceNotFound();
  return { Tags: Object.entries(found.value.tags).map(([Key, Value]) => ({ Key, Value })) };
}

export function topicHandlers(c: SnsContext) {
  return {
    CreateTopic: (input: CreateTopicInput, ctx: RequestContext) => createTopic(c, input, ctx),
    DeleteTopic: (input: { TopicArn?: string }, ctx: RequestContext) => deleteTopic(c, input, ctx),
    ListTopics: (input: { NextToken?: string }, ctx: RequestContext) => listTopics(c, input, ctx),
    GetTopicAttributes: (input: { TopicArn?: string }, ctx: RequestContext) => getTopicAttributes(c, input, ctx),
    SetTopicAttributes: (input: { TopicArn?: string; AttributeName?: string; AttributeValue?: string }, ctx: RequestContext) => setTopicAttributes(c, input, ctx),
    AddPermission: (input: { TopicArn?: string; Label?: string; AWSAccountId?: string[]; ActionName?: string[] }, ctx: RequestContext) => addPermissionOp(c, input, ctx),
    RemovePermission: (input: { TopicArn?: string; Label?: string }, ctx: RequestContext) => removePermissionOp(c, input, ctx),
    TagResource: (input: { ResourceArn?: string; Tags?: Tag[] }, ctx: RequestContext) => tagResource(c, input, ctx),
    UntagResource: (input: { ResourceArn?: string; TagKeys?: string[] }, ctx: RequestContext) => untagResource(c, input, ctx),
    ListTagsForResource: (input: { ResourceArn?: string }, ctx: RequestContext) => listTagsForResource(c, input, ctx),
  };
}
