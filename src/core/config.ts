/**
 * The one configuration schema. Every option is declared once here with its
 * flag, its STRATUS_* environment variable, its default and its help text;
 * `stratus start --help` is generated from this table. Values come, by
 * increasing precedence, from defaults, the config file (JSON), the
 * environment and the command line. Only server/ and cli/ call loadConfig,
 * passing the environment in, so nothing else reads process.env.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';

const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

export const configSchema = z.object({
  host: z.string().min(1),
  port: z.number().int().min(0).max(65535),
  dataDir: z.string().min(1),
  accountId: z.string().regex(ACCOUNT_ID, 'must be 12 digits'),
  region: z.string().regex(REGION, 'must look like us-east-1'),
  rootAccessKeyId: z.string().regex(/^[A-Z0-9]{16,128}$/, 'must be 16-128 upper-case letters or digits').optional(),
  rootSecretAccessKey: z.string().min(16).max(128).optional(),
  profile: z.boolean(),
  profileName: z.string().regex(/^[\w.-]+$/),
  awsConfigDir: z.string().min(1),
  logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']),
  durability: z.enum(['full', 'normal']),
  /** Public base URL clients use; derived from host and port when absent. */
  publicUrl: z.string().url().optional(),
  keepAliveSeconds: z.number().min(0).max(86400),
  timeScale: z.number().min(1).max(100000),
  accountConcurrency: z.number().int().min(1).max(100000).optional(),
  runtimePoolSize: z.number().int().min(0).max(64),
  sesMode: z.enum(['sandbox', 'production']),
  sesAutoVerify: z.boolean(),
  smtpUrl: z.string().regex(/^smtps?:\/\/[^/]+/, 'must look like smtp://user:pass@host:port (or smtps://)').optional(),
  examples: z.string().optional(),
  transcoderWorkers: z.number().int().min(0).max(64),
});

export type StratusConfig = z.infer<typeof configSchema>;

type Key = keyof StratusConfig;
interface OptionSpec {
  key: Key;
  flag: string;
  env: string;
  type: 'string' | 'number' | 'boolean';
  /** Default, or a function of the environment for defaults that depend on HOME. */
  default?: string | number | boolean | ((env: NodeJS.ProcessEnv) => string);
  help: string;
}

export const OPTIONS: OptionSpec[] = [
  { key: 'host', flag: 'host', env: 'STRATUS_HOST', type: 'string', default: '127.0.0.1', help: 'Interface to listen on. Use 0.0.0.0 to accept other machines (they then need the root keys or IAM keys to do anything).' },
  { key: 'port', flag: 'port', env: 'STRATUS_PORT', type: 'number', default: 4566, help: 'The single port every AWS service, execute-api endpoint and website is served on. 0 picks a free port.' },
  { key: 'dataDir', flag: 'data-dir', env: 'STRATUS_DATA_DIR', type: 'string', default: (env) => join(env.HOME ?? homedir(), '.stratus', 'data'), help: 'Where state lives: stratus.db (SQLite, WAL) and blobs/. Default ~/.stratus/data.' },
  { key: 'accountId', flag: 'account-id', env: 'STRATUS_ACCOUNT_ID', type: 'string', default: '000000000000', help: 'The AWS account id of this Stratus (12 digits).' },
  { key: 'region', flag: 'region', env: 'STRATUS_REGION', type: 'string', default: 'us-east-1', help: 'Default region written to the CLI profile. Requests may sign for any region; state is kept per region.' },
  { key: 'rootAccessKeyId', flag: 'root-access-key-id', env: 'STRATUS_ROOT_ACCESS_KEY_ID', type: 'string', help: 'Root access key id to use instead of the generated one (for scripts and CI). Needs --root-secret-access-key.' },
  { key: 'rootSecretAccessKey', flag: 'root-secret-access-key', env: 'STRATUS_ROOT_SECRET_ACCESS_KEY', type: 'string', help: 'Root secret access key matching --root-access-key-id.' },
  { key: 'profile', flag: 'profile', env: 'STRATUS_PROFILE', type: 'boolean', default: true, help: 'Write the root keys as an AWS CLI profile (see --profile-name) into ~/.aws/config and ~/.aws/credentials. --no-profile skips it. Other profiles are never touched.' },
  { key: 'profileName', flag: 'profile-name', env: 'STRATUS_PROFILE_NAME', type: 'string', default: 'stratus', help: 'Name of the AWS CLI profile to write.' },
  { key: 'awsConfigDir', flag: 'aws-config-dir', env: 'STRATUS_AWS_CONFIG_DIR', type: 'string', default: (env) => join(env.HOME ?? homedir(), '.aws'), help: 'Directory holding the AWS CLI config and credentials files. Default ~/.aws.' },
  { key: 'logLevel', flag: 'log-level', env: 'STRATUS_LOG_LEVEL', type: 'string', default: 'info', help: 'debug | info | warn | error | silent. Logs are JSON lines on stderr, each request with its request id.' },
  { key: 'durability', flag: 'durability', env: 'STRATUS_DURABILITY', type: 'string', default: 'full', help: 'full: every acknowledged write is fsynced (survives power loss). normal: survives a crash or kill -9 of Stratus, may lose the last writes on power loss; faster.' },
  { key: 'keepAliveSeconds', flag: 'keep-alive', env: 'STRATUS_KEEP_ALIVE', type: 'number', default: 600, help: 'Seconds an idle function environment is kept warm before it is reaped (Lambda does not document its own; 10 minutes is the common estimate).' },
  { key: 'timeScale', flag: 'time-scale', env: 'STRATUS_TIME_SCALE', type: 'number', default: 1, help: 'Divides async retry delays, event ages and keep-alives, so development and tests need not wait real minutes. 1 is real time.' },
  { key: 'accountConcurrency', flag: 'account-concurrency', env: 'STRATUS_ACCOUNT_CONCURRENCY', type: 'number', help: 'Concurrent executions for the account. Default: what host memory holds at 128 MB per environment, at most 1000 (AWS\'s default).' },
  { key: 'runtimePoolSize', flag: 'runtime-pool-size', env: 'STRATUS_RUNTIME_POOL_SIZE', type: 'number', default: 3, help: 'Interpreters kept started ahead of demand per runtime (and memory size), so a cold start loads the handler instead of starting a process. 0 turns pre-spawning off.' },
  { key: 'sesMode', flag: 'ses-mode', env: 'STRATUS_SES_MODE', type: 'string', default: 'sandbox', help: 'sandbox: SES accepts mail only from and to verified addresses or domains (200 a day), as a new AWS account does. production: only the sender must be verified (50,000 a day).' },
  { key: 'sesAutoVerify', flag: 'ses-auto-verify', env: 'STRATUS_SES_AUTO_VERIFY', type: 'boolean', default: false, help: 'Verify SES identities the moment they are created, without the verification email and its link (for scripts and CI).' },
  { key: 'smtpUrl', flag: 'smtp-url', env: 'STRATUS_SMTP_URL', type: 'string', help: 'Also deliver every message SES accepts to this SMTP server (smtp://user:pass@host:port, or smtps:// for TLS). Failed deliveries are retried with backoff for 24 hours and reported in the inbox (GET /_stratus/ses/messages).' },
  { key: 'transcoderWorkers', flag: 'transcoder-workers', env: 'STRATUS_TRANSCODER_WORKERS', type: 'number', default: 1, help: 'Elastic Transcoder jobs transcoded at once (each runs ffmpeg, which uses every core). 0 accepts jobs but leaves them Submitted.' },
  { key: 'examples', flag: 'examples', env: 'STRATUS_EXAMPLES', type: 'string', help: 'Once ready, deploy every example under this directory (each <name>/deploy.mjs, run with the root keys) and print its URLs. `npm start` passes the repository\'s examples/.' },
  { key: 'publicUrl', flag: 'public-url', env: 'STRATUS_PUBLIC_URL', type: 'string', help: 'Base URL that clients and functions use to reach Stratus, when it differs from http://<host>:<port>.' },
];

const CONFIG_FILE_FLAG = 'config';
const CONFIG_FILE_ENV = 'STRATUS_CONFIG';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function coerce(spec: OptionSpec, raw: string, source: string): unknown {
  if (spec.type === 'number') {
    const n = Number(raw);
    if (!Number.isFinite(n) || raw.trim() === '') throw new ConfigError(`${source}: expected a number, got "${raw}"`);
    return n;
  }
  if (spec.type === 'boolean') {
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    throw new ConfigError(`${source}: expected true or false, got "${raw}"`);
  }
  return raw;
}

/** Parses `--flag value`, `--flag=value`, `--no-flag` for the declared options; returns leftovers. */
export function parseFlags(argv: string[]): { values: Partial<Record<Key, unknown>>; configFile?: string; rest: string[] } {
  const values: Partial<Record<Key, unknown>> = {};
  const rest: string[] = [];
  let configFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      rest.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    let name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    let inline = eq === -1 ? undefined : arg.slice(eq + 1);
    if (name === CONFIG_FILE_FLAG) {
      configFile = inline ?? argv[++i];
      continue;
    }
    let negated = false;
    if (name.startsWith('no-') && OPTIONS.some((o) => o.flag === name.slice(3) && o.type === 'boolean')) {
      negated = true;
      name = name.slice(3);
    }
    const spec = OPTIONS.find((o) => o.flag === name);
    if (!spec) {
      rest.push(arg);
      continue;
    }
    if (spec.type === 'boolean') {
      values[spec.key] = negated ? false : inline === undefined ? true : coerce(spec, inline, `--${name}`);
      continue;
    }
    if (inline === undefined) {
      inline = argv[++i];
      if (inline === undefined) throw new ConfigError(`--${name} needs a value`);
    }
    values[spec.key] = coerce(spec, inline, `--${name}`);
  }
  return { values, configFile, rest };
}

/** Builds the validated configuration from flags, environment and an optional JSON config file. */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): { config: StratusConfig; rest: string[] } {
  const flags = parseFlags(argv);
  const merged: Record<string, unknown> = {};
  for (const spec of OPTIONS) {
    if (spec.default !== undefined) merged[spec.key] = typeof spec.default === 'function' ? spec.default(env) : spec.default;
  }
  const file = flags.configFile ?? env[CONFIG_FILE_ENV];
  if (file) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(resolve(file), 'utf8'));
    } catch (err) {
      throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`config file ${file} must hold a JSON object`);
    for (const [k, v] of Object.entries(parsed)) {
      if (!OPTIONS.some((o) => o.key === k)) throw new ConfigError(`config file ${file}: unknown option "${k}"`);
      merged[k] = v;
    }
  }
  for (const spec of OPTIONS) {
    const raw = env[spec.env];
    if (raw !== undefined && raw !== '') merged[spec.key] = coerce(spec, raw, spec.env);
  }
  Object.assign(merged, flags.values);
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const spec = OPTIONS.find((o) => o.key === issue.path[0]);
    throw new ConfigError(`${spec ? `--${spec.flag}` : issue.path.join('.')}: ${issue.message}`);
  }
  const config = result.data;
  if ((config.rootAccessKeyId === undefined) !== (config.rootSecretAccessKey === undefined)) {
    throw new ConfigError('--root-access-key-id and --root-secret-access-key must be given together');
  }
  return { config, rest: flags.rest };
}

/** The help text for `stratus start --help`, generated from OPTIONS so it can never drift. */
export function optionsHelp(): string {
  const lines = [`  --${CONFIG_FILE_FLAG} <file>  (env ${CONFIG_FILE_ENV})\n      A JSON file whose keys are the option names below in camelCase (e.g. {"port": 4566}).`];
  for (const o of OPTIONS) {
    const value = o.type === 'boolean' ? '' : ` <${o.type}>`;
    const def = typeof o.default === 'function' ? '' : o.default === undefined ? '' : ` [default: ${String(o.default)}]`;
    const neg = o.type === 'boolean' ? ` | --no-${o.flag}` : '';
    lines.push(`  --${o.flag}${value}${neg}  (env ${o.env})${def}\n      ${o.help}`);
  }
  return lines.join('\n');
}
