/**
 * Delivery policies: AWS's defaults, the four phases of its documented
 * example, the backoff curves and how topic and subscription policies combine.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay, DEFAULT_HTTP_RETRY, effectiveHttpPolicy, EMAIL_RETRY, retryDelaySeconds, type BackoffFunction, type RetryPolicy } from './retry-policy.js';

const delays = (p: RetryPolicy) => Array.from({ length: p.numRetries + 1 }, (_, i) => retryDelaySeconds(p, i + 1));

describe('SNS delivery policies', () => {
  it('the HTTP/S default retries 3 times, 20 seconds apart', () => {
    assert.deepEqual(delays(DEFAULT_HTTP_RETRY), [20, 20, 20, undefined]);
    assert.equal(retryDelaySeconds(DEFAULT_HTTP_RETRY, 0), undefined);
  });

  it("AWS's example: 3 immediate, 2 one second apart, 10 backing off from 1 to 60 s, 35 a minute apart: 50 retries", () => {
    const p = effectiveHttpPolicy(undefined, JSON.stringify({ healthyRetryPolicy: { minDelayTarget: 1, maxDelayTarget: 60, numRetries: 50, numNoDelayRetries: 3, numMinDelayRetries: 2, numMaxDelayRetries: 35, backoffFunction: 'exponential' }, throttlePolicy: { maxReceivesPerSecond: 10 } }));
    const d = delays(p.retry);
    assert.deepEqual(d.slice(0, 5), [0, 0, 0, 1, 1]);
    const backoff = d.slice(5, 15) as number[];
    assert.equal(backoff[0], 1);
    assert.equal(backoff[9], 60);
    for (let i = 1; i < backoff.length; i++) assert.ok(backoff[i]! >= backoff[i - 1]!, `backoff falls at ${i}: ${backoff}`);
    assert.deepEqual(new Set(d.slice(15, 50)), new Set([60]));
    assert.equal(d[50], undefined);
    assert.equal(p.maxReceivesPerSecond, 10);
  });

  it('every backoff function climbs from the minimum to the maximum; linear evenly, exponential latest', () => {
    const curve = (fn: BackoffFunction) => Array.from({ length: 10 }, (_, i) => backoffDelay(fn, 5, 260, i + 1, 10));
    for (const fn of ['linear', 'arithmetic', 'geometric', 'exponential'] as const) {
      const c = curve(fn);
      assert.equal(Math.round(c[0]!), 5, fn);
      assert.equal(Math.round(c[9]!), 260, fn);
      for (let i = 1; i < c.length; i++) assert.ok(c[i]! > c[i - 1]!, `${fn} at ${i}`);
    }
    assert.equal(curve('linear')[3], 5 + (255 * 3) / 9);
    const middle = (fn: BackoffFunction) => curve(fn)[4]!;
    assert.ok(middle('linear') > middle('arithmetic') && middle('arithmetic') > middle('geometric') && middle('geometric') > middle('exponential'));
  });

  it('email follows the fixed SMTP policy: 50 retries, from 10 seconds up to 10 minutes', () => {
    const d = delays(EMAIL_RETRY);
    assert.deepEqual(d.slice(0, 2), [10, 10]);
    assert.equal(d[11], 600);
    assert.equal(d[49], 600);
    assert.equal(d[50], undefined);
  });

  it('the subscription overrides the topic field by field, unless the topic disables overrides', () => {
    const topic = JSON.stringify({ http: { defaultHealthyRetryPolicy: { numRetries: 5, minDelayTarget: 2, maxDelayTarget: 2 }, defaultThrottlePolicy: { maxReceivesPerSecond: 3 }, defaultRequestPolicy: { headerContentType: 'application/json' } } });
    const sub = JSON.stringify({ healthyRetryPolicy: { numRetries: 1 }, throttlePolicy: { maxReceivesPerSecond: 7 } });
    const both = effectiveHttpPolicy(topic, sub);
    assert.deepEqual(delays(both.retry), [2, undefined]);
    assert.equal(both.maxReceivesPerSecond, 7);
    assert.equal(both.headerContentType, 'application/json');
    const locked = effectiveHttpPolicy(JSON.stringify({ http: { ...JSON.parse(topic).http, disableSubscriptionOverrides: true } }), sub);
    assert.equal(locked.retry.numRetries, 5);
    assert.equal(locked.maxReceivesPerSecond, 3);
    const topicOnly = effectiveHttpPolicy(topic, undefined);
    assert.deepEqual(delays(topicOnly.retry), [2, 2, 2, 2, 2, undefined]);
    assert.deepEqual(effectiveHttpPolicy('not json', '{"healthyRetryPolicy":{"backoffFunction":"cubic"}}'), { retry: DEFAULT_HTTP_RETRY });
  });
});
