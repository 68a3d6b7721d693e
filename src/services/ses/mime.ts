/**
 * Building the RFC 5322 message SES sends for SendEmail and templated sends:
 * Date, From, Reply-To, To, Cc, Message-ID, Subject, MIME-Version, then a
 * text/plain or text/html body, or multipart/alternative when both parts are
 * given. Header text outside printable ASCII becomes RFC 2047 encoded-words
 * (base64, split on whole characters, one per folded line); bodies stay 7bit
 * when they are ASCII with short lines and are quoted-printable otherwise.
 * Lines end in CRLF, as SMTP needs.
 * https://www.rfc-editor.org/rfc/rfc5322  https://www.rfc-editor.org/rfc/rfc2045
 * https://www.rfc-editor.org/rfc/rfc2047  https://docs.aws.amazon.com/ses/latest/dg/send-email-raw.html
 */
import { randomBytes } from 'node:crypto';
import type { Mailbox } from './addresses.js';

export interface TextPart {
  data: string;
  charset?: string;
}

export interface SimpleContent {
  subject: TextPart;
  text?: TextPart;
  html?: TextPart;
  /** Extra headers (SES v2 Simple.Headers), written after the standard ones. */
  headers?: { name: string; value: string }[];
}

export interface Envelope {
  messageId: string;
  date: Date;
  from: Mailbox;
  to: Mailbox[];
  cc: Mailbox[];
  replyTo: Mailbox[];
}

const CRLF = '\r\n';
/** Bytes per encoded-word: 39 bytes are 52 base64 characters, so a folded line stays under 78 columns. */
const WORD_BYTES = 39;
const QP_LINE = 76;

/** The charsets Stratus can write; anything else is written as UTF-8 and labelled so. */
function charsetOf(part: { charset?: string }): { label: string; encoding: BufferEncoding } {
  const c = (part.charset ?? 'UTF-8').trim().toLowerCase();
  if (c === 'iso-8859-1' || c === 'latin1' || c === 'iso8859-1') return { label: 'ISO-8859-1', encoding: 'latin1' };
  if (c === 'us-ascii' || c === 'ascii') return { label: 'US-ASCII', encoding: 'utf8' };
  return { label: 'UTF-8', encoding: 'utf8' };
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** RFC 2047 encoded-words for text that is not printable ASCII; the words are joined by folding whitespace. */
export function encodeWords(text: string, charset?: string): string {
  if (PRINTABLE_ASCII.test(text)) return text;
  const cs = charsetOf({ charset });
  const label = cs.label === 'US-ASCII' ? 'UTF-8' : cs.label;
  const encoding = cs.label === 'US-ASCII' ? 'utf8' : cs.encoding;
  const words: string[] = [];
  let chunk = '';
  let size = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch, encoding);
    if (size + n > WORD_BYTES && chunk) {
      words.push(chunk);
      chunk = '';
      size = 0;
    }
    chunk += ch;
    size += n;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?${label}?B?${Buffer.from(w, encoding).toString('base64')}?=`).join(`${CRLF} `);
}

const ATEXT_PHRASE = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ .]*$/;

/** `Name <addr>` with the name quoted or encoded as needed. */
export function formatMailbox(m: Mailbox): string {
  if (!m.display) return m.address;
  const d = m.display;
  if (/^=\?[^?]+\?[BbQq]\?[^?]*\?=/.test(d)) return `${d} <${m.address}>`;
  if (!PRINTABLE_ASCII.test(d)) return `${encodeWords(d)} <${m.address}>`;
  if (ATEXT_PHRASE.test(d) && !d.startsWith('.') && !d.includes('..')) return `${d} <${m.address}>`;
  return `"${d.replace(/(["\\])/g, '\\$1')}" <${m.address}>`;
}

/** A header line, folding an address list after its commas when it grows past 78 columns. */
export function addressHeader(name: string, mailboxes: Mailbox[]): string {
  const items = mailboxes.map(formatMailbox);
  let line = `${name}: `;
  let out = '';
  items.forEach((item, i) => {
    const piece = item + (i < items.length - 1 ? ',' : '');
    if (i > 0 && line.length + 1 + piece.length > 78) {
      out += line + CRLF;
      line = ' ' + piece;
    } else line += (i > 0 ? ' ' : '') + piece;
  });
  return out + line;
}

/** RFC 5322 date-time in UTC, e.g. "Tue, 10 Mar 2020 12:01:02 +0000". */
export function rfc5322Date(d: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${d.getUTCDate()} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** Quoted-printable (RFC 2045 §6.7) of text whose line breaks become CRLF hard breaks. */
export function quotedPrintable(bytes: Buffer): string {
  const text = bytes.toString('latin1').replace(/\r\n|\r|\n/g, '\n');
  const lines = text.split('\n');
  return lines
    .map((line) => {
      const tokens: string[] = [];
      for (let i = 0; i < line.length; i++) {
        const code = line.charCodeAt(i);
        const last = i === line.length - 1;
        if ((code === 0x20 || code === 0x09) && !last) tokens.push(line[i]!);
        else if (code >= 33 && code <= 126 && code !== 61) tokens.push(line[i]!);
        else tokens.push('=' + code.toString(16).toUpperCase().padStart(2, '0'));
      }
      // Soft breaks keep each line within 76 characters without splitting an =XX escape.
      let out = '';
      let width = 0;
      for (const t of tokens) {
        if (width + t.length > QP_LINE - 1) {
          out += '=' + CRLF;
          width = 0;
        }
        out += t;
        width += t.length;
      }
      return out;
    })
    .join(CRLF);
}

function needsEncoding(bytes: Buffer): boolean {
  let lineLength = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b >= 0x80 || b === 0) return true;
    if (b === 0x0a) lineLength = 0;
    else if (++lineLength > 998) return true;
  }
  return false;
}

/** One text part's headers and body. */
function textEntity(part: TextPart, subtype: 'plain' | 'html'): string {
  const cs = charsetOf(part);
  const bytes = Buffer.from(part.data, cs.encoding);
  const label = cs.label === 'US-ASCII' && needsEncoding(bytes) ? 'UTF-8' : cs.label;
  const qp = needsEncoding(bytes);
  const body = qp ? quotedPrintable(bytes) : part.data.replace(/\r\n|\r|\n/g, CRLF);
  return `Content-Type: text/${subtype}; charset=${label}${CRLF}Content-Transfer-Encoding: ${qp ? 'quoted-printable' : '7bit'}${CRLF}${CRLF}${body}`;
}

export function boundary(): string {
  return `----=_Part_${randomBytes(12).toString('hex')}`;
}

/** The MIME body (Content-Type onward) for the given text and HTML parts. */
export function mimeBody(content: Pick<SimpleContent, 'text' | 'html'>): string {
  const text = content.text;
  const html = content.html;
  if (text && html) {
    const b = boundary();
    return [
      `Content-Type: multipart/alternative; ${CRLF} boundary="${b}"`,
      '',
      `--${b}`,
      textEntity(text, 'plain'),
      `--${b}`,
      textEntity(html, 'html'),
      `--${b}--`,
      '',
    ].join(CRLF);
  }
  return textEntity(html ?? text ?? { data: '' }, html ? 'html' : 'plain') + CRLF;
}

export function messageIdHeader(messageId: string): string {
  return `<${messageId}@email.amazonses.com>`;
}

/** The whole message SES would send for a SendEmail call. */
export function buildMessage(env: Envelope, content: SimpleContent): Buffer {
  const lines = [`Date: ${rfc5322Date(env.date)}`, addressHeader('From', [env.from])];
  if (env.replyTo.length) lines.push(addressHeader('Reply-To', env.replyTo));
  if (env.to.length) lines.push(addressHeader('To', env.to));
  if (env.cc.length) lines.push(addressHeader('Cc', env.cc));
  lines.push(`Message-ID: ${messageIdHeader(env.messageId)}`);
  lines.push(`Subject: ${encodeWords(content.subject.data.replace(/\r?\n/g, ' '), content.subject.charset)}`);
  for (const h of content.headers ?? []) lines.push(`${h.name}: ${encodeWords(h.value.replace(/\r?\n/g, ' '))}`);
  lines.push('MIME-Version: 1.0');
  return Buffer.from(lines.join(CRLF) + CRLF + mimeBody(content), 'utf8');
}
