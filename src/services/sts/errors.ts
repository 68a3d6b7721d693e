/**
 * STS's error answers, worded as AWS words them.
 * https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html
 */
import { ServiceError } from '../../core/errors.js';

export function validation(field: string, value: unknown, constraint: string): ServiceError {
  return new ServiceError('ValidationError', `1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: ${constraint}`, { status: 400 });
}

export function invalidDuration(message: string): ServiceError {
  return new ServiceError('ValidationError', message, { status: 400 });
}

export function accessDenied(message: string): ServiceError {
  return new ServiceError('AccessDenied', message, { status: 403 });
}

export function malformedPolicy(message: string): ServiceError {
  return new ServiceError('MalformedPolicyDocument', message, { status: 400 });
}
