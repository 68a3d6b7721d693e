/**
 * The framed channel between the engine and its built-in runtime clients (global listener, one
 * connection per environment): a loopback TCP connection carrying
 * `[u32 header length][u32 body length][header JSON][body]` frames (see runtimes/README.md). It
 * replaces the HTTP Runtime API for Stratus's own node and python runtimes only, so that a
 * round trip costs tens of microseconds instead of an HTTP exchange and a pre-spawned process
 * can be specialised over it; custom runtimes use runtime-api.ts. Sandboxes share the host's
 * network, so loopback reaches them where no file descriptor or socket path could. A runtime
 * proves who it is with the one-time token it was started with (its first frame), so another
 * process on the host cannot take its place.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';

export interface ChannelMessage {
  t: string;
  [key: string]: unknown;
}

export class Channel {
  private pending: Buffer = Buffer.alloc(0);
  private closed = false;
  onMessage: (header: ChannelMessage, body: Buffer) => void = () => {};
  onClose: () => void = () => {};

  constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
  }

  send(header: ChannelMessage, body?: Buffer | string): void {
    if (this.closed) return;
    const h = Buffer.from(JSON.stringify(header));
    const b = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
    const prefix = Buffer.allocUnsafe(8);
    prefix.writeUInt32BE(h.length, 0);
    prefix.writeUInt32BE(b ? b.length : 0, 4);
    this.socket.write(b && b.length ? Buffer.concat([prefix, h, b]) : Buffer.concat([prefix, h]));
  }

  private receive(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= 8) {
      const hl = this.pending.readUInt32BE(0);
      const bl = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + hl + bl) return;
      let header: ChannelMessage;
      try {
        header = JSON.parse(this.pending.subarray(8, 8 + hl).toString('utf8')) as ChannelMessage;
      } catch {
        this.close();
        return;
      }
      const body = this.pending.subarray(8 + hl, 8 + hl + bl);
      this.pending = this.pending.subarray(8 + hl + bl);
      this.onMessage(header, body);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.onClose();
  }
}

/** The loopback listener runtimes dial back to; each expected runtime is known by its token. */
export class ChannelServer {
  private server?: Server;
  private listening?: Promise<string>;
  private readonly expected = new Map<string, (c: Channel) => void>();

  /** `host:port` to give runtimes. */
  address(): Promise<string> {
    this.listening ??= new Promise((ok, fail) => {
      const server = createServer({ noDelay: true }, (socket) => this.accept(socket));
      server.once('error', fail);
      server.listen(0, '127.0.0.1', () => ok(`127.0.0.1:${(server.address() as { port: number }).port}`));
      this.server = server;
    });
    return this.listening;
  }

  /** A token for a runtime about to start, and the channel it will open (undefined if it never does). */
  expect(): { token: string; connected: Promise<Channel>; cancel(): void } {
    const token = randomBytes(16).toString('hex');
    let cancel = () => {};
    const connected = new Promise<Channel>((ok, fail) => {
      this.expected.set(token, ok);
      cancel = () => {
        if (this.expected.delete(token)) fail(new Error('runtime never connected'));
      };
    });
    connected.catch(() => {});
    return { token, connected, cancel };
  }

  private accept(socket: Socket): void {
    const channel = new Channel(socket);
    // Until it names its token, a connection is nobody's; one that never does is dropped.
    const timer = setTimeout(() => channel.close(), 10_000).unref();
    channel.onMessage = (m) => {
      clearTimeout(timer);
      const claim = m.t === 'hello' && typeof m.token === 'string' ? this.expected.get(m.token) : undefined;
      if (!claim) return channel.close();
      this.expected.delete(m.token as string);
      channel.onMessage = () => {};
      claim(channel);
    };
  }

  close(): void {
    this.server?.close();
    for (const token of [...this.expected.keys()]) this.expected.delete(token);
  }
}
