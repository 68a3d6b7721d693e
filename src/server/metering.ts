/**
 * Wraps the function engine so every finished invocation feeds Lambda's
 * CloudWatch metrics (AWS/Lambda: Invocations, Errors, Throttles, Duration,
 * ConcurrentExecutions, by FunctionName, by FunctionName+Resource when
 * qualified, and account-wide) and the usage meter. Done here, around the
 * engine, so the Lambda service and the async dispatcher stay unaware of it.
 * https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
 */
import { isServiceError } from '../core/errors.js';
import type { FunctionEngine, InvokeRequest } from '../functions/types.js';
import type { Dimension, MetricsRecorder } from '../services/monitoring/index.js';
import type { UsageMeter } from './usage.js';

const NS = 'AWS/Lambda';

/** The dimension sets one invocation is counted under. */
function dimensionSets(req: InvokeRequest): Dimension[][] {
  const name = req.fn.functionName;
  const sets: Dimension[][] = [[], [{ Name: 'FunctionName', Value: name }]];
  const qualifier = req.invokedArn.split(':')[7];
  if (qualifier) sets.push([{ Name: 'FunctionName', Value: name }, { Name: 'Resource', Value: `${name}:${qualifier}` }]);
  return sets;
}

export function meteredEngine(engine: FunctionEngine, recorder: MetricsRecorder, usage: UsageMeter): FunctionEngine {
  const running = new Map<string, number>();
  return {
    ...engine,
    retire: (arn, version) => engine.retire(arn, version),
    stats: () => engine.stats(),
    close: () => engine.close(),
    async invoke(req) {
      const { accountId, region, functionName, functionArn } = req.fn;
      const at = Date.now();
      const sets = dimensionSets(req);
      const put = (metric: string, value: number, unit: string) => {
        for (const dims of sets) recorder.record(accountId, region, NS, metric, dims, value, unit, at);
      };
      const inFlight = (running.get(functionArn) ?? 0) + 1;
      running.set(functionArn, inFlight);
      try {
        const result = await engine.invoke(req);
        put('Invocations', 1, 'Count');
        put('Errors', result.functionError ? 1 : 0, 'Count');
        put('Duration', result.durationMs, 'Milliseconds');
        put('ConcurrentExecutions', inFlight, 'Count');
        usage.add(accountId, region, functionName, result.billedDurationMs, req.fn.memoryMb, at);
        return result;
      } catch (err) {
        if (isServiceError(err) && err.code === 'TooManyRequestsException') put('Throttles', 1, 'Count');
        else {
          put('Invocations', 1, 'Count');
          put('Errors', 1, 'Count');
        }
        throw err;
      } finally {
        const left = (running.get(functionArn) ?? 1) - 1;
        if (left <= 0) running.delete(functionArn);
        else running.set(functionArn, left);
      }
    },
  };
}
