/**
 * Errors a provider throws. The protocol layer turns them into each protocol's
 * exact wire format; the HTTP status and sender/receiver fault come from the
 * service model's error shape when the model declares one, otherwise from here.
 */

export interface ServiceErrorOptions {
  /** HTTP status when the model has no error shape for this code. */
  status?: number;
  /** true for client faults ("Sender"), false for server faults ("Receiver"). */
  senderFault?: boolean;
  /** Extra members written next to Code/Message (S3 adds BucketName, Key...). */
  fields?: Record<string, unknown>;
  /** Extra response headers, e.g. x-amz-delete-marker on S3 errors. */
  headers?: Record<string, string>;
}

export class ServiceError extends Error {
  readonly code: string;
  readonly status: number | undefined;
  readonly senderFault: boolean;
  readonly fields: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(code: string, message: string, options: ServiceErrorOptions = {}) {
    super(message);
    this.name = 'ServiceError';
    this.code = code;
    this.status = options.status;
    this.senderFault = options.senderFault ?? (options.status === undefined || options.status < 500);
    this.fields = options.fields ?? {};
    this.headers = options.headers ?? {};
  }
}

export function isServiceError(err: unknown): err is ServiceError {
  return err instanceof ServiceError;
}

/** The model knows the operation but Stratus does not implement it: 501, never a fake success. */
export function notImplemented(service: string, operation: string): ServiceError {
  return new ServiceError('NotImplemented', `${service}:${operation} is not implemented by Stratus yet`, {
    status: 501,
    senderFault: false,
  });
}

/** Helpers for the few generic errors every service shares. */
export const errors = {
  validation(message: string): ServiceError {
    return new ServiceError('ValidationError', message, { status: 400 });
  },
  internal(message = 'We encountered an internal error. Please try again.'): ServiceError {
    return new ServiceError('InternalFailure', message, { status: 500, senderFault: false });
  },
};
