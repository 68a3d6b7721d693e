/**
 * Event notifications at write time: the configurations of a bucket that
 * match an event become queued Lambda invocations, and outbox records for
 * SNS topics (topic-outbox.ts), in the same transaction as the write that
 * caused them, so an accepted write never loses its events (delivery is then
 * the asynchronous invoke path's, or SNS's: retries, at least once).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventNotifications.html
 */
import type { RequestContext } from '../../core/context.js';
import { hostId } from '../../protocol/index.js';
import type { WriteOp } from '../../storage/types.js';
import { bucketArn, type S3Context } from './common.js';
import type { BucketRecord, ObjectVersion } from './models.js';
import { eventMessage, eventRecord, matchingConfigurations, matchingTopics, sequencer, SNS_SUBJECT, type NotificationConfiguration } from './notifications.js';

export function principalId(ctx: RequestContext): string {
  const p = ctx.principal;
  if (p.type === 'anonymous') return 'anonymous';
  if (p.type === 'root') return p.accountId;
  return `AWS:${p.userId}`;
}

export function eventOps(c: S3Context, bucket: BucketRecord, eventName: string, key: string, v: ObjectVersion | undefined, ctx: RequestContext): WriteOp[] {
  const cfg = bucket.notification as NotificationConfiguration | undefined;
  if (!cfg) return [];
  const lambda = c.deps.lambda;
  const functions = lambda ? matchingConfigurations(cfg, eventName, key) : [];
  const topics = c.topics ? matchingTopics(cfg, eventName, key) : [];
  if (functions.length === 0 && topics.length === 0) return [];
  const removed = eventName.startsWith('ObjectRemoved');
  const seq = sequencer();
  const source = { sourceArn: bucketArn(bucket.name), sourceAccount: bucket.accountId };
  const message = (configurationId: string) =>
    JSON.stringify(
      eventMessage([
        eventRecord({
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
          configurationId,
        }),
      ]),
    );
  const ops: WriteOp[] = [];
  for (const t of functions) ops.push(...lambda!.enqueueOps(t.functionArn, Buffer.from(message(t.id)), source));
  for (const t of topics) ops.push(c.topics!.op(seq, { topicArn: t.topicArn, subject: SNS_SUBJECT, message: message(t.id), ...source, endpoint: ctx.endpoint }));
  return ops;
}
