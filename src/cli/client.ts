/**
 * A minimal signed client for the CLI's own commands (invoke, logs): finds
 * credentials and the endpoint the way the AWS CLI does (flags, AWS_*
 * variables, then the `stratus` profile in the shared files) and signs with
 * @smithy/signature-v4, so the CLI goes through the same edge, SigV4 and IAM
 * checks as any client.
 */
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';

export interface ClientSettings {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Parses an INI file into sections. */
export function parseIni(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let section: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      section = out[header[1]!.trim()] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    if (section && eq > 0) section[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}

function readIni(path: string): Record<string, Record<string, string>> {
  try {
    return parseIni(readFileSync(path, 'utf8'));
  } catch {
    return {};
  }
}

/** Settings from explicit options, then the environment, then the named profile. */
export function resolveSettings(opts: { profile?: string; endpoint?: string; region?: string }, env: NodeJS.ProcessEnv): ClientSettings {
  const home = env.HOME ?? homedir();
  const profile = opts.profile ?? env.AWS_PROFILE ?? 'stratus';
  const config = readIni(env.AWS_CONFIG_FILE ?? join(home, '.aws', 'config'));
  const creds = readIni(env.AWS_SHARED_CREDENTIALS_FILE ?? join(home, '.aws', 'credentials'));
  const conf = config[profile === 'default' ? 'default' : `profile ${profile}`] ?? {};
  const cred = creds[profile] ?? {};
  const useEnvKeys = !opts.profile && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY;
  const settings = {
    endpoint: opts.endpoint ?? env.AWS_ENDPOINT_URL ?? conf.endpoint_url ?? 'http://127.0.0.1:4566',
    region: opts.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? conf.region ?? 'us-east-1',
    accessKeyId: (useEnvKeys ? env.AWS_ACCESS_KEY_ID : cred.aws_access_key_id) ?? '',
    secretAccessKey: (useEnvKeys ? env.AWS_SECRET_ACCESS_KEY : cred.aws_secret_access_key) ?? '',
    sessionToken: (useEnvKeys ? env.AWS_SESSION_TOKEN : cred.aws_session_token) || undefined,
  };
  if (!settings.accessKeyId || !settings.secretAccessKey) {
    throw new Error(`no credentials: start Stratus once to write the "${profile}" profile, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`);
  }
  return settings;
}

class Sha256 {
  private readonly h;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    const key = secret === undefined || typeof secret === 'string' ? secret : ArrayBuffer.isView(secret) ? Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength) : Buffer.from(secret);
    this.h = key === undefined ? createHash('sha256') : createHmac('sha256', key);
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.h.update(typeof data === 'string' ? data : ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.h.digest();
  }
  reset(): void {}
}

export interface CallResult {
  status: number;
  headers: Headers;
  body: Buffer;
}

/** One signed request to the endpoint. `path` is already percent-encoded. */
export async function signedCall(s: ClientSettings, req: { service: string; method: string; path: string; query?: Record<string, string>; headers?: Record<string, string>; body?: string | Buffer }): Promise<CallResult> {
  const url = new URL(s.endpoint);
  const body = req.body ?? '';
  const signer = new SignatureV4({ service: req.service, region: s.region, credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey, sessionToken: s.sessionToken }, sha256: Sha256 });
  const signed = await signer.sign({ method: req.method, protocol: url.protocol, hostname: url.hostname, port: url.port ? Number(url.port) : undefined, path: req.path, query: req.query ?? {}, headers: { host: url.host, ...(req.headers ?? {}) }, body });
  const headers = { ...(signed.headers as Record<string, string>) };
  delete headers.host;
  const qs = new URLSearchParams(req.query ?? {}).toString();
  const res = await fetch(`${url.origin}${req.path}${qs ? `?${qs}` : ''}`, { method: req.method, headers, body: req.method === 'GET' ? undefined : typeof body === 'string' ? body : new Uint8Array(body) });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

/** The error a failed call carries, in any of the JSON dialects. */
export function errorOf(r: CallResult): string {
  const type = r.headers.get('x-amzn-errortype')?.split(':')[0];
  try {
    const j = JSON.parse(r.body.toString('utf8')) as { message?: string; Message?: string; __type?: string };
    return `${type ?? j.__type ?? `HTTP ${r.status}`}: ${j.message ?? j.Message ?? ''}`;
  } catch {
    return `${type ?? `HTTP ${r.status}`}: ${r.body.toString('utf8').slice(0, 300)}`;
  }
}
