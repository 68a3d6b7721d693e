/**
 * Topic and subscription attributes: which names may be set, the checks
 * their values pass (worded "Invalid parameter: Attributes Reason: X: ..." on
 * CreateTopic/Subscribe and "Invalid parameter: X: ..." on SetXAttributes),
 * and the full maps GetTopicAttributes/GetSubscriptionAttributes report,
 * read-only ones included.
 * https://docs.aws.amazon.com/sns/latest/api/API_SetTopicAttributes.html
 * https://docs.aws.amazon.com/sns/latest/api/API_GetTopicAttributes.html
 * https://docs.aws.amazon.com/sns/latest/api/API_SetSubscriptionAttributes.html
 * https://docs.aws.amazon.com/sns/latest/api/API_GetSubscriptionAttributes.html
 * https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html
 */
import type { SubscriptionDoc, TopicDoc } from './contract.js';
import { attributePrefix, invalidParameter } from './errors.js';
import { compileFilterPolicy, FilterPolicyError, type FilterScope } from './filter-policy.js';
import { isFifoName } from './names.js';
import { checkPolicy, topicPolicy } from './topic-policy.js';

const FEEDBACK = ['HTTP', 'Firehose', 'Lambda', 'SQS', 'Application'].flatMap((p) => [`${p}SuccessFeedbackRoleArn`, `${p}SuccessFeedbackSampleRate`, `${p}FailureFeedbackRoleArn`]);
const TOPIC_SETTABLE = new Set(['DeliveryPolicy', 'DisplayName', 'Policy', 'SignatureVersion', 'TracingConfig', 'KmsMasterKeyId', ...FEEDBACK]);
const FIFO_ONLY = new Set(['ContentBasedDeduplication', 'ArchivePolicy', 'FifoThroughputScope']);

export const DEFAULT_HTTP_RETRY = { minDelayTarget: 20, maxDelayTarget: 20, numRetries: 3, numMaxDelayRetries: 0, numNoDelayRetries: 0, numMinDelayRetries: 0, backoffFunction: 'linear' };
const DEFAULT_REQUEST_POLICY = { headerContentType: 'text/plain; charset=UTF-8' };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseJson(text: string, reason: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw invalidParameter(`${reason}: failed to parse JSON.`);
  }
  if (!isObject(doc)) throw invalidParameter(`${reason}: must be a JSON object.`);
  return doc;
}

const BACKOFF = new Set(['linear', 'arithmetic', 'geometric', 'exponential']);

/** A retry policy's numbers, with the limits of the delivery-retries guide. */
function checkRetryPolicy(policy: unknown, where: string, prefix: string): void {
  if (policy === undefined || policy === null) return;
  if (!isObject(policy)) throw invalidParameter(`${prefix}${where} must be an object`);
  const num = (name: string, min: number, max: number) => {
    const v = policy[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw invalidParameter(`${prefix}${where}.${name} must be an integer`);
    if (v < min) throw invalidParameter(`${prefix}${where}.${name} must be greater than or equal to ${min}`);
    if (v > max) throw invalidParameter(`${prefix}${where}.${name} must be less than or equal to ${max}`);
    return v;
  };
  const numRetries = num('numRetries', 0, 100);
  const noDelay = num('numNoDelayRetries', 0, 100) ?? 0;
  const minRetries = num('numMinDelayRetries', 0, 100) ?? 0;
  const maxRetries = num('numMaxDelayRetries', 0, 100) ?? 0;
  const minDelay = num('minDelayTarget', 1, 3600);
  const maxDelay = num('maxDelayTarget', 1, 3600);
  if (minDelay !== undefined && maxDelay !== undefined && minDelay > maxDelay) throw invalidParameter(`${prefix}${where}.minDelayTarget must be less than or equal to maxDelayTarget`);
  if (numRetries !== undefined && noDelay + minRetries + maxRetries > numRetries) {
    throw invalidParameter(`${prefix}${where}: numNoDelayRetries + numMinDelayRetries + numMaxDelayRetries must be less than or equal to numRetries`);
  }
  const backoff = policy.backoffFunction;
  if (backoff !== undefined && (typeof backoff !== 'string' || !BACKOFF.has(backoff))) throw invalidParameter(`${prefix}${where}.backoffFunction must be one of linear, arithmetic, geometric, exponential`);
}

function checkTopicDeliveryPolicy(text: string, prefix: string): void {
  const doc = parseJson(text, `${prefix}DeliveryPolicy`);
  const http = doc.http;
  if (http === undefined) return;
  if (!isObject(http)) throw invalidParameter(`${prefix}DeliveryPolicy: http must be an object`);
  checkRetryPolicy(http.defaultHealthyRetryPolicy, 'http.defaultHealthyRetryPolicy', `${prefix}DeliveryPolicy: `);
  checkRetryPolicy(http.defaultSicklyRetryPolicy, 'http.defaultSicklyRetryPolicy', `${prefix}DeliveryPolicy: `);
}

function checkSubscriptionDeliveryPolicy(text: string, prefix: string): void {
  const doc = parseJson(text, `${prefix}DeliveryPolicy`);
  checkRetryPolicy(doc.healthyRetryPolicy, 'healthyRetryPolicy', `${prefix}DeliveryPolicy: `);
  checkRetryPolicy(doc.sicklyRetryPolicy, 'sicklyRetryPolicy', `${prefix}DeliveryPolicy: `);
}

/**
 * One topic attribute as CreateTopic or SetTopicAttributes receives it;
 * returns the value to store (booleans normalized). `fifo`: the topic is (or
 * is being created as) a FIFO topic.
 */
export function checkTopicAttribute(name: string, value: string, fifo: boolean, onCreate: boolean): string {
  const prefix = attributePrefix(onCreate);
  if (name === 'FifoTopic') {
    if (!onCreate) throw invalidParameter('Invalid parameter: AttributeName');
    const v = value.toLowerCase();
    if (v !== 'true' && v !== 'false') throw invalidParameter(`${prefix}FifoTopic`);
    return v;
  }
  if (name === 'ContentBasedDeduplication') {
    const v = value.toLowerCase();
    if (v !== 'true' && v !== 'false') throw invalidParameter(`${prefix}ContentBasedDeduplication`);
    if (!fifo && v === 'true') throw invalidParameter('If content-based deduplication is enabled, it must also be a FIFO topic.');
    return v;
  }
  if (FIFO_ONLY.has(name) && !fifo) throw invalidParameter(onCreate ? `${prefix}Unknown attribute ${name}` : 'Invalid parameter: AttributeName');
  if (!TOPIC_SETTABLE.has(name) && !FIFO_ONLY.has(name)) throw invalidParameter(onCreate ? `${prefix}Unknown attribute ${name}` : 'Invalid parameter: AttributeName');
  switch (name) {
    case 'Policy':
      checkPolicy(value, prefix);
      return value;
    case 'DeliveryPolicy':
      if (value !== '') checkTopicDeliveryPolicy(value, prefix);
      return value;
    case 'SignatureVersion':
      if (value !== '1' && value !== '2') throw invalidParameter(`${prefix}SignatureVersion: Invalid value [${value}]. Must be 1 or 2.`);
      return value;
    case 'TracingConfig':
      if (value !== 'PassThrough' && value !== 'Active') throw invalidParameter(`${prefix}TracingConfig: Invalid value [${value}]. Must be PassThrough or Active.`);
      return value;
    case 'DisplayName':
      if (value.length > 100) throw invalidParameter(`${prefix}DisplayName: must be at most 100 characters long.`);
      return value;
    case 'FifoThroughputScope':
      if (value !== 'Topic' && value !== 'MessageGroup') throw invalidParameter(`${prefix}FifoThroughputScope: Invalid value [${value}]. Please use either Topic or MessageGroup`);
      return value;
    case 'ArchivePolicy': {
      const doc = parseJson(value, `${prefix}ArchivePolicy`);
      const days = Number(doc.MessageRetentionPeriod);
      if (!Number.isInteger(days) || days < 1 || days > 365) throw invalidParameter(`${prefix}ArchivePolicy: MessageRetentionPeriod value is invalid`);
      return value;
    }
  }
  if (name.endsWith('SampleRate')) {
    if (!/^\d+$/.test(value) || Number(value) > 100) throw invalidParameter(`${prefix}${name}: ${value} value provided is not an integer between 0-100`);
  } else if (name.endsWith('RoleArn')) {
    if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(value)) throw invalidParameter(`${prefix}${name}: ${value} is not a valid role to allow SNS to write to Cloudwatch Logs`);
  }
  return value;
}

/** The attributes a new topic stores: FIFO topics record FifoTopic and ContentBasedDeduplication. */
export function initialTopicAttributes(name: string, given: Record<string, string>): Record<string, string> {
  const fifo = isFifoName(name) && given.FifoTopic === 'true';
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(given)) if (k !== 'FifoTopic') out[k] = checkTopicAttribute(k, v, fifo, true);
  if (fifo) {
    out.FifoTopic = 'true';
    out.ContentBasedDeduplication ??= 'false';
  }
  return out;
}

/** The default EffectiveDeliveryPolicy, with a topic's DeliveryPolicy laid over it. */
export function effectiveTopicDeliveryPolicy(topic: TopicDoc): Record<string, unknown> {
  const http: Record<string, unknown> = { defaultHealthyRetryPolicy: { ...DEFAULT_HTTP_RETRY }, disableSubscriptionOverrides: false, defaultRequestPolicy: { ...DEFAULT_REQUEST_POLICY } };
  const set = topic.attributes.DeliveryPolicy;
  if (set) {
    try {
      const doc = JSON.parse(set) as { http?: Record<string, unknown> };
      for (const [k, v] of Object.entries(doc.http ?? {})) {
        http[k] = isObject(v) && isObject(http[k]) ? { ...(http[k] as object), ...v } : v;
      }
    } catch {
      // Validated when set; an unreadable stored value leaves the defaults.
    }
  }
  return { http };
}

export interface SubscriptionCounts {
  confirmed: number;
  pending: number;
}

export function topicAttributeMap(topic: TopicDoc, counts: SubscriptionCounts): Record<string, string> {
  const out: Record<string, string> = {
    ...topic.attributes,
    TopicArn: topic.arn,
    Owner: topic.accountId,
    Policy: topicPolicy(topic),
    DisplayName: topic.attributes.DisplayName ?? '',
    SubscriptionsConfirmed: String(counts.confirmed),
    SubscriptionsPending: String(counts.pending),
    // Stratus removes an unsubscribed subscription at once, so none linger as "deleted".
    SubscriptionsDeleted: '0',
    EffectiveDeliveryPolicy: JSON.stringify(effectiveTopicDeliveryPolicy(topic)),
  };
  return out;
}

// ------------------------------------------------------------ subscriptions

const SUBSCRIPTION_SETTABLE = new Set(['DeliveryPolicy', 'FilterPolicy', 'FilterPolicyScope', 'RawMessageDelivery', 'RedrivePolicy', 'SubscriptionRoleArn', 'ReplayPolicy']);
const RAW_PROTOCOLS = new Set(['http', 'https', 'sqs', 'firehose']);

/**
 * One subscription attribute as Subscribe or SetSubscriptionAttributes
 * receives it; returns the value to store. `scope` is the FilterPolicyScope
 * the subscription will have, for checking a FilterPolicy against it.
 */
export function checkSubscriptionAttribute(name: string, value: string, sub: Pick<SubscriptionDoc, 'protocol' | 'topicArn' | 'endpoint'>, scope: FilterScope, onCreate: boolean): string {
  const prefix = attributePrefix(onCreate);
  if (!SUBSCRIPTION_SETTABLE.has(name)) throw invalidParameter(`${prefix}AttributeName`);
  switch (name) {
    case 'FilterPolicy':
      if (value === '' || value.trim() === '{}') return value;
      try {
        compileFilterPolicy(value, scope);
      } catch (err) {
        if (err instanceof FilterPolicyError) throw invalidParameter(`${prefix}${err.reason}`);
        throw err;
      }
      return value;
    case 'FilterPolicyScope':
      if (value !== 'MessageAttributes' && value !== 'MessageBody') throw invalidParameter(`${prefix}FilterPolicyScope: Invalid value [${value}]. Please use either MessageBody or MessageAttributes`);
      return value;
    case 'RawMessageDelivery': {
      const v = value.toLowerCase();
      if (v !== 'true' && v !== 'false') throw invalidParameter(`${prefix}RawMessageDelivery: Invalid value [${value}]. Must be true or false.`);
      if (v === 'true' && !RAW_PROTOCOLS.has(sub.protocol)) throw invalidParameter(`${prefix}Delivery protocol [${sub.protocol}] does not support raw message delivery.`);
      return v;
    }
    case 'DeliveryPolicy':
      if (value !== '') checkSubscriptionDeliveryPolicy(value, prefix);
      return value;
    case 'RedrivePolicy': {
      if (value === '') return value;
      const doc = parseJson(value, `${prefix}RedrivePolicy`);
      const target = doc.deadLetterTargetArn;
      if (typeof target !== 'string' || target.split(':').length < 6 || !target.startsWith('arn:')) throw invalidParameter(`${prefix}RedrivePolicy: deadLetterTargetArn is an invalid arn`);
      if (sub.topicArn.endsWith('.fifo') && sub.endpoint.endsWith('.fifo') && (!target.endsWith('.fifo') || target.split(':')[2] !== 'sqs')) {
        throw invalidParameter(`${prefix}RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO Topic.`);
      }
      return value;
    }
    case 'SubscriptionRoleArn':
      if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(value)) throw invalidParameter(`${prefix}SubscriptionRoleArn: Invalid role arn`);
      return value;
    default:
      return value;
  }
}

/** The subscription's EffectiveDeliveryPolicy: the topic's http retry policy unless the subscription overrides it. */
export function effectiveSubscriptionDeliveryPolicy(topic: TopicDoc | undefined, sub: SubscriptionDoc): Record<string, unknown> {
  const http = topic ? (effectiveTopicDeliveryPolicy(topic).http as Record<string, unknown>) : { defaultHealthyRetryPolicy: DEFAULT_HTTP_RETRY, defaultRequestPolicy: DEFAULT_REQUEST_POLICY };
  const out: Record<string, unknown> = {
    healthyRetryPolicy: http.defaultHealthyRetryPolicy,
    sicklyRetryPolicy: http.defaultSicklyRetryPolicy ?? null,
    throttlePolicy: http.defaultThrottlePolicy ?? null,
    requestPolicy: http.defaultRequestPolicy,
    guaranteed: false,
  };
  const own = sub.attributes.DeliveryPolicy;
  if (own && http.disableSubscriptionOverrides !== true) {
    try {
      const doc = JSON.parse(own) as Record<string, unknown>;
      for (const [k, v] of Object.entries(doc)) out[k] = isObject(v) && isObject(out[k]) ? { ...(out[k] as object), ...v } : v;
    } catch {
      // Validated when set.
    }
  }
  return out;
}

export function subscriptionAttributeMap(sub: SubscriptionDoc, topic: TopicDoc | undefined): Record<string, string> {
  const out: Record<string, string> = { ...sub.attributes };
  if (!out.FilterPolicy) {
    delete out.FilterPolicy;
    delete out.FilterPolicyScope;
  } else out.FilterPolicyScope ??= 'MessageAttributes';
  for (const k of ['DeliveryPolicy', 'RedrivePolicy']) if (out[k] === '') delete out[k];
  Object.assign(out, {
    SubscriptionArn: sub.arn,
    TopicArn: sub.topicArn,
    Owner: sub.owner,
    Protocol: sub.protocol,
    Endpoint: sub.endpoint,
    PendingConfirmation: sub.status === 'pending' ? 'true' : 'false',
    ConfirmationWasAuthenticated: sub.attributes.ConfirmationWasAuthenticated ?? 'false',
    RawMessageDelivery: sub.attributes.RawMessageDelivery ?? 'false',
    EffectiveDeliveryPolicy: JSON.stringify(effectiveSubscriptionDeliveryPolicy(topic, sub)),
  });
  return out;
}
