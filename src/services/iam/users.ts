/**
 * IAM users: CreateUser, GetUser (the caller itself when no name is given),
 * ListUsers, UpdateUser, DeleteUser, their tags and permissions boundary.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetUser.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
 */
import type { RequestContext } from '../../core/context.js';
import { uniqueId } from '../../core/ids.js';
import { pageOf, type UserDoc } from '../../identity/directory.js';
import type { Tag } from '../../identity/types.js';
import { checkTags, entityArn, newEntityArn, nowIso, pageRequest, tagConditions, type IamDeps, type Operations, type PageInput } from './common.js';
import { needsUserName } from './errors.js';
import { pageFields, userDetail, userSummary } from './models.js';

interface CreateUserInput {
  UserName: string;
  Path?: string;
  PermissionsBoundary?: string;
  Tags?: Tag[];
}

interface UserNameInput {
  UserName: string;
}

/**
 * The account root has no IAM user record; GetUser answers it with the
 * account's id and root ARN only. Stratus keeps no account creation time, so
 * a fixed date stands in for it.
 */
const ROOT_CREATE_DATE = new Date('2020-01-01T00:00:00Z');

export function userOperations(deps: IamDeps): Operations {
  const dir = deps.directory;
  const userArn = (ctx: RequestContext, name: string | undefined) => entityArn(deps, ctx, 'user', name).then((a) => [a]);

  return {
    CreateUser: {
      resources: (input: CreateUserInput, ctx) => [newEntityArn(ctx, 'user', input.Path, input.UserName)],
      conditions: (input: CreateUserInput) => tagConditions(input.Tags, { 'iam:PermissionsBoundary': input.PermissionsBoundary }),
      async handler(input: CreateUserInput, ctx) {
        const path = input.Path ?? '/';
        const doc: UserDoc = {
          userName: input.UserName,
          userId: uniqueId('AIDA'),
          arn: newEntityArn(ctx, 'user', path, input.UserName),
          path,
          createDate: nowIso(),
          tags: checkTags(input.Tags),
          inline: {},
          attached: [],
          groups: [],
          accessKeys: [],
        };
        if (input.PermissionsBoundary) doc.permissionsBoundary = input.PermissionsBoundary;
        return { User: userDetail(await dir.entities.create('user', ctx.accountId, doc)) };
      },
    },

    GetUser: {
      resources: (input: { UserName?: string }, ctx) => (input.UserName ? userArn(ctx, input.UserName) : [ctx.principal.arn]),
      async handler(input: { UserName?: string }, ctx) {
        const p = ctx.principal;
        if (!input.UserName && p.type === 'root') return { User: { UserId: p.accountId, Arn: p.arn, CreateDate: ROOT_CREATE_DATE } };
        const name = input.UserName ?? (p.type === 'user' ? p.name : undefined);
        if (!name) throw needsUserName();
        return { User: userDetail((await dir.entities.read('user', ctx.accountId, name)).value) };
      },
    },

    ListUsers: {
      async handler(input: PageInput & { PathPrefix?: string }, ctx) {
        const page = await dir.entities.list('user', ctx.accountId, input.PathPrefix, pageRequest(input));
        return { Users: page.items.map(userSummary), ...pageFields(page) };
      },
    },

    UpdateUser: {
      // Renaming needs permission on both the current and the new name.
      async resources(input: { UserName: string; NewUserName?: string; NewPath?: string }, ctx) {
        const current = await entityArn(deps, ctx, 'user', input.UserName);
        if (!input.NewUserName && !input.NewPath) return [current];
        const existing = await dir.entities.get('user', ctx.accountId, input.UserName);
        return [current, newEntityArn(ctx, 'user', input.NewPath ?? existing?.path, input.NewUserName ?? existing?.userName ?? input.UserName)];
      },
      async handler(input: { UserName: string; NewUserName?: string; NewPath?: string }, ctx) {
        await dir.users.rename(ctx.accountId, input.UserName, { newName: input.NewUserName, newPath: input.NewPath });
        return undefined;
      },
    },

    DeleteUser: {
      resources: (input: UserNameInput, ctx) => userArn(ctx, input.UserName),
      async handler(input: UserNameInput, ctx) {
        await dir.entities.delete('user', ctx.accountId, input.UserName);
        return undefined;
      },
    },

    TagUser: {
      resources: (input: UserNameInput, ctx) => userArn(ctx, input.UserName),
      conditions: (input: UserNameInput & { Tags: Tag[] }) => tagConditions(input.Tags),
      async handler(input: UserNameInput & { Tags: Tag[] }, ctx) {
        await dir.entities.tag('user', ctx.accountId, input.UserName, checkTags(input.Tags));
        return undefined;
      },
    },

    UntagUser: {
      resources: (input: UserNameInput, ctx) => userArn(ctx, input.UserName),
      conditions: (input: UserNameInput & { TagKeys: string[] }) => ({ 'aws:TagKeys': input.TagKeys ?? [] }),
      async handler(input: UserNameInput & { TagKeys: string[] }, ctx) {
        await dir.entities.untag('user', ctx.accountId, input.UserName, input.TagKeys);
        return undefined;
      },
    },

    ListUserTags: {
      resources: (input: UserNameInput, ctx) => userArn(ctx, input.UserName),
      async handler(input: UserNameInput & PageInput, ctx) {
        const user = (await dir.entities.read('user', ctx.accountId, input.UserName)).value;
        const page = pageOf(
          user.tags.map((t, i) => ({ t, i })),
          (x) => String(x.i).padStart(4, '0'),
          pageRequest(input),
        );
        return { Tags: page.items.map((x) => x.t), ...pageFields(page) };
      },
    },

    PutUserPermissionsBoundary: {
      resources: (input: UserNameInput, ctx) => userArn(ctx, input.UserName),
      conditions: (input: { PermissionsBoundary: string }) => ({ 'iam:PermissionsBoundary': input.PermissionsBoundary }),
      async handler(input: UserNameInput & { PermissionsBoundary: string }, ctx) {
        await dir.entities.setBoundary('user', ctx.accountId, input.UserName, input.PermissionsBoundary);
        return undefined;
      },
    },

    DeleteUserPermissionsBoundary: {
      resources: (input: UserNameInput, ctx) => userArn(ctx, input.UserName),
      async handler(input: UserNameInput, ctx) {
        await dir.entities.setBoundary('user', ctx.accountId, input.UserName, undefined);
        return undefined;
      },
    },
  };
}
