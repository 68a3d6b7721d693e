/**
 * Invoke: resolves the function, version or alias (an alias with a routing
 * configuration picks one of its two versions by weight), checks the payload
 * against Lambda's limits and hands the version to the function engine.
 * RequestResponse answers 200 with the function's result and the
 * X-Amz-Function-Error / X-Amz-Log-Result / X-Amz-Executed-Version headers;
 * DryRun answers 204 once the caller is authorized and the function exists;
 * Event (up to 1 MB) is written to the durable queue (async-queue.ts) and
 * answers 202 with an empty body; async-dispatcher.ts runs it later.
 * IAM authorizes it as lambda:InvokeFunction.
 * https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 * https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html
 */
import { ServiceError } from '../../core/errors.js';
import { enqueue, newEvent } from './async-queue.js';
import type { FunctionEngine, InvokeResult } from '../../functions/types.js';
import { resolve, type LambdaContext, type Operations, type Resolved } from './common.js';
import { notReady, tooLarge, validation } from './errors.js';
import { toFunctionSpec, type VersionRecord } from './models.js';
import { functionArn, parseFunctionRef, resourceArn, versionKey, type FunctionRef } from './names.js';
import type { LambdaStore } from './store.js';

export const SYNC_PAYLOAD_LIMIT = 6_291_456;
export const ASYNC_PAYLOAD_LIMIT = 1_048_576;

interface InvokeInput {
  FunctionName: string;
  InvocationType?: string;
  LogType?: string;
  ClientContext?: string;
  Payload?: Buffer;
  Qualifier?: string;
}

function checkPayload(type: string, payload: Buffer): void {
  if (type === 'Event' && payload.length > ASYNC_PAYLOAD_LIMIT) {
    throw tooLarge(`${payload.length} byte payload is too large for the Event invocation type (limit ${ASYNC_PAYLOAD_LIMIT} bytes)`);
  }
  if (payload.length > SYNC_PAYLOAD_LIMIT) throw tooLarge(`Request must be smaller than ${SYNC_PAYLOAD_LIMIT} bytes for the InvokeFunction operation`);
  if (payload.length === 0) return;
  try {
    JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch (err) {
    throw new ServiceError('InvalidRequestContentException', `Could not parse request body into json: Could not parse payload into json: ${(err as Error).message}`);
  }
}

/**
 * The version a synchronous invocation runs: the one the reference resolves to,
 * or for an alias with a routing configuration either of its two by weight.
 * ResourceConflictException when that version is not Active.
 */
export async function pickVersion(db: LambdaStore, ref: FunctionRef, resolved?: Resolved): Promise<{ resolved: Resolved; version: VersionRecord }> {
  resolved ??= await resolve(db, ref);
  let version: VersionRecord = resolved.version;
  const weights = resolved.alias?.weights;
  if (weights) {
    const [other, weight] = Object.entries(weights)[0] ?? [];
    if (other !== undefined && weight !== undefined && Math.random() < weight) {
      version = (await db.getVersion(ref, versionKey(ref, other))) ?? version;
    }
  }
  if (version.state !== 'Active') throw notReady(version.state);
  return { resolved, version };
}

/** Runs a picked version once, synchronously, through the function engine (Invoke and service invocations alike). */
export function runVersion(engine: FunctionEngine, ref: FunctionRef, resolved: Resolved, version: VersionRecord, payload: Buffer, requestId: string, opts: { clientContext?: string; tailLog?: boolean } = {}): Promise<InvokeResult> {
  return engine.invoke({
    fn: toFunctionSpec(version, resolved.fn.value.reservedConcurrency),
    payload,
    requestId,
    invokedArn: functionArn(ref, ref.qualifier),
    ...(opts.clientContext ? { clientContext: opts.clientContext } : {}),
    tailLog: opts.tailLog ?? false,
    invocationType: 'RequestResponse',
  });
}

export function invokeOperations(c: LambdaContext): Operations {
  const { db, deps } = c;
  return {
    Invoke: {
      action: 'lambda:InvokeFunction',
      resources: (input: InvokeInput, ctx) => resourceArn(input.FunctionName, ctx, input.Qualifier),
      async handler(input: InvokeInput, ctx) {
        const type = input.InvocationType ?? 'RequestResponse';
        if (type !== 'RequestResponse' && type !== 'Event' && type !== 'DryRun') {
          throw validation(type, 'invocationType', 'Member must satisfy enum value set: [Event, RequestResponse, DryRun]');
        }
        const logType = input.LogType ?? 'None';
        if (logType !== 'None' && logType !== 'Tail') throw validation(logType, 'logType', 'Member must satisfy enum value set: [None, Tail]');
        const payload = input.Payload ?? Buffer.alloc(0);
        checkPayload(type, payload);

        const ref = parseFunctionRef(input.FunctionName, ctx, input.Qualifier);
        const { resolved: r, version } = await pickVersion(db, ref);
        if (type === 'DryRun') return { StatusCode: 204 };
        if (type === 'Event') {
          // The alias's routing is applied when the event runs, as each retry may land on either version.
          const event = newEvent({ id: ctx.requestId, accountId: ref.accountId, region: ref.region, functionName: ref.name, payload: payload.length === 0 ? '{}' : payload.toString('utf8') });
          if (ref.qualifier) event.qualifier = ref.qualifier;
          if (input.ClientContext) event.clientContext = input.ClientContext;
          await enqueue(db.docs, event);
          return { StatusCode: 202 };
        }

        const result = await runVersion(deps.engine, ref, r, version, payload.length === 0 ? Buffer.from('{}') : payload, ctx.requestId, {
          ...(input.ClientContext ? { clientContext: input.ClientContext } : {}),
          tailLog: logType === 'Tail',
        });
        const out: Record<string, unknown> = { StatusCode: 200, Payload: result.payload, ExecutedVersion: result.executedVersion };
        if (result.functionError) out.FunctionError = result.functionError;
        if (result.logResult !== undefined) out.LogResult = result.logResult;
        return out;
      },
    },
  };
}
