/**
 * Retention enforcement: reads already hide events older than a group's
 * retention; this sweep deletes them, for every account and region, and
 * brings each stream's storedBytes and firstEventTimestamp up to date. The
 * server runs it periodically; it is safe to run concurrently with writers
 * (each chunk's deletes and the stream update commit together under the
 * stream's version) and from several processes.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Working-with-log-groups-and-streams.html#SettingLogRetention
 */
import type { DocumentStore, StoredDocument, WriteOp } from '../../storage/types.js';
import { DAY_MS, retrying } from './common.js';
import { eventKey, eventPrefix, LogsState, TABLES, toStoredEvent, type EventDoc, type GroupDoc, type StreamDoc } from './models.js';

const CHUNK = 1000;

/** Deletes one chunk of a stream's expired events; returns how many, 0 when none are left. */
async function sweepChunk(state: LogsState, streamKey: string, cutoff: number): Promise<number> {
  return retrying(async () => {
    const stream = await state.store.get<StreamDoc>(TABLES.streams, streamKey);
    if (!stream) return 0;
    const { sid } = stream.value;
    const limitKey = eventKey(sid, cutoff, 0);
    const page = await state.store.list<EventDoc>(TABLES.events, { prefix: eventPrefix(sid), limit: CHUNK + 1 });
    const expired = page.filter((d) => d.key < limitKey).slice(0, CHUNK);
    if (expired.length === 0) return 0;
    const remaining = page.find((d) => d.key >= limitKey) ?? (expired.length < page.length ? page[expired.length] : undefined);
    const freed = expired.reduce((n, d) => n + Buffer.byteLength(d.value.m, 'utf8'), 0);
    const next = remaining ? toStoredEvent(remaining).timestamp : undefined;
    const updated: StreamDoc = { ...stream.value, bytes: Math.max(0, stream.value.bytes - freed) };
    // The next surviving event is the new first one; when the chunk emptied the stream, so are first and last.
    if (next !== undefined) updated.firstEventTimestamp = next;
    else if (expired.length === page.length) {
      delete updated.firstEventTimestamp;
      delete updated.lastEventTimestamp;
    }
    const ops: WriteOp[] = expired.map((d) => ({ op: 'delete', table: TABLES.events, key: d.key }));
    ops.push({ op: 'put', table: TABLES.streams, key: stream.key, value: updated, condition: { ifVersion: stream.version } });
    await state.store.batch(ops);
    return expired.length;
  });
}

/** Deletes every event older than its group's retention, as of `now` (epoch ms). */
export async function sweepRetention(store: DocumentStore, now: number = Date.now()): Promise<{ deletedEvents: number }> {
  const state = new LogsState(store);
  let deletedEvents = 0;
  let after: string | undefined;
  for (;;) {
    const groups: StoredDocument<GroupDoc>[] = await store.list<GroupDoc>(TABLES.groups, { after, limit: 500 });
    for (const group of groups) {
      if (!group.value.retentionInDays) continue;
      const cutoff = now - group.value.retentionInDays * DAY_MS;
      for (const stream of await state.allStreams(group.value.gid)) {
        if (stream.value.firstEventTimestamp === undefined || stream.value.firstEventTimestamp >= cutoff) continue;
        for (;;) {
          const n = await sweepChunk(state, stream.key, cutoff);
          deletedEvents += n;
          if (n === 0) break;
        }
      }
    }
    if (groups.length < 500) return { deletedEvents };
    after = groups[groups.length - 1]!.key;
  }
}
