/**
 * Deployment packages: Lambda checks a .zip when it receives it (a package
 * that does not unzip, or that unzips beyond 250 MB, is refused at once),
 * reports its SHA-256 in base64 as CodeSha256, and keeps it for GetFunction's
 * download link. Validation reads the zip's central directory with yauzl (the
 * library the engine unpacks with), which holds every entry's uncompressed size.
 * https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 */
import { createHash, randomUUID } from 'node:crypto';
import yauzl from 'yauzl';
import type { Principal } from '../../core/context.js';
import { isServiceError } from '../../core/errors.js';
import type { BlobStore } from '../../storage/types.js';
import { invalidParameter, tooLarge } from './errors.js';
import type { CodeRecord } from './models.js';

export const CODE_SIZE_ZIPPED = 52_428_800;
export const CODE_SIZE_UNZIPPED = 262_144_000;

export interface ZipSummary {
  entries: number;
  unzippedSize: number;
  names: string[];
}

function unzipError(): Error {
  return invalidParameter('Could not unzip uploaded file. Please check your file, then try to upload again.');
}

/** Lists a zip's entries from its central directory; throws Lambda's error when it is not a readable zip. */
export function inspectZip(buf: Buffer): Promise<ZipSummary> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buf, { lazyEntries: true, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) return reject(unzipError());
      const summary: ZipSummary = { entries: 0, unzippedSize: 0, names: [] };
      zip.on('entry', (entry: yauzl.Entry) => {
        summary.entries++;
        summary.unzippedSize += entry.uncompressedSize;
        summary.names.push(entry.fileName);
        zip.readEntry();
      });
      zip.once('end', () => resolve(summary));
      zip.once('error', () => reject(unzipError()));
      zip.readEntry();
    });
  });
}

export function sha256Base64(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('base64');
}

/** Checks a ZipFile against Lambda's limits and stores it; the caller owns the returned blob. */
export async function storeZip(blobs: BlobStore, owner: { accountId: string; region: string; name: string }, zip: Buffer, fromS3 = false): Promise<CodeRecord> {
  if (!fromS3 && zip.length > CODE_SIZE_ZIPPED) throw tooLarge(`Zipped size must be smaller than ${CODE_SIZE_ZIPPED} bytes`);
  const summary = await inspectZip(zip);
  if (summary.unzippedSize > CODE_SIZE_UNZIPPED) throw invalidParameter(`Unzipped size must be smaller than ${CODE_SIZE_UNZIPPED} bytes`);
  // A fresh key per upload: versions keep their own blob, and no two uploads race on one key.
  const blobKey = `lambda/${owner.accountId}/${owner.region}/${owner.name}/${randomUUID()}.zip`;
  await blobs.write(blobKey, zip);
  return { blobKey, sha256: sha256Base64(zip), size: zip.length, unzippedSize: summary.unzippedSize };
}

/** S3 as Lambda reads deployment packages from it, with the caller's own credentials. */
export interface CodeObjects {
  /** The object's bytes, or S3's error (a ServiceError with S3's code) when the caller may not read it or it is missing. */
  read(principal: Principal, location: { bucket: string; key: string; versionId?: string }, maxBytes: number): Promise<Buffer>;
}

/**
 * Fetches Code.S3Bucket/S3Key(/S3ObjectVersion) as the caller, and words S3's refusal the
 * way Lambda does (InvalidParameterValueException with S3's code inside the message).
 * A package from S3 may exceed the 50 MB ZipFile limit; only the unzipped limit applies.
 */
export async function zipFromS3(objects: CodeObjects | undefined, principal: Principal, code: { S3Bucket?: string; S3Key?: string; S3ObjectVersion?: string }): Promise<Buffer> {
  if (!objects) throw invalidParameter('Stratus was started without S3, so Code.S3Bucket/S3Key cannot be read. Upload the package as ZipFile instead.');
  const bucket = code.S3Bucket ?? '';
  const key = code.S3Key ?? '';
  try {
    return await objects.read(principal, { bucket, key, ...(code.S3ObjectVersion ? { versionId: code.S3ObjectVersion } : {}) }, CODE_SIZE_UNZIPPED);
  } catch (err) {
    if (!isServiceError(err)) throw err;
    if (err.code === 'AccessDenied') {
      throw invalidParameter(`Your access has been denied by S3, please make sure your request credentials have permission to GetObject for ${bucket}/${key}. S3 Error Code: AccessDenied. S3 Error Message: Access Denied`);
    }
    if (err.code === 'EntityTooLarge') throw invalidParameter(`Unzipped size must be smaller than ${CODE_SIZE_UNZIPPED} bytes`);
    throw invalidParameter(`Error occurred while GetObject. S3 Error Code: ${err.code}. S3 Error Message: ${err.message}`);
  }
}
