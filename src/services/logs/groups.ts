/**
 * Log groups: create, delete (with every stream and event), describe with
 * prefix, substring pattern and pagination, retention policies, and tags
 * (the deprecated *LogGroup tagging calls and the generic *Resource ones).
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeLogGroups.html
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_TagResource.html
 */
import type { RequestContext } from '../../core/context.js';
import { ConditionFailedError, type StoredDocument } from '../../storage/types.js';
import { fromIdentifier, groupResource, requireGroup, retrying, type GroupRef, type LogsContext, type Operations } from './common.js';
import { groupExists, invalidParameter, resourceNotFound, tooManyTags } from './errors.js';
import { groupArn, groupKey, groupPrefix, newGid, TABLES, type GroupDoc } from './models.js';
import { deleteStreamData } from './streams.js';
import { decodeCursor, encodeCursor } from './tokens.js';

interface NameInput {
  logGroupName: string;
}

const named = (input: NameInput, ctx: RequestContext): GroupRef => ({ accountId: ctx.accountId, region: ctx.region, name: input.logGroupName });
const byName = { resources: (input: NameInput, ctx: RequestContext) => [groupResource(named(input, ctx))] };

/** Creates a group; false when it already exists. */
export async function createGroup(lc: LogsContext, ref: GroupRef, fields: Partial<GroupDoc> = {}): Promise<boolean> {
  const doc: GroupDoc = { name: ref.name, gid: newGid(), creationTime: lc.now(), tags: {}, logGroupClass: 'STANDARD', ...fields };
  try {
    await lc.state.store.put(TABLES.groups, groupKey(ref.accountId, ref.region, ref.name), doc, { ifNotExists: true });
    return true;
  } catch (err) {
    if (err instanceof ConditionFailedError) return false;
    throw err;
  }
}

/** Read-modify-write of a group document under its version. */
async function updateGroup(lc: LogsContext, ref: GroupRef, ctx: RequestContext, change: (doc: GroupDoc) => GroupDoc): Promise<void> {
  await retrying(async () => {
    const group = await requireGroup(lc, ref, ctx);
    await lc.state.store.put(TABLES.groups, group.key, change(group.value), { ifVersion: group.version });
  });
}

function describe(doc: GroupDoc, ref: GroupRef, storedBytes: number | undefined) {
  const arn = groupArn(ref.region, ref.accountId, doc.name);
  if (storedBytes === undefined) return { logGroupName: doc.name, creationTime: doc.creationTime, arn: `${arn}:*` };
  return {
    logGroupName: doc.name,
    creationTime: doc.creationTime,
    retentionInDays: doc.retentionInDays,
    metricFilterCount: 0,
    arn: `${arn}:*`,
    storedBytes,
    kmsKeyId: doc.kmsKeyId,
    logGroupClass: doc.logGroupClass,
    logGroupArn: arn,
  };
}

interface DescribeInput {
  logGroupNamePrefix?: string;
  logGroupNamePattern?: string;
  logGroupIdentifiers?: string[];
  logGroupClass?: string;
  nextToken?: string;
  limit?: number;
}

async function describeLogGroups(lc: LogsContext, input: DescribeInput, ctx: RequestContext) {
  if (input.logGroupNamePrefix !== undefined && input.logGroupNamePattern !== undefined) {
    throw invalidParameter('LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.');
  }
  const limit = input.limit ?? 50;
  const prefix = groupPrefix(ctx.accountId, ctx.region);
  const wanted = (doc: GroupDoc) =>
    (input.logGroupNamePattern === undefined || doc.name.includes(input.logGroupNamePattern)) && (input.logGroupClass === undefined || doc.logGroupClass === input.logGroupClass);

  let docs: StoredDocument<GroupDoc>[] = [];
  let more = false;
  if (input.logGroupIdentifiers) {
    const names = [...new Set(input.logGroupIdentifiers.map((id) => fromIdentifier(id, ctx)).filter((r) => r.accountId === ctx.accountId && r.region === ctx.region).map((r) => r.name))].sort();
    for (const name of names) {
      const doc = await lc.state.getGroup(ctx.accountId, ctx.region, name);
      if (doc && wanted(doc.value)) docs.push(doc);
    }
  } else {
    const cursor = input.nextToken ? decodeCursor<{ g: string }>(input.nextToken, (v) => typeof v.g === 'string').g : undefined;
    let after = cursor === undefined ? undefined : prefix + cursor;
    const scan = prefix + (input.logGroupNamePrefix ?? '');
    while (docs.length <= limit) {
      const page = await lc.state.store.list<GroupDoc>(TABLES.groups, { prefix: scan, after, limit: 100 });
      docs.push(...page.filter((d) => wanted(d.value)));
      if (page.length < 100) break;
      after = page[page.length - 1]!.key;
    }
    more = docs.length > limit;
    docs = docs.slice(0, limit);
  }
  const full = input.logGroupNamePattern === undefined;
  const logGroups = [];
  for (const doc of docs) logGroups.push(describe(doc.value, { accountId: ctx.accountId, region: ctx.region, name: doc.value.name }, full ? await lc.state.storedBytes(doc.value.gid) : undefined));
  return { logGroups, nextToken: more ? encodeCursor({ g: docs[docs.length - 1]!.value.name }) : undefined };
}

/** Deletes a group's document, then its streams and their events. */
async function deleteGroup(lc: LogsContext, ref: GroupRef, ctx: RequestContext): Promise<void> {
  const group = await retrying(async () => {
    const g = await requireGroup(lc, ref, ctx);
    await lc.state.store.delete(TABLES.groups, g.key, { ifVersion: g.version });
    return g;
  });
  // Writers check the group's version in the same batch as their events, so nothing lands after this point.
  for (const stream of await lc.state.allStreams(group.value.gid)) await deleteStreamData(lc, stream);
}

function mergeTags(current: Record<string, string>, add: Record<string, string>): Record<string, string> {
  const tags = { ...current, ...add };
  if (Object.keys(tags).length > 50) throw tooManyTags();
  return tags;
}

function withoutTags(current: Record<string, string>, keys: string[]): Record<string, string> {
  const tags = { ...current };
  for (const k of keys) delete tags[k];
  return tags;
}

/** A tagging API's resourceArn: only log groups are taggable here. */
function taggedGroup(resourceArn: string, ctx: RequestContext): GroupRef {
  if (!/^arn:aws[\w-]*:logs:[^:]*:\d{12}:log-group:[^:]+(:\*)?$/.test(resourceArn)) throw resourceNotFound();
  const ref = fromIdentifier(resourceArn, ctx);
  if (ref.accountId !== ctx.accountId || ref.region !== ctx.region) throw resourceNotFound();
  return ref;
}

const tagResource = (input: { resourceArn: string }) => {
  // IAM sees the ARN without `:*` for the three generic tagging actions.
  return [input.resourceArn.replace(/:\*$/, '')];
};

async function getTags(lc: LogsContext, ref: GroupRef, ctx: RequestContext) {
  return (await requireGroup(lc, ref, ctx)).value.tags;
}

export function groupOperations(lc: LogsContext): Operations {
  return {
    CreateLogGroup: {
      ...byName,
      async handler(input: NameInput & { tags?: Record<string, string>; kmsKeyId?: string; logGroupClass?: string }, ctx) {
        const created = await createGroup(lc, named(input, ctx), { tags: input.tags ?? {}, kmsKeyId: input.kmsKeyId, logGroupClass: input.logGroupClass ?? 'STANDARD' });
        if (!created) throw groupExists();
        return {};
      },
    },
    DeleteLogGroup: {
      ...byName,
      async handler(input: NameInput, ctx) {
        await deleteGroup(lc, named(input, ctx), ctx);
        return {};
      },
    },
    DescribeLogGroups: {
      resources: (_input, ctx) => [`${groupArn(ctx.region, ctx.accountId, '*')}`],
      handler: (input: DescribeInput, ctx) => describeLogGroups(lc, input, ctx),
    },
    PutRetentionPolicy: {
      ...byName,
      async handler(input: NameInput & { retentionInDays: number }, ctx) {
        await updateGroup(lc, named(input, ctx), ctx, (doc) => ({ ...doc, retentionInDays: input.retentionInDays }));
        return {};
      },
    },
    DeleteRetentionPolicy: {
      ...byName,
      async handler(input: NameInput, ctx) {
        await updateGroup(lc, named(input, ctx), ctx, ({ retentionInDays: _dropped, ...doc }) => doc);
        return {};
      },
    },
    TagLogGroup: {
      ...byName,
      async handler(input: NameInput & { tags: Record<string, string> }, ctx) {
        await updateGroup(lc, named(input, ctx), ctx, (doc) => ({ ...doc, tags: mergeTags(doc.tags, input.tags) }));
        return {};
      },
    },
    UntagLogGroup: {
      ...byName,
      async handler(input: NameInput & { tags: string[] }, ctx) {
        await updateGroup(lc, named(input, ctx), ctx, (doc) => ({ ...doc, tags: withoutTags(doc.tags, input.tags) }));
        return {};
      },
    },
    ListTagsLogGroup: {
      ...byName,
      handler: async (input: NameInput, ctx) => ({ tags: await getTags(lc, named(input, ctx), ctx) }),
    },
    TagResource: {
      resources: tagResource,
      async handler(input: { resourceArn: string; tags: Record<string, string> }, ctx) {
        const ref = taggedGroup(input.resourceArn, ctx);
        await updateGroup(lc, ref, ctx, (doc) => ({ ...doc, tags: mergeTags(doc.tags, input.tags) })).catch(notFoundAsResource);
        return {};
      },
    },
    UntagResource: {
      resources: tagResource,
      async handler(input: { resourceArn: string; tagKeys: string[] }, ctx) {
        const ref = taggedGroup(input.resourceArn, ctx);
        await updateGroup(lc, ref, ctx, (doc) => ({ ...doc, tags: withoutTags(doc.tags, input.tagKeys) })).catch(notFoundAsResource);
        return {};
      },
    },
    ListTagsForResource: {
      resources: tagResource,
      handler: async (input: { resourceArn: string }, ctx) => ({ tags: await getTags(lc, taggedGroup(input.resourceArn, ctx), ctx).catch(notFoundAsResource) }),
    },
  };
}

/** The generic tagging APIs speak of resources, not log groups. */
function notFoundAsResource(err: unknown): never {
  if (err instanceof Error && (err as { code?: string }).code === 'ResourceNotFoundException') throw resourceNotFound();
  throw err;
}
