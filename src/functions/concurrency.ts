/**
 * Concurrency leases (global, per account): every invocation holds a lease while it runs. A
 * function with reserved concurrency (PutFunctionConcurrency) draws only on its reservation; the
 * others share what the account limit leaves once every reservation is set aside, as Lambda
 * accounts for it (https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html). Beyond
 * either limit the invocation is throttled with Lambda's 429 `TooManyRequestsException` ("Rate
 * Exceeded.") and a Reason of `ReservedFunctionConcurrentInvocationLimitExceeded` or
 * `ConcurrentInvocationLimitExceeded`
 * (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_Errors).
 */
import { ServiceError } from '../core/errors.js';
import type { FunctionSpec } from './types.js';

export interface Lease {
  release(): void;
}

interface Account {
  /** Reserved concurrency of each function that has one, as last seen. */
  reserved: Map<string, number>;
  reservedTotal: number;
  /** Leases held per function. */
  running: Map<string, number>;
  /** Leases held by functions without a reservation. */
  unreservedRunning: number;
  total: number;
}

export function throttled(reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' | 'ConcurrentInvocationLimitExceeded'): ServiceError {
  return new ServiceError('TooManyRequestsException', 'Rate Exceeded.', { status: 429, fields: { Reason: reason, Type: 'User' } });
}

export class ConcurrencyLimiter {
  private readonly accounts = new Map<string, Account>();

  constructor(private readonly accountLimit: number) {}

  private account(id: string): Account {
    let a = this.accounts.get(id);
    if (!a) {
      a = { reserved: new Map(), reservedTotal: 0, running: new Map(), unreservedRunning: 0, total: 0 };
      this.accounts.set(id, a);
    }
    return a;
  }

  /** Takes a lease or throws TooManyRequestsException. */
  acquire(fn: FunctionSpec): Lease {
    const a = this.account(fn.accountId);
    const arn = fn.functionArn;
    const previous = a.reserved.get(arn);
    if (fn.reservedConcurrency !== previous) {
      a.reservedTotal += (fn.reservedConcurrency ?? 0) - (previous ?? 0);
      if (fn.reservedConcurrency === undefined) a.reserved.delete(arn);
      else a.reserved.set(arn, fn.reservedConcurrency);
    }
    const running = a.running.get(arn) ?? 0;
    const reserved = fn.reservedConcurrency !== undefined;
    if (reserved) {
      if (running >= fn.reservedConcurrency!) throw throttled('ReservedFunctionConcurrentInvocationLimitExceeded');
    } else if (a.unreservedRunning >= this.accountLimit - a.reservedTotal) {
      throw throttled('ConcurrentInvocationLimitExceeded');
    }
    a.running.set(arn, running + 1);
    if (!reserved) a.unreservedRunning++;
    a.total++;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const n = (a.running.get(arn) ?? 1) - 1;
        if (n === 0) a.running.delete(arn);
        else a.running.set(arn, n);
        if (!reserved) a.unreservedRunning--;
        a.total--;
      },
    };
  }

  /** Concurrent executions across all accounts. */
  get concurrentExecutions(): number {
    let n = 0;
    for (const a of this.accounts.values()) n += a.total;
    return n;
  }
}
