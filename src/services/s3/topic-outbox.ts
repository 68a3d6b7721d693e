/**
 * Event notifications bound for SNS topics, between the object write and SNS.
 * A write commits its events in one synchronous step (store.ts's extraOps),
 * but SNS's fan-out must first read the topic and its subscriptions; so the
 * write's own transaction commits one outbox record per message (as it
 * commits Lambda invocations), and this drain turns each record into SNS's
 * fan-out writes, committed together with the record's removal. An accepted
 * write therefore never loses its notification, and a message is published
 * once even when two processes drain the same record (the removal is
 * conditional on the record's version).
 *
 * The write paths wake the drain after their commit (through
 * `lambda.notifyQueued`, which they already call); the service's sweep, at
 * start-up and periodically, picks up whatever a crash or an error left.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../core/logger.js';
import { ConditionFailedError, type DocumentStore, type StoredDocument, type WriteOp } from '../../storage/types.js';
import type { S3ServiceDeps, TopicTarget } from './common.js';
import { TABLES } from './store.js';

/** One message S3 owes a topic. */
export interface OutboxRecord {
  topicArn: string;
  subject: string;
  /** The event JSON ({"Records":[...]}) as text. */
  message: string;
  /** The bucket's ARN and owner: what the topic policy is evaluated against. */
  sourceArn: string;
  sourceAccount: string;
  /** Stratus's public URL when the write was made (SigningCertURL and UnsubscribeURL use it). */
  endpoint: string;
}

const PAGE = 64;
const RETRY_MS = 1000;
/** Publishing again after a conflict (a FIFO counter, a topic deleted meanwhile) gives up after this many tries. */
const MAX_CONFLICTS = 20;

export class TopicOutbox {
  private current: Promise<void> | undefined;
  private again = false;
  private retry: NodeJS.Timeout | undefined;
  /** Whether this process ever queued a record: until then a wake-up skips the look at an (empty) table. */
  private used = false;

  constructor(
    private readonly store: DocumentStore,
    private readonly sns: TopicTarget,
    private readonly log: Logger,
  ) {}

  /** The write that queues `record`; keys start with the event's sequencer, so records drain in event order. */
  op(sequencer: string, record: OutboxRecord): WriteOp {
    this.used = true;
    return { op: 'put', table: TABLES.outbox, key: `${sequencer}/${randomUUID()}`, value: record, condition: { ifNotExists: true } };
  }

  /** After a write committed: publish what it queued. */
  wake(): void {
    if (this.used) void this.start();
  }

  /** Publishes everything queued, by any process; resolves when the table was found empty. */
  flush(): Promise<void> {
    return this.start();
  }

  private start(): Promise<void> {
    if (this.current) {
      this.again = true;
      return this.current;
    }
    this.current = this.run().finally(() => (this.current = undefined));
    return this.current;
  }

  private async run(): Promise<void> {
    try {
      do {
        this.again = false;
        await this.drain();
      } while (this.again);
    } catch (err) {
      this.log.warn('could not publish queued S3 event notifications to SNS; retrying', { err });
      if (!this.retry) {
        this.retry = setTimeout(() => {
          this.retry = undefined;
          void this.flush();
        }, RETRY_MS);
        this.retry.unref();
      }
    }
  }

  private async drain(): Promise<void> {
    let after: string | undefined;
    for (;;) {
      const page = await this.store.list<OutboxRecord>(TABLES.outbox, { ...(after ? { after } : {}), limit: PAGE });
      for (const doc of page) await this.publish(doc);
      if (page.length < PAGE) return;
      after = page[page.length - 1]!.key;
    }
  }

  private async publish(doc: StoredDocument<OutboxRecord>): Promise<void> {
    const r = doc.value;
    const remove: WriteOp = { op: 'delete', table: TABLES.outbox, key: doc.key, condition: { ifVersion: doc.version } };
    for (let attempt = 1; ; attempt++) {
      const result = await this.sns.publishOps(r.topicArn, { subject: r.subject, message: r.message }, { sourceArn: r.sourceArn, sourceAccount: r.sourceAccount }, r.endpoint);
      // As on AWS, a topic that is gone or no longer lets S3 publish fails the delivery: the message is dropped.
      const ops = result.ok ? [remove, ...result.ops] : [remove];
      try {
        await this.store.batch(ops);
      } catch (err) {
        if (!(err instanceof ConditionFailedError)) throw err;
        // Another drain took the record.
        if (err.table === TABLES.outbox) return;
        if (attempt >= MAX_CONFLICTS) throw err;
        continue;
      }
      if (result.ok) this.sns.wake();
      else this.log.warn('an S3 event notification could not be published to SNS and is dropped', { topic: r.topicArn, bucket: r.sourceArn, code: result.code, reason: result.message });
      return;
    }
  }
}

/**
 * The deps the write paths see: they call `lambda.notifyQueued()` after
 * committing a write's events, and topic records ride the same wake-up.
 */
export function withTopicOutbox(deps: S3ServiceDeps, outbox: TopicOutbox): S3ServiceDeps {
  const lambda = deps.lambda;
  return {
    ...deps,
    lambda: {
      canInvoke: lambda ? (arn, sourceArn, sourceAccount) => lambda.canInvoke(arn, sourceArn, sourceAccount) : async () => false,
      enqueueOps: lambda ? (arn, payload, meta) => lambda.enqueueOps(arn, payload, meta) : () => [],
      notifyQueued: () => {
        lambda?.notifyQueued();
        outbox.wake();
      },
    },
  };
}
