/**
 * The metrics recorder: what the invoke path and PutMetricData call. Samples
 * are folded in memory into per-minute aggregates and written in batches
 * (every second, or sooner when many series are pending), so recording costs
 * a map update on the hot path. Writes are read-merge-write under the store's
 * version conditions, so several processes may record into one store. One
 * recorder per store: the monitoring service flushes it before it reads.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/publishingMetrics.html
 */
import { ConditionFailedError, type DocumentStore, type WriteOp } from '../../storage/types.js';
import { CATALOG_TABLE, DATA_TABLE, canonicalDimensions, merge, minuteKey, seriesKey, type Aggregate, type CatalogEntry, type Dimension } from './models.js';

const FLUSH_MS = 1000;
const MAX_PENDING = 500;

export interface MetricsRecorder {
  record(accountId: string, region: string, namespace: string, metric: string, dimensions: Dimension[], value: number, unit: string, at: number | Date): void;
  /** Adds a pre-aggregated sample set (PutMetricData's StatisticValues, Values/Counts). */
  recordAggregate(accountId: string, region: string, namespace: string, metric: string, dimensions: Dimension[], agg: Aggregate, at: number | Date): void;
  /** Writes everything pending; resolves once it is in the store. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

interface Pending {
  series: string;
  catalog: CatalogEntry;
  minute: number;
  agg: Aggregate;
}

const recorders = new WeakMap<DocumentStore, MetricsRecorder>();

/** The recorder of a store (created on first use). */
export function createMetricsRecorder(store: DocumentStore): MetricsRecorder {
  const existing = recorders.get(store);
  if (existing) return existing;
  let pending = new Map<string, Pending>();
  let timer: NodeJS.Timeout | undefined;
  let chain: Promise<void> = Promise.resolve();

  const schedule = () => {
    if (pending.size >= MAX_PENDING) void recorder.flush().catch(() => undefined);
    else if (!timer) {
      timer = setTimeout(() => {
        timer = undefined;
        void recorder.flush().catch(() => undefined);
      }, FLUSH_MS);
      timer.unref();
    }
  };

  const recorder: MetricsRecorder = {
    record(accountId, region, namespace, metric, dimensions, value, unit, at) {
      recorder.recordAggregate(accountId, region, namespace, metric, dimensions, { sampleCount: 1, sum: value, min: value, max: value, unit }, at);
    },
    recordAggregate(accountId, region, namespace, metric, dimensions, agg, at) {
      const ms = typeof at === 'number' ? at : at.getTime();
      const minute = Math.floor(ms / 60_000);
      const dims = canonicalDimensions(dimensions);
      const series = seriesKey(accountId, region, namespace, metric, dims);
      const key = minuteKey(series, minute);
      const p = pending.get(key);
      if (p) {
        p.agg = merge(p.agg, agg);
        p.catalog.lastSeen = Math.max(p.catalog.lastSeen, ms);
      } else pending.set(key, { series, minute, agg: { ...agg }, catalog: { namespace, metricName: metric, dimensions: dims, lastSeen: ms } });
      schedule();
    },
    flush() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      const batch = pending;
      pending = new Map();
      // Flushes run one after another, so a reader that awaits flush() sees all earlier samples.
      chain = chain.then(() => write(store, batch)).catch(() => undefined);
      return chain;
    },
    async close() {
      await recorder.flush();
    },
  };
  recorders.set(store, recorder);
  return recorder;
}

/**
 * One flush is one transaction (one fsync with --durability full), not one per
 * series: every document is read, merged and written in a single conditional
 * batch, retried whole when another writer changed one of them meanwhile.
 */
async function write(store: DocumentStore, batch: Map<string, Pending>): Promise<void> {
  const catalog = new Map<string, CatalogEntry>();
  for (const p of batch.values()) {
    const c = catalog.get(p.series);
    if (!c || c.lastSeen < p.catalog.lastSeen) catalog.set(p.series, p.catalog);
  }
  for (let attempt = 0; ; attempt++) {
    const ops: WriteOp[] = [];
    for (const [key, p] of batch) {
      const doc = await store.get<Aggregate>(DATA_TABLE, key);
      ops.push({ op: 'put', table: DATA_TABLE, key, value: merge(doc?.value, p.agg), condition: doc ? { ifVersion: doc.version } : { ifNotExists: true } });
    }
    for (const [series, entry] of catalog) {
      const doc = await store.get<CatalogEntry>(CATALOG_TABLE, series);
      const value = { ...entry, lastSeen: Math.max(doc?.value.lastSeen ?? 0, entry.lastSeen) };
      ops.push({ op: 'put', table: CATALOG_TABLE, key: series, value, condition: doc ? { ifVersion: doc.version } : { ifNotExists: true } });
    }
    try {
      if (ops.length > 0) await store.batch(ops);
      return;
    } catch (err) {
      if (!(err instanceof ConditionFailedError) || attempt >= 20) throw err;
    }
  }
}

/** Read-merge-write under a version condition, retried when another writer got there first. */
export async function mergeInto<T>(store: DocumentStore, table: string, key: string, fn: (old: T | undefined) => T): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const doc = await store.get<T>(table, key);
    try {
      await store.put(table, key, fn(doc?.value), doc ? { ifVersion: doc.version } : { ifNotExists: true });
      return;
    } catch (err) {
      if (!(err instanceof ConditionFailedError) || attempt >= 20) throw err;
    }
  }
}
