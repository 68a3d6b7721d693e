/**
 * Function tags: TagResource, UntagResource and ListTags, addressed by the
 * unqualified function ARN (versions and aliases carry no tags of their own).
 * https://docs.aws.amazon.com/lambda/latest/api/API_TagResource.html
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-tags.html
 */
import type { RequestContext } from '../../core/context.js';
import type { LambdaContext, Operations } from './common.js';
import { functionNotFound, invalidParameter, validation } from './errors.js';
import { functionArn, parseFunctionArn, type FunctionRef } from './names.js';

const MAX_TAGS = 50;
const TAGGABLE_PATTERN = 'arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:(function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?|code-signing-config:csc-[a-z0-9]{17}|event-source-mapping:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})';

interface TagInput {
  Resource: string;
  Tags?: Record<string, string>;
  TagKeys?: string[];
}

function functionOf(arn: string, ctx: RequestContext): FunctionRef {
  const ref = parseFunctionArn(arn ?? '');
  if (!ref) throw validation(arn, 'resource', `Member must satisfy regular expression pattern: ${TAGGABLE_PATTERN}`);
  if (ref.qualifier !== undefined) throw invalidParameter('Tags on function aliases and versions are not supported. Please specify a function ARN.');
  if (ref.region !== ctx.region) throw functionNotFound(functionArn(ref));
  return ref;
}

function tagConditions(input: TagInput): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const keys = input.TagKeys ?? Object.keys(input.Tags ?? {});
  if (keys.length) out['aws:TagKeys'] = keys;
  for (const [k, v] of Object.entries(input.Tags ?? {})) out[`aws:RequestTag/${k}`] = v;
  return out;
}

export function tagOperations(c: LambdaContext): Operations {
  const { db } = c;
  const resources = (input: TagInput) => [input.Resource ?? '*'];
  return {
    TagResource: {
      resources,
      conditions: tagConditions,
      async handler(input: TagInput, ctx) {
        const ref = functionOf(input.Resource, ctx);
        await db.mutate(ref, (current) => {
          if (!current) throw functionNotFound(functionArn(ref));
          const tags = { ...current.value.tags, ...(input.Tags ?? {}) };
          if (Object.keys(tags).length > MAX_TAGS) throw invalidParameter('Number of tags exceeds resource tag limit.');
          return { value: { ...current.value, tags }, result: undefined };
        });
        return undefined;
      },
    },

    UntagResource: {
      resources,
      conditions: tagConditions,
      async handler(input: TagInput, ctx) {
        const ref = functionOf(input.Resource, ctx);
        if (!input.TagKeys) throw validation(undefined, 'tagKeys', 'Member must not be null');
        await db.mutate(ref, (current) => {
          if (!current) throw functionNotFound(functionArn(ref));
          const tags = { ...current.value.tags };
          for (const k of input.TagKeys ?? []) delete tags[k];
          return { value: { ...current.value, tags }, result: undefined };
        });
        return undefined;
      },
    },

    ListTags: {
      resources,
      async handler(input: TagInput, ctx) {
        const ref = functionOf(input.Resource, ctx);
        const fn = await db.requireFunction(ref);
        return { Tags: fn.value.tags };
      },
    },
  };
}
