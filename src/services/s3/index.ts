/**
 * Amazon S3: buckets, streamed objects with versions, multipart uploads,
 * access control (IAM, bucket policies, ACLs, Block Public Access), CORS,
 * website configuration and event notifications, over the DocumentStore and
 * the BlobStore. The gateway serves the data planes that are not API calls
 * (website endpoints, browser POST uploads, CORS preflight) through the
 * methods of the service object made here (see data-plane.ts).
 * https://docs.aws.amazon.com/AmazonS3/latest/API/Welcome.html
 */
import { silentLogger } from '../../core/logger.js';
import type { HttpResponse } from '../../protocol/index.js';
import type { ServiceDefinition } from '../types.js';
import type { S3ServiceDeps } from './common.js';
import { corsHeadersFor, postObject, preflightResponse, websiteResponse, type PostObjectRequest, type PreflightInput, type WebCall, type WebsiteHttpRequest } from './data-plane.js';
import { s3Operations } from './provider.js';
import { S3Store } from './store.js';
import { TopicOutbox, withTopicOutbox } from './topic-outbox.js';

export type { S3ServiceDeps, NotificationTarget, TopicTarget } from './common.js';
export type { PostObjectRequest, PostSigner, PreflightInput, WebCall, WebsiteHttpRequest } from './data-plane.js';

export interface S3Service extends ServiceDefinition {
  readonly db: S3Store;
  /** Resolves what crashes left behind: uncommitted and replaced blobs, unpublished topic notifications. */
  sweep(): Promise<number>;
  /** The static website endpoint's answer (HTML errors, anonymous reads). */
  websiteResponse(req: WebsiteHttpRequest, call: WebCall): Promise<HttpResponse>;
  /** An OPTIONS preflight's answer; throws S3's error for the S3 codec to write. */
  preflightResponse(input: PreflightInput, call: WebCall): Promise<HttpResponse>;
  /** CORS headers for an actual request to `bucket` from `origin`. */
  corsHeadersFor(bucket: string, origin: string | undefined, method: string): Promise<Record<string, string>>;
  /** A browser POST upload; throws S3's error for the S3 codec to write. */
  postObject(req: PostObjectRequest, call: WebCall): Promise<HttpResponse>;
}

export function createS3Service(deps: S3ServiceDeps): S3Service {
  const db = new S3Store(deps.store, deps.blobs);
  const topics = deps.sns ? new TopicOutbox(deps.store, deps.sns, deps.log ?? silentLogger) : undefined;
  const c = { deps: topics ? withTopicOutbox(deps, topics) : deps, db, topics };
  return {
    name: 's3',
    signingName: 's3',
    actionPrefix: 's3',
    operations: s3Operations(c),
    db,
    async sweep() {
      // Topic notifications a crash (or a failed publish) left queued go out first.
      await topics?.flush();
      return db.sweepGarbage();
    },
    websiteResponse: (req, call) => websiteResponse(c, req, call),
    preflightResponse: (input, call) => preflightResponse(c, input, call),
    corsHeadersFor: (bucket, origin, method) => corsHeadersFor(c, bucket, origin, method),
    postObject: (req, call) => postObject(c, req, call),
  };
}
