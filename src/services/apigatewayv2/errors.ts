/**
 * API Gateway v2's errors. The wire format (x-amzn-ErrorType plus
 * `{"message": ...}`) and the statuses (BadRequest 400, NotFound 404,
 * Conflict 409, TooManyRequests 429) come from models/apigatewayv2.json;
 * NotFoundException also carries `resourceType`, as AWS's body does.
 * Messages follow responses recorded from AWS where we have them
 * ("Invalid API identifier specified <account>:<apiId>", the CORS
 * credentials rule); the others follow the same wording pattern.
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis.html#apis-response-examples
 */
import { ServiceError } from '../../core/errors.js';

export function badRequest(message: string): ServiceError {
  return new ServiceError('BadRequestException', message);
}

export function conflict(message: string): ServiceError {
  return new ServiceError('ConflictException', message);
}

function notFound(message: string, resourceType: string): ServiceError {
  return new ServiceError('NotFoundException', message, { fields: { resourceType } });
}

export function apiNotFound(accountId: string, apiId: string): ServiceError {
  return notFound(`Invalid API identifier specified ${accountId}:${apiId}`, 'Api');
}

export function routeNotFound(routeId: string): ServiceError {
  return notFound(`Invalid Route identifier specified ${routeId}`, 'Route');
}

export function integrationNotFound(integrationId: string): ServiceError {
  return notFound(`Invalid Integration identifier specified ${integrationId}`, 'Integration');
}

export function authorizerNotFound(authorizerId: string): ServiceError {
  return notFound(`Invalid Authorizer identifier specified ${authorizerId}`, 'Authorizer');
}

export function stageNotFound(stageName: string): ServiceError {
  return notFound(`Invalid stage identifier specified ${stageName}`, 'Stage');
}

export function deploymentNotFound(deploymentId: string): ServiceError {
  return notFound(`Invalid Deployment identifier specified ${deploymentId}`, 'Deployment');
}

/** A required member the SDKs would normally have caught client-side. */
export function missing(member: string): ServiceError {
  return badRequest(`${member} is a required parameter`);
}
