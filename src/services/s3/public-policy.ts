/**
 * Bucket policies as S3 (not IAM) sees them: the extra checks PutBucketPolicy
 * makes on top of the resource-policy grammar, and Block Public Access's
 * test of whether a policy is "public".
 *
 * Public: https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status
 * S3 starts from "public" and looks for a reason to call each Allow statement
 * non-public: a principal made only of fixed values (no wildcard, no policy
 * variable), or a condition that pins a listed key to fixed values. One public
 * statement makes the whole policy public; Deny statements never do.
 *
 * PutBucketPolicy: the grammar and messages are validateResourcePolicy's
 * (identity/policy/validate.ts). S3 also requires every resource to be this
 * bucket or objects in it ("Policy has invalid resource"; S3 refuses `*` and
 * another bucket's ARN), every action to be an S3 action on a bucket or an
 * object ("Policy has invalid action"), and each statement's actions to fit
 * at least one of its resources ("Action does not apply to any resource(s) in
 * statement", as for s3:PutObject on a bucket ARN). Actions are those of
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
 * whose resource type is bucket or object, less s3:CreateBucket, which a
 * policy on an existing bucket cannot grant.
 */
import { PolicyError, validateResourcePolicy, type PolicyDocument, type PrincipalBlock, type Statement } from '../../identity/policy/index.js';
import { parseSyntax } from '../../identity/policy/grammar.js';
import { parseCidr } from '../../identity/policy/ip.js';
import { compileGlob, matchGlob } from '../../identity/policy/wildcard.js';

const OBJECT_ACTIONS = `
  AbortMultipartUpload BypassGovernanceRetention DeleteObject DeleteObjectTagging DeleteObjectVersion
  DeleteObjectVersionTagging GetObject GetObjectAcl GetObjectAttributes GetObjectLegalHold GetObjectRetention
  GetObjectTagging GetObjectTorrent GetObjectVersion GetObjectVersionAcl GetObjectVersionAttributes
  GetObjectVersionForReplication GetObjectVersionTagging GetObjectVersionTorrent InitiateReplication
  ListMultipartUploadParts ObjectOwnerOverrideToBucketOwner PutObject PutObjectAcl PutObjectLegalHold
  PutObjectRetention PutObjectTagging PutObjectVersionAcl PutObjectVersionTagging ReplicateDelete ReplicateObject
  ReplicateTags RestoreObject`;

const BUCKET_ACTIONS = `
  CreateBucketMetadataTableConfiguration DeleteBucket DeleteBucketMetadataTableConfiguration
  DeleteBucketOwnershipControls DeleteBucketPolicy DeleteBucketWebsite GetAccelerateConfiguration
  GetAnalyticsConfiguration GetBucketAbac GetBucketAcl GetBucketCORS GetBucketLocation GetBucketLogging
  GetBucketMetadataTableConfiguration GetBucketNotification GetBucketObjectLockConfiguration
  GetBucketOwnershipControls GetBucketPolicy GetBucketPolicyStatus GetBucketPublicAccessBlock
  GetBucketRequestPayment GetBucketTagging GetBucketVersioning GetBucketWebsite GetEncryptionConfiguration
  GetIntelligentTieringConfiguration GetInventoryConfiguration GetLifecycleConfiguration GetMetricsConfiguration
  GetReplicationConfiguration ListBucket ListBucketMultipartUploads ListBucketVersions ListTagsForResource
  PutAccelerateConfiguration PutAnalyticsConfiguration PutBucketAbac PutBucketAcl PutBucketCORS PutBucketLogging
  PutBucketNotification PutBucketObjectLockConfiguration PutBucketOwnershipControls PutBucketPolicy
  PutBucketPublicAccessBlock PutBucketRequestPayment PutBucketTagging PutBucketVersioning PutBucketWebsite
  PutEncryptionConfiguration PutIntelligentTieringConfiguration PutInventoryConfiguration PutLifecycleConfiguration
  PutMetricsConfiguration PutReplicationConfiguration TagResource UntagResource
  UpdateBucketMetadataInventoryTableConfiguration UpdateBucketMetadataJournalTableConfiguration`;

type ResourceKind = 'bucket' | 'object';

/** Lower-cased action name (without `s3:`) → the resource type it acts on. */
const ACTIONS = new Map<string, ResourceKind>([
  ...OBJECT_ACTIONS.trim().split(/\s+/).map((a) => [a.toLowerCase(), 'object'] as [string, ResourceKind]),
  ...BUCKET_ACTIONS.trim().split(/\s+/).map((a) => [a.toLowerCase(), 'bucket'] as [string, ResourceKind]),
]);

function malformed(problem: 'InvalidResource' | 'InvalidAction', message: string): PolicyError {
  return new PolicyError(problem, message, 'MalformedPolicy');
}

/** The resource kinds an action pattern (`s3:Get*`, `*`) names; empty when it names no bucket or object action. */
function actionKinds(pattern: string): Set<ResourceKind> {
  const kinds = new Set<ResourceKind>();
  const lower = pattern.toLowerCase();
  let name: string;
  if (lower === '*') name = '*';
  else if (lower.startsWith('s3:')) name = lower.slice(3);
  else return kinds;
  const glob = compileGlob(name);
  for (const [action, kind] of ACTIONS) if (matchGlob(glob, action)) kinds.add(kind);
  return kinds;
}

/**
 * The kinds of this bucket's resources a Resource pattern can name: the
 * bucket (`arn:aws:s3:::b`), its objects (`arn:aws:s3:::b/*`), both
 * (`arn:aws:s3:::b*`), or neither. A `*` spans `/` and `:` as IAM matches it.
 */
function resourceKinds(resource: string, bucket: string): Set<ResourceKind> {
  const kinds = new Set<ResourceKind>();
  const m = /^arn:[^:]+:s3:([^:]*):([^:]*):(.+)$/.exec(resource);
  if (!m || m[1] !== '' || m[2] !== '') return kinds;
  const rest = m[3]!;
  const glob = compileGlob(rest);
  if (matchGlob(glob, bucket)) kinds.add('bucket');
  const slash = rest.indexOf('/');
  if (slash >= 0 ? matchGlob(compileGlob(rest.slice(0, slash)), bucket) : matchGlob(glob, `${bucket}/x`)) kinds.add('object');
  return kinds;
}

/**
 * PutBucketPolicy's checks: throws S3's MalformedPolicy errors and returns
 * the normalized document.
 */
export function validateBucketPolicyShape(policyJson: string, bucketName: string): PolicyDocument {
  const doc = validateResourcePolicy(policyJson, { code: 'MalformedPolicy', requireResource: true });
  for (const st of doc.Statement) {
    const resourceSet = new Set<ResourceKind>();
    for (const resource of st.Resource ?? st.NotResource ?? []) {
      const kinds = resourceKinds(resource, bucketName);
      if (kinds.size === 0) throw malformed('InvalidResource', 'Policy has invalid resource');
      for (const k of kinds) resourceSet.add(k);
    }
    const actionSet = new Set<ResourceKind>();
    for (const action of st.Action ?? st.NotAction ?? []) {
      const kinds = actionKinds(action);
      if (kinds.size === 0) throw malformed('InvalidAction', 'Policy has invalid action');
      for (const k of kinds) actionSet.add(k);
    }
    // NotAction / NotResource name what is left out, so there is nothing to pair up.
    if (st.Action && st.Resource && ![...actionSet].some((k) => resourceSet.has(k))) {
      throw new PolicyError('InvalidResource', 'Action does not apply to any resource(s) in statement', 'MalformedPolicy');
    }
  }
  return doc;
}

/** A value with no wildcard and no policy variable. */
function isFixed(value: string): boolean {
  return !/[*?]/.test(value) && !value.includes('${');
}

function principalIsFixed(block: PrincipalBlock): boolean {
  if (block === '*') return false;
  const values = [...(block.AWS ?? []), ...(block.Service ?? []), ...(block.Federated ?? []), ...(block.CanonicalUser ?? [])];
  return values.length > 0 && values.every(isFixed);
}

/** "Values broader than /8 for IPv4 and /32 for IPv6 ... are evaluated as public." */
function isNarrowCidr(text: string): boolean {
  if (text.includes('${')) return false;
  const cidr = parseCidr(text.trim());
  if (!cidr) return false;
  const v4 = !text.includes(':');
  return v4 ? cidr.bits - 96 >= 8 : cidr.bits >= 32;
}

/** Access point ARNs may wildcard the access point name as long as Region and account are fixed. */
function isFixedAccessPointArn(value: string): boolean {
  if (isFixed(value)) return true;
  const m = /^arn:[^:]+:s3:[^:]+:\d{12}:accesspoint\/(.*)$/.exec(value);
  return m !== null && isFixed(value.slice(0, value.length - m[1]!.length)) && !m[1]!.includes('${');
}

const STRING_OPS = new Set(['stringequals', 'stringequalsignorecase', 'stringlike']);
const ARN_OPS = new Set(['arnequals', 'arnlike', ...STRING_OPS]);

/** Condition keys that confine a statement when pinned to fixed values (lower-cased) → the operators that pin them. */
const CONFINING_KEYS: Record<string, { ops: Set<string>; fixed: (value: string) => boolean }> = {
  'aws:sourceip': { ops: new Set(['ipaddress']), fixed: isNarrowCidr },
  'aws:sourcearn': { ops: ARN_OPS, fixed: isFixed },
  'aws:sourcevpc': { ops: STRING_OPS, fixed: isFixed },
  'aws:sourcevpce': { ops: STRING_OPS, fixed: isFixed },
  'aws:sourceowner': { ops: STRING_OPS, fixed: isFixed },
  'aws:sourceaccount': { ops: STRING_OPS, fixed: isFixed },
  // "outside the pattern AROLEID:*": that pattern has a wildcard, so isFixed already refuses it.
  'aws:userid': { ops: STRING_OPS, fixed: isFixed },
  'aws:principalarn': { ops: ARN_OPS, fixed: isFixed },
  'aws:principalaccount': { ops: STRING_OPS, fixed: isFixed },
  'aws:principalorgid': { ops: STRING_OPS, fixed: isFixed },
  's3:dataaccesspointarn': { ops: ARN_OPS, fixed: isFixedAccessPointArn },
  's3:dataaccesspointaccount': { ops: STRING_OPS, fixed: isFixed },
};

/**
 * Whether one operator block pins a confining key. `...IfExists` and
 * `ForAllValues:` also match a request without the key, and the negated
 * operators match everything but the value, so none of them confine.
 */
function confines(operator: string, keys: Record<string, string[]>): boolean {
  let op = operator.toLowerCase();
  if (op.startsWith('forallvalues:')) return false;
  if (op.startsWith('foranyvalue:')) op = op.slice('foranyvalue:'.length);
  if (op.endsWith('ifexists')) return false;
  for (const [key, values] of Object.entries(keys)) {
    const rule = CONFINING_KEYS[key.toLowerCase()];
    if (rule && rule.ops.has(op) && values.length > 0 && values.every(rule.fixed)) return true;
  }
  return false;
}

function statementIsPublic(st: Statement): boolean {
  if (st.Effect.toLowerCase() !== 'allow') return false;
  // Allow with NotPrincipal reaches everyone but the named principals.
  if (st.Principal !== undefined && st.NotPrincipal === undefined && principalIsFixed(st.Principal)) return false;
  return !Object.entries(st.Condition ?? {}).some(([op, keys]) => confines(op, keys));
}

/**
 * Block Public Access's "public" test for a bucket policy. A document that
 * does not parse is not public: PutBucketPolicy refuses it before this runs.
 */
export function isPublicPolicy(policyJson: string): boolean {
  let doc: PolicyDocument;
  try {
    doc = parseSyntax(policyJson);
  } catch {
    return false;
  }
  return doc.Statement.some(statementIsPublic);
}
