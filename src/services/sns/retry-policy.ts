/**
 * SNS delivery policies: how often and how far apart a failed delivery is
 * tried again. HTTP/S endpoints follow the topic's and the subscription's
 * DeliveryPolicy (AWS's default: 3 retries, 20 seconds apart); email (SMTP)
 * follows SNS's fixed policy for customer-managed endpoints (50 attempts over
 * about 6 hours). A policy has four phases: immediate retries, pre-backoff
 * retries at the minimum delay, backoff retries whose delays rise from the
 * minimum to the maximum along the backoff function, and post-backoff
 * retries at the maximum delay.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html
 */

export type BackoffFunction = 'linear' | 'arithmetic' | 'geometric' | 'exponential';

export interface RetryPolicy {
  /** Seconds. */
  minDelayTarget: number;
  maxDelayTarget: number;
  /** Retries in all, after the first attempt. */
  numRetries: number;
  numNoDelayRetries: number;
  numMinDelayRetries: number;
  numMaxDelayRetries: number;
  backoffFunction: BackoffFunction;
}

export interface EffectivePolicy {
  retry: RetryPolicy;
  /** Deliveries per second to the subscription; undefined: no throttling. */
  maxReceivesPerSecond?: number;
  /** requestPolicy.headerContentType: the Content-Type of the POST. */
  headerContentType?: string;
}

/** AWS's default HTTP/S policy: 3 retries, 20 seconds apart. */
export const DEFAULT_HTTP_RETRY: RetryPolicy = {
  minDelayTarget: 20,
  maxDelayTarget: 20,
  numRetries: 3,
  numNoDelayRetries: 0,
  numMinDelayRetries: 0,
  numMaxDelayRetries: 0,
  backoffFunction: 'linear',
};

/** SNS's fixed policy for SMTP: none at once, 2 after 10 s, 10 rising exponentially to 600 s, 38 every 600 s. */
export const EMAIL_RETRY: RetryPolicy = {
  minDelayTarget: 10,
  maxDelayTarget: 600,
  numRetries: 50,
  numNoDelayRetries: 0,
  numMinDelayRetries: 2,
  numMaxDelayRetries: 38,
  backoffFunction: 'exponential',
};

const FUNCTIONS = new Set<BackoffFunction>(['linear', 'arithmetic', 'geometric', 'exponential']);

function parse(text: string | undefined): Record<string, any> | undefined {
  if (!text) return undefined;
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' ? v : undefined;
  } catch {
    return undefined;
  }
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : undefined);

function retryFrom(fields: Record<string, unknown> | undefined, base: RetryPolicy): RetryPolicy {
  if (!fields || typeof fields !== 'object') return base;
  const fn = typeof fields.backoffFunction === 'string' ? (fields.backoffFunction.toLowerCase() as BackoffFunction) : undefined;
  return {
    minDelayTarget: num(fields.minDelayTarget) ?? base.minDelayTarget,
    maxDelayTarget: num(fields.maxDelayTarget) ?? base.maxDelayTarget,
    numRetries: num(fields.numRetries) ?? base.numRetries,
    numNoDelayRetries: num(fields.numNoDelayRetries) ?? base.numNoDelayRetries,
    numMinDelayRetries: num(fields.numMinDelayRetries) ?? base.numMinDelayRetries,
    numMaxDelayRetries: num(fields.numMaxDelayRetries) ?? base.numMaxDelayRetries,
    backoffFunction: fn && FUNCTIONS.has(fn) ? fn : base.backoffFunction,
  };
}

/**
 * The policy an HTTP/S subscription is delivered with: the topic's "http"
 * defaults, overridden field by field by the subscription's own policy
 * unless the topic sets disableSubscriptionOverrides.
 */
export function effectiveHttpPolicy(topicPolicy: string | undefined, subscriptionPolicy: string | undefined): EffectivePolicy {
  const topic = parse(topicPolicy)?.http as Record<string, any> | undefined;
  const sub = topic?.disableSubscriptionOverrides === true ? undefined : parse(subscriptionPolicy);
  const retry = retryFrom(sub?.healthyRetryPolicy, retryFrom(topic?.defaultHealthyRetryPolicy, DEFAULT_HTTP_RETRY));
  const rate = num(sub?.throttlePolicy?.maxReceivesPerSecond) ?? num(topic?.defaultThrottlePolicy?.maxReceivesPerSecond);
  const contentType = sub?.requestPolicy?.headerContentType ?? topic?.defaultRequestPolicy?.headerContentType;
  return {
    retry,
    ...(rate ? { maxReceivesPerSecond: rate } : {}),
    ...(typeof contentType === 'string' && contentType ? { headerContentType: contentType } : {}),
  };
}

/**
 * The delay in seconds before retry `n` (1 for the first retry), or
 * undefined once the policy has no retries left.
 */
export function retryDelaySeconds(p: RetryPolicy, n: number): number | undefined {
  if (n < 1 || n > p.numRetries) return undefined;
  const min = Math.min(p.minDelayTarget, p.maxDelayTarget);
  const max = p.maxDelayTarget;
  const noDelay = Math.min(p.numNoDelayRetries, p.numRetries);
  const minDelay = Math.min(p.numMinDelayRetries, p.numRetries - noDelay);
  const maxDelay = Math.min(p.numMaxDelayRetries, p.numRetries - noDelay - minDelay);
  const backoff = p.numRetries - noDelay - minDelay - maxDelay;
  if (n <= noDelay) return 0;
  if (n <= noDelay + minDelay) return min;
  if (n <= noDelay + minDelay + backoff) return backoffDelay(p.backoffFunction, min, max, n - noDelay - minDelay, backoff);
  return max;
}

/**
 * Retry `i` of `count` in the backoff phase: the first waits the minimum, the
 * last the maximum, and between them the delay rises along a straight line
 * (linear), a parabola (arithmetic), a constant ratio (geometric) or an
 * exponential curve that stays low longer (exponential). AWS publishes these
 * shapes only as a graph; these curves follow it.
 */
export function backoffDelay(fn: BackoffFunction, min: number, max: number, i: number, count: number): number {
  if (count <= 1 || max <= min) return count <= 1 ? min : max;
  const t = (i - 1) / (count - 1);
  const span = max - min;
  switch (fn) {
    case 'linear':
      return min + span * t;
    case 'arithmetic':
      return min + span * t * t;
    case 'geometric': {
      const from = Math.max(min, 1);
      return from * Math.pow(max / from, t);
    }
    case 'exponential':
      return min + (span * (Math.pow(2, 10 * t) - 1)) / (Math.pow(2, 10) - 1);
  }
}
