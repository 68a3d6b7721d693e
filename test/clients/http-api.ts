/**
 * Shared set-up for the HTTP API end-to-end tests: functions created and
 * activated through the Lambda API, HTTP APIs created through the API
 * Gateway v2 API, and requests sent to `<apiId>.execute-api.localhost`
 * (connecting to 127.0.0.1 with that Host, as Node's resolver does not map
 * *.localhost names) or to the path-style address.
 */
import { request } from 'node:http';
import { ApiGatewayV2Client, CreateApiCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand, type Cors } from '@aws-sdk/client-apigatewayv2';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AddPermissionCommand, CreateFunctionCommand, LambdaClient, waitUntilFunctionActiveV2, type Runtime } from '@aws-sdk/client-lambda';
import { ACCOUNT, clientConfig, type TestServer } from '../harness.js';
import { trustPolicy } from './lambda.js';
import { makeZip, type ZipEntry } from './zip.js';

export const ROLE = `arn:aws:iam::${ACCOUNT}:role/http-api-fn`;
export const fnArn = (name: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;

export interface Clients {
  lambda: LambdaClient;
  apigw: ApiGatewayV2Client;
  logs: CloudWatchLogsClient;
}

export async function clients(server: TestServer): Promise<Clients> {
  const iam = new IAMClient(clientConfig(server));
  await iam.send(new CreateRoleCommand({ RoleName: 'http-api-fn', AssumeRolePolicyDocument: trustPolicy('lambda.amazonaws.com') }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'http-api-fn', PolicyArn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole' }));
  return { lambda: new LambdaClient(clientConfig(server)), apigw: new ApiGatewayV2Client(clientConfig(server)), logs: new CloudWatchLogsClient(clientConfig(server)) };
}

export async function createFunction(lambda: LambdaClient, name: string, runtime: string, handler: string, files: Record<string, ZipEntry>, timeout = 10): Promise<string> {
  await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: runtime as Runtime, Handler: handler, Role: ROLE, Code: { ZipFile: makeZip(files) }, Timeout: timeout }));
  await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 20, minDelay: 1, maxDelay: 1 }, { FunctionName: name });
  return fnArn(name);
}

/** Lets API Gateway invoke the function from any stage and route of the API (or the given SourceArn suffix). */
export async function allowApi(lambda: LambdaClient, fn: string, apiId: string, suffix = '*', sid = `apigw-${apiId}`): Promise<void> {
  await lambda.send(new AddPermissionCommand({ FunctionName: fn, StatementId: sid, Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com', SourceArn: `arn:aws:execute-api:us-east-1:${ACCOUNT}:${apiId}/${suffix}` }));
}

export interface ApiSpec {
  name: string;
  /** Route key → integration (function ARN or URL) and its payload format. */
  routes: Record<string, { target: string; payload?: '1.0' | '2.0'; timeoutMs?: number; type?: 'AWS_PROXY' | 'HTTP_PROXY' }>;
  cors?: Cors;
  stage?: string;
  stageVariables?: Record<string, string>;
  throttle?: { rate: number; burst: number };
}

/** An HTTP API with one integration per route and an auto-deployed stage ($default unless named). */
export async function createApi(apigw: ApiGatewayV2Client, spec: ApiSpec): Promise<{ apiId: string; routes: Record<string, string> }> {
  const api = await apigw.send(new CreateApiCommand({ Name: spec.name, ProtocolType: 'HTTP', ...(spec.cors ? { CorsConfiguration: spec.cors } : {}) }));
  const apiId = api.ApiId!;
  const routes: Record<string, string> = {};
  for (const [routeKey, r] of Object.entries(spec.routes)) {
    const type = r.type ?? (r.target.startsWith('http') ? 'HTTP_PROXY' : 'AWS_PROXY');
    const integration = await apigw.send(
      new CreateIntegrationCommand({
        ApiId: apiId,
        IntegrationType: type,
        IntegrationUri: r.target,
        PayloadFormatVersion: type === 'HTTP_PROXY' ? '1.0' : (r.payload ?? '2.0'),
        ...(type === 'HTTP_PROXY' ? { IntegrationMethod: 'ANY' } : {}),
        ...(r.timeoutMs ? { TimeoutInMillis: r.timeoutMs } : {}),
      }),
    );
    const route = await apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: routeKey, Target: `integrations/${integration.IntegrationId}` }));
    routes[routeKey] = route.RouteId!;
  }
  await apigw.send(
    new CreateStageCommand({
      ApiId: apiId,
      StageName: spec.stage ?? '$default',
      AutoDeploy: true,
      ...(spec.stageVariables ? { StageVariables: spec.stageVariables } : {}),
      ...(spec.throttle ? { DefaultRouteSettings: { ThrottlingRateLimit: spec.throttle.rate, ThrottlingBurstLimit: spec.throttle.burst } } : {}),
    }),
  );
  return { apiId, routes };
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
  json: () => any;
}

/** A request to `http://<apiId>.execute-api.localhost:<port><path>`, sent to 127.0.0.1. */
export function call(server: TestServer, apiId: string, path: string, init: { method?: string; headers?: Record<string, string> | [string, string][]; body?: string | Buffer; host?: string } = {}): Promise<Answer> {
  const host = init.host ?? `${apiId}.execute-api.localhost:${server.port}`;
  const headers: [string, string][] = Array.isArray(init.headers) ? init.headers : Object.entries(init.headers ?? {});
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method: init.method ?? 'GET', setHost: false, headers: [['Host', host], ...headers].flat() as unknown as Record<string, string> }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const text = body.toString('utf8');
        resolve({ status: res.statusCode!, headers: res.headers, body, text, json: () => JSON.parse(text) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/** The messages a function logged, oldest first ([] when it never ran). */
export async function logLines(logs: CloudWatchLogsClient, fn: string): Promise<string[]> {
  try {
    const page = await logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${fn}` }));
    return (page.events ?? []).map((e) => e.message ?? '');
  } catch (err) {
    if ((err as Error).name === 'ResourceNotFoundException') return [];
    throw err;
  }
}
