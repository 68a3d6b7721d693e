/**
 * API Gateway HTTP APIs as Stratus stores them: the API and the resources under
 * it (routes, integrations, authorizers, stages, deployments). These records
 * are also the read contract of the data plane (src/gateway/execute-api*.ts),
 * which sees them through `HttpApiRuntime` in index.ts and never writes them.
 *
 * A deployment freezes the routes, integrations, authorizers and CORS
 * configuration of the moment it was made; a stage serves the snapshot of its
 * deployment plus its own live settings (stage variables, throttling), as on
 * AWS, where stage settings apply without a redeployment.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-stages.html
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid.html
 */

/** Dates are ISO-8601 strings (JSON documents); the control plane returns them as timestamps. */
export type IsoDate = string;

export interface CorsRecord {
  allowOrigins?: string[];
  allowMethods?: string[];
  allowHeaders?: string[];
  exposeHeaders?: string[];
  /** Seconds; AWS accepts -1 (no caching) to 86400. */
  maxAge?: number;
  allowCredentials?: boolean;
}

export interface ApiRecord {
  apiId: string;
  accountId: string;
  region: string;
  name: string;
  /** Only HTTP: Stratus refuses WEBSOCKET at creation. */
  protocolType: 'HTTP';
  description?: string;
  version?: string;
  /** `$request.method $request.path` for HTTP APIs (fixed). */
  routeSelectionExpression: string;
  apiKeySelectionExpression: string;
  corsConfiguration?: CorsRecord;
  /** When true, the execute-api endpoint is off (AWS then answers 403 Forbidden there). */
  disableExecuteApiEndpoint: boolean;
  createdDate: IsoDate;
  tags: Record<string, string>;
}

export type AuthorizationType = 'NONE' | 'JWT' | 'AWS_IAM' | 'CUSTOM';

export interface RouteRecord {
  routeId: string;
  /** `$default` or `METHOD /path` (METHOD may be ANY; the last segment may be `{name+}`). */
  routeKey: string;
  authorizationType: AuthorizationType;
  authorizerId?: string;
  authorizationScopes?: string[];
  /** `integrations/<integrationId>`; absent when the route has no integration yet. */
  target?: string;
  apiKeyRequired: boolean;
  operationName?: string;
  requestParameters?: Record<string, { required: boolean }>;
  requestModels?: Record<string, string>;
  modelSelectionExpression?: string;
  routeResponseSelectionExpression?: string;
  /** Created by quick create: AWS marks such resources as managed. */
  apiGatewayManaged?: boolean;
}

export type IntegrationType = 'AWS_PROXY' | 'HTTP_PROXY';

export interface IntegrationRecord {
  integrationId: string;
  integrationType: IntegrationType;
  /** AWS_PROXY: a Lambda function ARN or its invocation ARN. HTTP_PROXY: a URL. */
  integrationUri: string;
  /**
   * AWS_PROXY to Lambda: the function ARN (possibly qualified by a version or
   * alias) that IntegrationUri names, decoded once here for the data plane.
   */
  functionArn?: string;
  /** HTTP_PROXY: the method to call (ANY forwards the request's). AWS_PROXY: POST. */
  integrationMethod?: string;
  integrationSubtype?: string;
  /** '1.0' or '2.0' for AWS_PROXY; HTTP_PROXY is always '1.0'. */
  payloadFormatVersion: '1.0' | '2.0';
  /** 50..30000, default 30000. */
  timeoutInMillis: number;
  connectionType: 'INTERNET' | 'VPC_LINK';
  connectionId?: string;
  credentialsArn?: string;
  description?: string;
  /** Parameter mappings, e.g. `overwrite:header.x` → `$request.header.y` (stored; the data plane may apply them). */
  requestParameters?: Record<string, string>;
  /** Status code → mappings, e.g. `{"500": {"overwrite:statuscode": "503"}}`. */
  responseParameters?: Record<string, Record<string, string>>;
  tlsConfig?: { serverNameToVerify?: string };
  apiGatewayManaged?: boolean;
}

export type AuthorizerType = 'JWT' | 'REQUEST';

export interface AuthorizerRecord {
  authorizerId: string;
  name: string;
  authorizerType: AuthorizerType;
  /** Selection expressions, e.g. `$request.header.Authorization`; may be empty for REQUEST authorizers without caching. */
  identitySource: string[];
  /** JWT: the issuer (its `/.well-known/openid-configuration` leads to the JWKS) and accepted audiences. */
  jwtConfiguration?: { issuer?: string; audience?: string[] };
  /** REQUEST: the Lambda invocation ARN or function ARN. */
  authorizerUri?: string;
  /** REQUEST: the function ARN decoded from authorizerUri. */
  functionArn?: string;
  authorizerPayloadFormatVersion?: '1.0' | '2.0';
  /** REQUEST with payload 2.0: `{"isAuthorized": bool, "context": {...}}` instead of an IAM policy. */
  enableSimpleResponses?: boolean;
  /** REQUEST: seconds to cache a result per identity; absent or 0 disables caching; at most 3600. */
  authorizerResultTtlInSeconds?: number;
  authorizerCredentialsArn?: string;
  identityValidationExpression?: string;
}

export interface RouteSettingsRecord {
  throttlingBurstLimit?: number;
  throttlingRateLimit?: number;
  detailedMetricsEnabled?: boolean;
  dataTraceEnabled?: boolean;
  loggingLevel?: string;
}

export interface StageRecord {
  stageName: string;
  description?: string;
  autoDeploy: boolean;
  /** The deployment the stage serves; absent until its first deployment. */
  deploymentId?: string;
  stageVariables: Record<string, string>;
  defaultRouteSettings: RouteSettingsRecord;
  /** Per route key (e.g. `GET /items`). */
  routeSettings: Record<string, RouteSettingsRecord>;
  accessLogSettings?: { destinationArn?: string; format?: string };
  clientCertificateId?: string;
  /** Auto-deploy outcome, e.g. "Successfully deployed stage with deployment ID 'abc123'". */
  lastDeploymentStatusMessage?: string;
  apiGatewayManaged?: boolean;
  createdDate: IsoDate;
  lastUpdatedDate: IsoDate;
  tags: Record<string, string>;
}

/** What a deployment froze. */
export interface DeploymentSnapshot {
  routes: RouteRecord[];
  integrations: IntegrationRecord[];
  authorizers: AuthorizerRecord[];
  corsConfiguration?: CorsRecord;
}

export interface DeploymentRecord {
  deploymentId: string;
  description?: string;
  autoDeployed: boolean;
  deploymentStatus: 'PENDING' | 'FAILED' | 'DEPLOYED';
  deploymentStatusMessage?: string;
  createdDate: IsoDate;
  snapshot: DeploymentSnapshot;
}

/**
 * What one stage serves right now: the frozen routes, integrations,
 * authorizers and CORS of its deployment, with the stage's live settings.
 */
export interface StageSnapshot extends DeploymentSnapshot {
  api: ApiRecord;
  stage: StageRecord;
  deploymentId: string;
}

/** The integration a route targets (`integrations/<id>`), or undefined. */
export function routeIntegrationId(route: Pick<RouteRecord, 'target'>): string | undefined {
  const m = /^integrations\/([a-z0-9]+)$/.exec(route.target ?? '');
  return m?.[1];
}
