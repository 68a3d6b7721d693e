/**
 * Verified identities (email addresses and domains), shared by SES v1 and v2.
 * An email identity starts Pending and SES mails a link to the address;
 * opening it makes the identity Success, and an unused link expires after 24
 * hours (the identity is then Failed). Stratus cannot look up DNS, so a
 * domain identity verifies itself DOMAIN_VERIFY_DELAY_MS after it is created,
 * as if its TXT/DKIM records had just propagated. `--ses-auto-verify` makes
 * every identity Success at once and sends no mail. Email identities are
 * case-sensitive and domains are not; an address counts as verified when it,
 * the address without its +label, its domain or a parent domain is verified.
 * https://docs.aws.amazon.com/ses/latest/dg/creating-identities.html
 * https://docs.aws.amazon.com/ses/latest/APIReference/API_VerifyEmailIdentity.html
 * https://docs.aws.amazon.com/ses/latest/APIReference/API_VerifyDomainIdentity.html
 * https://docs.aws.amazon.com/ses/latest/APIReference/API_ListIdentities.html
 */
import { randomBytes } from 'node:crypto';
import type { RequestContext } from '../../core/context.js';
import { ConditionFailedError } from '../../storage/types.js';
import type { OperationSpec } from '../types.js';
import { addressProblem, domainCandidates, domainOf, isDomainName, withoutLabel } from './addresses.js';
import { decodeToken, encodeToken, invalidParameter, newMessageId, scope, TABLES, validationError, type Api, type SesContext } from './common.js';
import { accept } from './deliver.js';
import { expiredLinkPage, invalidLinkPage, LINK_LIFETIME_MS, verificationMail, verifiedPage, VERIFICATION_SENDER } from './verification.js';

export const DOMAIN_VERIFY_DELAY_MS = 5000;

export type IdentityType = 'EmailAddress' | 'Domain';
export type VerificationStatus = 'Pending' | 'Success' | 'Failed';

export interface IdentityDoc {
  /** As created (email addresses keep their case). */
  name: string;
  type: IdentityType;
  status: VerificationStatus;
  createdAt: number;
  /** When the current verification started (the link's or the domain's clock). */
  requestedAt: number;
  verifiedAt?: number;
  /** Domains: the TXT record value VerifyDomainIdentity returns. */
  token?: string;
  /** Email addresses: the token of the link last mailed. */
  link?: string;
  tags?: { Key: string; Value: string }[];
  dkimTokens?: string[];
  configurationSetName?: string;
}

interface LinkDoc {
  accountId: string;
  region: string;
  key: string;
  expiresAt: number;
}

type Ctx = Pick<RequestContext, 'accountId' | 'region'>;

export const identityKey = (ctx: Ctx, name: string) => scope(ctx) + (name.includes('@') ? name : name.toLowerCase());

/** The status a reader sees now: pending domains verify after the delay, unused email links expire. */
export function effectiveStatus(doc: IdentityDoc, now: number): VerificationStatus {
  if (doc.status !== 'Pending') return doc.status;
  if (doc.type === 'Domain' && now >= doc.requestedAt + DOMAIN_VERIFY_DELAY_MS) return 'Success';
  if (doc.type === 'EmailAddress' && now >= doc.requestedAt + LINK_LIFETIME_MS) return 'Failed';
  return 'Pending';
}

export async function getIdentity(c: SesContext, ctx: Ctx, name: string) {
  return c.deps.store.get<IdentityDoc>(TABLES.identities, identityKey(ctx, name));
}

/** Whether SES would let `address` send or, in the sandbox, receive. */
export async function isVerified(c: SesContext, ctx: Ctx, address: string): Promise<boolean> {
  const now = c.now();
  const names = new Set([address, withoutLabel(address), ...domainCandidates(domainOf(address))]);
  for (const name of names) {
    const found = await getIdentity(c, ctx, name);
    if (found && effectiveStatus(found.value, now) === 'Success') return true;
  }
  return false;
}

/** The identity whose ARN a send is authorized against: the address's own, else the verified domain's. */
export async function authorizingIdentity(c: SesContext, ctx: Ctx, address: string): Promise<string> {
  const now = c.now();
  for (const name of [address, withoutLabel(address), ...domainCandidates(domainOf(address))]) {
    const found = await getIdentity(c, ctx, name);
    if (found && effectiveStatus(found.value, now) === 'Success') return found.value.name;
  }
  return address;
}

function checkEmail(api: Api, address: string): void {
  if (addressProblem(address) !== undefined) throw invalidParameter(api, `Invalid email address <${address}>.`);
}

export function checkDomain(api: Api, domain: string): void {
  if (!isDomainName(domain)) throw invalidParameter(api, `Invalid domain name <${domain}>.`);
}

/**
 * Creates or refreshes an email identity. A new or unverified one gets a new
 * link, mailed to the address; a verified one is left as it is.
 */
export async function verifyEmail(c: SesContext, ctx: RequestContext, address: string, api: Api, extra: Partial<IdentityDoc> = {}): Promise<IdentityDoc> {
  checkEmail(api, address);
  const key = identityKey(ctx, address);
  for (;;) {
    const now = c.now();
    const found = await c.deps.store.get<IdentityDoc>(TABLES.identities, key);
    if (found && effectiveStatus(found.value, now) === 'Success') return found.value;
    const base: IdentityDoc = found?.value ?? { name: address, type: 'EmailAddress', status: 'Pending', createdAt: now, requestedAt: now };
    const condition = found ? { ifVersion: found.version } : ({ ifNotExists: true } as const);
    if (c.deps.autoVerify) {
      const doc: IdentityDoc = { ...base, ...extra, status: 'Success', requestedAt: now, verifiedAt: now };
      delete doc.link;
      if (await tryPut(c, key, doc, condition)) return doc;
      continue;
    }
    const token = randomBytes(24).toString('base64url');
    const doc: IdentityDoc = { ...base, ...extra, status: 'Pending', requestedAt: now, link: token };
    const link: LinkDoc = { accountId: ctx.accountId, region: ctx.region, key, expiresAt: now + LINK_LIFETIME_MS };
    try {
      await c.deps.store.batch([
        { op: 'put', table: TABLES.identities, key, value: doc, condition },
        { op: 'put', table: TABLES.verifyLinks, key: token, value: link, condition: { ifNotExists: true } },
      ]);
    } catch (err) {
      if (err instanceof ConditionFailedError) continue;
      throw err;
    }
    const id = newMessageId(now);
    const url = `${ctx.endpoint}/_stratus/ses/verify?token=${token}`;
    await accept(c, ctx, {
      id,
      service: api === 1 ? 'ses' : 'sesv2',
      operation: ctx.operation ?? 'VerifyEmailIdentity',
      raw: verificationMail({ messageId: id, date: new Date(now), to: address, region: ctx.region, link: url }),
      envelope: { from: VERIFICATION_SENDER, recipients: [address] },
      kind: 'verification',
      counted: 0,
    });
    return doc;
  }
}

async function tryPut(c: SesContext, key: string, doc: IdentityDoc, condition: { ifVersion: number } | { ifNotExists: true }): Promise<boolean> {
  try {
    await c.deps.store.put(TABLES.identities, key, doc, condition);
    return true;
  } catch (err) {
    if (err instanceof ConditionFailedError) return false;
    throw err;
  }
}

/** Creates a domain identity, or returns the existing one (VerifyDomainIdentity answers the same token again). */
export async function verifyDomain(c: SesContext, ctx: Ctx, domain: string, api: Api, extra: Partial<IdentityDoc> = {}): Promise<IdentityDoc> {
  checkDomain(api, domain);
  const key = identityKey(ctx, domain);
  for (;;) {
    const found = await c.deps.store.get<IdentityDoc>(TABLES.identities, key);
    if (found) return found.value;
    const now = c.now();
    const doc: IdentityDoc = {
      name: domain,
      type: 'Domain',
      status: c.deps.autoVerify ? 'Success' : 'Pending',
      createdAt: now,
      requestedAt: now,
      ...(c.deps.autoVerify ? { verifiedAt: now } : {}),
      token: randomBytes(32).toString('base64'),
      ...extra,
    };
    if (await tryPut(c, key, doc, { ifNotExists: true })) return doc;
  }
}

export async function deleteIdentity(c: SesContext, ctx: Ctx, name: string): Promise<boolean> {
  return c.deps.store.delete(TABLES.identities, identityKey(ctx, name));
}

export async function listIdentities(c: SesContext, ctx: Ctx, opts: { type?: IdentityType; token?: string; limit: number }) {
  const prefix = scope(ctx);
  const out: IdentityDoc[] = [];
  let after = decodeToken(opts.token);
  for (;;) {
    const page = await c.deps.store.list<IdentityDoc>(TABLES.identities, { prefix, after, limit: 200 });
    for (const d of page) {
      if (opts.type && d.value.type !== opts.type) continue;
      out.push(d.value);
      if (out.length > opts.limit) break;
    }
    if (out.length > opts.limit || page.length < 200) break;
    after = page[page.length - 1]!.key;
  }
  if (out.length > opts.limit) {
    out.length = opts.limit;
    return { identities: out, next: encodeToken(identityKey(ctx, out[out.length - 1]!.name)) };
  }
  return { identities: out, next: undefined };
}

/** GET /_stratus/ses/verify?token=...: the page the mailed link opens. */
export async function openVerifyLink(c: SesContext, token: string): Promise<{ status: number; html: string }> {
  const link = token ? await c.deps.store.get<LinkDoc>(TABLES.verifyLinks, token) : undefined;
  if (!link) return { status: 404, html: invalidLinkPage() };
  for (;;) {
    const found = await c.deps.store.get<IdentityDoc>(TABLES.identities, link.value.key);
    if (!found || found.value.link !== token) return { status: 404, html: invalidLinkPage() };
    const doc = found.value;
    if (doc.status === 'Success') return { status: 200, html: verifiedPage(doc.name, link.value.region) };
    const now = c.now();
    if (now > link.value.expiresAt) return { status: 410, html: expiredLinkPage(doc.name) };
    if (await tryPut(c, link.value.key, { ...doc, status: 'Success', verifiedAt: now }, { ifVersion: found.version })) {
      return { status: 200, html: verifiedPage(doc.name, link.value.region) };
    }
  }
}

const IDENTITY_TYPES = ['EmailAddress', 'Domain'];

/** SES v1's identity operations. */
export function identityOperations(c: SesContext): Record<string, OperationSpec> {
  const verifyEmailOp: OperationSpec = {
    async handler(input: { EmailAddress: string }, ctx) {
      await verifyEmail(c, ctx, input.EmailAddress, 1);
      return {};
    },
  };
  return {
    VerifyEmailIdentity: verifyEmailOp,
    VerifyEmailAddress: verifyEmailOp,
    VerifyDomainIdentity: {
      async handler(input: { Domain: string }, ctx) {
        const doc = await verifyDomain(c, ctx, input.Domain, 1);
        return { VerificationToken: doc.token };
      },
    },
    DeleteIdentity: {
      async handler(input: { Identity: string }, ctx) {
        await deleteIdentity(c, ctx, input.Identity);
        return {};
      },
    },
    DeleteVerifiedEmailAddress: {
      async handler(input: { EmailAddress: string }, ctx) {
        await deleteIdentity(c, ctx, input.EmailAddress);
        return {};
      },
    },
    GetIdentityVerificationAttributes: {
      async handler(input: { Identities: string[] }, ctx) {
        if (input.Identities.length > 100) throw validationError('identities', `[${input.Identities.join(', ')}]`, 'Member must have length less than or equal to 100');
        const now = c.now();
        const attrs: Record<string, { VerificationStatus: string; VerificationToken?: string }> = {};
        for (const name of input.Identities) {
          const found = await getIdentity(c, ctx, name);
          if (!found) continue;
          attrs[name] = { VerificationStatus: effectiveStatus(found.value, now), ...(found.value.token ? { VerificationToken: found.value.token } : {}) };
        }
        return { VerificationAttributes: attrs };
      },
    },
    ListIdentities: {
      async handler(input: { IdentityType?: string; NextToken?: string; MaxItems?: number }, ctx) {
        if (input.IdentityType !== undefined && !IDENTITY_TYPES.includes(input.IdentityType)) {
          throw validationError('identityType', input.IdentityType, 'Member must satisfy enum value set: [EmailAddress, Domain]');
        }
        const limit = Math.min(Math.max(input.MaxItems ?? 1000, 1), 1000);
        const page = await listIdentities(c, ctx, { type: input.IdentityType as IdentityType | undefined, token: input.NextToken, limit });
        return { Identities: page.identities.map((i) => i.name), ...(page.next ? { NextToken: page.next } : {}) };
      },
    },
    ListVerifiedEmailAddresses: {
      async handler(_input, ctx) {
        const now = c.now();
        const page = await listIdentities(c, ctx, { type: 'EmailAddress', limit: 100000 });
        return { VerifiedEmailAddresses: page.identities.filter((i) => effectiveStatus(i, now) === 'Success').map((i) => i.name) };
      },
    },
  };
}
