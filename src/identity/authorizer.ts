/**
 * Authorization of one API call: gathers the caller's identity policies,
 * boundary and session policies from the Directory, the resource's policy
 * from the owning service, and asks the evaluation engine, which follows
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * Role assumption is the one call whose resource policy (the trust policy)
 * must itself allow the caller, so it has its own entry point.
 */
import type { Principal } from '../core/context.js';
import { accessDeniedMessage, compilePolicy, evaluate, type EvaluationRequest, type PolicySet } from './policy/index.js';
import type { Directory, RoleRecord } from './types.js';

export interface AuthorizationRequest {
  principal: Principal;
  action: string;
  resources: string[];
  /** Condition keys the request carries (aws:SourceIp, aws:SecureTransport, service keys...). */
  context: Record<string, string | string[] | undefined>;
  /** The account owning the resources, when known (cross-account evaluation). */
  resourceAccountId?: string;
  resourcePolicy?: (arn: string) => Promise<string | undefined>;
}

/** `explicit`: a Deny statement decided it (S3 ACLs may still grant what no policy allowed, never what one denied). */
export type AuthorizationResult = { allowed: true } | { allowed: false; message: string; explicit: boolean };

function hasPolicies(p: Principal): boolean {
  return p.type === 'user' || p.type === 'assumed-role';
}

function asRequestPrincipal(p: Principal): EvaluationRequest['principal'] {
  return { arn: p.arn, accountId: p.accountId, type: p.type, userId: p.userId, roleArn: p.roleArn };
}

export class Authorizer {
  constructor(private readonly directory: Directory) {}

  private async policySet(principal: Principal): Promise<PolicySet> {
    if (!hasPolicies(principal)) return {};
    const policies = await this.directory.policiesFor(principal);
    const session = principal.sessionPolicies ?? policies.session;
    return {
      identity: policies.identity.map(compilePolicy),
      boundary: policies.boundary ? compilePolicy(policies.boundary) : undefined,
      session: session?.length ? session.map(compilePolicy) : undefined,
    };
  }

  async authorize(req: AuthorizationRequest): Promise<AuthorizationResult> {
    const base = await this.policySet(req.principal);
    for (const resource of req.resources) {
      const resourcePolicy = req.resourcePolicy ? await req.resourcePolicy(resource) : undefined;
      const evaluation: EvaluationRequest = {
        principal: asRequestPrincipal(req.principal),
        action: req.action,
        resource,
        resourceAccountId: req.resourceAccountId ?? (req.principal.accountId || undefined),
        context: req.context,
      };
      const decision = evaluate(evaluation, { ...base, resource: resourcePolicy ? compilePolicy(resourcePolicy) : undefined });
      if (decision.decision !== 'Allow') return { allowed: false, message: accessDeniedMessage(evaluation, decision), explicit: decision.decision === 'ExplicitDeny' };
    }
    return { allowed: true };
  }

  /** sts:AssumeRole: the role's trust policy must allow the caller, and so must the caller's own policies unless the trust names them directly. */
  async authorizeAssumeRole(principal: Principal, role: RoleRecord, context: Record<string, string | undefined>): Promise<boolean> {
    const base = await this.policySet(principal);
    const decision = evaluate(
      { principal: asRequestPrincipal(principal), action: 'sts:AssumeRole', resource: role.arn, resourceAccountId: role.arn.split(':')[4], context },
      { ...base, resource: compilePolicy(role.assumeRolePolicyDocument), resourceKind: 'trust' },
    );
    return decision.decision === 'Allow';
  }
}
