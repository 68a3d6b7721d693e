/**
 * A minimal SMTP client for the relay, over node:net (smtp://) or node:tls
 * (smtps://, implicit TLS): greeting, EHLO (HELO if refused), AUTH PLAIN or
 * LOGIN when the URL carries credentials, MAIL FROM, RCPT TO for each
 * recipient, DATA with dot-stuffing, QUIT. A 5xx reply is a permanent
 * failure; 4xx replies, timeouts and connection errors are transient. No
 * dependency: the protocol needed here is a few dozen lines.
 * https://www.rfc-editor.org/rfc/rfc5321  https://www.rfc-editor.org/rfc/rfc4954
 * https://www.rfc-editor.org/rfc/rfc4616
 */
import { connect as netConnect, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { connect as tlsConnect } from 'node:tls';

export interface SmtpTarget {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  pass?: string;
}

export class SmtpError extends Error {
  constructor(
    message: string,
    /** The reply code, when the server answered. */
    readonly code: number | undefined,
  ) {
    super(message);
    this.name = 'SmtpError';
  }
  /** 5xx: retrying cannot help. */
  get permanent(): boolean {
    return this.code !== undefined && this.code >= 500;
  }
}

/** smtp://user:pass@host:port (default port 25) or smtps://... (default 465). */
export function parseSmtpUrl(text: string): SmtpTarget {
  const url = new URL(text);
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new Error(`SMTP URL must start with smtp:// or smtps://, got ${url.protocol}`);
  const secure = url.protocol === 'smtps:';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!host) throw new Error('SMTP URL has no host');
  return {
    host,
    port: url.port ? Number(url.port) : secure ? 465 : 25,
    secure,
    ...(url.username ? { user: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { pass: decodeURIComponent(url.password) } : {}),
  };
}

/** Doubles every '.' that starts a line (RFC 5321 §4.5.2) and ends the data with CRLF.CRLF. */
export function dotStuff(data: Buffer): Buffer {
  let text = data.toString('latin1').replace(/(^|\r\n)\./g, '$1..');
  if (!text.endsWith('\r\n')) text += '\r\n';
  return Buffer.from(text + '.\r\n', 'latin1');
}

interface Reply {
  code: number;
  lines: string[];
}

class Connection {
  private buffer = '';
  private replies: Reply[] = [];
  private partial: string[] = [];
  private waiter: { resolve: (r: Reply) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;

  constructor(
    readonly socket: Socket,
    private readonly timeoutMs: number,
  ) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', (err) => this.fail(new SmtpError(`connection error: ${err.message}`, undefined)));
    socket.on('close', () => this.fail(new SmtpError('connection closed by the server', undefined)));
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let eol: number;
    while ((eol = this.buffer.indexOf('\n')) !== -1) {
      const line = this.buffer.slice(0, eol).replace(/\r$/, '');
      this.buffer = this.buffer.slice(eol + 1);
      this.partial.push(line.slice(4));
      // "250-..." continues a reply; "250 ..." (or a bare code) ends it.
      if (line[3] !== '-') {
        const reply = { code: Number(line.slice(0, 3)), lines: this.partial };
        this.partial = [];
        const w = this.waiter;
        this.waiter = undefined;
        if (w) w.resolve(reply);
        else this.replies.push(reply);
      }
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(this.failure);
  }

  read(): Promise<Reply> {
    const queued = this.replies.shift();
    if (queued) return Promise.resolve(queued);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new SmtpError(`no reply within ${this.timeoutMs} ms`, undefined)), this.timeoutMs);
      this.waiter = {
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
    });
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Sends a command and expects one of `ok` codes. */
  async command(line: string | Buffer, ok: number[], what: string): Promise<Reply> {
    this.write(typeof line === 'string' ? line + '\r\n' : line);
    const reply = await this.read();
    if (!ok.includes(reply.code)) throw new SmtpError(`${what}: ${reply.code} ${reply.lines.join(' ')}`.trim(), reply.code);
    return reply;
  }
}

function open(target: SmtpTarget, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = target.secure ? tlsConnect({ host: target.host, port: target.port, servername: target.host }) : netConnect({ host: target.host, port: target.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new SmtpError(`cannot connect to ${target.host}:${target.port} within ${timeoutMs} ms`, undefined));
    }, timeoutMs);
    socket.once(target.secure ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(new SmtpError(`cannot connect to ${target.host}:${target.port}: ${err.message}`, undefined));
    });
  });
}

/** Delivers one message; resolves with the server's final reply, throws SmtpError. */
export async function sendMail(target: SmtpTarget, envelope: { from: string; to: string[] }, data: Buffer, timeoutMs = 30_000): Promise<string> {
  const socket = await open(target, timeoutMs);
  const conn = new Connection(socket, timeoutMs);
  try {
    const greeting = await conn.read();
    if (greeting.code !== 220) throw new SmtpError(`greeting: ${greeting.code} ${greeting.lines.join(' ')}`, greeting.code);
    const name = hostname() || 'localhost';
    let ehlo: Reply;
    try {
      ehlo = await conn.command(`EHLO ${name}`, [250], 'EHLO');
    } catch (err) {
      if (!(err instanceof SmtpError) || err.code === undefined) throw err;
      ehlo = await conn.command(`HELO ${name}`, [250], 'HELO');
    }
    if (target.user !== undefined) {
      const auth = ehlo.lines.find((l) => /^AUTH[ =]/i.test(l))?.slice(5).toUpperCase().split(/\s+/) ?? [];
      if (auth.includes('PLAIN') || !auth.includes('LOGIN')) {
        const token = Buffer.from(`\0${target.user}\0${target.pass ?? ''}`, 'utf8').toString('base64');
        await conn.command(`AUTH PLAIN ${token}`, [235], 'AUTH PLAIN');
      } else {
        await conn.command('AUTH LOGIN', [334], 'AUTH LOGIN');
        await conn.command(Buffer.from(target.user, 'utf8').toString('base64'), [334], 'AUTH LOGIN user');
        await conn.command(Buffer.from(target.pass ?? '', 'utf8').toString('base64'), [235], 'AUTH LOGIN password');
      }
    }
    await conn.command(`MAIL FROM:<${envelope.from}>`, [250], 'MAIL FROM');
    for (const rcpt of envelope.to) await conn.command(`RCPT TO:<${rcpt}>`, [250, 251], `RCPT TO <${rcpt}>`);
    await conn.command('DATA', [354], 'DATA');
    const done = await conn.command(dotStuff(data), [250], 'end of DATA');
    conn.write('QUIT\r\n');
    return `${done.code} ${done.lines.join(' ')}`.trim();
  } finally {
    socket.end();
    setTimeout(() => socket.destroy(), 1000).unref();
  }
}
