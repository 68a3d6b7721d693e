/**
 * API Gateway v2's operations for HTTP APIs, gathered from one file per
 * resource. Operations of the model missing here (WebSocket route and
 * integration responses, models, custom domain names and API mappings, VPC
 * links, import/export, authorizer cache resets) answer 501 NotImplemented.
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/resources.html
 */
import { apiOperations } from './apis.js';
import { authorizerOperations } from './authorizers.js';
import type { ApiGatewayV2Context, Operations } from './common.js';
import { deploymentOperations } from './deployments.js';
import { integrationOperations } from './integrations.js';
import { routeOperations } from './routes.js';
import { stageOperations } from './stages.js';
import { tagOperations } from './tags.js';

export function apiGatewayV2Operations(c: ApiGatewayV2Context): Operations {
  return {
    ...apiOperations(c),
    ...routeOperations(c),
    ...integrationOperations(c),
    ...authorizerOperations(c),
    ...stageOperations(c),
    ...deploymentOperations(c),
    ...tagOperations(c),
  };
}
