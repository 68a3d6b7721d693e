/**
 * CloudWatch Logs' operations, gathered from the per-resource files and
 * wrapped alike: the input's constraints are checked first (AWS answers
 * InvalidParameterException before it looks anything up or authorizes), in
 * `resources` (which the gateway calls before authorizing) and again in the
 * handler for callers that skip it.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_Operations.html
 */
import type { OperationSpec } from '../types.js';
import { logsContext, type LogsDeps, type Operations } from './common.js';
import { eventOperations } from './events.js';
import { filterOperations } from './filter.js';
import { groupOperations } from './groups.js';
import { streamOperations } from './streams.js';
import { validateInput } from './validation.js';

function wrap(operation: string, spec: OperationSpec): OperationSpec {
  const check = (input: Record<string, unknown>) => {
    const invalid = validateInput(operation, input);
    if (invalid) throw invalid;
  };
  return {
    ...spec,
    resources: async (input, ctx) => {
      check(input ?? {});
      return spec.resources ? spec.resources(input ?? {}, ctx) : ['*'];
    },
    handler(input, ctx) {
      check(input ?? {});
      return spec.handler(input ?? {}, ctx);
    },
  };
}

export function logsOperations(deps: LogsDeps): Record<string, OperationSpec> {
  const lc = logsContext(deps);
  const all: Operations = {
    ...groupOperations(lc),
    ...streamOperations(lc),
    ...eventOperations(lc),
    ...filterOperations(lc),
  };
  return Object.fromEntries(Object.entries(all).map(([name, spec]) => [name, wrap(name, spec)]));
}
