/**
 * The IAM directory: the one place that knows how IAM's users, groups, roles,
 * policies and access keys are stored (see directory-layout.ts), offering the
 * read side every request needs (`Directory`: resolve an access key, gather a
 * principal's policies) and the change side IAM's provider drives
 * (`IamRepository`). State is keyed by account; IAM is global, so no region.
 *
 * Nothing is cached: another process may change IAM at any time and a stale
 * answer would be a security bug. Instead the hot paths read little:
 * findAccessKey is one read by key id, and policiesFor is one read of the
 * user (or role), then its groups and customer-managed policies in parallel,
 * AWS-managed documents coming from the in-memory catalogue.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
import { parseArn } from '../core/arn.js';
import type { Principal } from '../core/context.js';
import type { DocumentStore } from '../storage/types.js';
import { entityStore, type EntityStore } from './directory-entities.js';
import { nameKey, TABLES, type AccessKeyDoc, type GroupDoc, type PolicyDoc, type RoleDoc, type UserDoc } from './directory-layout.js';
import { policyStore } from './directory-policies.js';
import { awsPolicyDocument, defaultDocument, resolvePolicy } from './directory-usage.js';
import { userStore } from './directory-users.js';
import type { Directory, PrincipalPolicies, ResolvedCredentials, RoleRecord, UserRecord } from './types.js';

export { DirectoryError, pageOf, QUOTAS, type DirectoryFailure, type EntityKind, type UserDoc, type GroupDoc, type RoleDoc, type PolicyDoc, type AccessKeyDoc, type Page, type PageRequest } from './directory-layout.js';
export type { PolicyView, PolicyVersionView, PolicyEntity, ListPoliciesFilter } from './directory-policies.js';
export { policySize, type TaggableKind } from './directory-entities.js';

/** The change side of the directory, namespaced by concern. */
export interface IamRepository {
  /** Create/list/delete, tags, inline policies, attachments and boundaries of users, groups and roles. */
  entities: EntityStore;
  /** Renames, group membership and access keys. */
  users: ReturnType<typeof userStore>;
  /** Managed policies and their versions. */
  policies: ReturnType<typeof policyStore>;
  /** Counts for GetAccountSummary's SummaryMap (entities in use; quotas are the provider's). */
  usageCounts(accountId: string): Promise<{ users: number; groups: number; roles: number; policies: number; policyVersionsInUse: number }>;
}

export type IamDirectory = Directory & IamRepository;

function userRecord(d: UserDoc): UserRecord {
  const r: UserRecord = { userName: d.userName, userId: d.userId, arn: d.arn, path: d.path, createDate: d.createDate, tags: d.tags };
  if (d.permissionsBoundary) r.permissionsBoundary = d.permissionsBoundary;
  return r;
}

function roleRecord(d: RoleDoc): RoleRecord {
  const { inline: _inline, attached: _attached, ...record } = d;
  return record;
}

export function createDirectory(store: DocumentStore): IamDirectory {
  const entities = entityStore(store);
  const users = userStore(store, entities);
  const policies = policyStore(store, entities);

  async function managedPolicyDocument(accountId: string, policyArn: string): Promise<string | undefined> {
    const resolved = await resolvePolicy(store, accountId, policyArn);
    if (!resolved) return undefined;
    return resolved.source === 'aws' ? awsPolicyDocument(resolved.policy) : defaultDocument(resolved.doc.value);
  }

  /** The documents of managed policies, each fetched once, in order, skipping any that vanished. */
  async function documents(accountId: string, arns: string[], known = new Map<string, Promise<string | undefined>>()): Promise<string[]> {
    for (const arn of arns) if (!known.has(arn)) known.set(arn, managedPolicyDocument(accountId, arn));
    const texts = await Promise.all([...new Set(arns)].map((arn) => known.get(arn)!));
    return texts.filter((d): d is string => d !== undefined);
  }

  // A boundary whose policy vanished still bounds: an empty boundary allows nothing.
  const EMPTY_BOUNDARY = '{"Version":"2012-10-17","Statement":[]}';

  async function userPolicies(principal: Principal): Promise<PrincipalPolicies> {
    const name = principal.name ?? principal.arn.slice(principal.arn.lastIndexOf('/') + 1);
    const user = (await store.get<UserDoc>(TABLES.users, nameKey(principal.accountId, name)))?.value;
    // A user deleted and re-created under the same name is another identity (new UserId).
    if (!user || user.userId !== principal.userId) return { identity: [] };
    // The user's own managed policies and boundary load while its groups are read.
    const fetched = new Map<string, Promise<string | undefined>>();
    const [groupDocs, , boundary] = await Promise.all([
      Promise.all(user.groups.map((g) => store.get<GroupDoc>(TABLES.groups, nameKey(principal.accountId, g)))),
      documents(principal.accountId, user.attached, fetched),
      user.permissionsBoundary ? managedPolicyDocument(principal.accountId, user.permissionsBoundary) : undefined,
    ]);
    const groups = groupDocs.flatMap((g) => (g ? [g.value] : []));
    const attached = await documents(principal.accountId, [...user.attached, ...groups.flatMap((g) => g.attached)], fetched);
    const result: PrincipalPolicies = { identity: [...Object.values(user.inline), ...groups.flatMap((g) => Object.values(g.inline)), ...attached] };
    if (user.permissionsBoundary) result.boundary = boundary ?? EMPTY_BOUNDARY;
    if (principal.sessionPolicies?.length) result.session = principal.sessionPolicies;
    return result;
  }

  async function rolePolicies(principal: Principal): Promise<PrincipalPolicies> {
    const arn = parseArn(principal.roleArn ?? '');
    if (!arn || !arn.resource.startsWith('role/')) return { identity: [] };
    const name = arn.resource.slice(arn.resource.lastIndexOf('/') + 1);
    const role = (await store.get<RoleDoc>(TABLES.roles, nameKey(arn.accountId, name)))?.value;
    // Sessions of a deleted role stay powerless even if a role of that name is created again (new RoleId).
    const sessionRoleId = principal.userId.split(':')[0] ?? '';
    if (!role || role.arn !== principal.roleArn || (sessionRoleId.startsWith('AROA') && sessionRoleId !== role.roleId)) return { identity: [] };
    const [attached, boundary] = await Promise.all([
      documents(arn.accountId, role.attached),
      role.permissionsBoundary ? managedPolicyDocument(arn.accountId, role.permissionsBoundary) : undefined,
    ]);
    const result: PrincipalPolicies = { identity: [...Object.values(role.inline), ...attached] };
    if (role.permissionsBoundary) result.boundary = boundary ?? EMPTY_BOUNDARY;
    if (principal.sessionPolicies?.length) result.session = principal.sessionPolicies;
    return result;
  }

  return {
    async findAccessKey(accessKeyId: string): Promise<ResolvedCredentials | undefined> {
      const key = (await store.get<AccessKeyDoc>(TABLES.accessKeys, accessKeyId))?.value;
      if (!key) return undefined;
      return {
        accessKeyId,
        secretAccessKey: key.secretAccessKey,
        active: key.status === 'Active',
        principal: { type: 'user', arn: key.userArn, accountId: key.accountId, userId: key.userId, accessKeyId, name: key.userName },
      };
    },

    async getUser(accountId: string, userName: string): Promise<UserRecord | undefined> {
      const doc = await entities.get('user', accountId, userName);
      return doc && userRecord(doc);
    },

    async getRole(accountId: string, roleName: string): Promise<RoleRecord | undefined> {
      const doc = await entities.get('role', accountId, roleName);
      return doc && roleRecord(doc);
    },

    async policiesFor(principal: Principal): Promise<PrincipalPolicies> {
      if (principal.type === 'user') return userPolicies(principal);
      if (principal.type === 'assumed-role') return rolePolicies(principal);
      // Root may do anything in its account; anonymous and service principals have no identity policies.
      return { identity: [] };
    },

    managedPolicyDocument,

    entities,
    users,
    policies,

    async usageCounts(accountId: string) {
      const prefix = `${accountId}/`;
      const [u, g, r, p] = await Promise.all([
        store.list<UserDoc>(TABLES.users, { prefix }),
        store.list<GroupDoc>(TABLES.groups, { prefix }),
        store.list<RoleDoc>(TABLES.roles, { prefix }),
        store.list<PolicyDoc>(TABLES.policies, { prefix }),
      ]);
      return { users: u.length, groups: g.length, roles: r.length, policies: p.length, policyVersionsInUse: p.reduce((n, d) => n + d.value.versions.length, 0) };
    },
  };
}
