/**
 * Shared set-up for IAM's unit tests: a service over an in-memory store, a
 * request context for the account root (or any principal), and a caller that
 * runs an operation's handler the way the gateway would, after authorization.
 */
import assert from 'node:assert/strict';
import type { Principal, RequestContext } from '../../core/context.js';
import { isServiceError } from '../../core/errors.js';
import { silentLogger } from '../../core/logger.js';
import { createDirectory, type IamDirectory } from '../../identity/directory.js';
import { MemoryDocumentStore } from '../../storage/memory.js';
import type { ServiceDefinition } from '../types.js';
import { createIamService } from './index.js';

export const ACCOUNT = '123456789012';

export const ROOT: Principal = { type: 'root', arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT, userId: ACCOUNT };

export function context(principal: Principal = ROOT): RequestContext {
  return {
    requestId: 'test-request',
    accountId: principal.accountId,
    region: 'us-east-1',
    service: 'iam',
    principal,
    sourceIp: '127.0.0.1',
    secureTransport: false,
    receivedAt: new Date(),
    log: silentLogger,
    endpoint: 'http://127.0.0.1:4566',
  };
}

export interface Harness {
  store: MemoryDocumentStore;
  directory: IamDirectory;
  service: ServiceDefinition;
  /** Runs an operation's handler; `as` defaults to the account root. */
  call(operation: string, input?: Record<string, unknown>, as?: Principal): Promise<any>;
  resources(operation: string, input?: Record<string, unknown>, as?: Principal): Promise<string[]>;
}

export function harness(): Harness {
  const store = new MemoryDocumentStore();
  const directory = createDirectory(store);
  const service = createIamService({ directory });
  const spec = (operation: string) => service.operations[operation] ?? assert.fail(`no operation ${operation}`);
  return {
    store,
    directory,
    service,
    call: async (operation, input = {}, as) => spec(operation).handler(input, context(as)),
    resources: async (operation, input = {}, as) => (spec(operation).resources ? spec(operation).resources!(input, context(as)) : ['*']),
  };
}

/** Asserts that `promise` rejects with an IAM error of this code (and message, when given). */
export async function rejectsWith(promise: Promise<unknown>, code: string, message?: string | RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isServiceError(err), `expected a ServiceError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (typeof message === 'string') assert.equal(err.message, message);
    else if (message) assert.match(err.message, message);
    return true;
  });
}

export const LAMBDA_UPLOAD_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['lambda:GetFunction', 'lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration'], Resource: '*' }],
});

export const LAMBDA_TRUST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

export function allow(action: string, resource = '*'): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: resource }] });
}
