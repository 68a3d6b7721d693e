/**
 * The inbox: every message SES accepted (verification mails included), as
 * the RFC 5322 bytes it would have sent, in the BlobStore, with a document
 * holding its envelope (MAIL FROM and every RCPT TO, Bcc included), the
 * headers a list shows, and the SMTP relay's delivery state. Read through
 * GET /_stratus/ses/messages[/<id>[/raw]] and `stratus mail list|show`, in
 * the spirit of LocalStack's /_aws/ses.
 */
import type { Readable } from 'node:stream';
import type { BlobStore, DocumentStore, WriteOp } from '../../storage/types.js';
import { parseAddressList } from './addresses.js';
import { TABLES, type SesContext } from './common.js';
import { fieldValue, readableHeader, readMessage, splitHeaders } from './mime-parse.js';
import { entriesFor } from './outbox.js';

export type DeliveryStatus = 'stored' | 'pending' | 'delivered' | 'failed';

export interface Delivery {
  /** stored: no relay configured; pending: queued for the relay; delivered / failed: the relay's outcome. */
  status: DeliveryStatus;
  attempts: number;
  lastError?: string;
  lastAttemptAt?: number;
  nextAttemptAt?: number;
  deliveredAt?: number;
}

export interface MessageDoc {
  id: string;
  accountId: string;
  region: string;
  service: 'ses' | 'sesv2' | 'sns';
  operation: string;
  timestamp: number;
  envelope: { from: string; recipients: string[] };
  from: string;
  to: string[];
  cc: string[];
  replyTo: string[];
  subject: string;
  size: number;
  blobKey: string;
  /** Set for the mails SES itself sends (address verification). */
  kind?: 'verification';
  delivery: Delivery;
}

export const blobKeyFor = (id: string) => `ses/messages/${id}.eml`;

/** The document for a message's bytes: headers read back from the message itself. */
export function messageDoc(fields: Omit<MessageDoc, 'from' | 'to' | 'cc' | 'replyTo' | 'subject' | 'size' | 'blobKey' | 'delivery'>, raw: Buffer, relay: boolean): MessageDoc {
  const { fields: headers } = splitHeaders(raw);
  const list = (name: string) => parseAddressList(readableHeader(fieldValue(headers, name) ?? '')).map((m) => (m.display ? `${m.display} <${m.address}>` : m.address));
  return {
    ...fields,
    from: list('from')[0] ?? fields.envelope.from,
    to: list('to'),
    cc: list('cc'),
    replyTo: list('reply-to'),
    subject: readableHeader(fieldValue(headers, 'subject') ?? ''),
    size: raw.length,
    blobKey: blobKeyFor(fields.id),
    delivery: { status: relay ? 'pending' : 'stored', attempts: 0 },
  };
}

export function putMessageOp(doc: MessageDoc): WriteOp {
  return { op: 'put', table: TABLES.messages, key: doc.id, value: doc, condition: { ifNotExists: true } };
}

const bare = (s: string) => /<([^>]*)>\s*$/.exec(s)?.[1] ?? s;

export function summary(doc: MessageDoc) {
  const shown = new Set([...doc.to, ...doc.cc].map((a) => bare(a).toLowerCase()));
  return {
    id: doc.id,
    timestamp: new Date(doc.timestamp).toISOString(),
    accountId: doc.accountId,
    region: doc.region,
    operation: `${doc.service}:${doc.operation}`,
    source: doc.envelope.from,
    from: doc.from,
    to: doc.to,
    cc: doc.cc,
    bcc: doc.envelope.recipients.filter((r) => !shown.has(r.toLowerCase())),
    replyTo: doc.replyTo,
    subject: doc.subject,
    size: doc.size,
    ...(doc.kind ? { kind: doc.kind } : {}),
    deliveryStatus: doc.delivery.status,
    deliveryAttempts: doc.delivery.attempts,
    ...(doc.delivery.lastError ? { lastError: doc.delivery.lastError } : {}),
  };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  return Buffer.concat(chunks);
}

export async function readRaw(blobs: BlobStore, doc: MessageDoc): Promise<Buffer | undefined> {
  const stream = await blobs.read(doc.blobKey);
  return stream ? readAll(stream) : undefined;
}

export interface InboxQuery {
  limit?: number;
  /** Substring filters (case-insensitive) on the envelope sender and the recipients. */
  from?: string;
  to?: string;
}

export function createInbox(c: SesContext) {
  const store: DocumentStore = c.deps.store;
  const get = async (id: string) => (await store.get<MessageDoc>(TABLES.messages, id))?.value;
  return {
    async list(q: InboxQuery = {}) {
      const out: ReturnType<typeof summary>[] = [];
      let after: string | undefined;
      const from = q.from?.toLowerCase();
      const to = q.to?.toLowerCase();
      for (;;) {
        const page = await store.list<MessageDoc>(TABLES.messages, { after, limit: 500 });
        for (const d of page) {
          const m = d.value;
          if (from && !`${m.envelope.from} ${m.from}`.toLowerCase().includes(from)) continue;
          if (to && !m.envelope.recipients.some((r) => r.toLowerCase().includes(to))) continue;
          out.push(summary(m));
        }
        if (page.length < 500) break;
        after = page[page.length - 1]!.key;
      }
      // The newest `limit` messages, still in arrival order.
      return { messages: q.limit && q.limit > 0 ? out.slice(-q.limit) : out };
    },
    async get(id: string) {
      const doc = await get(id);
      if (!doc) return undefined;
      const raw = (await readRaw(c.deps.blobs, doc)) ?? Buffer.alloc(0);
      const read = readMessage(raw);
      return {
        ...summary(doc),
        envelope: doc.envelope,
        headers: read.headers,
        ...(read.text !== undefined ? { text: read.text } : {}),
        ...(read.html !== undefined ? { html: read.html } : {}),
        attachments: read.attachments,
        delivery: doc.delivery,
        raw: raw.toString('utf8'),
      };
    },
    async raw(id: string): Promise<{ body: Readable; size: number } | undefined> {
      const doc = await get(id);
      const body = doc ? await c.deps.blobs.read(doc.blobKey) : undefined;
      return doc && body ? { body, size: doc.size } : undefined;
    },
    /** Deletes messages (all, or the given one) with their bytes and any delivery still queued. */
    async remove(id?: string): Promise<number> {
      const docs: MessageDoc[] = [];
      if (id) {
        const doc = await get(id);
        if (doc) docs.push(doc);
      } else {
        let after: string | undefined;
        for (;;) {
          const page = await store.list<MessageDoc>(TABLES.messages, { after, limit: 500 });
          docs.push(...page.map((d) => d.value));
          if (page.length < 500) break;
          after = page[page.length - 1]!.key;
        }
      }
      if (docs.length === 0) return 0;
      const ids = new Set(docs.map((d) => d.id));
      const queued = await entriesFor(store, ids);
      const ops: WriteOp[] = [...docs.map((d): WriteOp => ({ op: 'delete', table: TABLES.messages, key: d.id })), ...queued.map((k): WriteOp => ({ op: 'delete', table: TABLES.outbox, key: k }))];
      for (let i = 0; i < ops.length; i += 500) await store.batch(ops.slice(i, i + 500));
      for (const d of docs) await c.deps.blobs.delete(d.blobKey);
      return docs.length;
    },
  };
}

export type Inbox = ReturnType<typeof createInbox>;

/**
 * The write that sets a message's delivery state, conditional on the version
 * read, for the relay to batch with its outbox change; undefined when the
 * message was deleted meanwhile.
 */
export async function deliveryOp(store: DocumentStore, id: string, patch: (d: Delivery) => Delivery): Promise<WriteOp | undefined> {
  const found = await store.get<MessageDoc>(TABLES.messages, id);
  if (!found) return undefined;
  return { op: 'put', table: TABLES.messages, key: id, value: { ...found.value, delivery: patch(found.value.delivery) }, condition: { ifVersion: found.version } };
}
