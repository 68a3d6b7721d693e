/**
 * Event notifications at write time: the configurations of a bucket that
 * match an event become queued Lambda invocations in the same transaction as
 * the write that caused them, so an accepted write never loses its events
 * (delivery is then the asynchronous invoke path's: retries, at least once).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventNotifications.html
 */
import type { RequestContext } from '../../core/context.js';
import { hostId } from '../../protocol/index.js';
import type { WriteOp } from '../../storage/types.js';
import { bucketArn, type S3Context } from './common.js';
import type { BucketRecord, ObjectVersion } from './models.js';
import { eventMessage, eventRecord, matchingConfigurations, sequencer, type NotificationConfiguration } from './notifications.js';

export function principalId(ctx: RequestContext): string {
  const p = ctx.principal;
  if (p.type === 'anonymous') return 'anonymous';
  if (p.type === 'root') return p.accountId;
  return `AWS:${p.userId}`;
}

export function eventOps(c: S3Context, bucket: BucketRecord, eventName: string, key: string, v: ObjectVersion | undefined, ctx: RequestContext): WriteOp[] {
  const cfg = bucket.notification as NotificationConfiguration | undefined;
  const lambda = c.deps.lambda;
  if (!cfg || !lambda) return [];
  const targets = matchingConfigurations(cfg, eventName, key);
  if (targets.length === 0) return [];
  const removed = eventName.startsWith('ObjectRemoved');
  const ops: WriteOp[] = [];
  const seq = sequencer();
  for (const t of targets) {
    const record = eventRecord({
      eventName,
      region: bucket.region,
      eventTime: new Date(),
      principalId: principalId(ctx),
      sourceIp: ctx.sourceIp,
      requestId: ctx.requestId,
      hostId: hostId(ctx.requestId),
      bucket: bucket.name,
      bucketOwnerId: bucket.owner.ID,
      key,
      size: removed ? undefined : v?.size,
      eTag: removed ? undefined : v?.etag,
      versionId: bucket.versioning === 'Enabled' && v ? v.versionId : undefined,
      sequencer: seq,
      configurationId: t.id,
    });
    const payload = Buffer.from(JSON.stringify(eventMessage([record])));
    ops.push(...lambda.enqueueOps(t.functionArn, payload, { sourceArn: bucketArn(bucket.name), sourceAccount: bucket.accountId }));
  }
  return ops;
}
