/**
 * Writing events: PutLogEvents' batch rules and the append that both
 * PutLogEvents and the function engine's log sink go through. A batch must be
 * in chronological order, at most 10,000 events and 1,048,576 bytes (UTF-8
 * message plus 26 bytes per event), and span at most 24 hours; events more
 * than 14 days old (tooOld), older than the group's retention (expired) or
 * more than 2 hours ahead (tooNew) are dropped and reported in
 * rejectedLogEventsInfo while the rest are stored. Sequence tokens are
 * accepted and ignored, as AWS does since January 2023.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html
 */
import type { StoredDocument, WriteOp } from '../../storage/types.js';
import { DAY_MS, retentionCutoff, retrying, type GroupRef, type LogsContext } from './common.js';
import { groupNotFound, invalidParameter, streamNotFound } from './errors.js';
import { createGroup } from './groups.js';
import { EVENT_OVERHEAD, eventKey, TABLES, type EventDoc, type GroupDoc, type StreamDoc } from './models.js';
import { createStream } from './streams.js';

export interface InputEvent {
  timestamp: number;
  message: string;
}

export const MAX_BATCH_BYTES = 1_048_576;
export const MAX_EVENT_BYTES = 1_048_576;
const TOO_OLD_MS = 14 * DAY_MS;
const TOO_NEW_MS = 2 * 3_600_000;
const MAX_SPAN_MS = DAY_MS;

export interface RejectedInfo {
  tooNewLogEventStartIndex?: number;
  tooOldLogEventEndIndex?: number;
  expiredLogEventEndIndex?: number;
}

/** Applies PutLogEvents' rules: throws for a malformed batch, else splits it into accepted events and the rejected ranges. */
export function classifyBatch(events: InputEvent[], now: number, group: GroupDoc): { accepted: InputEvent[]; rejected?: RejectedInfo } {
  let total = 0;
  for (let i = 0; i < events.length; i++) {
    const size = Buffer.byteLength(events[i]!.message, 'utf8') + EVENT_OVERHEAD;
    if (size > MAX_EVENT_BYTES) throw invalidParameter(`Log event too large: ${size} bytes exceeds limit of ${MAX_EVENT_BYTES}`);
    total += size;
    if (i > 0 && events[i]!.timestamp < events[i - 1]!.timestamp) throw invalidParameter('Log events in a single PutLogEvents request must be in chronological order.');
  }
  if (total > MAX_BATCH_BYTES) throw invalidParameter(`Upload too large: ${total} bytes exceeds limit of ${MAX_BATCH_BYTES}`);

  const tooOldBefore = now - TOO_OLD_MS;
  const expiredBefore = retentionCutoff(group, now);
  const tooNewAfter = now + TOO_NEW_MS;
  const rejected: RejectedInfo = {};
  const accepted: InputEvent[] = [];
  events.forEach((e, i) => {
    if (e.timestamp < tooOldBefore) rejected.tooOldLogEventEndIndex = i;
    else if (e.timestamp < expiredBefore) rejected.expiredLogEventEndIndex = i;
    else if (e.timestamp > tooNewAfter) rejected.tooNewLogEventStartIndex ??= i;
    else accepted.push(e);
  });
  if (accepted.length > 1 && accepted[accepted.length - 1]!.timestamp - accepted[0]!.timestamp > MAX_SPAN_MS) {
    throw invalidParameter('The batch of log events in a single PutLogEvents request cannot span more than 24 hours.');
  }
  return { accepted, rejected: Object.keys(rejected).length > 0 ? rejected : undefined };
}

/** The writes that append events to a stream, guarded by the group's and the stream's versions. */
export function appendOps(group: StoredDocument<GroupDoc>, stream: StoredDocument<StreamDoc>, events: InputEvent[], now: number): { ops: WriteOp[]; updated: StreamDoc } {
  const s = stream.value;
  const ops: WriteOp[] = [{ op: 'check', table: TABLES.groups, key: group.key, condition: { ifVersion: group.version } }];
  let seq = s.seq;
  let bytes = s.bytes;
  let first = s.firstEventTimestamp;
  let last = s.lastEventTimestamp;
  for (const e of events) {
    seq++;
    bytes += Buffer.byteLength(e.message, 'utf8');
    first = first === undefined ? e.timestamp : Math.min(first, e.timestamp);
    last = last === undefined ? e.timestamp : Math.max(last, e.timestamp);
    ops.push({ op: 'put', table: TABLES.events, key: eventKey(s.sid, e.timestamp, seq), value: { m: e.message, i: now } satisfies EventDoc });
  }
  const updated: StreamDoc = { ...s, seq, bytes, firstEventTimestamp: first, lastEventTimestamp: last, lastIngestionTime: events.length > 0 ? now : s.lastIngestionTime };
  ops.push({ op: 'put', table: TABLES.streams, key: stream.key, value: updated, condition: { ifVersion: stream.version } });
  return { ops, updated };
}

export interface AppendTarget extends GroupRef {
  stream: string;
}

/**
 * Appends events (at most 10,000) to a stream in one atomic batch per attempt. `create` makes a
 * missing group and stream (the function engine's sink); otherwise a missing
 * one is ResourceNotFoundException. `prepare` sees the group before the write
 * (PutLogEvents classifies the batch against its retention there).
 */
export async function appendEvents<T>(
  lc: LogsContext,
  target: AppendTarget,
  options: { create: boolean; prepare: (group: GroupDoc, now: number) => { events: InputEvent[]; result: T } },
): Promise<T & { seq: number }> {
  const { state } = lc;
  return retrying(async () => {
    let group = await state.getGroup(target.accountId, target.region, target.name);
    if (!group) {
      if (!options.create) throw groupNotFound();
      await createGroup(lc, target);
      group = await state.getGroup(target.accountId, target.region, target.name);
      if (!group) throw groupNotFound();
    }
    let stream = await state.getStream(group.value.gid, target.stream);
    if (!stream) {
      if (!options.create) throw streamNotFound();
      await createStream(lc, group, target.stream);
      stream = await state.getStream(group.value.gid, target.stream);
      if (!stream) throw streamNotFound();
    }
    const now = lc.now();
    const { events, result } = options.prepare(group.value, now);
    if (events.length === 0) return { ...result, seq: stream.value.seq };
    const { ops, updated } = appendOps(group, stream, events, now);
    await state.store.batch(ops);
    return { ...result, seq: updated.seq };
  });
}
