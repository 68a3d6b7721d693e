/**
 * `stratus invoke` and `stratus logs`: the two things one does most with a
 * function, with readable, coloured output. Both are plain signed calls to
 * the Lambda and CloudWatch Logs APIs, so IAM applies to them as to any client.
 */
import { errorOf, resolveSettings, signedCall, type ClientSettings } from './client.js';

const tty = process.stdout.isTTY === true;
const paint = (code: string) => (s: string) => (tty ? `\x1b[${code}m${s}\x1b[0m` : s);
const dim = paint('2');
const red = paint('31');
const green = paint('32');
const cyan = paint('36');

export interface CommonFlags {
  profile?: string;
  endpoint?: string;
  region?: string;
}

/** Splits `--name value` / `--name=value` / `--flag` arguments from positionals. */
export function parseArgs(args: string[], booleans: string[] = []): { flags: Record<string, string | true>; positionals: string[] } {
  const flags: Record<string, string | true> = {};
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq === -1 ? a.slice(2) : a.slice(2, eq);
    if (eq !== -1) flags[name] = a.slice(eq + 1);
    else if (booleans.includes(name)) flags[name] = true;
    else {
      const v = args[++i];
      if (v === undefined) throw new Error(`--${name} needs a value`);
      flags[name] = v;
    }
  }
  return { flags, positionals };
}

function settings(flags: Record<string, string | true>, env: NodeJS.ProcessEnv): ClientSettings {
  const str = (k: string) => (typeof flags[k] === 'string' ? (flags[k] as string) : undefined);
  return resolveSettings({ profile: str('profile'), endpoint: str('endpoint'), region: str('region') }, env);
}

export async function invokeCommand(args: string[], env: NodeJS.ProcessEnv, out: (s: string) => void = console.log): Promise<number> {
  const { flags, positionals } = parseArgs(args);
  const fn = positionals[0];
  if (!fn) throw new Error('usage: stratus invoke <function> [--payload JSON] [--qualifier Q] [--profile P] [--endpoint URL]');
  const s = settings(flags, env);
  const payload = typeof flags.payload === 'string' ? flags.payload : '{}';
  const query: Record<string, string> = typeof flags.qualifier === 'string' ? { Qualifier: flags.qualifier } : {};
  const r = await signedCall(s, {
    service: 'lambda',
    method: 'POST',
    path: `/2015-03-31/functions/${encodeURIComponent(fn)}/invocations`,
    query,
    headers: { 'x-amz-log-type': 'Tail', 'content-type': 'application/json' },
    body: payload,
  });
  if (r.status >= 300) {
    out(red(errorOf(r)));
    return 1;
  }
  const log = r.headers.get('x-amz-log-result');
  if (log) out(dim(Buffer.from(log, 'base64').toString('utf8').trimEnd()));
  const functionError = r.headers.get('x-amz-function-error');
  const text = r.body.toString('utf8');
  let pretty = text;
  try {
    pretty = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    /* not JSON: print as is */
  }
  const version = r.headers.get('x-amz-executed-version') ?? '$LATEST';
  out((functionError ? red(`✗ ${functionError} error`) : green('✓ 200')) + dim(` (version ${version})`));
  out(pretty);
  return functionError ? 1 : 0;
}

interface LogEvent {
  eventId: string;
  timestamp: number;
  logStreamName: string;
  message: string;
}

function parseSince(text: string | undefined, now: number): number {
  if (!text) return now - 10 * 60 * 1000;
  const m = /^(\d+)([smhd])$/.exec(text);
  if (!m) throw new Error(`--since: expected e.g. 30s, 10m, 2h, 1d; got "${text}"`);
  return now - Number(m[1]) * { s: 1e3, m: 6e4, h: 36e5, d: 864e5 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

export async function logsCommand(args: string[], env: NodeJS.ProcessEnv, out: (s: string) => void = console.log, stop?: AbortSignal): Promise<number> {
  const { flags, positionals } = parseArgs(args, ['follow']);
  const fn = positionals[0];
  if (!fn) throw new Error('usage: stratus logs <function> [--follow] [--since 10m] [--filter PATTERN] [--profile P]');
  const s = settings(flags, env);
  const group = fn.startsWith('/') ? fn : `/aws/lambda/${fn}`;
  let startTime = parseSince(typeof flags.since === 'string' ? flags.since : undefined, Date.now());
  const seen = new Set<string>();
  for (;;) {
    let nextToken: string | undefined;
    do {
      const body: Record<string, unknown> = { logGroupName: group, startTime, interleaved: true };
      if (typeof flags.filter === 'string') body.filterPattern = flags.filter;
      if (nextToken) body.nextToken = nextToken;
      const r = await signedCall(s, {
        service: 'logs',
        method: 'POST',
        path: '/',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Logs_20140328.FilterLogEvents' },
        body: JSON.stringify(body),
      });
      if (r.status >= 300) {
        out(red(errorOf(r)));
        return 1;
      }
      const page = JSON.parse(r.body.toString('utf8')) as { events?: LogEvent[]; nextToken?: string };
      for (const e of page.events ?? []) {
        if (seen.has(e.eventId)) continue;
        seen.add(e.eventId);
        startTime = Math.max(startTime, e.timestamp);
        const line = e.message.trimEnd();
        const colour = /^(START|END) RequestId/.test(line) ? dim : /^REPORT RequestId/.test(line) ? cyan : /ERROR|Error|Task timed out/.test(line) ? red : (x: string) => x;
        out(`${dim(new Date(e.timestamp).toISOString())} ${dim(e.logStreamName)} ${colour(line)}`);
      }
      nextToken = page.nextToken;
    } while (nextToken);
    if (!flags.follow || stop?.aborted) return 0;
    await new Promise((r) => setTimeout(r, 1000));
    if (stop?.aborted) return 0;
  }
}
