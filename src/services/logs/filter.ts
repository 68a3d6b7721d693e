/**
 * FilterLogEvents: the events of a group's streams (all of them, a list of
 * names, or a name prefix) between startTime and endTime (both inclusive),
 * interleaved by timestamp (then stream name, then arrival), that match the
 * filter pattern; at most `limit` events and 1 MB per page. The nextToken is a
 * cursor (timestamp, stream, sequence) past the last event read, so paging
 * and `aws logs tail --follow` resume exactly there. A page also ends after
 * scanning a bounded number of events, with a nextToken, as AWS's can.
 * searchedLogStreams is always empty, as AWS has answered since May 2020.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html
 */
import type { RequestContext } from '../../core/context.js';
import { groupRef, groupResource, requireGroup, retentionCutoff, type LogsContext, type Operations } from './common.js';
import { invalidParameter } from './errors.js';
import { compileFilterPattern } from './filter-pattern.js';
import { MAX_BATCH_BYTES } from './ingest.js';
import { afterMillisecond, EVENT_OVERHEAD, eventId, eventKey, type StoredEvent, type StreamDoc } from './models.js';
import { decodeCursor, encodeCursor } from './tokens.js';

interface FilterInput {
  logGroupName?: string;
  logGroupIdentifier?: string;
  logStreamNames?: string[];
  logStreamNamePrefix?: string;
  startTime?: number;
  endTime?: number;
  filterPattern?: string;
  nextToken?: string;
  limit?: number;
}

/** The last event read: timestamp, stream name, sequence. */
interface Cursor {
  t: number;
  s: string;
  q: number;
}

/** Events scanned per page at most, so a rare pattern over a big group still answers promptly. */
const SCAN_BUDGET = 200_000;
const CHUNK = 500;

function compareStreams(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A forward reader over one stream's events in a key range, fetching in chunks. */
class StreamReader {
  private buffer: StoredEvent[] = [];
  private exhausted = false;

  constructor(
    private readonly lc: LogsContext,
    readonly stream: StreamDoc,
    private from: string,
    private readonly to: string,
  ) {}

  get ready(): boolean {
    return this.buffer.length > 0 || this.exhausted;
  }

  async fill(): Promise<void> {
    if (this.ready) return;
    const page = await this.lc.state.eventsBetween(this.stream.sid, this.from, this.to, CHUNK);
    this.buffer = page;
    if (page.length < CHUNK) this.exhausted = true;
    if (page.length > 0) this.from = page[page.length - 1]!.key;
  }

  peek(): StoredEvent | undefined {
    return this.buffer[0];
  }

  take(): StoredEvent {
    return this.buffer.shift()!;
  }
}

/** The first key of a stream's range that comes after the cursor in (timestamp, stream, seq) order. */
function startKey(stream: StreamDoc, lowerTs: number, cursor: Cursor | undefined): string {
  const lowest = eventKey(stream.sid, lowerTs, 0);
  if (!cursor || cursor.t < lowerTs) return lowest;
  const order = compareStreams(stream.name, cursor.s);
  if (order < 0) return afterMillisecond(stream.sid, cursor.t);
  if (order === 0) return eventKey(stream.sid, cursor.t, cursor.q);
  return eventKey(stream.sid, cursor.t, 0);
}

async function filterLogEvents(lc: LogsContext, input: FilterInput, ctx: RequestContext) {
  if (input.logStreamNames !== undefined && input.logStreamNamePrefix !== undefined) {
    throw invalidParameter('logStreamNames and logStreamNamePrefix are mutually exclusive');
  }
  const matches = compileFilterPattern(input.filterPattern);
  const ref = groupRef(input, ctx);
  const group = await requireGroup(lc, ref, ctx);
  const cursor = input.nextToken
    ? decodeCursor<Cursor>(input.nextToken, (v) => typeof v.t === 'number' && typeof v.s === 'string' && typeof v.q === 'number')
    : undefined;
  const limit = input.limit ?? 10_000;
  const lowerTs = Math.max(input.startTime ?? 0, retentionCutoff(group.value, lc.now()));
  const upperTs = input.endTime;
  if (upperTs !== undefined && upperTs < lowerTs) return { events: [], searchedLogStreams: [] };

  let streams: StreamDoc[];
  if (input.logStreamNames) {
    const names = [...new Set(input.logStreamNames)];
    streams = (await Promise.all(names.map((n) => lc.state.getStream(group.value.gid, n)))).flatMap((s) => (s ? [s.value] : []));
  } else {
    streams = (await lc.state.allStreams(group.value.gid, input.logStreamNamePrefix ?? '')).map((s) => s.value);
  }
  // Only streams whose events can fall in the range (and after the cursor) are read.
  const from = Math.max(lowerTs, cursor?.t ?? 0);
  const readers = streams
    .filter((s) => s.lastEventTimestamp !== undefined && s.lastEventTimestamp >= from && (upperTs === undefined || (s.firstEventTimestamp ?? 0) <= upperTs))
    .map((s) => new StreamReader(lc, s, startKey(s, lowerTs, cursor), upperTs === undefined ? `${s.sid};` : afterMillisecond(s.sid, upperTs)));

  const events = [];
  let bytes = 0;
  let scanned = 0;
  let last: Cursor | undefined;
  let more = false;
  for (;;) {
    await Promise.all(readers.filter((r) => !r.ready).map((r) => r.fill()));
    let best: StreamReader | undefined;
    for (const r of readers) {
      const e = r.peek();
      if (!e) continue;
      const b = best?.peek();
      if (!b || e.timestamp < b.timestamp || (e.timestamp === b.timestamp && compareStreams(r.stream.name, best!.stream.name) < 0)) best = r;
    }
    if (!best) break;
    const next = best.peek()!;
    const size = Buffer.byteLength(next.message, 'utf8') + EVENT_OVERHEAD;
    if (events.length >= limit || scanned >= SCAN_BUDGET || (bytes + size > MAX_BATCH_BYTES && events.length > 0)) {
      more = true;
      break;
    }
    best.take();
    scanned++;
    last = { t: next.timestamp, s: best.stream.name, q: next.seq };
    if (!matches(next.message)) continue;
    bytes += size;
    events.push({
      logStreamName: best.stream.name,
      timestamp: next.timestamp,
      message: next.message,
      ingestionTime: next.ingestionTime,
      eventId: eventId(best.stream.sid, next.timestamp, next.seq),
    });
  }
  return { events, searchedLogStreams: [], nextToken: more && last ? encodeCursor({ ...last }) : undefined };
}

export function filterOperations(lc: LogsContext): Operations {
  return {
    FilterLogEvents: {
      resources: (input: FilterInput, ctx) => [groupResource(groupRef(input, ctx))],
      handler: (input: FilterInput, ctx) => filterLogEvents(lc, input, ctx),
    },
  };
}
