/**
 * CloudWatch Logs state in the DocumentStore, keyed so the reads the API needs
 * are range scans in binary key order. A log group is keyed by account, region
 * and name and carries a generated id (`gid`); its streams are keyed by that id
 * and the stream name, and each stream carries its own id (`sid`); events are
 * keyed by stream id, zero-padded timestamp and a per-stream sequence number.
 * Generated ids mean a group deleted and created again under the same name
 * never sees the old group's leftovers, and ':' (allowed in neither group nor
 * stream names) separates key parts, so "a" is never a prefix of "a.b".
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatchLogsConcepts.html
 */
import { randomBytes } from 'node:crypto';
import type { DocumentStore, StoredDocument } from '../../storage/types.js';

export const TABLES = {
  /** Key: `<account>:<region>:<group name>`. */
  groups: 'logs.groups',
  /** Key: `<gid>:<stream name>`. */
  streams: 'logs.streams',
  /** Key: `<sid>:<timestamp, 15 digits>:<seq, 12 digits>`. */
  events: 'logs.events',
} as const;

export interface GroupDoc {
  name: string;
  gid: string;
  creationTime: number;
  retentionInDays?: number;
  tags: Record<string, string>;
  logGroupClass: string;
  kmsKeyId?: string;
}

export interface StreamDoc {
  name: string;
  /** 20 decimal digits; also the middle of every event id of the stream. */
  sid: string;
  creationTime: number;
  firstEventTimestamp?: number;
  lastEventTimestamp?: number;
  lastIngestionTime?: number;
  /** UTF-8 bytes of the stored messages (reported through the group's storedBytes). */
  bytes: number;
  /** The last sequence number given to an event of this stream. */
  seq: number;
}

/** One stored event; its timestamp and sequence live in the key. */
export interface EventDoc {
  m: string;
  /** Ingestion time, epoch ms. */
  i: number;
}

export interface StoredEvent {
  key: string;
  timestamp: number;
  seq: number;
  message: string;
  ingestionTime: number;
}

const TS_DIGITS = 15;
const SEQ_DIGITS = 12;

export const pad = (n: number, digits: number) => String(Math.max(0, Math.trunc(n))).padStart(digits, '0');

export const groupKey = (accountId: string, region: string, name: string) => `${accountId}:${region}:${name}`;
export const groupPrefix = (accountId: string, region: string) => `${accountId}:${region}:`;
export const streamKey = (gid: string, name: string) => `${gid}:${name}`;
export const streamPrefix = (gid: string) => `${gid}:`;
export const eventPrefix = (sid: string) => `${sid}:`;
/** The key of an event, or (seq 0) the position just before every event of that millisecond. */
export const eventKey = (sid: string, timestamp: number, seq: number) => `${sid}:${pad(timestamp, TS_DIGITS)}:${pad(seq, SEQ_DIGITS)}`;
/** A key after every event of that millisecond and before the next one's (';' sorts after the digits and ':'). */
export const afterMillisecond = (sid: string, timestamp: number) => `${sid}:${pad(timestamp, TS_DIGITS)};`;

export function parseEventKey(key: string): { timestamp: number; seq: number } {
  const parts = key.split(':');
  return { timestamp: Number(parts[1]), seq: Number(parts[2]) };
}

export function toStoredEvent(doc: StoredDocument<EventDoc>): StoredEvent {
  const { timestamp, seq } = parseEventKey(doc.key);
  return { key: doc.key, timestamp, seq, message: doc.value.m, ingestionTime: doc.value.i };
}

/** AWS's 56-digit event id: unique in the group and stable, so `aws logs tail --follow` can de-duplicate. */
export function eventId(sid: string, timestamp: number, seq: number): string {
  return pad(timestamp, TS_DIGITS) + sid + pad(seq, 56 - TS_DIGITS - sid.length);
}

export function newGid(): string {
  return randomBytes(8).toString('hex');
}

export function newSid(): string {
  const bytes = randomBytes(20);
  let out = '';
  for (const b of bytes) out += String(b % 10);
  return out;
}

export const groupArn = (region: string, accountId: string, name: string) => `arn:aws:logs:${region}:${accountId}:log-group:${name}`;
export const streamArn = (region: string, accountId: string, group: string, stream: string) => `${groupArn(region, accountId, group)}:log-stream:${stream}`;

/** The size PutLogEvents counts for an event: its UTF-8 message plus 26 bytes. */
export const EVENT_OVERHEAD = 26;

/** Typed reads over the three tables. */
export class LogsState {
  constructor(readonly store: DocumentStore) {}

  getGroup(accountId: string, region: string, name: string): Promise<StoredDocument<GroupDoc> | undefined> {
    return this.store.get<GroupDoc>(TABLES.groups, groupKey(accountId, region, name));
  }

  getStream(gid: string, name: string): Promise<StoredDocument<StreamDoc> | undefined> {
    return this.store.get<StreamDoc>(TABLES.streams, streamKey(gid, name));
  }

  /** Every stream of a group, in name order, optionally those whose name starts with `prefix`. */
  async allStreams(gid: string, prefix = ''): Promise<StoredDocument<StreamDoc>[]> {
    const out: StoredDocument<StreamDoc>[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.store.list<StreamDoc>(TABLES.streams, { prefix: streamPrefix(gid) + prefix, after, limit: 1000 });
      out.push(...page);
      if (page.length < 1000) return out;
      after = page[page.length - 1]!.key;
    }
  }

  /** Events of a stream with `from` < key < `to`, in key order, at most `limit`. */
  async eventsBetween(sid: string, from: string, to: string, limit: number): Promise<StoredEvent[]> {
    const page = await this.store.list<EventDoc>(TABLES.events, { prefix: eventPrefix(sid), after: from, limit });
    const out: StoredEvent[] = [];
    for (const doc of page) {
      if (doc.key >= to) break;
      out.push(toStoredEvent(doc));
    }
    return out;
  }

  /** Stored bytes of a group: the sum over its streams. */
  async storedBytes(gid: string): Promise<number> {
    let total = 0;
    for (const s of await this.allStreams(gid)) total += s.value.bytes;
    return total;
  }
}
