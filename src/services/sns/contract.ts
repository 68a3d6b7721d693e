/**
 * What SNS's API half (topics, subscriptions, publish, filter policies: the
 * provider) and its delivery half (envelopes, signatures, the durable delivery
 * queue, http/https/email/lambda transports) agree on. Both halves are written
 * against this file; neither reaches into the other's tables.
 *
 * Flow: Publish validates, then for each confirmed subscription whose filter
 * policy matches it asks the delivery half for `notificationOps` and commits
 * them all in one batch (an accepted message is never lost), then calls
 * `wake()`. Subscribe to http/https/email/email-json stores a pending
 * subscription with a token and commits `confirmationOps` with it.
 */
import type { WriteOp } from '../../storage/types.js';

export const TABLES = {
  /** key `${accountId}/${region}/${name}` */
  topics: 'sns.topics',
  /** key: the subscription ARN */
  subscriptions: 'sns.subscriptions',
  /** Owned by the delivery half: queued http/https/email deliveries. */
  deliveries: 'sns.deliveries',
  /** Owned by the delivery half: the signing key and certificate. */
  signing: 'sns.signing',
} as const;

export interface TopicDoc {
  arn: string;
  name: string;
  accountId: string;
  region: string;
  /** Settable attributes as SetTopicAttributes stores them (Policy, DisplayName, DeliveryPolicy, SignatureVersion, KmsMasterKeyId, ...). */
  attributes: Record<string, string>;
  tags: Record<string, string>;
  createdAt: string;
}

export type SubscriptionProtocol = 'http' | 'https' | 'email' | 'email-json' | 'lambda' | 'sqs' | 'sms' | 'application' | 'firehose';

export interface SubscriptionDoc {
  /** The real ARN, also while pending (the API shows "pending confirmation" until confirmed). */
  arn: string;
  topicArn: string;
  protocol: SubscriptionProtocol;
  endpoint: string;
  /** Account id of the subscriber. */
  owner: string;
  /** FilterPolicy, FilterPolicyScope, RawMessageDelivery, DeliveryPolicy, RedrivePolicy... as strings, as the API shows them. */
  attributes: Record<string, string>;
  status: 'pending' | 'confirmed';
  /** Pending subscriptions: the token ConfirmSubscription takes, valid 3 days (AWS). */
  token?: string;
  tokenExpiresAt?: number;
  createdAt: string;
}

/** One message as published, after MessageStructure=json picked the protocol's text. */
export interface Publication {
  messageId: string;
  topicArn: string;
  subject?: string;
  /** The text for this subscription's protocol. */
  message: string;
  /** ISO 8601 with milliseconds, UTC (2012-05-02T00:54:06.655Z). */
  timestamp: string;
  messageAttributes: Record<string, { Type: string; Value: string }>;
  /** FIFO topics only. */
  messageGroupId?: string;
  messageDeduplicationId?: string;
  sequenceNumber?: string;
}

export interface DeliveryContext {
  accountId: string;
  region: string;
  /** Stratus's public endpoint (http://localhost:4566): SigningCertURL, SubscribeURL and UnsubscribeURL point at it. */
  endpoint: string;
  /** The topic's SignatureVersion attribute: '1' (SHA1withRSA, the default) or '2' (SHA256withRSA). */
  signatureVersion: '1' | '2';
}

export interface SnsDelivery {
  /**
   * The writes that durably deliver one Notification to one subscription:
   * for lambda, an asynchronous invocation (the Records[].Sns event);
   * for http/https/email/email-json, a row in the delivery queue. Empty when
   * the protocol is not deliverable here (sqs, sms...), which is logged.
   */
  notificationOps(sub: SubscriptionDoc, pub: Publication, ctx: DeliveryContext): Promise<WriteOp[]>;
  /** The SubscriptionConfirmation message (http/https: a signed POST; email: a mail with the link). */
  confirmationOps(sub: SubscriptionDoc, ctx: DeliveryContext): Promise<WriteOp[]>;
  /** The UnsubscribeConfirmation an http/https endpoint receives after Unsubscribe. */
  unsubscribeConfirmationOps(sub: SubscriptionDoc, ctx: DeliveryContext): Promise<WriteOp[]>;
  /** After a batch with delivery ops committed: deliver now. */
  wake(): void;
}
