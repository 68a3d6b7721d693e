/**
 * `stratus mail`: the SES inbox from the terminal. `list` shows every message
 * SES accepted (verification mails included) with its number; `show` prints
 * one (by number, `last`, or id) with its headers and text body, or its HTML
 * or raw RFC 5322 bytes; `clear` empties the inbox. Reads
 * /_stratus/ses/messages, signed with the profile's keys when there are any
 * (required when Stratus runs on another machine), plain otherwise.
 */
import { errorOf, resolveSettings, signedCall, type CallResult } from './client.js';
import { parseArgs } from './functions.js';

const tty = process.stdout.isTTY === true;
const paint = (code: string) => (s: string) => (tty ? `\x1b[${code}m${s}\x1b[0m` : s);
const dim = paint('2');
const bold = paint('1');
const red = paint('31');
const green = paint('32');
const yellow = paint('33');
const cyan = paint('36');

interface Summary {
  id: string;
  timestamp: string;
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string[];
  subject: string;
  kind?: string;
  deliveryStatus: string;
  deliveryAttempts: number;
  lastError?: string;
}

interface Detail extends Summary {
  envelope: { from: string; recipients: string[] };
  headers: { name: string; value: string }[];
  text?: string;
  html?: string;
  attachments: { filename?: string; contentType: string; size: number }[];
  raw: string;
}

const USAGE = 'usage: stratus mail list [--to ADDR] [--from ADDR] [--limit N] [--json] | show <N|last|id> [--raw|--html|--json] | clear';

async function call(flags: Record<string, string | true>, env: NodeJS.ProcessEnv, method: string, path: string, query: Record<string, string> = {}): Promise<CallResult> {
  const str = (k: string) => (typeof flags[k] === 'string' ? (flags[k] as string) : undefined);
  let settings;
  try {
    settings = resolveSettings({ profile: str('profile'), endpoint: str('endpoint'), region: str('region') }, env);
  } catch {
    // No keys: the inbox is open to this machine without them.
    const endpoint = str('endpoint') ?? env.AWS_ENDPOINT_URL ?? 'http://127.0.0.1:4566';
    const qs = new URLSearchParams(query).toString();
    const res = await fetch(`${new URL(endpoint).origin}${path}${qs ? `?${qs}` : ''}`, { method });
    return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
  }
  return signedCall(settings, { service: 'ses', method, path, query });
}

function statusMark(m: Summary): string {
  switch (m.deliveryStatus) {
    case 'delivered':
      return green('relayed');
    case 'pending':
      return yellow(m.deliveryAttempts ? `relay retrying (${m.deliveryAttempts})` : 'relay queued');
    case 'failed':
      return red('relay failed');
    default:
      return '';
  }
}

export function formatList(messages: Summary[]): string {
  if (messages.length === 0) return dim('(no messages)');
  const width = String(messages.length).length;
  return messages
    .map((m, i) => {
      const when = m.timestamp.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
      const to = [...m.to, ...m.cc, ...m.bcc].join(', ');
      const mark = statusMark(m);
      return `${dim(String(i + 1).padStart(width))}  ${dim(when)}  ${cyan(m.from)} ${dim('→')} ${to}\n${' '.repeat(width)}  ${bold(m.subject || '(no subject)')}${m.kind ? dim(` [${m.kind}]`) : ''}${mark ? `  ${mark}` : ''}\n${' '.repeat(width)}  ${dim(m.id)}`;
    })
    .join('\n');
}

export function formatMessage(m: Detail): string {
  const lines: string[] = [];
  const field = (name: string, value: string) => lines.push(`${dim(name.padEnd(9))} ${value}`);
  field('Id', m.id);
  field('Date', m.timestamp);
  field('From', cyan(m.from));
  if (m.to.length) field('To', m.to.join(', '));
  if (m.cc.length) field('Cc', m.cc.join(', '));
  if (m.bcc.length) field('Bcc', m.bcc.join(', '));
  if (m.replyTo.length) field('Reply-To', m.replyTo.join(', '));
  field('Subject', bold(m.subject));
  const mark = statusMark(m);
  if (mark) field('Relay', mark + (m.lastError ? dim(` (last error: ${m.lastError})`) : ''));
  for (const a of m.attachments) field('Attached', `${a.filename ?? '(unnamed)'} ${dim(`${a.contentType}, ${a.size} bytes`)}`);
  lines.push('');
  if (m.text !== undefined) lines.push(m.text.replace(/\r\n/g, '\n').trimEnd());
  else if (m.html !== undefined) lines.push(dim('(HTML only; use --html to see it)'));
  else lines.push(dim('(no text body)'));
  return lines.join('\n');
}

export async function mailCommand(args: string[], env: NodeJS.ProcessEnv, out: (s: string) => void = console.log): Promise<number> {
  const { flags, positionals } = parseArgs(args, ['json', 'raw', 'html']);
  const [sub, target] = positionals;
  if (sub === 'list' || sub === undefined) {
    const query: Record<string, string> = {};
    for (const k of ['to', 'from', 'limit']) if (typeof flags[k] === 'string') query[k] = flags[k] as string;
    const r = await call(flags, env, 'GET', '/_stratus/ses/messages', query);
    if (r.status !== 200) throw new Error(errorOf(r));
    const { messages } = JSON.parse(r.body.toString('utf8')) as { messages: Summary[] };
    out(flags.json ? JSON.stringify(messages, null, 2) : formatList(messages));
    return 0;
  }
  if (sub === 'show') {
    if (!target) throw new Error(USAGE);
    let id = target;
    if (target === 'last' || /^\d+$/.test(target)) {
      const r = await call(flags, env, 'GET', '/_stratus/ses/messages');
      if (r.status !== 200) throw new Error(errorOf(r));
      const { messages } = JSON.parse(r.body.toString('utf8')) as { messages: Summary[] };
      const picked = target === 'last' ? messages[messages.length - 1] : messages[Number(target) - 1];
      if (!picked) {
        out(red(`no message ${target} (the inbox holds ${messages.length})`));
        return 1;
      }
      id = picked.id;
    }
    const r = await call(flags, env, 'GET', `/_stratus/ses/messages/${encodeURIComponent(id)}`);
    if (r.status === 404) {
      out(red(`no message ${id}`));
      return 1;
    }
    if (r.status !== 200) throw new Error(errorOf(r));
    const m = JSON.parse(r.body.toString('utf8')) as Detail;
    if (flags.json) out(JSON.stringify(m, null, 2));
    else if (flags.raw) out(m.raw.replace(/\r\n/g, '\n').trimEnd());
    else if (flags.html) out(m.html ?? dim('(no HTML body)'));
    else out(formatMessage(m));
    return 0;
  }
  if (sub === 'clear') {
    const r = await call(flags, env, 'DELETE', '/_stratus/ses/messages');
    if (r.status !== 200) throw new Error(errorOf(r));
    const { deleted } = JSON.parse(r.body.toString('utf8')) as { deleted: number };
    out(`${green('✓')} deleted ${deleted} message${deleted === 1 ? '' : 's'}`);
    return 0;
  }
  throw new Error(USAGE);
}
