/**
 * Sending, for SES v1 (SendEmail, SendRawEmail, SendTemplatedEmail) and the
 * v2 SendEmail built on the same steps: check the addresses (SES's
 * InvalidParameterValue texts, at most 50 recipients), then the sandbox
 * rules (the sender, any Return-Path and, in the sandbox, every recipient
 * must be verified, else MessageRejected "Email address is not verified. The
 * following identities failed the check in region US-EAST-1: a, b"), then the
 * daily quota; build or rewrite the RFC 5322 message and accept it into the
 * inbox (and the relay's outbox). IAM authorizes a send on the sender's
 * identity ARN (the address's own identity, else its verified domain's, or
 * SourceArn/FromArn), with ses:FromAddress, ses:FromDisplayName,
 * ses:Recipients, ses:FeedbackAddress and ses:ApiVersion.
 * https://docs.aws.amazon.com/ses/latest/APIReference/API_SendEmail.html
 * https://docs.aws.amazon.com/ses/latest/APIReference/API_SendRawEmail.html
 * https://docs.aws.amazon.com/ses/latest/APIReference/API_SendTemplatedEmail.html
 * https://docs.aws.amazon.com/ses/latest/dg/control-user-access.html
 * https://docs.aws.amazon.com/ses/latest/dg/request-production-access.html
 * https://repost.aws/knowledge-center/ses-554-400-message-rejected-error
 */
import type { RequestContext } from '../../core/context.js';
import type { OperationSpec } from '../types.js';
import { addressProblem, isSimulatorAddress, parseAddressList, parseMailbox, type Mailbox } from './addresses.js';
import { identityArn, invalidParameter, messageRejected, newMessageId, sesError, type Api, type SesContext } from './common.js';
import { accept } from './deliver.js';
import { authorizingIdentity, isVerified } from './identities.js';
import { buildMessage, messageIdHeader, rfc5322Date, type TextPart } from './mime.js';
import { fieldValue, fieldValues, normalizeLineEndings, readableHeader, splitHeaders } from './mime-parse.js';
import { checkQuota } from './stats.js';
import { getTemplate, parseTemplateData, renderParts } from './templates.js';
import { MissingAttributeError } from './render.js';

export const MAX_RECIPIENTS = 50;
export const MAX_RAW_BYTES = 10 * 1024 * 1024;

export interface Destination {
  ToAddresses?: string[];
  CcAddresses?: string[];
  BccAddresses?: string[];
}

export interface MessageTag {
  Name: string;
  Value: string;
}

const service = (api: Api) => (api === 1 ? 'ses' : 'sesv2');

function mailbox(api: Api, text: string): Mailbox {
  const m = parseMailbox(text);
  const problem = m ? addressProblem(m.address) : "Missing final '@domain'";
  if (!m || problem) throw invalidParameter(api, problem!);
  return m;
}

function mailboxes(api: Api, list: string[] | undefined): Mailbox[] {
  return (list ?? []).map((a) => mailbox(api, a));
}

/** SES's checks on message tags (names and values of letters, digits and a few marks, up to 255). */
export function checkTags(api: Api, tags: MessageTag[] | undefined): void {
  for (const t of tags ?? []) {
    if (!t.Name) throw invalidParameter(api, 'The tag name must be specified.');
    if (!t.Value) throw invalidParameter(api, 'The tag value must be specified.');
    if (t.Name.length > 255) throw invalidParameter(api, 'Tag name cannot exceed 255 characters.');
    if (!/^[A-Za-z0-9_-]*$/.test(t.Name)) throw invalidParameter(api, `Invalid tag name <${t.Name}>: only alphanumeric ASCII characters, '_',  '-' are allowed.`);
    if (t.Value.length > 255) throw invalidParameter(api, 'Tag value cannot exceed 255 characters.');
    if (!/^[A-Za-z0-9_\-.@]*$/.test(t.Value)) throw invalidParameter(api, `Invalid tag value <${t.Value}>: only alphanumeric ASCII characters, '_',  '-' , '.', '@' are allowed.`);
  }
}

/** Stratus has no configuration sets (their API answers 501), so naming one fails as a missing one does on AWS. */
export function checkConfigurationSet(api: Api, name: string | undefined): void {
  if (name === undefined) return;
  const message = `Configuration set <${name}> does not exist.`;
  throw api === 1 ? sesError('ConfigurationSetDoesNotExist', message) : sesError('NotFoundException', message, 404);
}

/** Validation, sandbox verification and quota, in SES's order. */
export async function checkSend(c: SesContext, ctx: RequestContext, api: Api, sender: string | string[], recipients: string[], returnPath?: string): Promise<void> {
  if (recipients.length === 0) throw invalidParameter(api, "Missing final '@domain'");
  if (recipients.length > MAX_RECIPIENTS) throw invalidParameter(api, `Recipient count exceeds ${MAX_RECIPIENTS}.`);
  const failed: string[] = [];
  const check = async (address: string) => {
    if (!failed.includes(address) && !(await isVerified(c, ctx, address))) failed.push(address);
  };
  for (const address of Array.isArray(sender) ? sender : [sender]) await check(address);
  if (returnPath) await check(returnPath);
  if (c.deps.mode === 'sandbox') for (const r of recipients) if (!isSimulatorAddress(r)) await check(r);
  if (failed.length) throw messageRejected(`Email address is not verified. The following identities failed the check in region ${ctx.region.toUpperCase()}: ${failed.join(', ')}`);
  await checkQuota(c, ctx, recipients.length, api);
}

const unique = (list: string[]) => [...new Set(list)];

export interface SimpleSend {
  api: Api;
  operation: string;
  from: Mailbox;
  destination: Destination;
  replyTo: string[];
  returnPath?: string;
  subject: TextPart;
  text?: TextPart;
  html?: TextPart;
  headers?: { name: string; value: string }[];
}

export async function sendSimple(c: SesContext, ctx: RequestContext, s: SimpleSend): Promise<string> {
  const to = mailboxes(s.api, s.destination.ToAddresses);
  const cc = mailboxes(s.api, s.destination.CcAddresses);
  const bcc = mailboxes(s.api, s.destination.BccAddresses);
  const replyTo = mailboxes(s.api, s.replyTo);
  if (s.returnPath) mailbox(s.api, s.returnPath);
  const recipients = unique([...to, ...cc, ...bcc].map((m) => m.address));
  await checkSend(c, ctx, s.api, s.from.address, recipients, s.returnPath);
  const now = c.now();
  const id = newMessageId(now);
  const raw = buildMessage({ messageId: id, date: new Date(now), from: s.from, to, cc, replyTo }, { subject: s.subject, text: s.text, html: s.html, headers: s.headers });
  await accept(c, ctx, { id, service: service(s.api), operation: s.operation, raw, envelope: { from: s.returnPath ?? s.from.address, recipients }, counted: recipients.length });
  return id;
}

export interface TemplateSend extends Omit<SimpleSend, 'subject' | 'text' | 'html'> {
  template: string;
  templateData: string;
}

/** A template send is accepted even when rendering then fails (SES reports a Rendering Failure event and delivers nothing). */
export async function sendTemplated(c: SesContext, ctx: RequestContext, s: TemplateSend): Promise<string> {
  const to = mailboxes(s.api, s.destination.ToAddresses);
  const cc = mailboxes(s.api, s.destination.CcAddresses);
  const bcc = mailboxes(s.api, s.destination.BccAddresses);
  mailboxes(s.api, s.replyTo);
  const recipients = unique([...to, ...cc, ...bcc].map((m) => m.address));
  await checkSend(c, ctx, s.api, s.from.address, recipients, s.returnPath);
  const template = await getTemplate(c, ctx, s.api, s.template);
  const data = parseTemplateData(s.api, s.template, s.templateData);
  try {
    const parts = renderParts(template, data);
    return await sendSimple(c, ctx, { ...s, subject: { data: parts.subject }, text: parts.text !== undefined ? { data: parts.text } : undefined, html: parts.html !== undefined ? { data: parts.html } : undefined });
  } catch (err) {
    if (!(err instanceof MissingAttributeError)) throw err;
    const id = newMessageId(c.now());
    ctx.log.warn('ses rendering failure: message accepted but not delivered', { messageId: id, template: s.template, error: err.message });
    return id;
  }
}

export interface RawSend {
  api: Api;
  operation: string;
  data: Buffer;
  source?: string;
  destinations?: string[];
}

/** From and recipients of a raw message: Source and Destinations when given, else its headers; and the From header's address. */
export function rawAddresses(api: Api, data: Buffer, source?: string, destinations?: string[]) {
  const { fields } = splitHeaders(normalizeLineEndings(data));
  const header = (name: string) => fieldValues(fields, name).flatMap((v) => parseAddressList(readableHeader(v)));
  const fromHeader = header('from')[0];
  if (!source && !fromHeader) throw invalidParameter(api, "Missing required header 'From'.");
  const from = source ? mailbox(api, source) : mailbox(api, fromHeader!.address);
  const given = destinations?.length ? mailboxes(api, destinations) : [...header('to'), ...header('cc'), ...header('bcc')].map((m) => mailbox(api, m.address));
  return { from: { ...from, display: from.display ?? (source ? undefined : fromHeader?.display) }, headerFrom: fromHeader?.address, recipients: unique(given.map((m) => m.address)) };
}

/** SES sets its own Message-ID, adds a Date when there is none, and does not pass Bcc on. */
function rewriteRaw(raw: Buffer, messageId: string, now: number): Buffer {
  const text = raw.toString('latin1');
  const { fields } = splitHeaders(text);
  const drop = fields.filter((f) => /^(bcc|message-id)$/i.test(f.name));
  let kept = '';
  let pos = 0;
  for (const f of drop) {
    kept += text.slice(pos, f.start);
    pos = f.end;
  }
  kept += text.slice(pos);
  const added = [`Message-ID: ${messageIdHeader(messageId)}`];
  if (fieldValue(fields, 'date') === undefined) added.unshift(`Date: ${rfc5322Date(new Date(now))}`);
  return Buffer.from(added.join('\r\n') + '\r\n' + kept, 'latin1');
}

export async function sendRaw(c: SesContext, ctx: RequestContext, s: RawSend): Promise<string> {
  if (s.data.length > MAX_RAW_BYTES) throw invalidParameter(s.api, `Message length is more than ${MAX_RAW_BYTES} bytes long: '${s.data.length}'.`);
  const normalized = normalizeLineEndings(s.data);
  const { from, headerFrom, recipients } = rawAddresses(s.api, normalized, s.source, s.destinations);
  // SES checks both the Source and the message's From address.
  await checkSend(c, ctx, s.api, unique([from.address, ...(headerFrom ? [headerFrom] : [])]), recipients);
  const now = c.now();
  const id = newMessageId(now);
  await accept(c, ctx, { id, service: service(s.api), operation: s.operation, raw: rewriteRaw(normalized, id, now), envelope: { from: from.address, recipients }, counted: recipients.length });
  return id;
}

/** The identity ARN IAM authorizes a send on. */
export async function sendResource(c: SesContext, ctx: RequestContext, from: Mailbox | undefined, arn: string | undefined): Promise<string[]> {
  if (arn) return [arn];
  return [from ? identityArn(ctx, await authorizingIdentity(c, ctx, from.address)) : '*'];
}

/** The ses:* condition keys of a send. */
export function sendConditions(api: Api, o: { from?: Mailbox; recipients: string[]; returnPath?: string }): Record<string, string | string[]> {
  const conditions: Record<string, string | string[]> = { 'ses:ApiVersion': String(api), 'ses:Recipients': o.recipients };
  if (o.from) conditions['ses:FromAddress'] = o.from.address;
  if (o.from?.display) conditions['ses:FromDisplayName'] = readableHeader(o.from.display);
  if (o.returnPath) conditions['ses:FeedbackAddress'] = o.returnPath;
  return conditions;
}

const destinationList = (d: Destination | undefined) => [...(d?.ToAddresses ?? []), ...(d?.CcAddresses ?? []), ...(d?.BccAddresses ?? [])].map((a) => parseMailbox(a)?.address ?? a);

interface V1Simple {
  Source: string;
  Destination: Destination;
  Message: { Subject: { Data: string; Charset?: string }; Body: { Text?: { Data: string; Charset?: string }; Html?: { Data: string; Charset?: string } } };
  ReplyToAddresses?: string[];
  ReturnPath?: string;
  SourceArn?: string;
  Tags?: MessageTag[];
  ConfigurationSetName?: string;
}

interface V1Templated extends Omit<V1Simple, 'Message'> {
  Template: string;
  TemplateArn?: string;
  TemplateData: string;
}

interface V1Raw {
  Source?: string;
  Destinations?: string[];
  RawMessage: { Data: Buffer };
  FromArn?: string;
  SourceArn?: string;
  Tags?: MessageTag[];
  ConfigurationSetName?: string;
}

/** IAM's input is best-effort: malformed input fails later, in the handler, with SES's own error. */
function safeMailbox(text: string | undefined): Mailbox | undefined {
  return text ? parseMailbox(text) : undefined;
}

/** A raw message's sender and recipients for IAM; malformed input fails later, in the handler, with SES's error. */
function rawParties(input: V1Raw): { from?: Mailbox; recipients: string[] } {
  try {
    return rawAddresses(1, input.RawMessage.Data, input.Source, input.Destinations);
  } catch {
    return { from: safeMailbox(input.Source), recipients: input.Destinations ?? [] };
  }
}

export function sendOperations(c: SesContext): Record<string, OperationSpec> {
  const simpleResources = (input: V1Simple | V1Templated, ctx: RequestContext) => sendResource(c, ctx, safeMailbox(input.Source), input.SourceArn);
  const simpleConditions = (input: V1Simple | V1Templated) => sendConditions(1, { from: safeMailbox(input.Source), recipients: destinationList(input.Destination), returnPath: input.ReturnPath });
  return {
    SendEmail: {
      resources: simpleResources,
      conditions: simpleConditions,
      async handler(input: V1Simple, ctx) {
        checkTags(1, input.Tags);
        checkConfigurationSet(1, input.ConfigurationSetName);
        const m = input.Message;
        const id = await sendSimple(c, ctx, {
          api: 1,
          operation: 'SendEmail',
          from: mailbox(1, input.Source),
          destination: input.Destination ?? {},
          replyTo: input.ReplyToAddresses ?? [],
          returnPath: input.ReturnPath,
          subject: { data: m.Subject.Data, charset: m.Subject.Charset },
          text: m.Body.Text ? { data: m.Body.Text.Data, charset: m.Body.Text.Charset } : undefined,
          html: m.Body.Html ? { data: m.Body.Html.Data, charset: m.Body.Html.Charset } : undefined,
        });
        return { MessageId: id };
      },
    },
    SendTemplatedEmail: {
      resources: simpleResources,
      conditions: simpleConditions,
      async handler(input: V1Templated, ctx) {
        checkTags(1, input.Tags);
        checkConfigurationSet(1, input.ConfigurationSetName);
        const id = await sendTemplated(c, ctx, {
          api: 1,
          operation: 'SendTemplatedEmail',
          from: mailbox(1, input.Source),
          destination: input.Destination ?? {},
          replyTo: input.ReplyToAddresses ?? [],
          returnPath: input.ReturnPath,
          template: input.TemplateArn ? input.TemplateArn.slice(input.TemplateArn.lastIndexOf('/') + 1) : input.Template,
          templateData: input.TemplateData,
        });
        return { MessageId: id };
      },
    },
    SendRawEmail: {
      resources: (input: V1Raw, ctx) => sendResource(c, ctx, rawParties(input).from, input.SourceArn ?? input.FromArn),
      conditions: (input: V1Raw) => sendConditions(1, rawParties(input)),
      async handler(input: V1Raw, ctx) {
        checkTags(1, input.Tags);
        checkConfigurationSet(1, input.ConfigurationSetName);
        const id = await sendRaw(c, ctx, { api: 1, operation: 'SendRawEmail', data: input.RawMessage.Data, source: input.Source, destinations: input.Destinations });
        return { MessageId: id };
      },
    },
  };
}

export { destinationList };
