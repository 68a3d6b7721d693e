/**
 * Policy compilation and caching: text is compiled once (bounded LRU),
 * parsed documents once (WeakMap), and evaluation stays in microseconds.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PolicyCache, compileDocument, compilePolicy, policyCache } from './compile.js';
import { PolicyError } from './errors.js';
import { evaluate } from './evaluate.js';
import { doc, user } from './testkit.test.js';
import type { EvaluationRequest, PolicySet } from './types.js';
import { parsePolicy } from './validate.js';

const json = doc({ Effect: 'Allow', Action: 's3:Get*', Resource: 'arn:aws:s3:::b/${aws:username}/*' });

test('compilePolicy: the same text compiles once', () => {
  const a = compilePolicy(json);
  assert.equal(compilePolicy(json), a);
  assert.equal(compilePolicy(` ${json}`) === a, false, 'the cache is keyed by exact text');
});

test('compilePolicy: parse errors are thrown and not cached', () => {
  const before = policyCache.size;
  assert.throws(() => compilePolicy('{"Statement": [{"Effect": "allow", "Action": "*", "Resource": "*"}]}'), PolicyError);
  assert.equal(policyCache.size, before);
});

test('PolicyCache: evicts the least recently used entry', () => {
  const cache = new PolicyCache(2);
  const p = compilePolicy(json);
  cache.set('a', p);
  cache.set('b', p);
  cache.get('a');
  cache.set('c', p);
  assert.equal(cache.size, 2);
  assert.equal(cache.get('b'), undefined);
  assert.equal(cache.get('a'), p);
  cache.clear();
  assert.equal(cache.size, 0);
});

test('compileDocument: a parsed document compiles once', () => {
  const parsed = parsePolicy(json);
  assert.equal(compileDocument(parsed), compileDocument(parsed));
});

test('evaluate: text, parsed and compiled policies decide alike', () => {
  const req: EvaluationRequest = { principal: user('ann'), action: 's3:GetObject', resource: 'arn:aws:s3:::b/ann/k', context: {} };
  const parsed = parsePolicy(json);
  for (const input of [json, parsed, compileDocument(parsed)]) {
    assert.equal(evaluate(req, { identity: [input] }).decision, 'Allow');
  }
});

test('evaluate: stays fast on a realistic policy set (compiled once, no per-request parsing)', () => {
  const statements = Array.from({ length: 10 }, (_, i) => ({
    Sid: `S${i}`,
    Effect: 'Allow',
    Action: [`svc${i}:Get*`, `svc${i}:List*`, `svc${i}:Describe${i}`],
    Resource: [`arn:aws:svc${i}:*:123456789012:thing/${'${aws:username}'}/*`],
    Condition: { StringEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] }, IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
  }));
  const set: PolicySet = {
    identity: Array.from({ length: 5 }, (_, i) => doc(statements.map((s) => ({ ...s, Sid: `${s.Sid}p${i}` })))),
    boundary: doc({ Effect: 'Allow', Action: '*', Resource: '*' }),
    resource: doc({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: 'arn:aws:s3:::secret/*' }),
  };
  const req: EvaluationRequest = {
    principal: user('ann'),
    action: 's3:GetObject',
    resource: 'arn:aws:s3:::bucket/ann/key',
    context: { 'aws:RequestedRegion': 'us-east-1', 'aws:SourceIp': '10.1.2.3', 'aws:SecureTransport': 'true' },
  };
  evaluate(req, set);
  const before = policyCache.size;
  const n = 20_000;
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) evaluate(req, set);
  const perCallUs = Number(process.hrtime.bigint() - start) / 1000 / n;
  assert.equal(policyCache.size, before);
  // Measured around 5 µs on the 2-core reference machine; the bound only catches pathological regressions.
  assert.ok(perCallUs < 200, `${perCallUs.toFixed(1)} µs per evaluation`);
});
