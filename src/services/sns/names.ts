/**
 * SNS names and ARNs: topic names (standard and .fifo), topic and
 * subscription ARNs, and the checks AWS applies to an ARN a caller hands in
 * ("Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements,
 * not 3").
 * https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
 */
import { randomUUID } from 'node:crypto';
import { invalidParameter } from './errors.js';

export const STANDARD_NAME = /^[A-Za-z0-9_-]{1,256}$/;
export const FIFO_NAME = /^[A-Za-z0-9_-]{1,251}\.fifo$/;

export interface TopicRef {
  arn: string;
  accountId: string;
  region: string;
  name: string;
  partition: string;
}

export interface SubscriptionRef {
  arn: string;
  topicArn: string;
  accountId: string;
  region: string;
  topicName: string;
  id: string;
}

export function topicArn(region: string, accountId: string, name: string): string {
  return `arn:aws:sns:${region}:${accountId}:${name}`;
}

/** The DocumentStore key of a topic (contract.ts: `${accountId}/${region}/${name}`). */
export function topicKey(ref: Pick<TopicRef, 'accountId' | 'region' | 'name'>): string {
  return `${ref.accountId}/${ref.region}/${ref.name}`;
}

export function newSubscriptionArn(topic: string): string {
  return `${topic}:${randomUUID()}`;
}

export function isFifoName(name: string): boolean {
  return name.endsWith('.fifo');
}

/** A topic ARN, or undefined when the text is not one (wrong service, missing parts). */
export function parseTopicArn(text: string | undefined): TopicRef | undefined {
  if (!text) return undefined;
  const parts = text.split(':');
  if (parts.length !== 6 || parts[0] !== 'arn' || parts[2] !== 'sns' || !parts[3] || !parts[4] || !parts[5]) return undefined;
  return { arn: text, partition: parts[1]!, region: parts[3], accountId: parts[4], name: parts[5] };
}

export function parseSubscriptionArn(text: string | undefined): SubscriptionRef | undefined {
  if (!text) return undefined;
  const parts = text.split(':');
  if (parts.length !== 7 || parts[0] !== 'arn' || parts[2] !== 'sns' || !parts[6]) return undefined;
  return { arn: text, topicArn: parts.slice(0, 6).join(':'), region: parts[3]!, accountId: parts[4]!, topicName: parts[5]!, id: parts[6] };
}

/** The element-count check AWS applies to every ARN parameter before anything else. */
export function checkArnShape(member: string, text: string): void {
  const count = text.split(':').length;
  if (count < 6) throw invalidParameter(`Invalid parameter: ${member} Reason: An ARN must have at least 6 elements, not ${count}`);
}

/**
 * A TopicArn parameter as the topic operations check it: present, shaped like
 * an ARN, an SNS topic, and in the region the request was sent to.
 */
export function requireTopicArn(text: string | undefined, region: string | undefined, member = 'TopicArn'): TopicRef {
  if (text === undefined || text === '') throw invalidParameter(`Invalid parameter: ${member} Reason: no value for required parameter`);
  checkArnShape(member, text);
  const ref = parseTopicArn(text);
  if (!ref || (region !== undefined && ref.region !== region)) throw invalidParameter(`Invalid parameter: ${member}`);
  return ref;
}

/** Lambda function ARNs, with or without a version or alias. */
export function isLambdaArn(text: string): boolean {
  return /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,140}(:(\$LATEST|[A-Za-z0-9_-]+))?$/.test(text);
}

export function isServiceArn(text: string, service: string): boolean {
  const parts = text.split(':');
  return parts.length >= 6 && parts[0] === 'arn' && parts[2] === service && parts[5] !== '';
}

/** What SNS accepts as an email endpoint: one @, a local part, and a dotted domain. */
export function isEmailAddress(text: string): boolean {
  return /^[^@\s<>(),;:"[\]]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(text);
}

/** E.164: a plus, then up to 15 digits. */
export function isE164(text: string): boolean {
  return /^\+?[1-9]\d{1,14}$/.test(text);
}
