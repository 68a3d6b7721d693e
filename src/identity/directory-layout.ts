/**
 * How IAM's entities are laid out in the DocumentStore, and the optimistic
 * transaction loop every change goes through. Each user, group, role and
 * customer-managed policy is one "aggregate" document that also lists its
 * dependents (inline policies, attached policy ARNs, group memberships, access
 * key ids, policy versions), so any change to a dependent rewrites the
 * aggregate under `ifVersion`: a concurrent writer (another process too) makes
 * the batch fail and the change is re-read and retried, so invariants such as
 * "a user with access keys cannot be deleted" hold without locks. Reverse
 * links (policy → entities) live in one usage document per policy ARN.
 * Names are unique per account without regard to case, so keys use the
 * lower-cased name and documents keep the original spelling.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 */
import { ConditionFailedError, type DocumentStore, type StoredDocument, type WriteOp } from '../storage/types.js';
import type { RoleRecord, Tag, UserRecord } from './types.js';

export const TABLES = {
  users: 'iam.users',
  groups: 'iam.groups',
  roles: 'iam.roles',
  policies: 'iam.policies',
  /** Key: `<account>/<policy ARN>`; absent when the policy is used nowhere. */
  usage: 'iam.policy-usage',
  /** Key: the access key id (global, so a signature resolves in one read). */
  accessKeys: 'iam.access-keys',
  /** Key: the access key id; written apart so recording use never races with UpdateAccessKey. */
  keyUsage: 'iam.access-key-usage',
} as const;

export type EntityKind = 'user' | 'group' | 'role';

export interface UserDoc extends UserRecord {
  /** Inline policies: name → JSON document as submitted. */
  inline: Record<string, string>;
  attached: string[];
  /** Lower-cased names of the groups the user is in. */
  groups: string[];
  accessKeys: string[];
}

export interface GroupDoc {
  groupName: string;
  groupId: string;
  arn: string;
  path: string;
  createDate: string;
  /** Lower-cased user names. */
  members: string[];
  inline: Record<string, string>;
  attached: string[];
}

export interface RoleDoc extends RoleRecord {
  inline: Record<string, string>;
  attached: string[];
}

export type EntityDoc = UserDoc | GroupDoc | RoleDoc;

export interface PolicyVersionDoc {
  versionId: string;
  document: string;
  createDate: string;
}

export interface PolicyDoc {
  policyName: string;
  policyId: string;
  arn: string;
  path: string;
  description?: string;
  createDate: string;
  updateDate: string;
  defaultVersionId: string;
  /** Version ids are never reused: v1, v2, ... */
  nextVersion: number;
  versions: PolicyVersionDoc[];
  tags: Tag[];
}

export interface UsageDoc {
  policyArn: string;
  users: string[];
  groups: string[];
  roles: string[];
  boundaryUsers: string[];
  boundaryRoles: string[];
}
export type UsageField = Exclude<keyof UsageDoc, 'policyArn'>;

export interface AccessKeyDoc {
  accessKeyId: string;
  secretAccessKey: string;
  status: 'Active' | 'Inactive';
  createDate: string;
  accountId: string;
  userName: string;
  userId: string;
  userArn: string;
}

export interface AccessKeyUsageDoc {
  date: string;
  serviceName: string;
  region: string;
}

export const KINDS = {
  user: { table: TABLES.users, usage: 'users', boundary: 'boundaryUsers', arnKind: 'user', quotaName: 'PoliciesPerUser', policySize: 2048 },
  group: { table: TABLES.groups, usage: 'groups', boundary: undefined, arnKind: 'group', quotaName: 'PoliciesPerGroup', policySize: 5120 },
  role: { table: TABLES.roles, usage: 'roles', boundary: 'boundaryRoles', arnKind: 'role', quotaName: 'PoliciesPerRole', policySize: 10240 },
} as const satisfies Record<EntityKind, { table: string; usage: UsageField; boundary: UsageField | undefined; arnKind: string; quotaName: string; policySize: number }>;

export const QUOTAS = {
  accessKeysPerUser: 2,
  versionsPerPolicy: 5,
  attachedPerEntity: 10,
  groupsPerUser: 10,
  tagsPerEntity: 50,
  managedPolicySize: 6144,
  trustPolicySize: 2048,
} as const;

export function entityName(doc: EntityDoc): string {
  return 'userName' in doc ? doc.userName : 'roleName' in doc ? doc.roleName : doc.groupName;
}

export function entityId(doc: EntityDoc): string {
  return 'userId' in doc ? doc.userId : 'roleId' in doc ? doc.roleId : doc.groupId;
}

/** `<account>/<lower-cased name>`: IAM names are unique per account regardless of case. */
export function nameKey(accountId: string, name: string): string {
  return `${accountId}/${name.toLowerCase()}`;
}

export function usageKey(accountId: string, policyArn: string): string {
  return `${accountId}/${policyArn}`;
}

/** The reasons a directory change is refused; the IAM provider words them as AWS does. */
export type DirectoryFailure =
  | { code: 'NoSuchEntity'; kind: EntityKind; name: string }
  | { code: 'NoSuchPolicy'; arn: string; attaching?: boolean }
  | { code: 'NoSuchPolicyVersion'; arn: string; versionId: string }
  | { code: 'NoSuchInlinePolicy'; kind: EntityKind; policyName: string }
  | { code: 'NoSuchAccessKey'; accessKeyId: string }
  | { code: 'NotAttached'; arn: string }
  | { code: 'NotInGroup'; userName: string }
  | { code: 'AlreadyExists'; kind: EntityKind | 'policy'; name: string }
  | { code: 'DeleteConflict'; reason: 'accessKeys' | 'inlinePolicies' | 'attachedPolicies' | 'groups' | 'members' | 'policyAttached' | 'policyVersions' | 'defaultVersion' }
  | { code: 'LimitExceeded'; quota: string; limit: number }
  | { code: 'PolicyVersionLimit' }
  | { code: 'PolicySize'; kind: EntityKind; name: string; limit: number }
  | { code: 'TagLimit' }
  | { code: 'ConcurrentModification' };

export class DirectoryError extends Error {
  constructor(readonly failure: DirectoryFailure) {
    super(`IAM directory: ${failure.code}`);
    this.name = 'DirectoryError';
  }
}

export function fail(failure: DirectoryFailure): never {
  throw new DirectoryError(failure);
}

/** What one attempt of a change wants written, and what the caller gets once it is. */
export interface Plan<T> {
  ops: WriteOp[];
  result: T;
}

const MAX_ATTEMPTS = 100;

function isConditionFailure(err: unknown): boolean {
  return err instanceof ConditionFailedError || (err instanceof Error && err.name === 'ConditionFailedError');
}

/**
 * Runs `attempt` (read, decide, plan writes) and commits its ops as one
 * conditional batch; when another writer got there first, re-reads and tries
 * again. Each round at least one contender commits, so with N contenders on a
 * key it settles within N rounds; the bound only guards against livelock.
 */
export async function transact<T>(store: DocumentStore, attempt: () => Promise<Plan<T>>): Promise<T> {
  for (let i = 0; ; i++) {
    const plan = await attempt();
    if (plan.ops.length === 0) return plan.result;
    try {
      await store.batch(plan.ops);
      return plan.result;
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      if (i + 1 >= MAX_ATTEMPTS) fail({ code: 'ConcurrentModification' });
      if (i >= 3) await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 ** i)));
    }
  }
}

/** A put that succeeds only if the document is still the one read (or still absent). */
export function putOp(table: string, key: string, value: unknown, read: StoredDocument | undefined): WriteOp {
  return { op: 'put', table, key, value, condition: read ? { ifVersion: read.version } : { ifNotExists: true } };
}

export function deleteOp(table: string, key: string, read: StoredDocument): WriteOp {
  return { op: 'delete', table, key, condition: { ifVersion: read.version } };
}

export interface Page<T> {
  items: T[];
  isTruncated: boolean;
  marker?: string;
}

export interface PageRequest {
  marker?: string;
  maxItems?: number;
}

const encodeMarker = (key: string) => Buffer.from(key, 'utf8').toString('base64');
export const decodeMarker = (marker: string | undefined) => (marker ? Buffer.from(marker, 'base64').toString('utf8') : undefined);

/** Pages an in-memory list by a sort key; the marker is the opaque key of the last item returned. */
export function pageOf<T>(items: T[], keyOf: (item: T) => string, req: PageRequest): Page<T> {
  const sorted = [...items].sort((a, b) => compareKeys(keyOf(a), keyOf(b)));
  const after = decodeMarker(req.marker);
  const rest = after === undefined ? sorted : sorted.filter((item) => compareKeys(keyOf(item), after) > 0);
  const max = req.maxItems ?? 100;
  const slice = rest.slice(0, max);
  const isTruncated = rest.length > max;
  return { items: slice, isTruncated, marker: isTruncated ? encodeMarker(keyOf(slice[slice.length - 1]!)) : undefined };
}

export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Pages a table's documents under `prefix`, filtering as it reads, without loading the whole table. */
export async function pageTable<T>(store: DocumentStore, table: string, prefix: string, req: PageRequest, keep: (value: T) => boolean = () => true): Promise<Page<T>> {
  const max = req.maxItems ?? 100;
  const chunk = Math.max(max + 1, 100);
  const found: StoredDocument<T>[] = [];
  let after = decodeMarker(req.marker);
  for (;;) {
    const docs = await store.list<T>(table, { prefix, after, limit: chunk });
    for (const doc of docs) if (keep(doc.value)) found.push(doc);
    if (found.length > max || docs.length < chunk) break;
    after = docs[docs.length - 1]!.key;
  }
  const slice = found.slice(0, max);
  const isTruncated = found.length > max;
  return { items: slice.map((d) => d.value), isTruncated, marker: isTruncated ? encodeMarker(slice[slice.length - 1]!.key) : undefined };
}

export function now(): string {
  return new Date().toISOString();
}

export function withoutItem<T>(list: T[], item: T): T[] {
  return list.filter((x) => x !== item);
}
