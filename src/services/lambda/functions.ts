/**
 * The function lifecycle: CreateFunction (package checked and stored, role
 * checked, Pending until the package is settled, optionally published),
 * GetFunction (with a presigned download link to the package),
 * GetFunctionConfiguration, ListFunctions (all versions with
 * FunctionVersion=ALL) and DeleteFunction (a whole function or one version).
 * https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html
 * https://docs.aws.amazon.com/lambda/latest/api/API_GetFunction.html
 * https://docs.aws.amazon.com/lambda/latest/api/API_ListFunctions.html
 * https://docs.aws.amazon.com/lambda/latest/api/API_DeleteFunction.html
 */
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../core/context.js';
import type { WriteOp } from '../../storage/types.js';
import { storeZip, zipFromS3 } from './code.js';
import { paginate, resolve, type LambdaContext, type Operations } from './common.js';
import { functionNotFound, invalidParameter, resourceConflict, validation } from './errors.js';
import { lambdaDate, toConfiguration, type AliasRecord, type FunctionRecord, type LoggingConfig, type VersionRecord } from './models.js';
import { functionArn, functionKey, isVersionNumber, LATEST, parseFunctionRef, regionPrefix, resourceArn, versionKey } from './names.js';
import { checkDeadLetterTarget } from './destinations.js';
import { URL_TABLES } from './function-urls.js';
import { checkExecutionRole } from './role.js';
import { isDue, pending, TABLES } from './store.js';
import { releaseReservation } from './concurrency.js';
import { publish, listVersions } from './versions.js';
import { checkArchitectures, checkDescription, checkEnvironment, checkEphemeralStorage, checkHandler, checkLogging, checkMemory, checkRuntime, checkTimeout, checkTracing, checkUnsupported } from './validation.js';

export interface CodeInput {
  ZipFile?: Buffer;
  S3Bucket?: string;
  S3Key?: string;
  S3ObjectVersion?: string;
  ImageUri?: string;
}

export interface ConfigInput {
  Role?: string;
  Handler?: string;
  Description?: string;
  Timeout?: number;
  MemorySize?: number;
  Runtime?: string;
  Environment?: { Variables?: Record<string, string> };
  TracingConfig?: { Mode?: string };
  DeadLetterConfig?: { TargetArn?: string };
  KMSKeyArn?: string;
  EphemeralStorage?: { Size?: number };
  SnapStart?: { ApplyOn?: string };
  LoggingConfig?: Partial<LoggingConfig>;
  Layers?: string[];
  VpcConfig?: { SubnetIds?: string[]; SecurityGroupIds?: string[] };
  FileSystemConfigs?: unknown[];
  ImageConfig?: unknown;
}

interface CreateInput extends ConfigInput {
  FunctionName: string;
  Code?: CodeInput;
  Publish?: boolean;
  PackageType?: string;
  Architectures?: string[];
  Tags?: Record<string, string>;
}

interface QualifiedInput {
  FunctionName: string;
  Qualifier?: string;
}

interface ListInput {
  MasterRegion?: string;
  FunctionVersion?: string;
  Marker?: string;
  MaxItems?: number;
}

/** The code of a request (inline or from S3, read as the caller), refusing what Stratus cannot take. */
export async function zipOf(c: LambdaContext, code: CodeInput | undefined, ctx: RequestContext): Promise<{ zip: Buffer; fromS3: boolean }> {
  if (code?.ImageUri) throw invalidParameter('Stratus runs .zip deployment packages only; container images (ImageUri) are not supported.');
  if (code?.ZipFile && code.ZipFile.length > 0) return { zip: code.ZipFile, fromS3: false };
  if (code?.S3Bucket && code.S3Key) return { zip: await zipFromS3(c.deps.codeObjects, ctx.principal, code), fromS3: true };
  throw invalidParameter('Please provide a source for function code.');
}

export function snapStart(applyOn: string | undefined): string {
  const v = applyOn ?? 'None';
  if (v !== 'None' && v !== 'PublishedVersions') throw validation(v, 'snapStart.applyOn', 'Member must satisfy enum value set: [PublishedVersions, None]');
  return v;
}

export function functionOperations(c: LambdaContext): Operations {
  const { db, deps, links } = c;

  return {
    CreateFunction: {
      resources: (input: CreateInput, ctx) => resourceArn(input.FunctionName, ctx, undefined, false),
      async handler(input: CreateInput, ctx) {
        const ref = parseFunctionRef(input.FunctionName, ctx);
        if (input.PackageType !== undefined && input.PackageType !== 'Zip') {
          throw invalidParameter('Stratus runs .zip deployment packages only; PackageType Image is not supported.');
        }
        const { zip, fromS3 } = await zipOf(c, input.Code, ctx);
        if (input.Architectures !== undefined) checkArchitectures(input.Architectures);
        const environment = input.Environment ? checkEnvironment(input.Environment.Variables) : undefined;
        checkUnsupported(input);
        const role = await checkExecutionRole(deps.directory, input.Role, deps.authorizer ? { authorizer: deps.authorizer, ctx } : undefined);
        if (input.Runtime === undefined || input.Handler === undefined) {
          throw invalidParameter('Runtime and Handler are mandatory parameters for functions created with deployment packages.');
        }
        const latest: VersionRecord = pending(
          {
            accountId: ref.accountId,
            region: ref.region,
            functionName: ref.name,
            version: LATEST,
            description: checkDescription(input.Description ?? ''),
            runtime: checkRuntime(input.Runtime),
            handler: checkHandler(input.Handler),
            role,
            memorySize: checkMemory(input.MemorySize ?? 128),
            timeout: checkTimeout(input.Timeout ?? 3),
            ephemeralStorage: input.EphemeralStorage ? checkEphemeralStorage(input.EphemeralStorage.Size) : 512,
            architectures: input.Architectures ? checkArchitectures(input.Architectures) : ['x86_64'],
            tracingMode: checkTracing(input.TracingConfig?.Mode),
            snapStartApplyOn: snapStart(input.SnapStart?.ApplyOn),
            logging: checkLogging(input.LoggingConfig, undefined, ref.name),
            code: { blobKey: '', sha256: '', size: 0, unzippedSize: 0 },
            lastModified: lambdaDate(),
            revisionId: randomUUID(),
            configRevision: randomUUID(),
            state: 'Pending',
            lastUpdateStatus: 'InProgress',
          },
          deps.settleDelayMs ?? 50,
        );
        if (environment) latest.environment = environment;
        await checkDeadLetterTarget(deps.directory, deps.authorizer, latest, input.DeadLetterConfig?.TargetArn);
        if (input.DeadLetterConfig?.TargetArn) latest.deadLetterTargetArn = input.DeadLetterConfig.TargetArn;
        if (input.KMSKeyArn) latest.kmsKeyArn = input.KMSKeyArn;
        if (await db.docs.get(TABLES.functions, functionKey(ref))) throw resourceConflict(`Function already exist: ${ref.name}`);

        latest.code = await storeZip(deps.blobs, ref, zip, fromS3);
        try {
          const out = await db.mutate(ref, async (current) => {
            if (current) throw resourceConflict(`Function already exist: ${ref.name}`);
            const fn: FunctionRecord = { accountId: ref.accountId, region: ref.region, name: ref.name, createdAt: lambdaDate(), latest, lastVersion: 0, tags: { ...(input.Tags ?? {}) } };
            if (!input.Publish) return { value: fn, result: { fn, version: latest, versionKey: undefined as string | undefined } };
            const p = await publish(db, fn);
            return { value: p.fn, ops: p.ops, result: { fn: p.fn, version: p.version, versionKey: p.versionKey as string | undefined } };
          });
          db.scheduleSettle(ref, out.versionKey);
          return toConfiguration(out.version, { omitUpdateStatus: true });
        } catch (err) {
          await deps.blobs.delete(latest.code.blobKey).catch(() => undefined);
          throw err;
        }
      },
    },

    GetFunction: {
      resources: (input: QualifiedInput, ctx) => resourceArn(input.FunctionName, ctx, input.Qualifier),
      async handler(input: QualifiedInput, ctx) {
        const ref = parseFunctionRef(input.FunctionName, ctx, input.Qualifier);
        const r = await resolve(db, ref);
        const out: Record<string, unknown> = {
          Configuration: toConfiguration(r.version, { arnQualifier: r.qualifier }),
          Code: { RepositoryType: 'S3', Location: links.location(ctx.endpoint, r.version.code.blobKey) },
        };
        if (Object.keys(r.fn.value.tags).length > 0) out.Tags = r.fn.value.tags;
        if (r.fn.value.reservedConcurrency !== undefined) out.Concurrency = { ReservedConcurrentExecutions: r.fn.value.reservedConcurrency };
        return out;
      },
    },

    GetFunctionConfiguration: {
      resources: (input: QualifiedInput, ctx) => resourceArn(input.FunctionName, ctx, input.Qualifier),
      async handler(input: QualifiedInput, ctx) {
        const ref = parseFunctionRef(input.FunctionName, ctx, input.Qualifier);
        const r = await resolve(db, ref);
        return toConfiguration(r.version, { arnQualifier: r.qualifier });
      },
    },

    ListFunctions: {
      async handler(input: ListInput, ctx) {
        if (input.FunctionVersion !== undefined && input.FunctionVersion !== 'ALL') {
          throw validation(input.FunctionVersion, 'functionVersion', 'Member must satisfy enum value set: [ALL]');
        }
        const prefix = regionPrefix(ctx.accountId, ctx.region);
        const fns = await db.listAll<FunctionRecord>(TABLES.functions, prefix);
        // Keys order a function's $LATEST ('' suffix) before its versions (zero-padded numbers).
        const items: { key: string; v: VersionRecord; all: boolean }[] = [];
        for (const f of fns) {
          const settled = isDue(f.value.latest) ? ((await db.getFunction(f.value))?.value ?? f.value) : f.value;
          items.push({ key: `${f.key}/`, v: settled.latest, all: input.FunctionVersion === 'ALL' });
        }
        if (input.FunctionVersion === 'ALL') {
          for (const d of await db.listAll<VersionRecord>(TABLES.versions, prefix)) items.push({ key: d.key, v: d.value, all: true });
          items.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
        }
        const { page, nextMarker } = paginate(items, (i) => i.key, input.Marker, input.MaxItems);
        return { Functions: page.map((i) => toConfiguration(i.v, { arnQualifier: i.all ? i.v.version : undefined, listing: true })), NextMarker: nextMarker };
      },
    },

    DeleteFunction: {
      resources: (input: QualifiedInput, ctx) => resourceArn(input.FunctionName, ctx, input.Qualifier),
      async handler(input: QualifiedInput, ctx) {
        const ref = parseFunctionRef(input.FunctionName, ctx, input.Qualifier);
        const q = ref.qualifier;
        if (q === LATEST) throw invalidParameter('$LATEST version cannot be deleted without deleting the function.');
        if (q !== undefined && !isVersionNumber(q)) throw invalidParameter('Deletion of aliases is not supported. Use DeleteAlias to delete an alias.');
        const blobs = q === undefined ? await deleteWhole(c, ref) : await deleteVersion(c, ref, q);
        await deps.engine.retire(functionArn(ref), q).catch((err) => ctx.log.warn('retire failed', { err }));
        await Promise.all(blobs.map((key) => deps.blobs.delete(key).catch(() => undefined)));
        return undefined;
      },
    },
  };
}

type Ref = { accountId: string; region: string; name: string };

/** Deletes a function with everything under it; returns the blobs no longer referenced. */
async function deleteWhole(c: LambdaContext, ref: Ref): Promise<string[]> {
  const { db } = c;
  const prefix = `${functionKey(ref)}/`;
  return db.mutate(ref, async (current) => {
    if (!current) throw functionNotFound(functionArn(ref));
    const ops: WriteOp[] = [];
    const blobs = new Set([current.value.latest.code.blobKey]);
    for (const table of [TABLES.versions, TABLES.aliases, TABLES.policies, TABLES.eventInvoke]) {
      for (const d of await db.listAll<{ code?: { blobKey: string } }>(table, prefix)) {
        ops.push({ op: 'delete', table, key: d.key, condition: { ifVersion: d.version } });
        if (table === TABLES.versions && d.value.code) blobs.add(d.value.code.blobKey);
      }
    }
    // Function URLs go with the function (AWS frees the url-id; a new function of the same name gets a new one).
    for (const link of await db.listAll<{ urlId: string }>(URL_TABLES.refs, prefix)) {
      ops.push({ op: 'delete', table: URL_TABLES.refs, key: link.key, condition: { ifVersion: link.version } });
      const url = await db.docs.get(URL_TABLES.urls, link.value.urlId);
      if (url) ops.push({ op: 'delete', table: URL_TABLES.urls, key: url.key, condition: { ifVersion: url.version } });
    }
    ops.push(...(await releaseReservation(db, ref)));
    return { value: null, ops, result: [...blobs] };
  });
}

async function deleteVersion(c: LambdaContext, ref: Ref, version: string): Promise<string[]> {
  const { db } = c;
  const key = versionKey(ref, version);
  return db.mutate(ref, async (current) => {
    if (!current) throw functionNotFound(functionArn(ref));
    const doc = await db.docs.get<VersionRecord>(TABLES.versions, key);
    if (!doc) throw functionNotFound(functionArn(ref, version));
    const aliases = (await db.listAll<AliasRecord>(TABLES.aliases, `${functionKey(ref)}/`)).filter(
      (a) => a.value.functionVersion === version || a.value.weights?.[version] !== undefined,
    );
    if (aliases.length > 0) throw resourceConflict(`Unable to delete version because the following aliases reference it: [${aliases.map((a) => a.value.name).join(', ')}]`);
    const ops: WriteOp[] = [{ op: 'delete', table: TABLES.versions, key, condition: { ifVersion: doc.version } }];
    for (const table of [TABLES.policies, TABLES.eventInvoke]) {
      const child = await db.docs.get(table, `${functionKey(ref)}/${version}`);
      if (child) ops.push({ op: 'delete', table, key: child.key, condition: { ifVersion: child.version } });
    }
    const blobKey = doc.value.code.blobKey;
    const stillUsed = current.value.latest.code.blobKey === blobKey || (await listVersions(db, ref)).some((v) => v.version !== version && v.code.blobKey === blobKey);
    return { ops, result: stillUsed ? [] : [blobKey] };
  });
}
