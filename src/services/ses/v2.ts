/**
 * The SES v2 API (REST JSON) over the same identities, templates, quota and
 * inbox as v1: CreateEmailIdentity (an address gets the verification mail,
 * a domain gets DKIM tokens and verifies like a v1 domain), GetEmailIdentity,
 * DeleteEmailIdentity, ListEmailIdentities, SendEmail with Simple, Raw or
 * Template content, GetAccount, and the email-template operations. Errors
 * are v2's: BadRequestException, NotFoundException 404,
 * AlreadyExistsException, MessageRejected.
 * https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_CreateEmailIdentity.html
 * https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_GetEmailIdentity.html
 * https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html
 * https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_GetAccount.html
 */
import { randomBytes } from 'node:crypto';
import type { RequestContext } from '../../core/context.js';
import type { OperationSpec } from '../types.js';
import { parseMailbox, type Mailbox } from './addresses.js';
import { identityArn, invalidParameter, sesError, type SesContext } from './common.js';
import { deleteIdentity, effectiveStatus, getIdentity, listIdentities, verifyDomain, verifyEmail, type IdentityDoc, type VerificationStatus } from './identities.js';
import { checkConfigurationSet, checkTags, destinationList, rawAddresses, sendConditions, sendRaw, sendResource, sendSimple, sendTemplated, type Destination, type MessageTag } from './send.js';
import { sendQuota } from './stats.js';
import { createTemplate, deleteTemplate, getTemplate, listTemplates, updateTemplate } from './templates.js';

const V2_STATUS: Record<VerificationStatus, string> = { Pending: 'PENDING', Success: 'SUCCESS', Failed: 'FAILED' };

function notFound(name: string) {
  return sesError('NotFoundException', `Email identity <${name}> does not exist.`, 404);
}

function dkimAttributes(doc: IdentityDoc, status: VerificationStatus) {
  if (doc.type === 'EmailAddress') return { SigningEnabled: false, Status: 'NOT_STARTED', SigningAttributesOrigin: 'AWS_SES' };
  return {
    SigningEnabled: true,
    Status: V2_STATUS[status],
    Tokens: doc.dkimTokens ?? [],
    SigningAttributesOrigin: 'AWS_SES',
    NextSigningKeyLength: 'RSA_2048_BIT',
    CurrentSigningKeyLength: 'RSA_2048_BIT',
    LastKeyGenerationTimestamp: new Date(doc.createdAt),
  };
}

const identityType = (doc: IdentityDoc) => (doc.type === 'EmailAddress' ? 'EMAIL_ADDRESS' : 'DOMAIN');

interface V2Content {
  Simple?: { Subject: { Data: string; Charset?: string }; Body: { Text?: { Data: string; Charset?: string }; Html?: { Data: string; Charset?: string } }; Headers?: { Name: string; Value: string }[] };
  Raw?: { Data: Buffer };
  Template?: { TemplateName?: string; TemplateArn?: string; TemplateData?: string; Headers?: { Name: string; Value: string }[] };
}

interface V2Send {
  FromEmailAddress?: string;
  FromEmailAddressIdentityArn?: string;
  Destination?: Destination;
  ReplyToAddresses?: string[];
  FeedbackForwardingEmailAddress?: string;
  Content: V2Content;
  EmailTags?: MessageTag[];
  ConfigurationSetName?: string;
}

function parties(input: V2Send): { from?: Mailbox; recipients: string[] } {
  if (input.Content?.Raw && !input.FromEmailAddress) {
    try {
      return rawAddresses(2, input.Content.Raw.Data, undefined, destinationList(input.Destination));
    } catch {
      return { recipients: destinationList(input.Destination) };
    }
  }
  return { from: input.FromEmailAddress ? parseMailbox(input.FromEmailAddress) : undefined, recipients: destinationList(input.Destination) };
}

function fromAddress(input: V2Send): Mailbox {
  if (!input.FromEmailAddress) throw invalidParameter(2, 'Missing required parameter: FromEmailAddress.');
  const m = parseMailbox(input.FromEmailAddress);
  if (!m) throw invalidParameter(2, "Missing final '@domain'");
  return m;
}

/** Custom headers: a field name is printable ASCII without ':' (RFC 5322 §3.6.8); values are written on one line. */
function headersOf(h: { Name: string; Value: string }[] | undefined) {
  for (const x of h ?? []) if (!/^[!-9;-~]+$/.test(x.Name ?? '')) throw invalidParameter(2, `Invalid header name <${x.Name}>.`);
  return h?.map((x) => ({ name: x.Name, value: x.Value ?? '' }));
}

async function sendV2(c: SesContext, ctx: RequestContext, input: V2Send): Promise<string> {
  checkTags(2, input.EmailTags);
  checkConfigurationSet(2, input.ConfigurationSetName);
  const content = input.Content ?? {};
  const kinds = [content.Simple, content.Raw, content.Template].filter((x) => x !== undefined).length;
  if (kinds !== 1) throw invalidParameter(2, 'Exactly one of Simple, Raw or Template content must be specified.');
  const common = { api: 2 as const, operation: 'SendEmail', destination: input.Destination ?? {}, replyTo: input.ReplyToAddresses ?? [], returnPath: input.FeedbackForwardingEmailAddress };
  if (content.Raw) {
    const destinations = destinationList(input.Destination);
    return sendRaw(c, ctx, { api: 2, operation: 'SendEmail', data: content.Raw.Data, source: input.FromEmailAddress, destinations: destinations.length ? destinations : undefined });
  }
  if (content.Template) {
    const t = content.Template;
    const name = t.TemplateName ?? (t.TemplateArn ? t.TemplateArn.slice(t.TemplateArn.lastIndexOf('/') + 1) : undefined);
    if (!name) throw invalidParameter(2, 'Template name or ARN must be specified.');
    return sendTemplated(c, ctx, { ...common, from: fromAddress(input), template: name, templateData: t.TemplateData ?? '', headers: headersOf(t.Headers) });
  }
  const s = content.Simple!;
  return sendSimple(c, ctx, {
    ...common,
    from: fromAddress(input),
    subject: { data: s.Subject.Data, charset: s.Subject.Charset },
    text: s.Body.Text ? { data: s.Body.Text.Data, charset: s.Body.Text.Charset } : undefined,
    html: s.Body.Html ? { data: s.Body.Html.Data, charset: s.Body.Html.Charset } : undefined,
    headers: headersOf(s.Headers),
  });
}

const templateContent = (t: { subject?: string; text?: string; html?: string }) => ({ Subject: t.subject, Text: t.text, Html: t.html });

export function v2Operations(c: SesContext): Record<string, OperationSpec> {
  const onIdentity = (input: { EmailIdentity: string }, ctx: RequestContext) => [identityArn(ctx, input.EmailIdentity)];
  return {
    CreateEmailIdentity: {
      resources: onIdentity,
      async handler(input: { EmailIdentity: string; Tags?: { Key: string; Value: string }[]; ConfigurationSetName?: string }, ctx) {
        checkConfigurationSet(2, input.ConfigurationSetName);
        const name = input.EmailIdentity;
        if (await getIdentity(c, ctx, name)) throw sesError('AlreadyExistsException', `Email identity <${name}> already exists.`);
        const extra = input.Tags?.length ? { tags: input.Tags } : {};
        const doc = name.includes('@')
          ? await verifyEmail(c, ctx, name, 2, extra)
          : await verifyDomain(c, ctx, name, 2, { ...extra, dkimTokens: [0, 1, 2].map(() => randomBytes(16).toString('hex')) });
        const status = effectiveStatus(doc, c.now());
        return { IdentityType: identityType(doc), VerifiedForSendingStatus: status === 'Success', DkimAttributes: dkimAttributes(doc, status) };
      },
    },
    GetEmailIdentity: {
      resources: onIdentity,
      async handler(input: { EmailIdentity: string }, ctx) {
        const found = await getIdentity(c, ctx, input.EmailIdentity);
        if (!found) throw notFound(input.EmailIdentity);
        const doc = found.value;
        const status = effectiveStatus(doc, c.now());
        return {
          IdentityType: identityType(doc),
          FeedbackForwardingStatus: true,
          VerifiedForSendingStatus: status === 'Success',
          DkimAttributes: dkimAttributes(doc, status),
          MailFromAttributes: { BehaviorOnMxFailure: 'USE_DEFAULT_VALUE' },
          Policies: {},
          Tags: doc.tags ?? [],
          VerificationStatus: V2_STATUS[status],
          VerificationInfo: status === 'Success' ? { LastCheckedTimestamp: new Date(doc.verifiedAt ?? doc.requestedAt), LastSuccessTimestamp: new Date(doc.verifiedAt ?? doc.requestedAt) } : {},
        };
      },
    },
    DeleteEmailIdentity: {
      resources: onIdentity,
      async handler(input: { EmailIdentity: string }, ctx) {
        if (!(await deleteIdentity(c, ctx, input.EmailIdentity))) throw notFound(input.EmailIdentity);
        return {};
      },
    },
    ListEmailIdentities: {
      async handler(input: { NextToken?: string; PageSize?: number }, ctx) {
        if (input.PageSize !== undefined && (input.PageSize < 0 || input.PageSize > 1000)) throw invalidParameter(2, 'PageSize must be between 0 and 1000.');
        const now = c.now();
        const page = await listIdentities(c, ctx, { token: input.NextToken, limit: input.PageSize || 1000 });
        return {
          EmailIdentities: page.identities.map((d) => {
            const status = effectiveStatus(d, now);
            return { IdentityType: identityType(d), IdentityName: d.name, SendingEnabled: status === 'Success', VerificationStatus: V2_STATUS[status] };
          }),
          ...(page.next ? { NextToken: page.next } : {}),
        };
      },
    },
    SendEmail: {
      resources: (input: V2Send, ctx) => sendResource(c, ctx, parties(input).from, input.FromEmailAddressIdentityArn),
      conditions: (input: V2Send) => sendConditions(2, { ...parties(input), returnPath: input.FeedbackForwardingEmailAddress }),
      async handler(input: V2Send, ctx) {
        return { MessageId: await sendV2(c, ctx, input) };
      },
    },
    GetAccount: {
      async handler(_input, ctx) {
        const q = await sendQuota(c, ctx);
        return {
          DedicatedIpAutoWarmupEnabled: false,
          EnforcementStatus: 'HEALTHY',
          ProductionAccessEnabled: c.deps.mode === 'production',
          SendQuota: q,
          SendingEnabled: true,
        };
      },
    },
    CreateEmailTemplate: {
      async handler(input: { TemplateName: string; TemplateContent: { Subject?: string; Text?: string; Html?: string } }, ctx) {
        const t = input.TemplateContent ?? {};
        await createTemplate(c, ctx, 2, { TemplateName: input.TemplateName, SubjectPart: t.Subject, TextPart: t.Text, HtmlPart: t.Html });
        return {};
      },
    },
    UpdateEmailTemplate: {
      async handler(input: { TemplateName: string; TemplateContent: { Subject?: string; Text?: string; Html?: string } }, ctx) {
        const t = input.TemplateContent ?? {};
        await updateTemplate(c, ctx, 2, { TemplateName: input.TemplateName, SubjectPart: t.Subject, TextPart: t.Text, HtmlPart: t.Html });
        return {};
      },
    },
    GetEmailTemplate: {
      async handler(input: { TemplateName: string }, ctx) {
        const t = await getTemplate(c, ctx, 2, input.TemplateName);
        return { TemplateName: t.name, TemplateContent: templateContent(t) };
      },
    },
    DeleteEmailTemplate: {
      async handler(input: { TemplateName: string }, ctx) {
        if (!(await deleteTemplate(c, ctx, input.TemplateName))) throw sesError('NotFoundException', `Template ${input.TemplateName} does not exist.`, 404);
        return {};
      },
    },
    ListEmailTemplates: {
      async handler(input: { NextToken?: string; PageSize?: number }, ctx) {
        const page = await listTemplates(c, ctx, input.NextToken, Math.min(Math.max(input.PageSize ?? 10, 1), 100));
        return { TemplatesMetadata: page.items.map((t) => ({ TemplateName: t.name, CreatedTimestamp: new Date(t.createdAt) })), ...(page.next ? { NextToken: page.next } : {}) };
      },
    },
  };
}
