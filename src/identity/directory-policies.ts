/**
 * Managed policies: customer-managed ones (stored with up to five versions and
 * a default version) and AWS-managed ones (read-only, from the catalogue),
 * seen through one view with their attachment counts; plus the listings that
 * join policies and entities (ListPolicies, ListEntitiesForPolicy,
 * ListAttached*Policies).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-versioning.html
 */
import { iamArn, parseArn } from '../core/arn.js';
import { uniqueId } from '../core/ids.js';
import type { DocumentStore, StoredDocument } from '../storage/types.js';
import type { EntityStore } from './directory-entities.js';
import {
  deleteOp,
  entityId,
  entityName,
  fail,
  nameKey,
  now,
  pageOf,
  putOp,
  QUOTAS,
  TABLES,
  transact,
  usageKey,
  type EntityKind,
  type Page,
  type PageRequest,
  type PolicyDoc,
  type UsageDoc,
} from './directory-layout.js';
import { allUsage, awsPolicyDocument, emptyUsage, readUsage, resolvePolicy, usageIsEmpty, type ResolvedPolicy } from './directory-usage.js';
import { listManagedPolicies, type ManagedPolicy } from './managed/index.js';
import type { Tag } from './types.js';

/** A managed policy as GetPolicy/ListPolicies describe it, whoever manages it. */
export interface PolicyView {
  policyName: string;
  policyId: string;
  arn: string;
  path: string;
  defaultVersionId: string;
  attachmentCount: number;
  permissionsBoundaryUsageCount: number;
  description?: string;
  createDate: string;
  updateDate: string;
  tags: Tag[];
  awsManaged: boolean;
}

export interface PolicyVersionView {
  versionId: string;
  document: string;
  isDefaultVersion: boolean;
  createDate: string;
}

export interface PolicyEntity {
  kind: EntityKind;
  name: string;
  id: string;
}

export interface ListPoliciesFilter {
  scope?: 'All' | 'AWS' | 'Local';
  onlyAttached?: boolean;
  pathPrefix?: string;
  usageFilter?: 'PermissionsPolicy' | 'PermissionsBoundary';
}


function counts(usage: UsageDoc | undefined): { attachmentCount: number; permissionsBoundaryUsageCount: number } {
  const u = usage ?? emptyUsage('');
  return { attachmentCount: u.users.length + u.groups.length + u.roles.length, permissionsBoundaryUsageCount: u.boundaryUsers.length + u.boundaryRoles.length };
}

function awsView(p: ManagedPolicy, usage: UsageDoc | undefined): PolicyView {
  return {
    policyName: p.PolicyName,
    policyId: p.PolicyId,
    arn: p.Arn,
    path: p.Path,
    defaultVersionId: p.DefaultVersionId,
    ...counts(usage),
    description: p.Description || undefined,
    createDate: p.CreateDate,
    updateDate: p.UpdateDate,
    tags: [],
    awsManaged: true,
  };
}

function localView(p: PolicyDoc, usage: UsageDoc | undefined): PolicyView {
  return {
    policyName: p.policyName,
    policyId: p.policyId,
    arn: p.arn,
    path: p.path,
    defaultVersionId: p.defaultVersionId,
    ...counts(usage),
    description: p.description,
    createDate: p.createDate,
    updateDate: p.updateDate,
    tags: p.tags,
    awsManaged: false,
  };
}

/** A policy ARN's name and path, read from the ARN itself (no lookup). */
export function policyNameAndPath(policyArn: string): { name: string; path: string } {
  const resource = parseArn(policyArn)?.resource ?? '';
  const inner = resource.startsWith('policy/') ? resource.slice('policy'.length) : '/' + resource;
  const cut = inner.lastIndexOf('/');
  return { name: inner.slice(cut + 1), path: inner.slice(0, cut + 1) };
}

export function policyStore(store: DocumentStore, entities: EntityStore) {
  async function resolve(accountId: string, policyArn: string): Promise<ResolvedPolicy> {
    return (await resolvePolicy(store, accountId, policyArn)) ?? fail({ code: 'NoSuchPolicy', arn: policyArn });
  }

  /** Customer-managed only: AWS-managed policies cannot be changed, and look absent to writers. */
  async function resolveLocal(accountId: string, policyArn: string): Promise<StoredDocument<PolicyDoc>> {
    const resolved = await resolve(accountId, policyArn);
    return resolved.source === 'local' ? resolved.doc : fail({ code: 'NoSuchPolicy', arn: policyArn });
  }

  function changeLocal(accountId: string, policyArn: string, change: (doc: PolicyDoc) => void): Promise<void> {
    return transact(store, async () => {
      const read = await resolveLocal(accountId, policyArn);
      const doc = structuredClone(read.value);
      change(doc);
      return { ops: [putOp(TABLES.policies, read.key, doc, read)], result: undefined };
    });
  }

  function versionOf(doc: PolicyDoc, policyArn: string, versionId: string) {
    return doc.versions.find((v) => v.versionId === versionId) ?? fail({ code: 'NoSuchPolicyVersion', arn: policyArn, versionId });
  }

  return {
    create(accountId: string, input: { policyName: string; path: string; document: string; description?: string; tags: Tag[] }): Promise<PolicyView> {
      const key = nameKey(accountId, input.policyName);
      return transact(store, async () => {
        if (await store.get(TABLES.policies, key)) fail({ code: 'AlreadyExists', kind: 'policy', name: input.policyName });
        const at = now();
        const doc: PolicyDoc = {
          policyName: input.policyName,
          policyId: uniqueId('ANPA'),
          arn: iamArn(accountId, 'policy', input.path, input.policyName),
          path: input.path,
          description: input.description,
          createDate: at,
          updateDate: at,
          defaultVersionId: 'v1',
          nextVersion: 2,
          versions: [{ versionId: 'v1', document: input.document, createDate: at }],
          tags: input.tags,
        };
        return { ops: [{ op: 'put', table: TABLES.policies, key, value: doc, condition: { ifNotExists: true } }], result: localView(doc, undefined) };
      });
    },

    async get(accountId: string, policyArn: string): Promise<PolicyView> {
      const [resolved, usage] = await Promise.all([resolve(accountId, policyArn), readUsage(store, accountId, policyArn)]);
      return resolved.source === 'aws' ? awsView(resolved.policy, usage) : localView(resolved.doc.value, usage);
    },

    async list(accountId: string, filter: ListPoliciesFilter, page: PageRequest): Promise<Page<PolicyView>> {
      const scope = filter.scope ?? 'All';
      const [usage, local] = await Promise.all([allUsage(store, accountId), scope === 'AWS' ? [] : store.list<PolicyDoc>(TABLES.policies, { prefix: `${accountId}/` })]);
      const views = [
        ...(scope === 'Local' ? [] : listManagedPolicies().map((p) => awsView(p, usage.get(p.Arn)))),
        ...local.map((d) => localView(d.value, usage.get(d.value.arn))),
      ].filter((v) => {
        if (filter.pathPrefix && !v.path.startsWith(filter.pathPrefix)) return false;
        if (!filter.onlyAttached) return true;
        if (filter.usageFilter === 'PermissionsPolicy') return v.attachmentCount > 0;
        if (filter.usageFilter === 'PermissionsBoundary') return v.permissionsBoundaryUsageCount > 0;
        return v.attachmentCount + v.permissionsBoundaryUsageCount > 0;
      });
      return pageOf(views, (v) => `${v.policyName.toLowerCase()}\u0000${v.arn}`, page);
    },

    /** DeletePolicy: only once detached everywhere and down to its default version, as AWS requires. */
    delete(accountId: string, policyArn: string): Promise<void> {
      return transact(store, async () => {
        const read = await resolveLocal(accountId, policyArn);
        const usage = await readUsage(store, accountId, policyArn);
        if (!usageIsEmpty(usage)) fail({ code: 'DeleteConflict', reason: 'policyAttached' });
        if (read.value.versions.length > 1) fail({ code: 'DeleteConflict', reason: 'policyVersions' });
        return {
          ops: [deleteOp(TABLES.policies, read.key, read), { op: 'check', table: TABLES.usage, key: usageKey(accountId, policyArn), condition: { ifNotExists: true } }],
          result: undefined,
        };
      });
    },

    createVersion(accountId: string, policyArn: string, document: string, setAsDefault: boolean): Promise<PolicyVersionView> {
      return transact(store, async () => {
        const read = await resolveLocal(accountId, policyArn);
        const doc = structuredClone(read.value);
        if (doc.versions.length >= QUOTAS.versionsPerPolicy) fail({ code: 'PolicyVersionLimit' });
        const version = { versionId: `v${doc.nextVersion}`, document, createDate: now() };
        doc.versions.push(version);
        doc.nextVersion += 1;
        doc.updateDate = version.createDate;
        if (setAsDefault) doc.defaultVersionId = version.versionId;
        return { ops: [putOp(TABLES.policies, read.key, doc, read)], result: { ...version, isDefaultVersion: setAsDefault } };
      });
    },

    async getVersion(accountId: string, policyArn: string, versionId: string): Promise<PolicyVersionView> {
      const resolved = await resolve(accountId, policyArn);
      if (resolved.source === 'aws') {
        const p = resolved.policy;
        if (versionId !== p.DefaultVersionId) fail({ code: 'NoSuchPolicyVersion', arn: policyArn, versionId });
        return { versionId, document: awsPolicyDocument(p), isDefaultVersion: true, createDate: p.UpdateDate };
      }
      const doc = resolved.doc.value;
      const v = versionOf(doc, policyArn, versionId);
      return { ...v, isDefaultVersion: v.versionId === doc.defaultVersionId };
    },

    async listVersions(accountId: string, policyArn: string, page: PageRequest): Promise<Page<PolicyVersionView>> {
      const resolved = await resolve(accountId, policyArn);
      const versions: PolicyVersionView[] =
        resolved.source === 'aws'
          ? [{ versionId: resolved.policy.DefaultVersionId, document: awsPolicyDocument(resolved.policy), isDefaultVersion: true, createDate: resolved.policy.UpdateDate }]
          : resolved.doc.value.versions.map((v) => ({ ...v, isDefaultVersion: v.versionId === resolved.doc.value.defaultVersionId }));
      // Newest first, as AWS lists them.
      return pageOf(versions, (v) => String(1e9 - Number.parseInt(v.versionId.slice(1), 10)).padStart(10, '0'), page);
    },

    deleteVersion(accountId: string, policyArn: string, versionId: string): Promise<void> {
      return changeLocal(accountId, policyArn, (doc) => {
        versionOf(doc, policyArn, versionId);
        if (doc.defaultVersionId === versionId) fail({ code: 'DeleteConflict', reason: 'defaultVersion' });
        doc.versions = doc.versions.filter((v) => v.versionId !== versionId);
      });
    },

    setDefaultVersion(accountId: string, policyArn: string, versionId: string): Promise<void> {
      return changeLocal(accountId, policyArn, (doc) => {
        versionOf(doc, policyArn, versionId);
        doc.defaultVersionId = versionId;
        doc.updateDate = now();
      });
    },

    /** ListEntitiesForPolicy: groups, then users, then roles, each by name. */
    async entitiesFor(
      accountId: string,
      policyArn: string,
      filter: { entityFilter?: string; pathPrefix?: string; usageFilter?: 'PermissionsPolicy' | 'PermissionsBoundary' },
      page: PageRequest,
    ): Promise<Page<PolicyEntity>> {
      await resolve(accountId, policyArn);
      const usage = await readUsage(store, accountId, policyArn);
      const asPolicy = filter.usageFilter !== 'PermissionsBoundary';
      const asBoundary = filter.usageFilter !== 'PermissionsPolicy';
      const names: Record<EntityKind, string[]> = {
        group: asPolicy ? usage.groups : [],
        user: [...(asPolicy ? usage.users : []), ...(asBoundary ? usage.boundaryUsers : [])],
        role: [...(asPolicy ? usage.roles : []), ...(asBoundary ? usage.boundaryRoles : [])],
      };
      const wanted = (['group', 'user', 'role'] as const).filter((k) => !filter.entityFilter || filter.entityFilter.toLowerCase() === k);
      const found = await Promise.all(
        wanted.flatMap((kind) =>
          [...new Set(names[kind])].map(async (name) => {
            const doc = await entities.get(kind, accountId, name);
            if (!doc || (filter.pathPrefix && !doc.path.startsWith(filter.pathPrefix))) return [];
            return [{ kind, name: entityName(doc), id: entityId(doc) }];
          }),
        ),
      );
      const order = { group: 0, user: 1, role: 2 };
      return pageOf(found.flat(), (e) => `${order[e.kind]}/${e.name.toLowerCase()}`, page);
    },

    /** ListAttached{User,Group,Role}Policies; names and paths come from the ARNs, so no policy is read. */
    async attachedTo(kind: EntityKind, accountId: string, name: string, pathPrefix: string | undefined, page: PageRequest): Promise<Page<{ policyName: string; policyArn: string }>> {
      const doc = (await entities.read(kind, accountId, name)).value;
      const items = doc.attached
        .map((policyArn, index) => ({ policyArn, index, ...policyNameAndPath(policyArn) }))
        .filter((p) => !pathPrefix || p.path.startsWith(pathPrefix));
      // In the order they were attached.
      const listed = pageOf(items, (p) => String(p.index).padStart(6, '0'), page);
      return { ...listed, items: listed.items.map((p) => ({ policyName: p.name, policyArn: p.policyArn })) };
    },
  };
}
