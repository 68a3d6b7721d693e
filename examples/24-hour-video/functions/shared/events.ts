/**
 * What the pipeline's functions read from their events: S3 notifications
 * straight from a bucket (transcode-video) or wrapped in SNS messages
 * (set-permissions and extract-metadata, subscribed to the transcoded
 * bucket's topic).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 * https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html
 */
import type { S3Event, S3EventRecord, SNSEvent } from 'aws-lambda';

/**
 * An object key as S3 writes it into event records: URL-encoded the way an
 * HTML form encodes a value, so a space arrives as `+` and `+` as `%2B`.
 */
export function objectKey(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, ' '));
}

/** `videos/my clip.mov` → `videos/my clip`: the file name loses its last extension, folders keep their dots. */
export function withoutExtension(key: string): string {
  const slash = key.lastIndexOf('/');
  const dot = key.lastIndexOf('.');
  return dot > slash + 1 ? key.slice(0, dot) : key;
}

/** The object a record names: bucket and decoded key. */
export function objectOf(record: S3EventRecord): { bucket: string; key: string } {
  return { bucket: record.s3.bucket.name, key: objectKey(record.s3.object.key) };
}

/**
 * The S3 records inside an SNS event. A message that is not an S3 event
 * (S3's `s3:TestEvent`, sent when a notification configuration is saved, has
 * no Records) contributes nothing.
 */
export function s3RecordsOf(event: SNSEvent): S3EventRecord[] {
  const out: S3EventRecord[] = [];
  for (const record of event.Records ?? []) {
    let message: Partial<S3Event>;
    try {
      message = JSON.parse(record.Sns.Message) as Partial<S3Event>;
    } catch {
      console.warn('ignoring an SNS message that is not JSON:', record.Sns.MessageId);
      continue;
    }
    for (const r of message.Records ?? []) if (r.eventSource === 'aws:s3' && r.eventName?.startsWith('ObjectCreated:')) out.push(r);
  }
  return out;
}
