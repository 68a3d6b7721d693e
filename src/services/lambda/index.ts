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
import { functionUrlById, type FunctionUrlRecord } from './function-urls.js';
import { pickVersion, runVersion } from './invoke.js';
import { parseFunctionArn } from './names.js';
import { functionPolicy } from './permissions.js';
import { lambdaOperations } from './provider.js';
import { invokeAsService, type ServiceSource } from './service-invoke.js';
import { LambdaStore } from './store.js';

export type { LambdaServiceDeps } from './common.js';
export { CODE_LINK_PATH } from './code-links.js';
export { functionPolicy } from './permissions.js';
export { functionUrlOf, urlFunctionArn, URL_PATH_PREFIX, type FunctionUrlRecord, type UrlCors } from './function-urls.js';
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
  /** The function URL a url-id names (src/gateway/function-url.ts). */
  functionUrl(urlId: string): Promise<FunctionUrlRecord | undefined>;
  /** The resource policy of a function or alias ARN, for lambda:InvokeFunctionUrl checks. */
  urlPolicy(functionArn: string): Promise<string | undefined>;
  /**
   * A synchronous invocation through a function URL, once the URL's AuthType
   * was satisfied. Throws what Invoke throws (not found, 429, not Active).
   */
  invokeForUrl(functionArn: string, payload: Buffer, requestId: string): Promise<InvokeResult>;
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
    functionUrl: (urlId) => functionUrlById(db, urlId),
    urlPolicy: (arn) => functionPolicy(deps.store, arn),
    async invokeForUrl(arn, payload, requestId) {
      const ref = parseFunctionArn(arn);
      if (!ref) throw new Error(`not a function ARN: ${arn}`);
      const { resolved, version } = await pickVersion(db, ref);
      return runVersion(deps.engine, ref, resolved, version, payload, requestId);
    },
  };
}
export { serviceInvokeOp, serviceMayInvoke, wakeDispatcher, type ServiceSource } from './service-invoke.js';
