/**
 * Email templates, one store for SES v1 (CreateTemplate...) and v2
 * (CreateEmailTemplate...), as on AWS where both APIs see the same
 * templates. Names are 1-64 letters, digits, '_' or '-'; a template needs a
 * subject; delete is idempotent; ListTemplates pages by 10 by default (at
 * most 100). Rendering is Handlebars (render.ts).
 * https://docs.aws.amazon.com/ses/latest/APIReference/API_CreateTemplate.html
 * https://docs.aws.amazon.com/ses/latest/APIReference/API_ListTemplates.html
 * https://docs.aws.amazon.com/ses/latest/APIReference/API_TestRenderTemplate.html
 */
import type { RequestContext } from '../../core/context.js';
import { ConditionFailedError } from '../../storage/types.js';
import type { OperationSpec } from '../types.js';
import { decodeToken, encodeToken, invalidParameter, scope, sesError, TABLES, validationError, type Api, type SesContext } from './common.js';
import { buildMessage } from './mime.js';
import { MissingAttributeError, parseTemplate, render, TemplateSyntaxError } from './render.js';

export interface TemplateDoc {
  name: string;
  subject?: string;
  text?: string;
  html?: string;
  createdAt: number;
}

export interface TemplateInput {
  TemplateName?: string;
  SubjectPart?: string;
  TextPart?: string;
  HtmlPart?: string;
}

type Ctx = Pick<RequestContext, 'accountId' | 'region'>;

const key = (ctx: Ctx, name: string) => `${scope(ctx)}${name}`;
const NAME = /^[A-Za-z0-9_-]{1,64}$/;

export function templateNotFound(api: Api, name: string) {
  return api === 1 ? sesError('TemplateDoesNotExist', `Template ${name} does not exist.`) : sesError('NotFoundException', `Template ${name} does not exist.`, 404);
}

function checkTemplate(api: Api, t: TemplateInput): TemplateDoc {
  const name = t.TemplateName ?? '';
  if (!name) throw validationError('template.templateName', null, 'Member must not be null');
  if (!NAME.test(name)) throw invalidParameter(api, `Invalid template name <${name}>: only alphanumeric ASCII characters, '_', and '-' are allowed, up to 64 characters.`);
  if (!t.SubjectPart) throw invalidParameter(api, 'The subject must be specified.');
  for (const part of [t.SubjectPart, t.TextPart, t.HtmlPart]) {
    if (part === undefined) continue;
    try {
      parseTemplate(part);
    } catch (err) {
      if (err instanceof TemplateSyntaxError) throw api === 1 ? sesError('InvalidTemplate', `Template ${name} is invalid: ${err.message}`) : invalidParameter(api, `Template ${name} is invalid: ${err.message}`);
      throw err;
    }
  }
  return { name, subject: t.SubjectPart, ...(t.TextPart !== undefined ? { text: t.TextPart } : {}), ...(t.HtmlPart !== undefined ? { html: t.HtmlPart } : {}), createdAt: 0 };
}

export async function createTemplate(c: SesContext, ctx: Ctx, api: Api, t: TemplateInput): Promise<void> {
  const doc = { ...checkTemplate(api, t), createdAt: c.now() };
  try {
    await c.deps.store.put(TABLES.templates, key(ctx, doc.name), doc, { ifNotExists: true });
  } catch (err) {
    if (!(err instanceof ConditionFailedError)) throw err;
    const message = `Template ${doc.name} already exists for account id ${ctx.accountId}`;
    throw api === 1 ? sesError('AlreadyExists', message) : sesError('AlreadyExistsException', message);
  }
}

export async function updateTemplate(c: SesContext, ctx: Ctx, api: Api, t: TemplateInput): Promise<void> {
  const checked = checkTemplate(api, t);
  for (;;) {
    const found = await c.deps.store.get<TemplateDoc>(TABLES.templates, key(ctx, checked.name));
    if (!found) throw templateNotFound(api, checked.name);
    try {
      await c.deps.store.put(TABLES.templates, key(ctx, checked.name), { ...checked, createdAt: found.value.createdAt }, { ifVersion: found.version });
      return;
    } catch (err) {
      if (!(err instanceof ConditionFailedError)) throw err;
    }
  }
}

export async function getTemplate(c: SesContext, ctx: Ctx, api: Api, name: string): Promise<TemplateDoc> {
  const found = await c.deps.store.get<TemplateDoc>(TABLES.templates, key(ctx, name));
  if (!found) throw templateNotFound(api, name);
  return found.value;
}

export async function deleteTemplate(c: SesContext, ctx: Ctx, name: string): Promise<boolean> {
  return c.deps.store.delete(TABLES.templates, key(ctx, name));
}

export async function listTemplates(c: SesContext, ctx: Ctx, token: string | undefined, limit: number) {
  const page = await c.deps.store.list<TemplateDoc>(TABLES.templates, { prefix: scope(ctx), after: decodeToken(token), limit: limit + 1 });
  const more = page.length > limit;
  const items = page.slice(0, limit);
  return { items: items.map((d) => d.value), next: more ? encodeToken(items[items.length - 1]!.key) : undefined };
}

export interface Rendered {
  subject: string;
  text?: string;
  html?: string;
}

/** TemplateData as SES reads it: a JSON object, else InvalidRenderingParameter. */
export function parseTemplateData(api: Api, name: string, data: string | undefined): unknown {
  try {
    const parsed = JSON.parse(data ?? '');
    if (parsed === null || typeof parsed !== 'object') throw new Error('not an object');
    return parsed;
  } catch {
    const message = `Template data for template ${name} is not a valid JSON object.`;
    throw api === 1 ? sesError('InvalidRenderingParameter', message) : invalidParameter(api, message);
  }
}

/** Renders every part; throws MissingAttributeError (a rendering failure) when an attribute is absent. */
export function renderParts(t: TemplateDoc, data: unknown): Rendered {
  return {
    subject: render(t.subject ?? '', data),
    ...(t.text !== undefined ? { text: render(t.text, data) } : {}),
    ...(t.html !== undefined ? { html: render(t.html, data, true) } : {}),
  };
}

export function templateOperations(c: SesContext): Record<string, OperationSpec> {
  return {
    CreateTemplate: {
      async handler(input: { Template: TemplateInput }, ctx) {
        await createTemplate(c, ctx, 1, input.Template);
        return {};
      },
    },
    UpdateTemplate: {
      async handler(input: { Template: TemplateInput }, ctx) {
        await updateTemplate(c, ctx, 1, input.Template);
        return {};
      },
    },
    GetTemplate: {
      async handler(input: { TemplateName: string }, ctx) {
        const t = await getTemplate(c, ctx, 1, input.TemplateName);
        return { Template: { TemplateName: t.name, SubjectPart: t.subject, TextPart: t.text, HtmlPart: t.html } };
      },
    },
    DeleteTemplate: {
      async handler(input: { TemplateName: string }, ctx) {
        await deleteTemplate(c, ctx, input.TemplateName);
        return {};
      },
    },
    ListTemplates: {
      async handler(input: { NextToken?: string; MaxItems?: number }, ctx) {
        const limit = Math.min(Math.max(input.MaxItems ?? 10, 1), 100);
        const page = await listTemplates(c, ctx, input.NextToken, limit);
        return { TemplatesMetadata: page.items.map((t) => ({ Name: t.name, CreatedTimestamp: new Date(t.createdAt) })), ...(page.next ? { NextToken: page.next } : {}) };
      },
    },
    TestRenderTemplate: {
      async handler(input: { TemplateName: string; TemplateData: string }, ctx) {
        const t = await getTemplate(c, ctx, 1, input.TemplateName);
        const data = parseTemplateData(1, t.name, input.TemplateData);
        let parts: Rendered;
        try {
          parts = renderParts(t, data);
        } catch (err) {
          if (err instanceof MissingAttributeError) throw sesError('MissingRenderingAttribute', err.message);
          throw err;
        }
        const raw = buildMessage(
          { messageId: 'rendered', date: new Date(c.now()), from: { address: 'sender@example.com' }, to: [], cc: [], replyTo: [] },
          { subject: { data: parts.subject }, text: parts.text !== undefined ? { data: parts.text } : undefined, html: parts.html !== undefined ? { data: parts.html } : undefined },
        ).toString('utf8');
        // TestRenderTemplate shows the subject and MIME body, not the envelope headers a send adds.
        const rendered = raw.split('\r\n').filter((l) => !/^(Date|From|Message-ID):/.test(l)).join('\r\n');
        return { RenderedTemplate: rendered };
      },
    },
  };
}
