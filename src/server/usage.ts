/**
 * The usage meter: requests and GB-seconds per account, region, function and
 * month, with an estimated bill at Lambda's public x86 prices less the
 * monthly free tier (1M requests, 400,000 GB-seconds, per account). Counts
 * are batched in memory and merged into the DocumentStore every second.
 * https://aws.amazon.com/lambda/pricing/
 */
import type { DocumentStore } from '../storage/types.js';
import { mergeInto } from '../services/monitoring/index.js';

export const USAGE_TABLE = 'stratus.usage';
export const PRICES = { perRequest: 0.2 / 1_000_000, perGbSecond: 0.0000166667, freeRequests: 1_000_000, freeGbSeconds: 400_000 };

interface UsageDoc {
  accountId: string;
  region: string;
  functionName: string;
  month: string;
  requests: number;
  gbSeconds: number;
}

export interface UsageMeter {
  add(accountId: string, region: string, functionName: string, billedDurationMs: number, memoryMb: number, at?: number): void;
  flush(): Promise<void>;
  /** The account's usage of a month (YYYY-MM, default the current one). */
  report(accountId: string, month?: string): Promise<UsageReport>;
}

export interface UsageReport {
  month: string;
  functions: { region: string; functionName: string; requests: number; gbSeconds: number; costUsd: number }[];
  totals: { requests: number; gbSeconds: number; grossCostUsd: number; freeTier: { requests: number; gbSeconds: number }; estimatedCostUsd: number };
}

const monthOf = (ms: number) => new Date(ms).toISOString().slice(0, 7);
const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
const keyOf = (accountId: string, month: string, region: string, fn: string) => `${accountId}/${month}/${region}/${fn}`;

export function createUsageMeter(store: DocumentStore): UsageMeter {
  let pending = new Map<string, UsageDoc>();
  let timer: NodeJS.Timeout | undefined;
  let chain: Promise<void> = Promise.resolve();
  const meter: UsageMeter = {
    add(accountId, region, functionName, billedDurationMs, memoryMb, at = Date.now()) {
      const month = monthOf(at);
      const key = keyOf(accountId, month, region, functionName);
      const p = pending.get(key) ?? { accountId, region, functionName, month, requests: 0, gbSeconds: 0 };
      p.requests += 1;
      p.gbSeconds += (billedDurationMs * memoryMb) / 1024 / 1000;
      pending.set(key, p);
      if (!timer) {
        timer = setTimeout(() => void meter.flush(), 1000);
        timer.unref();
      }
    },
    flush() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      const batch = pending;
      pending = new Map();
      chain = chain
        .then(async () => {
          for (const [key, p] of batch) {
            await mergeInto<UsageDoc>(store, USAGE_TABLE, key, (old) => ({ ...p, requests: (old?.requests ?? 0) + p.requests, gbSeconds: (old?.gbSeconds ?? 0) + p.gbSeconds }));
          }
        })
        .catch(() => undefined);
      return chain;
    },
    async report(accountId, month = monthOf(Date.now())) {
      await meter.flush();
      const docs = await store.list<UsageDoc>(USAGE_TABLE, { prefix: `${accountId}/${month}/` });
      const functions = docs.map(({ value: u }) => ({
        region: u.region,
        functionName: u.functionName,
        requests: u.requests,
        gbSeconds: round(u.gbSeconds, 6),
        costUsd: round(u.requests * PRICES.perRequest + u.gbSeconds * PRICES.perGbSecond, 6),
      }));
      const requests = functions.reduce((a, f) => a + f.requests, 0);
      const gbSeconds = docs.reduce((a, d) => a + d.value.gbSeconds, 0);
      const gross = requests * PRICES.perRequest + gbSeconds * PRICES.perGbSecond;
      const net = Math.max(0, requests - PRICES.freeRequests) * PRICES.perRequest + Math.max(0, gbSeconds - PRICES.freeGbSeconds) * PRICES.perGbSecond;
      return {
        month,
        functions,
        totals: { requests, gbSeconds: round(gbSeconds, 6), grossCostUsd: round(gross, 6), freeTier: { requests: PRICES.freeRequests, gbSeconds: PRICES.freeGbSeconds }, estimatedCostUsd: round(net, 6) },
      };
    },
  };
  return meter;
}
