/**
 * The mails' bytes: quoted-printable bodies that decode to the text given,
 * encoded subjects and display names, and AWS's texts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { confirmationMail, notificationText, plainMail, quotedPrintable } from './email-delivery.js';

function decodeQp(s: string): string {
  const bytes: number[] = [];
  const text = s.replace(/=\r\n/g, '');
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '=') {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(text.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}

describe('SNS mails', () => {
  it('quoted-printable keeps lines under 77 characters and decodes back exactly', () => {
    const text = `Préavis: ${'x'.repeat(200)}=é\nline with trailing space \n\tand tab\n${'é'.repeat(60)}`;
    const qp = quotedPrintable(text);
    for (const line of qp.split('\r\n')) assert.ok(line.length <= 76, line);
    assert.ok(!/[^\x20-\x7e\r\n\t]/.test(qp));
    assert.equal(decodeQp(qp), text.replace(/\n/g, '\r\n'));
  });

  it('non-ASCII subjects and display names become RFC 2047 words; quotes in names are escaped', () => {
    const raw = plainMail({ displayName: 'Ünïcode "Ops"', to: 'a@example.com', subject: 'Überweisung fällig — bitte prüfen, es ist schon spät geworden' }, 'x').toString('utf8');
    const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
    assert.ok(!/[^\x20-\x7e\r\n\t]/.test(head), head);
    const subject = /\r\nSubject: ((?:.|\r\n )+)\r\n/.exec(head)![1]!;
    const decoded = subject.split('\r\n ').map((w) => Buffer.from(/^=\?UTF-8\?B\?(.+)\?=$/.exec(w)![1]!, 'base64').toString('utf8')).join('');
    assert.equal(decoded, 'Überweisung fällig — bitte prüfen, es ist schon spät geworden');
    assert.match(head, /\r\nFrom: =\?UTF-8\?B\?.+\?= <no-reply@sns\.amazonaws\.com>\r\n/);
    const ascii = plainMail({ displayName: 'Say "hi"', to: 'a@example.com', subject: 's' }, 'x').toString('utf8');
    assert.match(ascii, /\r\nFrom: "Say \\"hi\\"" <no-reply@sns\.amazonaws\.com>\r\n/);
    assert.match(plainMail({ to: 'a@example.com', subject: 's' }, 'x').toString('utf8'), /\r\nFrom: "AWS Notifications" <no-reply@sns\.amazonaws\.com>\r\n/);
  });

  it("AWS's footer follows the message", () => {
    assert.equal(
      notificationText('Hello', 'https://x/?Action=Unsubscribe&SubscriptionArn=a'),
      'Hello\n\n--\nIf you wish to stop receiving notifications from this topic, please click or visit the link below to unsubscribe:\nhttps://x/?Action=Unsubscribe&SubscriptionArn=a\n\nPlease do not reply directly to this email. If you have any questions or comments regarding this email, please contact us at https://aws.amazon.com/support\n',
    );
  });

  it('the confirmation mail has a text and an HTML part, both with the link', () => {
    const raw = confirmationMail({ to: 'a@example.com' }, 'arn:aws:sns:us-east-1:123456789012:t', 'https://x/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:t&Token=abc').toString('utf8');
    assert.match(raw, /\r\nSubject: AWS Notification - Subscription Confirmation\r\n/);
    const boundary = /boundary="([^"]+)"/.exec(raw)![1]!;
    const parts = raw.split(`--${boundary}`).slice(1, -1);
    assert.equal(parts.length, 2);
    assert.match(parts[0]!, /Content-Type: text\/plain; charset=UTF-8/);
    assert.match(parts[1]!, /Content-Type: text\/html; charset=UTF-8/);
    assert.ok(decodeQp(parts[0]!).includes('https://x/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:t&Token=abc'));
    assert.ok(decodeQp(parts[1]!).includes('<a href="https://x/?Action=ConfirmSubscription&#38;TopicArn=arn:aws:sns:us-east-1:123456789012:t&#38;Token=abc">Confirm subscription</a>'));
  });
});
