/**
 * What IAM's operation files share: the dependencies, the ARNs an action acts
 * on (per "Actions, resources, and condition keys for IAM": user, group, role
 * and policy ARNs include the entity's path), the caller-as-user fallback of
 * GetUser/CreateAccessKey/ListAccessKeys, tag checks and policy-document
 * validation.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html
 */
import { iamArn } from '../../core/arn.js';
import type { RequestContext } from '../../core/context.js';
import { policySize, type EntityKind, type IamDirectory, type PageRequest } from '../../identity/directory.js';
import { validateIdentityPolicy, validateTrustPolicy } from '../../identity/policy/validate.js';
import type { Tag } from '../../identity/types.js';
import type { OperationSpec } from '../types.js';
import { invalidInput, limitExceeded, needsUserName } from './errors.js';

export interface IamDeps {
  directory: IamDirectory;
}

export type Operations = Record<string, OperationSpec>;

export interface PageInput {
  Marker?: string;
  MaxItems?: number;
}

export function pageRequest(input: PageInput): PageRequest {
  return { marker: input.Marker, maxItems: input.MaxItems };
}

/** The ARN of an entity to be created (its path is in the request). */
export function newEntityArn(ctx: RequestContext, kind: EntityKind | 'policy', path: string | undefined, name: string): string {
  return iamArn(ctx.accountId, kind, path ?? '/', name);
}

/** The ARN of an existing entity, path included; an unknown one is evaluated as if at '/' (the handler then answers NoSuchEntity). */
export async function entityArn(deps: IamDeps, ctx: RequestContext, kind: EntityKind, name: string | undefined): Promise<string> {
  if (!name) return '*';
  const doc = await deps.directory.entities.get(kind, ctx.accountId, name);
  return doc?.arn ?? iamArn(ctx.accountId, kind, '/', name);
}

/** The user an optional UserName defaults to: the calling IAM user itself. */
export function userNameOrCaller(userName: string | undefined, ctx: RequestContext): string {
  if (userName) return userName;
  if (ctx.principal.type === 'user' && ctx.principal.name) return ctx.principal.name;
  throw needsUserName();
}

/** The resource of a call on "the user named or the caller". */
export async function userOrCallerArn(deps: IamDeps, ctx: RequestContext, userName: string | undefined): Promise<string[]> {
  if (userName) return [await entityArn(deps, ctx, 'user', userName)];
  return [ctx.principal.type === 'user' ? ctx.principal.arn : '*'];
}

/** IAM refuses a request that repeats a tag key, comparing keys without regard to case. */
export function checkTags(tags: Tag[] | undefined): Tag[] {
  const list = tags ?? [];
  const keys = new Set(list.map((t) => t.Key.toLowerCase()));
  if (keys.size !== list.length) throw invalidInput('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
  return list.map((t) => ({ Key: t.Key, Value: t.Value ?? '' }));
}

/** aws:TagKeys and aws:RequestTag/<key>, the condition keys of a request that carries tags. */
export function tagConditions(tags: Tag[] | undefined, extra: Record<string, string | undefined> = {}): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) out[k] = v;
  if (tags?.length) {
    out['aws:TagKeys'] = tags.map((t) => t.Key);
    for (const t of tags) out[`aws:RequestTag/${t.Key}`] = t.Value ?? '';
  }
  return out;
}

const MANAGED_POLICY_SIZE = 6144;
const TRUST_POLICY_SIZE = 2048;

/** Identity policies: inline (PutUserPolicy...) and managed (CreatePolicy, CreatePolicyVersion). */
export function checkIdentityPolicy(document: string, managed: boolean): string {
  validateIdentityPolicy(document, { managed });
  if (managed && policySize(document) > MANAGED_POLICY_SIZE) throw limitExceeded(`Cannot exceed quota for PolicySize: ${MANAGED_POLICY_SIZE}`);
  return document;
}

/** Role trust policies (CreateRole, UpdateAssumeRolePolicy). */
export function checkTrustPolicy(document: string): string {
  validateTrustPolicy(document);
  if (policySize(document) > TRUST_POLICY_SIZE) throw limitExceeded(`Cannot exceed quota for ACLSizePerRole: ${TRUST_POLICY_SIZE}`);
  return document;
}

export function nowIso(): string {
  return new Date().toISOString();
}
