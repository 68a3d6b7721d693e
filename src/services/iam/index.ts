/**
 * AWS Identity and Access Management: users, groups, roles, access keys,
 * managed and inline policies. IAM is global (no region) and its state lives
 * in the identity layer's directory, which the gateway, STS and the function
 * engine read on every request.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/welcome.html
 */
import type { IamDirectory } from '../../identity/directory.js';
import type { ServiceDefinition } from '../types.js';
import { iamOperations } from './provider.js';

export function createIamService(deps: { directory: IamDirectory }): ServiceDefinition {
  return { name: 'iam', signingName: 'iam', actionPrefix: 'iam', operations: iamOperations(deps) };
}
