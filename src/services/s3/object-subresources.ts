/**
 * Object subresources: tags, ACLs and GetObjectAttributes. Tags and ACLs are
 * rewritten in the version's record (store.updateVersion), never in its
 * bytes, and raise the s3:ObjectTagging:* / s3:ObjectAcl:Put notifications in
 * the same transaction.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectTagging.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectAcl.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectAttributes.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectAttributesParts.html (Parts are
 * listed only for objects with additional checksums per part, which Stratus does not keep)
 * IAM actions: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
 */
import type { RequestContext } from '../../core/context.js';
import type { OperationSpec } from '../types.js';
import { authorizeS3, s3op, type S3Access } from './access.js';
import { aclToPut, effectiveAcl } from './bucket-config.js';
import { objectArn, type Operations, type S3Context } from './common.js';
import { s3Errors } from './errors.js';
import { eventOps } from './events.js';
import type { ObjectVersion } from './models.js';
import { readableVersion } from './objects.js';
import { validateTagSet } from './tags.js';

const OBJECT_ATTRIBUTES = ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'];

interface ObjectInput {
  Bucket: string;
  Key: string;
  VersionId?: string;
}

export function objectSubresourceOperations(c: S3Context): Operations {
  /** `action`, or `versionedAction` when the request names a version (s3:PutObjectVersionTagging...). */
  const objectAccess =
    (action: string, versionedAction: string) =>
    (input: any): S3Access => ({
      action: input.VersionId !== undefined ? versionedAction : action,
      bucket: input.Bucket,
      key: input.Key,
      conditions: input.ACL ? { 's3:x-amz-acl': input.ACL } : undefined,
      objectAcl: async () => (await c.db.findVersion(input.Bucket, input.Key, input.VersionId))?.acl,
    });

  /** Rewrites the named version and queues `eventName` for it in the same commit. */
  const rewrite = async (input: ObjectInput, ctx: RequestContext, method: string, eventName: string, mutate: (v: ObjectVersion) => void) => {
    const bucket = await c.db.requireBucket(input.Bucket);
    await readableVersion(c, input.Bucket, input.Key, input.VersionId, method);
    const v = await c.db.updateVersion(input.Bucket, input.Key, input.VersionId, mutate, (updated) => eventOps(c, bucket, eventName, input.Key, updated, ctx));
    c.deps.lambda?.notifyQueued();
    return { version: v, versioned: bucket.versioning !== undefined };
  };

  /**
   * GetObjectAttributes needs two permissions: s3:GetObject and
   * s3:GetObjectAttributes, or for a named version s3:GetObjectVersion and
   * s3:GetObjectVersionAttributes.
   */
  const attributesSpec: OperationSpec = {
    authorization: 'custom',
    authorize: async (input: ObjectInput, ctx) => {
      await authorizeS3(c, ctx, objectAccess('s3:GetObject', 's3:GetObjectVersion')(input));
      await authorizeS3(c, ctx, objectAccess('s3:GetObjectAttributes', 's3:GetObjectVersionAttributes')(input));
    },
    handler: async (input) => {
      const wanted: string[] = Array.isArray(input.ObjectAttributes) ? input.ObjectAttributes : [];
      const bad = wanted.length === 0 ? '' : wanted.find((a) => !OBJECT_ATTRIBUTES.includes(a));
      if (bad !== undefined) throw s3Errors.invalidArgument('Invalid attribute name specified.', 'x-amz-object-attributes', bad);
      const bucket = await c.db.requireBucket(input.Bucket);
      const v = await readableVersion(c, input.Bucket, input.Key, input.VersionId, 'GET');
      const want = new Set(wanted);
      const out: Record<string, unknown> = { LastModified: new Date(v.lastModified), VersionId: bucket.versioning !== undefined ? v.versionId : undefined };
      if (want.has('ETag')) out.ETag = v.etag?.replace(/"/g, '');
      // A composite checksum is shown without the `-<parts>` suffix HeadObject gives it.
      if (want.has('Checksum') && v.checksums && Object.keys(v.checksums).length) {
        out.Checksum = Object.fromEntries(Object.entries(v.checksums).map(([k, value]) => [k, value.replace(/-\d+$/, '')]));
      }
      if (want.has('ObjectParts') && v.parts) out.ObjectParts = { TotalPartsCount: v.parts.length };
      if (want.has('StorageClass')) out.StorageClass = v.storageClass ?? 'STANDARD';
      if (want.has('ObjectSize')) out.ObjectSize = v.size;
      return out;
    },
  };

  return {
    PutObjectTagging: s3op(c, objectAccess('s3:PutObjectTagging', 's3:PutObjectVersionTagging'), async (input, ctx) => {
      const tags = validateTagSet(input.Tagging?.TagSet, 10);
      const { version, versioned } = await rewrite(input, ctx, 'PUT', 'ObjectTagging:Put', (v) => {
        if (tags.length) v.tags = tags;
        else delete v.tags;
      });
      return { VersionId: versioned ? version.versionId : undefined };
    }),

    GetObjectTagging: s3op(c, objectAccess('s3:GetObjectTagging', 's3:GetObjectVersionTagging'), async (input) => {
      const bucket = await c.db.requireBucket(input.Bucket);
      const v = await readableVersion(c, input.Bucket, input.Key, input.VersionId, 'GET');
      return { TagSet: v.tags ?? [], VersionId: bucket.versioning !== undefined ? v.versionId : undefined };
    }),

    DeleteObjectTagging: s3op(c, objectAccess('s3:DeleteObjectTagging', 's3:DeleteObjectVersionTagging'), async (input, ctx) => {
      const { version, versioned } = await rewrite(input, ctx, 'DELETE', 'ObjectTagging:Delete', (v) => {
        delete v.tags;
      });
      return { VersionId: versioned ? version.versionId : undefined };
    }),

    PutObjectAcl: s3op(c, objectAccess('s3:PutObjectAcl', 's3:PutObjectVersionAcl'), async (input, ctx) => {
      const bucket = await c.db.requireBucket(input.Bucket);
      const current = await readableVersion(c, input.Bucket, input.Key, input.VersionId, 'PUT');
      const action = input.VersionId !== undefined ? 's3:PutObjectVersionAcl' : 's3:PutObjectAcl';
      const acl = aclToPut(c, ctx, bucket, input, { owner: current.owner, forObject: true, action, resource: objectArn(input.Bucket, input.Key) });
      if (!acl) return {};
      await rewrite(input, ctx, 'PUT', 'ObjectAcl:Put', (v) => {
        v.acl = acl;
      });
      return {};
    }),

    GetObjectAcl: s3op(c, objectAccess('s3:GetObjectAcl', 's3:GetObjectVersionAcl'), async (input) => {
      const bucket = await c.db.requireBucket(input.Bucket);
      const v = await readableVersion(c, input.Bucket, input.Key, input.VersionId, 'GET');
      const acl = effectiveAcl(bucket, v.acl, v.owner);
      return { Owner: acl.Owner, Grants: acl.Grants };
    }),

    GetObjectAttributes: attributesSpec,
  };
}
