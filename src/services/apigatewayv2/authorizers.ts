/**
 * Authorizers of HTTP APIs: JWT (an issuer whose OpenID configuration leads
 * to its JWKS, and the accepted audiences; the token comes from one header or
 * query parameter) and Lambda REQUEST authorizers (payload format 1.0 or 2.0,
 * simple responses with 2.0 only, identity sources, result caching up to an
 * hour). Validating tokens and calling the Lambda is the data plane's job.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-authorizers.html
 */
import { compact, iam, ownerOf, paginate, required, strings, type ApiGatewayV2Context, type Operations } from './common.js';
import { authorizerNotFound, badRequest, conflict } from './errors.js';
import type { AuthorizerRecord } from './models.js';
import { ID_LENGTH, isHttpUrl, lambdaArnOf, newId } from './names.js';

export interface AuthorizerInput {
  ApiId: string;
  AuthorizerId?: string;
  AuthorizerCredentialsArn?: string;
  AuthorizerPayloadFormatVersion?: string;
  AuthorizerResultTtlInSeconds?: number;
  AuthorizerType?: string;
  AuthorizerUri?: string;
  EnableSimpleResponses?: boolean;
  IdentitySource?: string[];
  IdentityValidationExpression?: string;
  JwtConfiguration?: { Audience?: string[]; Issuer?: string };
  Name?: string;
  MaxResults?: string;
  NextToken?: string;
}

const MAX_AUTHORIZERS = 10;
const IDENTITY = /^\$(request\.header|request\.querystring|stageVariables|context)\.[^\s]+$/;
const JWT_IDENTITY = /^\$request\.(header|querystring)\.[^\s]+$/;

export function buildAuthorizer(input: AuthorizerInput, current?: AuthorizerRecord): AuthorizerRecord {
  if (input.IdentityValidationExpression !== undefined) throw badRequest('IdentityValidationExpression is supported only for WebSocket APIs');
  const name = input.Name ?? current?.name;
  if (!name) throw badRequest('Name is a required parameter');
  if (name.length > 128) throw badRequest('Name must be at most 128 characters long');
  const type = input.AuthorizerType ?? current?.authorizerType;
  if (type !== 'JWT' && type !== 'REQUEST') throw badRequest(`Invalid authorizer type ${type}. HTTP APIs support JWT and REQUEST authorizers`);
  const identitySource = strings(input.IdentitySource, 'IdentitySource') ?? current?.identitySource ?? [];
  const rec: AuthorizerRecord = {
    authorizerId: current?.authorizerId ?? newId(ID_LENGTH.authorizer),
    name,
    authorizerType: type,
    identitySource,
  };
  const sameType = current?.authorizerType === type;
  if (type === 'JWT') {
    for (const m of ['AuthorizerUri', 'AuthorizerPayloadFormatVersion', 'AuthorizerResultTtlInSeconds', 'EnableSimpleResponses', 'AuthorizerCredentialsArn'] as const) {
      if (input[m] !== undefined) throw badRequest(`${m} is not supported for JWT authorizers`);
    }
    if (identitySource.length !== 1 || !JWT_IDENTITY.test(identitySource[0]!)) {
      throw badRequest('A JWT authorizer needs exactly one identity source, a header or query string parameter, e.g. $request.header.Authorization');
    }
    const issuer = input.JwtConfiguration?.Issuer ?? (sameType ? current?.jwtConfiguration?.issuer : undefined);
    const audience = strings(input.JwtConfiguration?.Audience, 'JwtConfiguration.Audience') ?? (sameType ? current?.jwtConfiguration?.audience : undefined);
    if (!issuer || !audience || audience.length === 0) throw badRequest('JwtConfiguration must specify an Issuer and at least one Audience');
    if (!isHttpUrl(issuer)) throw badRequest(`Invalid issuer ${issuer}. The issuer must be a URL`);
    if (audience.length > 50) throw badRequest('A JWT authorizer accepts at most 50 audiences');
    rec.jwtConfiguration = { issuer, audience };
    return rec;
  }
  if (input.JwtConfiguration !== undefined) throw badRequest('JwtConfiguration is supported only for JWT authorizers');
  const uri = input.AuthorizerUri ?? (sameType ? current?.authorizerUri : undefined);
  if (!uri) throw badRequest('AuthorizerUri is a required parameter for REQUEST authorizer');
  const fn = lambdaArnOf(uri);
  if (!fn) throw badRequest(`Invalid authorizer URI ${uri}. Specify a Lambda function invocation ARN`);
  rec.authorizerUri = uri;
  rec.functionArn = fn;
  const version = input.AuthorizerPayloadFormatVersion ?? (sameType ? current?.authorizerPayloadFormatVersion : undefined);
  if (!version) throw badRequest('AuthorizerPayloadFormatVersion is a required parameter for REQUEST authorizer');
  if (version !== '1.0' && version !== '2.0') throw badRequest(`AuthorizerPayloadFormatVersion ${version} is not supported. Supported versions are 1.0 and 2.0`);
  rec.authorizerPayloadFormatVersion = version;
  const simple = input.EnableSimpleResponses ?? (sameType ? current?.enableSimpleResponses : undefined);
  if (simple && version !== '2.0') throw badRequest('EnableSimpleResponses can only be set for AuthorizerPayloadFormatVersion 2.0');
  if (simple !== undefined) rec.enableSimpleResponses = simple;
  const ttl = input.AuthorizerResultTtlInSeconds ?? (sameType ? current?.authorizerResultTtlInSeconds : undefined);
  if (ttl !== undefined) {
    if (!Number.isInteger(ttl) || ttl < 0 || ttl > 3600) throw badRequest('Authorizer result TTL must be between 0 and 3600 seconds');
    if (ttl > 0 && identitySource.length === 0) throw badRequest('Identity sources are required when authorizer caching is enabled (TTL greater than 0)');
    rec.authorizerResultTtlInSeconds = ttl;
  }
  for (const s of identitySource) {
    if (!IDENTITY.test(s)) throw badRequest(`Invalid identity source ${s}. Use $request.header.<name>, $request.querystring.<name>, $stageVariables.<name> or $context.<name>`);
  }
  const credentials = input.AuthorizerCredentialsArn ?? (sameType ? current?.authorizerCredentialsArn : undefined);
  if (credentials) rec.authorizerCredentialsArn = credentials;
  return rec;
}

export function authorizerOutput(a: AuthorizerRecord): Record<string, unknown> {
  return compact({
    AuthorizerCredentialsArn: a.authorizerCredentialsArn,
    AuthorizerId: a.authorizerId,
    AuthorizerPayloadFormatVersion: a.authorizerPayloadFormatVersion,
    AuthorizerResultTtlInSeconds: a.authorizerResultTtlInSeconds,
    AuthorizerType: a.authorizerType,
    AuthorizerUri: a.authorizerUri,
    EnableSimpleResponses: a.enableSimpleResponses,
    IdentitySource: a.identitySource,
    JwtConfiguration: a.jwtConfiguration ? compact({ Audience: a.jwtConfiguration.audience, Issuer: a.jwtConfiguration.issuer }) : undefined,
    Name: a.name,
  });
}

export function authorizerOperations(c: ApiGatewayV2Context): Operations {
  const { db } = c;
  const collection = (i: AuthorizerInput) => `/apis/${i.ApiId}/authorizers`;
  const item = (i: AuthorizerInput) => `/apis/${i.ApiId}/authorizers/${i.AuthorizerId}`;
  return {
    CreateAuthorizer: {
      ...iam('POST', collection),
      async handler(input: AuthorizerInput, ctx) {
        required(input.AuthorizerType, 'AuthorizerType');
        const rec = buildAuthorizer(input);
        return db.mutate(input.ApiId, ownerOf(ctx), (tx) => {
          if (tx.state.authorizers.size >= MAX_AUTHORIZERS) {
            throw badRequest('Maximum number of Authorizers for this API has been reached. Please contact AWS if you need additional Authorizers.');
          }
          tx.put('authorizers', rec.authorizerId, rec);
          tx.redeploy();
          return authorizerOutput(rec);
        });
      },
    },

    GetAuthorizer: {
      ...iam('GET', item),
      async handler(input: AuthorizerInput, ctx) {
        await db.requireApi(input.ApiId, ownerOf(ctx));
        const rec = await db.getChild<AuthorizerRecord>('authorizers', input.ApiId, required(input.AuthorizerId, 'AuthorizerId'));
        if (!rec) throw authorizerNotFound(input.AuthorizerId!);
        return authorizerOutput(rec);
      },
    },

    GetAuthorizers: {
      ...iam('GET', collection),
      async handler(input: AuthorizerInput, ctx) {
        await db.requireApi(input.ApiId, ownerOf(ctx));
        const all = await db.children<AuthorizerRecord>('authorizers', input.ApiId);
        const page = paginate(all, (a) => a.authorizerId, input.NextToken, input.MaxResults);
        return { ...page, Items: page.Items.map(authorizerOutput) };
      },
    },

    UpdateAuthorizer: {
      ...iam('PATCH', item),
      async handler(input: AuthorizerInput, ctx) {
        const id = required(input.AuthorizerId, 'AuthorizerId');
        return db.mutate(input.ApiId, ownerOf(ctx), (tx) => {
          const current = tx.state.authorizers.get(id);
          if (!current) throw authorizerNotFound(id);
          const rec = buildAuthorizer(input, current);
          const users = [...tx.state.routes.values()].filter((r) => r.authorizerId === id);
          const needed = rec.authorizerType === 'JWT' ? 'JWT' : 'CUSTOM';
          const clash = users.find((r) => r.authorizationType !== needed);
          if (clash) throw badRequest(`Route ${clash.routeId} uses authorizer ${id} with authorization type ${clash.authorizationType}`);
          tx.put('authorizers', id, rec);
          tx.redeploy();
          return authorizerOutput(rec);
        });
      },
    },

    DeleteAuthorizer: {
      ...iam('DELETE', item),
      async handler(input: AuthorizerInput, ctx) {
        const id = required(input.AuthorizerId, 'AuthorizerId');
        await db.mutate(input.ApiId, ownerOf(ctx), (tx) => {
          if (!tx.state.authorizers.has(id)) throw authorizerNotFound(id);
          const users = [...tx.state.routes.values()].filter((r) => r.authorizerId === id).map((r) => r.routeId);
          if (users.length) throw conflict(`Unable to delete authorizer ${id}: it is used by route(s) ${users.join(', ')}`);
          tx.remove('authorizers', id);
          tx.redeploy();
        });
        return undefined;
      },
    },
  };
}
