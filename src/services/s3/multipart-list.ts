/**
 * ListParts and ListMultipartUploads. Uploads list in key order and, for one
 * key, oldest first; a key marker alone resumes after every upload of that
 * key, with an upload-id marker after that upload. Next markers name the last
 * upload listed even when the listing is complete, as S3 does; one departure:
 * a listing cut short on a common prefix names that prefix as NextKeyMarker
 * (S3 answers "" there, which no client can resume from).
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListParts.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListMultipartUploads.html
 */
import { s3op } from './access.js';
import { canonicalId, type Operations, type S3Context } from './common.js';
import { s3Errors } from './errors.js';
import { MAX_PART_NUMBER, partKey, requireUpload, uploadKey, type PartRecord, type UploadRecord } from './multipart-store.js';
import { TABLES } from './store.js';

const PAGE = 1000;
/** Sorts after every key that starts with the string it ends (as in listing.ts). */
const AFTER_ALL = '\u{10FFFF}\u{10FFFF}';

function countOf(value: unknown, name: string): number {
  if (value === undefined) return 1000;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 2147483647) throw s3Errors.invalidArgument(`Provided ${name} not an integer or within integer range`, name, String(value));
  return Math.min(n, 1000);
}

function encodingOf(value: unknown): (s: string) => string {
  if (value === undefined) return (s) => s;
  if (value !== 'url') throw s3Errors.invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', String(value));
  return (s) => encodeURIComponent(s).replace(/%2F/g, '/');
}

function checksumMember(algorithm: string): string {
  return `Checksum${algorithm}`;
}

type Entry = { upload: UploadRecord } | { prefix: string };

export function multipartListOperations(c: S3Context): Operations {
  return {
    ListParts: s3op(c, (input: any) => ({ action: 's3:ListMultipartUploadParts', bucket: input.Bucket, key: input.Key }), async (input) => {
      const upload = (await requireUpload(c, input.Bucket, input.Key, input.UploadId)).value;
      const max = countOf(input.MaxParts, 'max-parts');
      const marker = input.PartNumberMarker === undefined ? 0 : Number(input.PartNumberMarker);
      if (!Number.isInteger(marker) || marker < 0) {
        throw s3Errors.invalidArgument('Provided part-number-marker not an integer or within integer range', 'part-number-marker', String(input.PartNumberMarker));
      }
      const after = marker > 0 ? partKey(upload.uploadId, Math.min(marker, MAX_PART_NUMBER)) : undefined;
      const page = max === 0 ? [] : await c.deps.store.list<PartRecord>(TABLES.parts, { prefix: `${upload.uploadId}/`, after, limit: max + 1 });
      const parts = page.slice(0, max).map((d) => d.value);
      const member = upload.checksumAlgorithm ? checksumMember(upload.checksumAlgorithm) : undefined;
      return {
        Bucket: input.Bucket,
        Key: input.Key,
        UploadId: upload.uploadId,
        PartNumberMarker: marker,
        NextPartNumberMarker: parts.length ? parts[parts.length - 1]!.partNumber : 0,
        MaxParts: max,
        IsTruncated: page.length > max,
        Parts: parts.map((p) => ({
          PartNumber: p.partNumber,
          LastModified: new Date(p.lastModified),
          ETag: p.etag,
          Size: p.size,
          ...(member && p.checksums?.[member] ? { [member]: p.checksums[member] } : {}),
        })),
        Initiator: upload.initiator,
        Owner: { ID: canonicalId(c.deps.accountId) },
        StorageClass: upload.attrs.storageClass ?? 'STANDARD',
        ChecksumAlgorithm: upload.checksumAlgorithm,
      };
    }),

    ListMultipartUploads: s3op(
      c,
      (input: any) => ({
        action: 's3:ListBucketMultipartUploads',
        bucket: input.Bucket,
        conditions: Object.fromEntries(Object.entries({ 's3:prefix': input.Prefix, 's3:delimiter': input.Delimiter, 's3:max-uploads': input.MaxUploads?.toString() }).filter(([, v]) => v !== undefined)) as Record<string, string>,
      }),
      async (input) => {
        await c.db.requireBucket(input.Bucket);
        const bucket: string = input.Bucket;
        const prefix: string = input.Prefix ?? '';
        const delimiter: string | undefined = input.Delimiter || undefined;
        const max = countOf(input.MaxUploads, 'max-uploads');
        const encode = encodingOf(input.EncodingType);
        const keyMarker: string = input.KeyMarker ?? '';
        // S3 ignores an upload-id marker that comes without a key marker.
        const uploadIdMarker: string = keyMarker ? (input.UploadIdMarker ?? '') : '';
        const base = `${bucket}/`;
        let cursor: string | undefined;
        if (keyMarker && uploadIdMarker) {
          const marked = await c.deps.store.get(TABLES.uploads, uploadKey(bucket, keyMarker, uploadIdMarker));
          if (!marked) throw s3Errors.invalidArgument('Invalid uploadId marker', 'upload-id-marker', uploadIdMarker);
          cursor = marked.key;
        } else if (keyMarker) {
          cursor = `${base}${keyMarker}\u0000${AFTER_ALL}`;
        }

        const entries: Entry[] = [];
        let truncated = false;
        walk: for (;;) {
          const page = await c.deps.store.list<UploadRecord>(TABLES.uploads, { prefix: base + prefix, after: cursor, limit: PAGE });
          if (page.length === 0) break;
          for (const doc of page) {
            cursor = doc.key;
            const key = doc.value.key;
            const at = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
            if (at !== -1) {
              const common = key.slice(0, at + delimiter!.length);
              // Jump past the whole group: it is one entry, or none when the key marker lies within it.
              cursor = base + common + AFTER_ALL;
              if (keyMarker && common <= keyMarker) continue walk;
              if (entries.length >= max) {
                truncated = true;
                break walk;
              }
              entries.push({ prefix: common });
              continue walk;
            }
            if (entries.length >= max) {
              truncated = true;
              break walk;
            }
            entries.push({ upload: doc.value });
          }
          if (page.length < PAGE) break;
        }

        const uploads = entries.flatMap((e) => ('upload' in e ? [e.upload] : []));
        const last = entries[entries.length - 1];
        const lastUpload = uploads[uploads.length - 1];
        const owner = { ID: canonicalId(c.deps.accountId) };
        return {
          Bucket: bucket,
          KeyMarker: encode(keyMarker),
          UploadIdMarker: uploadIdMarker,
          NextKeyMarker: truncated && last && 'prefix' in last ? encode(last.prefix) : lastUpload ? encode(lastUpload.key) : '',
          NextUploadIdMarker: truncated && last && 'prefix' in last ? '' : (lastUpload?.uploadId ?? ''),
          Prefix: input.Prefix === undefined ? undefined : encode(input.Prefix),
          Delimiter: input.Delimiter === undefined ? undefined : encode(input.Delimiter),
          MaxUploads: max,
          IsTruncated: truncated,
          Uploads: uploads.map((u) => ({
            UploadId: u.uploadId,
            Key: encode(u.key),
            Initiated: new Date(u.initiated),
            StorageClass: u.attrs.storageClass ?? 'STANDARD',
            Owner: owner,
            Initiator: u.initiator,
            ChecksumAlgorithm: u.checksumAlgorithm,
          })),
          CommonPrefixes: entries.flatMap((e) => ('prefix' in e ? [{ Prefix: encode(e.prefix) }] : [])),
          EncodingType: input.EncodingType,
        };
      },
    ),
  };
}
