/**
 * UpdateFunctionCode and UpdateFunctionConfiguration. Both change `$LATEST`
 * only, honour a RevisionId precondition, refuse to run while the function is
 * Pending or another update is InProgress, and leave LastUpdateStatus
 * InProgress until the change settles (the SDK's FunctionUpdatedV2 waiter
 * polls for it). Environments built from the previous revision are retired.
 * https://docs.aws.amazon.com/lambda/latest/api/API_UpdateFunctionCode.html
 * https://docs.aws.amazon.com/lambda/latest/api/API_UpdateFunctionConfiguration.html
 */
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../core/context.js';
import { inspectZip, sha256Base64, storeZip } from './code.js';
import type { LambdaContext, Operations } from './common.js';
import { revisionMismatch } from './errors.js';
import { snapStart, zipOf, type CodeInput, type ConfigInput } from './functions.js';
import { lambdaDate, toConfiguration, type VersionRecord } from './models.js';
import { functionArn, LATEST, parseFunctionRef, resourceArn } from './names.js';
import { checkDeadLetterTarget } from './destinations.js';
import { checkExecutionRole } from './role.js';
import { assertUpdatable, updating } from './store.js';
import { listVersions, publish } from './versions.js';
import {
  checkArchitectures, checkDescription, checkEnvironment, checkEphemeralStorage, checkHandler, checkLogging, checkMemory, checkRuntime,
  checkTimeout, checkTracing, checkUnsupported,
} from './validation.js';

interface UpdateCodeInput extends CodeInput {
  FunctionName: string;
  Publish?: boolean;
  DryRun?: boolean;
  RevisionId?: string;
  Architectures?: string[];
}

interface UpdateConfigInput extends ConfigInput {
  FunctionName: string;
  RevisionId?: string;
}

export function updateOperations(c: LambdaContext): Operations {
  const { db, deps } = c;
  const delay = deps.settleDelayMs ?? 50;

  /** Environments of the previous revision serve no more invocations; dropping them frees their memory now. */
  const retireLatest = (ref: { accountId: string; region: string; name: string }, ctx: RequestContext) =>
    deps.engine.retire(functionArn(ref), LATEST).catch((err) => ctx.log.warn('retire failed', { err }));

  return {
    UpdateFunctionCode: {
      resources: (input: UpdateCodeInput, ctx) => resourceArn(input.FunctionName, ctx, undefined, false),
      async handler(input: UpdateCodeInput, ctx) {
        const ref = parseFunctionRef(input.FunctionName, ctx);
        const { zip, fromS3 } = await zipOf(c, input, ctx);
        const architectures = input.Architectures ? checkArchitectures(input.Architectures) : undefined;
        if (input.DryRun) {
          // Validates the package and the caller's permission, changes nothing.
          const fn = (await db.requireFunction(ref)).value;
          if (input.RevisionId !== undefined && input.RevisionId !== fn.latest.revisionId) throw revisionMismatch();
          await inspectZip(zip);
          return toConfiguration({ ...fn.latest, code: { ...fn.latest.code, sha256: sha256Base64(zip), size: zip.length } });
        }
        await db.requireFunction(ref);
        const code = await storeZip(deps.blobs, ref, zip, fromS3);
        let replaced: string | undefined;
        try {
          const out = await db.mutate(ref, async (current) => {
            const fn = (current ?? (await db.requireFunction(ref))).value;
            if (input.RevisionId !== undefined && input.RevisionId !== fn.latest.revisionId) throw revisionMismatch();
            assertUpdatable(fn);
            replaced = fn.latest.code.blobKey;
            const latest: VersionRecord = updating(
              { ...fn.latest, code, lastModified: lambdaDate(), revisionId: randomUUID(), configRevision: randomUUID(), ...(architectures ? { architectures } : {}) },
              delay,
            );
            const next = { ...fn, latest };
            if (!input.Publish) return { value: next, result: { version: latest, versionKey: undefined as string | undefined } };
            // The new version is built from the code being deployed, so it starts Pending like a creation.
            const p = await publish(db, { ...next, latest: { ...latest, state: 'Pending', stateReason: 'The function is being created.', stateReasonCode: 'Creating' } });
            return { value: { ...p.fn, latest }, ops: p.ops, result: { version: p.version, versionKey: p.versionKey as string | undefined } };
          });
          db.scheduleSettle(ref, out.versionKey);
          await retireLatest(ref, ctx);
          await dropIfUnused(c, ref, replaced);
          return toConfiguration(out.version, { arnQualifier: out.version.version === LATEST ? undefined : out.version.version });
        } catch (err) {
          await deps.blobs.delete(code.blobKey).catch(() => undefined);
          throw err;
        }
      },
    },

    UpdateFunctionConfiguration: {
      resources: (input: UpdateConfigInput, ctx) => resourceArn(input.FunctionName, ctx, undefined, false),
      async handler(input: UpdateConfigInput, ctx) {
        const ref = parseFunctionRef(input.FunctionName, ctx);
        const existing = await db.requireFunction(ref);
        checkUnsupported(input);
        const role = input.Role !== undefined ? await checkExecutionRole(deps.directory, input.Role, deps.authorizer ? { authorizer: deps.authorizer, ctx } : undefined) : undefined;
        await checkDeadLetterTarget(deps.directory, deps.authorizer, { role: role ?? existing.value.latest.role, functionName: ref.name }, input.DeadLetterConfig?.TargetArn);
        const environment = input.Environment ? checkEnvironment(input.Environment.Variables) : undefined;
        const out = await db.mutate(ref, async (current) => {
          const fn = (current ?? (await db.requireFunction(ref))).value;
          if (input.RevisionId !== undefined && input.RevisionId !== fn.latest.revisionId) throw revisionMismatch();
          assertUpdatable(fn);
          const v: VersionRecord = { ...fn.latest, lastModified: lambdaDate(), revisionId: randomUUID(), configRevision: randomUUID() };
          if (role !== undefined) v.role = role;
          if (input.Handler !== undefined) v.handler = checkHandler(input.Handler);
          if (input.Runtime !== undefined) v.runtime = checkRuntime(input.Runtime);
          if (input.Description !== undefined) v.description = checkDescription(input.Description);
          if (input.Timeout !== undefined) v.timeout = checkTimeout(input.Timeout);
          if (input.MemorySize !== undefined) v.memorySize = checkMemory(input.MemorySize);
          if (input.EphemeralStorage !== undefined) v.ephemeralStorage = checkEphemeralStorage(input.EphemeralStorage.Size);
          if (environment !== undefined) v.environment = environment;
          if (input.TracingConfig !== undefined) v.tracingMode = checkTracing(input.TracingConfig.Mode);
          if (input.SnapStart !== undefined) v.snapStartApplyOn = snapStart(input.SnapStart.ApplyOn);
          if (input.LoggingConfig !== undefined) v.logging = checkLogging(input.LoggingConfig, v.logging, ref.name);
          if (input.KMSKeyArn !== undefined) {
            if (input.KMSKeyArn === '') delete v.kmsKeyArn;
            else v.kmsKeyArn = input.KMSKeyArn;
          }
          if (input.DeadLetterConfig !== undefined) {
            if (input.DeadLetterConfig.TargetArn) v.deadLetterTargetArn = input.DeadLetterConfig.TargetArn;
            else delete v.deadLetterTargetArn;
          }
          const latest = updating(v, delay);
          return { value: { ...fn, latest }, result: latest };
        });
        db.scheduleSettle(ref);
        await retireLatest(ref, ctx);
        return toConfiguration(out);
      },
    },
  };
}

/** Deletes a replaced package once no published version uses it. */
async function dropIfUnused(c: LambdaContext, ref: { accountId: string; region: string; name: string }, blobKey: string | undefined): Promise<void> {
  if (!blobKey) return;
  const fn = await c.db.getFunction(ref);
  if (fn?.value.latest.code.blobKey === blobKey) return;
  if ((await listVersions(c.db, ref)).some((v) => v.code.blobKey === blobKey)) return;
  await c.deps.blobs.delete(blobKey).catch(() => undefined);
}
