/**
 * What Elastic Transcoder's files share: the dependencies the composition
 * root hands in (S3 objects read and written as the pipeline's role, SNS
 * notifications, the IAM directory), the tables and the documents kept in
 * them, ARNs and small helpers.
 * https://docs.aws.amazon.com/elastictranscoder/latest/developerguide/api-reference.html
 */
import type { Readable } from 'node:stream';
import type { Principal } from '../../core/context.js';
import type { Authorizer } from '../../identity/authorizer.js';
import type { Directory } from '../../identity/types.js';
import type { DocumentStore, WriteOp } from '../../storage/types.js';
import type { OperationSpec } from '../types.js';

/**
 * S3 as the pipeline's role sees it. Implemented in server/ with S3's own
 * authorization and handlers, so a role that may not read or write a bucket
 * gets S3's AccessDenied. Failures throw S3's ServiceError (NoSuchKey,
 * NoSuchBucket, AccessDenied...).
 */
export interface TranscoderObjects {
  /** Whether the key exists (HeadObject); throws AccessDenied or NoSuchBucket. */
  exists(principal: Principal, bucket: string, key: string): Promise<boolean>;
  get(principal: Principal, bucket: string, key: string): Promise<{ body: Readable; size: number }>;
  put(principal: Principal, bucket: string, key: string, body: Readable, size: number, contentType: string, storageClass?: string): Promise<void>;
  bucketExists(bucket: string): Promise<boolean>;
}

/**
 * SNS as the pipeline's role publishes to it: the writes of one notification,
 * to commit with the job's own state change, and a wake-up once committed.
 */
export interface TranscoderNotifier {
  publishOps(topicArn: string, msg: { subject: string; message: string }, principal: Principal): Promise<{ ok: true; ops: WriteOp[] } | { ok: false; code: string; message: string }>;
  wake(): void;
}

export interface TranscoderDeps {
  store: DocumentStore;
  directory: Directory;
  authorizer: Authorizer;
  accountId: string;
  region: string;
  objects: TranscoderObjects;
  /** Absent until SNS is wired: notifications are then logged and dropped. */
  notifier?: TranscoderNotifier;
}

export const TABLES = {
  /** key `${accountId}/${region}/${id}` */
  pipelines: 'elastictranscoder.pipelines',
  /** Custom presets only; key `${accountId}/${region}/${id}`. */
  presets: 'elastictranscoder.presets',
  /** key `${accountId}/${region}/${id}` */
  jobs: 'elastictranscoder.jobs',
  /** key `${accountId}/${region}/${pipelineId}/${jobId}` → {} */
  jobsByPipeline: 'elastictranscoder.jobs-by-pipeline',
  /** key `${accountId}/${region}/${status}/${jobId}` → {} */
  jobsByStatus: 'elastictranscoder.jobs-by-status',
  /** Jobs not yet finished (Submitted, Progressing), key `${jobId}`: the workers' queue, in submission order. */
  active: 'elastictranscoder.active',
} as const;

export type JobStatus = 'Submitted' | 'Progressing' | 'Complete' | 'Canceled' | 'Error';

export interface Notifications {
  Progressing: string;
  Completed: string;
  Warning: string;
  Error: string;
}

export interface BucketConfig {
  Bucket?: string;
  StorageClass?: string;
  Permissions?: Array<{ GranteeType?: string; Grantee?: string; Access?: string[] }>;
}

export interface PipelineDoc {
  Id: string;
  Arn: string;
  Name: string;
  Status: 'Active' | 'Paused';
  InputBucket: string;
  OutputBucket?: string;
  Role: string;
  AwsKmsKeyArn?: string;
  Notifications: Notifications;
  ContentConfig: BucketConfig;
  ThumbnailConfig: BucketConfig;
  createdAt: number;
}

/** A preset as the API shows it (Type System or Custom). */
export interface Preset {
  Id: string;
  Arn?: string;
  Name: string;
  Description?: string;
  Container: string;
  Audio?: Record<string, any>;
  Video?: Record<string, any>;
  Thumbnails?: Record<string, any>;
  Type: 'System' | 'Custom';
}

export interface JobOutputDoc {
  Id: string;
  Key: string;
  ThumbnailPattern?: string;
  Rotate?: string;
  PresetId: string;
  SegmentDuration?: string;
  Status: JobStatus;
  StatusDetail?: string;
  Duration?: number;
  DurationMillis?: number;
  Width?: number;
  Height?: number;
  FrameRate?: string;
  FileSize?: number;
  /** The preset as it was when the job was created: a later DeletePreset cannot break a queued job. */
  preset: Preset;
  /** Numeric code of this output's error (3002...), for notifications. */
  errorCode?: number;
}

export interface JobInputDoc {
  Key: string;
  FrameRate?: string;
  Resolution?: string;
  AspectRatio?: string;
  Interlaced?: string;
  Container?: string;
  TimeSpan?: { StartTime?: string; Duration?: string };
  DetectedProperties?: { Width?: number; Height?: number; FrameRate?: string; FileSize?: number; DurationMillis?: number };
}

export interface PlaylistDoc {
  Name: string;
  Format: string;
  OutputKeys: string[];
  Status?: JobStatus;
  StatusDetail?: string;
}

export interface JobDoc {
  Id: string;
  Arn: string;
  accountId: string;
  region: string;
  PipelineId: string;
  Input: JobInputDoc;
  OutputKeyPrefix?: string;
  Outputs: JobOutputDoc[];
  Playlists?: PlaylistDoc[];
  UserMetadata?: Record<string, string>;
  Status: JobStatus;
  Timing: { SubmitTimeMillis: number; StartTimeMillis?: number; FinishTimeMillis?: number };
  /** The worker that runs it and until when its claim holds (renewed while it runs). */
  lease?: { owner: string; expiresAt: number };
  /** Set before the first upload: a job interrupted past this point is not run again (its outputs may be partly written). */
  uploading?: boolean;
  /** The job-level error, for the ERROR notification. */
  errorCode?: number;
  messageDetails?: string;
}

export interface ActiveDoc {
  accountId: string;
  region: string;
  pipelineId: string;
  status: 'Submitted' | 'Progressing';
  presetIds: string[];
}

export interface TranscoderContext {
  deps: TranscoderDeps;
  /** Wakes this process's workers (a job was queued or a pipeline resumed). */
  wake(): void;
}

export type Operations = Record<string, OperationSpec>;

export interface Owner {
  accountId: string;
  region: string;
}

export function ownerKey(o: Owner, id: string): string {
  return `${o.accountId}/${o.region}/${id}`;
}

export function arnOf(kind: 'pipeline' | 'preset' | 'job', o: Owner, id: string): string {
  return `arn:aws:elastictranscoder:${o.region}:${o.accountId}:${kind}/${id}`;
}

/** ETS keeps the API's string enums for booleans: the query string's Ascending is 'true' or 'false'. */
export function ascending(value: unknown): boolean {
  return value === undefined || value === null || value === '' ? true : String(value) === 'true';
}

/** AWS pages job and pipeline listings by 50. */
export const PAGE_SIZE = 50;

/** One page of `items` (already in the requested order) after the item whose id is `token`. */
export function page<T>(items: T[], idOf: (t: T) => string, token: string | undefined): { items: T[]; next?: string } {
  let from = 0;
  if (token) {
    const at = items.findIndex((i) => idOf(i) === token);
    from = at < 0 ? items.length : at + 1;
  }
  const slice = items.slice(from, from + PAGE_SIZE);
  const next = from + PAGE_SIZE < items.length ? idOf(slice[slice.length - 1]!) : undefined;
  return { items: slice, next };
}

/** Drops undefined members so responses list only what is set. */
export function compact<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}
