/**
 * Who may do what to a bucket or object, decided as S3 decides it:
 *   1. the caller's identity policies and the bucket policy, through the
 *      core's evaluation engine (an explicit Deny anywhere is final);
 *   2. failing an Allow, the bucket's or object's ACL, unless Object
 *      Ownership is BucketOwnerEnforced (ACLs disabled, the default);
 *   3. Block Public Access: IgnorePublicAcls discards ACL grants to AllUsers
 *      and AuthenticatedUsers; RestrictPublicBuckets discards what a public
 *      bucket policy grants to anyone outside the account.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/how-s3-evaluates-access-control.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
 */
import type { RequestContext } from '../../core/context.js';
import { aclAllows, aclCheckFor } from './acl.js';
import { bucketArn, objectArn, type S3Context } from './common.js';
import type { OperationSpec } from '../types.js';
import { s3Errors } from './errors.js';
import type { BucketRecord, StoredAcl } from './models.js';
import { isPublicPolicy } from './public-policy.js';

export interface S3Access {
  /** The IAM action, e.g. s3:GetObject. */
  action: string;
  bucket?: string;
  key?: string;
  /** s3:prefix, s3:x-amz-acl and other request condition keys. */
  conditions?: Record<string, string | string[]>;
  /** The object's ACL, for object-level permissions; loaded only when policies did not allow. */
  objectAcl?: () => Promise<StoredAcl | undefined>;
  /** The handler authorizes each item itself (DeleteObjects reports refusals per key). */
  deferred?: boolean;
}

export async function authorizeS3(c: S3Context, ctx: RequestContext, access: S3Access): Promise<void> {
  if (access.deferred) return;
  const principal = ctx.principal;
  const anonymous = principal.type === 'anonymous';
  const bucket = access.bucket ? (await c.db.getBucket(access.bucket))?.value : undefined;
  // A missing bucket is the handler's to report (NoSuchBucket), as S3 does for anyone who could have seen it.
  if (access.bucket && !bucket && (anonymous || access.action === 's3:CreateBucket')) return;
  const resource = access.key !== undefined && access.bucket ? objectArn(access.bucket, access.key) : access.bucket ? bucketArn(access.bucket) : '*';
  const policy = bucket?.policy;
  const result = await c.deps.authorizer.authorize({
    principal,
    action: access.action,
    resources: [resource],
    resourceAccountId: c.deps.accountId,
    context: {
      'aws:SourceIp': ctx.sourceIp,
      'aws:SecureTransport': String(ctx.secureTransport),
      'aws:RequestedRegion': ctx.region,
      'aws:UserAgent': ctx.userAgent,
      's3:authType': anonymous ? undefined : 'REST-HEADER',
      's3:signatureversion': anonymous ? undefined : 'AWS4-HMAC-SHA256',
      ...access.conditions,
    },
    resourcePolicy: policy ? async () => policy : undefined,
  });
  if (result.allowed) {
    const bpa = bucket?.publicAccessBlock;
    const outsider = anonymous || principal.accountId !== c.deps.accountId;
    if (!(outsider && bpa?.RestrictPublicBuckets && policy && isPublicPolicy(policy))) return;
  } else if (result.explicit) {
    throw s3Errors.accessDenied(anonymous ? 'Access Denied' : s3Message(result.message, resource));
  }
  if (bucket && (await aclGrants(bucket, access, anonymous, principal.accountId === c.deps.accountId))) return;
  throw s3Errors.accessDenied(anonymous || result.allowed ? 'Access Denied' : s3Message(result.message, resource));
}

/** S3 quotes the resource in its enhanced AccessDenied messages: `on resource: "arn:aws:s3:::b" because ...`. */
function s3Message(message: string, resource: string): string {
  return message.replace(`on resource: ${resource}`, `on resource: "${resource}"`);
}

async function aclGrants(bucket: BucketRecord, access: S3Access, anonymous: boolean, sameAccount: boolean): Promise<boolean> {
  if (bucket.ownership === 'BucketOwnerEnforced') return false;
  const check = aclCheckFor(access.action);
  if (!check) return false;
  const acl = check.on === 'object' && access.key !== undefined ? await access.objectAcl?.() : bucket.acl;
  if (!acl) return false;
  const who = { anonymous, authenticated: !anonymous, canonicalId: sameAccount ? bucket.owner.ID : undefined };
  return aclAllows(acl, who, check.permission, { ignorePublicGrants: bucket.publicAccessBlock?.IgnorePublicAcls === true });
}

/** An S3 operation: authorized by `authorizeS3` with the access `describe` derives from the input. */
export function s3op<I = any, O = any>(
  c: S3Context,
  describe: (input: I, ctx: RequestContext) => S3Access,
  handler: (input: I, ctx: RequestContext) => Promise<O | undefined> | O | undefined,
): OperationSpec<I, O> {
  return { authorization: 'custom', authorize: (input, ctx) => authorizeS3(c, ctx, describe(input, ctx)), handler };
}
