/**
 * Amazon S3: buckets, streamed objects with versions, multipart uploads,
 * access control (IAM, bucket policies, ACLs, Block Public Access), CORS,
 * website configuration and event notifications, over the DocumentStore and
 * the BlobStore. The gateway serves the data planes that are not API calls
 * (website endpoints, browser POST uploads, CORS preflight) through the
 * functions exported here.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/Welcome.html
 */
import type { ServiceDefinition } from '../types.js';
import type { S3ServiceDeps } from './common.js';
import { s3Operations } from './provider.js';
import { S3Store } from './store.js';

export type { S3ServiceDeps, NotificationTarget } from './common.js';

export interface S3Service extends ServiceDefinition {
  readonly db: S3Store;
  /** Resolves what crashes left behind: uncommitted and replaced blobs. */
  sweep(): Promise<number>;
}

export function createS3Service(deps: S3ServiceDeps): S3Service {
  const db = new S3Store(deps.store, deps.blobs);
  const c = { deps, db };
  return {
    name: 's3',
    signingName: 's3',
    actionPrefix: 's3',
    operations: s3Operations(c),
    db,
    sweep: () => db.sweepGarbage(),
  };
}
