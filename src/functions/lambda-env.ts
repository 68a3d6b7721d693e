/**
 * The environment variables of an execution environment (per environment), as Lambda defines
 * them (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime):
 * the reserved ones, which a function's configuration cannot override, the unreserved defaults
 * (LANG, PATH, LD_LIBRARY_PATH, NODE_PATH, PYTHONPATH), the execution role's temporary
 * credentials, and AWS_ENDPOINT_URL pointing at Stratus so SDKs reach it rather than AWS.
 * Nothing of the server's own environment leaks in.
 */
import { dirname, join } from 'node:path';
import type { FunctionSpec, TemporaryCredentials } from './types.js';
import { PACKAGE_ROOT, RUNTIMES_DIR, type RuntimeInfo } from './runtimes.js';

/** Keys Lambda reserves: a function's own value for them is ignored. */
export const RESERVED_ENV = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
  'TZ',
]);

export interface EnvInputs {
  fn: FunctionSpec;
  info: RuntimeInfo;
  /** The directory of the interpreter binary (node/python families), put first on PATH as /var/lang/bin is. */
  interpreterDir?: string;
  /** LAMBDA_TASK_ROOT as the function sees it (/var/task in a sandbox). */
  taskRoot: string;
  runtimeApi: string;
  logGroup: string;
  logStream: string;
  credentials: TemporaryCredentials;
  endpoint: string;
}

export function logGroupOf(fn: FunctionSpec): string {
  return fn.logGroup ?? `/aws/lambda/${fn.functionName}`;
}

export function lambdaEnvironment(i: EnvInputs): Record<string, string> {
  const { fn, info } = i;
  const runtimeDir = info.family === 'provided' ? RUNTIMES_DIR : join(RUNTIMES_DIR, info.family);
  const bin = ['/usr/local/bin', '/usr/bin/', '/bin', '/opt/bin'];
  const defaults: Record<string, string> = {
    LANG: 'en_US.UTF-8',
    PATH: (i.interpreterDir ? [i.interpreterDir, ...bin] : bin).join(':'),
    LD_LIBRARY_PATH: ['/lib64', '/usr/lib64', runtimeDir, `${runtimeDir}/lib`, i.taskRoot, `${i.taskRoot}/lib`, '/opt/lib'].join(':'),
    AWS_ENDPOINT_URL: i.endpoint,
  };
  if (info.family === 'node') {
    // Lambda's Node runtimes resolve the bundled AWS SDK from the runtime's node_modules;
    // Stratus's own node_modules stand in for it.
    defaults.NODE_PATH = [`/opt/nodejs/node${info.version}/node_modules`, '/opt/nodejs/node_modules', join(PACKAGE_ROOT, 'node_modules'), runtimeDir, i.taskRoot].join(':');
  }
  if (info.family === 'python') defaults.PYTHONPATH = runtimeDir;
  const reserved: Record<string, string> = {
    _HANDLER: fn.handler,
    AWS_REGION: fn.region,
    AWS_DEFAULT_REGION: fn.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${info.id}`,
    AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: fn.version,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: i.logGroup,
    AWS_LAMBDA_LOG_STREAM_NAME: i.logStream,
    AWS_ACCESS_KEY_ID: i.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: i.credentials.secretAccessKey,
    AWS_SESSION_TOKEN: i.credentials.sessionToken,
    AWS_LAMBDA_RUNTIME_API: i.runtimeApi,
    LAMBDA_TASK_ROOT: i.taskRoot,
    LAMBDA_RUNTIME_DIR: runtimeDir,
    TZ: ':UTC',
  };
  if (info.family === 'provided') delete reserved.AWS_EXECUTION_ENV;
  const user: Record<string, string> = {};
  for (const [k, v] of Object.entries(fn.environment)) if (!RESERVED_ENV.has(k)) user[k] = v;
  return { ...defaults, ...user, ...reserved };
}

/** The environment a pre-spawned, not yet specialised runtime starts with. */
export function neutralEnvironment(interpreter: string, channel: string, token: string): Record<string, string> {
  return { PATH: [dirname(interpreter), '/usr/local/bin', '/usr/bin', '/bin'].join(':'), LANG: 'en_US.UTF-8', TZ: ':UTC', _STRATUS_CHANNEL: channel, _STRATUS_CHANNEL_TOKEN: token };
}
