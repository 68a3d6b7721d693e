/**
 * User-specific IAM changes: renaming or moving a user (which re-points its
 * group memberships, policy usage records and access keys in the same
 * batch), group membership kept on both sides, and long-term access keys
 * (at most two per user, looked up by id in one read when a request is signed).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_users_manage.html#id_users_renaming
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html
 */
import { iamArn } from '../core/arn.js';
import { accessKeyId as newAccessKeyId, secretAccessKey as newSecret } from '../core/ids.js';
import type { DocumentStore, StoredDocument, WriteOp } from '../storage/types.js';
import type { EntityStore } from './directory-entities.js';
import {
  deleteOp,
  fail,
  nameKey,
  now,
  pageOf,
  putOp,
  QUOTAS,
  TABLES,
  transact,
  withoutItem,
  type AccessKeyDoc,
  type AccessKeyUsageDoc,
  type GroupDoc,
  type Page,
  type PageRequest,
  type UserDoc,
} from './directory-layout.js';
import { renameUsage, usageOps } from './directory-usage.js';

export function userStore(store: DocumentStore, entities: EntityStore) {
  async function readKeyOf(user: UserDoc, accessKeyId: string): Promise<StoredDocument<AccessKeyDoc>> {
    const key = user.accessKeys.includes(accessKeyId) ? await store.get<AccessKeyDoc>(TABLES.accessKeys, accessKeyId) : undefined;
    return key ?? fail({ code: 'NoSuchAccessKey', accessKeyId });
  }

  return {
    /** UpdateUser: a new name and/or path; every document that names the user follows in the same batch. */
    rename(accountId: string, userName: string, change: { newName?: string; newPath?: string }): Promise<UserDoc> {
      return transact(store, async () => {
        const read = await entities.read('user', accountId, userName);
        const doc = structuredClone(read.value);
        const from = doc.userName.toLowerCase();
        const newName = change.newName ?? doc.userName;
        const to = newName.toLowerCase();
        const moved = from !== to;
        if (moved && (await store.get(TABLES.users, nameKey(accountId, newName)))) fail({ code: 'AlreadyExists', kind: 'user', name: newName });
        doc.userName = newName;
        doc.path = change.newPath ?? doc.path;
        doc.arn = iamArn(accountId, 'user', doc.path, doc.userName);
        const ops: WriteOp[] = moved
          ? [deleteOp(TABLES.users, read.key, read), { op: 'put', table: TABLES.users, key: nameKey(accountId, newName), value: doc, condition: { ifNotExists: true } }]
          : [putOp(TABLES.users, read.key, doc, read)];
        if (moved) {
          for (const group of doc.groups) {
            const g = await store.get<GroupDoc>(TABLES.groups, nameKey(accountId, group));
            if (g) ops.push(putOp(TABLES.groups, g.key, { ...g.value, members: [...withoutItem(g.value.members, from), to] }, g));
          }
          const boundary = doc.permissionsBoundary ? renameUsage([doc.permissionsBoundary], 'boundaryUsers', from, to) : [];
          ops.push(...(await usageOps(store, accountId, [...renameUsage(doc.attached, 'users', from, to), ...boundary])));
        }
        for (const id of doc.accessKeys) {
          const k = await store.get<AccessKeyDoc>(TABLES.accessKeys, id);
          if (k) ops.push(putOp(TABLES.accessKeys, id, { ...k.value, userName: doc.userName, userArn: doc.arn }, k));
        }
        return { ops, result: doc };
      });
    },

    /** AddUserToGroup; adding a member twice is a no-op, as on AWS. */
    addToGroup(accountId: string, groupName: string, userName: string): Promise<void> {
      return transact(store, async () => {
        const [g, u] = await Promise.all([entities.read('group', accountId, groupName), entities.read('user', accountId, userName)]);
        const user = u.value.userName.toLowerCase();
        const group = g.value.groupName.toLowerCase();
        if (g.value.members.includes(user)) return { ops: [], result: undefined };
        if (u.value.groups.length >= QUOTAS.groupsPerUser) fail({ code: 'LimitExceeded', quota: 'GroupsPerUser', limit: QUOTAS.groupsPerUser });
        return {
          ops: [putOp(TABLES.groups, g.key, { ...g.value, members: [...g.value.members, user] }, g), putOp(TABLES.users, u.key, { ...u.value, groups: [...u.value.groups, group] }, u)],
          result: undefined,
        };
      });
    },

    removeFromGroup(accountId: string, groupName: string, userName: string): Promise<void> {
      return transact(store, async () => {
        const [g, u] = await Promise.all([entities.read('group', accountId, groupName), entities.read('user', accountId, userName)]);
        const user = u.value.userName.toLowerCase();
        const group = g.value.groupName.toLowerCase();
        if (!g.value.members.includes(user)) fail({ code: 'NotInGroup', userName: u.value.userName });
        return {
          ops: [putOp(TABLES.groups, g.key, { ...g.value, members: withoutItem(g.value.members, user) }, g), putOp(TABLES.users, u.key, { ...u.value, groups: withoutItem(u.value.groups, group) }, u)],
          result: undefined,
        };
      });
    },

    async groupsOf(accountId: string, userName: string, page: PageRequest): Promise<Page<GroupDoc>> {
      const user = (await entities.read('user', accountId, userName)).value;
      const groups = await Promise.all(user.groups.map((g) => store.get<GroupDoc>(TABLES.groups, nameKey(accountId, g))));
      return pageOf(
        groups.flatMap((g) => (g ? [g.value] : [])),
        (g) => g.groupName.toLowerCase(),
        page,
      );
    },

    async members(accountId: string, groupName: string, page: PageRequest): Promise<{ group: GroupDoc; users: Page<UserDoc> }> {
      const group = (await entities.read('group', accountId, groupName)).value;
      const listed = pageOf(group.members, (m) => m, page);
      const users = await Promise.all(listed.items.map((m) => store.get<UserDoc>(TABLES.users, nameKey(accountId, m))));
      return { group, users: { ...listed, items: users.flatMap((u) => (u ? [u.value] : [])) } };
    },

    createAccessKey(accountId: string, userName: string): Promise<AccessKeyDoc> {
      return transact(store, async () => {
        const u = await entities.read('user', accountId, userName);
        if (u.value.accessKeys.length >= QUOTAS.accessKeysPerUser) fail({ code: 'LimitExceeded', quota: 'AccessKeysPerUser', limit: QUOTAS.accessKeysPerUser });
        const key: AccessKeyDoc = {
          accessKeyId: newAccessKeyId(false),
          secretAccessKey: newSecret(),
          status: 'Active',
          createDate: now(),
          accountId,
          userName: u.value.userName,
          userId: u.value.userId,
          userArn: u.value.arn,
        };
        return {
          ops: [
            { op: 'put', table: TABLES.accessKeys, key: key.accessKeyId, value: key, condition: { ifNotExists: true } },
            putOp(TABLES.users, u.key, { ...u.value, accessKeys: [...u.value.accessKeys, key.accessKeyId] }, u),
          ],
          result: key,
        };
      });
    },

    async listAccessKeys(accountId: string, userName: string, page: PageRequest): Promise<Page<AccessKeyDoc>> {
      const user = (await entities.read('user', accountId, userName)).value;
      const keys = await Promise.all(user.accessKeys.map((id) => store.get<AccessKeyDoc>(TABLES.accessKeys, id)));
      return pageOf(
        keys.flatMap((k) => (k ? [k.value] : [])),
        (k) => k.accessKeyId,
        page,
      );
    },

    setAccessKeyStatus(accountId: string, userName: string, accessKeyId: string, status: 'Active' | 'Inactive'): Promise<void> {
      return transact(store, async () => {
        const user = (await entities.read('user', accountId, userName)).value;
        const k = await readKeyOf(user, accessKeyId);
        if (k.value.status === status) return { ops: [], result: undefined };
        return { ops: [putOp(TABLES.accessKeys, accessKeyId, { ...k.value, status }, k)], result: undefined };
      });
    },

    deleteAccessKey(accountId: string, userName: string, accessKeyId: string): Promise<void> {
      return transact(store, async () => {
        const u = await entities.read('user', accountId, userName);
        const k = await readKeyOf(u.value, accessKeyId);
        return {
          ops: [
            deleteOp(TABLES.accessKeys, accessKeyId, k),
            putOp(TABLES.users, u.key, { ...u.value, accessKeys: withoutItem(u.value.accessKeys, accessKeyId) }, u),
            { op: 'delete', table: TABLES.keyUsage, key: accessKeyId },
          ],
          result: undefined,
        };
      });
    },

    /** The key and its last use, for GetAccessKeyLastUsed (any key of the caller's account). */
    async accessKeyInfo(accountId: string, accessKeyId: string): Promise<{ key: AccessKeyDoc; lastUsed?: AccessKeyUsageDoc }> {
      const [key, usage] = await Promise.all([store.get<AccessKeyDoc>(TABLES.accessKeys, accessKeyId), store.get<AccessKeyUsageDoc>(TABLES.keyUsage, accessKeyId)]);
      if (!key || key.value.accountId !== accountId) fail({ code: 'NoSuchAccessKey', accessKeyId });
      return { key: key.value, lastUsed: usage?.value };
    },

    /**
     * Records that a key signed a request. The gateway decides how often to
     * call it; the write is unconditional and apart from the key's document so
     * it never conflicts with UpdateAccessKey.
     */
    async recordAccessKeyUse(accessKeyId: string, serviceName: string, region: string, at: Date = new Date()): Promise<void> {
      await store.put(TABLES.keyUsage, accessKeyId, { date: at.toISOString(), serviceName, region } satisfies AccessKeyUsageDoc);
    },
  };
}
