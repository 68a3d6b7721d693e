/**
 * AWS Security Token Service: who am I, temporary credentials for a role,
 * and session tokens for users. Temporary credentials really expire: the
 * gateway refuses them with ExpiredToken once Expiration has passed.
 * https://docs.aws.amazon.com/STS/latest/APIReference/welcome.html
 */
import { parseArn } from '../../core/arn.js';
import type { RequestContext } from '../../core/context.js';
import { ServiceError } from '../../core/errors.js';
import type { Authorizer } from '../../identity/authorizer.js';
import type { Credentials } from '../../identity/credentials.js';
import type { Directory } from '../../identity/types.js';
import type { OperationSpec } from '../types.js';
import { accessDenied, invalidDuration, malformedPolicy, validation } from './errors.js';

export interface StsDeps {
  directory: Directory;
  credentials: Credentials;
  authorizer: Authorizer;
}

const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const PACKED_POLICY_LIMIT = 2048;

interface AssumeRoleInput {
  RoleArn: string;
  RoleSessionName: string;
  DurationSeconds?: number;
  Policy?: string;
  PolicyArns?: { arn?: string }[];
  ExternalId?: string;
  SourceIdentity?: string;
}

export function stsOperations(deps: StsDeps): Record<string, OperationSpec> {
  return {
    GetCallerIdentity: {
      authorization: 'authenticated',
      handler: (_input: unknown, ctx: RequestContext) => ({ UserId: ctx.principal.userId, Account: ctx.principal.accountId, Arn: ctx.principal.arn }),
    },

    AssumeRole: {
      authorization: 'authenticated',
      async handler(input: AssumeRoleInput, ctx) {
        const { RoleArn, RoleSessionName } = input;
        if (!RoleArn || RoleArn.length < 20) throw validation('roleArn', RoleArn, 'Member must have length greater than or equal to 20');
        if (!RoleSessionName || RoleSessionName.length < 2) throw validation('roleSessionName', RoleSessionName, 'Member must have length greater than or equal to 2');
        if (RoleSessionName.length > 64) throw validation('roleSessionName', RoleSessionName, 'Member must have length less than or equal to 64');
        if (!SESSION_NAME.test(RoleSessionName)) throw validation('roleSessionName', RoleSessionName, 'Member must satisfy regular expression pattern: [\\w+=,.@-]*');
        const denied = accessDenied(`User: ${ctx.principal.arn} is not authorized to perform: sts:AssumeRole on resource: ${RoleArn}`);
        const arn = parseArn(RoleArn);
        const roleName = arn?.service === 'iam' && arn.resource.startsWith('role/') ? arn.resource.split('/').pop()! : undefined;
        // An unknown role answers like a forbidden one, so callers can't probe for role names.
        const role = roleName && arn ? await deps.directory.getRole(arn.accountId, roleName) : undefined;
        if (!role || role.arn !== RoleArn) throw denied;

        const chained = ctx.principal.type === 'assumed-role';
        const maxDuration = chained ? 3600 : role.maxSessionDuration;
        const duration = input.DurationSeconds ?? 3600;
        if (duration < 900) throw validation('durationSeconds', duration, 'Member must have value greater than or equal to 900');
        if (duration > maxDuration) {
          throw invalidDuration(
            chained
              ? `The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.`
              : `The requested DurationSeconds exceeds the MaxSessionDuration set for this role.`,
          );
        }

        const sessionPolicies: string[] = [];
        if (input.Policy !== undefined) {
          try {
            JSON.parse(input.Policy);
          } catch {
            throw malformedPolicy('The policy is not in the valid JSON format.');
          }
          sessionPolicies.push(input.Policy);
        }
        for (const { arn: policyArn } of input.PolicyArns ?? []) {
          const doc = policyArn ? await deps.directory.managedPolicyDocument(role.arn.split(':')[4]!, policyArn) : undefined;
          if (!doc) throw validation('policyArns', policyArn, 'Member must refer to an existing managed policy');
          sessionPolicies.push(doc);
        }
        const packed = sessionPolicies.reduce((n, p) => n + JSON.stringify(JSON.parse(p)).length, 0);
        const packedPercent = Math.ceil((packed / PACKED_POLICY_LIMIT) * 100);
        if (packedPercent > 100) throw new ServiceError('PackedPolicyTooLarge', `Packed policy consumes ${packedPercent}% of allotted space, please use smaller policy.`, { status: 400 });

        const allowed = await deps.authorizer.authorizeAssumeRole(ctx.principal, role, {
          'aws:SourceIp': ctx.sourceIp,
          'aws:SecureTransport': String(ctx.secureTransport),
          'sts:ExternalId': input.ExternalId,
          'sts:RoleSessionName': RoleSessionName,
          'sts:SourceIdentity': input.SourceIdentity,
        });
        if (!allowed) throw denied;

        const accountId = role.arn.split(':')[4]!;
        const sessionArn = `arn:aws:sts::${accountId}:assumed-role/${role.roleName}/${RoleSessionName}`;
        const AssumedRoleId = `${role.roleId}:${RoleSessionName}`;
        const creds = await deps.credentials.issueSession(
          { type: 'assumed-role', arn: sessionArn, accountId, userId: AssumedRoleId, name: role.roleName, sessionName: RoleSessionName, roleArn: role.arn, sessionPolicies: sessionPolicies.length ? sessionPolicies : undefined },
          duration,
        );
        return { Credentials: creds, AssumedRoleUser: { AssumedRoleId, Arn: sessionArn }, PackedPolicySize: sessionPolicies.length ? packedPercent : undefined, SourceIdentity: input.SourceIdentity };
      },
    },

    GetSessionToken: {
      authorization: 'authenticated',
      async handler(input: { DurationSeconds?: number }, ctx) {
        const p = ctx.principal;
        if (p.type !== 'user' && p.type !== 'root') throw accessDenied('Cannot call GetSessionToken with session credentials');
        const max = p.type === 'root' ? 3600 : 129600;
        const duration = input.DurationSeconds ?? (p.type === 'root' ? 3600 : 43200);
        if (duration < 900) throw validation('durationSeconds', duration, 'Member must have value greater than or equal to 900');
        if (duration > max) throw validation('durationSeconds', duration, `Member must have value less than or equal to ${max}`);
        const creds = await deps.credentials.issueSession({ ...p, accessKeyId: undefined }, duration, { fromGetSessionToken: true });
        return { Credentials: creds };
      },
    },

    GetAccessKeyInfo: {
      async handler(input: { AccessKeyId: string }) {
        const found = input.AccessKeyId ? await deps.credentials.resolve(input.AccessKeyId) : undefined;
        if (!found) throw validation('accessKeyId', input.AccessKeyId, 'Member must refer to an existing access key');
        return { Account: found.principal.accountId };
      },
    },
  };
}
