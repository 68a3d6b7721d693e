/**
 * The function engine's log sink: appends a function's START/END/REPORT and
 * output lines to `/aws/lambda/<name>`, creating the group and stream on first
 * use as Lambda does. Appends to one stream are queued and coalesced, so a
 * burst of invocations in one environment becomes a few batches rather than
 * one conflicting write each; every append resolves once its events are
 * stored. No PutLogEvents rules apply: Lambda's own writes are not rejected.
 * https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html
 */
import type { FunctionLogSink } from '../../functions/types.js';
import type { DocumentStore } from '../../storage/types.js';
import { logsContext, type LogsContext } from './common.js';
import { appendEvents, type InputEvent } from './ingest.js';

interface Pending {
  events: InputEvent[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface Queue {
  accountId: string;
  region: string;
  group: string;
  stream: string;
  pending: Pending[];
}

const MAX_EVENTS_PER_BATCH = 10_000;

export function createLogSink(store: DocumentStore, options: { now?: () => number } = {}): FunctionLogSink {
  const lc: LogsContext = logsContext({ store, now: options.now });
  const queues = new Map<string, Queue>();

  async function drain(key: string, q: Queue): Promise<void> {
    while (q.pending.length > 0) {
      const taken = q.pending.splice(0);
      const events = taken.flatMap((p) => p.events);
      try {
        for (let i = 0; i < events.length; i += MAX_EVENTS_PER_BATCH) {
          const slice = events.slice(i, i + MAX_EVENTS_PER_BATCH);
          await appendEvents(lc, { accountId: q.accountId, region: q.region, name: q.group, stream: q.stream }, { create: true, prepare: () => ({ events: slice, result: {} }) });
        }
        for (const p of taken) p.resolve();
      } catch (err) {
        for (const p of taken) p.reject(err);
      }
    }
    queues.delete(key);
  }

  return {
    append(accountId, region, group, stream, events) {
      if (events.length === 0) return Promise.resolve();
      const key = `${accountId}:${region}:${group}:${stream}`;
      return new Promise<void>((resolve, reject) => {
        const existing = queues.get(key);
        const item: Pending = { events, resolve, reject };
        if (existing) {
          existing.pending.push(item);
          return;
        }
        const q: Queue = { accountId, region, group, stream, pending: [item] };
        queues.set(key, q);
        void drain(key, q);
      });
    },
  };
}
