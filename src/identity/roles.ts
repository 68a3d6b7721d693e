/**
 * Questions every service that acts as a role asks (Lambda's execution role,
 * Elastic Transcoder's pipeline role): which role an ARN names, and whether
 * its trust policy lets a service principal assume it.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html
 */
import { compilePolicy, evaluate } from './policy/index.js';
import type { Directory, RoleRecord } from './types.js';

/** The role an ARN names; the ARN must match the role's, path included. */
export async function roleFromArn(directory: Pick<Directory, 'getRole'>, arn: string): Promise<RoleRecord | undefined> {
  const m = /^arn:[^:]+:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(arn);
  if (!m) return undefined;
  const role = await directory.getRole(m[1]!, m[2]!);
  return role?.arn === arn ? role : undefined;
}

/** Whether the role's trust policy lets `servicePrincipal` call sts:AssumeRole; an unreadable policy trusts no one. */
export function trustsService(role: RoleRecord, servicePrincipal: string): boolean {
  try {
    const decision = evaluate(
      {
        principal: { type: 'service', arn: servicePrincipal, accountId: '', servicePrincipal },
        action: 'sts:AssumeRole',
        resource: role.arn,
        resourceAccountId: role.arn.split(':')[4],
        context: {},
      },
      { resource: compilePolicy(role.assumeRolePolicyDocument), resourceKind: 'trust' },
    );
    return decision.decision === 'Allow';
  } catch {
    return false;
  }
}
