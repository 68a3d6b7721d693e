/**
 * ListObjectsV2, ListObjects (v1) and ListObjectVersions: keys in UTF-8
 * binary order, prefix and delimiter grouping into CommonPrefixes (each
 * counted once against MaxKeys), continuation tokens, markers, StartAfter and
 * encoding-type=url.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjects.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html
 */
import { s3op } from './access.js';
import { ownerOf, type Operations, type S3Context } from './common.js';
import { s3Errors } from './errors.js';
import type { ObjectHead, ObjectVersion } from './models.js';
import { TABLES, versionKeyPrefix } from './store.js';

const PAGE = 1000;
/** Sorts after every key that starts with the string it ends (no key holds U+10FFFF in practice). */
const AFTER_ALL = '\u{10FFFF}\u{10FFFF}';

type Entry = { key: string; version: ObjectVersion; latest: boolean } | { prefix: string };

function maxKeysOf(value: unknown): number {
  if (value === undefined) return 1000;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw s3Errors.invalidArgument('Provided max-keys not an integer or within integer range', 'max-keys', String(value));
  return Math.min(n, 1000);
}

function encodingOf(value: unknown): ((s: string) => string) | undefined {
  if (value === undefined) return undefined;
  if (value !== 'url') throw s3Errors.invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', String(value));
  // What botocore and the CLI decode with unquote_plus; '/' stays readable.
  return (s) => encodeURIComponent(s).replace(/%2F/g, '/');
}

/**
 * Walks a bucket's keys (heads or versions) from `after`, grouping by
 * delimiter, until `max` entries are collected; returns whether more remain.
 */
async function walk(
  c: S3Context,
  table: string,
  bucket: string,
  prefix: string,
  delimiter: string | undefined,
  after: string | undefined,
  max: number,
  accept: (doc: { key: string; value: unknown }) => Entry | undefined,
): Promise<{ entries: Entry[]; truncated: boolean }> {
  const base = `${bucket}/`;
  const entries: Entry[] = [];
  let cursor = after;
  let lastPrefix: string | undefined;
  for (;;) {
    const page = await c.deps.store.list(table, { prefix: base + prefix, after: cursor, limit: PAGE });
    if (page.length === 0) return { entries, truncated: false };
    for (const doc of page) {
      cursor = doc.key;
      const entry = accept(doc);
      if (!entry) continue;
      const key = 'key' in entry ? entry.key : entry.prefix;
      if (delimiter) {
        const at = key.indexOf(delimiter, prefix.length);
        if (at !== -1) {
          const common = key.slice(0, at + delimiter.length);
          if (common === lastPrefix) continue;
          if (entries.length >= max) return { entries, truncated: true };
          entries.push({ prefix: common });
          lastPrefix = common;
          cursor = base + common + AFTER_ALL;
          break;
        }
      }
      if (entries.length >= max) return { entries, truncated: true };
      entries.push(entry);
    }
  }
}

function contents(e: Extract<Entry, { key: string }>, encode: (s: string) => string, owner: unknown) {
  const v = e.version;
  return {
    Key: encode(e.key),
    LastModified: new Date(v.lastModified),
    ETag: v.etag,
    Size: v.size,
    StorageClass: v.storageClass ?? 'STANDARD',
    Owner: owner,
    ChecksumAlgorithm: v.checksums ? Object.keys(v.checksums).map((m) => m.slice('Checksum'.length)) : undefined,
    ChecksumType: v.checksumType,
  };
}

export function listingOperations(c: S3Context): Operations {
  const heads = (bucket: string) => (doc: { key: string; value: unknown }): Entry | undefined => {
    const head = doc.value as ObjectHead;
    return head.current.deleteMarker ? undefined : { key: doc.key.slice(bucket.length + 1), version: head.current, latest: true };
  };
  const listAccess = (input: any) => ({
    action: 's3:ListBucket',
    bucket: input.Bucket,
    conditions: Object.fromEntries(
      Object.entries({ 's3:prefix': input.Prefix, 's3:delimiter': input.Delimiter, 's3:max-keys': input.MaxKeys?.toString() }).filter(([, v]) => v !== undefined),
    ) as Record<string, string>,
  });

  return {
    ListObjectsV2: s3op(c, listAccess, async (input) => {
      await c.db.requireBucket(input.Bucket);
      const prefix: string = input.Prefix ?? '';
      const max = maxKeysOf(input.MaxKeys);
      const enc = encodingOf(input.EncodingType);
      const encode = enc ?? ((s: string) => s);
      let after: string | undefined;
      if (input.ContinuationToken !== undefined) {
        const raw = Buffer.from(String(input.ContinuationToken), 'base64url').toString('utf8');
        if (!raw.startsWith('1:')) throw s3Errors.invalidArgument('The continuation token provided is incorrect', 'continuation-token', input.ContinuationToken);
        after = `${input.Bucket}/${raw.slice(2)}`;
      } else if (input.StartAfter) after = `${input.Bucket}/${input.StartAfter}`;
      const { entries, truncated } = await walk(c, TABLES.objects, input.Bucket, prefix, input.Delimiter || undefined, after, max, heads(input.Bucket));
      const owner = input.FetchOwner ? ownerOf(c.deps.accountId) : undefined;
      const last = entries[entries.length - 1];
      const lastName = last ? ('key' in last ? last.key : last.prefix + AFTER_ALL) : '';
      return {
        IsTruncated: truncated,
        Contents: entries.flatMap((e) => ('key' in e ? [contents(e, encode, owner)] : [])),
        CommonPrefixes: entries.flatMap((e) => ('prefix' in e ? [{ Prefix: encode(e.prefix) }] : [])),
        Name: input.Bucket,
        Prefix: enc && input.Prefix !== undefined ? enc(input.Prefix) : (input.Prefix ?? ''),
        Delimiter: input.Delimiter === undefined ? undefined : encode(input.Delimiter),
        MaxKeys: input.MaxKeys === undefined ? 1000 : Number(input.MaxKeys),
        EncodingType: input.EncodingType,
        KeyCount: entries.length,
        ContinuationToken: input.ContinuationToken,
        NextContinuationToken: truncated ? Buffer.from(`1:${lastName}`).toString('base64url') : undefined,
        StartAfter: input.StartAfter === undefined ? undefined : encode(input.StartAfter),
      };
    }),

    ListObjects: s3op(c, listAccess, async (input) => {
      await c.db.requireBucket(input.Bucket);
      const prefix: string = input.Prefix ?? '';
      const max = maxKeysOf(input.MaxKeys);
      const enc = encodingOf(input.EncodingType);
      const encode = enc ?? ((s: string) => s);
      const after = input.Marker ? `${input.Bucket}/${input.Marker}` : undefined;
      const { entries, truncated } = await walk(c, TABLES.objects, input.Bucket, prefix, input.Delimiter || undefined, after, max, heads(input.Bucket));
      const last = entries[entries.length - 1];
      const owner = ownerOf(c.deps.accountId);
      return {
        IsTruncated: truncated,
        Marker: input.Marker === undefined ? '' : encode(input.Marker),
        // v1 names the next marker only when a delimiter is used; clients use the last key otherwise.
        NextMarker: truncated && input.Delimiter && last ? encode('key' in last ? last.key : last.prefix) : undefined,
        Contents: entries.flatMap((e) => ('key' in e ? [contents(e, encode, owner)] : [])),
        CommonPrefixes: entries.flatMap((e) => ('prefix' in e ? [{ Prefix: encode(e.prefix) }] : [])),
        Name: input.Bucket,
        Prefix: enc && input.Prefix !== undefined ? enc(input.Prefix) : (input.Prefix ?? ''),
        Delimiter: input.Delimiter === undefined ? undefined : encode(input.Delimiter),
        MaxKeys: input.MaxKeys === undefined ? 1000 : Number(input.MaxKeys),
        EncodingType: input.EncodingType,
      };
    }),

    ListObjectVersions: s3op(c, (input: any) => ({ ...listAccess(input), action: 's3:ListBucketVersions' }), async (input) => {
      await c.db.requireBucket(input.Bucket);
      const prefix: string = input.Prefix ?? '';
      const max = maxKeysOf(input.MaxKeys);
      const enc = encodingOf(input.EncodingType);
      const encode = enc ?? ((s: string) => s);
      if (input.VersionIdMarker !== undefined && !input.KeyMarker) throw s3Errors.invalidArgument('A version-id marker cannot be specified without a key marker.', 'version-id-marker', input.VersionIdMarker);
      let after: string | undefined;
      if (input.KeyMarker) {
        after = versionKeyPrefix(input.Bucket, input.KeyMarker) + AFTER_ALL;
        if (input.VersionIdMarker !== undefined) {
          const found = (await c.db.listVersionsOf(input.Bucket, input.KeyMarker)).find((v) => v.value.versionId === input.VersionIdMarker);
          if (!found) throw s3Errors.invalidArgument('Invalid version id specified', 'version-id-marker', input.VersionIdMarker);
          after = found.key;
        }
      }
      let previousKey: string | undefined;
      const accept = (doc: { key: string; value: unknown }): Entry => {
        const key = doc.key.slice(input.Bucket.length + 1, doc.key.lastIndexOf('\u0000'));
        const latest = key !== previousKey && !(input.VersionIdMarker !== undefined && key === input.KeyMarker);
        previousKey = key;
        return { key, version: doc.value as ObjectVersion, latest };
      };
      const { entries, truncated } = await walk(c, TABLES.versions, input.Bucket, prefix, input.Delimiter || undefined, after, max, accept);
      const owner = ownerOf(c.deps.accountId);
      const Versions: unknown[] = [];
      const DeleteMarkers: unknown[] = [];
      for (const e of entries) {
        if (!('key' in e)) continue;
        const v = e.version;
        const common = { Key: encode(e.key), VersionId: v.versionId, IsLatest: e.latest, LastModified: new Date(v.lastModified), Owner: owner };
        if (v.deleteMarker) DeleteMarkers.push(common);
        else Versions.push({ ...common, ETag: v.etag, Size: v.size, StorageClass: v.storageClass ?? 'STANDARD', ChecksumAlgorithm: v.checksums ? Object.keys(v.checksums).map((m) => m.slice(8)) : undefined });
      }
      const last = entries[entries.length - 1];
      return {
        IsTruncated: truncated,
        KeyMarker: input.KeyMarker === undefined ? '' : encode(input.KeyMarker),
        VersionIdMarker: input.VersionIdMarker ?? '',
        NextKeyMarker: truncated && last ? encode('key' in last ? last.key : last.prefix) : undefined,
        NextVersionIdMarker: truncated && last && 'key' in last ? last.version.versionId : undefined,
        Versions: Versions.length ? Versions : undefined,
        DeleteMarkers: DeleteMarkers.length ? DeleteMarkers : undefined,
        CommonPrefixes: entries.flatMap((e) => ('prefix' in e ? [{ Prefix: encode(e.prefix) }] : [])),
        Name: input.Bucket,
        Prefix: enc && input.Prefix !== undefined ? enc(input.Prefix) : (input.Prefix ?? ''),
        Delimiter: input.Delimiter === undefined ? undefined : encode(input.Delimiter),
        MaxKeys: input.MaxKeys === undefined ? 1000 : Number(input.MaxKeys),
        EncodingType: input.EncodingType,
      };
    }),
  };
}
