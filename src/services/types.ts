/**
 * The shape every service folder exports from its index.ts. A provider's
 * operations take the parsed input and the request context and return plain
 * objects; the gateway authorizes the call with `action`/`resources` before the
 * handler runs, and the protocol layer writes the wire format.
 */
import type { RequestContext } from '../core/context.js';

export interface OperationSpec<I = any, O = any> {
  handler(input: I, ctx: RequestContext): Promise<O | undefined> | O | undefined;
  /** IAM action when it is not `${actionPrefix}:${operation}` (Lambda's Invoke is lambda:InvokeFunction). */
  action?: string;
  /** The ARNs the call acts on, for IAM. Default: ['*']. */
  resources?(input: I, ctx: RequestContext): string[] | Promise<string[]>;
  /** Service-specific condition keys (e.g. s3:prefix, iam:PassedToService). */
  conditions?(input: I, ctx: RequestContext): Record<string, string | string[]>;
  /**
   * 'iam' (default): evaluated against the caller's policies.
   * 'authenticated': a valid signature suffices (sts:GetCallerIdentity needs no permission on AWS either).
   * 'custom': the service decides in `authorize` (S3 weighs ACLs and Block Public Access besides policies).
   */
  authorization?: 'iam' | 'authenticated' | 'custom';
  /** For 'custom': throws the service's AccessDenied when the call is not allowed. */
  authorize?(input: I, ctx: RequestContext): Promise<void>;
  /** May be called unsigned; the handler then runs as the anonymous principal (SNS's SubscribeURL/UnsubscribeURL). */
  anonymous?: boolean;
}

export interface ServiceDefinition {
  /** Stratus's name for it, also the models/<name>.json file. */
  name: string;
  /** The SigV4 credential-scope service name clients sign with. */
  signingName: string;
  /** IAM action prefix (s3, iam, sts, lambda, ses, sns, logs, elastictranscoder, apigateway). */
  actionPrefix: string;
  operations: Record<string, OperationSpec>;
  /** A resource-based policy attached to an ARN (bucket policy, function policy, topic policy). */
  resourcePolicy?(arn: string, ctx: RequestContext): Promise<string | undefined>;
}
