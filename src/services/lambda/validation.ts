/**
 * Validation of a function's configuration (CreateFunction and
 * UpdateFunctionConfiguration), with the codes AWS uses: model constraints
 * fail as ValidationException ("1 validation error detected: ..."), Lambda's
 * own rules as InvalidParameterValueException. Messages follow responses
 * recorded from AWS.
 * https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html
 */
import { ServiceError } from '../../core/errors.js';
import { invalidParameter, validation } from './errors.js';
import type { LoggingConfig } from './models.js';

/** Runtimes Lambda accepts for new functions and updates, in the order its error message lists them. */
export const SUPPORTED_RUNTIMES = [
  'nodejs20.x', 'python3.14', 'provided.al2023', 'python3.12', 'python3.13', 'nodejs24.x', 'nodejs22.x', 'java25',
  'python3.10', 'python3.11', 'java21', 'ruby3.3', 'ruby3.4', 'ruby3.2', 'python3.8', 'python3.9', 'java17',
  'nodejs16.x', 'dotnet10', 'dotnet8', 'java11', 'dotnet6', 'nodejs18.x', 'provided.al2', 'java8.al2',
];

/** The rest of the model's Runtime enum: deprecated, refused for creates and updates. */
const DEPRECATED_RUNTIMES = [
  'nodejs', 'nodejs4.3', 'nodejs6.10', 'nodejs8.10', 'nodejs10.x', 'nodejs12.x', 'nodejs14.x', 'java8', 'python2.7',
  'python3.6', 'python3.7', 'dotnetcore1.0', 'dotnetcore2.0', 'dotnetcore2.1', 'dotnetcore3.1', 'nodejs4.3-edge',
  'go1.x', 'ruby2.5', 'ruby2.7', 'provided', 'ruby4.0',
];

/** Environment variables Lambda sets itself. */
const RESERVED_ENV = new Set([
  '_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME', 'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR',
]);

const ENV_NAME_RE = /^[a-zA-Z]([a-zA-Z0-9_])+$/;
const ENV_LIMIT = 4096;
const HANDLER_RE = /^[^\s]+$/;

export function checkRuntime(runtime: string): string {
  if (SUPPORTED_RUNTIMES.includes(runtime)) return runtime;
  if (DEPRECATED_RUNTIMES.includes(runtime)) {
    throw invalidParameter(`The runtime parameter of ${runtime} is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.`);
  }
  throw invalidParameter(`Value ${runtime} at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [${SUPPORTED_RUNTIMES.join(', ')}] or be a valid ARN`);
}

export function checkHandler(handler: string): string {
  if (handler.length > 128) throw validation(handler, 'handler', 'Member must have length less than or equal to 128');
  if (!HANDLER_RE.test(handler)) throw validation(handler, 'handler', 'Member must satisfy regular expression pattern: [^\\s]+');
  return handler;
}

export function checkMemory(mb: number): number {
  if (mb < 128) throw validation(mb, 'memorySize', 'Member must have value greater than or equal to 128');
  if (mb > 10240) throw invalidParameter("'MemorySize' value failed to satisfy constraint: Member must have value less than or equal to 10240");
  return mb;
}

export function checkTimeout(seconds: number): number {
  if (seconds < 1) throw validation(seconds, 'timeout', 'Member must have value greater than or equal to 1');
  if (seconds > 900) throw validation(seconds, 'timeout', 'Member must have value less than or equal to 900');
  return seconds;
}

export function checkEphemeralStorage(mb: number | undefined): number {
  if (mb === undefined) throw validation(mb, 'ephemeralStorage.size', 'Member must not be null');
  if (mb < 512) throw validation(mb, 'ephemeralStorage.size', 'Member must have value greater than or equal to 512');
  if (mb > 10240) throw validation(mb, 'ephemeralStorage.size', 'Member must have value less than or equal to 10240');
  return mb;
}

export function checkDescription(description: string): string {
  if (description.length > 256) throw validation(description, 'description', 'Member must have length less than or equal to 256');
  return description;
}

export function checkArchitectures(list: string[]): ('x86_64' | 'arm64')[] {
  if (list.length !== 1) throw validation(list, 'architectures', `Member must have length ${list.length > 1 ? 'less' : 'greater'} than or equal to 1`);
  if (list[0] !== 'x86_64' && list[0] !== 'arm64') {
    throw validation(list, 'architectures', 'Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]');
  }
  return [list[0]];
}

export function checkEnvironment(vars: Record<string, string> | undefined): Record<string, string> {
  const env = vars ?? {};
  for (const name of Object.keys(env)) {
    if (!ENV_NAME_RE.test(name)) {
      // The variables are sensitive, so AWS leaves the value out of the message.
      throw new ServiceError('ValidationException', "1 validation error detected: Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]", { status: 400 });
    }
  }
  const reserved = Object.keys(env).filter((k) => RESERVED_ENV.has(k));
  if (reserved.length > 0) {
    throw invalidParameter(`Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(',')}`);
  }
  const measured = JSON.stringify(env);
  if (Buffer.byteLength(measured) > ENV_LIMIT) {
    throw invalidParameter(`Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${measured}`);
  }
  return env;
}

export function checkTracing(mode: string | undefined): string {
  const m = mode ?? 'PassThrough';
  if (m !== 'Active' && m !== 'PassThrough') throw validation(m, 'tracingConfig.mode', 'Member must satisfy enum value set: [Active, PassThrough]');
  return m;
}

/** LoggingConfig merged over the current one (or the defaults for a new function). */
export function checkLogging(input: Partial<LoggingConfig> | undefined, current: LoggingConfig | undefined, functionName: string): LoggingConfig {
  const base: LoggingConfig = current ?? { LogFormat: 'Text', LogGroup: `/aws/lambda/${functionName}` };
  if (!input) return base;
  const format = input.LogFormat ?? base.LogFormat;
  if (format !== 'Text' && format !== 'JSON') throw validation(format, 'loggingConfig.logFormat', 'Member must satisfy enum value set: [JSON, Text]');
  const out: LoggingConfig = { LogFormat: format, LogGroup: input.LogGroup ?? base.LogGroup };
  if (format === 'JSON') {
    out.ApplicationLogLevel = input.ApplicationLogLevel ?? base.ApplicationLogLevel ?? 'INFO';
    out.SystemLogLevel = input.SystemLogLevel ?? base.SystemLogLevel ?? 'INFO';
  } else if (input.ApplicationLogLevel || input.SystemLogLevel) {
    throw invalidParameter('LogLevel is not supported when LogFormat is set to "Text". Remove LogLevel from your request or change the LogFormat to "JSON" and try again.');
  }
  if (!/^[.\-_/#A-Za-z0-9]+$/.test(out.LogGroup) || out.LogGroup.length > 512) {
    throw validation(out.LogGroup, 'loggingConfig.logGroup', 'Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+');
  }
  return out;
}

/** Features whose backing services Stratus does not have: refused with what AWS would say about the missing resource. */
export function checkUnsupported(input: { Layers?: string[]; VpcConfig?: { SubnetIds?: string[]; SecurityGroupIds?: string[] }; FileSystemConfigs?: unknown[]; ImageConfig?: unknown }): void {
  const layer = input.Layers?.[0];
  if (layer !== undefined) throw invalidParameter(`Layer version ${layer} does not exist.`);
  const subnet = input.VpcConfig?.SubnetIds?.[0];
  if (subnet !== undefined) {
    throw invalidParameter(`Error occurred while DescribeSubnets. EC2 Error Code: InvalidSubnetID.NotFound. EC2 Error Message: The subnet ID '${subnet}' does not exist`);
  }
  const group = input.VpcConfig?.SecurityGroupIds?.[0];
  if (group !== undefined) {
    throw invalidParameter(`Error occurred while DescribeSecurityGroups. EC2 Error Code: InvalidGroup.NotFound. EC2 Error Message: The security group '${group}' does not exist`);
  }
  if (input.FileSystemConfigs?.length) throw invalidParameter('Stratus does not support Amazon EFS file systems (FileSystemConfigs).');
  if (input.ImageConfig) throw invalidParameter('Stratus runs .zip deployment packages only; ImageConfig applies to container images.');
}
