/**
 * Tag sets of buckets (at most 50) and objects (at most 10), from XML or the
 * x-amz-tagging header's URL-encoded form.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html
 */
import { s3Errors } from './errors.js';

export type Tag = { Key: string; Value: string };

export function validateTagSet(tags: unknown, max: number): Tag[] {
  if (!Array.isArray(tags)) throw s3Errors.malformedXml();
  if (tags.length > max) throw s3Errors.invalidTag(max === 10 ? 'Object tags cannot be greater than 10' : 'Bucket tag count cannot be greater than 50');
  const seen = new Set<string>();
  const out: Tag[] = [];
  for (const t of tags as Array<{ Key?: unknown; Value?: unknown }>) {
    if (typeof t?.Key !== 'string') throw s3Errors.malformedXml();
    const value = typeof t.Value === 'string' ? t.Value : '';
    if (t.Key.length === 0 || [...t.Key].length > 128) throw s3Errors.invalidTag('The TagKey you have provided is invalid');
    if ([...value].length > 256) throw s3Errors.invalidTag('The TagValue you have provided is invalid');
    if (t.Key.startsWith('aws:')) throw s3Errors.invalidTag('Your TagKey cannot be prefixed with aws:');
    if (seen.has(t.Key)) throw s3Errors.invalidTag('Cannot provide multiple Tags with the same key');
    seen.add(t.Key);
    out.push({ Key: t.Key, Value: value });
  }
  return out;
}

/** x-amz-tagging: "k1=v1&k2=v2". */
export function parseTaggingHeader(header: string | undefined): Tag[] | undefined {
  if (header === undefined) return undefined;
  const tags: Tag[] = [];
  for (const [Key, Value] of new URLSearchParams(header)) tags.push({ Key, Value });
  return validateTagSet(tags, 10);
}
