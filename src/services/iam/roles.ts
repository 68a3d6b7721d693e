/**
 * IAM roles: CreateRole (its trust policy validated as AWS does), GetRole,
 * ListRoles, UpdateRole, UpdateAssumeRolePolicy, DeleteRole, their tags and
 * permissions boundary. A role's trust policy is what STS's AssumeRole and
 * Lambda's execution-role credentials check against.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-service.html
 */
import type { RequestContext } from '../../core/context.js';
import { uniqueId } from '../../core/ids.js';
import { pageOf, type RoleDoc } from '../../identity/directory.js';
import type { Tag } from '../../identity/types.js';
import { checkTags, checkTrustPolicy, entityArn, newEntityArn, nowIso, pageRequest, tagConditions, type IamDeps, type Operations, type PageInput } from './common.js';
import { pageFields, roleDetail, roleSummary } from './models.js';

interface CreateRoleInput {
  RoleName: string;
  Path?: string;
  AssumeRolePolicyDocument: string;
  Description?: string;
  MaxSessionDuration?: number;
  PermissionsBoundary?: string;
  Tags?: Tag[];
}

interface RoleNameInput {
  RoleName: string;
}

const DEFAULT_MAX_SESSION = 3600;

export function roleOperations(deps: IamDeps): Operations {
  const dir = deps.directory;
  const roleArn = (ctx: RequestContext, name: string) => entityArn(deps, ctx, 'role', name).then((a) => [a]);

  return {
    CreateRole: {
      resources: (input: CreateRoleInput, ctx) => [newEntityArn(ctx, 'role', input.Path, input.RoleName)],
      conditions: (input: CreateRoleInput) => tagConditions(input.Tags, { 'iam:PermissionsBoundary': input.PermissionsBoundary }),
      async handler(input: CreateRoleInput, ctx) {
        const path = input.Path ?? '/';
        const doc: RoleDoc = {
          roleName: input.RoleName,
          roleId: uniqueId('AROA'),
          arn: newEntityArn(ctx, 'role', path, input.RoleName),
          path,
          assumeRolePolicyDocument: checkTrustPolicy(input.AssumeRolePolicyDocument),
          maxSessionDuration: input.MaxSessionDuration ?? DEFAULT_MAX_SESSION,
          createDate: nowIso(),
          tags: checkTags(input.Tags),
          inline: {},
          attached: [],
        };
        if (input.Description !== undefined) doc.description = input.Description;
        if (input.PermissionsBoundary) doc.permissionsBoundary = input.PermissionsBoundary;
        return { Role: roleDetail(await dir.entities.create('role', ctx.accountId, doc), false) };
      },
    },

    GetRole: {
      resources: (input: RoleNameInput, ctx) => roleArn(ctx, input.RoleName),
      async handler(input: RoleNameInput, ctx) {
        return { Role: roleDetail((await dir.entities.read('role', ctx.accountId, input.RoleName)).value, true) };
      },
    },

    ListRoles: {
      async handler(input: PageInput & { PathPrefix?: string }, ctx) {
        const page = await dir.entities.list('role', ctx.accountId, input.PathPrefix, pageRequest(input));
        return { Roles: page.items.map(roleSummary), ...pageFields(page) };
      },
    },

    UpdateRole: {
      resources: (input: RoleNameInput, ctx) => roleArn(ctx, input.RoleName),
      async handler(input: RoleNameInput & { Description?: string; MaxSessionDuration?: number }, ctx) {
        await dir.entities.update('role', ctx.accountId, input.RoleName, (doc) => {
          if (input.Description !== undefined) doc.description = input.Description;
          if (input.MaxSessionDuration !== undefined) doc.maxSessionDuration = input.MaxSessionDuration;
          return {};
        });
        return {};
      },
    },

    UpdateAssumeRolePolicy: {
      resources: (input: RoleNameInput, ctx) => roleArn(ctx, input.RoleName),
      async handler(input: RoleNameInput & { PolicyDocument: string }, ctx) {
        const document = checkTrustPolicy(input.PolicyDocument);
        await dir.entities.update('role', ctx.accountId, input.RoleName, (doc) => {
          doc.assumeRolePolicyDocument = document;
          return {};
        });
        return undefined;
      },
    },

    DeleteRole: {
      resources: (input: RoleNameInput, ctx) => roleArn(ctx, input.RoleName),
      async handler(input: RoleNameInput, ctx) {
        await dir.entities.delete('role', ctx.accountId, input.RoleName);
        return undefined;
      },
    },

    TagRole: {
      resources: (input: RoleNameInput, ctx) => roleArn(ctx, input.RoleName),
      conditions: (input: RoleNameInput & { Tags: Tag[] }) => tagConditions(input.Tags),
      async handler(input: RoleNameInput & { Tags: Tag[] }, ctx) {
        await dir.entities.tag('role', ctx.accountId, input.RoleName, checkTags(input.Tags));
        return undefined;
      },
    },

    UntagRole: {
      resources: (input: RoleNameInput, ctx) => roleArn(ctx, input.RoleName),
      conditions: (input: RoleNameInput & { TagKeys: string[] }) => ({ 'aws:TagKeys': input.TagKeys ?? [] }),
      async handler(input: RoleNameInput & { TagKeys: string[] }, ctx) {
        await dir.entities.untag('role', ctx.accountId, input.RoleName, input.TagKeys);
        return undefined;
      },
    },

    ListRoleTags: {
      resources: (input: RoleNameInput, ctx) => roleArn(ctx, input.RoleName),
      async handler(input: RoleNameInput & PageInput, ctx) {
        const role = (await dir.entities.read('role', ctx.accountId, input.RoleName)).value;
        const page = pageOf(
          role.tags.map((t, i) => ({ t, i })),
          (x) => String(x.i).padStart(4, '0'),
          pageRequest(input),
        );
        return { Tags: page.items.map((x) => x.t), ...pageFields(page) };
      },
    },

    PutRolePermissionsBoundary: {
      resources: (input: RoleNameInput, ctx) => roleArn(ctx, input.RoleName),
      conditions: (input: { PermissionsBoundary: string }) => ({ 'iam:PermissionsBoundary': input.PermissionsBoundary }),
      async handler(input: RoleNameInput & { PermissionsBoundary: string }, ctx) {
        await dir.entities.setBoundary('role', ctx.accountId, input.RoleName, input.PermissionsBoundary);
        return undefined;
      },
    },

    DeleteRolePermissionsBoundary: {
      resources: (input: RoleNameInput, ctx) => roleArn(ctx, input.RoleName),
      async handler(input: RoleNameInput, ctx) {
        await dir.entities.setBoundary('role', ctx.accountId, input.RoleName, undefined);
        return undefined;
      },
    },
  };
}
