/**
 * deploy.mjs's steps for the services with more than one resource to
 * reconcile: the Elastic Transcoder pipeline, the SNS topic with its
 * subscriptions, and the HTTP API with its routes. Each finds what exists by
 * name and creates only what is missing.
 */
import { CreateApiCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand, GetApisCommand, GetIntegrationsCommand, GetRoutesCommand, GetStagesCommand, UpdateApiCommand, UpdateRouteCommand } from '@aws-sdk/client-apigatewayv2';
import { CreatePipelineCommand, ListPipelinesCommand, UpdatePipelineCommand } from '@aws-sdk/client-elastic-transcoder';
import { CreateTopicCommand, ListSubscriptionsByTopicCommand, SetTopicAttributesCommand, SubscribeCommand } from '@aws-sdk/client-sns';

/**
 * The pipeline reading from `input` and writing renditions and thumbnails to
 * `output` as `role`; returns its id and ARN.
 * https://docs.aws.amazon.com/elastictranscoder/latest/developerguide/create-pipeline.html
 */
export async function ensurePipeline({ transcoder }, { name, input, output, role }) {
  let token;
  do {
    const page = await transcoder.send(new ListPipelinesCommand({ PageToken: token }));
    const found = page.Pipelines?.find((p) => p.Name === name);
    if (found) {
      if (found.InputBucket !== input || found.OutputBucket !== output || found.Role !== role) {
        // OutputBucket is not updatable by itself: the content and thumbnail configurations name it.
        await transcoder.send(new UpdatePipelineCommand({ Id: found.Id, InputBucket: input, Role: role, ContentConfig: { Bucket: output }, ThumbnailConfig: { Bucket: output } }));
      }
      return { id: found.Id, arn: found.Arn };
    }
    token = page.NextPageToken;
  } while (token);
  const { Pipeline } = await transcoder.send(new CreatePipelineCommand({ Name: name, InputBucket: input, OutputBucket: output, Role: role }));
  return { id: Pipeline.Id, arn: Pipeline.Arn };
}

/**
 * The topic the transcoded bucket publishes to: its policy lets S3 publish
 * for that bucket of this account only, and each subscriber function is
 * subscribed once. Returns the topic's ARN.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html
 */
export async function ensureTopic({ sns }, { name, bucket, account, subscribers }) {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
  const policy = {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'owner', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: ['SNS:Publish', 'SNS:Subscribe', 'SNS:GetTopicAttributes', 'SNS:SetTopicAttributes', 'SNS:ListSubscriptionsByTopic'], Resource: TopicArn },
      { Sid: 's3-publish', Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'SNS:Publish', Resource: TopicArn, Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:s3:*:*:${bucket}` }, StringEquals: { 'aws:SourceAccount': account } } },
    ],
  };
  await sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: 'Policy', AttributeValue: JSON.stringify(policy) }));
  const existing = new Set();
  let token;
  do {
    const page = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn, NextToken: token }));
    for (const s of page.Subscriptions ?? []) if (s.Protocol === 'lambda') existing.add(s.Endpoint);
    token = page.NextToken;
  } while (token);
  for (const fn of subscribers) if (!existing.has(fn)) await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'lambda', Endpoint: fn }));
  return TopicArn;
}

/**
 * The HTTP API: one Lambda proxy integration (payload 2.0) per route, the
 * auto-deployed $default stage, and CORS for the page's origins. Returns the
 * API's id and base URL.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html
 */
export async function ensureApi({ apis }, { name, origins, routes }) {
  const cors = { AllowOrigins: origins, AllowMethods: ['GET', 'OPTIONS'], AllowHeaders: ['content-type'], MaxAge: 300 };
  let api = (await apis.send(new GetApisCommand({}))).Items?.find((a) => a.Name === name);
  if (api) await apis.send(new UpdateApiCommand({ ApiId: api.ApiId, CorsConfiguration: cors }));
  else api = await apis.send(new CreateApiCommand({ Name: name, ProtocolType: 'HTTP', CorsConfiguration: cors }));
  const ApiId = api.ApiId;
  const integrations = (await apis.send(new GetIntegrationsCommand({ ApiId }))).Items ?? [];
  const existingRoutes = (await apis.send(new GetRoutesCommand({ ApiId }))).Items ?? [];
  for (const [routeKey, fnArn] of Object.entries(routes)) {
    let integration = integrations.find((i) => i.IntegrationUri === fnArn && i.PayloadFormatVersion === '2.0');
    if (!integration) {
      integration = await apis.send(new CreateIntegrationCommand({ ApiId, IntegrationType: 'AWS_PROXY', IntegrationUri: fnArn, PayloadFormatVersion: '2.0' }));
      integrations.push(integration);
    }
    const target = `integrations/${integration.IntegrationId}`;
    const route = existingRoutes.find((r) => r.RouteKey === routeKey);
    if (!route) await apis.send(new CreateRouteCommand({ ApiId, RouteKey: routeKey, Target: target }));
    else if (route.Target !== target) await apis.send(new UpdateRouteCommand({ ApiId, RouteId: route.RouteId, Target: target }));
  }
  const stages = (await apis.send(new GetStagesCommand({ ApiId }))).Items ?? [];
  if (!stages.some((s) => s.StageName === '$default')) await apis.send(new CreateStageCommand({ ApiId, StageName: '$default', AutoDeploy: true }));
  return { apiId: ApiId, url: api.ApiEndpoint };
}
