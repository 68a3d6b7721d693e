/**
 * The error a malformed policy document raises. IAM answers these as
 * `MalformedPolicyDocument` (HTTP 400) with short fixed messages such as
 * "Syntax errors in policy."; S3 answers bucket policies as `MalformedPolicy`.
 * `problem` is a stable, machine-readable tag so a service can substitute its
 * own wording without parsing the message.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutUserPolicy.html#API_PutUserPolicy_Errors
 */
import { ServiceError } from '../../core/errors.js';

export type PolicyProblem =
  | 'InvalidJson'
  | 'Syntax'
  | 'EmptyStatement'
  | 'PrincipalNotAllowed'
  | 'Version'
  | 'LegacyParsing'
  | 'DuplicateSid'
  | 'MissingAction'
  | 'MissingResource'
  | 'MissingPrincipal'
  | 'EmptyPrincipal'
  | 'InvalidPrincipal'
  | 'InvalidResource'
  | 'InvalidAction'
  | 'ProhibitedResource'
  | 'NotPrincipalWithAllow';

export class PolicyError extends ServiceError {
  readonly problem: PolicyProblem;

  constructor(problem: PolicyProblem, message: string, code = 'MalformedPolicyDocument') {
    super(code, message, { status: 400, senderFault: true });
    this.name = 'PolicyError';
    this.problem = problem;
  }
}

export function isPolicyError(err: unknown): err is PolicyError {
  return err instanceof PolicyError;
}
