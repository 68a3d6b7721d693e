/**
 * SNS's errors, with the wire codes its model declares (the SDKs map them to
 * *Exception classes by code): InvalidParameter (400), ParameterValueInvalid
 * (400, the InvalidParameterValueException of the SDKs), NotFound (404),
 * AuthorizationError (403), the batch errors, and the query protocol's
 * ValidationError for constraint violations.
 * https://docs.aws.amazon.com/sns/latest/api/CommonErrors.html
 * https://docs.aws.amazon.com/sns/latest/api/API_Publish.html#API_Publish_Errors
 */
import { ServiceError } from '../../core/errors.js';

export function invalidParameter(message: string): ServiceError {
  return new ServiceError('InvalidParameter', message, { status: 400 });
}

/** The InvalidParameterValueException of the SDKs; its wire code is ParameterValueInvalid. */
export function invalidParameterValue(message: string): ServiceError {
  return new ServiceError('ParameterValueInvalid', message, { status: 400 });
}

export function notFound(message: string): ServiceError {
  return new ServiceError('NotFound', message, { status: 404 });
}

export const topicNotFound = () => notFound('Topic does not exist');
export const subscriptionNotFound = () => notFound('Subscription does not exist');

export function resourceNotFound(): ServiceError {
  return new ServiceError('ResourceNotFound', 'Resource does not exist', { status: 404 });
}

export function authorizationError(message: string): ServiceError {
  return new ServiceError('AuthorizationError', message, { status: 403 });
}

/** "1 validation error detected: Value null at 'x' failed to satisfy constraint: Member must not be null" */
export function validationError(message: string): ServiceError {
  return new ServiceError('ValidationError', message, { status: 400 });
}

export function batchError(code: 'EmptyBatchRequest' | 'TooManyEntriesInBatchRequest' | 'BatchEntryIdsNotDistinct' | 'InvalidBatchEntryId' | 'BatchRequestTooLong', message: string): ServiceError {
  return new ServiceError(code, message, { status: 400 });
}

export function tagLimitExceeded(): ServiceError {
  return new ServiceError('TagLimitExceeded', 'Could not complete request: tag quota of per resource exceeded', { status: 400 });
}

/** Reasons a Subscribe/CreateTopic attribute is refused are worded with this prefix; SetXAttributes drops "Attributes Reason: ". */
export function attributePrefix(onCreate: boolean): string {
  return onCreate ? 'Invalid parameter: Attributes Reason: ' : 'Invalid parameter: ';
}
