/**
 * Amazon SES, v1 (query) and v2 (REST JSON), over one store: identities
 * verified through a link mailed to the local inbox, sandbox rules, sending
 * (simple, raw, templated), templates, quota and statistics, the inbox that
 * keeps every accepted message as RFC 5322 bytes, and an optional SMTP relay.
 * The two APIs are two service definitions made from the same dependencies;
 * the server reaches the inbox and the relay through the v1 definition.
 * https://docs.aws.amazon.com/ses/latest/APIReference/Welcome.html
 * https://docs.aws.amazon.com/ses/latest/APIReference-V2/Welcome.html
 */
import type { Readable } from 'node:stream';
import type { Logger } from '../../core/logger.js';
import type { OperationSpec, ServiceDefinition } from '../types.js';
import { sesContext, type SesDeps } from './common.js';
import { identityOperations, openVerifyLink } from './identities.js';
import { createInbox, type InboxQuery } from './inbox.js';
import { startRelay, type Relay } from './relay.js';
import { sendOperations } from './send.js';
import { parseSmtpUrl } from './smtp.js';
import { sendQuota, sendStatistics } from './stats.js';
import { templateOperations } from './templates.js';
import { v2Operations } from './v2.js';
import { withRequiredChecks } from './validation.js';

export type { SesDeps, SesMode } from './common.js';
export { parseSmtpUrl } from './smtp.js';
export { createMailDrop, type MailDrop, type MailDropMeta } from './mail-drop.js';

/** What /_stratus/ses/... serves: the inbox and the verification link. */
export interface SesInbox {
  list(q?: InboxQuery): Promise<{ messages: unknown[] }>;
  get(id: string): Promise<unknown | undefined>;
  raw(id: string): Promise<{ body: Readable; size: number } | undefined>;
  /** Deletes one message, or all; returns how many. */
  remove(id?: string): Promise<number>;
  verify(token: string): Promise<{ status: number; html: string }>;
}

export interface SesService extends ServiceDefinition {
  inbox: SesInbox;
  /** Starts delivering queued messages to the SMTP server at `smtpUrl`. */
  startRelay(o: { smtpUrl: string; log: Logger; timeScale: number }): Relay;
}

export function createSesService(deps: SesDeps): SesService {
  const c = sesContext(deps);
  const operations: Record<string, OperationSpec> = {
    ...identityOperations(c),
    ...sendOperations(c),
    ...templateOperations(c),
    GetSendQuota: { handler: (_input, ctx) => sendQuota(c, ctx) },
    GetSendStatistics: { handler: (_input, ctx) => sendStatistics(c, ctx) },
    GetAccountSendingEnabled: { handler: () => ({ Enabled: true }) },
  };
  const inbox = createInbox(c);
  return {
    name: 'ses',
    signingName: 'ses',
    actionPrefix: 'ses',
    operations: withRequiredChecks('ses', 1, operations),
    inbox: { ...inbox, verify: (token) => openVerifyLink(c, token) },
    startRelay: (o) => startRelay({ store: deps.store, blobs: deps.blobs, target: parseSmtpUrl(o.smtpUrl), log: o.log, timeScale: o.timeScale }),
  };
}

export function createSesV2Service(deps: SesDeps): ServiceDefinition {
  return { name: 'sesv2', signingName: 'ses', actionPrefix: 'ses', operations: withRequiredChecks('sesv2', 2, v2Operations(sesContext(deps))) };
}
