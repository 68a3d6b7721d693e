/**
 * IAM's operations, gathered from the per-resource files and wrapped the same
 * way: the input is checked against the model's constraints first (AWS
 * answers ValidationError before looking anything up), and refusals from the
 * directory are worded as IAM words them. GetAccountSummary lives here since
 * it spans every resource.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_Operations.html
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountSummary.html
 */
import { QUOTAS } from '../../identity/directory.js';
import type { OperationSpec } from '../types.js';
import { accessKeyOperations } from './access-keys.js';
import type { IamDeps, Operations } from './common.js';
import { translate } from './errors.js';
import { groupOperations } from './groups.js';
import { inlinePolicyOperations } from './inline-policies.js';
import { policyOperations } from './policies.js';
import { roleOperations } from './roles.js';
import { userOperations } from './users.js';
import { validateInput } from './validation.js';

function accountOperations(deps: IamDeps): Operations {
  return {
    GetAccountSummary: {
      async handler(_input: unknown, ctx) {
        const used = await deps.directory.usageCounts(ctx.accountId);
        return {
          SummaryMap: {
            Users: used.users,
            UsersQuota: 5000,
            Groups: used.groups,
            GroupsQuota: 300,
            Roles: used.roles,
            RolesQuota: 1000,
            Policies: used.policies,
            PoliciesQuota: 1500,
            PolicyVersionsInUse: used.policyVersionsInUse,
            PolicyVersionsInUseQuota: 10000,
            VersionsPerPolicyQuota: QUOTAS.versionsPerPolicy,
            PolicySizeQuota: QUOTAS.managedPolicySize,
            UserPolicySizeQuota: 2048,
            GroupPolicySizeQuota: 5120,
            RolePolicySizeQuota: 10240,
            AssumeRolePolicySizeQuota: QUOTAS.trustPolicySize,
            AttachedPoliciesPerUserQuota: QUOTAS.attachedPerEntity,
            AttachedPoliciesPerGroupQuota: QUOTAS.attachedPerEntity,
            AttachedPoliciesPerRoleQuota: QUOTAS.attachedPerEntity,
            GroupsPerUserQuota: QUOTAS.groupsPerUser,
            AccessKeysPerUserQuota: QUOTAS.accessKeysPerUser,
            SigningCertificatesPerUserQuota: 2,
            ServerCertificates: 0,
            ServerCertificatesQuota: 20,
            InstanceProfiles: 0,
            InstanceProfilesQuota: 1000,
            MFADevices: 0,
            MFADevicesInUse: 0,
            AccountMFAEnabled: 0,
            AccountAccessKeysPresent: 0,
            AccountSigningCertificatesPresent: 0,
            Providers: 0,
            GlobalEndpointTokenVersion: 1,
          },
        };
      },
    },
  };
}

/**
 * AWS checks an input's constraints before it authorizes the call, so a
 * malformed request answers ValidationError whoever sends it: the check runs
 * in `resources` (which the gateway calls first) and again in the handler.
 */
function wrap(operation: string, spec: OperationSpec): OperationSpec {
  const check = (input: unknown) => {
    const invalid = validateInput(operation, input as Record<string, unknown> | undefined);
    if (invalid) throw invalid;
  };
  return {
    ...spec,
    resources: async (input, ctx) => {
      check(input);
      return spec.resources ? spec.resources(input ?? {}, ctx) : ['*'];
    },
    async handler(input, ctx) {
      check(input);
      try {
        return await spec.handler(input ?? {}, ctx);
      } catch (err) {
        throw translate(err);
      }
    },
  };
}

export function iamOperations(deps: IamDeps): Record<string, OperationSpec> {
  const all: Operations = {
    ...userOperations(deps),
    ...groupOperations(deps),
    ...accessKeyOperations(deps),
    ...roleOperations(deps),
    ...policyOperations(deps),
    ...inlinePolicyOperations(deps),
    ...accountOperations(deps),
  };
  return Object.fromEntries(Object.entries(all).map(([name, spec]) => [name, wrap(name, spec)]));
}
