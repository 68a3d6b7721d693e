/**
 * Log streams: create, delete (with its events) and describe, ordered by name
 * or by last event time, ascending or descending, with a name prefix and
 * pagination. Stream-level actions authorize against the stream's ARN
 * (`...:log-group:<g>:log-stream:<s>`), which a policy on `log-group:<g>:*`
 * covers, as on AWS.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogStream.html
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeLogStreams.html
 */
import type { RequestContext } from '../../core/context.js';
import { ConditionFailedError, type StoredDocument, type WriteOp } from '../../storage/types.js';
import { groupRef, groupResource, requireGroup, retrying, sequenceToken, type GroupRef, type LogsContext, type Operations } from './common.js';
import { invalidParameter, streamExists, streamNotFound } from './errors.js';
import { eventPrefix, newSid, streamArn, streamKey, TABLES, type EventDoc, type GroupDoc, type StreamDoc } from './models.js';
import { decodeCursor, encodeCursor } from './tokens.js';

export interface StreamInput {
  logGroupName: string;
  logStreamName: string;
}

export const streamResource = (input: StreamInput, ctx: RequestContext) => [
  streamArn(ctx.region, ctx.accountId, input.logGroupName, input.logStreamName),
];

/** Creates a stream in a group; false when it already exists. Throws ConditionFailedError on the group if it changed. */
export async function createStream(lc: LogsContext, group: StoredDocument<GroupDoc>, name: string): Promise<boolean> {
  const doc: StreamDoc = { name, sid: newSid(), creationTime: lc.now(), bytes: 0, seq: 0 };
  const key = streamKey(group.value.gid, name);
  try {
    await lc.state.store.batch([
      { op: 'check', table: TABLES.groups, key: group.key, condition: { ifVersion: group.version } },
      { op: 'put', table: TABLES.streams, key, value: doc, condition: { ifNotExists: true } },
    ]);
    return true;
  } catch (err) {
    if (err instanceof ConditionFailedError && err.table === TABLES.streams) return false;
    throw err;
  }
}

/** Deletes a stream document, then its events in chunks. */
export async function deleteStreamData(lc: LogsContext, stream: StoredDocument<StreamDoc>): Promise<void> {
  await lc.state.store.delete(TABLES.streams, stream.key);
  const prefix = eventPrefix(stream.value.sid);
  for (;;) {
    const page = await lc.state.store.list<EventDoc>(TABLES.events, { prefix, limit: 1000 });
    if (page.length === 0) return;
    await lc.state.store.batch(page.map((d): WriteOp => ({ op: 'delete', table: TABLES.events, key: d.key })));
  }
}

function describeStream(ref: GroupRef, doc: StreamDoc) {
  return {
    logStreamName: doc.name,
    creationTime: doc.creationTime,
    firstEventTimestamp: doc.firstEventTimestamp,
    lastEventTimestamp: doc.lastEventTimestamp,
    lastIngestionTime: doc.lastIngestionTime,
    uploadSequenceToken: sequenceToken(doc.seq),
    arn: streamArn(ref.region, ref.accountId, ref.name, doc.name),
    // Deprecated for streams: AWS reports zero since June 2019.
    storedBytes: 0,
  };
}

interface DescribeStreamsInput {
  logGroupName?: string;
  logGroupIdentifier?: string;
  logStreamNamePrefix?: string;
  orderBy?: 'LogStreamName' | 'LastEventTime';
  descending?: boolean;
  nextToken?: string;
  limit?: number;
}

interface StreamCursor {
  n: string;
  t?: number;
}

async function describeLogStreams(lc: LogsContext, input: DescribeStreamsInput, ctx: RequestContext) {
  const byTime = input.orderBy === 'LastEventTime';
  if (byTime && input.logStreamNamePrefix !== undefined) throw invalidParameter('Cannot order by LastEventTime with a logStreamNamePrefix.');
  const ref = groupRef(input, ctx);
  const group = await requireGroup(lc, ref, ctx);
  const limit = input.limit ?? 50;
  const sign = input.descending ? -1 : 1;
  const keyOf = (d: StreamDoc): StreamCursor => (byTime ? { t: d.lastEventTimestamp ?? 0, n: d.name } : { n: d.name });
  const compare = (a: StreamCursor, b: StreamCursor) => sign * ((byTime ? a.t! - b.t! : 0) || (a.n < b.n ? -1 : a.n > b.n ? 1 : 0));

  const cursor = input.nextToken ? decodeCursor<StreamCursor>(input.nextToken, (v) => typeof v.n === 'string' && (!byTime || typeof v.t === 'number')) : undefined;
  let streams = (await lc.state.allStreams(group.value.gid, input.logStreamNamePrefix ?? '')).map((s) => s.value);
  streams.sort((a, b) => compare(keyOf(a), keyOf(b)));
  if (cursor) streams = streams.filter((s) => compare(keyOf(s), cursor) > 0);
  const page = streams.slice(0, limit);
  const more = streams.length > limit;
  return {
    logStreams: page.map((s) => describeStream(ref, s)),
    nextToken: more ? encodeCursor(keyOf(page[page.length - 1]!) as unknown as Record<string, unknown>) : undefined,
  };
}

export function streamOperations(lc: LogsContext): Operations {
  return {
    CreateLogStream: {
      resources: streamResource,
      async handler(input: StreamInput, ctx) {
        const ref = groupRef({ logGroupName: input.logGroupName }, ctx);
        const created = await retrying(async () => createStream(lc, await requireGroup(lc, ref, ctx), input.logStreamName));
        if (!created) throw streamExists();
        return {};
      },
    },
    DeleteLogStream: {
      resources: streamResource,
      async handler(input: StreamInput, ctx) {
        const group = await requireGroup(lc, groupRef({ logGroupName: input.logGroupName }, ctx), ctx);
        const stream = await lc.state.getStream(group.value.gid, input.logStreamName);
        if (!stream) throw streamNotFound();
        await deleteStreamData(lc, stream);
        return {};
      },
    },
    DescribeLogStreams: {
      resources: (input: DescribeStreamsInput, ctx) => [groupResource(groupRef(input, ctx))],
      handler: (input: DescribeStreamsInput, ctx) => describeLogStreams(lc, input, ctx),
    },
  };
}
