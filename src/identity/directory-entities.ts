/**
 * Changes common to IAM users, groups and roles: create, list, delete (with
 * AWS's DeleteConflict rules), tags, inline policies, managed-policy
 * attachments and permissions boundaries. Every change is one conditional
 * batch built by `transact`, so the entity document and the policy usage
 * documents always agree.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_users_manage.html#id_users_deleting_cli
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_manage-attach-detach.html
 */
import type { DocumentStore, StoredDocument, WriteOp } from '../storage/types.js';
import {
  deleteOp,
  entityName,
  fail,
  KINDS,
  nameKey,
  pageTable,
  putOp,
  QUOTAS,
  transact,
  type EntityKind,
  type GroupDoc,
  type Page,
  type PageRequest,
  type RoleDoc,
  type UserDoc,
} from './directory-layout.js';
import { policyStillExists, resolvePolicy, usageOps, type UsageChange } from './directory-usage.js';
import type { Tag } from './types.js';

export type DocOf<K extends EntityKind> = K extends 'user' ? UserDoc : K extends 'group' ? GroupDoc : RoleDoc;
export type TaggableKind = 'user' | 'role';

/** Counts characters outside whitespace, as IAM does for its policy size quotas. */
export function policySize(document: string): number {
  return document.replace(/\s/g, '').length;
}

export function entityStore(store: DocumentStore) {
  async function read<K extends EntityKind>(kind: K, accountId: string, name: string): Promise<StoredDocument<DocOf<K>>> {
    const doc = await store.get<DocOf<K>>(KINDS[kind].table, nameKey(accountId, name));
    return doc ?? fail({ code: 'NoSuchEntity', kind, name });
  }

  /** Read-modify-write of one entity; `change` returns extra ops for the same batch, or false for "nothing to do". */
  function update<K extends EntityKind, T = void>(
    kind: K,
    accountId: string,
    name: string,
    change: (doc: DocOf<K>, read: StoredDocument<DocOf<K>>) => Promise<{ extra?: WriteOp[]; result?: T } | false> | { extra?: WriteOp[]; result?: T } | false,
  ): Promise<T> {
    return transact(store, async () => {
      const read_ = await read(kind, accountId, name);
      const doc = structuredClone(read_.value);
      const outcome = await change(doc, read_);
      if (outcome === false) return { ops: [], result: undefined as T };
      return { ops: [putOp(KINDS[kind].table, read_.key, doc, read_), ...(outcome.extra ?? [])], result: outcome.result as T };
    });
  }

  /** Validates a boundary policy and plans its usage record, for create and PutXPermissionsBoundary. */
  async function boundaryOps(kind: TaggableKind, accountId: string, lname: string, next: string | undefined, previous: string | undefined): Promise<WriteOp[]> {
    if (next === previous) return [];
    const field = KINDS[kind].boundary;
    const changes: UsageChange[] = [];
    const ops: WriteOp[] = [];
    if (next) {
      const resolved = await resolvePolicy(store, accountId, next);
      if (!resolved) fail({ code: 'NoSuchPolicy', arn: next, attaching: true });
      ops.push(...policyStillExists(resolved));
      changes.push({ policyArn: next, field, name: lname, add: true });
    }
    if (previous) changes.push({ policyArn: previous, field, name: lname, add: false });
    return [...ops, ...(await usageOps(store, accountId, changes))];
  }

  return {
    read,
    update,

    async get<K extends EntityKind>(kind: K, accountId: string, name: string): Promise<DocOf<K> | undefined> {
      return (await store.get<DocOf<K>>(KINDS[kind].table, nameKey(accountId, name)))?.value;
    },

    async create<K extends EntityKind>(kind: K, accountId: string, doc: DocOf<K>): Promise<DocOf<K>> {
      const name = entityName(doc);
      const key = nameKey(accountId, name);
      return transact(store, async () => {
        if (await store.get(KINDS[kind].table, key)) fail({ code: 'AlreadyExists', kind, name });
        const boundary = kind === 'group' ? [] : await boundaryOps(kind as TaggableKind, accountId, name.toLowerCase(), (doc as UserDoc | RoleDoc).permissionsBoundary, undefined);
        return { ops: [{ op: 'put', table: KINDS[kind].table, key, value: doc, condition: { ifNotExists: true } }, ...boundary], result: doc };
      });
    },

    list<K extends EntityKind>(kind: K, accountId: string, pathPrefix: string | undefined, page: PageRequest): Promise<Page<DocOf<K>>> {
      return pageTable<DocOf<K>>(store, KINDS[kind].table, `${accountId}/`, page, (d) => !pathPrefix || d.path.startsWith(pathPrefix));
    },

    /** Deletes an entity that has no dependents left, checking in AWS's order (keys, inline, attached, groups). */
    delete(kind: EntityKind, accountId: string, name: string): Promise<void> {
      return transact(store, async () => {
        const read_ = await read(kind, accountId, name);
        const doc = read_.value;
        if (kind === 'user' && (doc as UserDoc).accessKeys.length) fail({ code: 'DeleteConflict', reason: 'accessKeys' });
        if (kind === 'group' && (doc as GroupDoc).members.length) fail({ code: 'DeleteConflict', reason: 'members' });
        if (kind === 'role' && doc.attached.length) fail({ code: 'DeleteConflict', reason: 'attachedPolicies' });
        if (Object.keys(doc.inline).length) fail({ code: 'DeleteConflict', reason: 'inlinePolicies' });
        if (doc.attached.length) fail({ code: 'DeleteConflict', reason: 'attachedPolicies' });
        if (kind === 'user' && (doc as UserDoc).groups.length) fail({ code: 'DeleteConflict', reason: 'groups' });
        const boundary = kind === 'group' ? [] : await boundaryOps(kind as TaggableKind, accountId, name.toLowerCase(), undefined, (doc as UserDoc | RoleDoc).permissionsBoundary);
        return { ops: [deleteOp(KINDS[kind].table, read_.key, read_), ...boundary], result: undefined };
      });
    },

    /** Adds or replaces tags; IAM compares tag keys without regard to case. */
    tag(kind: TaggableKind, accountId: string, name: string, tags: Tag[]): Promise<void> {
      return update(kind, accountId, name, (doc) => {
        const keys = new Set(tags.map((t) => t.Key.toLowerCase()));
        doc.tags = [...doc.tags.filter((t) => !keys.has(t.Key.toLowerCase())), ...tags.map((t) => ({ Key: t.Key, Value: t.Value }))];
        if (doc.tags.length > QUOTAS.tagsPerEntity) fail({ code: 'TagLimit' });
        return {};
      });
    },

    untag(kind: TaggableKind, accountId: string, name: string, keys: string[]): Promise<void> {
      const lower = new Set(keys.map((k) => k.toLowerCase()));
      return update(kind, accountId, name, (doc) => {
        const kept = doc.tags.filter((t) => !lower.has(t.Key.toLowerCase()));
        if (kept.length === doc.tags.length) return false;
        doc.tags = kept;
        return {};
      });
    },

    putInline(kind: EntityKind, accountId: string, name: string, policyName: string, document: string): Promise<void> {
      return update(kind, accountId, name, (doc) => {
        const next = { ...doc.inline, [policyName]: document };
        const total = Object.values(next).reduce((n, d) => n + policySize(d), 0);
        if (total > KINDS[kind].policySize) fail({ code: 'PolicySize', kind, name: entityName(doc), limit: KINDS[kind].policySize });
        doc.inline = next;
        return {};
      });
    },

    async getInline(kind: EntityKind, accountId: string, name: string, policyName: string): Promise<{ entityName: string; document: string }> {
      const doc = (await read(kind, accountId, name)).value;
      const document = Object.hasOwn(doc.inline, policyName) ? doc.inline[policyName] : undefined;
      return document === undefined ? fail({ code: 'NoSuchInlinePolicy', kind, policyName }) : { entityName: entityName(doc), document };
    },

    deleteInline(kind: EntityKind, accountId: string, name: string, policyName: string): Promise<void> {
      return update(kind, accountId, name, (doc) => {
        if (!Object.hasOwn(doc.inline, policyName)) fail({ code: 'NoSuchInlinePolicy', kind, policyName });
        const { [policyName]: _removed, ...rest } = doc.inline;
        doc.inline = rest;
        return {};
      });
    },

    /** Attaching an attached policy again is a no-op, as on AWS. */
    attach(kind: EntityKind, accountId: string, name: string, policyArn: string): Promise<void> {
      return update(kind, accountId, name, async (doc) => {
        if (doc.attached.includes(policyArn)) return false;
        const resolved = await resolvePolicy(store, accountId, policyArn);
        if (!resolved) fail({ code: 'NoSuchPolicy', arn: policyArn, attaching: true });
        if (doc.attached.length >= QUOTAS.attachedPerEntity) fail({ code: 'LimitExceeded', quota: KINDS[kind].quotaName, limit: QUOTAS.attachedPerEntity });
        doc.attached = [...doc.attached, policyArn];
        const usage = await usageOps(store, accountId, [{ policyArn, field: KINDS[kind].usage, name: name.toLowerCase(), add: true }]);
        return { extra: [...policyStillExists(resolved), ...usage] };
      });
    },

    detach(kind: EntityKind, accountId: string, name: string, policyArn: string): Promise<void> {
      return update(kind, accountId, name, async (doc) => {
        if (!doc.attached.includes(policyArn)) fail({ code: 'NotAttached', arn: policyArn });
        doc.attached = doc.attached.filter((a) => a !== policyArn);
        return { extra: await usageOps(store, accountId, [{ policyArn, field: KINDS[kind].usage, name: name.toLowerCase(), add: false }]) };
      });
    },

    setBoundary(kind: TaggableKind, accountId: string, name: string, policyArn: string | undefined): Promise<void> {
      return update(kind, accountId, name, async (doc) => {
        const previous = doc.permissionsBoundary;
        if (previous === policyArn) return false;
        const extra = await boundaryOps(kind, accountId, name.toLowerCase(), policyArn, previous);
        if (policyArn) doc.permissionsBoundary = policyArn;
        else delete doc.permissionsBoundary;
        return { extra };
      });
    },
  };
}

export type EntityStore = ReturnType<typeof entityStore>;
