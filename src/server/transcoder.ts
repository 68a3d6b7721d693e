/**
 * What Elastic Transcoder reaches in other services, wired here because
 * services never import each other:
 *  - S3 objects, read and written through S3's own authorization and
 *    handlers (HeadObject, GetObject, PutObject, s3-calls.ts) as the pipeline
 *    role's session, so bucket policies, Block Public Access and S3 event
 *    notifications apply to transcoder outputs exactly as to any upload;
 *  - SNS publishing as the same session: the fan-out writes join the job's
 *    own state change, then SNS's delivery is woken.
 */
import { isServiceError } from '../core/errors.js';
import { createElasticTranscoderService, type TranscoderService } from '../services/elastictranscoder/index.js';
import type { S3Service } from '../services/s3/index.js';
import type { SnsService } from '../services/sns/index.js';
import type { ServiceDefinition } from '../services/types.js';
import { bodyStream, s3Caller } from './s3-calls.js';
import type { ServiceDeps } from './services.js';

export function buildTranscoder(deps: ServiceDeps, services: ServiceDefinition[], endpoint: () => string = () => 'http://127.0.0.1'): TranscoderService {
  const s3 = services.find((s) => s.name === 's3') as S3Service | undefined;
  const sns = services.find((s) => s.name === 'sns') as SnsService | undefined;
  if (!s3) throw new Error('Elastic Transcoder needs the S3 service');
  const call = s3Caller(() => s3, { accountId: deps.accountId, region: deps.region, userAgent: 'elastictranscoder.amazonaws.com', endpoint });
  return createElasticTranscoderService({
    store: deps.documents,
    directory: deps.directory,
    authorizer: deps.authorizer,
    accountId: deps.accountId,
    region: deps.region,
    objects: {
      async exists(principal, bucket, key) {
        try {
          await call('HeadObject', { Bucket: bucket, Key: key }, principal);
          return true;
        } catch (err) {
          if (isServiceError(err) && (err.code === 'NoSuchKey' || err.code === 'NotFound')) return false;
          throw err;
        }
      },
      async get(principal, bucket, key) {
        const out = await call('GetObject', { Bucket: bucket, Key: key }, principal);
        return { body: bodyStream(out), size: Number(out.ContentLength ?? 0) };
      },
      async put(principal, bucket, key, body, size, contentType, storageClass) {
        await call('PutObject', { Bucket: bucket, Key: key, Body: body, ContentLength: size, ContentType: contentType, StorageClass: storageClass }, principal);
      },
      async bucketExists(bucket) {
        return (await s3.db.getBucket(bucket)) !== undefined;
      },
    },
    notifier: sns
      ? {
          async publishOps(topicArn, msg, principal) {
            const result = await sns.publishOps(topicArn, { subject: msg.subject, message: msg.message }, { principal }, endpoint());
            return result.ok ? { ok: true, ops: result.ops } : result;
          },
          wake: () => sns.wake(),
        }
      : undefined,
  });
}
