/**
 * CloudWatch Logs' errors, worded as AWS words them. Every error of this API
 * is an HTTP 400 (the model says so); constraint violations are
 * InvalidParameterException with the "N validation error(s) detected: Value
 * 'x' at 'member' failed to satisfy constraint: ..." message.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/CommonErrors.html
 */
import { ServiceError } from '../../core/errors.js';

export function logsError(code: string, message: string): ServiceError {
  return new ServiceError(code, message, { status: 400 });
}

export const invalidParameter = (message: string) => logsError('InvalidParameterException', message);

export const groupNotFound = () => logsError('ResourceNotFoundException', 'The specified log group does not exist.');
export const streamNotFound = () => logsError('ResourceNotFoundException', 'The specified log stream does not exist.');
export const resourceNotFound = () => logsError('ResourceNotFoundException', 'The specified resource does not exist.');
export const groupExists = () => logsError('ResourceAlreadyExistsException', 'The specified log group already exists');
export const streamExists = () => logsError('ResourceAlreadyExistsException', 'The specified log stream already exists');
export const invalidToken = () => invalidParameter('The specified nextToken is invalid.');
export const tooManyTags = () => logsError('TooManyTagsException', 'A resource can have no more than 50 tags.');

export interface Problem {
  member: string;
  value: unknown;
  constraint: string;
}

function show(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (Array.isArray(value)) return `'[${value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', ')}]'`;
  if (typeof value === 'object') return `'${JSON.stringify(value)}'`;
  return `'${String(value)}'`;
}

export function validationFailed(problems: Problem[]): ServiceError {
  const n = problems.length;
  const parts = problems.map((p) => `Value ${show(p.value)} at '${p.member}' failed to satisfy constraint: ${p.constraint}`);
  return invalidParameter(`${n} validation error${n === 1 ? '' : 's'} detected: ${parts.join('; ')}`);
}
