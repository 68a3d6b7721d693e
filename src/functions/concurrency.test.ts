/**
 * Concurrency leases: reserved concurrency is a function's own pool and is taken out of the
 * account's unreserved pool; beyond either, TooManyRequestsException (429) with Lambda's Reason.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isServiceError } from '../core/errors.js';
import { ConcurrencyLimiter } from './concurrency.js';
import { functionSpec } from './test-support.js';

const spec = (name: string, reservedConcurrency?: number, accountId = '111111111111') =>
  functionSpec({ functionName: name, runtime: 'nodejs20.x', handler: 'i.h', codeBlobKey: 'k', codeSha256: 's', accountId, reservedConcurrency });

const reason = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    assert.ok(isServiceError(e) && e.code === 'TooManyRequestsException' && e.status === 429 && e.message === 'Rate Exceeded.');
    return e.fields.Reason;
  }
  return undefined;
};

test('acquire: reserved concurrency bounds a function and is subtracted from the unreserved pool', () => {
  const limiter = new ConcurrencyLimiter(10);
  const reserved = spec('r', 4);
  const free = spec('f');
  const r = Array.from({ length: 4 }, () => limiter.acquire(reserved));
  assert.equal(reason(() => limiter.acquire(reserved)), 'ReservedFunctionConcurrentInvocationLimitExceeded');
  const f = Array.from({ length: 6 }, () => limiter.acquire(free));
  assert.equal(reason(() => limiter.acquire(free)), 'ConcurrentInvocationLimitExceeded');
  assert.equal(limiter.concurrentExecutions, 10);
  f[0]!.release();
  f[0]!.release();
  assert.equal(limiter.concurrentExecutions, 9, 'a lease is released once');
  assert.ok(limiter.acquire(free));
  r.forEach((l) => l.release());
  assert.ok(limiter.acquire(reserved));
  assert.equal(reason(() => limiter.acquire(spec('zero', 0))), 'ReservedFunctionConcurrentInvocationLimitExceeded');
});

test('acquire: accounts are independent, and a removed reservation returns to the pool', () => {
  const limiter = new ConcurrencyLimiter(2);
  limiter.acquire(spec('a', undefined, '111111111111'));
  limiter.acquire(spec('a', undefined, '111111111111'));
  assert.ok(limiter.acquire(spec('a', undefined, '222222222222')));
  const b = spec('b', 1, '333333333333');
  limiter.acquire(b).release();
  assert.equal(reason(() => [limiter.acquire(spec('c', undefined, '333333333333')), limiter.acquire(spec('c', undefined, '333333333333'))]), 'ConcurrentInvocationLimitExceeded');
  limiter.acquire({ ...b, reservedConcurrency: undefined }).release();
  assert.ok(limiter.acquire(spec('d', undefined, '333333333333')));
});
