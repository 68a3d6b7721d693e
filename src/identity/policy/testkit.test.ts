/**
 * Shared fixtures for the policy-engine test tables: callers shaped like the
 * ones in AWS's documentation examples and a runner that evaluates each case
 * through the public API (policies go in as JSON text, as the directory
 * stores them). This file declares no tests itself.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluate } from './evaluate.js';
import type { ContextValue, Decision, PolicySet, PolicyType, RequestPrincipal } from './types.js';

export const ACCOUNT = '123456789012';
export const OTHER_ACCOUNT = '111111111111';

export function user(name: string, account = ACCOUNT, userId = 'AIDAJQABLZS4A3QDU576Q'): RequestPrincipal {
  return { type: 'user', arn: `arn:aws:iam::${account}:user/${name}`, accountId: account, userId };
}

export function roleSession(role: string, session: string, account = ACCOUNT): RequestPrincipal {
  return {
    type: 'assumed-role',
    arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}`,
    accountId: account,
    roleArn: `arn:aws:iam::${account}:role/${role}`,
    userId: `AROADBQP57FF2AEXAMPLE:${session}`,
  };
}

export function federatedUser(name: string, account = ACCOUNT): RequestPrincipal {
  return { type: 'federated-user', arn: `arn:aws:sts::${account}:federated-user/${name}`, accountId: account };
}

export function root(account = ACCOUNT): RequestPrincipal {
  return { type: 'root', arn: `arn:aws:iam::${account}:root`, accountId: account, userId: account };
}

export const anonymous: RequestPrincipal = { type: 'anonymous', arn: '*', accountId: '' };

export function service(name: string): RequestPrincipal {
  return { type: 'service', arn: '', accountId: '', servicePrincipal: name };
}

/** A JSON policy document with Version 2012-10-17 unless `version` says otherwise (null: no Version). */
export function doc(statements: object | object[], version: string | null = '2012-10-17'): string {
  const body: Record<string, unknown> = { Statement: statements };
  if (version !== null) body.Version = version;
  return JSON.stringify(body);
}

export interface Case {
  /** "<doc page>: <behaviour>" */
  name: string;
  principal: RequestPrincipal;
  action: string;
  resource: string;
  resourceAccountId?: string;
  context?: Record<string, ContextValue>;
  identity?: string[];
  resourcePolicy?: string;
  boundary?: string;
  session?: string[];
  kind?: PolicySet['resourceKind'];
  expect: Decision['decision'];
  reason?: PolicyType;
  sid?: string;
}

export function runCases(suite: string, cases: Case[]): void {
  for (const c of cases) {
    test(`${suite}: ${c.name}`, () => {
      const set: PolicySet = { identity: c.identity ?? [] };
      if (c.resourcePolicy !== undefined) set.resource = c.resourcePolicy;
      if (c.boundary !== undefined) set.boundary = c.boundary;
      if (c.session !== undefined) set.session = c.session;
      if (c.kind !== undefined) set.resourceKind = c.kind;
      const request = { principal: c.principal, action: c.action, resource: c.resource, context: c.context ?? {} };
      const decision = evaluate(
        c.resourceAccountId === undefined ? request : { ...request, resourceAccountId: c.resourceAccountId },
        set,
      );
      assert.equal(decision.decision, c.expect, JSON.stringify(decision));
      if (c.reason !== undefined) assert.equal(decision.reason, c.reason);
      if (c.sid !== undefined) assert.equal(decision.matchedStatement?.sid, c.sid);
    });
  }
}
