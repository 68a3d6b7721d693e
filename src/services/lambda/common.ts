/**
 * What Lambda's operation files share: the dependencies, and resolving a
 * function reference with its qualifier to the version it names: `$LATEST`,
 * a published version number, or an alias (which points at a version, and
 * with a routing configuration at two).
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-aliases.html
 */
import type { CodeObjects } from './code.js';
import type { Authorizer } from '../../identity/authorizer.js';
import type { FunctionEngine } from '../../functions/types.js';
import type { Directory } from '../../identity/types.js';
import type { BlobStore, DocumentStore, StoredDocument } from '../../storage/types.js';
import type { OperationSpec } from '../types.js';
import type { CodeLinks } from './code-links.js';
import { functionNotFound, validation } from './errors.js';
import type { AliasRecord, FunctionRecord, VersionRecord } from './models.js';
import { childKey, isVersionNumber, LATEST, versionKey, type FunctionRef } from './names.js';
import { TABLES, type LambdaStore } from './store.js';

export interface LambdaServiceDeps {
  store: DocumentStore;
  blobs: BlobStore;
  directory: Directory;
  engine: FunctionEngine;
  /** Account-wide concurrent executions (AWS's default quota is 1000). */
  accountConcurrency: number;
  /** Signs GetFunction's code download links; the same on every node. */
  codeSigningSecret: Buffer;
  /** How long creates and updates stay Pending/InProgress (default 50 ms). */
  settleDelayMs?: number;
  /** Checks iam:PassRole for the execution role of CreateFunction and UpdateFunctionConfiguration. */
  authorizer?: Authorizer;
  /** S3, for Code.S3Bucket/S3Key; absent when Stratus runs without it. */
  codeObjects?: CodeObjects;
}

export interface LambdaContext {
  deps: LambdaServiceDeps;
  db: LambdaStore;
  links: CodeLinks;
}

export type Operations = Record<string, OperationSpec>;

export interface Resolved {
  fn: StoredDocument<FunctionRecord>;
  version: VersionRecord;
  /** The qualifier the caller named ($LATEST, a number or an alias), for ARNs in responses. */
  qualifier?: string;
  alias?: AliasRecord;
}

/** The version a reference names; ResourceNotFoundException "Function not found: <arn>" otherwise. */
export async function resolve(db: LambdaStore, ref: FunctionRef): Promise<Resolved> {
  const fn = await db.requireFunction(ref, ref.qualifier);
  const q = ref.qualifier;
  if (q === undefined) return { fn, version: fn.value.latest };
  if (q === LATEST) return { fn, version: fn.value.latest, qualifier: q };
  if (isVersionNumber(q)) {
    const version = await db.getVersion(ref, versionKey(ref, q));
    if (!version) throw functionNotFound(arnOf(ref, q));
    return { fn, version, qualifier: q };
  }
  const alias = (await db.docs.get<AliasRecord>(TABLES.aliases, childKey(ref, q)))?.value;
  if (!alias) throw functionNotFound(arnOf(ref, q));
  const version = alias.functionVersion === LATEST ? fn.value.latest : await db.getVersion(ref, versionKey(ref, alias.functionVersion));
  if (!version) throw functionNotFound(arnOf(ref, alias.functionVersion));
  return { fn, version, qualifier: q, alias };
}

function arnOf(ref: FunctionRef, q: string): string {
  return `arn:aws:lambda:${ref.region}:${ref.accountId}:function:${ref.name}:${q}`;
}

/** Lambda's list pagination: an opaque marker (the last key returned) and MaxItems (default 50). */
export function paginate<T>(items: T[], keyOf: (item: T) => string, marker: string | undefined, maxItems: number | undefined, max = 10000): { page: T[]; nextMarker?: string } {
  if (maxItems !== undefined && maxItems < 1) throw validation(maxItems, 'maxItems', 'Member must have value greater than or equal to 1');
  if (maxItems !== undefined && maxItems > max) throw validation(maxItems, 'maxItems', `Member must have value less than or equal to ${max}`);
  const after = marker ? Buffer.from(marker, 'base64url').toString('utf8') : undefined;
  const start = after === undefined ? 0 : items.findIndex((item) => keyOf(item) > after);
  const from = start < 0 ? items.length : start;
  const size = maxItems ?? 50;
  const page = items.slice(from, from + size);
  return from + size < items.length ? { page, nextMarker: Buffer.from(keyOf(page[page.length - 1]!)).toString('base64url') } : { page };
}
