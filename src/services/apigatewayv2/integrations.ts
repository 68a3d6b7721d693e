/**
 * Integrations of HTTP APIs: AWS_PROXY to a Lambda function (payload format
 * 1.0 or 2.0, which HTTP APIs make the caller choose) and HTTP_PROXY to a
 * URL (always payload 1.0). AWS service integrations (IntegrationSubtype)
 * and private integrations (VPC_LINK) answer 501: Stratus has neither.
 * WebSocket-only members (templates, content handling) are refused.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-http.html
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-integrations.html
 */
import { ServiceError } from '../../core/errors.js';
import { compact, iam, ownerOf, paginate, required, stringMap, type ApiGatewayV2Context, type Operations } from './common.js';
import { badRequest, conflict, integrationNotFound } from './errors.js';
import { routeIntegrationId, type IntegrationRecord } from './models.js';
import { ID_LENGTH, isHttpUrl, lambdaArnOf, newId } from './names.js';

export interface IntegrationInput {
  ApiId: string;
  IntegrationId?: string;
  ConnectionId?: string;
  ConnectionType?: string;
  ContentHandlingStrategy?: string;
  CredentialsArn?: string;
  Description?: string;
  IntegrationMethod?: string;
  IntegrationSubtype?: string;
  IntegrationType?: string;
  IntegrationUri?: string;
  PassthroughBehavior?: string;
  PayloadFormatVersion?: string;
  RequestParameters?: Record<string, string>;
  RequestTemplates?: Record<string, string>;
  ResponseParameters?: Record<string, Record<string, string>>;
  TemplateSelectionExpression?: string;
  TimeoutInMillis?: number;
  TlsConfig?: { ServerNameToVerify?: string };
  MaxResults?: string;
  NextToken?: string;
}

const DEFAULT_TIMEOUT = 30000;
const HTTP_METHODS = new Set(['ANY', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

function unsupported(message: string): ServiceError {
  return new ServiceError('NotImplemented', message, { status: 501, senderFault: false });
}

/**
 * The integration a create (no `current`) or an update describes, checked
 * against the rules of HTTP APIs. Updates merge into the current record.
 */
export function buildIntegration(input: IntegrationInput, current?: IntegrationRecord): IntegrationRecord {
  for (const m of ['ContentHandlingStrategy', 'PassthroughBehavior', 'RequestTemplates', 'TemplateSelectionExpression'] as const) {
    if (input[m] !== undefined) throw badRequest(`${m} is supported only for WebSocket APIs`);
  }
  const type = input.IntegrationType ?? current?.integrationType;
  if (type !== 'AWS_PROXY' && type !== 'HTTP_PROXY') {
    if (type === undefined) throw badRequest('IntegrationType is a required parameter');
    throw badRequest(`Integration type ${type} is not supported for HTTP APIs. Supported types are AWS_PROXY and HTTP_PROXY`);
  }
  const subtype = input.IntegrationSubtype ?? current?.integrationSubtype;
  if (subtype) throw unsupported(`AWS service integrations (IntegrationSubtype ${subtype}) are not supported by Stratus`);
  const connectionType = input.ConnectionType ?? current?.connectionType ?? 'INTERNET';
  if (connectionType === 'VPC_LINK') throw unsupported('Private integrations (ConnectionType VPC_LINK) are not supported by Stratus');
  if (connectionType !== 'INTERNET') throw badRequest(`Invalid connection type ${connectionType}`);

  const typeChanged = current !== undefined && input.IntegrationType !== undefined && input.IntegrationType !== current.integrationType;
  const keep = <K extends keyof IntegrationRecord>(k: K): IntegrationRecord[K] | undefined => (typeChanged ? undefined : current?.[k]);
  const uri = input.IntegrationUri ?? keep('integrationUri');
  if (!uri) throw badRequest('IntegrationUri is a required parameter for integration type ' + type);
  const timeout = input.TimeoutInMillis ?? current?.timeoutInMillis ?? DEFAULT_TIMEOUT;
  if (!Number.isInteger(timeout) || timeout < 50 || timeout > 30000) throw badRequest('Timeout must be between 50 milliseconds and 30000 milliseconds.');

  const rec: IntegrationRecord = {
    integrationId: current?.integrationId ?? newId(ID_LENGTH.integration),
    integrationType: type,
    integrationUri: uri,
    payloadFormatVersion: '1.0',
    timeoutInMillis: timeout,
    connectionType: 'INTERNET',
  };
  if (type === 'AWS_PROXY') {
    const fn = lambdaArnOf(uri);
    if (!fn) throw badRequest(`Invalid integration URI specified: ${uri}. For AWS_PROXY, specify a Lambda function ARN or its invocation ARN`);
    rec.functionArn = fn;
    const version = input.PayloadFormatVersion ?? keep('payloadFormatVersion');
    if (version === undefined) throw badRequest('PayloadFormatVersion is a required parameter for HTTP APIs');
    if (version !== '1.0' && version !== '2.0') throw badRequest(`PayloadFormatVersion ${version} is not supported. Supported versions are 1.0 and 2.0`);
    rec.payloadFormatVersion = version;
    rec.integrationMethod = (input.IntegrationMethod ?? keep('integrationMethod') ?? 'POST').toUpperCase();
  } else {
    if (!isHttpUrl(uri)) throw badRequest(`Invalid integration URI specified: ${uri}. For HTTP_PROXY, specify a fully qualified URL`);
    const version = input.PayloadFormatVersion ?? '1.0';
    if (version !== '1.0') throw badRequest(`PayloadFormatVersion ${version} is not supported for HTTP_PROXY integrations. Only 1.0 is supported`);
    const method = (input.IntegrationMethod ?? keep('integrationMethod') ?? 'ANY').toUpperCase();
    if (!HTTP_METHODS.has(method)) throw badRequest(`Invalid integration method ${method}`);
    rec.integrationMethod = method;
  }
  const credentials = input.CredentialsArn ?? current?.credentialsArn;
  if (credentials) rec.credentialsArn = credentials;
  const description = input.Description ?? current?.description;
  if (description !== undefined) rec.description = description;
  const requestParameters = stringMap(input.RequestParameters, 'RequestParameters') ?? current?.requestParameters;
  if (requestParameters) rec.requestParameters = requestParameters;
  for (const [status, m] of Object.entries(input.ResponseParameters ?? {})) {
    if (!m) throw badRequest(`Invalid ResponseParameters for status ${status}`);
    stringMap(m, `ResponseParameters ${status}`);
  }
  const responseParameters = input.ResponseParameters ?? current?.responseParameters;
  if (responseParameters) rec.responseParameters = responseParameters;
  const tls = input.TlsConfig ? { serverNameToVerify: input.TlsConfig.ServerNameToVerify } : current?.tlsConfig;
  if (tls) rec.tlsConfig = tls;
  if (current?.apiGatewayManaged) rec.apiGatewayManaged = true;
  return rec;
}

export function integrationOutput(i: IntegrationRecord): Record<string, unknown> {
  return compact({
    ApiGatewayManaged: i.apiGatewayManaged || undefined,
    ConnectionType: i.connectionType,
    CredentialsArn: i.credentialsArn,
    Description: i.description,
    IntegrationId: i.integrationId,
    IntegrationMethod: i.integrationMethod,
    IntegrationType: i.integrationType,
    IntegrationUri: i.integrationUri,
    PayloadFormatVersion: i.payloadFormatVersion,
    RequestParameters: i.requestParameters,
    ResponseParameters: i.responseParameters,
    TimeoutInMillis: i.timeoutInMillis,
    TlsConfig: i.tlsConfig ? compact({ ServerNameToVerify: i.tlsConfig.serverNameToVerify }) : undefined,
  });
}

export function integrationOperations(c: ApiGatewayV2Context): Operations {
  const { db } = c;
  const collection = (i: IntegrationInput) => `/apis/${i.ApiId}/integrations`;
  const item = (i: IntegrationInput) => `/apis/${i.ApiId}/integrations/${i.IntegrationId}`;
  return {
    CreateIntegration: {
      ...iam('POST', collection),
      async handler(input: IntegrationInput, ctx) {
        const rec = buildIntegration(input);
        return db.mutate(input.ApiId, ownerOf(ctx), (tx) => {
          tx.put('integrations', rec.integrationId, rec);
          tx.redeploy();
          return integrationOutput(rec);
        });
      },
    },

    GetIntegration: {
      ...iam('GET', item),
      async handler(input: IntegrationInput, ctx) {
        await db.requireApi(input.ApiId, ownerOf(ctx));
        const rec = await db.getChild<IntegrationRecord>('integrations', input.ApiId, required(input.IntegrationId, 'IntegrationId'));
        if (!rec) throw integrationNotFound(input.IntegrationId!);
        return integrationOutput(rec);
      },
    },

    GetIntegrations: {
      ...iam('GET', collection),
      async handler(input: IntegrationInput, ctx) {
        await db.requireApi(input.ApiId, ownerOf(ctx));
        const all = await db.children<IntegrationRecord>('integrations', input.ApiId);
        const page = paginate(all, (i) => i.integrationId, input.NextToken, input.MaxResults);
        return { ...page, Items: page.Items.map(integrationOutput) };
      },
    },

    UpdateIntegration: {
      ...iam('PATCH', item),
      async handler(input: IntegrationInput, ctx) {
        const id = required(input.IntegrationId, 'IntegrationId');
        return db.mutate(input.ApiId, ownerOf(ctx), (tx) => {
          const current = tx.state.integrations.get(id);
          if (!current) throw integrationNotFound(id);
          const rec = buildIntegration(input, current);
          tx.put('integrations', id, rec);
          tx.redeploy();
          return integrationOutput(rec);
        });
      },
    },

    DeleteIntegration: {
      ...iam('DELETE', item),
      async handler(input: IntegrationInput, ctx) {
        const id = required(input.IntegrationId, 'IntegrationId');
        await db.mutate(input.ApiId, ownerOf(ctx), (tx) => {
          if (!tx.state.integrations.has(id)) throw integrationNotFound(id);
          const users = [...tx.state.routes.values()].filter((r) => routeIntegrationId(r) === id).map((r) => r.routeId);
          if (users.length) throw conflict(`Unable to delete integration ${id}: it is the target of route(s) ${users.join(', ')}`);
          tx.remove('integrations', id);
          tx.redeploy();
        });
        return undefined;
      },
    },
  };
}
