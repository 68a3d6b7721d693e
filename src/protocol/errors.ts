/**
 * Turns whatever a provider (or the gateway) threw into the facts every
 * protocol's error format needs: code, message, HTTP status, sender/receiver
 * fault, extra fields and headers. A ServiceError's explicit status wins, then
 * the model's error table, then 400; anything else is a 500 whose details stay
 * in the logs, never on the wire.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html
 */
import { ServiceError } from '../core/errors.js';
import { errorInfo, type ServiceModel } from './model.js';

export interface ResolvedError {
  code: string;
  message: string;
  status: number;
  senderFault: boolean;
  fields: Record<string, unknown>;
  headers: Record<string, string>;
}

const INTERNAL_MESSAGE = 'We encountered an internal error. Please try again.';

function asServiceError(err: unknown): ServiceError | undefined {
  if (err instanceof ServiceError) return err;
  // A second copy of the core module (tests, bundling) still yields the same shape.
  if (typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'ServiceError') {
    const e = err as ServiceError;
    if (typeof e.code === 'string' && typeof e.message === 'string') return e;
  }
  return undefined;
}

/** `internalCode` is the protocol's name for a server fault (InternalFailure; S3 says InternalError). */
export function resolveError(model: ServiceModel, err: unknown, internalCode: string): ResolvedError {
  const e = asServiceError(err);
  if (!e) {
    return { code: internalCode, message: INTERNAL_MESSAGE, status: 500, senderFault: false, fields: {}, headers: {} };
  }
  const info = e.status === undefined ? errorInfo(model, e.code) : undefined;
  const status = e.status ?? info?.status ?? 400;
  const senderFault = info ? info.senderFault : e.senderFault;
  const code = e.code === 'InternalFailure' && internalCode !== 'InternalFailure' ? internalCode : e.code;
  return { code, message: e.message, status, senderFault, fields: e.fields ?? {}, headers: e.headers ?? {} };
}
