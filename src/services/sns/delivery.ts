/**
 * SNS's delivery half (contract.ts): what a Publish, a Subscribe or an
 * Unsubscribe hands to subscribers. Every message is signed (signing.ts).
 * A Lambda subscription gets an asynchronous invocation with the
 * Records[].Sns event, through Lambda's own durable queue, as long as the
 * function's policy lets sns.amazonaws.com invoke it for the topic; HTTP/S and
 * email subscriptions get a row in SNS's delivery queue that the dispatcher
 * delivers and retries. Either write commits in the caller's batch. Other
 * protocols (SQS, SMS, mobile push, Firehose) have no transport here: their
 * messages are logged and dropped.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-lambda-as-subscriber.html
 * https://docs.aws.amazon.com/sns/latest/dg/sns-http-https-endpoint-as-subscriber.html
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../core/logger.js';
import type { DocumentStore, WriteOp } from '../../storage/types.js';
import type { DeliveryContext, Publication, SnsDelivery, SubscriptionDoc } from './contract.js';
import { enqueueOp, newRow, type DeliveryRow } from './delivery-queue.js';
import { createDispatcher, type MailDrop } from './dispatcher.js';
import {
  CERTIFICATE_PATH,
  certificateUrl,
  lambdaEvent,
  notificationMessage,
  subscriptionConfirmationMessage,
  unsubscribeConfirmationMessage,
  type UnsignedMessage,
} from './envelope.js';
import { signMessage, SigningKeys } from './signing.js';

export type { MailDrop } from './dispatcher.js';

/** How SNS reaches Lambda, handed in by the composition root (services never import each other). */
export interface LambdaTarget {
  /** Whether sns.amazonaws.com may invoke the function for this topic (its resource policy). */
  canInvoke(functionArn: string, sourceArn: string, sourceAccount: string): Promise<boolean>;
  /** The writes that durably queue an asynchronous invocation with this event. */
  enqueueOps(functionArn: string, payload: Buffer, meta: { sourceArn: string; sourceAccount: string }): WriteOp[];
  /** Wakes Lambda's dispatcher once those writes committed. */
  notifyQueued(): void;
}

export interface SnsDeliveryDeps {
  store: DocumentStore;
  log: Logger;
  /** Divides retry delays (1 = real time). */
  timeScale?: number;
  lambda?: LambdaTarget;
  mail?: MailDrop;
  /** Dispatcher tuning (tests). */
  httpTimeoutMs?: number;
  pollMs?: number;
}

export interface SnsDeliveryRuntime extends SnsDelivery {
  start(): void;
  stop(): Promise<void>;
  /** The PEM served at a SigningCertURL path (`/_stratus/sns/SimpleNotificationService-<fp>.pem`), or undefined. */
  certificate(path: string): Promise<string | undefined>;
  /** After the store was wiped: forget the cached key and throttling state. */
  reset(): void;
}

const HTTP_LIKE = new Set(['http', 'https']);
const EMAIL_LIKE = new Set(['email', 'email-json']);

export function createSnsDelivery(deps: SnsDeliveryDeps): SnsDeliveryRuntime {
  const keys = new SigningKeys(deps.store);
  const dispatcher = createDispatcher({ store: deps.store, log: deps.log, timeScale: deps.timeScale ?? 1, mail: deps.mail, httpTimeoutMs: deps.httpTimeoutMs, pollMs: deps.pollMs });
  const warned = new Set<string>();

  async function sign(m: UnsignedMessage | ((certUrl: string) => UnsignedMessage), ctx: DeliveryContext) {
    const key = await keys.current();
    const unsigned = typeof m === 'function' ? m(certificateUrl(ctx.endpoint, key.fingerprint)) : m;
    return signMessage(unsigned, key.privateKey);
  }

  function rowOp(sub: SubscriptionDoc, fields: Pick<DeliveryRow, 'message'> & Partial<DeliveryRow>): WriteOp {
    return enqueueOp(newRow({ protocol: sub.protocol as DeliveryRow['protocol'], subscriptionArn: sub.arn, topicArn: sub.topicArn, endpoint: sub.endpoint, ...fields }));
  }

  return {
    async notificationOps(sub: SubscriptionDoc, pub: Publication, ctx: DeliveryContext): Promise<WriteOp[]> {
      const known = sub.protocol === 'lambda' || HTTP_LIKE.has(sub.protocol) || EMAIL_LIKE.has(sub.protocol);
      if (!known || (sub.protocol === 'lambda' && !deps.lambda)) {
        if (!warned.has(sub.protocol)) {
          warned.add(sub.protocol);
          deps.log.warn(`SNS cannot deliver to ${sub.protocol} endpoints yet; such messages are dropped`, { subscription: sub.arn });
        }
        return [];
      }
      if (sub.protocol === 'lambda' && !(await deps.lambda!.canInvoke(sub.endpoint, sub.topicArn, ctx.accountId))) {
        // As on AWS, a function that does not let SNS invoke it fails the delivery; nothing is queued.
        deps.log.warn('SNS delivery to Lambda failed: the function policy does not allow sns.amazonaws.com to invoke it for this topic', { subscription: sub.arn, function: sub.endpoint, messageId: pub.messageId });
        return [];
      }
      const message = await sign((certUrl) => notificationMessage(pub, sub.arn, { endpoint: ctx.endpoint, signatureVersion: ctx.signatureVersion, certUrl }), ctx);
      if (sub.protocol === 'lambda') {
        const lambda = deps.lambda!;
        return lambda.enqueueOps(sub.endpoint, Buffer.from(JSON.stringify(lambdaEvent(message, sub.arn)), 'utf8'), { sourceArn: sub.topicArn, sourceAccount: ctx.accountId });
      }
      return [rowOp(sub, { message, ...(HTTP_LIKE.has(sub.protocol) && sub.attributes.RawMessageDelivery === 'true' ? { raw: true } : {}) })];
    },

    async confirmationOps(sub: SubscriptionDoc, ctx: DeliveryContext): Promise<WriteOp[]> {
      if (!HTTP_LIKE.has(sub.protocol) && !EMAIL_LIKE.has(sub.protocol)) return [];
      if (!sub.token) throw new Error(`subscription ${sub.arn} has no confirmation token`);
      const token = sub.token;
      const message = await sign(
        (certUrl) => subscriptionConfirmationMessage({ topicArn: sub.topicArn, token }, { endpoint: ctx.endpoint, signatureVersion: ctx.signatureVersion, certUrl, messageId: randomUUID(), timestamp: new Date().toISOString() }),
        ctx,
      );
      return [rowOp(sub, { message })];
    },

    async unsubscribeConfirmationOps(sub: SubscriptionDoc, ctx: DeliveryContext): Promise<WriteOp[]> {
      if (!HTTP_LIKE.has(sub.protocol)) return [];
      if (!sub.token) throw new Error(`subscription ${sub.arn} has no token to restore it with`);
      const token = sub.token;
      const message = await sign(
        (certUrl) => unsubscribeConfirmationMessage({ arn: sub.arn, topicArn: sub.topicArn, token }, { endpoint: ctx.endpoint, signatureVersion: ctx.signatureVersion, certUrl, messageId: randomUUID(), timestamp: new Date().toISOString() }),
        ctx,
      );
      return [rowOp(sub, { message, ...(sub.attributes.DeliveryPolicy ? { subscriptionPolicy: sub.attributes.DeliveryPolicy } : {}) })];
    },

    wake() {
      dispatcher.wake();
      deps.lambda?.notifyQueued();
    },

    start: () => dispatcher.start(),
    stop: () => dispatcher.stop(),

    async certificate(path: string) {
      if (!path.startsWith(CERTIFICATE_PATH)) return undefined;
      const m = /^SimpleNotificationService-([0-9a-f]{32})\.pem$/.exec(path.slice(CERTIFICATE_PATH.length));
      return m ? keys.certificate(m[1]!) : undefined;
    },

    reset() {
      keys.forget();
      dispatcher.reset();
    },
  };
}
