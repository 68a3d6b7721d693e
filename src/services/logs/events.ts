/**
 * PutLogEvents and GetLogEvents. GetLogEvents reads one stream between
 * startTime (inclusive) and endTime (exclusive), from the head or (the
 * default) the tail, at most `limit` events and 1 MB, and pages with position
 * tokens (tokens.ts) that come back unchanged once the reader has caught up.
 * Events older than the group's retention are never returned, even before
 * the sweep deletes them.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetLogEvents.html
 */
import type { RequestContext } from '../../core/context.js';
import { groupRef, requireGroup, retentionCutoff, sequenceToken, type LogsContext, type Operations } from './common.js';
import { streamNotFound } from './errors.js';
import { appendEvents, classifyBatch, MAX_BATCH_BYTES, type InputEvent, type RejectedInfo } from './ingest.js';
import { EVENT_OVERHEAD, eventKey, streamArn, type StoredEvent } from './models.js';
import { streamResource, type StreamInput } from './streams.js';
import { formatPositionToken, nextPosition, parsePositionToken, type Position } from './tokens.js';

interface GetLogEventsInput {
  logGroupName?: string;
  logGroupIdentifier?: string;
  logStreamName: string;
  startTime?: number;
  endTime?: number;
  nextToken?: string;
  limit?: number;
  startFromHead?: boolean;
}

const byteSize = (e: StoredEvent) => Buffer.byteLength(e.message, 'utf8') + EVENT_OVERHEAD;

/** The first events that fit in a response (1 MB), or the last ones when reading backwards. */
function fitResponse(events: StoredEvent[], fromEnd: boolean): StoredEvent[] {
  let total = 0;
  if (!fromEnd) {
    let n = 0;
    while (n < events.length && total + byteSize(events[n]!) <= MAX_BATCH_BYTES) total += byteSize(events[n++]!);
    return events.slice(0, Math.max(n, Math.min(1, events.length)));
  }
  let start = events.length;
  while (start > 0 && total + byteSize(events[start - 1]!) <= MAX_BATCH_BYTES) total += byteSize(events[--start]!);
  return events.slice(Math.min(start, Math.max(0, events.length - 1)));
}

/**
 * The last `n` events with `from` < key < `to`. The store only scans forward,
 * so this reads a window before `toTs` that grows until it holds `n` events.
 */
async function lastEvents(lc: LogsContext, sid: string, from: string, to: string, fromTs: number, toTs: number, n: number): Promise<StoredEvent[]> {
  for (let span = 60_000; ; span *= 16) {
    const windowKey = eventKey(sid, toTs - span, 0);
    const start = toTs - span <= fromTs || windowKey <= from ? from : windowKey;
    const kept: StoredEvent[] = [];
    let after = start;
    for (;;) {
      const page = await lc.state.eventsBetween(sid, after, to, 1000);
      kept.push(...page);
      if (kept.length > n) kept.splice(0, kept.length - n);
      if (page.length < 1000) break;
      after = page[page.length - 1]!.key;
    }
    if (kept.length >= n || start === from) return kept;
  }
}

const position = (e: StoredEvent): Position => ({ timestamp: e.timestamp, seq: e.seq });

async function getLogEvents(lc: LogsContext, input: GetLogEventsInput, ctx: RequestContext) {
  const ref = groupRef(input, ctx);
  const group = await requireGroup(lc, ref, ctx);
  const stream = await lc.state.getStream(group.value.gid, input.logStreamName);
  if (!stream) throw streamNotFound();
  const { sid } = stream.value;
  const limit = input.limit ?? 10_000;
  const lo = Math.max(input.startTime ?? 0, retentionCutoff(group.value, lc.now()));
  const loKey = eventKey(sid, lo, 0);
  const loPosition: Position = { timestamp: lo, seq: 0 };
  const hiTs = input.endTime ?? (stream.value.lastEventTimestamp ?? lo) + 1;
  const hiKey = input.endTime === undefined ? `${sid};` : eventKey(sid, input.endTime, 0);

  const token = input.nextToken ? parsePositionToken(input.nextToken) : undefined;
  const forward = token ? token.direction === 'f' : input.startFromHead === true;
  let events: StoredEvent[];
  if (forward) {
    const tokenKey = token ? eventKey(sid, token.position.timestamp, token.position.seq) : loKey;
    events = fitResponse(await lc.state.eventsBetween(sid, tokenKey > loKey ? tokenKey : loKey, hiKey, limit), false);
  } else {
    const tokenKey = token ? eventKey(sid, token.position.timestamp, token.position.seq) : hiKey;
    const to = tokenKey < hiKey ? tokenKey : hiKey;
    const toTs = token && tokenKey < hiKey ? token.position.timestamp + 1 : hiTs;
    events = lo >= hiTs ? [] : fitResponse(await lastEvents(lc, sid, loKey, to, lo, toTs, limit), true);
  }

  let nextForwardToken: string;
  let nextBackwardToken: string;
  if (events.length > 0) {
    nextForwardToken = formatPositionToken('f', position(events[events.length - 1]!));
    nextBackwardToken = formatPositionToken('b', position(events[0]!));
  } else if (token?.direction === 'f') {
    // Caught up: the same token again, so `--follow`-style readers and paginators know to wait or stop.
    nextForwardToken = input.nextToken!;
    nextBackwardToken = formatPositionToken('b', nextPosition(token.position));
  } else if (token?.direction === 'b') {
    nextBackwardToken = input.nextToken!;
    nextForwardToken = formatPositionToken('f', loPosition);
  } else {
    nextForwardToken = formatPositionToken('f', loPosition);
    nextBackwardToken = formatPositionToken('b', loPosition);
  }
  return {
    events: events.map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime })),
    nextForwardToken,
    nextBackwardToken,
  };
}

interface PutLogEventsInput extends StreamInput {
  logEvents: InputEvent[];
  sequenceToken?: string;
}

export function eventOperations(lc: LogsContext): Operations {
  return {
    PutLogEvents: {
      resources: streamResource,
      async handler(input: PutLogEventsInput, ctx) {
        const ref = groupRef({ logGroupName: input.logGroupName }, ctx);
        const out = await appendEvents<{ rejected?: RejectedInfo }>(lc, { ...ref, stream: input.logStreamName }, {
          create: false,
          prepare: (group, now) => {
            const { accepted, rejected } = classifyBatch(input.logEvents, now, group);
            return { events: accepted, result: { rejected } };
          },
        });
        return { nextSequenceToken: sequenceToken(out.seq), rejectedLogEventsInfo: out.rejected };
      },
    },
    GetLogEvents: {
      resources: (input: GetLogEventsInput, ctx) => {
        const ref = groupRef(input, ctx);
        return [streamArn(ref.region, ref.accountId, ref.name, input.logStreamName)];
      },
      handler: (input: GetLogEventsInput, ctx) => getLogEvents(lc, input, ctx),
    },
  };
}
