/**
 * CloudWatch metric state in the DocumentStore: per-minute aggregates
 * (SampleCount, Sum, Minimum, Maximum) keyed account/region/namespace/metric/
 * dimensions/minute so a time range of one series is a single ordered scan,
 * and a catalogue of known metrics for ListMetrics. Key components are
 * percent-encoded, so '/' only ever separates them.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html
 */

export const DATA_TABLE = 'monitoring.datapoints';
export const CATALOG_TABLE = 'monitoring.metrics';

export interface Dimension {
  Name: string;
  Value: string;
}

/** One minute of one series. */
export interface Aggregate {
  sampleCount: number;
  sum: number;
  min: number;
  max: number;
  unit: string;
}

export interface CatalogEntry {
  namespace: string;
  metricName: string;
  dimensions: Dimension[];
  /** Epoch ms of the newest datapoint, for ListMetrics' RecentlyActive. */
  lastSeen: number;
}

const enc = encodeURIComponent;

/** Dimensions in a canonical order: AWS matches them as a set. */
export function canonicalDimensions(dims: Dimension[] | undefined): Dimension[] {
  return [...(dims ?? [])].map((d) => ({ Name: d.Name, Value: d.Value })).sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
}

function dimsKey(dims: Dimension[]): string {
  return canonicalDimensions(dims)
    .map((d) => `${enc(d.Name)}=${enc(d.Value)}`)
    .join('&');
}

export function scopePrefix(accountId: string, region: string): string {
  return `${accountId}/${region}/`;
}

/** The catalogue key of one series; its datapoints live under `${seriesKey}/`. */
export function seriesKey(accountId: string, region: string, namespace: string, metricName: string, dims: Dimension[]): string {
  return `${scopePrefix(accountId, region)}${enc(namespace)}/${enc(metricName)}/${enc(dimsKey(dims))}`;
}

/** Minutes since the epoch, fixed width so that keys sort by time. */
export function minuteKey(series: string, minute: number): string {
  return `${series}/${String(minute).padStart(10, '0')}`;
}

export function minuteOf(key: string): number {
  return Number(key.slice(key.lastIndexOf('/') + 1));
}

export function merge(into: Aggregate | undefined, add: Aggregate): Aggregate {
  if (!into) return { ...add };
  return { sampleCount: into.sampleCount + add.sampleCount, sum: into.sum + add.sum, min: Math.min(into.min, add.min), max: Math.max(into.max, add.max), unit: add.unit };
}
