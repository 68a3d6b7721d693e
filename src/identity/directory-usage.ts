/**
 * Where a managed policy is used: the per-policy usage document (which users,
 * groups and roles attach it or use it as a permissions boundary) that backs
 * AttachmentCount, PermissionsBoundaryUsageCount, ListEntitiesForPolicy and
 * the "Cannot delete a policy attached to entities" rule, plus resolving a
 * policy ARN to the AWS-managed catalogue or the account's own policies.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html
 */
import { parseArn } from '../core/arn.js';
import type { DocumentStore, StoredDocument, WriteOp } from '../storage/types.js';
import { nameKey, putOp, TABLES, usageKey, type PolicyDoc, type UsageDoc, type UsageField } from './directory-layout.js';
import { getManagedPolicy, isAwsManagedArn, type ManagedPolicy } from './managed/index.js';

export type ResolvedPolicy = { source: 'aws'; policy: ManagedPolicy } | { source: 'local'; doc: StoredDocument<PolicyDoc>; key: string };

/** The account and lower-cased name a customer-managed policy ARN points at, if it is one. */
export function localPolicyKey(accountId: string, policyArn: string): string | undefined {
  const arn = parseArn(policyArn);
  if (!arn || arn.service !== 'iam' || arn.accountId !== accountId || !arn.resource.startsWith('policy/')) return undefined;
  const name = arn.resource.slice(arn.resource.lastIndexOf('/') + 1);
  return name ? nameKey(accountId, name) : undefined;
}

/** Finds a managed policy usable from `accountId`: AWS's catalogue or the account's own (exact ARN, path included). */
export async function resolvePolicy(store: DocumentStore, accountId: string, policyArn: string): Promise<ResolvedPolicy | undefined> {
  if (isAwsManagedArn(policyArn)) {
    const policy = getManagedPolicy(policyArn);
    return policy ? { source: 'aws', policy } : undefined;
  }
  const key = localPolicyKey(accountId, policyArn);
  if (!key) return undefined;
  const doc = await store.get<PolicyDoc>(TABLES.policies, key);
  return doc && doc.value.arn === policyArn ? { source: 'local', doc, key } : undefined;
}

/** Asserts in the batch that a customer-managed policy still exists, so a concurrent DeletePolicy cannot slip past. */
export function policyStillExists(resolved: ResolvedPolicy): WriteOp[] {
  return resolved.source === 'local' ? [{ op: 'check', table: TABLES.policies, key: resolved.key, condition: { ifExists: true } }] : [];
}

export interface UsageChange {
  policyArn: string;
  field: UsageField;
  /** Lower-cased entity name. */
  name: string;
  add: boolean;
}

export function emptyUsage(policyArn: string): UsageDoc {
  return { policyArn, users: [], groups: [], roles: [], boundaryUsers: [], boundaryRoles: [] };
}

export function usageIsEmpty(u: UsageDoc): boolean {
  return !u.users.length && !u.groups.length && !u.roles.length && !u.boundaryUsers.length && !u.boundaryRoles.length;
}

/**
 * Reads the usage documents touched by `changes` and returns the conditional
 * writes that apply them (several changes to one policy are merged; a usage
 * document left empty is deleted, which DeletePolicy's check relies on).
 */
export async function usageOps(store: DocumentStore, accountId: string, changes: UsageChange[]): Promise<WriteOp[]> {
  const byArn = new Map<string, UsageChange[]>();
  for (const c of changes) byArn.set(c.policyArn, [...(byArn.get(c.policyArn) ?? []), c]);
  return Promise.all(
    [...byArn].map(async ([policyArn, list]) => {
      const key = usageKey(accountId, policyArn);
      const read = await store.get<UsageDoc>(TABLES.usage, key);
      const next = read ? structuredClone(read.value) : emptyUsage(policyArn);
      for (const c of list) {
        const names = next[c.field].filter((n) => n !== c.name);
        next[c.field] = c.add ? [...names, c.name] : names;
      }
      if (usageIsEmpty(next)) {
        return read ? ({ op: 'delete', table: TABLES.usage, key, condition: { ifVersion: read.version } } as WriteOp) : ({ op: 'check', table: TABLES.usage, key, condition: { ifNotExists: true } } as WriteOp);
      }
      return putOp(TABLES.usage, key, next, read);
    }),
  );
}

/** The changes that rename an entity in every usage document that lists it. */
export function renameUsage(policyArns: string[], field: UsageField, from: string, to: string): UsageChange[] {
  return policyArns.flatMap((policyArn) => [
    { policyArn, field, name: from, add: false },
    { policyArn, field, name: to, add: true },
  ]);
}

export async function readUsage(store: DocumentStore, accountId: string, policyArn: string): Promise<UsageDoc> {
  return (await store.get<UsageDoc>(TABLES.usage, usageKey(accountId, policyArn)))?.value ?? emptyUsage(policyArn);
}

/** Every usage document of an account, by policy ARN (for ListPolicies' counts and OnlyAttached). */
export async function allUsage(store: DocumentStore, accountId: string): Promise<Map<string, UsageDoc>> {
  const docs = await store.list<UsageDoc>(TABLES.usage, { prefix: `${accountId}/` });
  return new Map(docs.map((d) => [d.value.policyArn, d.value]));
}

const documentCache = new WeakMap<ManagedPolicy, string>();

/** AWS-managed documents are immutable catalogue entries, so their JSON text can be kept. */
export function awsPolicyDocument(policy: ManagedPolicy): string {
  let text = documentCache.get(policy);
  if (text === undefined) {
    text = JSON.stringify(policy.Document);
    documentCache.set(policy, text);
  }
  return text;
}

export function defaultDocument(doc: PolicyDoc): string | undefined {
  return doc.versions.find((v) => v.versionId === doc.defaultVersionId)?.document;
}
