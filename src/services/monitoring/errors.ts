/**
 * CloudWatch's query-protocol errors, with the codes and messages AWS sends
 * (the model ships no error shapes, so the status is set here).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CommonErrors.html
 */
import { ServiceError } from '../../core/errors.js';

export const invalidValue = (message: string) => new ServiceError('InvalidParameterValue', message, { status: 400 });
export const invalidCombination = (message: string) => new ServiceError('InvalidParameterCombination', message, { status: 400 });
export const missing = (name: string) => new ServiceError('MissingParameter', `The parameter ${name} is required.`, { status: 400 });
export const invalidToken = (token: string) => new ServiceError('InvalidNextToken', `The service couldn't process your request because the NextToken value ${token} is invalid.`, { status: 400 });
