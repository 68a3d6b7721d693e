/**
 * What S3's operation files share: dependencies, the per-service context,
 * ARNs, and small helpers for ETags, dates and owners.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '../../core/logger.js';
import type { Authorizer } from '../../identity/authorizer.js';
import type { BlobStore, DocumentStore, WriteOp } from '../../storage/types.js';
import type { OperationSpec } from '../types.js';
import type { Owner } from './models.js';
import type { S3Store } from './store.js';
import type { TopicOutbox } from './topic-outbox.js';

export interface NotificationTarget {
  /** Whether `s3.amazonaws.com` may invoke the function for this bucket (its resource policy). */
  canInvoke(functionArn: string, sourceArn: string, sourceAccount: string): Promise<boolean>;
  /**
   * Write ops that durably enqueue an asynchronous invocation, so the event
   * commits in the same transaction as the object write that caused it.
   */
  enqueueOps(functionArn: string, payload: Buffer, meta: { sourceArn: string; sourceAccount: string }): WriteOp[];
  /** Wakes the dispatcher after the transaction committed. */
  notifyQueued(): void;
}

/**
 * SNS topics as destinations of event notifications, publishing as
 * s3.amazonaws.com on behalf of a bucket (the topic policy must allow it,
 * with the bucket as aws:SourceArn and its owner as aws:SourceAccount).
 */
export interface TopicTarget {
  /**
   * The writes that publish one message to the topic's subscribers, for the
   * caller to commit; or SNS's refusal (`NotFound` when there is no such topic,
   * `AuthorizationError` when its policy does not let S3 publish).
   */
  publishOps(
    topicArn: string,
    msg: { subject: string; message: string },
    source: { sourceArn: string; sourceAccount: string },
    endpoint: string,
  ): Promise<{ ok: true; ops: WriteOp[] } | { ok: false; code: string; message: string }>;
  /** Delivers what committed publishOps' writes queued. */
  wake(): void;
}

export interface S3ServiceDeps {
  store: DocumentStore;
  blobs: BlobStore;
  authorizer: Authorizer;
  /** The single account that owns every bucket. */
  accountId: string;
  region: string;
  /** Lambda destinations of event notifications; absent when Lambda is not wired. */
  lambda?: NotificationTarget;
  /** SNS destinations of event notifications; absent when SNS is not wired. */
  sns?: TopicTarget;
  /** Background work (publishing queued topic notifications) logs here. */
  log?: Logger;
}

export interface S3Context {
  deps: S3ServiceDeps;
  db: S3Store;
  /** Queues and publishes notifications for SNS topics; present when SNS is wired. */
  topics?: TopicOutbox;
}

export type Operations = Record<string, OperationSpec>;

export function bucketArn(bucket: string): string {
  return `arn:aws:s3:::${bucket}`;
}

export function objectArn(bucket: string, key: string): string {
  return `arn:aws:s3:::${bucket}/${key}`;
}

/** S3 shows canonical user ids, never account ids: 64 hex characters, stable per account. */
export function canonicalId(accountId: string): string {
  return createHash('sha256').update(`stratus-canonical-user:${accountId}`).digest('hex');
}

export function ownerOf(accountId: string): Owner {
  return { ID: canonicalId(accountId), DisplayName: 'stratus' };
}

export function quoteEtag(hex: string): string {
  return `"${hex}"`;
}

/** ETag of a multipart object: MD5 of the parts' binary MD5s, then -<count>. */
export function multipartEtag(partEtags: string[]): string {
  const h = createHash('md5');
  for (const e of partEtags) h.update(Buffer.from(e.replace(/"/g, ''), 'hex'));
  return `"${h.digest('hex')}-${partEtags.length}"`;
}

/** Compares ETags as If-Match/If-None-Match do: quotes optional, '*' matches any. */
export function etagMatches(header: string, etag: string | undefined): boolean {
  if (etag === undefined) return false;
  const bare = etag.replace(/"/g, '');
  return header.split(',').some((t) => {
    const v = t.trim().replace(/^W\//, '').replace(/"/g, '');
    return v === '*' || v === bare;
  });
}

/** S3 timestamps have second precision in HTTP headers and millisecond precision in XML. */
export function toDate(iso: string): Date {
  return new Date(iso);
}

