/**
 * Reading RFC 5322/MIME messages: SendRawEmail needs the header fields (to
 * find From and the recipients, and to replace Message-ID and drop Bcc as
 * SES does), and the inbox shows each message's decoded headers, its text
 * and HTML bodies and the list of its attachments. Works on the message's
 * bytes through latin1 strings, so offsets are byte offsets.
 * https://www.rfc-editor.org/rfc/rfc5322  https://www.rfc-editor.org/rfc/rfc2045
 * https://www.rfc-editor.org/rfc/rfc2046  https://www.rfc-editor.org/rfc/rfc2047
 * https://www.rfc-editor.org/rfc/rfc2231
 */

export interface HeaderField {
  /** As written (case kept). */
  name: string;
  /** Unfolded, still encoded. */
  value: string;
  /** Byte range of the field's lines, continuation lines and final CRLF included. */
  start: number;
  end: number;
}

export interface HeaderBlock {
  fields: HeaderField[];
  /** Offset of the body (after the blank line), or the message length when there is none. */
  bodyStart: number;
}

/** Bare LF and bare CR become CRLF: SMTP and the inbox store only CRLF lines. */
export function normalizeLineEndings(buf: Buffer): Buffer {
  const text = buf.toString('latin1');
  if (!/\r(?!\n)|(?<!\r)\n/.test(text)) return buf;
  return Buffer.from(text.replace(/\r\n|\r|\n/g, '\r\n'), 'latin1');
}

/** The header fields of a CRLF message (or MIME entity). */
export function splitHeaders(buf: Buffer | string): HeaderBlock {
  const text = typeof buf === 'string' ? buf : buf.toString('latin1');
  const fields: HeaderField[] = [];
  let pos = 0;
  while (pos < text.length) {
    const eol = text.indexOf('\r\n', pos);
    const lineEnd = eol === -1 ? text.length : eol;
    if (lineEnd === pos) return { fields, bodyStart: Math.min(text.length, pos + 2) };
    const line = text.slice(pos, lineEnd);
    const next = eol === -1 ? text.length : eol + 2;
    if ((line[0] === ' ' || line[0] === '\t') && fields.length) {
      const last = fields[fields.length - 1]!;
      last.value += line;
      last.end = next;
    } else {
      const colon = line.indexOf(':');
      if (colon > 0) fields.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).replace(/^[ \t]+/, ''), start: pos, end: next });
      else if (fields.length === 0) return { fields, bodyStart: pos };
    }
    pos = next;
  }
  return { fields, bodyStart: text.length };
}

export function fieldValue(fields: HeaderField[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return fields.find((f) => f.name.toLowerCase() === lower)?.value;
}

export function fieldValues(fields: HeaderField[], name: string): string[] {
  const lower = name.toLowerCase();
  return fields.filter((f) => f.name.toLowerCase() === lower).map((f) => f.value);
}

function decodeBytes(bytes: Buffer, charset: string | undefined): string {
  const cs = (charset ?? 'utf-8').trim().toLowerCase();
  if (cs === 'us-ascii' || cs === 'ascii' || cs === 'utf-8' || cs === 'utf8') return bytes.toString('utf8');
  if (cs === 'iso-8859-1' || cs === 'latin1') return bytes.toString('latin1');
  try {
    return new TextDecoder(cs).decode(bytes);
  } catch {
    return bytes.toString('utf8');
  }
}

function decodeQ(text: string, underscores: boolean): Buffer {
  const s = underscores ? text.replace(/_/g, ' ') : text;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(s.charCodeAt(i) & 0xff);
  }
  return Buffer.from(bytes);
}

const ENCODED_WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;

/** Decodes RFC 2047 encoded-words; whitespace between two adjacent words disappears. */
export function decodeWords(value: string): string {
  const joined = value.replace(/(\?=)\s+(=\?)/g, '$1$2');
  return joined.replace(ENCODED_WORD, (_m, charset: string, enc: string, text: string) => {
    const bytes = enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : decodeQ(text, true);
    return decodeBytes(bytes, charset.split('*')[0]);
  });
}

/** Header text as read: encoded-words decoded, raw 8-bit bytes read as UTF-8. */
export function readableHeader(value: string): string {
  return decodeWords(Buffer.from(value, 'latin1').toString('utf8'));
}

export interface ContentType {
  type: string;
  params: Record<string, string>;
}

/** `type/subtype; a=b; c="d"` including RFC 2231 `name*=charset''value` parameters. */
export function parseContentType(value: string | undefined, fallback = 'text/plain'): ContentType {
  if (!value) return { type: fallback, params: { charset: 'us-ascii' } };
  const [head, ...rest] = splitParams(value);
  const params: Record<string, string> = {};
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq === -1) continue;
    let key = p.slice(0, eq).trim().toLowerCase();
    let v = p.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    if (key.endsWith('*')) {
      key = key.slice(0, -1);
      const m = /^([^']*)'[^']*'(.*)$/.exec(v);
      v = m ? decodeBytes(decodeQ(m[2]!.replace(/%/g, '='), false), m[1] || 'utf-8') : v;
    }
    params[key] = v;
  }
  return { type: (head ?? fallback).trim().toLowerCase() || fallback, params };
}

function splitParams(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of value) {
    if (ch === '"') quoted = !quoted;
    if (ch === ';' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function decodeTransfer(body: string, encoding: string | undefined): Buffer {
  const enc = (encoding ?? '7bit').trim().toLowerCase();
  if (enc === 'base64') return Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  if (enc === 'quoted-printable') return decodeQ(body.replace(/=\r\n/g, ''), false);
  return Buffer.from(body, 'latin1');
}

export interface Attachment {
  filename?: string;
  contentType: string;
  size: number;
}

export interface ReadMessage {
  headers: { name: string; value: string }[];
  text?: string;
  html?: string;
  attachments: Attachment[];
}

/** Walks a MIME entity: the first inline text/plain and text/html are the bodies, the rest attachments. */
function walk(entity: string, out: ReadMessage, depth: number, defaultType = 'text/plain'): void {
  const { fields, bodyStart } = splitHeaders(entity);
  const ct = parseContentType(fieldValue(fields, 'content-type'), defaultType);
  const body = entity.slice(bodyStart);
  const disposition = parseContentType(fieldValue(fields, 'content-disposition'), 'inline');
  const filename = disposition.params.filename ?? ct.params.name;
  if (ct.type.startsWith('multipart/') && ct.params.boundary && depth < 20) {
    const childType = ct.type === 'multipart/digest' ? 'message/rfc822' : 'text/plain';
    for (const part of multipartParts(body, ct.params.boundary)) walk(part, out, depth + 1, childType);
    return;
  }
  const bytes = decodeTransfer(body, fieldValue(fields, 'content-transfer-encoding'));
  const inline = disposition.type !== 'attachment' && !filename;
  if (inline && ct.type === 'text/plain' && out.text === undefined) out.text = decodeBytes(bytes, ct.params.charset);
  else if (inline && ct.type === 'text/html' && out.html === undefined) out.html = decodeBytes(bytes, ct.params.charset);
  else out.attachments.push({ ...(filename ? { filename: readableHeader(filename) } : {}), contentType: ct.type, size: bytes.length });
}

/** The parts between `--boundary` delimiter lines (RFC 2046 §5.1.1). */
export function multipartParts(body: string, boundary: string): string[] {
  const delimiter = `--${boundary}`;
  const parts: string[] = [];
  let start = -1;
  let pos = 0;
  for (;;) {
    const at = body.indexOf(delimiter, pos);
    if (at === -1) break;
    const lineStart = at === 0 || body.slice(at - 2, at) === '\r\n';
    if (!lineStart) {
      pos = at + delimiter.length;
      continue;
    }
    if (start !== -1) parts.push(body.slice(start, Math.max(start, at - 2)));
    if (body.startsWith('--', at + delimiter.length)) return parts;
    const eol = body.indexOf('\r\n', at);
    if (eol === -1) return parts;
    start = eol + 2;
    pos = start;
  }
  if (start !== -1) parts.push(body.slice(start));
  return parts;
}

/** Decoded headers, bodies and attachment list of a whole message. */
export function readMessage(raw: Buffer): ReadMessage {
  const text = raw.toString('latin1');
  const { fields } = splitHeaders(text);
  const out: ReadMessage = { headers: fields.map((f) => ({ name: f.name, value: readableHeader(f.value) })), attachments: [] };
  walk(text, out, 0);
  return out;
}
