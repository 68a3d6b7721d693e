/**
 * Structured logs: one JSON object per line on stderr, so they stay machine
 * readable and never mix with what the CLI prints for people on stdout.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
  readonly level: LogLevel;
}

export type LogSink = (line: string) => void;

export function createLogger(
  level: LogLevel,
  bound: Record<string, unknown> = {},
  sink: LogSink = (line) => process.stderr.write(line + '\n'),
): Logger {
  const threshold = ORDER[level];
  const write = (lvl: Exclude<LogLevel, 'silent'>, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < threshold) return;
    const record: Record<string, unknown> = { time: new Date().toISOString(), level: lvl, msg, ...bound, ...fields };
    if (record.err instanceof Error) record.err = { message: record.err.message, stack: record.err.stack };
    sink(JSON.stringify(record));
  };
  return {
    level,
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => createLogger(level, { ...bound, ...fields }, sink),
  };
}

export const silentLogger: Logger = createLogger('silent');

/**
 * A logger whose real one is made on first use and then kept: each request
 * has one for its context, and most requests never log.
 */
export function deferredLogger(level: LogLevel, make: () => Logger): Logger {
  return new DeferredLogger(level, make);
}

class DeferredLogger implements Logger {
  private made: Logger | undefined;
  constructor(
    readonly level: LogLevel,
    private readonly make: () => Logger,
  ) {}
  private get real(): Logger {
    return (this.made ??= this.make());
  }
  debug(msg: string, fields?: Record<string, unknown>): void {
    this.real.debug(msg, fields);
  }
  info(msg: string, fields?: Record<string, unknown>): void {
    this.real.info(msg, fields);
  }
  warn(msg: string, fields?: Record<string, unknown>): void {
    this.real.warn(msg, fields);
  }
  error(msg: string, fields?: Record<string, unknown>): void {
    this.real.error(msg, fields);
  }
  child(fields: Record<string, unknown>): Logger {
    return this.real.child(fields);
  }
}
