/**
 * Deletes, with versioning's rules: without a version id an unversioned
 * bucket drops the object, an Enabled bucket adds a delete marker and a
 * Suspended one makes the delete marker the null version; with a version id
 * that version goes for good.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/DeletingObjectVersions.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html
 */
import type { RequestContext } from '../../core/context.js';
import { ServiceError } from '../../core/errors.js';
import { authorizeS3, s3op } from './access.js';
import { ownerOf, type Operations, type S3Context } from './common.js';
import { s3Errors } from './errors.js';
import { eventOps } from './events.js';

export interface DeleteResult {
  DeleteMarker?: boolean;
  VersionId?: string;
}

export async function deleteObject(c: S3Context, bucketName: string, key: string, versionId: string | undefined, ctx: RequestContext): Promise<DeleteResult> {
  const bucket = await c.db.requireBucket(bucketName);
  if (versionId !== undefined) {
    const removed = await c.db.deleteVersion(bucketName, key, versionId, (v, b) => eventOps(c, b, 'ObjectRemoved:Delete', key, v, ctx));
    c.deps.lambda?.notifyQueued();
    if (!removed) {
      if (versionId !== 'null' && !/^[A-Za-z0-9._-]{32}$/.test(versionId)) throw s3Errors.invalidArgument('Invalid version id specified', 'versionId', versionId);
      return { VersionId: versionId };
    }
    return { VersionId: versionId, DeleteMarker: removed.deleteMarker ? true : undefined };
  }
  if (!bucket.versioning) {
    const current = await c.db.findVersion(bucketName, key);
    if (current) await c.db.deleteVersion(bucketName, key, current.versionId, (v, b) => eventOps(c, b, 'ObjectRemoved:Delete', key, v, ctx));
    c.deps.lambda?.notifyQueued();
    return {};
  }
  const { version } = await c.db.commitVersion(bucketName, key, { deleteMarker: true, size: 0, chunks: [], owner: ownerOf(c.deps.accountId) }, (v, b) =>
    eventOps(c, b, 'ObjectRemoved:DeleteMarkerCreated', key, v, ctx),
  );
  c.deps.lambda?.notifyQueued();
  return { DeleteMarker: true, VersionId: version.versionId };
}

export function deleteOperations(c: S3Context): Operations {
  return {
    DeleteObject: s3op(
      c,
      (input: any) => ({ action: input.VersionId !== undefined ? 's3:DeleteObjectVersion' : 's3:DeleteObject', bucket: input.Bucket, key: input.Key }),
      (input, ctx) => deleteObject(c, input.Bucket, input.Key, input.VersionId, ctx),
    ),

    // Each key is authorized on its own, and a refusal is reported in Errors, not for the whole call.
    DeleteObjects: s3op(
      c,
      (input: any) => ({ action: 's3:DeleteObject', bucket: input.Bucket, deferred: true }),
      async (input, ctx) => {
        await c.db.requireBucket(input.Bucket);
        const objects: Array<{ Key: string; VersionId?: string }> = input.Delete?.Objects ?? [];
        if (objects.length === 0 || objects.length > 1000) throw s3Errors.malformedXml();
        const quiet = input.Delete?.Quiet === true;
        const Deleted: unknown[] = [];
        const Errors: unknown[] = [];
        for (const o of objects) {
          try {
            await authorizeS3(c, ctx, { action: o.VersionId !== undefined ? 's3:DeleteObjectVersion' : 's3:DeleteObject', bucket: input.Bucket, key: o.Key });
            const r = await deleteObject(c, input.Bucket, o.Key, o.VersionId, ctx);
            if (!quiet) Deleted.push({ Key: o.Key, VersionId: o.VersionId, DeleteMarker: r.DeleteMarker, DeleteMarkerVersionId: o.VersionId === undefined && r.DeleteMarker ? r.VersionId : undefined });
          } catch (err) {
            if (!(err instanceof ServiceError)) throw err;
            Errors.push({ Key: o.Key, VersionId: o.VersionId, Code: err.code, Message: err.message });
          }
        }
        return { Deleted: Deleted.length ? Deleted : undefined, Errors: Errors.length ? Errors : undefined };
      },
    ),
  };
}
