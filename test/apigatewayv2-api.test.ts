/**
 * API Gateway v2 control plane for HTTP APIs through real clients: the SDK v3
 * for every operation family (quick create, routes, integrations, stages and
 * deployments with AutoDeploy, CORS, authorizers, tags, pagination, errors and
 * IAM), the pip AWS CLI v1 for the quick create the seed's "Add trigger"
 * performs, and boto3. What a stage serves is read back through the runtime
 * the data plane uses.
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/api-reference.html
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  ApiGatewayV2Client,
  CreateApiCommand,
  CreateAuthorizerCommand,
  CreateDeploymentCommand,
  CreateIntegrationCommand,
  CreateRouteCommand,
  CreateStageCommand,
  DeleteApiCommand,
  DeleteAuthorizerCommand,
  DeleteCorsConfigurationCommand,
  DeleteDeploymentCommand,
  DeleteIntegrationCommand,
  DeleteRouteCommand,
  DeleteStageCommand,
  GetApiCommand,
  GetApisCommand,
  GetAuthorizerCommand,
  GetDeploymentsCommand,
  GetIntegrationCommand,
  GetIntegrationsCommand,
  GetRouteCommand,
  GetRoutesCommand,
  GetStageCommand,
  GetStagesCommand,
  GetTagsCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateApiCommand,
  UpdateIntegrationCommand,
  UpdateRouteCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-apigatewayv2';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { apiEndpoint, httpApiRuntime, pathStyleEndpoint, type HttpApiRuntime } from '../src/services/apigatewayv2/index.js';
import { ACCOUNT, clientConfig, startTestServer, type TestServer } from './harness.js';

const run = promisify(execFile);
const FN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:contact`;
const INVOCATION = `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${FN}/invocations`;

type AwsError = Error & { $metadata: { httpStatusCode: number }; ResourceType?: string };

/** Asserts an SDK call fails with this error code, status and (optionally) message. */
async function fails(p: Promise<unknown>, code: string, status: number, message?: string | RegExp): Promise<void> {
  await assert.rejects(p, (e: AwsError) => {
    assert.equal(e.name, code, e.message);
    assert.equal(e.$metadata.httpStatusCode, status);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return true;
  });
}

describe('API Gateway v2 HTTP APIs (control plane)', () => {
  let server: TestServer;
  let c: ApiGatewayV2Client;
  let runtime: HttpApiRuntime;

  before(async () => {
    server = await startTestServer();
    c = new ApiGatewayV2Client(clientConfig(server));
    runtime = httpApiRuntime(server.stratus.storage.documents);
  });
  after(async () => server.close());

  const plainApi = async (extra: Record<string, unknown> = {}) => (await c.send(new CreateApiCommand({ Name: 'plain', ProtocolType: 'HTTP', ...extra }))).ApiId!;
  const lambdaIntegration = async (apiId: string) =>
    (await c.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: FN, PayloadFormatVersion: '2.0' }))).IntegrationId!;

  it('quick create with a Lambda ARN: integration, $default route and auto-deployed $default stage, an endpoint curl can open', async () => {
    const api = await c.send(new CreateApiCommand({ Name: 'contact-api', ProtocolType: 'HTTP', Target: FN }));
    assert.match(api.ApiId!, /^[a-z0-9]{10}$/);
    assert.equal(api.ApiEndpoint, `http://${api.ApiId}.execute-api.localhost:${server.port}`);
    assert.equal(api.ApiEndpoint, apiEndpoint(server.url, api.ApiId!));
    assert.equal(pathStyleEndpoint(server.url, api.ApiId!), `${server.url}/_stratus/execute-api/${api.ApiId}`);
    assert.equal(api.RouteSelectionExpression, '$request.method $request.path');
    assert.equal(api.ApiKeySelectionExpression, '$request.header.x-api-key');
    assert.equal(api.DisableExecuteApiEndpoint, false);
    assert.equal(api.ProtocolType, 'HTTP');
    assert.ok(api.CreatedDate instanceof Date);
    assert.equal(api.Tags, undefined);

    const [integration] = (await c.send(new GetIntegrationsCommand({ ApiId: api.ApiId }))).Items!;
    assert.deepEqual(
      { ...integration, IntegrationId: undefined },
      { ApiGatewayManaged: true, ConnectionType: 'INTERNET', IntegrationId: undefined, IntegrationMethod: 'POST', IntegrationType: 'AWS_PROXY', IntegrationUri: FN, PayloadFormatVersion: '2.0', TimeoutInMillis: 30000 },
    );
    assert.match(integration!.IntegrationId!, /^[a-z0-9]{7}$/);
    const [route] = (await c.send(new GetRoutesCommand({ ApiId: api.ApiId }))).Items!;
    assert.deepEqual(route, { ApiGatewayManaged: true, ApiKeyRequired: false, AuthorizationType: 'NONE', RouteId: route!.RouteId, RouteKey: '$default', Target: `integrations/${integration!.IntegrationId}` });
    const stage = await c.send(new GetStageCommand({ ApiId: api.ApiId, StageName: '$default' }));
    assert.equal(stage.AutoDeploy, true);
    assert.equal(stage.ApiGatewayManaged, true);
    assert.match(stage.DeploymentId!, /^[a-z0-9]{6}$/);
    assert.equal(stage.LastDeploymentStatusMessage, `Successfully deployed stage with deployment ID '${stage.DeploymentId}'`);
    assert.deepEqual(stage.DefaultRouteSettings, { DetailedMetricsEnabled: false });
    assert.deepEqual(stage.StageVariables, {});
    assert.deepEqual(stage.RouteSettings, {});

    const snap = await runtime.getStageSnapshot(api.ApiId!, '$default');
    assert.ok(snap);
    assert.equal(snap.deploymentId, stage.DeploymentId);
    assert.deepEqual(snap.routes.map((r) => r.routeKey), ['$default']);
    assert.equal(snap.integrations[0]!.functionArn, FN);
    assert.equal((await runtime.getApi(api.ApiId!))?.name, 'contact-api');
    assert.deepEqual((await runtime.listStages(api.ApiId!)).map((s) => s.stageName), ['$default']);
  });

  it('quick create with an HTTP URL and a RouteKey: HTTP_PROXY, ANY, payload 1.0', async () => {
    const api = await c.send(new CreateApiCommand({ Name: 'proxy', ProtocolType: 'HTTP', Target: 'https://example.com', RouteKey: 'ANY /contact' }));
    const [integration] = (await c.send(new GetIntegrationsCommand({ ApiId: api.ApiId }))).Items!;
    assert.equal(integration!.IntegrationType, 'HTTP_PROXY');
    assert.equal(integration!.IntegrationMethod, 'ANY');
    assert.equal(integration!.PayloadFormatVersion, '1.0');
    const [route] = (await c.send(new GetRoutesCommand({ ApiId: api.ApiId }))).Items!;
    assert.equal(route!.RouteKey, 'ANY /contact');
    // UpdateApi changes what quick create made.
    await c.send(new UpdateApiCommand({ ApiId: api.ApiId, Target: FN, RouteKey: 'POST /contact' }));
    const [after] = (await c.send(new GetIntegrationsCommand({ ApiId: api.ApiId }))).Items!;
    assert.equal(after!.IntegrationType, 'AWS_PROXY');
    assert.equal(after!.PayloadFormatVersion, '2.0');
    assert.equal((await c.send(new GetRoutesCommand({ ApiId: api.ApiId }))).Items![0]!.RouteKey, 'POST /contact');
    await fails(c.send(new UpdateRouteCommand({ ApiId: api.ApiId, RouteId: route!.RouteId, RouteKey: 'GET /x' })), 'BadRequestException', 400);
  });

  it('CreateApi refuses WebSocket APIs (501), unknown protocols and quick-create members without a Target', async () => {
    await fails(c.send(new CreateApiCommand({ Name: 'ws', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' })), 'NotImplemented', 501, 'WebSocket APIs are not supported by Stratus');
    await fails(c.send(new CreateApiCommand({ Name: 'x', ProtocolType: 'GRPC' as 'HTTP' })), 'BadRequestException', 400, 'Invalid protocol specified. Must be one of [HTTP, WEBSOCKET]');
    await fails(c.send(new CreateApiCommand({ Name: 'x', ProtocolType: 'HTTP', RouteKey: 'GET /x' })), 'BadRequestException', 400);
    await fails(c.send(new CreateApiCommand({ Name: 'x', ProtocolType: 'HTTP', Target: 'not a target' })), 'BadRequestException', 400);
  });

  it('routes: keys, validation, conflicts, authorization and targets', async () => {
    const apiId = await plainApi();
    const integrationId = await lambdaIntegration(apiId);
    const created = await c.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /items/{id}', Target: `integrations/${integrationId}` }));
    assert.match(created.RouteId!, /^[a-z0-9]{7}$/);
    assert.equal(created.AuthorizationType, 'NONE');
    assert.equal(created.ApiGatewayManaged, undefined);
    for (const key of ['ANY /{proxy+}', 'POST /items', '$default', 'GET /', 'DELETE /items/{id}', 'GET /files/{path+}']) {
      await c.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: key }));
    }
    for (const bad of ['GET', 'get /x', 'FETCH /x', 'GET x', 'GET /a/', 'GET /a//b', 'GET /{p+}/x', 'GET /{a}/{a}']) {
      await fails(c.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: bad })), 'BadRequestException', 400);
    }
    await fails(c.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'POST /items' })), 'ConflictException', 409, 'Route with key POST /items already exists for this API');
    await fails(
      c.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'PUT /items/{itemId}' })),
      'ConflictException',
      409,
      /^The provided route key "PUT \/items\/\{itemId\}" has a conflicting variable on the same hierarchical level as "(GET|DELETE) \/items\/\{id\}"$/,
    );
    await fails(c.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /x', Target: 'integrations/nope000' })), 'NotFoundException', 404, 'Invalid Integration identifier specified nope000');
    await fails(c.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /x', Target: 'lambda' })), 'BadRequestException', 400);
    await fails(c.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /x', AuthorizationType: 'JWT' })), 'BadRequestException', 400);
    await fails(c.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /x', AuthorizationScopes: ['a'] })), 'BadRequestException', 400);
    await fails(c.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /x', ApiKeyRequired: true })), 'BadRequestException', 400);
    const iamRoute = await c.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /private', AuthorizationType: 'AWS_IAM' }));
    assert.equal(iamRoute.AuthorizationType, 'AWS_IAM');

    const updated = await c.send(new UpdateRouteCommand({ ApiId: apiId, RouteId: created.RouteId, RouteKey: 'GET /things/{id}' }));
    assert.equal(updated.RouteKey, 'GET /things/{id}');
    assert.equal(updated.Target, `integrations/${integrationId}`);
    assert.equal((await c.send(new GetRouteCommand({ ApiId: apiId, RouteId: created.RouteId }))).RouteKey, 'GET /things/{id}');
    const detached = await c.send(new UpdateRouteCommand({ ApiId: apiId, RouteId: created.RouteId, Target: '' }));
    assert.equal(detached.Target, undefined);
    await c.send(new DeleteRouteCommand({ ApiId: apiId, RouteId: created.RouteId }));
    await fails(c.send(new GetRouteCommand({ ApiId: apiId, RouteId: created.RouteId })), 'NotFoundException', 404, `Invalid Route identifier specified ${created.RouteId}`);
  });

  it('integrations: AWS_PROXY (function or invocation ARN, payload 1.0/2.0), HTTP_PROXY, limits, and deletion while in use', async () => {
    const apiId = await plainApi();
    const v1 = await c.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: INVOCATION, PayloadFormatVersion: '1.0', TimeoutInMillis: 5000 }));
    assert.equal(v1.IntegrationUri, INVOCATION);
    assert.equal(v1.PayloadFormatVersion, '1.0');
    assert.equal(v1.TimeoutInMillis, 5000);
    assert.equal(v1.IntegrationMethod, 'POST');
    assert.equal(v1.ConnectionType, 'INTERNET');
    const http = await c.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'HTTP_PROXY', IntegrationUri: 'https://example.com/{proxy}', IntegrationMethod: 'GET', RequestParameters: { 'overwrite:header.x-from': '$request.header.host' } }));
    assert.equal(http.PayloadFormatVersion, '1.0');
    assert.deepEqual(http.RequestParameters, { 'overwrite:header.x-from': '$request.header.host' });

    await fails(c.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: FN })), 'BadRequestException', 400, 'PayloadFormatVersion is a required parameter for HTTP APIs');
    await fails(c.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: FN, PayloadFormatVersion: '3.0' })), 'BadRequestException', 400);
    await fails(c.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: 'https://example.com', PayloadFormatVersion: '2.0' })), 'BadRequestException', 400);
    await fails(c.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'HTTP_PROXY', IntegrationUri: 'https://example.com', PayloadFormatVersion: '2.0' })), 'BadRequestException', 400);
    await fails(c.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: FN, PayloadFormatVersion: '2.0', TimeoutInMillis: 30001 })), 'BadRequestException', 400);
    await fails(c.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: FN, PayloadFormatVersion: '2.0', TimeoutInMillis: 49 })), 'BadRequestException', 400);
    await fails(c.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'MOCK' })), 'BadRequestException', 400);
    await fails(c.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationSubtype: 'SQS-SendMessage', PayloadFormatVersion: '1.0' })), 'NotImplemented', 501);

    const updated = await c.send(new UpdateIntegrationCommand({ ApiId: apiId, IntegrationId: v1.IntegrationId, PayloadFormatVersion: '2.0' }));
    assert.equal(updated.PayloadFormatVersion, '2.0');
    assert.equal(updated.TimeoutInMillis, 5000);
    assert.equal((await c.send(new GetIntegrationCommand({ ApiId: apiId, IntegrationId: v1.IntegrationId }))).PayloadFormatVersion, '2.0');

    await c.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /a', Target: `integrations/${http.IntegrationId}` }));
    await fails(c.send(new DeleteIntegrationCommand({ ApiId: apiId, IntegrationId: http.IntegrationId })), 'ConflictException', 409);
    await c.send(new DeleteIntegrationCommand({ ApiId: apiId, IntegrationId: v1.IntegrationId }));
    await fails(c.send(new GetIntegrationCommand({ ApiId: apiId, IntegrationId: v1.IntegrationId })), 'NotFoundException', 404, `Invalid Integration identifier specified ${v1.IntegrationId}`);
  });

  it('stages and deployments: manual deployments, AutoDeploy after each change, stage variables and throttling', async () => {
    const apiId = await plainApi();
    await fails(c.send(new CreateDeploymentCommand({ ApiId: apiId })), 'BadRequestException', 400, 'Unable to deploy API because no routes exist in this API');
    const integrationId = await lambdaIntegration(apiId);
    await c.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'POST /contact', Target: `integrations/${integrationId}` }));

    const prod = await c.send(new CreateStageCommand({ ApiId: apiId, StageName: 'prod', StageVariables: { env: 'prod', fn: 'contact' }, DefaultRouteSettings: { ThrottlingBurstLimit: 5, ThrottlingRateLimit: 2.5 } }));
    assert.equal(prod.AutoDeploy, false);
    assert.equal(prod.DeploymentId, undefined);
    assert.equal(await runtime.getStageSnapshot(apiId, 'prod'), undefined, 'a stage never deployed serves nothing');
    await fails(c.send(new CreateStageCommand({ ApiId: apiId, StageName: 'prod' })), 'ConflictException', 409);
    await fails(c.send(new CreateStageCommand({ ApiId: apiId, StageName: 'bad name' })), 'BadRequestException', 400);

    const dep = await c.send(new CreateDeploymentCommand({ ApiId: apiId, StageName: 'prod', Description: 'first' }));
    assert.equal(dep.DeploymentStatus, 'DEPLOYED');
    assert.equal(dep.AutoDeployed, false);
    assert.equal((await c.send(new GetStageCommand({ ApiId: apiId, StageName: 'prod' }))).DeploymentId, dep.DeploymentId);
    const snap = await runtime.getStageSnapshot(apiId, 'prod');
    assert.deepEqual(snap?.stage.stageVariables, { env: 'prod', fn: 'contact' });
    assert.deepEqual(snap?.stage.defaultRouteSettings, { detailedMetricsEnabled: false, throttlingBurstLimit: 5, throttlingRateLimit: 2.5 });

    const auto = await c.send(new CreateStageCommand({ ApiId: apiId, StageName: '$default', AutoDeploy: true }));
    assert.ok(auto.DeploymentId);
    assert.equal(auto.LastDeploymentStatusMessage, `Successfully deployed stage with deployment ID '${auto.DeploymentId}'`);

    // A new route redeploys the auto-deploying stage only.
    await c.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /health', Target: `integrations/${integrationId}` }));
    const autoAfter = await c.send(new GetStageCommand({ ApiId: apiId, StageName: '$default' }));
    assert.notEqual(autoAfter.DeploymentId, auto.DeploymentId);
    assert.deepEqual((await runtime.getStageSnapshot(apiId, '$default'))?.routes.map((r) => r.routeKey).sort(), ['GET /health', 'POST /contact']);
    assert.deepEqual((await runtime.getStageSnapshot(apiId, 'prod'))?.routes.map((r) => r.routeKey), ['POST /contact'], 'prod keeps its frozen deployment');

    // Stage settings apply without a deployment; an empty value removes a variable.
    await c.send(new UpdateStageCommand({ ApiId: apiId, StageName: 'prod', StageVariables: { fn: '', region: 'eu' }, RouteSettings: { 'POST /contact': { ThrottlingRateLimit: 1 } } }));
    const prodNow = await c.send(new GetStageCommand({ ApiId: apiId, StageName: 'prod' }));
    assert.deepEqual(prodNow.StageVariables, { env: 'prod', region: 'eu' });
    assert.deepEqual(prodNow.RouteSettings, { 'POST /contact': { DetailedMetricsEnabled: false, ThrottlingRateLimit: 1 } });
    assert.equal(prodNow.DeploymentId, dep.DeploymentId);
    assert.deepEqual((await runtime.getStageSnapshot(apiId, 'prod'))?.stage.stageVariables, { env: 'prod', region: 'eu' });
    await fails(c.send(new UpdateStageCommand({ ApiId: apiId, StageName: 'prod', RouteSettings: { 'GET /nope': { ThrottlingRateLimit: 1 } } })), 'BadRequestException', 400, 'Unable to find Route by key GET /nope within the provided RouteSettings');
    await fails(c.send(new UpdateStageCommand({ ApiId: apiId, StageName: '$default', DeploymentId: dep.DeploymentId })), 'BadRequestException', 400);

    const deployments = (await c.send(new GetDeploymentsCommand({ ApiId: apiId }))).Items!;
    assert.equal(deployments.filter((d) => d.AutoDeployed).length, 2);
    await fails(c.send(new DeleteDeploymentCommand({ ApiId: apiId, DeploymentId: dep.DeploymentId })), 'BadRequestException', 400);
    await c.send(new DeleteDeploymentCommand({ ApiId: apiId, DeploymentId: auto.DeploymentId }));

    assert.equal((await c.send(new GetStagesCommand({ ApiId: apiId }))).Items!.length, 2);
    await c.send(new DeleteStageCommand({ ApiId: apiId, StageName: 'prod' }));
    await fails(c.send(new GetStageCommand({ ApiId: apiId, StageName: 'prod' })), 'NotFoundException', 404);
    assert.equal(await runtime.getStageSnapshot(apiId, 'prod'), undefined);
  });

  it('concurrent changes serialize: parallel CreateRoute calls all land, and the last auto-deployment holds them all', async () => {
    const api = await c.send(new CreateApiCommand({ Name: 'busy', ProtocolType: 'HTTP', Target: FN }));
    const keys = Array.from({ length: 12 }, (_, i) => `GET /r${i}`);
    await Promise.all(keys.map((RouteKey) => c.send(new CreateRouteCommand({ ApiId: api.ApiId, RouteKey }))));
    assert.equal((await c.send(new GetRoutesCommand({ ApiId: api.ApiId }))).Items!.length, 13);
    const stage = await c.send(new GetStageCommand({ ApiId: api.ApiId, StageName: '$default' }));
    const snap = await runtime.getStageSnapshot(api.ApiId!, '$default');
    assert.equal(snap?.deploymentId, stage.DeploymentId);
    assert.deepEqual(snap?.routes.map((r) => r.routeKey).sort(), ['$default', ...keys].sort());
  });

  it('CORS: validated, returned, deployed with AutoDeploy, and deleted', async () => {
    await fails(
      c.send(new CreateApiCommand({ Name: 'cors', ProtocolType: 'HTTP', CorsConfiguration: { AllowOrigins: ['*'], AllowCredentials: true } })),
      'BadRequestException',
      400,
      "allow-credentials is not supported if 'allow-origin' is *",
    );
    await fails(c.send(new CreateApiCommand({ Name: 'cors', ProtocolType: 'HTTP', CorsConfiguration: { MaxAge: 86401 } })), 'BadRequestException', 400);
    const cors = { AllowOrigins: ['https://example.com'], AllowMethods: ['GET', 'POST'], AllowHeaders: ['content-type'], ExposeHeaders: ['x-id'], MaxAge: 300, AllowCredentials: true };
    const api = await c.send(new CreateApiCommand({ Name: 'cors', ProtocolType: 'HTTP', Target: FN, CorsConfiguration: cors }));
    assert.deepEqual(api.CorsConfiguration, cors);
    assert.deepEqual((await runtime.getStageSnapshot(api.ApiId!, '$default'))?.corsConfiguration, { allowOrigins: ['https://example.com'], allowMethods: ['GET', 'POST'], allowHeaders: ['content-type'], exposeHeaders: ['x-id'], maxAge: 300, allowCredentials: true });
    await c.send(new UpdateApiCommand({ ApiId: api.ApiId, CorsConfiguration: { AllowOrigins: ['*'] } }));
    assert.deepEqual((await c.send(new GetApiCommand({ ApiId: api.ApiId }))).CorsConfiguration, { AllowOrigins: ['*'] });
    assert.deepEqual((await runtime.getStageSnapshot(api.ApiId!, '$default'))?.corsConfiguration, { allowOrigins: ['*'] });
    await c.send(new DeleteCorsConfigurationCommand({ ApiId: api.ApiId }));
    assert.equal((await c.send(new GetApiCommand({ ApiId: api.ApiId }))).CorsConfiguration, undefined);
    assert.equal((await runtime.getStageSnapshot(api.ApiId!, '$default'))?.corsConfiguration, undefined);
  });

  it('authorizers: JWT and Lambda REQUEST, their rules, and routes that use them', async () => {
    const apiId = await plainApi();
    const jwt = await c.send(new CreateAuthorizerCommand({ ApiId: apiId, Name: 'jwt', AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'], JwtConfiguration: { Issuer: 'https://issuer.example.com', Audience: ['app'] } }));
    assert.match(jwt.AuthorizerId!, /^[a-z0-9]{6}$/);
    assert.deepEqual(jwt.JwtConfiguration, { Audience: ['app'], Issuer: 'https://issuer.example.com' });
    const lambda = await c.send(
      new CreateAuthorizerCommand({ ApiId: apiId, Name: 'lambda', AuthorizerType: 'REQUEST', IdentitySource: ['$request.header.X-Token'], AuthorizerUri: INVOCATION, AuthorizerPayloadFormatVersion: '2.0', EnableSimpleResponses: true, AuthorizerResultTtlInSeconds: 60 }),
    );
    assert.deepEqual({ ...lambda, $metadata: undefined }, {
      $metadata: undefined,
      AuthorizerId: lambda.AuthorizerId,
      AuthorizerPayloadFormatVersion: '2.0',
      AuthorizerResultTtlInSeconds: 60,
      AuthorizerType: 'REQUEST',
      AuthorizerUri: INVOCATION,
      EnableSimpleResponses: true,
      IdentitySource: ['$request.header.X-Token'],
      Name: 'lambda',
    });
    assert.equal((await c.send(new GetAuthorizerCommand({ ApiId: apiId, AuthorizerId: lambda.AuthorizerId }))).Name, 'lambda');

    const req = { ApiId: apiId, Name: 'x', AuthorizerType: 'REQUEST' as const, IdentitySource: ['$request.header.X'], AuthorizerUri: INVOCATION };
    await fails(c.send(new CreateAuthorizerCommand(req)), 'BadRequestException', 400, 'AuthorizerPayloadFormatVersion is a required parameter for REQUEST authorizer');
    await fails(c.send(new CreateAuthorizerCommand({ ...req, AuthorizerPayloadFormatVersion: '1.0', EnableSimpleResponses: true })), 'BadRequestException', 400);
    await fails(c.send(new CreateAuthorizerCommand({ ...req, AuthorizerPayloadFormatVersion: '2.0', AuthorizerResultTtlInSeconds: 3601 })), 'BadRequestException', 400);
    await fails(c.send(new CreateAuthorizerCommand({ ...req, AuthorizerUri: 'https://x', AuthorizerPayloadFormatVersion: '2.0' })), 'BadRequestException', 400);
    await fails(c.send(new CreateAuthorizerCommand({ ApiId: apiId, Name: 'j', AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'], JwtConfiguration: { Issuer: 'https://i' } })), 'BadRequestException', 400);

    const jwtRoute = await c.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /me', AuthorizationType: 'JWT', AuthorizerId: jwt.AuthorizerId, AuthorizationScopes: ['read'] }));
    assert.deepEqual(jwtRoute.AuthorizationScopes, ['read']);
    await c.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /custom', AuthorizationType: 'CUSTOM', AuthorizerId: lambda.AuthorizerId }));
    await fails(c.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /wrong', AuthorizationType: 'CUSTOM', AuthorizerId: jwt.AuthorizerId })), 'BadRequestException', 400);
    await fails(c.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /gone', AuthorizationType: 'JWT', AuthorizerId: 'nope00' })), 'NotFoundException', 404, 'Invalid Authorizer identifier specified nope00');
    await fails(c.send(new DeleteAuthorizerCommand({ ApiId: apiId, AuthorizerId: jwt.AuthorizerId })), 'ConflictException', 409);
    // Back to NONE: the authorizer and its scopes leave the route.
    const open = await c.send(new UpdateRouteCommand({ ApiId: apiId, RouteId: jwtRoute.RouteId, AuthorizationType: 'NONE' }));
    assert.equal(open.AuthorizerId, undefined);
    assert.equal(open.AuthorizationScopes, undefined);
    await c.send(new DeleteAuthorizerCommand({ ApiId: apiId, AuthorizerId: jwt.AuthorizerId }));
  });

  it('tags on APIs and stages; GetApis pages with NextToken and MaxResults', async () => {
    const api = await c.send(new CreateApiCommand({ Name: 'tagged', ProtocolType: 'HTTP', Tags: { team: 'web' } }));
    assert.deepEqual(api.Tags, { team: 'web' });
    const arn = `arn:aws:apigateway:us-east-1::/apis/${api.ApiId}`;
    await c.send(new TagResourceCommand({ ResourceArn: arn, Tags: { env: 'dev' } }));
    assert.deepEqual((await c.send(new GetTagsCommand({ ResourceArn: arn }))).Tags, { team: 'web', env: 'dev' });
    await c.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ['team'] }));
    assert.deepEqual((await c.send(new GetTagsCommand({ ResourceArn: arn }))).Tags, { env: 'dev' });
    await c.send(new CreateStageCommand({ ApiId: api.ApiId, StageName: 'dev', Tags: { a: '1' } }));
    await c.send(new TagResourceCommand({ ResourceArn: `${arn}/stages/dev`, Tags: { b: '2' } }));
    assert.deepEqual((await c.send(new GetTagsCommand({ ResourceArn: `${arn}/stages/dev` }))).Tags, { a: '1', b: '2' });
    await fails(c.send(new GetTagsCommand({ ResourceArn: 'arn:aws:apigateway:us-east-1::/apis/zzzzzzzzzz' })), 'NotFoundException', 404);

    const all = (await c.send(new GetApisCommand({}))).Items!.map((a) => a.ApiId!);
    assert.ok(all.length >= 3);
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await c.send(new GetApisCommand({ MaxResults: '2', NextToken: token }));
      assert.ok(page.Items!.length <= 2);
      seen.push(...page.Items!.map((a) => a.ApiId!));
      token = page.NextToken;
    } while (token);
    assert.deepEqual(seen, all);
  });

  it('NotFoundException names the account and API; DeleteApi removes the API and what it served', async () => {
    await fails(c.send(new GetApiCommand({ ApiId: 'abcde12345' })), 'NotFoundException', 404, `Invalid API identifier specified ${ACCOUNT}:abcde12345`);
    await assert.rejects(c.send(new GetApiCommand({ ApiId: 'abcde12345' })), (e: AwsError) => e.ResourceType === 'Api');
    const api = await c.send(new CreateApiCommand({ Name: 'doomed', ProtocolType: 'HTTP', Target: FN }));
    assert.ok(await runtime.getStageSnapshot(api.ApiId!, '$default'));
    await c.send(new DeleteApiCommand({ ApiId: api.ApiId }));
    await fails(c.send(new GetApiCommand({ ApiId: api.ApiId })), 'NotFoundException', 404);
    await fails(c.send(new GetRoutesCommand({ ApiId: api.ApiId })), 'NotFoundException', 404);
    assert.equal(await runtime.getApi(api.ApiId!), undefined);
    assert.equal(await runtime.getStageSnapshot(api.ApiId!, '$default'), undefined);
    assert.deepEqual(await runtime.listStages(api.ApiId!), []);
  });

  it('IAM: apigateway:GET on /apis/* allows reads, not deletes', async () => {
    const apiId = await plainApi();
    const iam = new IAMClient(clientConfig(server));
    await iam.send(new CreateUserCommand({ UserName: 'reader' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'reader', PolicyName: 'read', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'apigateway:GET', Resource: 'arn:aws:apigateway:us-east-1::/apis/*' }] }) }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'reader' }))).AccessKey!;
    const reader = new ApiGatewayV2Client(clientConfig(server, { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! }));
    assert.equal((await reader.send(new GetApiCommand({ ApiId: apiId }))).Name, 'plain');
    await fails(reader.send(new DeleteApiCommand({ ApiId: apiId })), 'AccessDeniedException', 403, /apigateway:DELETE on resource: arn:aws:apigateway:us-east-1::\/apis\//);
    await fails(reader.send(new GetApisCommand({})), 'AccessDeniedException', 403);
  });
});

function importsAwscli(): boolean {
  return spawnSync('python3', ['-c', 'import awscli.clidriver, boto3'], { stdio: 'ignore' }).status === 0;
}

describe('API Gateway v2 through the AWS CLI v1 and boto3', { skip: importsAwscli() ? false : 'python3 with awscli and boto3 is not installed' }, () => {
  let server: TestServer;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    server = await startTestServer();
    env = { PATH: process.env.PATH, HOME: process.env.HOME, AWS_ACCESS_KEY_ID: server.root.accessKeyId, AWS_SECRET_ACCESS_KEY: server.root.secretAccessKey, AWS_DEFAULT_REGION: 'us-east-1', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
  });
  after(async () => server.close());

  const aws = async (...args: string[]) => JSON.parse((await run('python3', ['-m', 'awscli', '--endpoint-url', server.url, '--output', 'json', ...args], { env })).stdout);

  it('create-api --target (the quick create of "Add trigger"), then get-api, get-routes and get-stages', async () => {
    const api = await aws('apigatewayv2', 'create-api', '--name', 'ContactFormFunction-API', '--protocol-type', 'HTTP', '--target', FN);
    assert.equal(api.ApiEndpoint, `http://${api.ApiId}.execute-api.localhost:${server.port}`);
    assert.equal((await aws('apigatewayv2', 'get-api', '--api-id', api.ApiId)).Name, 'ContactFormFunction-API');
    const routes = await aws('apigatewayv2', 'get-routes', '--api-id', api.ApiId);
    assert.equal(routes.Items[0].RouteKey, '$default');
    const stages = await aws('apigatewayv2', 'get-stages', '--api-id', api.ApiId);
    assert.equal(stages.Items[0].StageName, '$default');
    assert.equal(stages.Items[0].AutoDeploy, true);
    assert.match(stages.Items[0].CreatedDate, /^\d{4}-\d\d-\d\dT/);
    await assert.rejects(run('python3', ['-m', 'awscli', '--endpoint-url', server.url, 'apigatewayv2', 'get-api', '--api-id', 'zzzzzzzzzz'], { env }), (e: Error & { stderr: string }) => {
      assert.match(e.stderr, /\(NotFoundException\) when calling the GetApi operation: Invalid API identifier specified 123456789012:zzzzzzzzzz/);
      return true;
    });
  });

  it('boto3: create_api, create_integration, create_route, create_stage with auto deploy, get_apis', async () => {
    const script = `
import boto3, json, sys
c = boto3.client('apigatewayv2', endpoint_url=sys.argv[1], region_name='us-east-1')
api = c.create_api(Name='b3', ProtocolType='HTTP', CorsConfiguration={'AllowOrigins': ['*'], 'AllowMethods': ['POST']})
i = c.create_integration(ApiId=api['ApiId'], IntegrationType='AWS_PROXY', IntegrationUri=sys.argv[2], PayloadFormatVersion='2.0')
r = c.create_route(ApiId=api['ApiId'], RouteKey='POST /contact', Target='integrations/' + i['IntegrationId'])
s = c.create_stage(ApiId=api['ApiId'], StageName='$default', AutoDeploy=True)
names = [a['Name'] for a in c.get_apis()['Items']]
try:
    c.create_route(ApiId=api['ApiId'], RouteKey='POST /contact')
    err = None
except c.exceptions.ConflictException as e:
    err = e.response['Error']['Code']
print(json.dumps({'api': api['ApiId'], 'cors': api['CorsConfiguration'], 'route': r['RouteKey'], 'deployed': bool(s.get('DeploymentId')), 'names': names, 'err': err}))
`;
    const out = JSON.parse((await run('python3', ['-c', script, server.url, FN], { env })).stdout);
    assert.deepEqual(out.cors, { AllowOrigins: ['*'], AllowMethods: ['POST'] });
    assert.equal(out.route, 'POST /contact');
    assert.equal(out.deployed, true);
    assert.ok(out.names.includes('b3'));
    assert.equal(out.err, 'ConflictException');
  });
});
