/**
 * HTTP APIs themselves: CreateApi (with quick create), GetApi, GetApis,
 * UpdateApi, DeleteApi and DeleteCorsConfiguration. Quick create (`Target`,
 * optional `RouteKey` and `CredentialsArn`) adds an integration (AWS_PROXY with
 * payload 2.0 for a Lambda ARN, HTTP_PROXY with ANY and payload 1.0 for a URL),
 * the route (`$default` unless RouteKey says otherwise) and the `$default`
 * stage with AutoDeploy, all marked ApiGatewayManaged, as the Lambda
 * console's "Add trigger" does. It grants no Lambda permission: as on AWS, the
 * function's resource policy must allow apigateway.amazonaws.com.
 * WebSocket APIs answer 501 NotImplemented: Stratus serves HTTP APIs only.
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis.html
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop.html#http-api-examples.cli.quick-create
 */
import { ServiceError } from '../../core/errors.js';
import { checkTags, compact, iam, ownerOf, paginate, required, tagConditions, type ApiGatewayV2Context, type Operations } from './common.js';
import { corsOutput, toCorsRecord, type CorsInput } from './cors-config.js';
import { apiEndpoint } from './endpoints.js';
import { badRequest } from './errors.js';
import { buildIntegration } from './integrations.js';
import type { ApiRecord, IntegrationRecord, RouteRecord } from './models.js';
import { ID_LENGTH, isHttpUrl, lambdaArnOf, newId } from './names.js';
import { checkRouteKey, checkRouteKeyFree } from './routes.js';
import { quickCreateStage } from './stages.js';
import type { Tx } from './store.js';

export interface ApiInput {
  ApiId?: string;
  ApiKeySelectionExpression?: string;
  CorsConfiguration?: CorsInput;
  CredentialsArn?: string;
  Description?: string;
  DisableSchemaValidation?: boolean;
  DisableExecuteApiEndpoint?: boolean;
  Name?: string;
  ProtocolType?: string;
  RouteKey?: string;
  RouteSelectionExpression?: string;
  Tags?: Record<string, string>;
  Target?: string;
  Version?: string;
  MaxResults?: string;
  NextToken?: string;
}

const ROUTE_SELECTION = '$request.method $request.path';
const API_KEY_SELECTIONS = ['$request.header.x-api-key', '$context.authorizer.usageIdentifierKey'];

function checkCommon(input: ApiInput): void {
  if (input.Name !== undefined && (input.Name.length < 1 || input.Name.length > 128)) throw badRequest('Name must be between 1 and 128 characters long');
  if (input.Description !== undefined && input.Description.length > 1024) throw badRequest('Description must be at most 1024 characters long');
  if (input.RouteSelectionExpression !== undefined && input.RouteSelectionExpression !== ROUTE_SELECTION) {
    throw badRequest(`Invalid route selection expression ${input.RouteSelectionExpression}. HTTP APIs support only ${ROUTE_SELECTION}`);
  }
  if (input.ApiKeySelectionExpression !== undefined && !API_KEY_SELECTIONS.includes(input.ApiKeySelectionExpression)) {
    throw badRequest(`Invalid API key selection expression ${input.ApiKeySelectionExpression}. Valid values are ${API_KEY_SELECTIONS.join(' and ')}`);
  }
  if (input.DisableSchemaValidation !== undefined) throw badRequest('DisableSchemaValidation is supported only for WebSocket APIs');
}

/** The integration quick create makes of a Target, or the managed one it updates. */
function targetIntegration(target: string, credentialsArn: string | undefined, current?: IntegrationRecord): IntegrationRecord {
  const lambda = lambdaArnOf(target) !== undefined;
  if (!lambda && !isHttpUrl(target)) throw badRequest(`Invalid target ${target}. Specify a Lambda function ARN or a fully qualified URL`);
  const rec = buildIntegration(
    {
      ApiId: '',
      IntegrationType: lambda ? 'AWS_PROXY' : 'HTTP_PROXY',
      IntegrationUri: target,
      PayloadFormatVersion: lambda ? '2.0' : '1.0',
      IntegrationMethod: lambda ? 'POST' : 'ANY',
      CredentialsArn: credentialsArn,
    },
    current,
  );
  rec.apiGatewayManaged = true;
  return rec;
}

function quickCreate(tx: Tx, input: ApiInput): void {
  const integration = targetIntegration(input.Target!, input.CredentialsArn);
  tx.put('integrations', integration.integrationId, integration);
  const routeKey = input.RouteKey ?? '$default';
  checkRouteKey(routeKey);
  const route: RouteRecord = {
    routeId: newId(ID_LENGTH.route),
    routeKey,
    authorizationType: 'NONE',
    apiKeyRequired: false,
    target: `integrations/${integration.integrationId}`,
    apiGatewayManaged: true,
  };
  tx.put('routes', route.routeId, route);
  quickCreateStage(tx);
}

/** UpdateApi's quick-create members: they change the managed integration and route. */
function updateQuickCreate(tx: Tx, input: ApiInput): void {
  const integration = [...tx.state.integrations.values()].find((i) => i.apiGatewayManaged);
  const route = [...tx.state.routes.values()].find((r) => r.apiGatewayManaged);
  if (!integration || !route) throw badRequest('Target, RouteKey and CredentialsArn can only be updated on an API created with quick create');
  if (input.Target !== undefined || input.CredentialsArn !== undefined) {
    const next = targetIntegration(input.Target ?? integration.integrationUri, input.CredentialsArn ?? integration.credentialsArn, integration);
    tx.put('integrations', next.integrationId, next);
  }
  if (input.RouteKey !== undefined && input.RouteKey !== route.routeKey) {
    const parsed = checkRouteKey(input.RouteKey);
    checkRouteKeyFree(tx.state, input.RouteKey, parsed, route.routeId);
    tx.put('routes', route.routeId, { ...route, routeKey: input.RouteKey });
  }
  tx.redeploy();
}

export function apiOutput(api: ApiRecord, endpoint: string): Record<string, unknown> {
  return compact({
    ApiEndpoint: apiEndpoint(endpoint, api.apiId),
    ApiId: api.apiId,
    ApiKeySelectionExpression: api.apiKeySelectionExpression,
    CorsConfiguration: corsOutput(api.corsConfiguration),
    CreatedDate: new Date(api.createdDate),
    Description: api.description,
    DisableExecuteApiEndpoint: api.disableExecuteApiEndpoint,
    Name: api.name,
    ProtocolType: api.protocolType,
    RouteSelectionExpression: api.routeSelectionExpression,
    Tags: Object.keys(api.tags).length ? api.tags : undefined,
    Version: api.version,
  });
}

export function apiOperations(c: ApiGatewayV2Context): Operations {
  const { db } = c;
  const item = (i: ApiInput) => `/apis/${i.ApiId}`;
  return {
    CreateApi: {
      ...iam('POST', () => '/apis'),
      conditions: tagConditions,
      async handler(input: ApiInput, ctx) {
        const name = required(input.Name, 'Name');
        const protocol = required(input.ProtocolType, 'ProtocolType');
        if (protocol === 'WEBSOCKET') throw new ServiceError('NotImplemented', 'WebSocket APIs are not supported by Stratus', { status: 501, senderFault: false });
        if (protocol !== 'HTTP') throw badRequest('Invalid protocol specified. Must be one of [HTTP, WEBSOCKET]');
        checkCommon(input);
        checkTags(input.Tags);
        if (input.Target === undefined && (input.RouteKey !== undefined || input.CredentialsArn !== undefined)) {
          throw badRequest('RouteKey and CredentialsArn are part of quick create and require a Target');
        }
        const api: ApiRecord = {
          apiId: newId(ID_LENGTH.api),
          accountId: ctx.accountId,
          region: ctx.region,
          name,
          protocolType: 'HTTP',
          routeSelectionExpression: ROUTE_SELECTION,
          apiKeySelectionExpression: input.ApiKeySelectionExpression ?? API_KEY_SELECTIONS[0]!,
          disableExecuteApiEndpoint: input.DisableExecuteApiEndpoint ?? false,
          createdDate: new Date().toISOString(),
          tags: { ...(input.Tags ?? {}) },
        };
        if (input.Description !== undefined) api.description = input.Description;
        if (input.Version !== undefined) api.version = input.Version;
        if (input.CorsConfiguration) api.corsConfiguration = toCorsRecord(input.CorsConfiguration);
        await db.create(api, (tx) => {
          if (input.Target !== undefined) quickCreate(tx, input);
        });
        return apiOutput(api, ctx.endpoint);
      },
    },

    GetApi: {
      ...iam('GET', item),
      async handler(input: ApiInput, ctx) {
        const doc = await db.requireApi(required(input.ApiId, 'ApiId'), ownerOf(ctx));
        return apiOutput(doc.value, ctx.endpoint);
      },
    },

    GetApis: {
      ...iam('GET', () => '/apis'),
      async handler(input: ApiInput, ctx) {
        const ids = await db.listApiIds(ctx.accountId, ctx.region);
        const page = paginate(ids, (id) => id, input.NextToken, input.MaxResults);
        const apis = await Promise.all(page.Items.map((id) => db.getApi(id)));
        return { ...page, Items: apis.filter((d) => d !== undefined).map((d) => apiOutput(d.value, ctx.endpoint)) };
      },
    },

    UpdateApi: {
      ...iam('PATCH', item),
      async handler(input: ApiInput, ctx) {
        checkCommon(input);
        return db.mutate(required(input.ApiId, 'ApiId'), ownerOf(ctx), (tx) => {
          const api: ApiRecord = { ...tx.api };
          if (input.Name !== undefined) api.name = input.Name;
          if (input.Description !== undefined) api.description = input.Description;
          if (input.Version !== undefined) api.version = input.Version;
          if (input.ApiKeySelectionExpression !== undefined) api.apiKeySelectionExpression = input.ApiKeySelectionExpression;
          if (input.DisableExecuteApiEndpoint !== undefined) api.disableExecuteApiEndpoint = input.DisableExecuteApiEndpoint;
          if (input.CorsConfiguration !== undefined) {
            api.corsConfiguration = toCorsRecord(input.CorsConfiguration);
            tx.redeploy();
          }
          tx.setApi(api);
          if (input.Target !== undefined || input.RouteKey !== undefined || input.CredentialsArn !== undefined) updateQuickCreate(tx, input);
          return apiOutput(api, ctx.endpoint);
        });
      },
    },

    DeleteApi: {
      ...iam('DELETE', item),
      async handler(input: ApiInput, ctx) {
        await db.mutate(required(input.ApiId, 'ApiId'), ownerOf(ctx), (tx) => tx.deleteApi());
        return undefined;
      },
    },

    DeleteCorsConfiguration: {
      ...iam('DELETE', (i: ApiInput) => `/apis/${i.ApiId}/cors`),
      async handler(input: ApiInput, ctx) {
        await db.mutate(required(input.ApiId, 'ApiId'), ownerOf(ctx), (tx) => {
          const api = { ...tx.api };
          delete api.corsConfiguration;
          tx.setApi(api);
          tx.redeploy();
        });
        return undefined;
      },
    },
  };
}

