/**
 * AWS's policy evaluation logic. An explicit Deny in any policy wins. Within
 * one account an Allow in an identity-based policy (bounded by the
 * permissions boundary and session policies) or in the resource-based policy
 * is enough; a resource policy that names the user or the session directly is
 * not limited by the boundary or session policies, one that names the role is,
 * and one that names the account only delegates to identity policies. Across
 * accounts both sides must allow. The root user is allowed everything in its
 * own account unless a resource policy denies it. Role trust and KMS key
 * policies must themselves allow the caller.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
 */
import { statementMatches, toCompiled, type CompiledPolicy } from './compile.js';
import { EvalContext } from './context.js';
import { Grant, notPrincipalExempts, principalGrant } from './principal.js';
import type { Decision, EvaluationRequest, MatchedStatement, PolicySet, PolicyType } from './types.js';

interface Scan {
  deny?: MatchedStatement;
  allow?: MatchedStatement;
  grant: Grant;
}

function matched(type: PolicyType, policyIndex: number, statementIndex: number, sid?: string): MatchedStatement {
  const m: MatchedStatement = { policyType: type, policyIndex, statementIndex };
  if (sid !== undefined) m.sid = sid;
  return m;
}

/** Identity-based policies, boundaries and session policies: the Principal element plays no part. */
function scanIdentity(policies: CompiledPolicy[], type: PolicyType, ctx: EvalContext): Scan {
  const scan: Scan = { grant: Grant.None };
  for (let i = 0; i < policies.length; i++) {
    for (const st of policies[i]!.statements) {
      if (st.allow && scan.allow) continue;
      if (!statementMatches(st, ctx)) continue;
      if (!st.allow) return { deny: matched(type, i, st.index, st.sid), grant: Grant.None };
      scan.allow ??= matched(type, i, st.index, st.sid);
    }
  }
  if (scan.allow) scan.grant = Grant.Direct;
  return scan;
}

/** The resource-based policy: each statement must name the caller, and the strongest naming wins. */
function scanResource(policy: CompiledPolicy, type: PolicyType, ctx: EvalContext, hasBoundary: boolean): Scan {
  const scan: Scan = { grant: Grant.None };
  const p = ctx.request.principal;
  for (const st of policy.statements) {
    const principal = st.principal;
    if (!principal) continue;
    let grant: Grant;
    if (principal.negate) {
      // "NotPrincipal with Deny will always deny any IAM principal that has a permissions boundary attached."
      const exempt = !(hasBoundary && !st.allow) && notPrincipalExempts(principal.match, p);
      grant = exempt ? Grant.None : Grant.Direct;
    } else {
      grant = principalGrant(principal.match, p);
    }
    if (grant === Grant.None || (st.allow && grant <= scan.grant)) continue;
    if (!statementMatches(st, ctx)) continue;
    if (!st.allow) return { deny: matched(type, 0, st.index, st.sid), grant: Grant.None };
    scan.grant = grant;
    scan.allow = matched(type, 0, st.index, st.sid);
  }
  return scan;
}

const NONE: Scan = { grant: Grant.None };

function explicitDeny(m: MatchedStatement): Decision {
  return { decision: 'ExplicitDeny', reason: m.policyType, matchedStatement: m };
}

function implicitDeny(reason: PolicyType): Decision {
  return { decision: 'ImplicitDeny', reason };
}

function allow(m: MatchedStatement | undefined): Decision {
  return m ? { decision: 'Allow', reason: m.policyType, matchedStatement: m } : { decision: 'Allow' };
}

/** Decides one request against the policies that apply to it. Throws PolicyError for unparseable policy text. */
export function evaluate(req: EvaluationRequest, policies: PolicySet): Decision {
  const ctx = new EvalContext(req);
  const p = req.principal;
  const kind = policies.resourceKind ?? 'resource';
  const resourceType: PolicyType = kind === 'trust' ? 'role trust policy' : 'resource-based policy';
  const isEntity = p.type === 'user' || p.type === 'assumed-role' || p.type === 'federated-user';

  // The root user, anonymous callers and services have no identity policies, boundary or session policies.
  const identity = isEntity ? scanIdentity((policies.identity ?? []).map(toCompiled), 'identity-based policy', ctx) : NONE;
  if (identity.deny) return explicitDeny(identity.deny);
  const hasBoundary = isEntity && policies.boundary !== undefined;
  const boundary = hasBoundary ? scanIdentity([toCompiled(policies.boundary!)], 'permissions boundary', ctx) : NONE;
  if (boundary.deny) return explicitDeny(boundary.deny);
  const hasSession = isEntity && policies.session !== undefined && policies.session.length > 0;
  const session = hasSession ? scanIdentity(policies.session!.map(toCompiled), 'session policy', ctx) : NONE;
  if (session.deny) return explicitDeny(session.deny);
  const resource =
    policies.resource !== undefined ? scanResource(toCompiled(policies.resource), resourceType, ctx, hasBoundary) : NONE;
  if (resource.deny) return explicitDeny(resource.deny);

  const named = resource.grant;
  if (!isEntity && p.type !== 'root') {
    return named !== Grant.None ? allow(resource.allow) : implicitDeny(resourceType);
  }
  const crossAccount = req.resourceAccountId !== undefined && req.resourceAccountId !== p.accountId;
  const mustBeNamed = crossAccount || kind !== 'resource';
  if (p.type === 'root') {
    if (!mustBeNamed) return allow(undefined);
    return named !== Grant.None ? allow(resource.allow) : implicitDeny(resourceType);
  }

  const boundaryOk = !hasBoundary || boundary.allow !== undefined;
  // A federated-user session (GetFederationToken) without a session policy has no permissions of its own.
  const sessionOk = hasSession ? session.allow !== undefined : p.type !== 'federated-user';
  const identityOk = identity.allow !== undefined && boundaryOk && sessionOk;
  const sideReason = (needIdentity: boolean): PolicyType =>
    needIdentity && identity.allow === undefined
      ? 'identity-based policy'
      : !boundaryOk
        ? 'permissions boundary'
        : !sessionOk
          ? 'session policy'
          : 'identity-based policy';

  if (crossAccount) {
    if (!identityOk) return implicitDeny(sideReason(true));
    return named !== Grant.None ? allow(resource.allow) : implicitDeny(resourceType);
  }
  const byResource = named === Grant.Direct || (named === Grant.Role && boundaryOk && sessionOk);
  if (byResource) return allow(resource.allow);
  if (mustBeNamed && named === Grant.None) return implicitDeny(resourceType);
  if (identityOk) return allow(identity.allow);
  return implicitDeny(sideReason(named !== Grant.Role));
}
