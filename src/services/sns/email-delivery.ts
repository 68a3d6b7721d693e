/**
 * The mails SNS sends, as RFC 5322 bytes for SES's inbox: a notification
 * (the message as plain text, then AWS's footer with the unsubscribe link),
 * an email-json notification (the JSON document as the body), and the
 * "AWS Notification - Subscription Confirmation" mail with the link that
 * confirms (text and HTML, like AWS's). They come from
 * no-reply@sns.amazonaws.com under the topic's DisplayName, or
 * "AWS Notifications". The links point at this server.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-email-notifications.html
 */
import { randomUUID } from 'node:crypto';

export const SNS_SENDER = 'no-reply@sns.amazonaws.com';
export const DEFAULT_DISPLAY_NAME = 'AWS Notifications';
export const DEFAULT_SUBJECT = 'AWS Notification Message';
export const CONFIRMATION_SUBJECT = 'AWS Notification - Subscription Confirmation';

const SUPPORT = 'Please do not reply directly to this email. If you have any questions or comments regarding this email, please contact us at https://aws.amazon.com/support';

export function notificationText(message: string, unsubscribeLink: string): string {
  return [message, '', '--', 'If you wish to stop receiving notifications from this topic, please click or visit the link below to unsubscribe:', unsubscribeLink, '', SUPPORT, ''].join('\n');
}

export function confirmationText(topicArn: string, link: string): string {
  return [
    'You have chosen to subscribe to the topic: ',
    topicArn,
    '',
    'To confirm this subscription, click or visit the link below (If this was in error no action is necessary): ',
    link,
    '',
    'Please do not reply directly to this email. If you wish to remove yourself from receiving all future SNS subscription confirmation requests please send an email to sns-opt-out@amazon.com',
    '',
  ].join('\n');
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function confirmationHtml(topicArn: string, link: string): string {
  return [
    '<!DOCTYPE html><html><head><meta charset="UTF-8"></head><body>',
    `<p>You have chosen to subscribe to the topic: <br><b>${escapeHtml(topicArn)}</b></p>`,
    `<p>To confirm this subscription, click or visit the link below (If this was in error no action is necessary): <br><a href="${escapeHtml(link)}">Confirm subscription</a></p>`,
    '<p><small>Please do not reply directly to this email. If you wish to remove yourself from receiving all future SNS subscription confirmation requests please send an email to <a href="mailto:sns-opt-out@amazon.com">sns-opt-out</a></small></p>',
    '</body></html>',
    '',
  ].join('\n');
}

// ------------------------------------------------------------------ MIME

/** An RFC 2047 encoded word for text that is not plain ASCII. */
function headerText(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  const words: string[] = [];
  let chunk = '';
  for (const ch of text) {
    if (Buffer.byteLength(chunk + ch) > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join('\r\n ');
}

function mailbox(display: string, address: string): string {
  const safe = /^[\x20-\x7e]*$/.test(display) ? `"${display.replace(/(["\\])/g, '\\$1')}"` : headerText(display);
  return `${safe} <${address}>`;
}

function rfc5322Date(d: Date): string {
  return d.toUTCString().replace(/GMT$/, '+0000');
}

/** Quoted-printable (RFC 2045): CRLF lines, none longer than 76 characters. */
export function quotedPrintable(text: string): string {
  const out: string[] = [];
  for (const line of text.replace(/\r\n/g, '\n').split('\n')) {
    let encoded = '';
    const bytes = Buffer.from(line, 'utf8');
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      const last = i === bytes.length - 1;
      const literal = (b >= 33 && b <= 126 && b !== 61) || ((b === 32 || b === 9) && !last);
      encoded += literal ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
    }
    while (encoded.length > 76) {
      let cut = 75;
      // Never split an =XX escape.
      if (encoded[cut - 1] === '=') cut -= 1;
      else if (encoded[cut - 2] === '=') cut -= 2;
      out.push(encoded.slice(0, cut) + '=');
      encoded = encoded.slice(cut);
    }
    out.push(encoded);
  }
  return out.join('\r\n');
}

function textPart(text: string, type: 'plain' | 'html'): string {
  return `Content-Type: text/${type}; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${quotedPrintable(text)}\r\n`;
}

export interface MailFields {
  displayName?: string;
  to: string;
  subject: string;
  date?: Date;
}

function head(f: MailFields): string[] {
  return [
    `Date: ${rfc5322Date(f.date ?? new Date())}`,
    `From: ${mailbox(f.displayName || DEFAULT_DISPLAY_NAME, SNS_SENDER)}`,
    `To: ${f.to}`,
    `Message-ID: <${randomUUID()}@email.amazonses.com>`,
    `Subject: ${headerText(f.subject)}`,
    'MIME-Version: 1.0',
  ];
}

export function plainMail(f: MailFields, text: string): Buffer {
  return Buffer.from([...head(f), textPart(text, 'plain')].join('\r\n'), 'utf8');
}

export function alternativeMail(f: MailFields, text: string, html: string): Buffer {
  const boundary = `----=_Part_${randomUUID().replace(/-/g, '')}`;
  const body = [`--${boundary}`, textPart(text, 'plain'), `--${boundary}`, textPart(html, 'html'), `--${boundary}--`, ''].join('\r\n');
  return Buffer.from([...head(f), `Content-Type: multipart/alternative; boundary="${boundary}"`, '', body].join('\r\n'), 'utf8');
}

/** The confirmation mail of an email subscription. */
export function confirmationMail(f: Omit<MailFields, 'subject'>, topicArn: string, link: string): Buffer {
  return alternativeMail({ ...f, subject: CONFIRMATION_SUBJECT }, confirmationText(topicArn, link), confirmationHtml(topicArn, link));
}
