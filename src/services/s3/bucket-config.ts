/**
 * Bucket access configuration: the bucket policy, the bucket ACL, Object
 * Ownership and Block Public Access. CORS, website, notification and
 * encryption settings live in bucket-settings.ts and are merged in here.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketAcl.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketOwnershipControls.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutPublicAccessBlock.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
 * IAM actions: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
 *
 * Refusals for Block Public Access carry the wording S3 sends, e.g.
 * `User: arn:aws:iam::123456789012:user/u is not authorized to perform:
 * s3:PutBucketPolicy on resource: "arn:aws:s3:::b" because public policies
 * are blocked by the BlockPublicPolicy block public access setting.`
 */
import type { RequestContext } from '../../core/context.js';
import { ServiceError } from '../../core/errors.js';
import type { OperationSpec } from '../types.js';
import { authorizeS3, s3op } from './access.js';
import { aclFromPolicy, aclFromRequest, EC2_BUNDLE_READER, hasGrantHeaders, isPublicAcl, type Acl, type GranteeResolver } from './acl.js';
import { bucketSettingsOperations } from './bucket-settings.js';
import { bucketArn, ownerOf, type Operations, type S3Context } from './common.js';
import { s3Errors } from './errors.js';
import type { BucketRecord, ObjectOwnership, Owner, PublicAccessBlock, StoredAcl } from './models.js';
import { isPublicPolicy, validateBucketPolicyShape } from './public-policy.js';

/** "Bucket policies are limited to 20 KB in size", counted as S3 does, without insignificant whitespace. */
const MAX_POLICY_BYTES = 20 * 1024;
const OWNERSHIPS: readonly string[] = ['BucketOwnerEnforced', 'BucketOwnerPreferred', 'ObjectWriter'];

/**
 * A bucket whose ownership controls were deleted behaves as ObjectWriter (the
 * pre-2023 default) but GetBucketOwnershipControls reports none.
 * TODO(models.ts): move this flag into BucketRecord.
 */
export type ConfigBucket = BucketRecord & { noOwnershipControls?: boolean };

const BPA_REASONS = {
  BlockPublicPolicy: 'public policies are blocked by the BlockPublicPolicy block public access setting.',
  BlockPublicAcls: 'public access control lists (ACLs) are blocked by the BlockPublicAcls block public access setting.',
} as const;

/** The AccessDenied S3 answers when a Block Public Access setting refuses a write. */
export function blockedByPublicAccess(ctx: RequestContext, action: string, resource: string, setting: keyof typeof BPA_REASONS): ServiceError {
  if (ctx.principal.type === 'anonymous') return s3Errors.accessDenied();
  return s3Errors.accessDenied(`User: ${ctx.principal.arn} is not authorized to perform: ${action} on resource: "${resource}" because ${BPA_REASONS[setting]}`);
}

/** Canonical ids an ACL may name: this account's, the EC2 bundle reader's, or any well-formed one (other accounts). */
export function granteeResolver(accountId: string): GranteeResolver {
  const self = ownerOf(accountId);
  return {
    resolveId: (id) => {
      if (id === self.ID) return self;
      if (id === EC2_BUNDLE_READER.ID) return EC2_BUNDLE_READER;
      return /^[0-9a-fA-F]{64}$/.test(id) ? { ID: id } : undefined;
    },
  };
}

/** An ACL that grants its owner FULL_CONTROL and nothing else: all Object Ownership BucketOwnerEnforced accepts. */
function ownerOnly(acl: Acl, owner: Owner): boolean {
  return acl.Grants.length === 1 && acl.Grants[0]!.Permission === 'FULL_CONTROL' && acl.Grants[0]!.Grantee.Type === 'CanonicalUser' && acl.Grants[0]!.Grantee.ID === owner.ID;
}

/**
 * The ACL a PutBucketAcl / PutObjectAcl asks for, from its AccessControlPolicy
 * body or its x-amz-acl / x-amz-grant-* headers, checked against Object
 * Ownership and Block Public Access. Undefined: ACLs are disabled and the
 * request only restated the owner's full control, so nothing changes.
 */
export function aclToPut(
  c: S3Context,
  ctx: RequestContext,
  bucket: ConfigBucket,
  input: Record<string, any>,
  target: { owner: Owner; forObject: boolean; action: string; resource: string },
): StoredAcl | undefined {
  const body = input.AccessControlPolicy;
  const headers = input.ACL !== undefined || hasGrantHeaders(input);
  if (body !== undefined && headers) throw new ServiceError('UnexpectedContent', 'This request does not support content.', { status: 400 });
  if (body === undefined && !headers) {
    throw new ServiceError('MissingSecurityHeader', 'Your request was missing a required header', { status: 400, fields: { MissingHeaderName: 'x-amz-acl' } });
  }
  const resolver = granteeResolver(c.deps.accountId);
  const parsed = body !== undefined ? aclFromPolicy(body, resolver) : aclFromRequest(input, target.owner, bucket.owner, target.forObject, resolver);
  // The stored owner is the resource's: the body's Owner element only names it.
  const acl: Acl = { Owner: target.owner, Grants: parsed.Grants };
  if (bucket.ownership === 'BucketOwnerEnforced') {
    const restated = body !== undefined ? ownerOnly(acl, bucket.owner) : input.ACL === 'bucket-owner-full-control' || (!target.forObject && input.ACL === 'private');
    if (!restated) throw s3Errors.aclNotSupported();
    return undefined;
  }
  if (bucket.publicAccessBlock?.BlockPublicAcls && isPublicAcl(acl)) throw blockedByPublicAccess(ctx, target.action, target.resource, 'BlockPublicAcls');
  return acl as StoredAcl;
}

/** What GetBucketAcl / GetObjectAcl show: with ACLs disabled, only the bucket owner's full control. */
export function effectiveAcl(bucket: BucketRecord, acl: StoredAcl | undefined, owner: Owner): StoredAcl {
  if (bucket.ownership !== 'BucketOwnerEnforced' && acl) return acl;
  const o = bucket.ownership === 'BucketOwnerEnforced' ? bucket.owner : owner;
  return { Owner: o, Grants: [{ Grantee: { Type: 'CanonicalUser', ...o }, Permission: 'FULL_CONTROL' }] };
}

function policySize(policy: string): number {
  try {
    return Buffer.byteLength(JSON.stringify(JSON.parse(policy)), 'utf8');
  } catch {
    return Buffer.byteLength(policy, 'utf8');
  }
}

export function bucketConfigOperations(c: S3Context): Operations {
  const bucketAccess = (action: string) => (input: any) => ({ action, bucket: input.Bucket as string });

  /**
   * The bucket policy operations: "the root user of the AWS account that owns
   * a bucket can always use this operation, even if the policy explicitly
   * denies the root user the ability to perform this action", so a bad
   * policy cannot lock the owner out for good.
   */
  const policyOp = (action: string, handler: OperationSpec['handler']): OperationSpec => ({
    authorization: 'custom',
    authorize: async (input, ctx) => {
      if (ctx.principal.type === 'root' && ctx.principal.accountId === c.deps.accountId) return;
      await authorizeS3(c, ctx, { action, bucket: input.Bucket });
    },
    handler,
  });

  return {
    PutBucketPolicy: policyOp('s3:PutBucketPolicy', async (input, ctx) => {
      const bucket = await c.db.requireBucket(input.Bucket);
      const policy = typeof input.Policy === 'string' ? input.Policy : '';
      if (policy === '') throw new ServiceError('MissingRequestBodyError', 'Request body is empty.', { status: 400 });
      if (policySize(policy) > MAX_POLICY_BYTES) throw new ServiceError('MalformedPolicy', 'Policy exceeds the maximum allowed document size.', { status: 400 });
      validateBucketPolicyShape(policy, input.Bucket);
      if (bucket.publicAccessBlock?.BlockPublicPolicy && isPublicPolicy(policy)) {
        throw blockedByPublicAccess(ctx, 's3:PutBucketPolicy', bucketArn(input.Bucket), 'BlockPublicPolicy');
      }
      await c.db.updateBucket(input.Bucket, (b) => {
        b.policy = policy;
      });
      return {};
    }),

    GetBucketPolicy: policyOp('s3:GetBucketPolicy', async (input) => {
      const b = await c.db.requireBucket(input.Bucket);
      if (b.policy === undefined) throw s3Errors.noSuchConfiguration('NoSuchBucketPolicy', 'The bucket policy does not exist', input.Bucket);
      return { Policy: b.policy };
    }),

    DeleteBucketPolicy: policyOp('s3:DeleteBucketPolicy', async (input) => {
      await c.db.updateBucket(input.Bucket, (b) => {
        delete b.policy;
      });
      return {};
    }),

    GetBucketPolicyStatus: s3op(c, bucketAccess('s3:GetBucketPolicyStatus'), async (input) => {
      const b = await c.db.requireBucket(input.Bucket);
      if (b.policy === undefined) throw s3Errors.noSuchConfiguration('NoSuchBucketPolicy', 'The bucket policy does not exist', input.Bucket);
      return { PolicyStatus: { IsPublic: isPublicPolicy(b.policy) } };
    }),

    PutBucketAcl: s3op(
      c,
      (input: any) => ({ action: 's3:PutBucketAcl', bucket: input.Bucket, conditions: input.ACL ? { 's3:x-amz-acl': input.ACL } : undefined }),
      async (input, ctx) => {
        const bucket: ConfigBucket = await c.db.requireBucket(input.Bucket);
        const acl = aclToPut(c, ctx, bucket, input, { owner: bucket.owner, forObject: false, action: 's3:PutBucketAcl', resource: bucketArn(input.Bucket) });
        if (!acl) return {};
        await c.db.updateBucket(input.Bucket, (b) => {
          if (b.ownership === 'BucketOwnerEnforced') throw s3Errors.aclNotSupported();
          b.acl = acl;
        });
        return {};
      },
    ),

    GetBucketAcl: s3op(c, bucketAccess('s3:GetBucketAcl'), async (input) => {
      const b = await c.db.requireBucket(input.Bucket);
      const acl = effectiveAcl(b, b.acl, b.owner);
      return { Owner: acl.Owner, Grants: acl.Grants };
    }),

    PutBucketOwnershipControls: s3op(c, bucketAccess('s3:PutBucketOwnershipControls'), async (input) => {
      await c.db.requireBucket(input.Bucket);
      const rules = input.OwnershipControls?.Rules;
      if (!Array.isArray(rules) || rules.length !== 1 || !OWNERSHIPS.includes(rules[0]?.ObjectOwnership)) throw s3Errors.malformedXml();
      const ownership = rules[0].ObjectOwnership as ObjectOwnership;
      await c.db.updateBucket(input.Bucket, (b: ConfigBucket) => {
        // ACLs must be migrated to policies before they are disabled: a bucket ACL that grants anyone else blocks the switch.
        const othersGranted = b.acl.Grants.some((g) => !(g.Grantee.Type === 'CanonicalUser' && g.Grantee.ID === b.owner.ID));
        if (ownership === 'BucketOwnerEnforced' && othersGranted) {
          throw new ServiceError('InvalidBucketAclWithObjectOwnership', "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting", { status: 400 });
        }
        b.ownership = ownership;
        delete b.noOwnershipControls;
      });
      return {};
    }),

    GetBucketOwnershipControls: s3op(c, bucketAccess('s3:GetBucketOwnershipControls'), async (input) => {
      const b: ConfigBucket = await c.db.requireBucket(input.Bucket);
      if (b.noOwnershipControls) throw s3Errors.noSuchConfiguration('OwnershipControlsNotFoundError', 'The bucket ownership controls were not found', input.Bucket);
      return { OwnershipControls: { Rules: [{ ObjectOwnership: b.ownership }] } };
    }),

    DeleteBucketOwnershipControls: s3op(c, bucketAccess('s3:PutBucketOwnershipControls'), async (input) => {
      await c.db.updateBucket(input.Bucket, (b: ConfigBucket) => {
        b.ownership = 'ObjectWriter';
        b.noOwnershipControls = true;
      });
      return {};
    }),

    PutPublicAccessBlock: s3op(c, bucketAccess('s3:PutBucketPublicAccessBlock'), async (input) => {
      await c.db.requireBucket(input.Bucket);
      const cfg = input.PublicAccessBlockConfiguration;
      if (typeof cfg !== 'object' || cfg === null) throw s3Errors.malformedXml();
      const block: PublicAccessBlock = {
        BlockPublicAcls: cfg.BlockPublicAcls === true,
        IgnorePublicAcls: cfg.IgnorePublicAcls === true,
        BlockPublicPolicy: cfg.BlockPublicPolicy === true,
        RestrictPublicBuckets: cfg.RestrictPublicBuckets === true,
      };
      await c.db.updateBucket(input.Bucket, (b) => {
        b.publicAccessBlock = block;
      });
      return {};
    }),

    GetPublicAccessBlock: s3op(c, bucketAccess('s3:GetBucketPublicAccessBlock'), async (input) => {
      const b = await c.db.requireBucket(input.Bucket);
      if (!b.publicAccessBlock) {
        throw s3Errors.noSuchConfiguration('NoSuchPublicAccessBlockConfiguration', 'The public access block configuration was not found', input.Bucket);
      }
      return { PublicAccessBlockConfiguration: { ...b.publicAccessBlock } };
    }),

    DeletePublicAccessBlock: s3op(c, bucketAccess('s3:PutBucketPublicAccessBlock'), async (input) => {
      await c.db.updateBucket(input.Bucket, (b) => {
        delete b.publicAccessBlock;
      });
      return {};
    }),

    ...bucketSettingsOperations(c),
  };
}
