/**
 * The Lambda Runtime API over HTTP (global server, one slot per environment), exactly as
 * documented at https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html: `GET
 * /2018-06-01/runtime/invocation/next` blocks until an invocation arrives and carries it in the
 * `Lambda-Runtime-*` headers; `POST .../invocation/{id}/response` and `.../{id}/error` (with
 * `Lambda-Runtime-Function-Error-Type`) answer it; `POST /2018-06-01/runtime/init/error` reports a
 * failed init. Status codes and bodies follow Lambda's RAPID: 202 `{"status":"OK"}`; 400
 * `InvalidRequestID` for an unknown or already answered id; 403 `InvalidStateTransition` for a
 * call the runtime's state forbids; 413 `RequestEntityTooLarge` for a response over 6 MB, which
 * the caller then sees as `Function.ResponseSizeTooLarge`.
 *
 * AWS_LAMBDA_RUNTIME_API must be a bare `host:port`, so every environment gets its own port on
 * 127.0.0.1; all ports feed one HTTP server, which tells environments apart by the port a
 * connection arrived on. Custom runtimes (`provided.*`) speak this API; Stratus's own node and
 * python runtimes use the faster channel of channel.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { MAX_RESPONSE_BYTES, responseTooLarge, type InitOutcome, type InvocationMessage, type RuntimeOutcome, type RuntimeTransport } from './transport.js';

const PREFIX = '/2018-06-01/runtime/';
const INVOCATION = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/;

type Phase = 'init' | 'idle' | 'invoking' | 'closed';
const PHASE_NAME: Record<Phase, string> = { init: 'Initializing', idle: 'Ready', invoking: 'Invoking', closed: 'Closed' };

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function forbidden(res: ServerResponse, from: Phase, to: string): void {
  json(res, 403, { errorMessage: `State transition from ${PHASE_NAME[from]} to ${to} failed for runtime. Error: State transition is not allowed`, errorType: 'InvalidStateTransition' });
}

/** Reads a body up to `limit` bytes; past it, drains the rest and answers undefined. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((ok, fail) => {
    const parts: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) over = true;
      else parts.push(c);
    });
    req.on('end', () => ok(over ? undefined : Buffer.concat(parts)));
    req.on('error', fail);
  });
}

class Slot implements RuntimeTransport {
  readonly address: string;
  readonly initialized: Promise<InitOutcome>;
  phase: Phase = 'init';
  private settleInit!: (o: InitOutcome) => void;
  private parked?: ServerResponse;
  private queued?: { m: InvocationMessage; settle: (o: RuntimeOutcome) => void };
  private current?: { id: string; settle: (o: RuntimeOutcome) => void };
  readonly sockets = new Set<Socket>();

  constructor(
    readonly port: number,
    private readonly listener: NetServer,
    private readonly onClose: (port: number) => void,
  ) {
    this.address = `127.0.0.1:${port}`;
    this.initialized = new Promise((ok) => (this.settleInit = ok));
  }

  invoke(m: InvocationMessage): Promise<RuntimeOutcome> {
    return new Promise((settle) => {
      this.queued = { m, settle };
      if (this.parked) this.deliver(this.parked);
    });
  }

  private deliver(res: ServerResponse): void {
    const q = this.queued!;
    this.queued = undefined;
    this.parked = undefined;
    this.current = { id: q.m.id, settle: q.settle };
    this.phase = 'invoking';
    const headers: Record<string, string | number> = {
      'Content-Type': 'application/json',
      'Content-Length': q.m.payload.length,
      'Lambda-Runtime-Aws-Request-Id': q.m.id,
      'Lambda-Runtime-Deadline-Ms': String(q.m.deadlineMs),
      'Lambda-Runtime-Invoked-Function-Arn': q.m.invokedArn,
      'Lambda-Runtime-Trace-Id': q.m.traceId,
    };
    if (q.m.clientContext) headers['Lambda-Runtime-Client-Context'] = q.m.clientContext;
    if (q.m.cognitoIdentity) headers['Lambda-Runtime-Cognito-Identity'] = q.m.cognitoIdentity;
    res.writeHead(200, headers);
    res.end(q.m.payload);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '';
    if (req.method === 'GET' && url === `${PREFIX}invocation/next`) {
      if (this.phase === 'invoking') return forbidden(res, this.phase, 'Ready');
      if (this.phase === 'init') {
        this.phase = 'idle';
        this.settleInit({ ok: true });
      }
      if (this.parked) forbidden(this.parked, this.phase, 'Ready');
      this.parked = res;
      res.on('close', () => {
        if (this.parked === res) this.parked = undefined;
      });
      if (this.queued) this.deliver(res);
      return;
    }
    if (req.method === 'POST' && url === `${PREFIX}init/error`) {
      const body = (await readBody(req, MAX_RESPONSE_BYTES)) ?? Buffer.alloc(0);
      if (this.phase !== 'init') return forbidden(res, this.phase, 'InitError');
      this.phase = 'closed';
      this.settleInit({ ok: false, body, errorType: String(req.headers['lambda-runtime-function-error-type'] ?? 'Runtime.Unknown') });
      return json(res, 202, { status: 'OK' });
    }
    const m = req.method === 'POST' ? INVOCATION.exec(url) : null;
    if (!m) return json(res, 404, { errorMessage: 'Not Found', errorType: 'NotFound' });
    const id = decodeURIComponent(m[1]!);
    const kind = m[2] as 'response' | 'error';
    const body = await readBody(req, MAX_RESPONSE_BYTES);
    if (this.phase !== 'invoking' || !this.current) return forbidden(res, this.phase, kind === 'response' ? 'InvocationResponse' : 'InvocationErrorResponse');
    if (this.current.id !== id) return json(res, 400, { errorMessage: 'Invalid request ID', errorType: 'InvalidRequestID' });
    const { settle } = this.current;
    this.current = undefined;
    this.phase = 'idle';
    if (body === undefined) {
      settle(responseTooLarge());
      return json(res, 413, { errorMessage: `Exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`, errorType: 'RequestEntityTooLarge' });
    }
    if (kind === 'response') settle({ kind: 'response', body });
    else settle({ kind: 'error', body, errorType: String(req.headers['lambda-runtime-function-error-type'] ?? 'Runtime.Unknown') });
    json(res, 202, { status: 'OK' });
  }

  close(): void {
    if (this.phase === 'closed' && !this.listener.listening) return;
    this.phase = 'closed';
    this.settleInit({ ok: false, body: Buffer.alloc(0), errorType: 'Runtime.Unknown' });
    this.listener.close();
    for (const s of this.sockets) s.destroy();
    this.onClose(this.port);
  }
}

/** The one HTTP server behind every environment's Runtime API port. */
export class RuntimeApiServer {
  private readonly http: Server;
  private readonly slots = new Map<number, Slot>();

  constructor() {
    this.http = createServer({ keepAlive: true, requestTimeout: 0, headersTimeout: 0 }, (req, res) => {
      const slot = this.slots.get(req.socket.localPort ?? -1);
      if (!slot) {
        res.writeHead(410).end();
        return;
      }
      slot.handle(req, res).catch(() => res.destroy());
    });
    // Runtimes long-poll `next`; a connection may idle between invocations for as long as the environment lives.
    this.http.keepAliveTimeout = 0;
    this.http.timeout = 0;
  }

  /** Opens a port for one environment. */
  async open(): Promise<RuntimeTransport> {
    const listener = createNetServer({ noDelay: true });
    await new Promise<void>((ok, fail) => {
      listener.once('error', fail);
      listener.listen(0, '127.0.0.1', () => ok());
    });
    const port = (listener.address() as { port: number }).port;
    const slot = new Slot(port, listener, (p) => this.slots.delete(p));
    this.slots.set(port, slot);
    listener.on('connection', (socket: Socket) => {
      slot.sockets.add(socket);
      socket.on('close', () => slot.sockets.delete(socket));
      this.http.emit('connection', socket);
    });
    return slot;
  }

  close(): void {
    for (const slot of [...this.slots.values()]) slot.close();
    this.http.close();
  }
}
