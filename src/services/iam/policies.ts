/**
 * Managed policies: CreatePolicy, GetPolicy (customer-managed and
 * AWS-managed ARNs), ListPolicies, DeletePolicy, policy versions (at most
 * five, one of them the default), attaching them to users, groups and roles,
 * and ListEntitiesForPolicy.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-versioning.html
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListEntitiesForPolicy.html
 */
import type { RequestContext } from '../../core/context.js';
import type { EntityKind, ListPoliciesFilter } from '../../identity/directory.js';
import type { Tag } from '../../identity/types.js';
import { checkIdentityPolicy, checkTags, entityArn, newEntityArn, pageRequest, tagConditions, type IamDeps, type Operations, type PageInput } from './common.js';
import { pageFields, policyDetail, policySummary, policyVersionOut } from './models.js';

interface CreatePolicyInput {
  PolicyName: string;
  Path?: string;
  PolicyDocument: string;
  Description?: string;
  Tags?: Tag[];
}

interface ArnInput {
  PolicyArn: string;
}

interface VersionInput extends ArnInput {
  VersionId: string;
}

const KINDS: { kind: EntityKind; title: string; member: 'UserName' | 'GroupName' | 'RoleName' }[] = [
  { kind: 'user', title: 'User', member: 'UserName' },
  { kind: 'group', title: 'Group', member: 'GroupName' },
  { kind: 'role', title: 'Role', member: 'RoleName' },
];

export function policyOperations(deps: IamDeps): Operations {
  const dir = deps.directory;
  const policyArn = (input: ArnInput) => [input.PolicyArn];

  const ops: Operations = {
    CreatePolicy: {
      resources: (input: CreatePolicyInput, ctx) => [newEntityArn(ctx, 'policy', input.Path, input.PolicyName)],
      conditions: (input: CreatePolicyInput) => tagConditions(input.Tags),
      async handler(input: CreatePolicyInput, ctx) {
        const view = await dir.policies.create(ctx.accountId, {
          policyName: input.PolicyName,
          path: input.Path ?? '/',
          document: checkIdentityPolicy(input.PolicyDocument, true),
          description: input.Description,
          tags: checkTags(input.Tags),
        });
        return { Policy: policyDetail(view) };
      },
    },

    GetPolicy: {
      resources: policyArn,
      async handler(input: ArnInput, ctx) {
        return { Policy: policyDetail(await dir.policies.get(ctx.accountId, input.PolicyArn)) };
      },
    },

    ListPolicies: {
      async handler(input: PageInput & { Scope?: ListPoliciesFilter['scope']; OnlyAttached?: boolean; PathPrefix?: string; PolicyUsageFilter?: ListPoliciesFilter['usageFilter'] }, ctx) {
        const page = await dir.policies.list(
          ctx.accountId,
          { scope: input.Scope, onlyAttached: input.OnlyAttached, pathPrefix: input.PathPrefix, usageFilter: input.PolicyUsageFilter },
          pageRequest(input),
        );
        return { Policies: page.items.map(policySummary), ...pageFields(page) };
      },
    },

    DeletePolicy: {
      resources: policyArn,
      async handler(input: ArnInput, ctx) {
        await dir.policies.delete(ctx.accountId, input.PolicyArn);
        return undefined;
      },
    },

    CreatePolicyVersion: {
      resources: policyArn,
      async handler(input: ArnInput & { PolicyDocument: string; SetAsDefault?: boolean }, ctx) {
        const document = checkIdentityPolicy(input.PolicyDocument, true);
        const version = await dir.policies.createVersion(ctx.accountId, input.PolicyArn, document, input.SetAsDefault === true);
        return { PolicyVersion: policyVersionOut(version, false) };
      },
    },

    GetPolicyVersion: {
      resources: policyArn,
      async handler(input: VersionInput, ctx) {
        return { PolicyVersion: policyVersionOut(await dir.policies.getVersion(ctx.accountId, input.PolicyArn, input.VersionId), true) };
      },
    },

    ListPolicyVersions: {
      resources: policyArn,
      async handler(input: ArnInput & PageInput, ctx) {
        const page = await dir.policies.listVersions(ctx.accountId, input.PolicyArn, pageRequest(input));
        return { Versions: page.items.map((v) => policyVersionOut(v, false)), ...pageFields(page) };
      },
    },

    DeletePolicyVersion: {
      resources: policyArn,
      async handler(input: VersionInput, ctx) {
        await dir.policies.deleteVersion(ctx.accountId, input.PolicyArn, input.VersionId);
        return undefined;
      },
    },

    SetDefaultPolicyVersion: {
      resources: policyArn,
      async handler(input: VersionInput, ctx) {
        await dir.policies.setDefaultVersion(ctx.accountId, input.PolicyArn, input.VersionId);
        return undefined;
      },
    },

    ListEntitiesForPolicy: {
      resources: policyArn,
      async handler(input: ArnInput & PageInput & { EntityFilter?: string; PathPrefix?: string; PolicyUsageFilter?: 'PermissionsPolicy' | 'PermissionsBoundary' }, ctx) {
        const page = await dir.policies.entitiesFor(
          ctx.accountId,
          input.PolicyArn,
          { entityFilter: input.EntityFilter, pathPrefix: input.PathPrefix, usageFilter: input.PolicyUsageFilter },
          pageRequest(input),
        );
        const of = (kind: EntityKind) => page.items.filter((e) => e.kind === kind);
        return {
          PolicyGroups: of('group').map((e) => ({ GroupName: e.name, GroupId: e.id })),
          PolicyUsers: of('user').map((e) => ({ UserName: e.name, UserId: e.id })),
          PolicyRoles: of('role').map((e) => ({ RoleName: e.name, RoleId: e.id })),
          ...pageFields(page),
        };
      },
    },
  };

  // Attach/Detach/ListAttached{User,Group,Role}Policies act on the entity, with iam:PolicyARN as condition key.
  for (const { kind, title, member } of KINDS) {
    type Input = Record<string, string> & { PolicyArn: string };
    const resources = (input: Input, ctx: RequestContext) => entityArn(deps, ctx, kind, input[member]).then((a) => [a]);
    const conditions = (input: Input): Record<string, string> => (input.PolicyArn ? { 'iam:PolicyARN': input.PolicyArn } : {});
    ops[`Attach${title}Policy`] = {
      resources,
      conditions,
      async handler(input: Input, ctx) {
        await dir.entities.attach(kind, ctx.accountId, input[member]!, input.PolicyArn);
        return undefined;
      },
    };
    ops[`Detach${title}Policy`] = {
      resources,
      conditions,
      async handler(input: Input, ctx) {
        await dir.entities.detach(kind, ctx.accountId, input[member]!, input.PolicyArn);
        return undefined;
      },
    };
    ops[`ListAttached${title}Policies`] = {
      resources,
      async handler(input: Input & PageInput, ctx) {
        const page = await dir.policies.attachedTo(kind, ctx.accountId, input[member]!, input.PathPrefix, pageRequest(input));
        return { AttachedPolicies: page.items.map((p) => ({ PolicyName: p.policyName, PolicyArn: p.policyArn })), ...pageFields(page) };
      },
    };
  }
  return ops;
}
