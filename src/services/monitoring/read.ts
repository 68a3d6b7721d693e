/**
 * Reading series back: the per-minute aggregates of one series in a time
 * range, folded into Period-long buckets and turned into the statistics
 * GetMetricStatistics and GetMetricData return. Buckets start at StartTime
 * rounded down to the minute, as CloudWatch aligns them.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricStatistics.html
 */
import type { DocumentStore } from '../../storage/types.js';
import { DATA_TABLE, merge, minuteKey, minuteOf, seriesKey, type Aggregate, type Dimension } from './models.js';

export const STATISTICS = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'] as const;
export type Statistic = (typeof STATISTICS)[number];

export interface SeriesQuery {
  accountId: string;
  region: string;
  namespace: string;
  metricName: string;
  dimensions: Dimension[];
  start: Date;
  end: Date;
  periodSeconds: number;
  unit?: string;
}

export interface Bucket {
  timestamp: Date;
  agg: Aggregate;
}

const PAGE = 1000;

export async function readBuckets(store: DocumentStore, q: SeriesQuery): Promise<Bucket[]> {
  const series = seriesKey(q.accountId, q.region, q.namespace, q.metricName, q.dimensions);
  const startMinute = Math.floor(q.start.getTime() / 60_000);
  const endMs = q.end.getTime();
  const periodMinutes = q.periodSeconds / 60;
  const buckets = new Map<number, Aggregate>();
  let after = minuteKey(series, startMinute - 1);
  for (;;) {
    const page = await store.list<Aggregate>(DATA_TABLE, { prefix: `${series}/`, after, limit: PAGE });
    let done = page.length < PAGE;
    for (const doc of page) {
      const minute = minuteOf(doc.key);
      if (minute * 60_000 >= endMs) {
        done = true;
        break;
      }
      if (q.unit !== undefined && doc.value.unit !== q.unit) continue;
      const bucket = startMinute + Math.floor((minute - startMinute) / periodMinutes) * periodMinutes;
      buckets.set(bucket, merge(buckets.get(bucket), doc.value));
    }
    if (done || page.length === 0) break;
    after = page[page.length - 1]!.key;
  }
  return [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([minute, agg]) => ({ timestamp: new Date(minute * 60_000), agg }));
}

export function statistic(agg: Aggregate, stat: Statistic): number {
  switch (stat) {
    case 'SampleCount':
      return agg.sampleCount;
    case 'Sum':
      return agg.sum;
    case 'Minimum':
      return agg.min;
    case 'Maximum':
      return agg.max;
    case 'Average':
      return agg.sampleCount === 0 ? 0 : agg.sum / agg.sampleCount;
  }
}
