/**
 * Function logs (per environment): one CloudWatch Logs stream per execution environment, named
 * `YYYY/MM/DD/[<version>]<32 hex>` in the group `/aws/lambda/<function>`
 * (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html). The
 * environment's stdout and stderr are split into lines and attributed to the invocation in
 * progress; the platform lines are Lambda's own: `INIT_START`, `START RequestId: <id> Version:
 * <v>`, `END RequestId: <id>`, and `REPORT RequestId: <id>\tDuration: 1.23 ms\tBilled Duration: 2
 * ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\tInit Duration: 55.10 ms\t` (Init Duration on
 * cold starts; Billed Duration rounds up to the millisecond and, since August 2025, includes the
 * init phase; `Status: timeout` or `Status: error\tError Type: <type>` when the invocation failed
 * at the platform level). Like Lambda's, each message ends with a newline. Writes go through
 * the FunctionLogSink in order, off the invocation's path, and only when the role may write logs.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../core/logger.js';
import type { FunctionLogSink, FunctionSpec } from './types.js';

export interface LogEvent {
  timestamp: number;
  message: string;
}

/** Max bytes of log returned with LogType=Tail. */
export const TAIL_BYTES = 4096;

export function logStreamName(version: string, now = new Date()): string {
  const d = now.toISOString().slice(0, 10).replace(/-/g, '/');
  return `${d}/[${version}]${randomBytes(16).toString('hex')}`;
}

export interface ReportFields {
  requestId: string;
  durationMs: number;
  billedDurationMs: number;
  memoryMb: number;
  maxMemoryUsedMb: number;
  initDurationMs?: number;
  status?: 'timeout' | 'error';
  errorType?: string;
}

export function reportLine(r: ReportFields): string {
  let line = `REPORT RequestId: ${r.requestId}\tDuration: ${r.durationMs.toFixed(2)} ms\tBilled Duration: ${r.billedDurationMs} ms\tMemory Size: ${r.memoryMb} MB\tMax Memory Used: ${r.maxMemoryUsedMb} MB\t`;
  if (r.initDurationMs !== undefined) line += `Init Duration: ${r.initDurationMs.toFixed(2)} ms\t`;
  if (r.status) line += `Status: ${r.status}\t`;
  if (r.errorType) line += `Error Type: ${r.errorType}\t`;
  return line;
}

/** Billed Duration: the invoke phase plus, on a cold start, the init phase, rounded up to 1 ms. */
export function billedDuration(durationMs: number, initDurationMs?: number): number {
  return Math.max(1, Math.ceil(durationMs + (initDurationMs ?? 0) - 1e-9));
}

/** Splits a byte stream into lines; a line may arrive in pieces. */
class LineSplitter {
  private partial = '';
  constructor(private readonly emit: (line: string) => void) {}
  push(chunk: string): void {
    const text = this.partial + chunk;
    const lines = text.split('\n');
    this.partial = lines.pop()!;
    for (const l of lines) this.emit(l);
  }
  flush(): void {
    if (this.partial) {
      const l = this.partial;
      this.partial = '';
      this.emit(l);
    }
  }
}

/**
 * An environment's log stream. Lines go to the invocation in progress (for its tail) and to the
 * stream, which is flushed to the sink after each invocation.
 */
export class EnvironmentLog {
  readonly group: string;
  readonly stream: string;
  private pending: LogEvent[] = [];
  private tail: string[] | undefined = [];
  private chain: Promise<void> = Promise.resolve();
  private readonly out = new LineSplitter((l) => this.line(l));
  private readonly err = new LineSplitter((l) => this.line(l));

  constructor(
    private readonly fn: FunctionSpec,
    group: string,
    private readonly sink: FunctionLogSink,
    private readonly canWrite: (fn: FunctionSpec) => Promise<boolean>,
    private readonly log: Logger,
  ) {
    this.group = group;
    this.stream = logStreamName(fn.version);
  }

  stdout(chunk: Buffer): void {
    this.out.push(chunk.toString('utf8'));
  }

  stderr(chunk: Buffer): void {
    this.err.push(chunk.toString('utf8'));
  }

  /** A runtime's line; \r folds a multi-line record into one event, as Lambda's runtimes fold them. */
  private line(l: string): void {
    this.add(l.replace(/\r$/, '').replace(/\r/g, '\n') + '\n');
  }

  /** A platform line (START, END, REPORT...). */
  platform(message: string): void {
    this.add(message + '\n');
  }

  private add(message: string): void {
    this.pending.push({ timestamp: Date.now(), message });
    this.tail?.push(message);
  }

  /** Starts collecting the tail of a new invocation (init lines already collected stay in it). */
  beginInvocation(keepInitLines: boolean): void {
    if (!keepInitLines || !this.tail) this.tail = [];
  }

  /** Lines still without a newline belong to the invocation that wrote them. */
  flushPartialLines(): void {
    this.out.flush();
    this.err.flush();
  }

  /** base64 of the last 4 KB of the invocation's log. */
  takeTail(): string {
    const text = Buffer.from((this.tail ?? []).join(''));
    this.tail = undefined;
    return text.subarray(Math.max(0, text.length - TAIL_BYTES)).toString('base64');
  }

  endInvocation(): void {
    this.tail = undefined;
  }

  /** Sends what accumulated to the sink, in order with earlier flushes. */
  flush(): Promise<void> {
    if (this.pending.length === 0) return this.chain;
    const events = this.pending;
    this.pending = [];
    this.chain = this.chain
      .then(async () => {
        if (!(await this.canWrite(this.fn))) return;
        await this.sink.append(this.fn.accountId, this.fn.region, this.group, this.stream, events);
      })
      .catch((err: unknown) => this.log.warn('function logs could not be written', { err, group: this.group, stream: this.stream }));
    return this.chain;
  }
}
