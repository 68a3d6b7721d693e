/**
 * Reserved concurrency (Put/Get/DeleteFunctionConcurrency) and
 * GetAccountSettings. Reservations are kept per account and region in one
 * document, written in the same batch as the function, so two concurrent
 * reservations can never together push the account's unreserved
 * concurrency below Lambda's floor of 100.
 * https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionConcurrency.html
 * https://docs.aws.amazon.com/lambda/latest/api/API_GetAccountSettings.html
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
 */
import type { WriteOp } from '../../storage/types.js';
import { CODE_SIZE_UNZIPPED, CODE_SIZE_ZIPPED } from './code.js';
import type { LambdaContext, Operations } from './common.js';
import { functionNotFound, invalidParameter, qualifiedNotAllowed, validation } from './errors.js';
import type { FunctionRecord, VersionRecord } from './models.js';
import { functionArn, LATEST, parseFunctionRef, regionPrefix, resourceArn, type FunctionRef } from './names.js';
import { TABLES, type LambdaStore } from './store.js';

const MIN_UNRESERVED = 100;
const TOTAL_CODE_SIZE = 80_530_636_800;

interface AccountDoc {
  /** Function name → reserved concurrent executions. */
  reserved: Record<string, number>;
}

type Ref = Pick<FunctionRef, 'accountId' | 'region' | 'name'>;

const accountKey = (ref: { accountId: string; region: string }) => `${ref.accountId}/${ref.region}`;

/** The batch op that records (or, with undefined, removes) a function's reservation. */
async function reservationOp(db: LambdaStore, ref: Ref, value: number | undefined): Promise<{ op: WriteOp; others: number }> {
  const doc = await db.docs.get<AccountDoc>(TABLES.accounts, accountKey(ref));
  const reserved = { ...(doc?.value.reserved ?? {}) };
  delete reserved[ref.name];
  const others = Object.values(reserved).reduce((a, b) => a + b, 0);
  if (value !== undefined) reserved[ref.name] = value;
  return {
    op: { op: 'put', table: TABLES.accounts, key: accountKey(ref), value: { reserved }, condition: doc ? { ifVersion: doc.version } : { ifNotExists: true } },
    others,
  };
}

/** Ops that drop a deleted function's reservation (none when it had none). */
export async function releaseReservation(db: LambdaStore, ref: Ref): Promise<WriteOp[]> {
  const doc = await db.docs.get<AccountDoc>(TABLES.accounts, accountKey(ref));
  if (!doc || doc.value.reserved[ref.name] === undefined) return [];
  return [(await reservationOp(db, ref, undefined)).op];
}

interface NameInput {
  FunctionName: string;
}

function unqualified(input: NameInput, ctx: Parameters<typeof parseFunctionRef>[1]): FunctionRef {
  const ref = parseFunctionRef(input.FunctionName, ctx);
  if (ref.qualifier !== undefined) throw qualifiedNotAllowed();
  return ref;
}

export function concurrencyOperations(c: LambdaContext): Operations {
  const { db, deps } = c;
  const requireFn = async (ref: Ref) => {
    const fn = await db.getFunction(ref);
    // The concurrency API names the function's $LATEST in its not-found message.
    if (!fn) throw functionNotFound(functionArn(ref, LATEST));
    return fn;
  };

  return {
    PutFunctionConcurrency: {
      resources: (input: NameInput, ctx) => resourceArn(input.FunctionName, ctx, undefined, false),
      async handler(input: NameInput & { ReservedConcurrentExecutions?: number }, ctx) {
        const ref = unqualified(input, ctx);
        await requireFn(ref);
        const n = input.ReservedConcurrentExecutions;
        if (n === undefined || n === null) throw validation(n, 'reservedConcurrentExecutions', 'Member must not be null');
        if (n < 0) throw validation(n, 'reservedConcurrentExecutions', 'Member must have value greater than or equal to 0');
        await db.mutate(ref, async (current) => {
          if (!current) throw functionNotFound(functionArn(ref, LATEST));
          const { op, others } = await reservationOp(db, ref, n);
          if (deps.accountConcurrency - others - n < MIN_UNRESERVED) {
            throw invalidParameter(`Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${MIN_UNRESERVED}].`);
          }
          return { value: { ...current.value, reservedConcurrency: n }, ops: [op], result: undefined };
        });
        return { ReservedConcurrentExecutions: n };
      },
    },

    GetFunctionConcurrency: {
      resources: (input: NameInput, ctx) => resourceArn(input.FunctionName, ctx, undefined, false),
      async handler(input: NameInput, ctx) {
        const ref = unqualified(input, ctx);
        const fn = await requireFn(ref);
        const n = fn.value.reservedConcurrency;
        return n === undefined ? {} : { ReservedConcurrentExecutions: n };
      },
    },

    DeleteFunctionConcurrency: {
      resources: (input: NameInput, ctx) => resourceArn(input.FunctionName, ctx, undefined, false),
      async handler(input: NameInput, ctx) {
        const ref = unqualified(input, ctx);
        await requireFn(ref);
        await db.mutate(ref, async (current) => {
          if (!current) throw functionNotFound(functionArn(ref, LATEST));
          const next: FunctionRecord = { ...current.value };
          delete next.reservedConcurrency;
          return { value: next, ops: await releaseReservation(db, ref), result: undefined };
        });
        return undefined;
      },
    },

    GetAccountSettings: {
      async handler(_input: unknown, ctx) {
        const prefix = regionPrefix(ctx.accountId, ctx.region);
        const fns = await db.listAll<FunctionRecord>(TABLES.functions, prefix);
        const versions = await db.listAll<VersionRecord>(TABLES.versions, prefix);
        const account = await db.docs.get<AccountDoc>(TABLES.accounts, accountKey(ctx));
        const reserved = Object.values(account?.value.reserved ?? {}).reduce((a, b) => a + b, 0);
        const codeSize = fns.reduce((sum, f) => sum + f.value.latest.code.size, 0) + versions.reduce((sum, v) => sum + v.value.code.size, 0);
        return {
          AccountLimit: {
            TotalCodeSize: TOTAL_CODE_SIZE,
            CodeSizeUnzipped: CODE_SIZE_UNZIPPED,
            CodeSizeZipped: CODE_SIZE_ZIPPED,
            ConcurrentExecutions: deps.accountConcurrency,
            UnreservedConcurrentExecutions: deps.accountConcurrency - reserved,
          },
          AccountUsage: { TotalCodeSize: codeSize, FunctionCount: fns.length },
        };
      },
    },
  };
}
