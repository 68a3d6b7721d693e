/**
 * Routes of HTTP APIs: `$default` or `METHOD /path` (ANY for every method,
 * `{name}` variables, a greedy `{name+}` last), an authorization type with
 * its authorizer (JWT routes need a JWT authorizer and may list scopes,
 * CUSTOM routes a REQUEST authorizer), and a target `integrations/<id>`.
 * A route key may exist once per API, and two routes may not name variables
 * differently at the same level of the same path (AWS's ConflictException
 * "...has a conflicting variable on the same hierarchical level as...").
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-access-control.html
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-routes.html
 */
import { compact, iam, ownerOf, paginate, required, strings, type ApiGatewayV2Context, type Operations } from './common.js';
import { authorizerNotFound, badRequest, conflict, integrationNotFound, routeNotFound } from './errors.js';
import { routeIntegrationId, type AuthorizationType, type RouteRecord } from './models.js';
import { conflictingVariable, ID_LENGTH, newId, parseRouteKey, type ParsedRouteKey } from './names.js';
import type { ApiState } from './store.js';

export interface RouteInput {
  ApiId: string;
  RouteId?: string;
  ApiKeyRequired?: boolean;
  AuthorizationScopes?: string[];
  AuthorizationType?: string;
  AuthorizerId?: string;
  ModelSelectionExpression?: string;
  OperationName?: string;
  RequestModels?: Record<string, string>;
  RequestParameters?: Record<string, { Required?: boolean }>;
  RouteKey?: string;
  RouteResponseSelectionExpression?: string;
  Target?: string;
  MaxResults?: string;
  NextToken?: string;
}

const AUTH_TYPES: readonly string[] = ['NONE', 'JWT', 'AWS_IAM', 'CUSTOM'];

/** Parses a route key; BadRequestException with the reason when it is not valid. */
export function checkRouteKey(key: string): ParsedRouteKey | undefined {
  const parsed = parseRouteKey(key);
  if (parsed && 'error' in parsed) throw badRequest(`Invalid route key ${key}: ${parsed.error}`);
  return parsed;
}

/** Refuses a key that repeats another route's, or names a variable differently at the same level. */
export function checkRouteKeyFree(state: ApiState, key: string, parsed: ParsedRouteKey | undefined, exceptRouteId?: string): void {
  for (const other of state.routes.values()) {
    if (other.routeId === exceptRouteId) continue;
    if (other.routeKey === key) throw conflict(`Route with key ${key} already exists for this API`);
    const p = parsed && parseRouteKey(other.routeKey);
    if (p && !('error' in p) && conflictingVariable(parsed, p)) {
      throw conflict(`The provided route key "${key}" has a conflicting variable on the same hierarchical level as "${other.routeKey}"`);
    }
  }
}

/** The route a create (no `current`) or update describes, checked against the API's authorizers and integrations. */
export function buildRoute(state: ApiState, input: RouteInput, current?: RouteRecord): RouteRecord {
  for (const m of ['ModelSelectionExpression', 'RequestModels', 'RouteResponseSelectionExpression'] as const) {
    if (input[m] !== undefined) throw badRequest(`${m} is supported only for WebSocket APIs`);
  }
  if (input.ApiKeyRequired) throw badRequest('API keys are not supported for HTTP APIs');
  const routeKey = input.RouteKey ?? current?.routeKey;
  if (routeKey === undefined || routeKey === '') throw badRequest('Route key is required');
  if (current?.apiGatewayManaged && input.RouteKey !== undefined && input.RouteKey !== current.routeKey) {
    throw badRequest('The route key of a route managed by API Gateway cannot be modified');
  }
  const parsed = checkRouteKey(routeKey);
  if (routeKey !== current?.routeKey) checkRouteKeyFree(state, routeKey, parsed, current?.routeId);

  const authType = input.AuthorizationType ?? current?.authorizationType ?? 'NONE';
  if (!AUTH_TYPES.includes(authType)) throw badRequest(`Invalid authorization type ${authType}. Valid values are ${AUTH_TYPES.join(', ')}`);
  const rec: RouteRecord = {
    routeId: current?.routeId ?? newId(ID_LENGTH.route),
    routeKey,
    authorizationType: authType as AuthorizationType,
    apiKeyRequired: false,
  };
  if (authType === 'JWT' || authType === 'CUSTOM') {
    const authorizerId = input.AuthorizerId ?? current?.authorizerId;
    if (!authorizerId) throw badRequest(`An authorizer ID must be specified for authorization type ${authType}`);
    const authorizer = state.authorizers.get(authorizerId);
    if (!authorizer) throw authorizerNotFound(authorizerId);
    const wanted = authType === 'JWT' ? 'JWT' : 'REQUEST';
    if (authorizer.authorizerType !== wanted) {
      throw badRequest(`Authorization type ${authType} requires a ${wanted} authorizer; authorizer ${authorizerId} is of type ${authorizer.authorizerType}`);
    }
    rec.authorizerId = authorizerId;
  } else if (input.AuthorizerId) {
    throw badRequest(`An authorizer cannot be set with authorization type ${authType}`);
  }
  const scopes = strings(input.AuthorizationScopes, 'AuthorizationScopes') ?? (current?.authorizationType === authType ? current.authorizationScopes : undefined);
  if (scopes && scopes.length > 0) {
    if (authType !== 'JWT') throw badRequest('Authorization scopes are supported only for JWT authorizers');
    rec.authorizationScopes = scopes;
  }
  const target = input.Target ?? current?.target;
  if (target) {
    const id = routeIntegrationId({ target });
    if (!id) throw badRequest(`Invalid target ${target}. A target must be of the form integrations/<integrationId>`);
    if (!state.integrations.has(id)) throw integrationNotFound(id);
    rec.target = target;
  }
  const operationName = input.OperationName ?? current?.operationName;
  if (operationName !== undefined) rec.operationName = operationName;
  const params = input.RequestParameters
    ? Object.fromEntries(Object.entries(input.RequestParameters).map(([k, v]) => [k, { required: v?.Required === true }]))
    : current?.requestParameters;
  if (params) rec.requestParameters = params;
  if (current?.apiGatewayManaged) rec.apiGatewayManaged = true;
  return rec;
}

export function routeOutput(r: RouteRecord): Record<string, unknown> {
  return compact({
    ApiGatewayManaged: r.apiGatewayManaged || undefined,
    ApiKeyRequired: r.apiKeyRequired,
    AuthorizationScopes: r.authorizationScopes,
    AuthorizationType: r.authorizationType,
    AuthorizerId: r.authorizerId,
    OperationName: r.operationName,
    RequestParameters: r.requestParameters ? Object.fromEntries(Object.entries(r.requestParameters).map(([k, v]) => [k, { Required: v.required }])) : undefined,
    RouteId: r.routeId,
    RouteKey: r.routeKey,
    Target: r.target,
  });
}

export function routeOperations(c: ApiGatewayV2Context): Operations {
  const { db } = c;
  const collection = (i: RouteInput) => `/apis/${i.ApiId}/routes`;
  const item = (i: RouteInput) => `/apis/${i.ApiId}/routes/${i.RouteId}`;
  return {
    CreateRoute: {
      ...iam('POST', collection),
      async handler(input: RouteInput, ctx) {
        required(input.RouteKey, 'RouteKey');
        return db.mutate(input.ApiId, ownerOf(ctx), (tx) => {
          const rec = buildRoute(tx.state, input);
          tx.put('routes', rec.routeId, rec);
          tx.redeploy();
          return routeOutput(rec);
        });
      },
    },

    GetRoute: {
      ...iam('GET', item),
      async handler(input: RouteInput, ctx) {
        await db.requireApi(input.ApiId, ownerOf(ctx));
        const rec = await db.getChild<RouteRecord>('routes', input.ApiId, required(input.RouteId, 'RouteId'));
        if (!rec) throw routeNotFound(input.RouteId!);
        return routeOutput(rec);
      },
    },

    GetRoutes: {
      ...iam('GET', collection),
      async handler(input: RouteInput, ctx) {
        await db.requireApi(input.ApiId, ownerOf(ctx));
        const all = await db.children<RouteRecord>('routes', input.ApiId);
        const page = paginate(all, (r) => r.routeId, input.NextToken, input.MaxResults);
        return { ...page, Items: page.Items.map(routeOutput) };
      },
    },

    UpdateRoute: {
      ...iam('PATCH', item),
      async handler(input: RouteInput, ctx) {
        const id = required(input.RouteId, 'RouteId');
        return db.mutate(input.ApiId, ownerOf(ctx), (tx) => {
          const current = tx.state.routes.get(id);
          if (!current) throw routeNotFound(id);
          // An empty Target detaches the route from its integration.
          const rec = buildRoute(tx.state, input.Target === '' ? { ...input, Target: undefined } : input, input.Target === '' ? { ...current, target: undefined } : current);
          tx.put('routes', id, rec);
          tx.redeploy();
          return routeOutput(rec);
        });
      },
    },

    DeleteRoute: {
      ...iam('DELETE', item),
      async handler(input: RouteInput, ctx) {
        const id = required(input.RouteId, 'RouteId');
        await db.mutate(input.ApiId, ownerOf(ctx), (tx) => {
          if (!tx.state.routes.has(id)) throw routeNotFound(id);
          tx.remove('routes', id);
          tx.redeploy();
        });
        return undefined;
      },
    },
  };
}
