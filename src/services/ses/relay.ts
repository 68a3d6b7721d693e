/**
 * The optional SMTP relay (`--smtp-url`): every accepted message is also
 * handed to a real SMTP server, through the durable outbox (outbox.ts), so a
 * message accepted before a crash or restart is still delivered. A failed
 * attempt is logged and recorded on the message (deliveryStatus "pending",
 * lastError, nextAttemptAt) and retried with a backoff from 1 s doubling to
 * 5 min (divided by --time-scale), like an MTA's queue, for 24 hours; a 5xx
 * answer, or 24 hours of failures, marks it "failed" and logs an error.
 * Nothing is dropped without a trace.
 */
import type { Logger } from '../../core/logger.js';
import type { BlobStore, DocumentStore, WriteOp } from '../../storage/types.js';
import { TABLES } from './common.js';
import { deliveryOp, readRaw, type Delivery, type MessageDoc } from './inbox.js';
import { complete, keyTime, lease, onQueued, peek, reschedule, type HeldEntry } from './outbox.js';
import { sendMail, SmtpError, type SmtpTarget } from './smtp.js';

export interface RelayOptions {
  store: DocumentStore;
  blobs: BlobStore;
  target: SmtpTarget;
  log: Logger;
  /** Divides backoff delays and the give-up age (1 = real time). */
  timeScale: number;
  /** Real ms an attempt holds its entry before another relay may take it (default 2 min). */
  leaseMs?: number;
  /** Longest wait between looks at the outbox (default 1 s). */
  pollMs?: number;
  /** Per-command SMTP timeout (default 30 s). */
  smtpTimeoutMs?: number;
}

export interface Relay {
  close(): Promise<void>;
}

const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 300_000;
const GIVE_UP_MS = 24 * 3600 * 1000;

export function backoffMs(attempts: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** Math.max(0, attempts - 1));
}

export function startRelay(o: RelayOptions): Relay {
  const leaseMs = o.leaseMs ?? 120_000;
  const pollMs = o.pollMs ?? 1000;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  const where = `${o.target.host}:${o.target.port}`;

  const schedule = (ms: number) => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(kick, Math.max(0, ms));
    timer.unref();
  };

  function kick(): void {
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    running = pass()
      .catch((err) => o.log.warn('ses relay pass failed', { err }))
      .then((nextIn) => {
        running = undefined;
        if (again) {
          again = false;
          schedule(0);
        } else schedule(Math.min(pollMs, typeof nextIn === 'number' ? nextIn : pollMs));
      });
  }

  /** Delivers what is due; returns ms until the next entry is due. */
  async function pass(): Promise<number> {
    for (;;) {
      if (closed) return pollMs;
      const head = await peek(o.store, 20);
      const now = Date.now();
      const due = head.filter((h) => keyTime(h.key) <= now);
      if (due.length === 0) return head.length ? keyTime(head[0]!.key) - now : pollMs;
      for (const found of due) {
        if (closed) return pollMs;
        const held = await lease(o.store, found, leaseMs);
        if (held) await attempt(held);
      }
    }
  }

  async function attempt(held: HeldEntry): Promise<void> {
    const id = held.entry.id;
    const doc = (await o.store.get<MessageDoc>(TABLES.messages, id))?.value;
    const raw = doc ? await readRaw(o.blobs, doc) : undefined;
    if (!doc || !raw) {
      // Deleted from the inbox meanwhile: nothing left to deliver.
      await complete(o.store, held);
      return;
    }
    const attempts = held.entry.attempts + 1;
    const startedAt = Date.now();
    // The outbox change and the message's new state are one batch; a concurrent change of the
    // message (only its deletion, in practice) makes it read again.
    const settle = async (write: (extra: WriteOp[]) => Promise<boolean>, patch: (d: Delivery) => Delivery) => {
      for (let i = 0; i < 10; i++) {
        const op = await deliveryOp(o.store, id, patch);
        if (await write(op ? [op] : [])) return;
        if (!(await o.store.get(TABLES.outbox, held.key))) return;
      }
    };
    try {
      const reply = await sendMail(o.target, { from: doc.envelope.from, to: doc.envelope.recipients }, raw, o.smtpTimeoutMs);
      await settle(
        (extra) => complete(o.store, held, extra),
        (d) => {
          const next: Delivery = { ...d, status: 'delivered', attempts, lastAttemptAt: startedAt, deliveredAt: Date.now() };
          delete next.nextAttemptAt;
          return next;
        },
      );
      o.log.info('ses relay delivered', { messageId: id, server: where, attempts, reply });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const permanent = err instanceof SmtpError && err.permanent;
      const expired = Date.now() - held.entry.enqueuedAt >= GIVE_UP_MS / o.timeScale;
      if (permanent || expired) {
        await settle(
          (extra) => complete(o.store, held, extra),
          (d) => {
            const next: Delivery = { ...d, status: 'failed', attempts, lastAttemptAt: startedAt, lastError: message };
            delete next.nextAttemptAt;
            return next;
          },
        );
        o.log.error('ses relay gave up on a message', { messageId: id, server: where, attempts, error: message, reason: permanent ? 'permanent SMTP error' : 'retried for 24 hours' });
        return;
      }
      const nextAttemptAt = Date.now() + backoffMs(attempts) / o.timeScale;
      await settle(
        (extra) => reschedule(o.store, held, attempts, nextAttemptAt, extra),
        (d) => ({ ...d, status: 'pending', attempts, lastAttemptAt: startedAt, lastError: message, nextAttemptAt }),
      );
      o.log.warn('ses relay attempt failed; will retry', { messageId: id, server: where, attempts, error: message, retryInMs: Math.round(nextAttemptAt - Date.now()) });
    }
  }

  const unsubscribe = onQueued(() => schedule(0));
  schedule(0);
  return {
    async close() {
      closed = true;
      unsubscribe();
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
