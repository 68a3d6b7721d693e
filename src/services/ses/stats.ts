/**
 * Sending quota and statistics. SES counts recipients (not messages) against
 * the 24-hour quota, and GetSendStatistics reports 15-minute data points for
 * the last two weeks. A sandbox account may send 200 messages a day at 1 per
 * second; production starts at 50,000 a day at 14 per second. Stratus
 * enforces the daily quota ("Daily message quota exceeded.") and reports,
 * but does not enforce, the rate.
 * https://docs.aws.amazon.com/ses/latest/dg/quotas.html
 * https://docs.aws.amazon.com/ses/latest/APIReference/API_GetSendQuota.html
 * https://docs.aws.amazon.com/ses/latest/APIReference/API_GetSendStatistics.html
 */
import type { RequestContext } from '../../core/context.js';
import type { WriteOp } from '../../storage/types.js';
import { scope, sesError, TABLES, type Api, type SesContext, type SesMode } from './common.js';

export const QUOTAS: Record<SesMode, { max24HourSend: number; maxSendRate: number }> = {
  sandbox: { max24HourSend: 200, maxSendRate: 1 },
  production: { max24HourSend: 50000, maxSendRate: 14 },
};

const BUCKET_MS = 15 * 60 * 1000;
const DAY_MS = 24 * 3600 * 1000;
const TWO_WEEKS_MS = 14 * DAY_MS;
const DIGITS = 15;

export interface StatsDoc {
  deliveryAttempts: number;
  bounces: number;
  complaints: number;
  rejects: number;
}

type Ctx = Pick<RequestContext, 'accountId' | 'region'>;

const bucketKey = (ctx: Ctx, start: number) => `${scope(ctx)}${String(start).padStart(DIGITS, '0')}`;
const bucketStart = (now: number) => Math.floor(now / BUCKET_MS) * BUCKET_MS;

async function buckets(c: SesContext, ctx: Ctx, since: number) {
  const prefix = scope(ctx);
  const docs = await c.deps.store.list<StatsDoc>(TABLES.stats, { prefix, after: bucketKey(ctx, bucketStart(since) - 1) });
  return docs.map((d) => ({ start: Number(d.key.slice(prefix.length)), stats: d.value }));
}

export async function sentLast24Hours(c: SesContext, ctx: Ctx): Promise<number> {
  const now = c.now();
  return (await buckets(c, ctx, now - DAY_MS)).reduce((n, b) => n + b.stats.deliveryAttempts, 0);
}

export async function sendQuota(c: SesContext, ctx: Ctx) {
  const q = QUOTAS[c.deps.mode];
  return { Max24HourSend: q.max24HourSend, MaxSendRate: q.maxSendRate, SentLast24Hours: await sentLast24Hours(c, ctx) };
}

/** Throws Throttling (v2: LimitExceededException) when `recipients` more would exceed the 24-hour quota. */
export async function checkQuota(c: SesContext, ctx: Ctx, recipients: number, api: Api): Promise<void> {
  const sent = await sentLast24Hours(c, ctx);
  if (sent + recipients > QUOTAS[c.deps.mode].max24HourSend) throw sesError(api === 1 ? 'Throttling' : 'LimitExceededException', 'Daily message quota exceeded.');
}

/** The write that counts `recipients` delivery attempts in the current bucket, conditional on what was read. */
export async function countOp(c: SesContext, ctx: Ctx, recipients: number): Promise<WriteOp> {
  const key = bucketKey(ctx, bucketStart(c.now()));
  const found = await c.deps.store.get<StatsDoc>(TABLES.stats, key);
  const base = found?.value ?? { deliveryAttempts: 0, bounces: 0, complaints: 0, rejects: 0 };
  return {
    op: 'put',
    table: TABLES.stats,
    key,
    value: { ...base, deliveryAttempts: base.deliveryAttempts + recipients },
    condition: found ? { ifVersion: found.version } : { ifNotExists: true },
  };
}

export async function sendStatistics(c: SesContext, ctx: Ctx) {
  const points = await buckets(c, ctx, c.now() - TWO_WEEKS_MS);
  return {
    SendDataPoints: points.map((b) => ({
      Timestamp: new Date(b.start),
      DeliveryAttempts: b.stats.deliveryAttempts,
      Bounces: b.stats.bounces,
      Complaints: b.stats.complaints,
      Rejects: b.stats.rejects,
    })),
  };
}
