/**
 * AWS Lambda's API: functions, versions, aliases, resource policies,
 * concurrency, asynchronous-invocation settings, tags and Invoke, over the
 * DocumentStore (state keyed by account and region) and the BlobStore
 * (deployment packages). Running functions is the function engine's job
 * (src/functions); this service only hands it the version to run.
 * https://docs.aws.amazon.com/lambda/latest/api/welcome.html
 */
import type { RequestContext } from '../../core/context.js';
import type { InvokeResult } from '../../functions/types.js';
import type { ServiceDefinition } from '../types.js';
import { createCodeLinks } from './code-links.js';
import type { LambdaServiceDeps } from './common.js';
import { functionPolicy } from './permissions.js';
import { lambdaOperations } from './provider.js';
import { invokeAsService, type ServiceSource } from './service-invoke.js';
import { LambdaStore } from './store.js';

export type { LambdaServiceDeps } from './common.js';
export { CODE_LINK_PATH } from './code-links.js';
export { functionPolicy } from './permissions.js';
export { toFunctionSpec } from './models.js';
export { LAMBDA_PRINCIPAL, roleFromArn, trustsLambda } from './role.js';

export interface LambdaService extends ServiceDefinition {
  /** The blob a GetFunction download token names; undefined when forged, malformed or expired. */
  resolveCodeDownload(token: string, now?: number): { blobKey: string } | undefined;
  /**
   * A synchronous invocation by a service principal (API Gateway): undefined,
   * and the function not run, unless the function's policy allows `source`.
   */
  invokeAsService(functionArn: string, payload: Buffer, source: ServiceSource, requestId: string): Promise<InvokeResult | undefined>;
}

export function createLambdaService(deps: LambdaServiceDeps): LambdaService {
  const db = new LambdaStore(deps.store, deps.blobs, deps.settleDelayMs ?? 50);
  const links = createCodeLinks(deps.codeSigningSecret);
  return {
    name: 'lambda',
    signingName: 'lambda',
    actionPrefix: 'lambda',
    operations: lambdaOperations({ deps, db, links }),
    // Only function ARNs carry policies; the document is evaluated with the caller's identity policies.
    resourcePolicy: (arn: string, _ctx: RequestContext) => functionPolicy(deps.store, arn),
    resolveCodeDownload: (token, now) => links.resolveCodeDownload(token, now),
    invokeAsService: (functionArn, payload, source, requestId) => invokeAsService(db, deps.engine, functionArn, payload, source, requestId),
  };
}
export { serviceInvokeOp, serviceMayInvoke, wakeDispatcher, type ServiceSource } from './service-invoke.js';
