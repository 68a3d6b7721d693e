/**
 * Amazon CloudWatch Logs: log groups, streams and events, retention that is
 * enforced, filter patterns, tags; plus the sink the function engine writes
 * Lambda logs through and the retention sweep the server runs periodically.
 * State lives in the DocumentStore, keyed by account and region (models.ts).
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/Welcome.html
 */
import type { DocumentStore } from '../../storage/types.js';
import type { ServiceDefinition } from '../types.js';
import { logsOperations } from './provider.js';

export { createLogSink } from './sink.js';
export { sweepRetention } from './retention.js';

export function createLogsService(deps: { store: DocumentStore; now?: () => number }): ServiceDefinition {
  return { name: 'logs', signingName: 'logs', actionPrefix: 'logs', operations: logsOperations(deps) };
}
