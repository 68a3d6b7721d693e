/**
 * Lambda's stored records and their API shapes. A function document holds
 * the unpublished `$LATEST` configuration with the function-wide settings
 * (tags, reserved concurrency, version counter); each published version,
 * alias, policy and event-invoke configuration is its own document keyed
 * under the function. Output mappers produce FunctionConfiguration as
 * Lambda returns it (compared with responses recorded from AWS), and
 * toFunctionSpec() turns a version into what the engine runs.
 * https://docs.aws.amazon.com/lambda/latest/api/API_FunctionConfiguration.html
 * https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html
 */
import { createHash } from 'node:crypto';
import type { FunctionSpec } from '../../functions/types.js';
import { functionArn, LATEST } from './names.js';

export type State = 'Pending' | 'Active' | 'Failed' | 'Inactive';
export type UpdateStatus = 'Successful' | 'InProgress' | 'Failed';

export interface CodeRecord {
  blobKey: string;
  /** base64 of the zip's SHA-256, as Lambda reports CodeSha256. */
  sha256: string;
  size: number;
  unzippedSize: number;
}

export interface LoggingConfig {
  LogFormat: 'Text' | 'JSON';
  LogGroup: string;
  ApplicationLogLevel?: string;
  SystemLogLevel?: string;
}

/** One version's configuration: `$LATEST` (mutable) or a published number (immutable but for its state). */
export interface VersionRecord {
  accountId: string;
  region: string;
  functionName: string;
  version: string;
  description: string;
  runtime: string;
  handler: string;
  role: string;
  memorySize: number;
  timeout: number;
  ephemeralStorage: number;
  /** Absent until the caller sets an Environment; Lambda then echoes it. */
  environment?: Record<string, string>;
  architectures: ('x86_64' | 'arm64')[];
  tracingMode: string;
  deadLetterTargetArn?: string;
  kmsKeyArn?: string;
  snapStartApplyOn: string;
  logging: LoggingConfig;
  code: CodeRecord;
  lastModified: string;
  /** The public RevisionId: new on every change, state transitions included. */
  revisionId: string;
  /** Changes only with code or configuration: what environments and PublishVersion compare. */
  configRevision: string;
  state: State;
  stateReason?: string;
  stateReasonCode?: string;
  lastUpdateStatus: UpdateStatus;
  lastUpdateStatusReason?: string;
  lastUpdateStatusReasonCode?: string;
  /** Epoch ms after which a Pending/InProgress version may settle (see lifecycle.ts). */
  settleAfter?: number;
}

export interface FunctionRecord {
  accountId: string;
  region: string;
  name: string;
  createdAt: string;
  latest: VersionRecord;
  /** Highest published version number; 0 before the first. */
  lastVersion: number;
  /** What the last published version was built from, so PublishVersion without changes returns it. */
  lastPublished?: { version: string; configRevision: string };
  tags: Record<string, string>;
  reservedConcurrency?: number;
}

export interface AliasRecord {
  name: string;
  functionVersion: string;
  description: string;
  weights?: Record<string, number>;
  revisionId: string;
}

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Principal: '*' | { Service: string } | { AWS: string };
  Action: string;
  Resource: string;
  Condition?: Record<string, Record<string, string>>;
}

export interface PolicyRecord {
  statements: PolicyStatement[];
  revisionId: string;
}

export interface EventInvokeRecord {
  functionArn: string;
  maximumRetryAttempts?: number;
  maximumEventAgeInSeconds?: number;
  onSuccess?: string;
  onFailure?: string;
  /** Epoch seconds. */
  lastModified: number;
}

/** Lambda's LastModified: 2026-11-22T03:10:00.000+0000 */
export function lambdaDate(d = new Date()): string {
  return d.toISOString().replace('Z', '+0000');
}

function runtimeVersionArn(region: string, runtime: string): string {
  return `arn:aws:lambda:${region}::runtime:${createHash('sha256').update(runtime).digest('hex')}`;
}

export interface ConfigurationOptions {
  /** The ARN to report: unqualified for $LATEST reached by name, qualified for versions and aliases. */
  arnQualifier?: string;
  /** Lists (ListFunctions, ListVersionsByFunction) omit states and runtime version. */
  listing?: boolean;
  /** CreateFunction's response carries no LastUpdateStatus. */
  omitUpdateStatus?: boolean;
}

/** FunctionConfiguration as the API returns it. */
export function toConfiguration(v: VersionRecord, opts: ConfigurationOptions = {}): Record<string, unknown> {
  const ref = { accountId: v.accountId, region: v.region, name: v.functionName };
  const out: Record<string, unknown> = {
    FunctionName: v.functionName,
    FunctionArn: functionArn(ref, opts.arnQualifier),
    Runtime: v.runtime,
    Role: v.role,
    Handler: v.handler,
    CodeSize: v.code.size,
    Description: v.description,
    Timeout: v.timeout,
    MemorySize: v.memorySize,
    LastModified: v.lastModified,
    CodeSha256: v.code.sha256,
    Version: v.version,
    TracingConfig: { Mode: v.tracingMode },
    RevisionId: v.revisionId,
    PackageType: 'Zip',
    Architectures: v.architectures,
    EphemeralStorage: { Size: v.ephemeralStorage },
    SnapStart: { ApplyOn: v.snapStartApplyOn, OptimizationStatus: 'Off' },
    LoggingConfig: v.logging,
  };
  if (v.environment) out.Environment = { Variables: v.environment };
  if (v.deadLetterTargetArn) out.DeadLetterConfig = { TargetArn: v.deadLetterTargetArn };
  if (v.kmsKeyArn) out.KMSKeyArn = v.kmsKeyArn;
  if (opts.listing) return out;
  out.RuntimeVersionConfig = { RuntimeVersionArn: runtimeVersionArn(v.region, v.runtime) };
  out.State = v.state;
  if (v.stateReason) out.StateReason = v.stateReason;
  if (v.stateReasonCode) out.StateReasonCode = v.stateReasonCode;
  if (!opts.omitUpdateStatus) {
    out.LastUpdateStatus = v.lastUpdateStatus;
    if (v.lastUpdateStatusReason) out.LastUpdateStatusReason = v.lastUpdateStatusReason;
    if (v.lastUpdateStatusReasonCode) out.LastUpdateStatusReasonCode = v.lastUpdateStatusReasonCode;
  }
  return out;
}

export function toAlias(ref: { accountId: string; region: string; name: string }, a: AliasRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    AliasArn: functionArn(ref, a.name),
    Name: a.name,
    FunctionVersion: a.functionVersion,
    Description: a.description,
    RevisionId: a.revisionId,
  };
  if (a.weights && Object.keys(a.weights).length > 0) out.RoutingConfig = { AdditionalVersionWeights: a.weights };
  return out;
}

export function toEventInvokeConfig(c: EventInvokeRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    FunctionArn: c.functionArn,
    LastModified: c.lastModified,
    DestinationConfig: {
      OnSuccess: c.onSuccess ? { Destination: c.onSuccess } : {},
      OnFailure: c.onFailure ? { Destination: c.onFailure } : {},
    },
  };
  if (c.maximumRetryAttempts !== undefined) out.MaximumRetryAttempts = c.maximumRetryAttempts;
  if (c.maximumEventAgeInSeconds !== undefined) out.MaximumEventAgeInSeconds = c.maximumEventAgeInSeconds;
  return out;
}

/** The policy document Lambda stores for a function or qualifier. */
export function policyDocument(p: PolicyRecord): string {
  return JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: p.statements });
}

/** What the engine runs for one version. */
export function toFunctionSpec(v: VersionRecord, reservedConcurrency?: number): FunctionSpec {
  const spec: FunctionSpec = {
    accountId: v.accountId,
    region: v.region,
    functionName: v.functionName,
    functionArn: functionArn({ accountId: v.accountId, region: v.region, name: v.functionName }),
    version: v.version,
    runtime: v.runtime,
    handler: v.handler,
    memoryMb: v.memorySize,
    timeoutSeconds: v.timeout,
    ephemeralStorageMb: v.ephemeralStorage,
    environment: { ...(v.environment ?? {}) },
    codeBlobKey: v.code.blobKey,
    codeSha256: v.code.sha256,
    roleArn: v.role,
    architectures: v.architectures,
    revisionId: v.configRevision,
    logGroup: v.logging.LogGroup,
  };
  if (reservedConcurrency !== undefined) spec.reservedConcurrency = reservedConcurrency;
  return spec;
}

export const isLatest = (v: { version: string }): boolean => v.version === LATEST;
