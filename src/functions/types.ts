/**
 * The contract between the Lambda API (services/lambda) and the function
 * engine (functions/), and what the engine needs from the rest of Stratus.
 * The engine is layered, each layer its own small module:
 *   concurrency lease → environment pool → environment lifecycle → sandbox/executor.
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html
 */
import type { Logger } from '../core/logger.js';
import type { BlobStore } from '../storage/types.js';

/** One immutable version of a function's code and configuration: what an environment is built from. */
export interface FunctionSpec {
  accountId: string;
  region: string;
  functionName: string;
  /** Unqualified ARN: arn:aws:lambda:<region>:<account>:function:<name> */
  functionArn: string;
  /** '$LATEST' or a published version number. */
  version: string;
  runtime: string;
  handler: string;
  memoryMb: number;
  timeoutSeconds: number;
  /** Size of /tmp in MB (512 default, up to 10240). */
  ephemeralStorageMb: number;
  environment: Record<string, string>;
  /** The deployment package (a zip) in the BlobStore. */
  codeBlobKey: string;
  codeSha256: string;
  /** The execution role; its temporary credentials are handed to the function. */
  roleArn: string;
  architectures: ('x86_64' | 'arm64')[];
  /**
   * Changes whenever code or configuration changes (Lambda's RevisionId of this version);
   * an environment only serves invocations of the revision it was built for.
   */
  revisionId: string;
  /** Reserved concurrency (PutFunctionConcurrency); undefined when unreserved. */
  reservedConcurrency?: number;
  /** Log group; default /aws/lambda/<functionName>. */
  logGroup?: string;
}

export interface InvokeRequest {
  fn: FunctionSpec;
  payload: Buffer;
  requestId: string;
  /** The ARN the caller invoked (with its qualifier, if any), for context.invokedFunctionArn. */
  invokedArn: string;
  /** X-Amz-Client-Context as sent (base64 JSON). */
  clientContext?: string;
  /** Return the last 4 KB of the invocation's log (LogType=Tail). */
  tailLog: boolean;
  /** 'RequestResponse' or 'Event' (the async queue calls the engine with Event). */
  invocationType: 'RequestResponse' | 'Event';
}

export interface InvokeResult {
  /** The function's response or its error object (errorMessage, errorType, stackTrace), as bytes. */
  payload: Buffer;
  /** 'Unhandled' for runtime or function errors, as Lambda reports in X-Amz-Function-Error. */
  functionError?: 'Unhandled' | 'Handled';
  /** base64 of the last 4 KB of log, when tailLog was asked. */
  logResult?: string;
  executedVersion: string;
  durationMs: number;
  billedDurationMs: number;
  maxMemoryUsedMb: number;
  /** Present on cold starts. */
  initDurationMs?: number;
}

/** Appends a function's log lines to CloudWatch Logs (the logs service implements it). */
export interface FunctionLogSink {
  /** Creates the group and stream when missing. Events are in timestamp order. */
  append(accountId: string, region: string, group: string, stream: string, events: { timestamp: number; message: string }[]): Promise<void>;
}

export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface EngineDeps {
  blobs: BlobStore;
  /** Temporary credentials of the execution role, assumed by lambda.amazonaws.com (throws if the trust policy forbids it). */
  roleCredentials(fn: FunctionSpec): Promise<TemporaryCredentials>;
  /** Whether the role may write its logs (logs:CreateLogStream and logs:PutLogEvents); Lambda drops logs otherwise. */
  canWriteLogs(fn: FunctionSpec): Promise<boolean>;
  logs: FunctionLogSink;
  /** The endpoint functions reach Stratus on (AWS_ENDPOINT_URL). */
  endpoint: string;
  /** Where unpacked code and per-environment scratch space live. */
  workDir: string;
  /** Idle environments are reaped after this long (Lambda-like default: 10 minutes). */
  keepAliveMs: number;
  /** Divides retry delays and keep-alives, for development and tests (1 = real time). */
  timeScale: number;
  /** Account-wide concurrent executions. */
  accountConcurrency: number;
  log: Logger;
}

export interface EngineStats {
  environments: { functionArn: string; version: string; state: 'initializing' | 'idle' | 'busy' }[];
  pooled: Record<string, number>;
  concurrentExecutions: number;
}

export interface FunctionEngine {
  /** Runs one invocation. Throws ServiceError: TooManyRequestsException (429, with Reason), ... */
  invoke(req: InvokeRequest): Promise<InvokeResult>;
  /** Retires the environments of a function (all versions when version is undefined), e.g. after UpdateFunctionCode or DeleteFunction. */
  retire(functionArn: string, version?: string): Promise<void>;
  stats(): EngineStats;
  close(): Promise<void>;
}
