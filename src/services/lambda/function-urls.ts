/**
 * Function URLs: Create/Get/Update/Delete/ListFunctionUrlConfigs. A URL
 * belongs to the unqualified function ($LATEST names the same one) or to an
 * alias, never to a version number. Its address never changes while it
 * exists: `http://<url-id>.lambda-url.<region>.localhost:<port>/`, the
 * url-id 32 lowercase characters as on AWS; where wildcard names do not
 * resolve, `<endpoint>/_stratus/lambda-url/<url-id>/` reaches the same URL.
 * The data plane is src/gateway/function-url.ts; it finds the URL by url-id
 * through functionUrlById().
 * InvokeMode RESPONSE_STREAM is accepted and echoed, but the response is
 * buffered (the engine returns whole payloads).
 * https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunctionUrlConfig.html
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html
 */
import { randomBytes } from 'node:crypto';
import type { RequestContext } from '../../core/context.js';
import { paginate, type LambdaContext, type Operations } from './common.js';
import { functionNotFound, resourceConflict, resourceNotFound, validation } from './errors.js';
import type { AliasRecord, FunctionRecord } from './models.js';
import { childKey, functionArn, functionKey, LATEST, parseFunctionRef, resourceArn, type FunctionRef } from './names.js';
import type { WriteOp } from '../../storage/types.js';
import { TABLES, type LambdaStore } from './store.js';

export const URL_TABLES = {
  /** url-id → FunctionUrlRecord */
  urls: 'lambda.function-urls',
  /** "<function key>/<qualifier or ''>" → { urlId } */
  refs: 'lambda.function-url-refs',
} as const;

export const URL_PATH_PREFIX = '/_stratus/lambda-url/';

export interface UrlCors {
  AllowCredentials?: boolean;
  AllowHeaders?: string[];
  AllowMethods?: string[];
  AllowOrigins?: string[];
  ExposeHeaders?: string[];
  MaxAge?: number;
}

export interface FunctionUrlRecord {
  urlId: string;
  accountId: string;
  region: string;
  functionName: string;
  /** An alias name; absent for the unqualified function. */
  qualifier?: string;
  authType: 'NONE' | 'AWS_IAM';
  cors?: UrlCors;
  invokeMode: string;
  /** The function's createdAt when the URL was made: a URL outlives neither its function nor a re-created one. */
  functionCreatedAt: string;
  creationTime: string;
  lastModifiedTime: string;
}

interface UrlInput {
  FunctionName: string;
  Qualifier?: string;
  AuthType?: string;
  Cors?: UrlCors;
  InvokeMode?: string;
}

const QUALIFIER_PATTERN = '((?!^\\d+$)^[0-9a-zA-Z-_]+$)|(^\\$LATEST$)';
const QUALIFIER_RE = new RegExp(QUALIFIER_PATTERN);
const MAX_AGE = 86400;

/** The ARN a URL names: the alias's, or the unqualified function's. */
export function urlFunctionArn(r: Pick<FunctionUrlRecord, 'accountId' | 'region' | 'functionName' | 'qualifier'>): string {
  return functionArn({ accountId: r.accountId, region: r.region, name: r.functionName }, r.qualifier);
}

/** `http://<url-id>.lambda-url.<region>.localhost:<port>/`, the port taken from the server's endpoint. */
export function functionUrlOf(urlId: string, region: string, endpoint: string | undefined): string {
  let port = '';
  try {
    const u = new URL(endpoint ?? '');
    port = u.port ? `:${u.port}` : '';
  } catch {
    // No endpoint known: the URL without a port.
  }
  return `http://${urlId}.lambda-url.${region}.localhost${port}/`;
}

/** The URL a url-id names, while the function it was made for still exists. */
export async function functionUrlById(db: LambdaStore, urlId: string): Promise<FunctionUrlRecord | undefined> {
  const url = (await db.docs.get<FunctionUrlRecord>(URL_TABLES.urls, urlId))?.value;
  if (!url) return undefined;
  const fn = await db.docs.get<FunctionRecord>(TABLES.functions, functionKey({ accountId: url.accountId, region: url.region, name: url.functionName }));
  return fn && fn.value.createdAt === url.functionCreatedAt ? url : undefined;
}

/** 32 lowercase letters and digits, as AWS's url-ids. */
function newUrlId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(32);
  let id = '';
  for (const b of bytes) id += alphabet[b % alphabet.length];
  return id;
}

function refOf(input: UrlInput, ctx: RequestContext): FunctionRef {
  if (input.Qualifier !== undefined && !QUALIFIER_RE.test(input.Qualifier)) throw validation(input.Qualifier, 'qualifier', `Member must satisfy regular expression pattern: ${QUALIFIER_PATTERN}`);
  const ref = parseFunctionRef(input.FunctionName, ctx, input.Qualifier);
  if (ref.qualifier !== undefined && ref.qualifier !== LATEST && !QUALIFIER_RE.test(ref.qualifier)) {
    throw validation(ref.qualifier, 'qualifier', `Member must satisfy regular expression pattern: ${QUALIFIER_PATTERN}`);
  }
  // $LATEST and the unqualified name are the same URL.
  return ref.qualifier === LATEST ? { accountId: ref.accountId, region: ref.region, name: ref.name } : ref;
}

function checkConfig(input: UrlInput, required: boolean): void {
  const a = input.AuthType;
  if (a === undefined ? required : a !== 'NONE' && a !== 'AWS_IAM') throw validation(a, 'authType', a === undefined ? 'Member must not be null' : 'Member must satisfy enum value set: [NONE, AWS_IAM]');
  const m = input.InvokeMode;
  if (m !== undefined && m !== 'BUFFERED' && m !== 'RESPONSE_STREAM') throw validation(m, 'invokeMode', 'Member must satisfy enum value set: [BUFFERED, RESPONSE_STREAM]');
  const age = input.Cors?.MaxAge;
  if (age !== undefined && (age < 0 || age > MAX_AGE)) throw validation(age, 'cors.maxAge', `Member must have value ${age < 0 ? 'greater than or equal to 0' : `less than or equal to ${MAX_AGE}`}`);
  for (const m of input.Cors?.AllowMethods ?? []) if (m.length > 6) throw validation(input.Cors!.AllowMethods, 'cors.allowMethods', 'Member must satisfy constraint: [Member must have length less than or equal to 6, Member must have length greater than or equal to 0, Member must satisfy regular expression pattern: .*]');
}

/** The function (and alias) must exist; a missing alias is "Function not found" for its ARN, as on AWS. */
async function requireTarget(db: LambdaStore, ref: FunctionRef): Promise<FunctionRecord> {
  const fn = await db.requireFunction(ref, ref.qualifier);
  if (ref.qualifier !== undefined && !(await db.docs.get<AliasRecord>(TABLES.aliases, childKey(ref, ref.qualifier)))) throw functionNotFound(functionArn(ref, ref.qualifier));
  return fn.value;
}

function cleanCors(c: UrlCors | undefined): UrlCors | undefined {
  if (!c) return undefined;
  return JSON.parse(JSON.stringify(c)) as UrlCors;
}

function output(r: FunctionUrlRecord, endpoint: string | undefined, withModified: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { FunctionUrl: functionUrlOf(r.urlId, r.region, endpoint), FunctionArn: urlFunctionArn(r), AuthType: r.authType };
  if (r.cors) out.Cors = r.cors;
  out.CreationTime = r.creationTime;
  if (withModified) out.LastModifiedTime = r.lastModifiedTime;
  out.InvokeMode = r.invokeMode;
  return out;
}

export function functionUrlOperations(c: LambdaContext): Operations {
  const { db } = c;
  const resources = (input: UrlInput, ctx: RequestContext) => resourceArn(input.FunctionName, ctx, input.Qualifier);
  const refKey = (ref: FunctionRef) => childKey(ref, ref.qualifier ?? '');
  const missing = () => resourceNotFound('The resource you requested does not exist.');

  // A link left by a deleted function of the same name (from before DeleteFunction removed URLs with the function) counts as absent.
  const current = async (ref: FunctionRef, fn: FunctionRecord) => {
    const link = await db.docs.get<{ urlId: string }>(URL_TABLES.refs, refKey(ref));
    if (!link) return undefined;
    const doc = await db.docs.get<FunctionUrlRecord>(URL_TABLES.urls, link.value.urlId);
    return { link, doc: doc && doc.value.functionCreatedAt === fn.createdAt ? doc : undefined, stale: doc };
  };
  const live = async (ref: FunctionRef, fn: FunctionRecord) => {
    const found = await current(ref, fn);
    return found?.doc ? { link: found.link, doc: found.doc } : undefined;
  };

  return {
    CreateFunctionUrlConfig: {
      resources,
      async handler(input: UrlInput, ctx) {
        checkConfig(input, true);
        const ref = refOf(input, ctx);
        const fn = await requireTarget(db, ref);
        const now = new Date().toISOString();
        const record: FunctionUrlRecord = {
          urlId: newUrlId(),
          accountId: ref.accountId,
          region: ref.region,
          functionName: ref.name,
          ...(ref.qualifier !== undefined ? { qualifier: ref.qualifier } : {}),
          authType: input.AuthType as FunctionUrlRecord['authType'],
          ...(input.Cors ? { cors: cleanCors(input.Cors)! } : {}),
          invokeMode: input.InvokeMode ?? 'BUFFERED',
          functionCreatedAt: fn.createdAt,
          creationTime: now,
          lastModifiedTime: now,
        };
        await db.mutate(ref, async (doc) => {
          if (!doc || doc.value.createdAt !== fn.createdAt) throw functionNotFound(functionArn(ref, ref.qualifier));
          const found = await current(ref, doc.value);
          if (found?.doc) {
            throw resourceConflict(`Failed to create function url config for [functionArn = ${functionArn(ref, ref.qualifier)}]. Error message:  FunctionUrlConfig exists for this Lambda function`);
          }
          const ops: WriteOp[] = [
            { op: 'put', table: URL_TABLES.refs, key: refKey(ref), value: { urlId: record.urlId }, condition: found ? { ifVersion: found.link.version } : { ifNotExists: true } },
            { op: 'put', table: URL_TABLES.urls, key: record.urlId, value: record, condition: { ifNotExists: true } },
          ];
          if (found?.stale) ops.push({ op: 'delete', table: URL_TABLES.urls, key: found.stale.key, condition: { ifVersion: found.stale.version } });
          return { ops, result: undefined };
        });
        return output(record, ctx.endpoint, false);
      },
    },

    GetFunctionUrlConfig: {
      resources,
      async handler(input: UrlInput, ctx) {
        const ref = refOf(input, ctx);
        const fn = await requireTarget(db, ref);
        const found = await live(ref, fn);
        if (!found) throw missing();
        return output(found.doc.value, ctx.endpoint, true);
      },
    },

    UpdateFunctionUrlConfig: {
      resources,
      async handler(input: UrlInput, ctx) {
        checkConfig(input, false);
        const ref = refOf(input, ctx);
        await requireTarget(db, ref);
        const updated = await db.mutate(ref, async (fn) => {
          const found = fn ? await live(ref, fn.value) : undefined;
          if (!found) throw missing();
          const value: FunctionUrlRecord = { ...found.doc.value, lastModifiedTime: new Date().toISOString() };
          if (input.AuthType !== undefined) value.authType = input.AuthType as FunctionUrlRecord['authType'];
          if (input.Cors !== undefined) value.cors = cleanCors(input.Cors);
          if (input.InvokeMode !== undefined) value.invokeMode = input.InvokeMode;
          const clean = JSON.parse(JSON.stringify(value)) as FunctionUrlRecord;
          return { ops: [{ op: 'put', table: URL_TABLES.urls, key: clean.urlId, value: clean, condition: { ifVersion: found.doc.version } }], result: clean };
        });
        return output(updated, ctx.endpoint, true);
      },
    },

    DeleteFunctionUrlConfig: {
      resources,
      async handler(input: UrlInput, ctx) {
        const ref = refOf(input, ctx);
        await requireTarget(db, ref);
        await db.mutate(ref, async (fn) => {
          const found = fn ? await live(ref, fn.value) : undefined;
          if (!found) throw missing();
          return {
            ops: [
              { op: 'delete', table: URL_TABLES.refs, key: refKey(ref), condition: { ifVersion: found.link.version } },
              { op: 'delete', table: URL_TABLES.urls, key: found.doc.key, condition: { ifVersion: found.doc.version } },
            ],
            result: undefined,
          };
        });
        return undefined;
      },
    },

    ListFunctionUrlConfigs: {
      resources: (input: UrlInput, ctx) => resourceArn(input.FunctionName, ctx, undefined, false),
      async handler(input: UrlInput & { Marker?: string; MaxItems?: number }, ctx) {
        const ref = parseFunctionRef(input.FunctionName, ctx);
        const fn = await db.requireFunction(ref);
        const links = await db.listAll<{ urlId: string }>(URL_TABLES.refs, `${functionKey(ref)}/`);
        const { page, nextMarker } = paginate(links, (d) => d.key, input.Marker, input.MaxItems, 50);
        const configs: Record<string, unknown>[] = [];
        for (const link of page) {
          const r = (await db.docs.get<FunctionUrlRecord>(URL_TABLES.urls, link.value.urlId))?.value;
          if (r && r.functionCreatedAt === fn.value.createdAt) configs.push(output(r, ctx.endpoint, true));
        }
        return { FunctionUrlConfigs: configs, ...(nextMarker ? { NextMarker: nextMarker } : {}) };
      },
    },
  };
}
