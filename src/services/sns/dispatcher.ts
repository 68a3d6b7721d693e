/**
 * The delivery dispatcher: takes due rows from the queue (delivery-queue.ts)
 * with a lease and delivers them, by POST to HTTP/S endpoints or as a mail
 * into SES's inbox. A failed attempt is tried again as the delivery policy
 * says (retry-policy.ts), its delays divided by the server's time scale; one
 * that exhausts the policy is dropped and logged (SQS is not built, so a
 * RedrivePolicy has no queue to receive it). A subscription's
 * throttlePolicy.maxReceivesPerSecond spaces its deliveries out; the rate is
 * kept per process.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../core/logger.js';
import type { DocumentStore, WriteOp } from '../../storage/types.js';
import { TABLES, type SubscriptionDoc, type TopicDoc } from './contract.js';
import { complete, keyTime, lease, peek, reschedule, type DeliveryRow, type HeldRow } from './delivery-queue.js';
import { confirmationMail, CONFIRMATION_SUBJECT, DEFAULT_SUBJECT, notificationText, plainMail, SNS_SENDER } from './email-delivery.js';
import { formatMessage, httpHeaders } from './envelope.js';
import { HTTP_TIMEOUT_MS, postMessage, type HttpOutcome } from './http-delivery.js';
import { effectiveHttpPolicy, EMAIL_RETRY, retryDelaySeconds, type RetryPolicy } from './retry-policy.js';

/** Where email deliveries go: SES's inbox (and its relay). */
export interface MailDrop {
  /**
   * Stores the bytes and returns the writes that add the message to the
   * inbox (and the relay's outbox); they commit with the queue row's removal.
   */
  acceptOps(raw: Buffer, from: string, to: string[], meta?: { accountId: string; region: string; operation?: string }): Promise<WriteOp[]>;
  /** After those writes committed: the relay may send now. */
  notifyQueued?(): void;
}

export interface DispatcherOptions {
  store: DocumentStore;
  log: Logger;
  /** Divides retry delays and throttling intervals (1 = real time). */
  timeScale: number;
  mail?: MailDrop;
  /** How long a taken row stays this dispatcher's (real ms; longer than an HTTP attempt). */
  leaseMs?: number;
  /** Longest wait between looks at the queue (ms). */
  pollMs?: number;
  maxInFlight?: number;
  httpTimeoutMs?: number;
}

export interface Dispatcher {
  wake(): void;
  start(): void;
  stop(): Promise<void>;
  /** Forgets per-process throttling state (after a reset). */
  reset(): void;
}

function topicKeyOf(topicArn: string): string | undefined {
  const parts = topicArn.split(':');
  return parts.length === 6 ? `${parts[4]}/${parts[3]}/${parts[5]}` : undefined;
}

function accountAndRegion(topicArn: string) {
  const parts = topicArn.split(':');
  return { accountId: parts[4] ?? '', region: parts[3] ?? '' };
}

export function createDispatcher(o: DispatcherOptions): Dispatcher {
  const owner = randomUUID();
  const scale = Math.max(o.timeScale, 1e-9);
  const httpTimeoutMs = o.httpTimeoutMs ?? HTTP_TIMEOUT_MS;
  const leaseMs = o.leaseMs ?? httpTimeoutMs + 15_000;
  const pollMs = o.pollMs ?? 500;
  const maxInFlight = o.maxInFlight ?? 32;
  const inFlight = new Map<string, Promise<void>>();
  /** Subscription ARN → the earliest time its next throttled delivery may go. */
  const nextSlot = new Map<string, number>();
  let started = false;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let scanning = false;
  let again = false;

  const wake = () => {
    if (!started || closed) return;
    if (scanning) {
      again = true;
      return;
    }
    if (timer) clearTimeout(timer);
    timer = undefined;
    void scan();
  };

  const sleep = (ms: number) => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(wake, Math.max(0, Math.min(ms, pollMs)));
    timer.unref();
  };

  async function scan(): Promise<void> {
    scanning = true;
    let nextDue = Date.now() + pollMs;
    try {
      const head = await peek(o.store, Math.max(64, maxInFlight * 2));
      const now = Date.now();
      for (const found of head) {
        if (closed) break;
        const due = keyTime(found.key);
        if (due > now) {
          nextDue = Math.min(nextDue, due);
          break;
        }
        if (inFlight.size >= maxInFlight) break;
        if (inFlight.has(found.row.id)) continue;
        const held = await lease(o.store, found, owner, leaseMs);
        if (!held) continue;
        const run = deliver(held)
          .catch((err: unknown) => o.log.error('SNS delivery failed in the dispatcher', { err, subscription: held.row.subscriptionArn }))
          .finally(() => {
            inFlight.delete(held.row.id);
            wake();
          });
        inFlight.set(held.row.id, run);
      }
    } catch (err) {
      if (!closed) o.log.warn('could not read the SNS delivery queue', { err });
    } finally {
      scanning = false;
    }
    if (again) {
      again = false;
      return scan();
    }
    sleep(nextDue - Date.now());
  }

  async function deliver(held: HeldRow): Promise<void> {
    const r = held.row;
    const fields = { subscription: r.subscriptionArn, messageId: r.message.MessageId, type: r.message.Type };
    // An UnsubscribeConfirmation goes out after its subscription is gone; anything else needs it still there.
    const sub = r.message.Type === 'UnsubscribeConfirmation' ? undefined : (await o.store.get<SubscriptionDoc>(TABLES.subscriptions, r.subscriptionArn))?.value;
    if (r.message.Type !== 'UnsubscribeConfirmation' && !sub) {
      o.log.debug('SNS delivery dropped: the subscription no longer exists', fields);
      await complete(o.store, held);
      return;
    }
    const topicKey = topicKeyOf(r.topicArn);
    const topic = topicKey ? (await o.store.get<TopicDoc>(TABLES.topics, topicKey))?.value : undefined;

    let outcome: HttpOutcome;
    let policy: RetryPolicy;
    if (r.protocol === 'http' || r.protocol === 'https') {
      const effective = effectiveHttpPolicy(topic?.attributes.DeliveryPolicy, sub?.attributes.DeliveryPolicy ?? r.subscriptionPolicy);
      policy = effective.retry;
      // A row that already waited for its slot goes now; any other takes the subscription's next slot.
      if (effective.maxReceivesPerSecond && r.slot === undefined) {
        const now = Date.now();
        const slot = Math.max(now, nextSlot.get(r.subscriptionArn) ?? 0);
        nextSlot.set(r.subscriptionArn, slot + 1000 / effective.maxReceivesPerSecond / scale);
        // Not this one's turn yet: back in the queue until its slot, no attempt counted.
        if (slot > now) {
          await reschedule(o.store, held, { ...r, slot }, slot);
          return;
        }
      }
      const raw = r.raw === true && r.message.Type === 'Notification';
      const body = raw ? r.message.Message : formatMessage(r.message);
      outcome = await postMessage(r.endpoint, body, httpHeaders(r.message, r.subscriptionArn, { raw, contentType: effective.headerContentType }), httpTimeoutMs);
    } else {
      policy = EMAIL_RETRY;
      if (!o.mail) {
        o.log.warn('SNS email delivery dropped: no mail service is wired', fields);
        await complete(o.store, held);
        return;
      }
      const mail = renderMail(r, topic?.attributes.DisplayName);
      if (!mail) {
        await complete(o.store, held);
        return;
      }
      try {
        const operation = r.message.Type === 'SubscriptionConfirmation' ? 'Subscribe' : 'Publish';
        const ops = await o.mail.acceptOps(mail, SNS_SENDER, [r.endpoint], { ...accountAndRegion(r.topicArn), operation });
        if (await complete(o.store, held, ops)) o.mail.notifyQueued?.();
        else o.log.warn('an SNS email delivery changed hands before it was stored; it may arrive twice', fields);
        return;
      } catch (err) {
        outcome = { delivered: false, error: err instanceof Error ? err.message : String(err) };
      }
    }

    if (outcome.delivered) {
      o.log.debug('SNS message delivered', { ...fields, status: outcome.status, attempts: r.attempts + 1 });
      await complete(o.store, held);
      return;
    }
    const attempts = r.attempts + 1;
    const delay = retryDelaySeconds(policy, attempts);
    if (delay === undefined) {
      const redrive = sub?.attributes.RedrivePolicy ? ' (its RedrivePolicy names an SQS queue, which Stratus does not have yet)' : '';
      o.log.warn(`SNS delivery failed after ${attempts} attempts and is dropped${redrive}`, { ...fields, endpoint: r.endpoint, error: outcome.error });
      await complete(o.store, held);
      return;
    }
    o.log.debug('SNS delivery attempt failed; it will be retried', { ...fields, error: outcome.error, attempts, delaySeconds: delay });
    const retry: DeliveryRow = { ...r, attempts, lastError: outcome.error };
    delete retry.slot;
    await reschedule(o.store, held, retry, Date.now() + (delay * 1000) / scale);
  }

  return {
    wake,
    start() {
      if (started) return;
      started = true;
      wake();
    },
    async stop() {
      closed = true;
      if (timer) clearTimeout(timer);
      await Promise.allSettled([...inFlight.values()]);
    },
    reset() {
      nextSlot.clear();
    },
  };
}

/** The mail a row becomes, or undefined for a message email endpoints are not sent. */
export function renderMail(r: DeliveryRow, displayName: string | undefined): Buffer | undefined {
  const m = r.message;
  const to = r.endpoint;
  if (m.Type === 'SubscriptionConfirmation') {
    if (r.protocol === 'email') return confirmationMail({ displayName, to }, m.TopicArn, m.SubscribeURL!);
    return plainMail({ displayName, to, subject: CONFIRMATION_SUBJECT }, formatMessage(m));
  }
  if (m.Type !== 'Notification') return undefined;
  const subject = m.Subject ?? DEFAULT_SUBJECT;
  if (r.protocol === 'email') return plainMail({ displayName, to, subject }, notificationText(m.Message, m.UnsubscribeURL!));
  return plainMail({ displayName, to, subject }, formatMessage(m));
}
