/**
 * Asynchronous invocation settings per function, version or alias:
 * retries (0-2), maximum event age (60 s-6 h) and on-success/on-failure
 * destinations. Put replaces the whole configuration, Update changes only the
 * fields given. Stored now; the asynchronous queue will read them.
 * https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionEventInvokeConfig.html
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
 */
import type { RequestContext } from '../../core/context.js';
import { paginate, type LambdaContext, type Operations } from './common.js';
import { invalidParameter, resourceNotFound, validation } from './errors.js';
import { toEventInvokeConfig, type AliasRecord, type EventInvokeRecord } from './models.js';
import { childKey, functionArn, functionKey, isVersionNumber, LATEST, parseFunctionArn, parseFunctionRef, resourceArn, versionKey, type FunctionRef } from './names.js';
import { TABLES, type LambdaStore } from './store.js';

const DESTINATION_PATTERN = '$|kafka://([^.]([a-zA-Z0-9\\-_.]{0,248}))|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)';
const ARN_RE = /^arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9-])+:([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)$/;
const DESTINATION_SERVICES = new Set(['lambda', 'sqs', 'sns', 'events', 's3']);

interface ConfigInput {
  FunctionName: string;
  Qualifier?: string;
  MaximumRetryAttempts?: number;
  MaximumEventAgeInSeconds?: number;
  DestinationConfig?: { OnSuccess?: { Destination?: string }; OnFailure?: { Destination?: string } };
}

/** The function (and version or alias) must exist: "The function doesn't exist." otherwise. */
async function requireTarget(db: LambdaStore, ref: FunctionRef): Promise<void> {
  const missing = () => resourceNotFound("The function doesn't exist.");
  if (!(await db.getFunction(ref))) throw missing();
  const q = ref.qualifier;
  if (q === undefined || q === LATEST) return;
  const exists = isVersionNumber(q) ? await db.docs.get(TABLES.versions, versionKey(ref, q)) : await db.docs.get<AliasRecord>(TABLES.aliases, childKey(ref, q));
  if (!exists) throw missing();
}

async function checkDestinations(db: LambdaStore, ref: FunctionRef, ctx: RequestContext, dc: ConfigInput['DestinationConfig']): Promise<void> {
  for (const [field, arn] of [['onSuccess', dc?.OnSuccess?.Destination], ['onFailure', dc?.OnFailure?.Destination]] as const) {
    if (!arn) continue;
    if (!ARN_RE.test(arn)) throw validation(arn, `destinationConfig.${field}.destination`, `Member must satisfy regular expression pattern: ${DESTINATION_PATTERN}`);
    const service = arn.split(':')[2]!;
    if (!DESTINATION_SERVICES.has(service) || (service === 's3' && field === 'onSuccess')) {
      const show = (d?: string) => (d ? `On${d === dc?.OnSuccess?.Destination ? 'Success' : 'Failure'}(destination=${d})` : 'null');
      throw invalidParameter(`The provided destination config DestinationConfig(onSuccess=${show(dc?.OnSuccess?.Destination)}, onFailure=${show(dc?.OnFailure?.Destination)}) is invalid.`);
    }
    if (service === 'lambda') {
      const target = parseFunctionArn(arn);
      if (target && target.name === ref.name && target.accountId === ref.accountId && target.region === ref.region) {
        throw invalidParameter("You can't specify the function as a destination for itself.");
      }
      if (!target || (target.accountId === ctx.accountId && !(await db.getFunction(target)))) throw invalidParameter(`The destination ARN ${arn} is invalid.`);
    }
  }
}

function checkLimits(input: ConfigInput): void {
  const r = input.MaximumRetryAttempts;
  if (r !== undefined && (r < 0 || r > 2)) throw validation(r, 'maximumRetryAttempts', `Member must have value ${r < 0 ? 'greater than or equal to 0' : 'less than or equal to 2'}`);
  const a = input.MaximumEventAgeInSeconds;
  if (a !== undefined && (a < 60 || a > 21600)) throw validation(a, 'maximumEventAgeInSeconds', `Member must have value ${a < 60 ? 'greater than or equal to 60' : 'less than or equal to 21600'}`);
  if (r === undefined && a === undefined && input.DestinationConfig === undefined) throw invalidParameter('You must specify at least one of error handling or destination setting.');
}

export function eventInvokeConfigOperations(c: LambdaContext): Operations {
  const { db } = c;
  const resources = (input: ConfigInput, ctx: RequestContext) => resourceArn(input.FunctionName, ctx, input.Qualifier);
  const keyOf = (ref: FunctionRef) => childKey(ref, ref.qualifier ?? LATEST);
  const arnOf = (ref: FunctionRef) => functionArn(ref, ref.qualifier ?? LATEST);

  const write = async (input: ConfigInput, ctx: RequestContext, merge: boolean) => {
    const ref = parseFunctionRef(input.FunctionName, ctx, input.Qualifier);
    checkLimits(input);
    await requireTarget(db, ref);
    await checkDestinations(db, ref, ctx, input.DestinationConfig);
    const key = keyOf(ref);
    return db.mutate(ref, async (current) => {
      if (!current) throw resourceNotFound("The function doesn't exist.");
      const doc = await db.docs.get<EventInvokeRecord>(TABLES.eventInvoke, key);
      if (merge && !doc) throw resourceNotFound(`The function ${arnOf(ref)} doesn't have an EventInvokeConfig`);
      const base: EventInvokeRecord = merge && doc ? { ...doc.value } : { functionArn: arnOf(ref), lastModified: 0 };
      base.lastModified = Date.now() / 1000;
      if (input.MaximumRetryAttempts !== undefined) base.maximumRetryAttempts = input.MaximumRetryAttempts;
      if (input.MaximumEventAgeInSeconds !== undefined) base.maximumEventAgeInSeconds = input.MaximumEventAgeInSeconds;
      if (input.DestinationConfig !== undefined) {
        const dc = input.DestinationConfig;
        if (dc.OnSuccess !== undefined) base.onSuccess = dc.OnSuccess.Destination || undefined;
        if (dc.OnFailure !== undefined) base.onFailure = dc.OnFailure.Destination || undefined;
      }
      const value = JSON.parse(JSON.stringify(base)) as EventInvokeRecord;
      return { ops: [{ op: 'put', table: TABLES.eventInvoke, key, value, condition: doc ? { ifVersion: doc.version } : { ifNotExists: true } }], result: toEventInvokeConfig(value) };
    });
  };

  return {
    PutFunctionEventInvokeConfig: { resources, handler: (input: ConfigInput, ctx) => write(input, ctx, false) },
    UpdateFunctionEventInvokeConfig: { resources, handler: (input: ConfigInput, ctx) => write(input, ctx, true) },

    GetFunctionEventInvokeConfig: {
      resources,
      async handler(input: ConfigInput, ctx) {
        const ref = parseFunctionRef(input.FunctionName, ctx, input.Qualifier);
        const doc = await db.docs.get<EventInvokeRecord>(TABLES.eventInvoke, keyOf(ref));
        if (!doc) throw resourceNotFound(`The function ${arnOf(ref)} doesn't have an EventInvokeConfig`);
        return toEventInvokeConfig(doc.value);
      },
    },

    DeleteFunctionEventInvokeConfig: {
      resources,
      async handler(input: ConfigInput, ctx) {
        const ref = parseFunctionRef(input.FunctionName, ctx, input.Qualifier);
        await requireTarget(db, ref);
        const key = keyOf(ref);
        await db.mutate(ref, async () => {
          const doc = await db.docs.get(TABLES.eventInvoke, key);
          if (!doc) throw resourceNotFound(`The function ${arnOf(ref)} doesn't have an EventInvokeConfig`);
          return { ops: [{ op: 'delete', table: TABLES.eventInvoke, key, condition: { ifVersion: doc.version } }], result: undefined };
        });
        return undefined;
      },
    },

    ListFunctionEventInvokeConfigs: {
      resources: (input: ConfigInput, ctx) => resourceArn(input.FunctionName, ctx, undefined, false),
      async handler(input: ConfigInput & { Marker?: string; MaxItems?: number }, ctx) {
        const ref = parseFunctionRef(input.FunctionName, ctx);
        if (!(await db.getFunction(ref))) throw resourceNotFound("The function doesn't exist.");
        const docs = await db.listAll<EventInvokeRecord>(TABLES.eventInvoke, `${functionKey(ref)}/`);
        const { page, nextMarker } = paginate(docs, (d) => d.key, input.Marker, input.MaxItems, 50);
        return { FunctionEventInvokeConfigs: page.map((d) => toEventInvokeConfig(d.value)), NextMarker: nextMarker };
      },
    },
  };
}
