/**
 * Input constraints of IAM's operations (lengths, patterns, enums, ranges),
 * transcribed from the full IAM service model (botocore's
 * iam/2010-05-08/service-2.json; the aws-sdk v2 "min" model we load drops
 * them), and checked the way AWS checks them: every problem is collected and
 * reported in one ValidationError, "N validation errors detected: Value 'x'
 * at 'userName' failed to satisfy constraint: ...".
 * https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html
 */
import type { ServiceError } from '../../core/errors.js';
import { validationError } from './errors.js';

interface Constraint {
  min?: number;
  max?: number;
  pattern?: string;
  enum?: readonly string[];
  intMin?: number;
  intMax?: number;
  /** Lists: the constraint of each member, and the list's own length bound. */
  list?: 'tag' | 'tagKey';
}

const NAME = '[\\w+=,.@-]+';

const SHAPES: Record<string, Constraint> = {
  path: { min: 1, max: 512, pattern: '(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)' },
  userName: { min: 1, max: 64, pattern: NAME },
  existingUserName: { min: 1, max: 128, pattern: NAME },
  groupName: { min: 1, max: 128, pattern: NAME },
  roleName: { min: 1, max: 64, pattern: NAME },
  policyName: { min: 1, max: 128, pattern: NAME },
  arn: { min: 20, max: 2048 },
  pathPrefix: { min: 1, max: 512, pattern: '\\u002F[\\u0021-\\u007F]*' },
  policyPath: { min: 1, max: 512, pattern: '((/[A-Za-z0-9\\.,\\+@=_-]+)*)/' },
  marker: { min: 1, max: 320, pattern: '[\\u0020-\\u00FF]+' },
  maxItems: { intMin: 1, intMax: 1000 },
  accessKeyId: { min: 16, max: 128, pattern: '[\\w]+' },
  status: { enum: ['Active', 'Inactive', 'Expired'] },
  policyDocument: { min: 1, max: 131072, pattern: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+' },
  roleDescription: { max: 1000, pattern: '[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*' },
  policyDescription: { max: 1000 },
  maxSessionDuration: { intMin: 3600, intMax: 43200 },
  scope: { enum: ['All', 'AWS', 'Local'] },
  usageFilter: { enum: ['PermissionsPolicy', 'PermissionsBoundary'] },
  entityType: { enum: ['User', 'Role', 'Group', 'LocalManagedPolicy', 'AWSManagedPolicy'] },
  versionId: { pattern: 'v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?' },
  tags: { list: 'tag', max: 50 },
  tagKeys: { list: 'tagKey', max: 50 },
  bool: {},
};

const TAG_KEY: Constraint = { min: 1, max: 128, pattern: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+' };
const TAG_VALUE: Constraint = { min: 0, max: 256, pattern: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*' };

const PAGE = 'Marker:marker MaxItems:maxItems';

/** Operation → its input members in model order ("Member!" = required, ":shape" = constraint). */
const OPERATIONS: Record<string, string> = {
  CreateUser: 'Path:path UserName!:userName PermissionsBoundary:arn Tags:tags',
  GetUser: 'UserName:existingUserName',
  ListUsers: `PathPrefix:pathPrefix ${PAGE}`,
  UpdateUser: 'UserName!:existingUserName NewPath:path NewUserName:userName',
  DeleteUser: 'UserName!:existingUserName',
  TagUser: 'UserName!:existingUserName Tags!:tags',
  UntagUser: 'UserName!:existingUserName TagKeys!:tagKeys',
  ListUserTags: `UserName!:existingUserName ${PAGE}`,
  CreateGroup: 'Path:path GroupName!:groupName',
  GetGroup: `GroupName!:groupName ${PAGE}`,
  ListGroups: `PathPrefix:pathPrefix ${PAGE}`,
  DeleteGroup: 'GroupName!:groupName',
  AddUserToGroup: 'GroupName!:groupName UserName!:existingUserName',
  RemoveUserFromGroup: 'GroupName!:groupName UserName!:existingUserName',
  ListGroupsForUser: `UserName!:existingUserName ${PAGE}`,
  CreateAccessKey: 'UserName:existingUserName',
  ListAccessKeys: `UserName:existingUserName ${PAGE}`,
  UpdateAccessKey: 'UserName:existingUserName AccessKeyId!:accessKeyId Status!:status',
  DeleteAccessKey: 'UserName:existingUserName AccessKeyId!:accessKeyId',
  GetAccessKeyLastUsed: 'AccessKeyId!:accessKeyId',
  CreateRole:
    'Path:path RoleName!:roleName AssumeRolePolicyDocument!:policyDocument Description:roleDescription MaxSessionDuration:maxSessionDuration PermissionsBoundary:arn Tags:tags',
  GetRole: 'RoleName!:roleName',
  ListRoles: `PathPrefix:pathPrefix ${PAGE}`,
  UpdateRole: 'RoleName!:roleName Description:roleDescription MaxSessionDuration:maxSessionDuration',
  UpdateAssumeRolePolicy: 'RoleName!:roleName PolicyDocument!:policyDocument',
  DeleteRole: 'RoleName!:roleName',
  TagRole: 'RoleName!:roleName Tags!:tags',
  UntagRole: 'RoleName!:roleName TagKeys!:tagKeys',
  ListRoleTags: `RoleName!:roleName ${PAGE}`,
  CreatePolicy: 'PolicyName!:policyName Path:policyPath PolicyDocument!:policyDocument Description:policyDescription Tags:tags',
  GetPolicy: 'PolicyArn!:arn',
  ListPolicies: `Scope:scope OnlyAttached:bool PathPrefix:policyPath PolicyUsageFilter:usageFilter ${PAGE}`,
  DeletePolicy: 'PolicyArn!:arn',
  CreatePolicyVersion: 'PolicyArn!:arn PolicyDocument!:policyDocument SetAsDefault:bool',
  GetPolicyVersion: 'PolicyArn!:arn VersionId!:versionId',
  ListPolicyVersions: `PolicyArn!:arn ${PAGE}`,
  DeletePolicyVersion: 'PolicyArn!:arn VersionId!:versionId',
  SetDefaultPolicyVersion: 'PolicyArn!:arn VersionId!:versionId',
  ListEntitiesForPolicy: `PolicyArn!:arn EntityFilter:entityType PathPrefix:path PolicyUsageFilter:usageFilter ${PAGE}`,
  PutUserPermissionsBoundary: 'UserName!:userName PermissionsBoundary!:arn',
  DeleteUserPermissionsBoundary: 'UserName!:userName',
  PutRolePermissionsBoundary: 'RoleName!:roleName PermissionsBoundary!:arn',
  DeleteRolePermissionsBoundary: 'RoleName!:roleName',
  GetAccountSummary: '',
};

// Inline and attached policies: the same members for users, groups and roles.
for (const [kind, entity] of [
  ['User', 'UserName!:existingUserName'],
  ['Group', 'GroupName!:groupName'],
  ['Role', 'RoleName!:roleName'],
] as const) {
  const attachEntity = kind === 'User' ? 'UserName!:userName' : entity;
  OPERATIONS[`Put${kind}Policy`] = `${entity} PolicyName!:policyName PolicyDocument!:policyDocument`;
  OPERATIONS[`Get${kind}Policy`] = `${entity} PolicyName!:policyName`;
  OPERATIONS[`Delete${kind}Policy`] = `${entity} PolicyName!:policyName`;
  OPERATIONS[`List${kind}Policies`] = `${entity} ${PAGE}`;
  OPERATIONS[`Attach${kind}Policy`] = `${attachEntity} PolicyArn!:arn`;
  OPERATIONS[`Detach${kind}Policy`] = `${attachEntity} PolicyArn!:arn`;
  OPERATIONS[`ListAttached${kind}Policies`] = `${attachEntity} PathPrefix:policyPath ${PAGE}`;
}

interface MemberRule {
  member: string;
  wire: string;
  required: boolean;
  shape: Constraint;
}

const compiled = new Map<string, RegExp>();
function fullMatch(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) compiled.set(pattern, (re = new RegExp(`^(?:${pattern})$`, 'u')));
  return re;
}

const RULES = new Map<string, MemberRule[]>(
  Object.entries(OPERATIONS).map(([op, spec]) => [
    op,
    spec
      .split(' ')
      .filter(Boolean)
      .map((entry) => {
        const [name, shape] = entry.split(':') as [string, string];
        const member = name.replace('!', '');
        return { member, wire: member[0]!.toLowerCase() + member.slice(1), required: name.endsWith('!'), shape: SHAPES[shape]! };
      }),
  ]),
);

type Problem = { member: string; value: unknown; constraint: string };

function checkValue(wire: string, value: unknown, c: Constraint, out: Problem[]): void {
  if (c.list) {
    if (!Array.isArray(value)) return;
    if (c.max !== undefined && value.length > c.max) out.push({ member: wire, value, constraint: `Member must have length less than or equal to ${c.max}` });
    value.forEach((item, i) => {
      if (c.list === 'tagKey') return checkValue(`${wire}.${i + 1}.member`, item, TAG_KEY, out);
      const tag = (item ?? {}) as { Key?: unknown; Value?: unknown };
      // Both members of a Tag are required by the model.
      for (const [name, v, shape] of [['key', tag.Key, TAG_KEY], ['value', tag.Value, TAG_VALUE]] as const) {
        const at = `${wire}.${i + 1}.member.${name}`;
        if (v === undefined || v === null) out.push({ member: at, value: null, constraint: 'Member must not be null' });
        else checkValue(at, v, shape, out);
      }
    });
    return;
  }
  if (value === undefined || value === null) return;
  if (c.intMin !== undefined && typeof value === 'number' && value < c.intMin) out.push({ member: wire, value, constraint: `Member must have value greater than or equal to ${c.intMin}` });
  if (c.intMax !== undefined && typeof value === 'number' && value > c.intMax) out.push({ member: wire, value, constraint: `Member must have value less than or equal to ${c.intMax}` });
  if (typeof value !== 'string') return;
  const length = [...value].length;
  if (c.min !== undefined && length < c.min) out.push({ member: wire, value, constraint: `Member must have length greater than or equal to ${c.min}` });
  if (c.max !== undefined && length > c.max) out.push({ member: wire, value, constraint: `Member must have length less than or equal to ${c.max}` });
  if (c.pattern !== undefined && length > 0 && !fullMatch(c.pattern).test(value)) out.push({ member: wire, value, constraint: `Member must satisfy regular expression pattern: ${c.pattern}` });
  if (c.enum && !c.enum.includes(value)) out.push({ member: wire, value, constraint: `Member must satisfy enum value set: [${c.enum.join(', ')}]` });
}

/** The ValidationError AWS would answer for this input, or undefined when it passes. */
export function validateInput(operation: string, input: Record<string, unknown> | undefined): ServiceError | undefined {
  const rules = RULES.get(operation);
  if (!rules) return undefined;
  const problems: Problem[] = [];
  for (const rule of rules) {
    const value = input?.[rule.member];
    if (value === undefined || value === null) {
      if (rule.required) problems.push({ member: rule.wire, value: null, constraint: 'Member must not be null' });
      continue;
    }
    checkValue(rule.wire, value, rule.shape, problems);
  }
  return problems.length ? validationError(problems) : undefined;
}

/** The operations whose constraints are known here (all that the provider implements). */
export function constrainedOperations(): string[] {
  return [...RULES.keys()];
}
