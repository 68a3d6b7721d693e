/**
 * Tags on HTTP APIs and their stages: TagResource, UntagResource and GetTags,
 * addressed by `arn:aws:apigateway:<region>::/apis/<apiId>[/stages/<name>]`.
 * CreateApi and CreateStage take tags too. IAM sees the call as
 * `apigateway:POST|DELETE|GET` on `/tags/<url-encoded resource ARN>`.
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/tags-resource-arn.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-tagging-iam-policy.html
 */
import type { RequestContext } from '../../core/context.js';
import { checkTags, ownerOf, required, strings, tagConditions, type ApiGatewayV2Context, type Operations } from './common.js';
import { apiNotFound, badRequest, stageNotFound } from './errors.js';
import { parseTaggableArn } from './names.js';

interface TagInput {
  ResourceArn: string;
  Tags?: Record<string, string>;
  TagKeys?: string[];
}

function target(input: TagInput, ctx: RequestContext): { apiId: string; stageName?: string } {
  const arn = required(input.ResourceArn, 'ResourceArn');
  const parsed = parseTaggableArn(arn);
  if (!parsed) throw badRequest(`Invalid resource ARN ${arn}. Tags are supported on APIs and stages`);
  if (parsed.region !== ctx.region) throw apiNotFound(ctx.accountId, parsed.apiId);
  return parsed;
}

export function tagOperations(c: ApiGatewayV2Context): Operations {
  const { db } = c;
  const path = (i: TagInput) => `/tags/${encodeURIComponent(i.ResourceArn ?? '')}`;
  const resources = (i: TagInput, ctx: RequestContext) => [`arn:aws:apigateway:${ctx.region}::${path(i)}`];

  /** Applies `edit` to the tags of the API or stage the ARN names. */
  const change = (input: TagInput, ctx: RequestContext, edit: (tags: Record<string, string>) => Record<string, string>) => {
    const t = target(input, ctx);
    return db.mutate(t.apiId, ownerOf(ctx), (tx) => {
      if (t.stageName === undefined) {
        tx.setApi({ ...tx.api, tags: edit({ ...tx.api.tags }) });
        return;
      }
      const stage = tx.state.stages.get(t.stageName);
      if (!stage) throw stageNotFound(t.stageName);
      tx.put('stages', stage.stageName, { ...stage, tags: edit({ ...stage.tags }) });
    });
  };

  return {
    TagResource: {
      action: 'apigateway:POST',
      resources,
      conditions: tagConditions,
      async handler(input: TagInput, ctx) {
        checkTags(input.Tags);
        await change(input, ctx, (tags) => {
          const next = { ...tags, ...(input.Tags ?? {}) };
          checkTags(next);
          return next;
        });
        return {};
      },
    },

    UntagResource: {
      action: 'apigateway:DELETE',
      resources,
      conditions: tagConditions,
      async handler(input: TagInput, ctx) {
        const keys = strings(required(input.TagKeys, 'TagKeys'), 'TagKeys')!;
        await change(input, ctx, (tags) => {
          for (const k of keys) delete tags[k];
          return tags;
        });
        return undefined;
      },
    },

    GetTags: {
      action: 'apigateway:GET',
      resources,
      async handler(input: TagInput, ctx) {
        const t = target(input, ctx);
        const api = await db.requireApi(t.apiId, ownerOf(ctx));
        if (t.stageName === undefined) return { Tags: api.value.tags };
        const stage = await db.getChild<{ tags: Record<string, string> }>('stages', t.apiId, t.stageName);
        if (!stage) throw stageNotFound(t.stageName);
        return { Tags: stage.tags };
      },
    },
  };
}
