/**
 * Amazon CloudWatch metrics (the `monitoring` model, IAM prefix `cloudwatch`):
 * the API over per-minute aggregates in the DocumentStore, and the recorder
 * other layers feed (the server records Lambda's AWS/Lambda metrics through
 * it when invocations finish).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/Welcome.html
 * https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
 */
import type { DocumentStore } from '../../storage/types.js';
import type { ServiceDefinition } from '../types.js';
import { monitoringOperations } from './provider.js';
import { createMetricsRecorder } from './recorder.js';

export { createMetricsRecorder, mergeInto, type MetricsRecorder } from './recorder.js';
export type { Dimension } from './models.js';

export function createMonitoringService(deps: { store: DocumentStore; now?: () => number }): ServiceDefinition {
  const operations = monitoringOperations({ store: deps.store, recorder: createMetricsRecorder(deps.store), now: deps.now ?? Date.now });
  return { name: 'monitoring', signingName: 'monitoring', actionPrefix: 'cloudwatch', operations };
}
