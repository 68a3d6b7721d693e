/**
 * The message layouts: AWS's field order and `"Key" : value` style, the
 * Lambda event (checked against @types/aws-lambda's SNSEvent at compile
 * time), the links and the HTTP headers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SNSEvent, SNSMessage } from 'aws-lambda';
import type { Publication } from './contract.js';
import { certificateUrl, formatMessage, httpHeaders, lambdaEvent, notificationMessage, subscriptionConfirmationMessage, type LambdaSnsEvent, type LambdaSnsRecord, type SnsMessage } from './envelope.js';

const TOPIC = 'arn:aws:sns:us-west-2:123456789012:MyTopic';
const SUB = `${TOPIC}:c9135db0-26c4-47ec-8998-413945fb5a96`;
const pub: Publication = { messageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324', topicArn: TOPIC, subject: 'My First Message', message: 'Hello world!', timestamp: '2012-05-02T00:54:06.655Z', messageAttributes: {} };
const o = { endpoint: 'https://sns.example:4566/', signatureVersion: '1' as const, certUrl: certificateUrl('https://sns.example:4566/', 'f3ecfb7224c7233fe7bb5f59f96de52f') };

// Compile-time: every key of @types/aws-lambda's SNSMessage but the optional Token (confirmations only) is in ours and
// the other way round, with compatible types; Subject is null when absent, as AWS sends it (the typings say string | undefined).
type Keys<T> = keyof T;
type SameKeys<A, B> = [Exclude<Keys<A>, Keys<B>>, Exclude<Keys<B>, Keys<A>>] extends [never, never] ? true : false;
const keysMatch: SameKeys<LambdaSnsRecord, Omit<SNSMessage, 'Token'>> = true;
const asTyped = (e: LambdaSnsEvent): SNSEvent => ({ Records: e.Records.map((r) => ({ ...r, Sns: { ...r.Sns, Subject: r.Sns.Subject ?? undefined } })) });
void keysMatch;

describe('SNS message layouts', () => {
  it("a Notification is written as AWS's documentation shows it", () => {
    const m: SnsMessage = { ...notificationMessage(pub, SUB, o), Signature: 'EXAMPLEw6JRN...' };
    assert.equal(
      formatMessage(m),
      `{
  "Type" : "Notification",
  "MessageId" : "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
  "TopicArn" : "arn:aws:sns:us-west-2:123456789012:MyTopic",
  "Subject" : "My First Message",
  "Message" : "Hello world!",
  "Timestamp" : "2012-05-02T00:54:06.655Z",
  "SignatureVersion" : "1",
  "Signature" : "EXAMPLEw6JRN...",
  "SigningCertURL" : "https://sns.example:4566/_stratus/sns/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem",
  "UnsubscribeURL" : "https://sns.example:4566/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-west-2:123456789012:MyTopic:c9135db0-26c4-47ec-8998-413945fb5a96"
}`,
    );
  });

  it('without a subject there is no Subject key; attributes come last, one per line; control characters are escaped', () => {
    const m = { ...notificationMessage({ ...pub, subject: undefined, message: 'a "b"\n\tc', messageAttributes: { x: { Type: 'Binary', Value: 'AAE=' } } }, SUB, o), Signature: 's' };
    const text = formatMessage(m);
    assert.equal(JSON.parse(text).Subject, undefined);
    assert.ok(text.includes('"Message" : "a \\"b\\"\\n\\tc",'));
    assert.ok(text.endsWith('  "MessageAttributes" : {\n    "x" : {"Type":"Binary","Value":"AAE="}\n  }\n}'));
  });

  it('a SubscriptionConfirmation carries the token, its link and the documented message', () => {
    const m = subscriptionConfirmationMessage({ topicArn: TOPIC, token: '2336412f37' }, { ...o, messageId: 'id', timestamp: '2012-04-26T20:45:04.751Z' });
    assert.deepEqual(Object.keys(m), ['Type', 'MessageId', 'Token', 'TopicArn', 'Message', 'SubscribeURL', 'Timestamp', 'SignatureVersion', 'SigningCertURL']);
    assert.equal(m.SubscribeURL, `https://sns.example:4566/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=2336412f37`);
    assert.equal(m.Message, `You have chosen to subscribe to the topic ${TOPIC}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`);
  });

  it("the Lambda event spells SigningCertUrl and UnsubscribeUrl, and says Subject null when there is none", () => {
    const m = { ...notificationMessage({ ...pub, subject: undefined }, SUB, o), Signature: 'sig' };
    const event = lambdaEvent(m, SUB);
    assert.equal(JSON.stringify(event), JSON.stringify({
      Records: [{ EventSource: 'aws:sns', EventVersion: '1.0', EventSubscriptionArn: SUB, Sns: { Type: 'Notification', MessageId: pub.messageId, TopicArn: TOPIC, Subject: null, Message: 'Hello world!', Timestamp: pub.timestamp, SignatureVersion: '1', Signature: 'sig', SigningCertUrl: o.certUrl, UnsubscribeUrl: m.UnsubscribeURL, MessageAttributes: {} } }],
    }));
    assert.equal(asTyped(event).Records[0]!.Sns.SigningCertUrl, o.certUrl);
  });

  it('HTTP headers name the message; the subscription only once it exists; raw delivery is marked', () => {
    const n = notificationMessage(pub, SUB, o);
    assert.deepEqual(httpHeaders(n, SUB), {
      'x-amz-sns-message-type': 'Notification',
      'x-amz-sns-message-id': pub.messageId,
      'x-amz-sns-topic-arn': TOPIC,
      'x-amz-sns-subscription-arn': SUB,
      'content-type': 'text/plain; charset=UTF-8',
      'user-agent': 'Amazon Simple Notification Service Agent',
    });
    assert.equal(httpHeaders(n, SUB, { raw: true, contentType: 'application/json' })['x-amz-sns-rawdelivery'], 'true');
    assert.equal(httpHeaders(n, SUB, { contentType: 'application/json' })['content-type'], 'application/json');
    const c = subscriptionConfirmationMessage({ topicArn: TOPIC, token: 't' }, { ...o, messageId: 'id', timestamp: 'ts' });
    assert.equal(httpHeaders(c, SUB)['x-amz-sns-subscription-arn'], undefined);
  });
});
