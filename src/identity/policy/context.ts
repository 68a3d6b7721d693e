/**
 * The request context as policies see it: condition keys looked up
 * case-insensitively, the principal keys AWS always provides (aws:PrincipalArn,
 * aws:PrincipalAccount, aws:PrincipalType, aws:userid, aws:username...) derived
 * from the caller unless the request supplies them, and aws:CurrentTime /
 * aws:EpochTime defaulting to the time of evaluation.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#principaltable
 */
import type { ConditionContext } from './conditions.js';
import type { ContextValue, EvaluationRequest, RequestPrincipal } from './types.js';
import { splitArn } from './wildcard.js';

const PRINCIPAL_TYPE: Record<RequestPrincipal['type'], string | undefined> = {
  root: 'Account',
  user: 'User',
  'assumed-role': 'AssumedRole',
  'federated-user': 'FederatedUser',
  anonymous: 'Anonymous',
  service: undefined,
};

/** The principal-derived global keys, lower-cased, for a caller. */
export function principalContextKeys(p: RequestPrincipal): Record<string, string> {
  const out: Record<string, string> = {};
  const type = PRINCIPAL_TYPE[p.type];
  if (type) out['aws:principaltype'] = type;
  out['aws:principalisawsservice'] = p.type === 'service' ? 'true' : 'false';
  switch (p.type) {
    case 'anonymous':
      out['aws:userid'] = 'anonymous';
      return out;
    case 'service':
      if (p.servicePrincipal) out['aws:principalservicename'] = p.servicePrincipal;
      return out;
    case 'root':
      out['aws:userid'] = p.userId ?? p.accountId;
      break;
    case 'user':
      if (p.userId) out['aws:userid'] = p.userId;
      out['aws:username'] = p.arn.slice(p.arn.lastIndexOf('/') + 1);
      break;
    case 'assumed-role':
    case 'federated-user':
      if (p.userId) out['aws:userid'] = p.userId;
      else if (p.type === 'federated-user') out['aws:userid'] = `${p.accountId}:${p.arn.slice(p.arn.lastIndexOf('/') + 1)}`;
      break;
  }
  out['aws:principalarn'] = p.type === 'assumed-role' && p.roleArn ? p.roleArn : p.arn;
  out['aws:principalaccount'] = p.accountId;
  return out;
}

/** One request, prepared once for every statement that evaluates it. */
export class EvalContext implements ConditionContext {
  readonly action: string;
  readonly resource: string;
  readonly resourceSegments: string[] | null;
  private readonly keys = new Map<string, ContextValue>();
  private now: number | undefined;

  constructor(readonly request: EvaluationRequest) {
    this.action = request.action.toLowerCase();
    this.resource = request.resource;
    this.resourceSegments = splitArn(request.resource);
    for (const [k, v] of Object.entries(principalContextKeys(request.principal))) this.keys.set(k, v);
    for (const [k, v] of Object.entries(request.context)) if (v !== undefined) this.keys.set(k.toLowerCase(), v);
  }

  get(key: string): string | string[] | undefined {
    const v = this.keys.get(key);
    if (v !== undefined) return v;
    if (key === 'aws:currenttime') return new Date(this.time()).toISOString();
    if (key === 'aws:epochtime') return String(Math.floor(this.time() / 1000));
    return undefined;
  }

  /** Policy variables take single values only: "You can't use a multivalued condition key as a variable." */
  readonly variable = (key: string): string | undefined => {
    const v = this.get(key);
    if (typeof v === 'string') return v;
    return v && v.length === 1 ? v[0] : undefined;
  };

  private time(): number {
    return (this.now ??= Date.now());
  }
}
