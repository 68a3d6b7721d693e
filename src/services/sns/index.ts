/**
 * Amazon SNS, the API half: topics, subscriptions, Publish/PublishBatch with
 * filter policies and fan-out, topic policies evaluated by the gateway's
 * authorizer, and publishing on behalf of other services for the
 * composition root. What reaches subscribers (envelopes, signatures, the
 * delivery queue, http/https/email/lambda transports) is the delivery half,
 * injected as `deps.delivery` (contract.ts).
 * https://docs.aws.amazon.com/sns/latest/api/welcome.html
 */
import type { RequestContext } from '../../core/context.js';
import type { WriteOp } from '../../storage/types.js';
import type { ServiceDefinition } from '../types.js';
import { findTopic, snsContext, type SnsDeps } from './common.js';
import type { Publication } from './contract.js';
import { parseTopicArn } from './names.js';
import { snsOperations } from './provider.js';
import { mayPublish, publishOps, type Publisher } from './publish.js';
import { topicPolicy, type ServiceSource } from './topic-policy.js';

export type { SnsDeps } from './common.js';
export type { Publisher, PublishOpsResult } from './publish.js';
export type { ServiceSource } from './topic-policy.js';
export { defaultPolicy } from './topic-policy.js';
export { createSnsDelivery } from './delivery.js';
export type { LambdaTarget, MailDrop, SnsDeliveryDeps, SnsDeliveryRuntime } from './delivery.js';

export interface SnsService extends ServiceDefinition {
  /**
   * A message published by a service (`service`: S3 notifications, checked
   * against the topic policy with aws:SourceArn/aws:SourceAccount) or for a
   * principal (`principal`: IAM and the topic policy, as for an API call).
   * The fan-out writes come back uncommitted: the caller commits them in its
   * own batch, then calls `wake()`.
   */
  publishOps(
    topicArn: string,
    msg: { subject?: string; message: string; messageAttributes?: Publication['messageAttributes'] },
    who: Publisher,
    endpoint: string,
  ): Promise<{ ok: true; messageId: string; ops: WriteOp[] } | { ok: false; code: string; message: string }>;
  /** Whether the topic exists and its policy lets the service publish (S3 validates a TopicConfiguration with it). */
  mayPublish(topicArn: string, source: ServiceSource): Promise<boolean>;
  /** After committing publishOps' writes: deliver now. */
  wake(): void;
}

export function createSnsService(deps: SnsDeps): SnsService {
  const c = snsContext(deps);
  return {
    name: 'sns',
    signingName: 'sns',
    actionPrefix: 'sns',
    operations: snsOperations(c),
    // Topic ARNs carry the topic's Policy (the default document until one is set); nothing else has one.
    async resourcePolicy(arn: string, _ctx: RequestContext) {
      const ref = parseTopicArn(arn);
      if (!ref) return undefined;
      const topic = await findTopic(c, ref);
      return topic ? topicPolicy(topic.value) : undefined;
    },
    publishOps: (topicArn, msg, who, endpoint) => publishOps(c, topicArn, msg, who, endpoint),
    mayPublish: (topicArn, source) => mayPublish(c, topicArn, source),
    wake: () => deps.delivery.wake(),
  };
}
