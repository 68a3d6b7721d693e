/**
 * What SNS sends, exactly as AWS lays it out: the JSON documents of a
 * Notification, a SubscriptionConfirmation and an UnsubscribeConfirmation
 * (fields in AWS's order, written in its `"Key" : value` style), the
 * Records[].Sns event a Lambda function receives (whose keys are spelt
 * SigningCertUrl and UnsubscribeUrl, and whose Subject is null when there is
 * none), and the headers of the POST to an HTTP/S endpoint. The links in them
 * point at this server: the SubscribeURL and UnsubscribeURL are unsigned
 * ConfirmSubscription and Unsubscribe calls, the SigningCertURL the
 * certificate of the signing key.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html
 * https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html
 */
import type { Publication } from './contract.js';

export type MessageType = 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';

export type MessageAttributes = Record<string, { Type: string; Value: string }>;

/** An SNS message as an HTTP/S or email-json endpoint receives it; key order is AWS's. */
export interface SnsMessage {
  Type: MessageType;
  MessageId: string;
  Token?: string;
  TopicArn: string;
  Subject?: string;
  Message: string;
  SubscribeURL?: string;
  Timestamp: string;
  SignatureVersion: '1' | '2';
  Signature: string;
  SigningCertURL: string;
  UnsubscribeURL?: string;
  MessageAttributes?: MessageAttributes;
}

export type UnsignedMessage = Omit<SnsMessage, 'Signature'>;

const ORDER: Array<keyof SnsMessage> = [
  'Type',
  'MessageId',
  'Token',
  'TopicArn',
  'Subject',
  'Message',
  'SubscribeURL',
  'Timestamp',
  'SignatureVersion',
  'Signature',
  'SigningCertURL',
  'UnsubscribeURL',
  'MessageAttributes',
];

const base = (endpoint: string) => endpoint.replace(/\/+$/, '');

export function subscribeUrl(endpoint: string, topicArn: string, token: string): string {
  return `${base(endpoint)}/?Action=ConfirmSubscription&TopicArn=${topicArn}&Token=${token}`;
}

export function unsubscribeUrl(endpoint: string, subscriptionArn: string): string {
  return `${base(endpoint)}/?Action=Unsubscribe&SubscriptionArn=${subscriptionArn}`;
}

export const CERTIFICATE_PATH = '/_stratus/sns/';

export function certificateName(fingerprint: string): string {
  return `SimpleNotificationService-${fingerprint}.pem`;
}

export function certificateUrl(endpoint: string, fingerprint: string): string {
  return `${base(endpoint)}${CERTIFICATE_PATH}${certificateName(fingerprint)}`;
}

export function notificationMessage(
  pub: Publication,
  subscriptionArn: string,
  o: { endpoint: string; signatureVersion: '1' | '2'; certUrl: string },
): UnsignedMessage {
  const attributes = Object.keys(pub.messageAttributes).length > 0 ? { MessageAttributes: pub.messageAttributes } : {};
  return {
    Type: 'Notification',
    MessageId: pub.messageId,
    TopicArn: pub.topicArn,
    ...(pub.subject !== undefined ? { Subject: pub.subject } : {}),
    Message: pub.message,
    Timestamp: pub.timestamp,
    SignatureVersion: o.signatureVersion,
    SigningCertURL: o.certUrl,
    UnsubscribeURL: unsubscribeUrl(o.endpoint, subscriptionArn),
    ...attributes,
  };
}

export function subscriptionConfirmationMessage(
  sub: { topicArn: string; token: string },
  o: { endpoint: string; signatureVersion: '1' | '2'; certUrl: string; messageId: string; timestamp: string },
): UnsignedMessage {
  return {
    Type: 'SubscriptionConfirmation',
    MessageId: o.messageId,
    Token: sub.token,
    TopicArn: sub.topicArn,
    Message: `You have chosen to subscribe to the topic ${sub.topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
    SubscribeURL: subscribeUrl(o.endpoint, sub.topicArn, sub.token),
    Timestamp: o.timestamp,
    SignatureVersion: o.signatureVersion,
    SigningCertURL: o.certUrl,
  };
}

export function unsubscribeConfirmationMessage(
  sub: { arn: string; topicArn: string; token: string },
  o: { endpoint: string; signatureVersion: '1' | '2'; certUrl: string; messageId: string; timestamp: string },
): UnsignedMessage {
  return {
    Type: 'UnsubscribeConfirmation',
    MessageId: o.messageId,
    Token: sub.token,
    TopicArn: sub.topicArn,
    Message: `You have chosen to deactivate subscription ${sub.arn}.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.`,
    SubscribeURL: subscribeUrl(o.endpoint, sub.topicArn, sub.token),
    Timestamp: o.timestamp,
    SignatureVersion: o.signatureVersion,
    SigningCertURL: o.certUrl,
  };
}

/**
 * The document as SNS writes it to HTTP/S and email-json endpoints: one key
 * per line, `"Key" : value`, two-space indent, attributes one per line.
 */
export function formatMessage(m: SnsMessage): string {
  const lines: string[] = [];
  for (const key of ORDER) {
    const value = m[key];
    if (value === undefined) continue;
    if (key === 'MessageAttributes') {
      const attrs = Object.entries(value as MessageAttributes).map(([name, a]) => `    ${JSON.stringify(name)} : ${JSON.stringify({ Type: a.Type, Value: a.Value })}`);
      lines.push(`  "MessageAttributes" : {\n${attrs.join(',\n')}\n  }`);
    } else lines.push(`  ${JSON.stringify(key)} : ${JSON.stringify(value)}`);
  }
  return `{\n${lines.join(',\n')}\n}`;
}

/** The Records[0].Sns object of the event a subscribed Lambda function receives. */
export interface LambdaSnsRecord {
  Type: 'Notification';
  MessageId: string;
  TopicArn: string;
  Subject: string | null;
  Message: string;
  Timestamp: string;
  SignatureVersion: '1' | '2';
  Signature: string;
  SigningCertUrl: string;
  UnsubscribeUrl: string;
  MessageAttributes: MessageAttributes;
}

export interface LambdaSnsEvent {
  Records: Array<{ EventSource: 'aws:sns'; EventVersion: '1.0'; EventSubscriptionArn: string; Sns: LambdaSnsRecord }>;
}

export function lambdaEvent(m: SnsMessage, subscriptionArn: string): LambdaSnsEvent {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: subscriptionArn,
        Sns: {
          Type: 'Notification',
          MessageId: m.MessageId,
          TopicArn: m.TopicArn,
          Subject: m.Subject ?? null,
          Message: m.Message,
          Timestamp: m.Timestamp,
          SignatureVersion: m.SignatureVersion,
          Signature: m.Signature,
          SigningCertUrl: m.SigningCertURL,
          UnsubscribeUrl: m.UnsubscribeURL ?? '',
          MessageAttributes: m.MessageAttributes ?? {},
        },
      },
    ],
  };
}

export const USER_AGENT = 'Amazon Simple Notification Service Agent';
export const DEFAULT_CONTENT_TYPE = 'text/plain; charset=UTF-8';

/**
 * The headers of the POST to an HTTP/S endpoint. A SubscriptionConfirmation
 * carries no subscription ARN header (the subscription is not confirmed
 * yet); raw delivery adds x-amz-sns-rawdelivery.
 */
export function httpHeaders(m: Pick<SnsMessage, 'Type' | 'MessageId' | 'TopicArn'>, subscriptionArn: string, o: { raw?: boolean; contentType?: string } = {}): Record<string, string> {
  return {
    'x-amz-sns-message-type': m.Type,
    'x-amz-sns-message-id': m.MessageId,
    'x-amz-sns-topic-arn': m.TopicArn,
    ...(m.Type !== 'SubscriptionConfirmation' ? { 'x-amz-sns-subscription-arn': subscriptionArn } : {}),
    ...(o.raw ? { 'x-amz-sns-rawdelivery': 'true' } : {}),
    'content-type': o.contentType ?? DEFAULT_CONTENT_TYPE,
    'user-agent': USER_AGENT,
  };
}
