/**
 * What the operation files share: dependencies, the owner of a call, IAM
 * resources, pagination (NextToken/MaxResults travel as strings in this API)
 * and small value checks.
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis.html
 */
import type { RequestContext } from '../../core/context.js';
import type { OperationSpec } from '../types.js';
import { badRequest, missing } from './errors.js';
import { resourceArn } from './names.js';
import type { ApiStore } from './store.js';

export interface ApiGatewayV2Context {
  db: ApiStore;
}

export type Operations = Record<string, OperationSpec>;

export function ownerOf(ctx: RequestContext): { accountId: string; region: string } {
  return { accountId: ctx.accountId, region: ctx.region };
}

/** An operation's IAM action and resource: `apigateway:<METHOD>` on `arn:aws:apigateway:<region>::<path>`. */
export function iam<I>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT', path: (input: I) => string): Pick<OperationSpec<I>, 'action' | 'resources'> {
  return { action: `apigateway:${method}`, resources: (input, ctx) => [resourceArn(ctx.region, path(input))] };
}

export function required<T>(value: T | undefined | null, member: string): T {
  if (value === undefined || value === null || (value as unknown) === '') throw missing(member);
  return value;
}

export function paginate<T>(items: T[], keyOf: (item: T) => string, nextToken: string | undefined, maxResults: string | undefined): { Items: T[]; NextToken?: string } {
  let size = Number.POSITIVE_INFINITY;
  if (maxResults !== undefined) {
    size = Number(maxResults);
    if (!/^\d+$/.test(maxResults) || size < 1) throw badRequest(`Invalid value for MaxResults: ${maxResults}`);
  }
  let from = 0;
  if (nextToken) {
    const after = Buffer.from(nextToken, 'base64url').toString('utf8');
    from = items.findIndex((item) => keyOf(item) > after);
    if (from < 0) from = items.length;
  }
  const page = items.slice(from, from + size);
  const out: { Items: T[]; NextToken?: string } = { Items: page };
  if (from + size < items.length) out.NextToken = Buffer.from(keyOf(page[page.length - 1]!)).toString('base64url');
  return out;
}

/** Tag maps: at most 50 tags, keys 1..128 characters, values at most 256 (AWS's tagging rules). */
export function checkTags(tags: Record<string, string> | undefined): void {
  if (!tags) return;
  stringMap(tags, 'Tags');
  const keys = Object.keys(tags);
  if (keys.length > 50) throw badRequest('Number of tags exceeds the limit of 50');
  for (const k of keys) {
    if (k.length < 1 || k.length > 128 || k.toLowerCase().startsWith('aws:')) throw badRequest(`Invalid tag key: ${k}`);
    if ((tags[k] ?? '').length > 256) throw badRequest(`Invalid tag value for key: ${k}`);
  }
}

export function tagConditions(input: { Tags?: Record<string, string>; TagKeys?: string[] }): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const keys = input.TagKeys ?? Object.keys(input.Tags ?? {});
  if (keys.length) out['aws:TagKeys'] = keys;
  for (const [k, v] of Object.entries(input.Tags ?? {})) out[`aws:RequestTag/${k}`] = v;
  return out;
}

/** Drops undefined members so outputs list only what is set, as AWS's do. */
export function compact<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

/** A list member whose items must all be strings (JSON lists may carry nulls). */
export function strings(list: unknown[] | undefined, member: string): string[] | undefined {
  if (list === undefined) return undefined;
  if (!list.every((v) => typeof v === 'string')) throw badRequest(`Invalid value in ${member}: every item must be a string`);
  return list as string[];
}

/** A map member whose values must all be strings (JSON maps may carry nulls). */
export function stringMap(map: Record<string, unknown> | undefined, member: string): Record<string, string> | undefined {
  if (map === undefined) return undefined;
  for (const [k, v] of Object.entries(map)) if (typeof v !== 'string') throw badRequest(`Invalid value for key ${k} in ${member}: it must be a string`);
  return map as Record<string, string>;
}
