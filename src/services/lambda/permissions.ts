/**
 * Resource-based policies: AddPermission, RemovePermission and GetPolicy.
 * Each function, version and alias has its own policy, stored as an IAM
 * policy document; the gateway evaluates it together with the caller's
 * identity policies (ServiceDefinition.resourcePolicy), and services that
 * invoke functions as a service principal (S3, SNS, API Gateway) read it
 * through functionPolicy(). Statements are written as Lambda writes them
 * (principal forms, AWS:SourceArn/AWS:SourceAccount conditions).
 * https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html
 * https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html
 */
import { randomUUID } from 'node:crypto';
import { ServiceError } from '../../core/errors.js';
import type { DocumentStore } from '../../storage/types.js';
import { resolve, type LambdaContext, type Operations } from './common.js';
import { invalidParameter, resourceConflict, resourceNotFound, revisionMismatch, validation } from './errors.js';
import { policyDocument, type AliasRecord, type PolicyRecord, type PolicyStatement } from './models.js';
import { childKey, functionArn, isVersionNumber, LATEST, parseFunctionArn, parseFunctionRef, resourceArn, type FunctionRef } from './names.js';
import { TABLES, type LambdaStore } from './store.js';

const SID_RE = /^[a-zA-Z0-9-_]+$/;
const ACTION_RE = /^(lambda:[*]|lambda:[a-zA-Z]+|[*])$/;
const SERVICE_RE = /^[a-z0-9][a-z0-9.-]*\.amazon(aws)?\.com(\.cn)?$/;
const POLICY_LIMIT = 20480;

interface AddInput {
  FunctionName: string;
  StatementId: string;
  Action: string;
  Principal: string;
  SourceArn?: string;
  SourceAccount?: string;
  EventSourceToken?: string;
  Qualifier?: string;
  RevisionId?: string;
  PrincipalOrgID?: string;
  FunctionUrlAuthType?: string;
}

interface RemoveInput {
  FunctionName: string;
  StatementId: string;
  Qualifier?: string;
  RevisionId?: string;
}

/** The policy document of a function (or one of its versions or aliases), as IAM evaluates it. */
export async function functionPolicy(store: DocumentStore, arn: string, qualifier?: string): Promise<string | undefined> {
  const ref = parseFunctionArn(arn);
  if (!ref) return undefined;
  const q = qualifier ?? ref.qualifier;
  const doc = await store.get<PolicyRecord>(TABLES.policies, policyKey(ref, q === LATEST ? undefined : q));
  return doc && doc.value.statements.length > 0 ? policyDocument(doc.value) : undefined;
}

/** The unqualified function's policy sits at "<function>/"; a version's or alias's at "<function>/<qualifier>". */
function policyKey(ref: Pick<FunctionRef, 'accountId' | 'region' | 'name'>, qualifier: string | undefined): string {
  return childKey(ref, qualifier ?? '');
}

function principalOf(p: string): PolicyStatement['Principal'] {
  if (p === '*') return '*';
  if (/^\d{12}$/.test(p)) return { AWS: `arn:aws:iam::${p}:root` };
  if (/^arn:aws[a-zA-Z-]*:(iam|sts)::\d{12}:.+$/.test(p)) return { AWS: p };
  if (SERVICE_RE.test(p)) return { Service: p };
  throw invalidParameter('The provided principal was invalid. Please check the principal and try again.');
}

function statementOf(input: AddInput, resource: string): PolicyStatement {
  const s: PolicyStatement = { Sid: input.StatementId, Effect: 'Allow', Principal: principalOf(input.Principal), Action: input.Action, Resource: resource };
  const equals: Record<string, string> = {};
  if (input.SourceAccount) equals['AWS:SourceAccount'] = input.SourceAccount;
  if (input.EventSourceToken) equals['lambda:EventSourceToken'] = input.EventSourceToken;
  if (input.FunctionUrlAuthType) equals['lambda:FunctionUrlAuthType'] = input.FunctionUrlAuthType;
  if (input.PrincipalOrgID) equals['aws:PrincipalOrgID'] = input.PrincipalOrgID;
  const condition: Record<string, Record<string, string>> = {};
  if (Object.keys(equals).length > 0) condition.StringEquals = equals;
  if (input.SourceArn) condition.ArnLike = { 'AWS:SourceArn': input.SourceArn };
  if (Object.keys(condition).length > 0) s.Condition = condition;
  return s;
}

/** The qualifier's target must exist: a version ("Function not found") or an alias ("Cannot find alias arn"). */
async function checkTarget(db: LambdaStore, ref: FunctionRef): Promise<void> {
  const q = ref.qualifier;
  if (q !== undefined && !isVersionNumber(q) && q !== LATEST) {
    await db.requireFunction(ref);
    if (!(await db.docs.get<AliasRecord>(TABLES.aliases, childKey(ref, q)))) throw resourceNotFound(`Cannot find alias arn: ${functionArn(ref, q)}`);
    return;
  }
  await resolve(db, ref);
}

export function permissionOperations(c: LambdaContext): Operations {
  const { db } = c;
  return {
    AddPermission: {
      resources: (input: AddInput, ctx) => resourceArn(input.FunctionName, ctx, input.Qualifier),
      conditions: (input: AddInput) => ({ 'lambda:Principal': input.Principal ?? '', ...(input.FunctionUrlAuthType ? { 'lambda:FunctionUrlAuthType': input.FunctionUrlAuthType } : {}) }),
      async handler(input: AddInput, ctx) {
        if (!SID_RE.test(input.StatementId ?? '') || input.StatementId.length > 100) {
          throw validation(input.StatementId, 'statementId', 'Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)');
        }
        if (!ACTION_RE.test(input.Action ?? '')) throw validation(input.Action, 'action', 'Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])');
        const ref = parseFunctionRef(input.FunctionName, ctx, input.Qualifier);
        if (ref.qualifier === LATEST) throw invalidParameter('We currently do not support adding policies for $LATEST.');
        await checkTarget(db, ref);
        const statement = statementOf(input, functionArn(ref, ref.qualifier));
        const key = policyKey(ref, ref.qualifier);
        await db.mutate(ref, async (current) => {
          if (!current) await db.requireFunction(ref);
          const doc = await db.docs.get<PolicyRecord>(TABLES.policies, key);
          if (input.RevisionId !== undefined && input.RevisionId !== (doc?.value.revisionId ?? current?.value.latest.revisionId)) throw revisionMismatch('GetPolicy');
          const statements = doc?.value.statements ?? [];
          if (statements.some((s) => s.Sid === input.StatementId)) {
            throw resourceConflict(`The statement id (${input.StatementId}) provided already exists. Please provide a new statement id, or remove the existing statement.`);
          }
          const value: PolicyRecord = { statements: [...statements, statement], revisionId: randomUUID() };
          const size = Buffer.byteLength(policyDocument(value));
          if (size > POLICY_LIMIT) throw new ServiceError('PolicyLengthExceededException', `The final policy size (${size}) is bigger than the limit (${POLICY_LIMIT}).`);
          return { ops: [{ op: 'put', table: TABLES.policies, key, value, condition: doc ? { ifVersion: doc.version } : { ifNotExists: true } }], result: undefined };
        });
        return { Statement: JSON.stringify(statement) };
      },
    },

    RemovePermission: {
      resources: (input: RemoveInput, ctx) => resourceArn(input.FunctionName, ctx, input.Qualifier),
      async handler(input: RemoveInput, ctx) {
        const ref = parseFunctionRef(input.FunctionName, ctx, input.Qualifier);
        if (!(await db.getFunction(ref))) throw resourceNotFound(`No policy found for: ${functionArn(ref, ref.qualifier)}`);
        await checkTarget(db, ref);
        const key = policyKey(ref, ref.qualifier);
        await db.mutate(ref, async () => {
          const doc = await db.docs.get<PolicyRecord>(TABLES.policies, key);
          if (!doc || doc.value.statements.length === 0) throw resourceNotFound('No policy is associated with the given resource.');
          if (input.RevisionId !== undefined && input.RevisionId !== doc.value.revisionId) throw revisionMismatch('GetPolicy');
          const statements = doc.value.statements.filter((s) => s.Sid !== input.StatementId);
          if (statements.length === doc.value.statements.length) throw resourceNotFound(`Statement ${input.StatementId} is not found in resource policy.`);
          const op =
            statements.length === 0
              ? { op: 'delete' as const, table: TABLES.policies, key, condition: { ifVersion: doc.version } }
              : { op: 'put' as const, table: TABLES.policies, key, value: { statements, revisionId: randomUUID() }, condition: { ifVersion: doc.version } };
          return { ops: [op], result: undefined };
        });
        return undefined;
      },
    },

    GetPolicy: {
      resources: (input: { FunctionName: string; Qualifier?: string }, ctx) => resourceArn(input.FunctionName, ctx, input.Qualifier),
      async handler(input: { FunctionName: string; Qualifier?: string }, ctx) {
        const ref = parseFunctionRef(input.FunctionName, ctx, input.Qualifier);
        const missing = () => resourceNotFound('The resource you requested does not exist.');
        try {
          await checkTarget(db, ref);
        } catch (err) {
          if (err instanceof ServiceError && err.code === 'ResourceNotFoundException') throw missing();
          throw err;
        }
        const doc = await db.docs.get<PolicyRecord>(TABLES.policies, policyKey(ref, ref.qualifier === LATEST ? undefined : ref.qualifier));
        if (!doc || doc.value.statements.length === 0) throw missing();
        return { Policy: policyDocument(doc.value), RevisionId: doc.value.revisionId };
      },
    },
  };
}
