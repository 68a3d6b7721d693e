/**
 * The shapes of the IAM policy engine: normalized policy documents (every
 * list-valued element is an array, every condition value a string), the
 * request being authorized, the set of policies that apply to it and the
 * decision. The grammar these types mirror is
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
 * and the evaluation inputs follow
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */

export type PolicyVersion = '2008-10-17' | '2012-10-17';

/** `{"AWS": ..., "Service": ..., "Federated": ..., "CanonicalUser": ...}`, each normalized to an array. */
export interface PrincipalMap {
  AWS?: string[];
  Service?: string[];
  Federated?: string[];
  CanonicalUser?: string[];
}

/** `"*"` (everyone, including anonymous callers) or a principal map. */
export type PrincipalBlock = '*' | PrincipalMap;

/** operator (e.g. `ForAnyValue:StringLikeIfExists`) → condition key → values (ORed). */
export type ConditionBlock = Record<string, Record<string, string[]>>;

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: PrincipalBlock;
  NotPrincipal?: PrincipalBlock;
  Action?: string[];
  NotAction?: string[];
  Resource?: string[];
  NotResource?: string[];
  Condition?: ConditionBlock;
}

export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: Statement[];
}

/** Which kind of policy a document is validated as; the kinds differ in required and prohibited elements. */
export type PolicyKind = 'identity' | 'trust' | 'resource';

/** The caller, as the evaluation engine needs to see it. Structurally compatible with core's `Principal`. */
export interface RequestPrincipal {
  /** arn:aws:iam::123456789012:user/x, arn:aws:sts::123456789012:assumed-role/R/s, arn:aws:iam::123456789012:root */
  arn: string;
  accountId: string;
  type: 'root' | 'user' | 'assumed-role' | 'federated-user' | 'anonymous' | 'service';
  /** AIDA... for users, AROA...:session for role sessions, the account id for root. */
  userId?: string;
  /** Assumed roles: the role's ARN (with its path). It is what aws:PrincipalArn reports. */
  roleArn?: string;
  /** Service principals: e.g. s3.amazonaws.com. */
  servicePrincipal?: string;
  /** Web-identity / SAML callers of AssumeRoleWith*: the identity provider, matched by `"Federated"`. */
  federatedProvider?: string;
  /** S3 canonical user id of the caller's account, matched by `"CanonicalUser"`. */
  canonicalUserId?: string;
}

export type ContextValue = string | string[] | undefined;

export interface EvaluationRequest {
  principal: RequestPrincipal;
  /** `service:Action`; matched case-insensitively. */
  action: string;
  /** The resource ARN, or `*` for actions without resource-level permissions. Matched case-sensitively. */
  resource: string;
  /** The account that owns the resource; when it differs from the principal's, the request is cross-account. */
  resourceAccountId?: string;
  /**
   * Condition keys (names are case-insensitive). aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType,
   * aws:userid, aws:username and aws:PrincipalServiceName are derived from `principal` unless given here;
   * aws:CurrentTime and aws:EpochTime default to the time of evaluation.
   */
  context: Record<string, ContextValue>;
}

/** A policy as the engine accepts it: JSON text (cached by text), a parsed document, or a compiled one. */
export type PolicyInput = string | PolicyDocument | CompiledPolicyRef;

/** Opaque handle returned by `compilePolicy`; see compile.ts. */
export interface CompiledPolicyRef {
  readonly compiled: true;
  readonly document: PolicyDocument;
}

export interface PolicySet {
  /** Identity-based policies of the user or role (inline, managed, and the user's groups'). */
  identity?: PolicyInput[];
  /** The resource-based policy attached to the resource (bucket policy, function policy, trust policy...). */
  resource?: PolicyInput;
  /** The permissions boundary of the user or role, if one is set. */
  boundary?: PolicyInput;
  /** Session policies passed to AssumeRole / GetFederationToken (inline and managed ARNs). */
  session?: PolicyInput[];
  /**
   * `resource` (default): an identity-policy allow is enough within the account.
   * `trust` / `key`: role trust policies and KMS key policies must themselves allow the principal.
   */
  resourceKind?: 'resource' | 'trust' | 'key';
}

export type PolicyType =
  | 'identity-based policy'
  | 'resource-based policy'
  | 'permissions boundary'
  | 'session policy'
  | 'role trust policy';

export interface MatchedStatement {
  policyType: PolicyType;
  /** Index into the PolicySet array (0 for the single resource policy or boundary). */
  policyIndex: number;
  statementIndex: number;
  sid?: string;
}

export interface Decision {
  decision: 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';
  /** Allow: the policy type that granted. Denies: the policy type AWS names in its error message. Absent for the root user's own-account allow. */
  reason?: PolicyType;
  matchedStatement?: MatchedStatement;
}
