/**
 * The pipeline's IAM role: it must exist when a pipeline names it; its trust
 * policy must let elastictranscoder.amazonaws.com assume it before a job
 * runs (else the job fails with 2000 "Cannot Assume Role"); and while a job
 * runs, S3 and SNS see the role's session, so the role's policies (and the
 * bucket's and topic's) decide what the job may read, write and publish.
 * Handing a pipeline a role is passing it to the service: IAM users and
 * roles need iam:PassRole on it, as on AWS.
 * https://docs.aws.amazon.com/elastictranscoder/latest/developerguide/access-control.html
 */
import type { Principal, RequestContext } from '../../core/context.js';
import { roleFromArn as roleFromDirectory, trustsService } from '../../identity/roles.js';
import type { RoleRecord } from '../../identity/types.js';
import type { TranscoderContext } from './common.js';
import { accessDenied, validation } from './errors.js';

export const SERVICE_PRINCIPAL = 'elastictranscoder.amazonaws.com';

/** The role an ARN names; the ARN must match the role's, path included. */
export function roleFromArn(c: TranscoderContext, arn: string): Promise<RoleRecord | undefined> {
  return roleFromDirectory(c.deps.directory, arn);
}

export function trustsTranscoder(role: RoleRecord): boolean {
  return trustsService(role, SERVICE_PRINCIPAL);
}

/** The session a job runs as: arn:aws:sts::<account>:assumed-role/<role>/<job id>. */
export function roleSession(role: RoleRecord, session: string): Principal {
  const accountId = role.arn.split(':')[4]!;
  return {
    type: 'assumed-role',
    arn: `arn:aws:sts::${accountId}:assumed-role/${role.roleName}/${session}`,
    accountId,
    userId: `${role.roleId}:${session}`,
    name: role.roleName,
    sessionName: session,
    roleArn: role.arn,
  };
}

/** CreatePipeline/UpdatePipeline: the role must exist, and the caller may pass it to the service. */
export async function checkPipelineRole(c: TranscoderContext, arn: string, ctx: RequestContext): Promise<void> {
  const result = await c.deps.authorizer.authorize({
    principal: ctx.principal,
    action: 'iam:PassRole',
    resources: [arn],
    context: { 'iam:PassedToService': SERVICE_PRINCIPAL, 'aws:SourceIp': ctx.sourceIp },
  });
  if (!result.allowed) throw accessDenied(result.message);
  if (!(await roleFromArn(c, arn))) throw validation(`The role specified for the pipeline does not exist: role=${arn}.`);
}
