/**
 * S3 access control lists: canned ACLs, x-amz-grant-* headers, what a grant
 * allows, and which grants make an ACL public.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status
 *
 * The shapes are the SDK's AccessControlPolicy (Owner + Grants), so a provider
 * returns them as GetBucketAcl / GetObjectAcl output unchanged.
 *
 * Error wording is what S3 sends (seen in versitygw#1379, #1384 and
 * aws-sdk-ruby#826): a bad x-amz-acl is InvalidArgument with an empty
 * Message; a grant header that is not `key=value, ...` is InvalidArgument
 * "Argument format not recognized"; an unknown id is "Invalid id", an unknown
 * group "Invalid group uri"; an unknown e-mail is
 * UnresolvableGrantByEmailAddress.
 */
import { createHash } from 'node:crypto';
import { ServiceError } from '../../core/errors.js';

export type Permission = 'FULL_CONTROL' | 'WRITE' | 'WRITE_ACP' | 'READ' | 'READ_ACP';
/** What a request needs; FULL_CONTROL is only ever granted. */
export type AclPermission = Exclude<Permission, 'FULL_CONTROL'>;

export type Grantee =
  | { Type: 'CanonicalUser'; ID: string; DisplayName?: string }
  | { Type: 'Group'; URI: string }
  | { Type: 'AmazonCustomerByEmail'; EmailAddress: string };

export interface Grant {
  Grantee: Grantee;
  Permission: Permission;
}

export interface AclOwner {
  ID: string;
  DisplayName?: string;
}

export interface Acl {
  Owner: AclOwner;
  Grants: Grant[];
}

/** Any stored ACL, typed loosely (models.ts keeps Grantee fields optional). */
export interface AclLike {
  Owner: { ID: string };
  Grants: ReadonlyArray<{ Grantee: { Type: string; ID?: string; URI?: string }; Permission: string }>;
}

export const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
export const AUTHENTICATED_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';
export const LOG_DELIVERY = 'http://acs.amazonaws.com/groups/s3/LogDelivery';
const GROUPS = new Set([ALL_USERS, AUTHENTICATED_USERS, LOG_DELIVERY]);
const PUBLIC_GROUPS = new Set([ALL_USERS, AUTHENTICATED_USERS]);

/** The Amazon EC2 account aws-exec-read grants READ to (it reads AMI bundles); S3 shows it as za-team. */
export const EC2_BUNDLE_READER: AclOwner = {
  ID: '6aa5a366c34c1cbe25dc49211496e913e0351eb0e8c37aa3477e40942ec6b97c',
  DisplayName: 'za-team',
};

export const CANNED_ACLS = [
  'private',
  'public-read',
  'public-read-write',
  'authenticated-read',
  'aws-exec-read',
  'bucket-owner-read',
  'bucket-owner-full-control',
  'log-delivery-write',
] as const;
export type CannedAcl = (typeof CANNED_ACLS)[number];

/** The order S3's model lists permissions in; header grants come out in this order. */
export const PERMISSIONS: readonly Permission[] = ['FULL_CONTROL', 'WRITE', 'WRITE_ACP', 'READ', 'READ_ACP'];

/**
 * S3 shows canonical user ids, never account ids: 64 hex characters, stable
 * per account. Same derivation as common.ts `canonicalId`.
 */
export function canonicalUserId(accountId: string): string {
  return createHash('sha256').update(`stratus-canonical-user:${accountId}`).digest('hex');
}

function invalidArgument(message: string, name: string, value: string): ServiceError {
  return new ServiceError('InvalidArgument', message, { status: 400, fields: { ArgumentName: name, ArgumentValue: value } });
}

function userGrantee(who: AclOwner): Grantee {
  return who.DisplayName === undefined ? { Type: 'CanonicalUser', ID: who.ID } : { Type: 'CanonicalUser', ID: who.ID, DisplayName: who.DisplayName };
}

function userGrant(who: AclOwner, permission: Permission): Grant {
  return { Grantee: userGrantee(who), Permission: permission };
}

function groupGrant(uri: string, permission: Permission): Grant {
  return { Grantee: { Type: 'Group', URI: uri }, Permission: permission };
}

function ownerOf(owner: AclOwner): AclOwner {
  return owner.DisplayName === undefined ? { ID: owner.ID } : { ID: owner.ID, DisplayName: owner.DisplayName };
}

/**
 * The ACL a canned ACL name stands for. Every canned ACL gives the owner
 * FULL_CONTROL first. bucket-owner-read and bucket-owner-full-control add the
 * bucket owner on objects and are ignored on buckets (and when the writer is
 * the bucket owner, who already has FULL_CONTROL). log-delivery-write is
 * meant for buckets; on an object it yields the same grants. No name is
 * `private`, the default.
 */
export function cannedAcl(name: string | undefined, owner: AclOwner, bucketOwner?: AclOwner, forObject = false): Acl {
  name ??= 'private';
  if (!(CANNED_ACLS as readonly string[]).includes(name)) throw invalidArgument('', 'x-amz-acl', name);
  const grants: Grant[] = [userGrant(owner, 'FULL_CONTROL')];
  const otherBucketOwner = forObject && bucketOwner !== undefined && bucketOwner.ID !== owner.ID ? bucketOwner : undefined;
  switch (name as CannedAcl) {
    case 'public-read':
      grants.push(groupGrant(ALL_USERS, 'READ'));
      break;
    case 'public-read-write':
      grants.push(groupGrant(ALL_USERS, 'READ'), groupGrant(ALL_USERS, 'WRITE'));
      break;
    case 'authenticated-read':
      grants.push(groupGrant(AUTHENTICATED_USERS, 'READ'));
      break;
    case 'aws-exec-read':
      grants.push(userGrant(EC2_BUNDLE_READER, 'READ'));
      break;
    case 'bucket-owner-read':
      if (otherBucketOwner) grants.push(userGrant(otherBucketOwner, 'READ'));
      break;
    case 'bucket-owner-full-control':
      if (otherBucketOwner) grants.push(userGrant(otherBucketOwner, 'FULL_CONTROL'));
      break;
    case 'log-delivery-write':
      grants.push(groupGrant(LOG_DELIVERY, 'WRITE'), groupGrant(LOG_DELIVERY, 'READ_ACP'));
      break;
    case 'private':
      break;
  }
  return { Owner: ownerOf(owner), Grants: grants };
}

/** The five x-amz-grant-* headers, named as the SDK input members. */
export interface GrantHeaders {
  GrantFullControl?: string;
  GrantRead?: string;
  GrantReadACP?: string;
  GrantWrite?: string;
  GrantWriteACP?: string;
}

const GRANT_HEADERS: ReadonlyArray<[keyof GrantHeaders, string, Permission]> = [
  ['GrantFullControl', 'x-amz-grant-full-control', 'FULL_CONTROL'],
  ['GrantWrite', 'x-amz-grant-write', 'WRITE'],
  ['GrantWriteACP', 'x-amz-grant-write-acp', 'WRITE_ACP'],
  ['GrantRead', 'x-amz-grant-read', 'READ'],
  ['GrantReadACP', 'x-amz-grant-read-acp', 'READ_ACP'],
];

export interface GranteeResolver {
  /**
   * Looks up a canonical user id; undefined answers "Invalid id". Without a
   * resolver any 64-hex-digit id is accepted as is.
   */
  resolveId?: (id: string) => AclOwner | undefined;
  /** Looks up an e-mail grantee; without one (or when it answers undefined) the grant is unresolvable. */
  resolveEmail?: (email: string) => AclOwner | undefined;
}

export function hasGrantHeaders(headers: GrantHeaders): boolean {
  return GRANT_HEADERS.some(([member]) => headers[member] !== undefined);
}

function resolveUser(id: string, argumentName: string, resolver: GranteeResolver): AclOwner {
  if (resolver.resolveId) {
    const found = resolver.resolveId(id);
    if (!found) throw invalidArgument('Invalid id', argumentName, id);
    return found;
  }
  if (!/^[0-9a-fA-F]{64}$/.test(id)) throw invalidArgument('Invalid id', argumentName, id);
  return { ID: id };
}

function resolveEmail(email: string, resolver: GranteeResolver): AclOwner {
  const found = resolver.resolveEmail?.(email);
  if (!found) {
    throw new ServiceError('UnresolvableGrantByEmailAddress', 'The e-mail address you provided does not match any account on record.', {
      status: 400,
    });
  }
  return found;
}

/** Splits `id="a", uri="b"` on commas outside quotes; the CLI also sends unquoted `id=a,uri=b`. */
function splitGrantees(value: string): string[] | undefined {
  const items: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of value) {
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      items.push(current);
      current = '';
    } else current += ch;
  }
  if (quoted) return undefined;
  items.push(current);
  return items.map((s) => s.trim()).filter((s) => s !== '');
}

function parseGrantee(item: string, header: string, raw: string, resolver: GranteeResolver): Grantee {
  const m = /^([A-Za-z]+)\s*=\s*(?:"([^"]*)"|([^"\s]+))$/.exec(item);
  if (!m) throw invalidArgument('Argument format not recognized', header, raw);
  const key = m[1]!.toLowerCase();
  const value = m[2] ?? m[3]!;
  if (key === 'id') return userGrantee(resolveUser(value, 'id', resolver));
  if (key === 'uri') {
    if (!GROUPS.has(value)) throw invalidArgument('Invalid group uri', 'uri', value);
    return { Type: 'Group', URI: value };
  }
  // S3 stores an e-mail grantee as the canonical user it resolves to.
  if (key === 'emailaddress') return userGrantee(resolveEmail(value, resolver));
  throw invalidArgument('Argument format not recognized', header, raw);
}

function granteeKey(g: Grantee): string {
  if (g.Type === 'CanonicalUser') return `id:${g.ID}`;
  if (g.Type === 'Group') return `uri:${g.URI}`;
  return `email:${g.EmailAddress}`;
}

/**
 * The ACL that x-amz-grant-* headers describe. Only the named grantees get
 * access: the owner gets no implicit FULL_CONTROL grant (it keeps READ_ACP
 * and WRITE_ACP regardless, see `aclAllows`).
 */
export function aclFromGrantHeaders(headers: GrantHeaders, owner: AclOwner, resolver: GranteeResolver = {}): Acl {
  const grants: Grant[] = [];
  const seen = new Set<string>();
  for (const [member, header, permission] of GRANT_HEADERS) {
    const raw = headers[member];
    if (raw === undefined) continue;
    const items = splitGrantees(raw);
    if (!items || items.length === 0) throw invalidArgument('Argument format not recognized', header, raw);
    for (const item of items) {
      const grantee = parseGrantee(item, header, raw, resolver);
      const key = `${permission} ${granteeKey(grantee)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      grants.push({ Grantee: grantee, Permission: permission });
    }
  }
  return { Owner: ownerOf(owner), Grants: grants };
}

export interface AclRequest extends GrantHeaders {
  ACL?: string;
}

/**
 * The ACL a write request (CreateBucket, PutObject, CopyObject,
 * CreateMultipartUpload, Put*Acl without a body) asks for: its canned ACL,
 * its grant headers, or `private` when it names neither.
 */
export function aclFromRequest(request: AclRequest, owner: AclOwner, bucketOwner?: AclOwner, forObject = false, resolver: GranteeResolver = {}): Acl {
  const grants = hasGrantHeaders(request);
  if (request.ACL !== undefined && grants) {
    throw new ServiceError('InvalidRequest', 'Specifying both Canned ACLs and Header Grants is not allowed', { status: 400 });
  }
  if (grants) return aclFromGrantHeaders(request, owner, resolver);
  return cannedAcl(request.ACL ?? 'private', owner, bucketOwner, forObject);
}

function malformedAcl(): ServiceError {
  return new ServiceError('MalformedACLError', 'The XML you provided was not well-formed or did not validate against our published schema', {
    status: 400,
  });
}

const PERMISSION_SET = new Set<string>(PERMISSIONS);

/**
 * Checks an AccessControlPolicy body (PutBucketAcl / PutObjectAcl) as the
 * SDK parsed it and returns it normalized: e-mail grantees resolved to
 * canonical users, display names filled in by the resolver.
 */
export function aclFromPolicy(policy: unknown, resolver: GranteeResolver = {}): Acl {
  if (typeof policy !== 'object' || policy === null) throw malformedAcl();
  const { Owner, Grants } = policy as { Owner?: { ID?: unknown; DisplayName?: unknown }; Grants?: unknown };
  if (!Owner || typeof Owner.ID !== 'string' || Owner.ID === '') throw malformedAcl();
  const owner: AclOwner = typeof Owner.DisplayName === 'string' ? { ID: Owner.ID, DisplayName: Owner.DisplayName } : { ID: Owner.ID };
  const list = Grants === undefined ? [] : Grants;
  if (!Array.isArray(list)) throw malformedAcl();
  const grants: Grant[] = [];
  for (const entry of list as Array<{ Grantee?: Record<string, unknown>; Permission?: unknown }>) {
    const g = entry?.Grantee;
    if (!g || typeof entry.Permission !== 'string' || !PERMISSION_SET.has(entry.Permission)) throw malformedAcl();
    const permission = entry.Permission as Permission;
    if (g.Type === 'CanonicalUser') {
      if (typeof g.ID !== 'string') throw malformedAcl();
      // S3 ignores a DisplayName in the body and shows the account's own.
      grants.push(userGrant(resolveUser(g.ID, 'CanonicalUser/ID', resolver), permission));
    } else if (g.Type === 'Group') {
      if (typeof g.URI !== 'string') throw malformedAcl();
      if (!GROUPS.has(g.URI)) throw invalidArgument('Invalid group uri', 'Group/URI', g.URI);
      grants.push(groupGrant(g.URI, permission));
    } else if (g.Type === 'AmazonCustomerByEmail') {
      if (typeof g.EmailAddress !== 'string') throw malformedAcl();
      grants.push(userGrant(resolveEmail(g.EmailAddress, resolver), permission));
    } else {
      throw malformedAcl();
    }
  }
  return { Owner: owner, Grants: grants };
}

export interface AclCaller {
  anonymous: boolean;
  /** The caller's account's canonical user id; absent for anonymous callers. */
  canonicalId?: string;
  /** Signed with valid AWS credentials (the AuthenticatedUsers group). */
  authenticated: boolean;
}

export interface AclCheckOptions {
  /** Block Public Access IgnorePublicAcls: grants to AllUsers and AuthenticatedUsers count for nothing. */
  ignorePublicGrants?: boolean;
}

function granteeMatches(grantee: AclLike['Grants'][number]['Grantee'], who: AclCaller, options: AclCheckOptions): boolean {
  if (grantee.Type === 'CanonicalUser') return !who.anonymous && who.canonicalId !== undefined && grantee.ID === who.canonicalId;
  if (grantee.Type !== 'Group' || grantee.URI === undefined) return false;
  if (options.ignorePublicGrants && PUBLIC_GROUPS.has(grantee.URI)) return false;
  if (grantee.URI === ALL_USERS) return true;
  if (grantee.URI === AUTHENTICATED_USERS) return who.authenticated && !who.anonymous;
  // LogDelivery is the S3 log delivery service, never a caller of the API.
  return false;
}

/**
 * Whether `acl` lets `who` do what `permission` covers. FULL_CONTROL covers
 * every permission. The resource owner may always read and write the ACL,
 * whatever it says (otherwise an owner could lock itself out for good).
 */
export function aclAllows(acl: AclLike, who: AclCaller, permission: AclPermission, options: AclCheckOptions = {}): boolean {
  const isOwner = !who.anonymous && who.canonicalId !== undefined && who.canonicalId === acl.Owner.ID;
  if (isOwner && (permission === 'READ_ACP' || permission === 'WRITE_ACP')) return true;
  return acl.Grants.some(
    (g) => (g.Permission === permission || g.Permission === 'FULL_CONTROL') && granteeMatches(g.Grantee, who, options),
  );
}

/** "Public" for Block Public Access: any permission granted to AllUsers or AuthenticatedUsers. */
export function isPublicAcl(acl: AclLike): boolean {
  return acl.Grants.some((g) => g.Grantee.Type === 'Group' && g.Grantee.URI !== undefined && PUBLIC_GROUPS.has(g.Grantee.URI));
}

export interface AclCheck {
  permission: AclPermission;
  /** Whose ACL decides: the bucket's or the object's. */
  on: 'bucket' | 'object';
}

/**
 * The ACL permission that stands for an S3 policy action, per the mapping
 * table in acl-overview.html ("Mapping of ACL permissions and access policy
 * permissions"). AbortMultipartUpload rides on the bucket WRITE that let the
 * upload start. s3:DeleteObjectVersion is left out: WRITE grants it only to
 * the bucket owner, who is authorized by policy anyway.
 */
const ACL_ACTIONS: Record<string, AclCheck> = {
  's3:listbucket': { permission: 'READ', on: 'bucket' },
  's3:listbucketversions': { permission: 'READ', on: 'bucket' },
  's3:listbucketmultipartuploads': { permission: 'READ', on: 'bucket' },
  's3:getobject': { permission: 'READ', on: 'object' },
  's3:getobjectversion': { permission: 'READ', on: 'object' },
  's3:getobjecttorrent': { permission: 'READ', on: 'object' },
  's3:putobject': { permission: 'WRITE', on: 'bucket' },
  's3:deleteobject': { permission: 'WRITE', on: 'bucket' },
  's3:abortmultipartupload': { permission: 'WRITE', on: 'bucket' },
  's3:getbucketacl': { permission: 'READ_ACP', on: 'bucket' },
  's3:getobjectacl': { permission: 'READ_ACP', on: 'object' },
  's3:getobjectversionacl': { permission: 'READ_ACP', on: 'object' },
  's3:putbucketacl': { permission: 'WRITE_ACP', on: 'bucket' },
  's3:putobjectacl': { permission: 'WRITE_ACP', on: 'object' },
  's3:putobjectversionacl': { permission: 'WRITE_ACP', on: 'object' },
};

/** Which ACL and permission decide `action` (e.g. `s3:GetObject`); undefined when ACLs grant no such action. */
export function aclCheckFor(action: string): AclCheck | undefined {
  return ACL_ACTIONS[action.toLowerCase()];
}

export function aclPermissionFor(action: string): AclPermission | undefined {
  return aclCheckFor(action)?.permission;
}
