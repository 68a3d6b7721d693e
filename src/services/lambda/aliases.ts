/**
 * Aliases: named pointers at a version, optionally shifting a share of
 * traffic to a second version (RoutingConfig.AdditionalVersionWeights).
 * CreateAlias, GetAlias, UpdateAlias (RevisionId precondition), DeleteAlias
 * (a missing alias is not an error) and ListAliases (optionally only those
 * routing to one version). Validation messages follow AWS's responses.
 * https://docs.aws.amazon.com/lambda/latest/api/API_CreateAlias.html
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-aliases.html
 */
import { randomUUID } from 'node:crypto';
import { ServiceError } from '../../core/errors.js';
import { paginate, type LambdaContext, type Operations } from './common.js';
import { functionNotFound, invalidParameter, resourceConflict, resourceNotFound, revisionMismatch, validation } from './errors.js';
import { toAlias, type AliasRecord } from './models.js';
import { childKey, functionArn, functionKey, isVersionNumber, LATEST, parseFunctionRef, resourceArn, versionKey, type FunctionRef } from './names.js';
import { TABLES, type LambdaStore } from './store.js';

const NAME_PATTERN = '(?!^[0-9]+$)([a-zA-Z0-9-_]+)';
const NAME_RE = /^(?!^[0-9]+$)[a-zA-Z0-9-_]+$/;

interface AliasInput {
  FunctionName: string;
  Name: string;
  FunctionVersion?: string;
  Description?: string;
  RoutingConfig?: { AdditionalVersionWeights?: Record<string, number> };
  RevisionId?: string;
}

/** Java prints doubles with a decimal point; AWS's messages show weights that way. */
const double = (n: number) => (Number.isInteger(n) ? `${n}.0` : String(n));

async function checkVersionExists(db: LambdaStore, ref: FunctionRef, version: string): Promise<void> {
  if (version === LATEST) return;
  if (!isVersionNumber(version) || !(await db.docs.get(TABLES.versions, versionKey(ref, version)))) throw functionNotFound(functionArn(ref, version));
}

async function checkRouting(db: LambdaStore, ref: FunctionRef, version: string, routing: AliasInput['RoutingConfig']): Promise<Record<string, number> | undefined> {
  const weights = routing?.AdditionalVersionWeights;
  if (!weights) return undefined;
  const entries = Object.entries(weights);
  for (const [k, w] of entries) {
    if (!/^[0-9]+$/.test(k)) {
      throw new ServiceError('ValidationException', `1 validation error detected: Value '{${k}=${double(w)}}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [0-9]+]`, { status: 400 });
    }
    if (!(w >= 0 && w <= 1)) {
      throw new ServiceError('ValidationException', `1 validation error detected: Value '{${k}=${double(w)}}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]`, { status: 400 });
    }
  }
  if (entries.length > 1) throw invalidParameter('Number of items in AdditionalVersionWeights cannot be greater than 1');
  if (entries.length === 0) return undefined;
  if (version === LATEST) throw invalidParameter('$LATEST is not supported for an alias pointing to more than 1 version');
  const [other] = entries[0]!;
  if (other === version) throw invalidParameter(`Invalid function version ${version}. Function version ${version} is already included in routing configuration.`);
  await checkVersionExists(db, ref, other);
  return weights;
}

function aliasRef(input: AliasInput, ctx: Parameters<typeof parseFunctionRef>[1]): FunctionRef {
  const ref = parseFunctionRef(input.FunctionName, ctx);
  if (!NAME_RE.test(input.Name ?? '') || (input.Name ?? '').length > 128) {
    throw validation(input.Name, 'name', `Member must satisfy regular expression pattern: ${NAME_PATTERN}`);
  }
  return ref;
}

export function aliasOperations(c: LambdaContext): Operations {
  const { db } = c;
  const fnResource = (input: AliasInput, ctx: Parameters<typeof parseFunctionRef>[1]) => resourceArn(input.FunctionName, ctx, undefined, false);

  return {
    CreateAlias: {
      resources: fnResource,
      async handler(input: AliasInput, ctx) {
        const ref = aliasRef(input, ctx);
        const version = input.FunctionVersion;
        if (version === undefined) throw validation(version, 'functionVersion', 'Member must not be null');
        const key = childKey(ref, input.Name);
        const alias = await db.mutate(ref, async (current) => {
          if (!current) throw functionNotFound(functionArn(ref));
          await checkVersionExists(db, ref, version);
          const weights = await checkRouting(db, ref, version, input.RoutingConfig);
          if (await db.docs.get(TABLES.aliases, key)) throw resourceConflict(`Alias already exists: ${functionArn(ref, input.Name)}`);
          const value: AliasRecord = { name: input.Name, functionVersion: version, description: input.Description ?? '', revisionId: randomUUID() };
          if (weights) value.weights = weights;
          return { ops: [{ op: 'put', table: TABLES.aliases, key, value, condition: { ifNotExists: true } }], result: value };
        });
        return toAlias(ref, alias);
      },
    },

    GetAlias: {
      resources: fnResource,
      async handler(input: AliasInput, ctx) {
        const ref = aliasRef(input, ctx);
        await db.requireFunction(ref);
        const alias = await db.docs.get<AliasRecord>(TABLES.aliases, childKey(ref, input.Name));
        if (!alias) throw resourceNotFound(`Cannot find alias arn: ${functionArn(ref, input.Name)}`);
        return toAlias(ref, alias.value);
      },
    },

    UpdateAlias: {
      resources: fnResource,
      async handler(input: AliasInput, ctx) {
        const ref = aliasRef(input, ctx);
        const key = childKey(ref, input.Name);
        const alias = await db.mutate(ref, async (current) => {
          if (!current) throw functionNotFound(functionArn(ref));
          const doc = await db.docs.get<AliasRecord>(TABLES.aliases, key);
          if (!doc) throw resourceNotFound(`Alias not found: ${functionArn(ref, input.Name)}`);
          if (input.RevisionId !== undefined && input.RevisionId !== doc.value.revisionId) throw revisionMismatch();
          const version = input.FunctionVersion ?? doc.value.functionVersion;
          await checkVersionExists(db, ref, version);
          const value: AliasRecord = { ...doc.value, functionVersion: version, revisionId: randomUUID() };
          if (input.Description !== undefined) value.description = input.Description;
          if (input.RoutingConfig !== undefined) {
            const weights = await checkRouting(db, ref, version, input.RoutingConfig);
            if (weights) value.weights = weights;
            else delete value.weights;
          } else if (value.weights && (version === LATEST || value.weights[version] !== undefined)) {
            delete value.weights;
          }
          return { ops: [{ op: 'put', table: TABLES.aliases, key, value, condition: { ifVersion: doc.version } }], result: value };
        });
        return toAlias(ref, alias);
      },
    },

    DeleteAlias: {
      resources: fnResource,
      async handler(input: AliasInput, ctx) {
        const ref = aliasRef(input, ctx);
        const key = childKey(ref, input.Name);
        await db.mutate(ref, async (current) => {
          if (!current) throw functionNotFound(functionArn(ref));
          const ops = [];
          for (const table of [TABLES.aliases, TABLES.policies, TABLES.eventInvoke]) {
            const doc = await db.docs.get(table, key);
            if (doc) ops.push({ op: 'delete' as const, table, key, condition: { ifVersion: doc.version } });
          }
          return { ops, result: undefined };
        });
        return undefined;
      },
    },

    ListAliases: {
      resources: (input: { FunctionName: string }, ctx) => resourceArn(input.FunctionName, ctx, undefined, false),
      async handler(input: { FunctionName: string; FunctionVersion?: string; Marker?: string; MaxItems?: number }, ctx) {
        const ref = parseFunctionRef(input.FunctionName, ctx);
        await db.requireFunction(ref);
        let aliases = (await db.listAll<AliasRecord>(TABLES.aliases, `${functionKey(ref)}/`)).map((d) => d.value);
        const v = input.FunctionVersion;
        if (v !== undefined) aliases = aliases.filter((a) => a.functionVersion === v || a.weights?.[v] !== undefined);
        const { page, nextMarker } = paginate(aliases, (a) => a.name, input.Marker, input.MaxItems);
        return { Aliases: page.map((a) => toAlias(ref, a)), NextMarker: nextMarker };
      },
    },
  };
}
