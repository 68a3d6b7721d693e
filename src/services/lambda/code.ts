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
export async function storeZip(blobs: BlobStore, owner: { accountId: string; region: string; name: string }, zip: Buffer): Promise<CodeRecord> {
  if (zip.length > CODE_SIZE_ZIPPED) throw tooLarge(`Zipped size must be smaller than ${CODE_SIZE_ZIPPED} bytes`);
  const summary = await inspectZip(zip);
  if (summary.unzippedSize > CODE_SIZE_UNZIPPED) throw invalidParameter(`Unzipped size must be smaller than ${CODE_SIZE_UNZIPPED} bytes`);
  // A fresh key per upload: versions keep their own blob, and no two uploads race on one key.
  const blobKey = `lambda/${owner.accountId}/${owner.region}/${owner.name}/${randomUUID()}.zip`;
  await blobs.write(blobKey, zip);
  return { blobKey, sha256: sha256Base64(zip), size: zip.length, unzippedSize: summary.unzippedSize };
}

/** Code from S3 needs the S3 service, which Stratus does not have yet. */
export function s3CodeUnsupported(): Error {
  return invalidParameter('Stratus cannot read function code from S3 yet (Code.S3Bucket/S3Key): it has no S3 service so far. Upload the package as ZipFile instead.');
}
