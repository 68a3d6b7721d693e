/**
 * API Gateway v2, HTTP APIs only: the control plane (APIs with quick create,
 * routes, integrations, authorizers, stages, deployments, CORS, tags) over the
 * DocumentStore, and `HttpApiRuntime`, the read API through which the data
 * plane (src/gateway/execute-api*.ts) finds what a stage serves.
 *
 * The service and the runtime of one DocumentStore share one ApiStore, so a
 * change made through the control plane reaches the runtime's cache at once;
 * `httpApiRuntime(documents)` hands the data plane that same runtime.
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/api-reference.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api.html
 */
import type { DocumentStore } from '../../storage/types.js';
import type { ServiceDefinition } from '../types.js';
import type { ApiRecord, StageRecord, StageSnapshot } from './models.js';
import { apiGatewayV2Operations } from './provider.js';
import { createHttpApiRuntime } from './runtime.js';
import { ApiStore } from './store.js';

export type * from './models.js';
export { routeIntegrationId } from './models.js';
export { apiEndpoint, pathStyleEndpoint, stageUrl, PATH_STYLE_PREFIX } from './endpoints.js';
export { lambdaArnOf, parseRouteKey, type ParsedRouteKey, type Segment } from './names.js';

/** What the data plane reads; it never writes. */
export interface HttpApiRuntime {
  getApi(apiId: string): Promise<ApiRecord | undefined>;
  /** The deployed snapshot a stage serves: routes, integrations, authorizers, cors, stage variables, throttling. */
  getStageSnapshot(apiId: string, stageName: string): Promise<StageSnapshot | undefined>;
  listStages(apiId: string): Promise<StageRecord[]>;
}

export interface ApiGatewayV2Deps {
  store: DocumentStore;
}

export interface ApiGatewayV2Service extends ServiceDefinition {
  runtime: HttpApiRuntime;
}

const shared = new WeakMap<DocumentStore, { db: ApiStore; runtime: HttpApiRuntime }>();

function sharedFor(store: DocumentStore): { db: ApiStore; runtime: HttpApiRuntime } {
  let s = shared.get(store);
  if (!s) {
    const db = new ApiStore(store);
    s = { db, runtime: createHttpApiRuntime(db) };
    shared.set(store, s);
  }
  return s;
}

/** The data plane's view of the HTTP APIs kept in `documents` (one per store, shared with the service). */
export function httpApiRuntime(documents: DocumentStore): HttpApiRuntime {
  return sharedFor(documents).runtime;
}

export function createApiGatewayV2Service(deps: ApiGatewayV2Deps): ApiGatewayV2Service {
  const { db, runtime } = sharedFor(deps.store);
  return {
    name: 'apigatewayv2',
    signingName: 'apigateway',
    actionPrefix: 'apigateway',
    operations: apiGatewayV2Operations({ db }),
    runtime,
  };
}
