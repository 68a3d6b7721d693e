/**
 * Buckets: create, delete (only when empty), list, head, location,
 * versioning and tags.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/create-bucket-overview.html (defaults
 * for new buckets: Object Ownership BucketOwnerEnforced, all Block Public Access settings on)
 */
import { ServiceError } from '../../core/errors.js';
import { ConditionFailedError } from '../../storage/types.js';
import { s3op } from './access.js';
import { cannedAcl } from './acl.js';
import { ownerOf, type Operations, type S3Context } from './common.js';
import { s3Errors } from './errors.js';
import type { BucketRecord, ObjectOwnership } from './models.js';
import { validateBucketName } from './names.js';
import { TABLES } from './store.js';
import { validateTagSet } from './tags.js';

const OWNERSHIPS = ['BucketOwnerEnforced', 'BucketOwnerPreferred', 'ObjectWriter'];

export function bucketOperations(c: S3Context): Operations {
  const bucketAccess = (action: string) => (input: any) => ({ action, bucket: input.Bucket as string });
  return {
    CreateBucket: s3op(c, bucketAccess('s3:CreateBucket'), async (input, ctx) => {
      const name: string = input.Bucket;
      validateBucketName(name);
      const requested: string | undefined = input.CreateBucketConfiguration?.LocationConstraint || undefined;
      if (ctx.region === 'us-east-1' && requested === 'us-east-1') throw s3Errors.invalidLocationConstraint();
      if (ctx.region !== 'us-east-1' && requested !== ctx.region) throw s3Errors.illegalLocationConstraint(ctx.region, requested ?? 'unspecified');
      const ownership = (input.ObjectOwnership ?? 'BucketOwnerEnforced') as ObjectOwnership;
      if (!OWNERSHIPS.includes(ownership)) throw s3Errors.invalidArgument('Invalid x-amz-object-ownership header', 'x-amz-object-ownership', ownership);
      const owner = ownerOf(c.deps.accountId);
      const acl = cannedAcl(input.ACL ?? 'private', owner);
      if (ownership === 'BucketOwnerEnforced' && input.ACL && input.ACL !== 'private' && input.ACL !== 'bucket-owner-full-control') {
        throw new ServiceError('InvalidBucketAclWithObjectOwnership', "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting", { status: 400 });
      }
      const record: BucketRecord = {
        name,
        accountId: c.deps.accountId,
        region: requested ?? 'us-east-1',
        createdAt: new Date().toISOString(),
        owner,
        ownership,
        publicAccessBlock: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
        acl,
      };
      try {
        await c.deps.store.put(TABLES.buckets, name, record, { ifNotExists: true });
      } catch (err) {
        if (!(err instanceof ConditionFailedError)) throw err;
        // us-east-1 keeps S3's legacy answer: re-creating your own bucket there succeeds.
        if (ctx.region === 'us-east-1') return { Location: `/${name}` };
        throw s3Errors.bucketAlreadyOwnedByYou(name);
      }
      return { Location: `/${name}` };
    }),

    DeleteBucket: s3op(c, bucketAccess('s3:DeleteBucket'), async (input) => {
      const doc = await c.db.getBucket(input.Bucket);
      if (!doc) throw s3Errors.noSuchBucket(input.Bucket);
      if (await c.db.hasObjects(input.Bucket)) throw s3Errors.bucketNotEmpty(input.Bucket);
      await c.deps.store.delete(TABLES.buckets, input.Bucket);
      return {};
    }),

    HeadBucket: s3op(c, bucketAccess('s3:ListBucket'), async (input) => {
      const b = await c.db.requireBucket(input.Bucket);
      return { BucketRegion: b.region, AccessPointAlias: false };
    }),

    ListBuckets: s3op(c, () => ({ action: 's3:ListAllMyBuckets' }), async (input) => {
      const prefix: string = input.Prefix ?? '';
      let all = (await c.db.listBuckets()).filter((b) => b.name.startsWith(prefix) && (!input.BucketRegion || b.region === input.BucketRegion));
      if (input.ContinuationToken) {
        const after = Buffer.from(String(input.ContinuationToken), 'base64url').toString('utf8');
        all = all.filter((b) => b.name > after);
      }
      const max = input.MaxBuckets === undefined ? 10_000 : Number(input.MaxBuckets);
      if (!Number.isInteger(max) || max < 1 || max > 10_000) throw s3Errors.invalidArgument('Argument max-buckets must be an integer between 1 and 10000', 'max-buckets', String(input.MaxBuckets));
      const page = all.slice(0, max);
      const more = all.length > max;
      return {
        Buckets: page.map((b) => ({ Name: b.name, CreationDate: new Date(b.createdAt), BucketRegion: b.region })),
        Owner: ownerOf(c.deps.accountId),
        ContinuationToken: more ? Buffer.from(page[page.length - 1]!.name).toString('base64url') : undefined,
        Prefix: input.Prefix,
      };
    }),

    GetBucketLocation: s3op(c, bucketAccess('s3:GetBucketLocation'), async (input) => {
      const b = await c.db.requireBucket(input.Bucket);
      return { LocationConstraint: b.region === 'us-east-1' ? undefined : b.region };
    }),

    PutBucketVersioning: s3op(c, bucketAccess('s3:PutBucketVersioning'), async (input) => {
      const status = input.VersioningConfiguration?.Status;
      if (status !== 'Enabled' && status !== 'Suspended') throw s3Errors.malformedXml();
      await c.db.updateBucket(input.Bucket, (b) => {
        b.versioning = status;
        const mfa = input.VersioningConfiguration?.MFADelete;
        if (mfa === 'Enabled') throw s3Errors.invalidRequest('DevPay and Mfa are mutually exclusive authorization methods.');
        if (mfa === 'Disabled') b.mfaDelete = 'Disabled';
      });
      return {};
    }),

    GetBucketVersioning: s3op(c, bucketAccess('s3:GetBucketVersioning'), async (input) => {
      const b = await c.db.requireBucket(input.Bucket);
      return { Status: b.versioning, MFADelete: b.versioning ? b.mfaDelete : undefined };
    }),

    PutBucketTagging: s3op(c, bucketAccess('s3:PutBucketTagging'), async (input) => {
      const tags = validateTagSet(input.Tagging?.TagSet, 50);
      await c.db.updateBucket(input.Bucket, (b) => {
        b.tags = tags;
      });
      return {};
    }),

    GetBucketTagging: s3op(c, bucketAccess('s3:GetBucketTagging'), async (input) => {
      const b = await c.db.requireBucket(input.Bucket);
      if (!b.tags || b.tags.length === 0) throw s3Errors.noSuchTagSet(input.Bucket);
      return { TagSet: b.tags };
    }),

    DeleteBucketTagging: s3op(c, bucketAccess('s3:PutBucketTagging'), async (input) => {
      await c.db.updateBucket(input.Bucket, (b) => {
        delete b.tags;
      });
      return {};
    }),
  };
}
