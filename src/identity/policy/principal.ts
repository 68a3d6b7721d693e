/**
 * The Principal and NotPrincipal elements. A caller is a chain of identities
 * (account → role → role session, or account → user), and which link a
 * resource policy names decides how strong the grant is: naming the user or
 * the session (or `*`) grants directly, naming the role is still limited by
 * the role's permissions boundary and session policies, and naming the
 * account only delegates to the account's own identity policies.
 * NotPrincipal exempts a caller only when every link of its chain is listed,
 * which is why AWS asks for the account and role ARNs next to a session's.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
 */
import type { PrincipalBlock, RequestPrincipal } from './types.js';

/** How strongly a resource-policy statement names the caller. */
export const Grant = { None: 0, Account: 1, Role: 2, Direct: 3 } as const;
export type Grant = (typeof Grant)[keyof typeof Grant];

export interface CompiledPrincipal {
  any: boolean;
  accounts: Set<string>;
  arns: Set<string>;
  /** Unique ids (AIDA..., AROA...), as IAM stores principals it could resolve. */
  ids: Set<string>;
  /** Lower-cased service principals. */
  services: Set<string>;
  federated: Set<string>;
  canonical: Set<string>;
}

const ROOT_ARN = /^arn:[^:]+:iam::(\d{12}):root$/;

export function compilePrincipal(block: PrincipalBlock): CompiledPrincipal {
  const cp: CompiledPrincipal = {
    any: block === '*',
    accounts: new Set(),
    arns: new Set(),
    ids: new Set(),
    services: new Set(),
    federated: new Set(),
    canonical: new Set(),
  };
  if (block === '*') return cp;
  for (const value of block.AWS ?? []) {
    if (value === '*') cp.any = true;
    else if (/^\d{12}$/.test(value)) cp.accounts.add(value);
    else if (ROOT_ARN.test(value)) cp.accounts.add(ROOT_ARN.exec(value)![1]!);
    else if (value.startsWith('arn:')) cp.arns.add(value);
    else cp.ids.add(value);
  }
  for (const value of block.Service ?? []) cp.services.add(value.toLowerCase());
  for (const value of block.Federated ?? []) cp.federated.add(value);
  for (const value of block.CanonicalUser ?? []) cp.canonical.add(value);
  return cp;
}

function roleId(p: RequestPrincipal): string | undefined {
  if (!p.userId) return undefined;
  const colon = p.userId.indexOf(':');
  return colon < 0 ? p.userId : p.userId.slice(0, colon);
}

/** The strongest way `cp` names the caller; Grant.None when it does not. */
export function principalGrant(cp: CompiledPrincipal, p: RequestPrincipal): Grant {
  if (cp.any) return Grant.Direct;
  if (p.federatedProvider && cp.federated.has(p.federatedProvider)) return Grant.Direct;
  switch (p.type) {
    case 'anonymous':
      return Grant.None;
    case 'service':
      return p.servicePrincipal && cp.services.has(p.servicePrincipal.toLowerCase()) ? Grant.Direct : Grant.None;
    case 'user':
      if (cp.arns.has(p.arn) || (p.userId !== undefined && cp.ids.has(p.userId))) return Grant.Direct;
      break;
    case 'assumed-role': {
      if (cp.arns.has(p.arn)) return Grant.Direct;
      const id = roleId(p);
      if ((p.roleArn && cp.arns.has(p.roleArn)) || (id !== undefined && cp.ids.has(id))) return Grant.Role;
      break;
    }
    case 'federated-user':
      if (cp.arns.has(p.arn)) return Grant.Direct;
      break;
    case 'root':
      break;
  }
  if (cp.accounts.has(p.accountId)) return Grant.Account;
  if (p.canonicalUserId && cp.canonical.has(p.canonicalUserId)) return Grant.Account;
  return Grant.None;
}

/** NotPrincipal: true when the caller is exempt, i.e. every identity in its chain is listed. */
export function notPrincipalExempts(cp: CompiledPrincipal, p: RequestPrincipal): boolean {
  if (cp.any) return true;
  switch (p.type) {
    case 'anonymous':
      return false;
    case 'service':
      return p.servicePrincipal !== undefined && cp.services.has(p.servicePrincipal.toLowerCase());
    case 'root':
      return cp.accounts.has(p.accountId);
    case 'user':
      return cp.accounts.has(p.accountId) && (cp.arns.has(p.arn) || (p.userId !== undefined && cp.ids.has(p.userId)));
    case 'assumed-role': {
      const id = roleId(p);
      const role = (p.roleArn !== undefined && cp.arns.has(p.roleArn)) || (id !== undefined && cp.ids.has(id));
      return cp.accounts.has(p.accountId) && role && cp.arns.has(p.arn);
    }
    case 'federated-user':
      return cp.accounts.has(p.accountId) && cp.arns.has(p.arn);
  }
}
