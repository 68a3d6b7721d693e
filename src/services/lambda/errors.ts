/**
 * Lambda's errors, worded as the Lambda API words them (messages checked
 * against responses recorded from AWS). The HTTP status of a modelled code
 * comes from models/lambda.json; ValidationException, which Lambda's request
 * validation raises but the model does not declare, carries its 400 here.
 * https://docs.aws.amazon.com/lambda/latest/api/CommonErrors.html
 * https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html#API_CreateFunction_Errors
 */
import { ServiceError } from '../../core/errors.js';

export function invalidParameter(message: string): ServiceError {
  return new ServiceError('InvalidParameterValueException', message);
}

export function resourceNotFound(message: string): ServiceError {
  return new ServiceError('ResourceNotFoundException', message);
}

export function resourceConflict(message: string): ServiceError {
  return new ServiceError('ResourceConflictException', message);
}

/** One failed model constraint, e.g. `Value '64' at 'memorySize' failed to satisfy constraint: ...`. */
export function validation(value: unknown, path: string, constraint: string): ServiceError {
  const shown = value === undefined || value === null ? 'null' : `'${formatValue(value)}'`;
  return new ServiceError('ValidationException', `1 validation error detected: Value ${shown} at '${path}' failed to satisfy constraint: ${constraint}`, { status: 400 });
}

/** How Lambda's (Java) validator prints a value: lists as [a, b], maps as {k=v}. */
function formatValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(formatValue).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.entries(value).map(([k, v]) => `${k}=${formatValue(v)}`).join(', ')}}`;
  }
  return String(value);
}

export function functionNotFound(arn: string): ServiceError {
  return resourceNotFound(`Function not found: ${arn}`);
}

export function updateInProgress(arn: string): ServiceError {
  return resourceConflict(`The operation cannot be performed at this time. An update is in progress for resource: ${arn}`);
}

export function notReady(state: string): ServiceError {
  return resourceConflict(`The operation cannot be performed at this time. The function is currently in the following state: ${state}`);
}

/** RevisionId mismatches; `api` names the call that returns the current id (GetFunction/GetAlias, GetPolicy). */
export function revisionMismatch(api = 'GetFunction/GetAlias'): ServiceError {
  return new ServiceError('PreconditionFailedException', `The Revision Id provided does not match the latest Revision Id. Call the ${api} API to retrieve the latest Revision Id`);
}

/** AWS sends this code (the model names the shape RequestTooLargeException) with 413. */
export function tooLarge(message: string): ServiceError {
  return new ServiceError('RequestEntityTooLargeException', message, { status: 413 });
}

export function qualifierMismatch(): ServiceError {
  return invalidParameter('The derived qualifier from the function name does not match the specified qualifier.');
}

export function qualifiedNotAllowed(): ServiceError {
  return invalidParameter('This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN.');
}
