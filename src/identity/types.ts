/**
 * The identity layer: who a set of credentials belongs to and which policies
 * apply to them. It sits below the function engine and the services because
 * the gateway (authentication, authorization), IAM, STS and the function
 * engine (execution-role credentials) all need the same answers.
 */
import type { Principal } from '../core/context.js';

export interface Tag {
  Key: string;
  Value: string;
}

export interface UserRecord {
  userName: string;
  userId: string;
  arn: string;
  path: string;
  createDate: string;
  tags: Tag[];
  permissionsBoundary?: string;
}

export interface RoleRecord {
  roleName: string;
  roleId: string;
  arn: string;
  path: string;
  /** The trust policy, as a JSON string (decoded, not URL-encoded). */
  assumeRolePolicyDocument: string;
  description?: string;
  maxSessionDuration: number;
  createDate: string;
  tags: Tag[];
  permissionsBoundary?: string;
}

/** What a signature's access key id resolves to. */
export interface ResolvedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Temporary credentials must be presented with this token. */
  sessionToken?: string;
  /** Epoch ms after which temporary credentials are expired. */
  expiresAt?: number;
  /** false for an IAM access key that was deactivated. */
  active: boolean;
  principal: Principal;
}

/** The policies that apply to a principal, for the evaluation engine. */
export interface PrincipalPolicies {
  /** Identity-based policy documents (inline and attached, including groups'), as JSON strings. */
  identity: string[];
  /** The permissions boundary document, if one is set. */
  boundary?: string;
  /** Session policies (AssumeRole Policy / PolicyArns), as JSON strings. */
  session?: string[];
}

/** The IAM directory that IAM's provider maintains and the rest of Stratus reads. */
export interface Directory {
  /** An IAM user's long-term access key; undefined when no such key exists. */
  findAccessKey(accessKeyId: string): Promise<ResolvedCredentials | undefined>;
  getUser(accountId: string, userName: string): Promise<UserRecord | undefined>;
  getRole(accountId: string, roleName: string): Promise<RoleRecord | undefined>;
  /** Identity policies of a user or of the role behind an assumed-role session. */
  policiesFor(principal: Principal): Promise<PrincipalPolicies>;
  /** The document of a managed policy's default version (AWS-managed or customer-managed). */
  managedPolicyDocument(accountId: string, policyArn: string): Promise<string | undefined>;
}
