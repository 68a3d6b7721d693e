/**
 * What every layer knows about the request being served. The gateway builds it
 * once; providers read it and never see raw HTTP.
 */
import type { Logger } from './logger.js';

/** The authenticated caller, as IAM sees it. */
export interface Principal {
  /** root | user | assumed-role | anonymous | service (an AWS service acting for itself, e.g. lambda.amazonaws.com). */
  type: 'root' | 'user' | 'assumed-role' | 'anonymous' | 'service';
  /** arn:aws:iam::123456789012:user/x, arn:aws:sts::123456789012:assumed-role/R/session, arn:aws:iam::123456789012:root */
  arn: string;
  accountId: string;
  /** The UserId that GetCallerIdentity reports: AIDA..., AROA...:session, or the account id for root. */
  userId: string;
  accessKeyId?: string;
  /** For users: the user name; for assumed roles: the role name. */
  name?: string;
  /** Assumed roles: the session name and the role's ARN (used for aws:PrincipalArn). */
  sessionName?: string;
  roleArn?: string;
  /** Session policy documents that intersect with identity policies (AssumeRole Policy/PolicyArns). */
  sessionPolicies?: string[];
  /** For temporary credentials. */
  expiresAt?: number;
  /** Credentials from sts:GetSessionToken without MFA: barred from IAM and from STS beyond AssumeRole/GetCallerIdentity. */
  fromGetSessionToken?: boolean;
}

export interface RequestContext {
  requestId: string;
  accountId: string;
  region: string;
  /** The service's name as Stratus registers it (s3, iam, sts, lambda...). */
  service: string;
  operation?: string;
  principal: Principal;
  sourceIp: string;
  secureTransport: boolean;
  userAgent?: string;
  receivedAt: Date;
  log: Logger;
  /** Base URL clients use to reach this Stratus, e.g. http://127.0.0.1:4566 */
  endpoint: string;
}
