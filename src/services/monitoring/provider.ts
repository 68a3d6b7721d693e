/**
 * CloudWatch metrics operations: GetMetricStatistics, GetMetricData
 * (MetricStat queries; metric math expressions are refused clearly),
 * ListMetrics and PutMetricData, over the store models.ts lays out. Input
 * checks follow the API reference's constraints and CloudWatch's error codes.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Operations.html
 */
import type { RequestContext } from '../../core/context.js';
import type { DocumentStore } from '../../storage/types.js';
import type { OperationSpec } from '../types.js';
import { invalidCombination, invalidToken, invalidValue, missing } from './errors.js';
import { CATALOG_TABLE, scopePrefix, type CatalogEntry, type Dimension } from './models.js';
import { readBuckets, statistic, STATISTICS, type Statistic } from './read.js';
import type { MetricsRecorder } from './recorder.js';

export interface MonitoringDeps {
  store: DocumentStore;
  recorder: MetricsRecorder;
  now: () => number;
}

const MAX_DATAPOINTS = 1440;
const LIST_PAGE = 500;
const TWO_WEEKS_MS = 14 * 24 * 3600 * 1000;
const TWO_HOURS_MS = 2 * 3600 * 1000;

function checkDimensions(dims: Dimension[] | undefined, where = 'Dimensions'): Dimension[] {
  const list = dims ?? [];
  if (list.length > 30) throw invalidValue(`The collection ${where} must not have a size greater than 30.`);
  list.forEach((d, i) => {
    if (!d.Name) throw missing(`${where}.member.${i + 1}.Name`);
    if (d.Value === undefined) throw missing(`${where}.member.${i + 1}.Value`);
  });
  return list;
}

function checkRange(start: Date | undefined, end: Date | undefined): { start: Date; end: Date } {
  if (!start) throw missing('StartTime');
  if (!end) throw missing('EndTime');
  if (start.getTime() >= end.getTime()) throw invalidValue('The parameter StartTime must be less than the parameter EndTime.');
  return { start, end };
}

function checkPeriod(period: number | undefined, where = 'Period'): number {
  if (period === undefined) throw missing(where);
  if (!Number.isInteger(period) || period < 1) throw invalidValue(`The parameter ${where} must be greater than 0.`);
  // Stratus keeps one-minute aggregates, so only standard-resolution periods can be answered.
  if (period % 60 !== 0) throw invalidValue(`The parameter ${where} must be a multiple of 60.`);
  return period;
}

function checkDatapoints(start: Date, end: Date, period: number): void {
  const n = Math.ceil((end.getTime() - Math.floor(start.getTime() / 60_000) * 60_000) / 1000 / period);
  if (n > MAX_DATAPOINTS) {
    throw invalidCombination(`You have requested up to ${n.toLocaleString('en-US')} datapoints, which exceeds the limit of 1,440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`);
  }
}

function isStatistic(s: string): s is Statistic {
  return (STATISTICS as readonly string[]).includes(s);
}

const scope = (ctx: RequestContext) => ({ accountId: ctx.accountId, region: ctx.region });

interface GetStatsInput {
  Namespace?: string;
  MetricName?: string;
  Dimensions?: Dimension[];
  StartTime?: Date;
  EndTime?: Date;
  Period?: number;
  Statistics?: string[];
  ExtendedStatistics?: string[];
  Unit?: string;
}

interface MetricDataQuery {
  Id?: string;
  MetricStat?: { Metric?: { Namespace?: string; MetricName?: string; Dimensions?: Dimension[] }; Period?: number; Stat?: string; Unit?: string };
  Expression?: string;
  Label?: string;
  ReturnData?: boolean;
}

interface MetricDatum {
  MetricName?: string;
  Dimensions?: Dimension[];
  Timestamp?: Date;
  Value?: number;
  StatisticValues?: { SampleCount: number; Sum: number; Minimum: number; Maximum: number };
  Values?: number[];
  Counts?: number[];
  Unit?: string;
}

export function monitoringOperations(d: MonitoringDeps): Record<string, OperationSpec> {
  return {
    GetMetricStatistics: {
      async handler(input: GetStatsInput, ctx) {
        if (!input.Namespace) throw missing('Namespace');
        if (!input.MetricName) throw missing('MetricName');
        const { start, end } = checkRange(input.StartTime, input.EndTime);
        const period = checkPeriod(input.Period);
        const stats = input.Statistics ?? [];
        if (stats.length === 0 && !(input.ExtendedStatistics ?? []).length) throw invalidCombination('Must specify either Statistics or ExtendedStatistics');
        if ((input.ExtendedStatistics ?? []).length) throw invalidValue('ExtendedStatistics (percentiles) are not supported by Stratus yet.');
        if (stats.length > 5) throw invalidValue('The collection Statistics must not have a size greater than 5.');
        stats.forEach((s, i) => {
          if (!isStatistic(s)) throw invalidValue(`The parameter Statistics.member.${i + 1} must be a value in the set [ Average, Sum, SampleCount, Maximum, Minimum ].`);
        });
        checkDatapoints(start, end, period);
        await d.recorder.flush();
        const buckets = await readBuckets(d.store, { ...scope(ctx), namespace: input.Namespace, metricName: input.MetricName, dimensions: checkDimensions(input.Dimensions), start, end, periodSeconds: period, unit: input.Unit });
        return {
          Label: input.MetricName,
          Datapoints: buckets.map((b) => {
            const dp: Record<string, unknown> = { Timestamp: b.timestamp, Unit: b.agg.unit };
            for (const s of stats as Statistic[]) dp[s] = statistic(b.agg, s);
            return dp;
          }),
        };
      },
    },

    GetMetricData: {
      async handler(input: { MetricDataQueries?: MetricDataQuery[]; StartTime?: Date; EndTime?: Date; ScanBy?: string; MaxDatapoints?: number }, ctx) {
        const queries = input.MetricDataQueries;
        if (!queries) throw missing('MetricDataQueries');
        const { start, end } = checkRange(input.StartTime, input.EndTime);
        if (queries.length > 500) throw invalidValue('The collection MetricDataQueries must not have a size greater than 500.');
        const scanBy = input.ScanBy ?? 'TimestampDescending';
        if (scanBy !== 'TimestampDescending' && scanBy !== 'TimestampAscending') throw invalidValue(`The parameter ScanBy must be a value in the set [ TimestampDescending, TimestampAscending ].`);
        const ids = new Set<string>();
        queries.forEach((q, i) => {
          const where = `MetricDataQueries.member.${i + 1}`;
          if (!q.Id) throw missing(`${where}.Id`);
          if (!/^[a-z][a-zA-Z0-9_]*$/.test(q.Id)) throw invalidValue(`The value ${q.Id} for parameter ${where}.Id is invalid: it must start with a lowercase letter and contain only letters, numbers and underscores.`);
          if (ids.has(q.Id)) throw invalidValue(`The value ${q.Id} for parameter ${where}.Id is duplicated.`);
          ids.add(q.Id);
          if (q.Expression !== undefined && q.MetricStat) throw invalidCombination(`The parameters ${where}.MetricStat and ${where}.Expression are mutually exclusive and you have specified both.`);
          if (q.Expression !== undefined) throw invalidValue('Expressions are not supported by Stratus yet.');
          if (!q.MetricStat) throw invalidCombination(`Exactly one element of ${where}.MetricStat and ${where}.Expression must be specified.`);
          const m = q.MetricStat;
          if (!m.Metric?.Namespace || !m.Metric.MetricName) throw missing(`${where}.MetricStat.Metric.${m.Metric?.Namespace ? 'MetricName' : 'Namespace'}`);
          checkPeriod(m.Period, `${where}.MetricStat.Period`);
          if (!m.Stat || !isStatistic(m.Stat)) throw invalidValue(`The statistic ${m.Stat ?? ''} for ${where}.MetricStat.Stat is not supported by Stratus yet (supported: ${STATISTICS.join(', ')}).`);
          checkDimensions(m.Metric.Dimensions, `${where}.MetricStat.Metric.Dimensions`);
        });
        await d.recorder.flush();
        const results = [];
        for (const q of queries) {
          if (q.ReturnData === false) continue;
          const m = q.MetricStat!;
          const buckets = await readBuckets(d.store, { ...scope(ctx), namespace: m.Metric!.Namespace!, metricName: m.Metric!.MetricName!, dimensions: m.Metric!.Dimensions ?? [], start, end, periodSeconds: m.Period!, unit: m.Unit });
          if (scanBy === 'TimestampDescending') buckets.reverse();
          const limited = input.MaxDatapoints ? buckets.slice(0, input.MaxDatapoints) : buckets;
          results.push({ Id: q.Id, Label: q.Label ?? m.Metric!.MetricName, Timestamps: limited.map((b) => b.timestamp), Values: limited.map((b) => statistic(b.agg, m.Stat as Statistic)), StatusCode: 'Complete', Messages: [] });
        }
        return { MetricDataResults: results, Messages: [] };
      },
    },

    ListMetrics: {
      async handler(input: { Namespace?: string; MetricName?: string; Dimensions?: { Name: string; Value?: string }[]; NextToken?: string; RecentlyActive?: string }, ctx) {
        if (input.RecentlyActive !== undefined && input.RecentlyActive !== 'PT3H') throw invalidValue('The parameter RecentlyActive must be a value in the set [ PT3H ].');
        const filters = input.Dimensions ?? [];
        if (filters.length > 10) throw invalidValue('The collection Dimensions must not have a size greater than 10.');
        await d.recorder.flush();
        const prefix = scopePrefix(ctx.accountId, ctx.region);
        let after = input.NextToken;
        if (after !== undefined && !after.startsWith(prefix)) throw invalidToken(after);
        const since = d.now() - 3 * 3600 * 1000;
        const metrics: CatalogEntry[] = [];
        let next: string | undefined;
        outer: for (;;) {
          const page = await d.store.list<CatalogEntry>(CATALOG_TABLE, { prefix, ...(after ? { after } : {}), limit: LIST_PAGE });
          for (const doc of page) {
            const m = doc.value;
            after = doc.key;
            if (input.Namespace !== undefined && m.namespace !== input.Namespace) continue;
            if (input.MetricName !== undefined && m.metricName !== input.MetricName) continue;
            if (input.RecentlyActive && m.lastSeen < since) continue;
            if (!filters.every((f) => m.dimensions.some((x) => x.Name === f.Name && (f.Value === undefined || x.Value === f.Value)))) continue;
            metrics.push(m);
            if (metrics.length === LIST_PAGE) {
              next = doc.key;
              break outer;
            }
          }
          if (page.length < LIST_PAGE) break;
        }
        return { Metrics: metrics.map((m) => ({ Namespace: m.namespace, MetricName: m.metricName, Dimensions: m.dimensions })), ...(next ? { NextToken: next } : {}) };
      },
    },

    PutMetricData: {
      async handler(input: { Namespace?: string; MetricData?: MetricDatum[] }, ctx) {
        if (!input.Namespace) throw missing('Namespace');
        if (input.Namespace.startsWith('AWS/')) throw invalidValue(`The value ${input.Namespace} for parameter Namespace is invalid.`);
        const data = input.MetricData;
        if (!data) throw missing('MetricData');
        if (data.length > 1000) throw invalidValue('The collection MetricData must not have a size greater than 1000.');
        const now = d.now();
        const samples = data.map((m, i) => {
          const where = `MetricData.member.${i + 1}`;
          if (!m.MetricName) throw missing(`${where}.MetricName`);
          const dims = checkDimensions(m.Dimensions, `${where}.Dimensions`);
          const at = m.Timestamp?.getTime() ?? now;
          if (at < now - TWO_WEEKS_MS || at > now + TWO_HOURS_MS) throw invalidValue(`The parameter ${where}.Timestamp must specify a time no more than two weeks in the past or two hours in the future.`);
          const given = [m.Value !== undefined && 'Value', m.StatisticValues && 'StatisticValues', m.Values && 'Values'].filter(Boolean) as string[];
          if (given.length > 1) throw invalidCombination(`The parameters ${where}.${given[0]} and ${where}.${given[1]} are mutually exclusive and you have specified both.`);
          const unit = m.Unit ?? 'None';
          if (m.StatisticValues) {
            const s = m.StatisticValues;
            if (s.SampleCount <= 0) throw invalidValue(`The parameter ${where}.StatisticValues.SampleCount must be greater than 0.`);
            if (s.Minimum > s.Maximum) throw invalidValue(`The parameter ${where}.StatisticValues.Minimum must be less than or equal to ${where}.StatisticValues.Maximum.`);
            return { name: m.MetricName, dims, at, agg: { sampleCount: s.SampleCount, sum: s.Sum, min: s.Minimum, max: s.Maximum, unit } };
          }
          const values = m.Values ?? (m.Value !== undefined ? [m.Value] : []);
          if (values.length === 0) throw invalidCombination(`At least one of the parameters ${where}.Value, ${where}.StatisticValues or ${where}.Values must be specified.`);
          const counts = m.Counts ?? values.map(() => 1);
          if (counts.length !== values.length) throw invalidValue(`The parameters ${where}.Values and ${where}.Counts must be of the same size.`);
          if (values.some((v) => !Number.isFinite(v))) throw invalidValue(`The value for parameter ${where}.Value is not a finite number.`);
          let sum = 0;
          let n = 0;
          values.forEach((v, j) => {
            sum += v * counts[j]!;
            n += counts[j]!;
          });
          return { name: m.MetricName, dims, at, agg: { sampleCount: n, sum, min: Math.min(...values), max: Math.max(...values), unit } };
        });
        for (const s of samples) d.recorder.recordAggregate(ctx.accountId, ctx.region, input.Namespace, s.name, s.dims, s.agg, s.at);
        await d.recorder.flush();
        return {};
      },
    },
  };
}

