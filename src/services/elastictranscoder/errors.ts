/**
 * Elastic Transcoder's API errors. Wire codes and statuses come from the
 * model (ValidationException 400, AccessDeniedException 403,
 * ResourceNotFoundException 404, ResourceInUseException 409,
 * LimitExceededException 429); the body is `{"message": ...}` with
 * x-amzn-ErrorType. Not-found messages follow AWS's
 * "The specified pipeline was not found: account=..., pipelineId=...".
 * https://docs.aws.amazon.com/elastictranscoder/latest/developerguide/error-handling.html
 */
import { ServiceError } from '../../core/errors.js';

export function validation(message: string): ServiceError {
  return new ServiceError('ValidationException', message, { status: 400 });
}

export function notFound(kind: 'pipeline' | 'preset' | 'job', accountId: string, id: string): ServiceError {
  return new ServiceError('ResourceNotFoundException', `The specified ${kind} was not found: account=${accountId}, ${kind}Id=${id}.`, { status: 404 });
}

export function inUse(message: string): ServiceError {
  return new ServiceError('ResourceInUseException', message, { status: 409 });
}

export function accessDenied(message: string): ServiceError {
  return new ServiceError('AccessDeniedException', message, { status: 403 });
}

/** A valid request for a feature Stratus does not run (encryption, captions, watermarks...): never a fake success. */
export function unsupported(what: string): ServiceError {
  return new ServiceError('NotImplemented', `${what} is not implemented by Stratus's Elastic Transcoder yet`, { status: 501, senderFault: false });
}

/**
 * The messages of errors met while a job runs, as ETS writes them into
 * Outputs:StatusDetail and the notification's messageDetails:
 * "<code> <uuid>: <text>" (e.g. "3001 832090b4-...: The specified object does
 * not exist in the specified S3 bucket: bucket=b, key=k.").
 */
export const JOB_ERRORS = {
  validation: 1000,
  cannotAssumeRole: 2000,
  storage: 3000,
  inputMissing: 3001,
  outputExists: 3002,
  noReadPermission: 3003,
  noWritePermission: 3004,
  bucketMissing: 3005,
  badInput: 4000,
  clipAfterEnd: 4014,
  internal: 9000,
  interrupted: 9001,
} as const;

export class JobFailure extends Error {
  constructor(
    readonly code: number,
    readonly text: string,
  ) {
    super(text);
    this.name = 'JobFailure';
  }
}
