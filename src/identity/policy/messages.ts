/**
 * The AccessDenied message AWS builds from a denial: "User: <arn> is not
 * authorized to perform: <action> on resource: <arn>", followed by
 * "because no <policy type> allows the <action> action" for an implicit deny
 * or "with an explicit deny in <a policy type>" for an explicit one. Actions
 * without a resource (resource `*`) leave out the "on resource" part.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
 */
import type { Decision, EvaluationRequest, PolicyType, RequestPrincipal } from './types.js';

const WITH_ARTICLE: Record<PolicyType, string> = {
  'identity-based policy': 'an identity-based policy',
  'resource-based policy': 'a resource-based policy',
  'permissions boundary': 'a permissions boundary',
  'session policy': 'a session policy',
  'role trust policy': 'the role trust policy',
};

export interface AccessDeniedOptions {
  /** Append AWS's "because ..." / "with an explicit deny ..." context (default true). Some services omit it. */
  includeReason?: boolean;
}

function callerLabel(p: RequestPrincipal): string {
  if (p.type === 'anonymous') return 'anonymous';
  if (p.type === 'service') return p.servicePrincipal ?? p.arn;
  return p.arn;
}

export function accessDeniedMessage(
  req: Pick<EvaluationRequest, 'principal' | 'action' | 'resource'>,
  decision: Decision,
  options: AccessDeniedOptions = {},
): string {
  let message = `User: ${callerLabel(req.principal)} is not authorized to perform: ${req.action}`;
  if (req.resource && req.resource !== '*') message += ` on resource: ${req.resource}`;
  if (options.includeReason === false || !decision.reason) return message;
  if (decision.decision === 'ExplicitDeny') return `${message} with an explicit deny in ${WITH_ARTICLE[decision.reason]}`;
  if (decision.decision === 'ImplicitDeny') return `${message} because no ${decision.reason} allows the ${req.action} action`;
  return message;
}
