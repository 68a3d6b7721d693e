/**
 * Versions: PublishVersion snapshots `$LATEST` as the next number, but only
 * when code or configuration changed since the last published version
 * (otherwise it returns that version); ListVersionsByFunction lists
 * `$LATEST` then the versions in order. Publishing is also what
 * CreateFunction and UpdateFunctionCode do when asked to (Publish=true).
 * https://docs.aws.amazon.com/lambda/latest/api/API_PublishVersion.html
 * https://docs.aws.amazon.com/lambda/latest/api/API_ListVersionsByFunction.html
 */
import { randomUUID } from 'node:crypto';
import type { WriteOp } from '../../storage/types.js';
import { paginate, type LambdaContext, type Operations } from './common.js';
import { invalidParameter, revisionMismatch } from './errors.js';
import { lambdaDate, toConfiguration, type FunctionRecord, type VersionRecord } from './models.js';
import { functionKey, LATEST, parseFunctionRef, resourceArn, versionKey, type FunctionRef } from './names.js';
import { assertUpdatable, TABLES, type LambdaStore } from './store.js';

export interface Published {
  fn: FunctionRecord;
  version: VersionRecord;
  ops: WriteOp[];
  versionKey: string;
}

/** The function and batch ops that publish `$LATEST`, or the existing version when nothing changed. */
export async function publish(db: LambdaStore, fn: FunctionRecord, description?: string): Promise<Published> {
  const ref = { accountId: fn.accountId, region: fn.region, name: fn.name };
  const last = fn.lastPublished;
  if (last && last.configRevision === fn.latest.configRevision) {
    const key = versionKey(ref, last.version);
    const existing = await db.getVersion(ref, key);
    if (existing) return { fn, version: existing, ops: [], versionKey: key };
  }
  const n = fn.lastVersion + 1;
  const version: VersionRecord = {
    ...fn.latest,
    version: String(n),
    description: description ?? fn.latest.description,
    revisionId: randomUUID(),
    lastModified: lambdaDate(),
    lastUpdateStatus: 'Successful',
    state: fn.latest.state === 'Pending' ? 'Pending' : 'Active',
  };
  delete version.lastUpdateStatusReason;
  delete version.lastUpdateStatusReasonCode;
  if (version.state !== 'Pending') {
    delete version.stateReason;
    delete version.stateReasonCode;
    delete version.settleAfter;
  }
  const key = versionKey(ref, n);
  return {
    fn: { ...fn, lastVersion: n, lastPublished: { version: String(n), configRevision: fn.latest.configRevision } },
    version,
    ops: [{ op: 'put', table: TABLES.versions, key, value: version, condition: { ifNotExists: true } }],
    versionKey: key,
  };
}

interface PublishInput {
  FunctionName: string;
  CodeSha256?: string;
  Description?: string;
  RevisionId?: string;
}

interface ListVersionsInput {
  FunctionName: string;
  Marker?: string;
  MaxItems?: number;
}

export function versionOperations(c: LambdaContext): Operations {
  const { db } = c;
  return {
    PublishVersion: {
      resources: (input: PublishInput, ctx) => resourceArn(input.FunctionName, ctx, undefined, false),
      async handler(input: PublishInput, ctx) {
        const ref = parseFunctionRef(input.FunctionName, ctx);
        const out = await db.mutate(ref, async (current) => {
          const fn = (current ?? (await db.requireFunction(ref))).value;
          if (input.RevisionId !== undefined && input.RevisionId !== fn.latest.revisionId) throw revisionMismatch();
          if (input.CodeSha256 !== undefined && input.CodeSha256 !== fn.latest.code.sha256) {
            throw invalidParameter(`CodeSHA256 (${input.CodeSha256}) is different from current CodeSHA256 in $LATEST (${fn.latest.code.sha256}). Please try again with the CodeSHA256 in $LATEST.`);
          }
          assertUpdatable(fn);
          const p = await publish(db, fn, input.Description);
          return { value: p.fn, ops: p.ops, result: p };
        });
        return toConfiguration(out.version, { arnQualifier: out.version.version });
      },
    },

    ListVersionsByFunction: {
      resources: (input: ListVersionsInput, ctx) => resourceArn(input.FunctionName, ctx, undefined, false),
      async handler(input: ListVersionsInput, ctx) {
        const ref = parseFunctionRef(input.FunctionName, ctx);
        const fn = await db.requireFunction(ref);
        const versions = await listVersions(db, ref);
        const all = [fn.value.latest, ...versions];
        const { page, nextMarker } = paginate(all, (v) => (v.version === LATEST ? '' : v.version.padStart(10, '0')), input.Marker, input.MaxItems);
        return { Versions: page.map((v) => toConfiguration(v, { arnQualifier: v.version, listing: true })), NextMarker: nextMarker };
      },
    },
  };
}

/** A function's published versions, in order. */
export async function listVersions(db: LambdaStore, ref: Pick<FunctionRef, 'accountId' | 'region' | 'name'>): Promise<VersionRecord[]> {
  return (await db.listAll<VersionRecord>(TABLES.versions, `${functionKey(ref)}/`)).map((d) => d.value);
}
