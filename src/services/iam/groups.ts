/**
 * IAM groups and membership: CreateGroup, GetGroup (with its users),
 * ListGroups, DeleteGroup, AddUserToGroup, RemoveUserFromGroup and
 * ListGroupsForUser. Membership is recorded on both the group and the user,
 * in one batch, so both listings always agree.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups_manage.html
 */
import type { RequestContext } from '../../core/context.js';
import { uniqueId } from '../../core/ids.js';
import type { GroupDoc } from '../../identity/directory.js';
import { entityArn, newEntityArn, nowIso, pageRequest, type IamDeps, type Operations, type PageInput } from './common.js';
import { groupOut, pageFields, userSummary } from './models.js';

interface GroupNameInput {
  GroupName: string;
}

interface MembershipInput {
  GroupName: string;
  UserName: string;
}

export function groupOperations(deps: IamDeps): Operations {
  const dir = deps.directory;
  const groupArn = (ctx: RequestContext, name: string) => entityArn(deps, ctx, 'group', name).then((a) => [a]);

  return {
    CreateGroup: {
      resources: (input: GroupNameInput & { Path?: string }, ctx) => [newEntityArn(ctx, 'group', input.Path, input.GroupName)],
      async handler(input: GroupNameInput & { Path?: string }, ctx) {
        const path = input.Path ?? '/';
        const doc: GroupDoc = {
          groupName: input.GroupName,
          groupId: uniqueId('AGPA'),
          arn: newEntityArn(ctx, 'group', path, input.GroupName),
          path,
          createDate: nowIso(),
          members: [],
          inline: {},
          attached: [],
        };
        return { Group: groupOut(await dir.entities.create('group', ctx.accountId, doc)) };
      },
    },

    GetGroup: {
      resources: (input: GroupNameInput, ctx) => groupArn(ctx, input.GroupName),
      async handler(input: GroupNameInput & PageInput, ctx) {
        const { group, users } = await dir.users.members(ctx.accountId, input.GroupName, pageRequest(input));
        return { Group: groupOut(group), Users: users.items.map(userSummary), ...pageFields(users) };
      },
    },

    ListGroups: {
      async handler(input: PageInput & { PathPrefix?: string }, ctx) {
        const page = await dir.entities.list('group', ctx.accountId, input.PathPrefix, pageRequest(input));
        return { Groups: page.items.map(groupOut), ...pageFields(page) };
      },
    },

    DeleteGroup: {
      resources: (input: GroupNameInput, ctx) => groupArn(ctx, input.GroupName),
      async handler(input: GroupNameInput, ctx) {
        await dir.entities.delete('group', ctx.accountId, input.GroupName);
        return undefined;
      },
    },

    AddUserToGroup: {
      resources: (input: MembershipInput, ctx) => groupArn(ctx, input.GroupName),
      async handler(input: MembershipInput, ctx) {
        await dir.users.addToGroup(ctx.accountId, input.GroupName, input.UserName);
        return undefined;
      },
    },

    RemoveUserFromGroup: {
      resources: (input: MembershipInput, ctx) => groupArn(ctx, input.GroupName),
      async handler(input: MembershipInput, ctx) {
        await dir.users.removeFromGroup(ctx.accountId, input.GroupName, input.UserName);
        return undefined;
      },
    },

    ListGroupsForUser: {
      resources: (input: { UserName: string }, ctx) => entityArn(deps, ctx, 'user', input.UserName).then((a) => [a]),
      async handler(input: { UserName: string } & PageInput, ctx) {
        const page = await dir.users.groupsOf(ctx.accountId, input.UserName, pageRequest(input));
        return { Groups: page.items.map(groupOut), ...pageFields(page) };
      },
    },
  };
}
