/**
 * What the SES v1 (query) and v2 (REST JSON) APIs share: their dependencies,
 * the DocumentStore tables (identities, verification links, templates, the
 * inbox, the relay's outbox, sending statistics), SES's message ids and the
 * errors each API words its own way. Both APIs act on the same identities,
 * templates and quotas, as on AWS.
 * https://docs.aws.amazon.com/ses/latest/APIReference/CommonErrors.html
 * https://docs.aws.amazon.com/ses/latest/APIReference-V2/CommonErrors.html
 */
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../core/context.js';
import { ServiceError } from '../../core/errors.js';
import type { BlobStore, DocumentStore } from '../../storage/types.js';

export type SesMode = 'sandbox' | 'production';

export interface SesDeps {
  store: DocumentStore;
  blobs: BlobStore;
  /** sandbox (default): sender and recipients must be verified; production: the sender only. */
  mode: SesMode;
  /** Identities are verified the moment they are created (for scripts). */
  autoVerify: boolean;
  /** Whether accepted messages are queued for the SMTP relay as well. */
  relay: boolean;
  now?: () => number;
}

export interface SesContext {
  deps: SesDeps;
  now(): number;
}

export function sesContext(deps: SesDeps): SesContext {
  return { deps, now: deps.now ?? Date.now };
}

export const TABLES = {
  /** `<account>:<region>:<email as given | domain lower-cased>` → IdentityDoc. */
  identities: 'ses.identities',
  /** `<token>` → VerifyLinkDoc. */
  verifyLinks: 'ses.verify-links',
  /** `<account>:<region>:<name>` → TemplateDoc. */
  templates: 'ses.templates',
  /** `<message id>` → MessageDoc (ids sort by time). */
  messages: 'ses.messages',
  /** `<due time, 15 digits>/<message id>` → OutboxEntry. */
  outbox: 'ses.outbox',
  /** `<account>:<region>:<15-minute bucket start, 15 digits>` → StatsDoc. */
  stats: 'ses.stats',
} as const;

export const scope = (ctx: Pick<RequestContext, 'accountId' | 'region'>) => `${ctx.accountId}:${ctx.region}:`;

/** Which API answers: the errors and a few shapes differ. */
export type Api = 1 | 2;

/**
 * SES's message id: 16 hex digits that begin with the send time, a UUID and
 * "-000000" (e.g. 0100018e1a2b3c4d-1b2c...-000000). The time prefix makes
 * inbox keys sort by arrival.
 */
export function newMessageId(now: number): string {
  return `0100${Math.floor(now).toString(16).padStart(12, '0')}-${randomUUID()}-000000`;
}

export function messageTime(id: string): number {
  return parseInt(id.slice(4, 16), 16);
}

export function identityArn(ctx: Pick<RequestContext, 'accountId' | 'region'>, identity: string): string {
  return `arn:aws:ses:${ctx.region}:${ctx.accountId}:identity/${identity}`;
}

export function templateArn(ctx: Pick<RequestContext, 'accountId' | 'region'>, name: string): string {
  return `arn:aws:ses:${ctx.region}:${ctx.accountId}:template/${name}`;
}

/** SES v1 errors are all 400 Sender faults; v2 names them *Exception. */
export function sesError(code: string, message: string, status = 400): ServiceError {
  return new ServiceError(code, message, { status });
}

export function invalidParameter(api: Api, message: string): ServiceError {
  return api === 1 ? sesError('InvalidParameterValue', message) : sesError('BadRequestException', message);
}

export function messageRejected(message: string): ServiceError {
  return sesError('MessageRejected', message);
}

/** "1 validation error detected: Value 'x' at 'identityType' failed to satisfy constraint: ..." */
export function validationError(member: string, value: unknown, constraint: string): ServiceError {
  const shown = value === null || value === undefined ? 'null' : `'${String(value)}'`;
  return sesError('ValidationError', `1 validation error detected: Value ${shown} at '${member}' failed to satisfy constraint: ${constraint}`);
}

/** Region names as the console and SES's verification emails write them. */
const REGION_NAMES: Record<string, string> = {
  'us-east-1': 'US East (N. Virginia)',
  'us-east-2': 'US East (Ohio)',
  'us-west-1': 'US West (N. California)',
  'us-west-2': 'US West (Oregon)',
  'af-south-1': 'Africa (Cape Town)',
  'ap-south-1': 'Asia Pacific (Mumbai)',
  'ap-northeast-1': 'Asia Pacific (Tokyo)',
  'ap-northeast-2': 'Asia Pacific (Seoul)',
  'ap-northeast-3': 'Asia Pacific (Osaka)',
  'ap-southeast-1': 'Asia Pacific (Singapore)',
  'ap-southeast-2': 'Asia Pacific (Sydney)',
  'ca-central-1': 'Canada (Central)',
  'eu-central-1': 'Europe (Frankfurt)',
  'eu-west-1': 'Europe (Ireland)',
  'eu-west-2': 'Europe (London)',
  'eu-west-3': 'Europe (Paris)',
  'eu-north-1': 'Europe (Stockholm)',
  'eu-south-1': 'Europe (Milan)',
  'me-south-1': 'Middle East (Bahrain)',
  'sa-east-1': 'South America (Sao Paulo)',
};

export function regionName(region: string): string {
  return REGION_NAMES[region] ?? region;
}

/** Opaque pagination tokens: the last key returned, base64. */
export function encodeToken(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64');
}

export function decodeToken(token: string | undefined): string | undefined {
  if (!token) return undefined;
  return Buffer.from(token, 'base64').toString('utf8');
}
