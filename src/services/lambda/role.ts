/**
 * The execution role. CreateFunction and UpdateFunctionConfiguration refuse a
 * role Lambda could not assume: one that does not exist, or whose trust
 * policy does not let the lambda.amazonaws.com service principal call
 * sts:AssumeRole. The engine asks the same question before it hands a
 * function the role's credentials.
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html
 */
import type { RequestContext } from '../../core/context.js';
import { ServiceError } from '../../core/errors.js';
import type { Authorizer } from '../../identity/authorizer.js';
import { roleFromArn, trustsService } from '../../identity/roles.js';
import type { Directory, RoleRecord } from '../../identity/types.js';
import { invalidParameter, validation } from './errors.js';

export const LAMBDA_PRINCIPAL = 'lambda.amazonaws.com';
const ROLE_PATTERN = 'arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+';
const ROLE_RE = new RegExp(`^${ROLE_PATTERN}$`);

/** Whether a role's trust policy lets Lambda assume it. */
export function trustsLambda(role: RoleRecord): boolean {
  return trustsService(role, LAMBDA_PRINCIPAL);
}

export { roleFromArn };

/**
 * Checks a Role parameter the way CreateFunction does. Handing a function a role is passing
 * that role to Lambda, so the caller needs iam:PassRole on it, as on AWS
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html).
 */
export async function checkExecutionRole(directory: Directory, arn: string | undefined, pass?: { authorizer: Authorizer; ctx: RequestContext }): Promise<string> {
  if (arn === undefined || arn === '') throw validation(arn, 'role', 'Member must not be null');
  if (!ROLE_RE.test(arn)) throw validation(arn, 'role', `Member must satisfy regular expression pattern: ${ROLE_PATTERN}`);
  if (pass) {
    const result = await pass.authorizer.authorize({
      principal: pass.ctx.principal,
      action: 'iam:PassRole',
      resources: [arn],
      context: { 'iam:PassedToService': LAMBDA_PRINCIPAL, 'aws:SourceIp': pass.ctx.sourceIp },
    });
    if (!result.allowed) throw new ServiceError('AccessDeniedException', result.message, { status: 403 });
  }
  const role = await roleFromArn(directory, arn);
  if (!role || !trustsLambda(role)) throw invalidParameter('The role defined for the function cannot be assumed by Lambda.');
  return arn;
}
