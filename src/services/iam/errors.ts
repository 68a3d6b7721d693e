/**
 * IAM's errors with the codes, statuses and messages AWS answers: the
 * directory reports *why* a change was refused (DirectoryFailure) and this
 * module words it the way IAM does ("The user with name x cannot be found.",
 * "Cannot delete entity, must delete access keys first." ...).
 * https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteUser.html#API_DeleteUser_Errors
 */
import { ServiceError } from '../../core/errors.js';
import { DirectoryError, type DirectoryFailure } from '../../identity/directory.js';

const STATUS: Record<string, number> = {
  NoSuchEntity: 404,
  EntityAlreadyExists: 409,
  DeleteConflict: 409,
  LimitExceeded: 409,
  ConcurrentModification: 409,
  MalformedPolicyDocument: 400,
  ValidationError: 400,
  InvalidInput: 400,
};

export function iamError(code: string, message: string): ServiceError {
  return new ServiceError(code, message, { status: STATUS[code] ?? 400 });
}

export const noSuchEntity = (message: string) => iamError('NoSuchEntity', message);
export const invalidInput = (message: string) => iamError('InvalidInput', message);
export const malformedPolicy = (message: string) => iamError('MalformedPolicyDocument', message);
export const limitExceeded = (message: string) => iamError('LimitExceeded', message);

/** "1 validation error detected: Value 'x' at 'userName' failed to satisfy constraint: ..." for one or more problems. */
export function validationError(problems: { member: string; value: unknown; constraint: string }[]): ServiceError {
  const n = problems.length;
  const parts = problems.map((p) => `Value ${p.value === undefined || p.value === null ? 'null' : `'${String(p.value)}'`} at '${p.member}' failed to satisfy constraint: ${p.constraint}`);
  return iamError('ValidationError', `${n} validation error${n === 1 ? '' : 's'} detected: ${parts.join('; ')}`);
}

/** Calls that name no user need user credentials to stand for one (GetUser, CreateAccessKey, ListAccessKeys). */
export function needsUserName(): ServiceError {
  return iamError('ValidationError', 'Must specify userName when calling with non-User credentials');
}

const DELETE_CONFLICT: Record<Extract<DirectoryFailure, { code: 'DeleteConflict' }>['reason'], string> = {
  accessKeys: 'Cannot delete entity, must delete access keys first.',
  inlinePolicies: 'Cannot delete entity, must delete policies first.',
  attachedPolicies: 'Cannot delete entity, must detach all policies first.',
  groups: 'Cannot delete entity, must remove users from group first.',
  members: 'Cannot delete entity, must remove users from group first.',
  policyAttached: 'Cannot delete a policy attached to entities.',
  policyVersions: "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
  defaultVersion: 'Cannot delete the default version of a policy.',
};

const ALREADY_EXISTS = { user: 'User', group: 'Group', role: 'Role' } as const;

/** The ServiceError AWS answers for a refused directory change. */
export function fromFailure(f: DirectoryFailure): ServiceError {
  switch (f.code) {
    case 'NoSuchEntity':
      return noSuchEntity(`The ${f.kind} with name ${f.name} cannot be found.`);
    case 'NoSuchPolicy':
      return noSuchEntity(f.attaching ? `Policy ${f.arn} does not exist or is not attachable.` : `Policy ${f.arn} was not found.`);
    case 'NoSuchPolicyVersion':
      return noSuchEntity(`Policy ${f.arn} version ${f.versionId} does not exist or is not attachable.`);
    case 'NoSuchInlinePolicy':
      return noSuchEntity(`The ${f.kind} policy with name ${f.policyName} cannot be found.`);
    case 'NoSuchAccessKey':
      return noSuchEntity(`The Access Key with id ${f.accessKeyId} cannot be found.`);
    case 'NotAttached':
      return noSuchEntity(`Policy ${f.arn} was not found.`);
    case 'NotInGroup':
      return noSuchEntity(`The user with name ${f.userName} cannot be found.`);
    case 'AlreadyExists':
      return iamError(
        'EntityAlreadyExists',
        f.kind === 'policy' ? `A policy called ${f.name} already exists. Duplicate names are not allowed.` : `${ALREADY_EXISTS[f.kind]} with name ${f.name} already exists.`,
      );
    case 'DeleteConflict':
      return iamError('DeleteConflict', DELETE_CONFLICT[f.reason]);
    case 'LimitExceeded':
      return limitExceeded(`Cannot exceed quota for ${f.quota}: ${f.limit}`);
    case 'PolicyVersionLimit':
      return limitExceeded('A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.');
    case 'PolicySize':
      return limitExceeded(`Maximum policy size of ${f.limit} bytes exceeded for ${f.kind} ${f.name}`);
    case 'TagLimit':
      return limitExceeded('The number of tags has reached the maximum limit.');
    case 'ConcurrentModification':
      return iamError(
        'ConcurrentModification',
        'The request was rejected because multiple requests to change this object were submitted simultaneously. Wait a few minutes and submit your request again.',
      );
  }
}

/** Turns directory refusals into IAM errors; everything else passes through untouched. */
export function translate(err: unknown): unknown {
  return err instanceof DirectoryError ? fromFailure(err.failure) : err;
}
