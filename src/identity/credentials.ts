/**
 * Resolves an access key id to its secret and principal: the account root's
 * keys, IAM users' long-term keys (through the Directory) and STS sessions.
 * Root keys and sessions are kept here; IAM's tables belong to the Directory.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html
 */
import type { Principal } from '../core/context.js';
import { accessKeyId as newAccessKeyId, secretAccessKey as newSecret, sessionToken as newSessionToken } from '../core/ids.js';
import type { DocumentStore } from '../storage/types.js';
import type { Directory, ResolvedCredentials } from './types.js';

const ROOT = 'identity.root';
const KEYS = 'identity.root-keys';
const SESSIONS = 'identity.sessions';

interface RootRecord {
  accountId: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface SessionRecord {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** Epoch ms. */
  expiresAt: number;
  principal: Principal;
  /** GetSessionToken credentials may not call IAM, nor STS beyond AssumeRole/GetCallerIdentity. */
  fromGetSessionToken?: boolean;
}

export interface IssuedCredentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  Expiration: Date;
}

export function rootPrincipal(accountId: string, accessKeyId?: string): Principal {
  return { type: 'root', arn: `arn:aws:iam::${accountId}:root`, accountId, userId: accountId, accessKeyId };
}

/**
 * How long a resolved key is reused before it is read again. IAM itself is
 * eventually consistent ("changes ... can take time to become visible",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency),
 * and a second of it spares every signed request a database read.
 */
const CACHE_MS = 1000;
const CACHE_MAX = 10_000;

export class Credentials {
  private readonly cache = new Map<string, { at: number; value: ResolvedCredentials | undefined }>();

  constructor(
    private readonly store: DocumentStore,
    private readonly directory: Directory,
  ) {}

  /** Forgets cached keys; reset and key changes made through this process call it. */
  invalidate(accessKeyId?: string): void {
    if (accessKeyId === undefined) this.cache.clear();
    else this.cache.delete(accessKeyId);
  }

  /** resolve() with a short cache; the gateway authenticates through this. */
  async lookup(accessKeyId: string, now = Date.now()): Promise<ResolvedCredentials | undefined> {
    const hit = this.cached(accessKeyId, now);
    if (hit) return hit.value;
    const value = await this.resolve(accessKeyId);
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(accessKeyId, { at: now, value });
    return value;
  }

  /**
   * lookup()'s answer when it is still cached, without a promise (the edge's
   * hot path); undefined when the key has to be read (then call lookup()).
   */
  cached(accessKeyId: string, now = Date.now()): { readonly value: ResolvedCredentials | undefined } | undefined {
    const hit = this.cache.get(accessKeyId);
    return hit && now - hit.at < CACHE_MS ? hit : undefined;
  }

  /**
   * Makes sure the account has root keys: the preferred ones when given (they
   * replace whatever was stored), else the stored ones, else new ones.
   */
  async ensureRoot(accountId: string, preferred?: { accessKeyId: string; secretAccessKey: string }): Promise<{ accessKeyId: string; secretAccessKey: string; created: boolean }> {
    const existing = await this.store.get<RootRecord>(ROOT, accountId);
    if (existing && (!preferred || (preferred.accessKeyId === existing.value.accessKeyId && preferred.secretAccessKey === existing.value.secretAccessKey))) {
      const key = await this.store.get<Partial<RootRecord>>(KEYS, existing.value.accessKeyId);
      if (key?.value.secretAccessKey !== existing.value.secretAccessKey) await this.store.put(KEYS, existing.value.accessKeyId, existing.value);
      return { accessKeyId: existing.value.accessKeyId, secretAccessKey: existing.value.secretAccessKey, created: false };
    }
    const record: RootRecord = { accountId, accessKeyId: preferred?.accessKeyId ?? newAccessKeyId(false), secretAccessKey: preferred?.secretAccessKey ?? newSecret() };
    const ops: Parameters<DocumentStore['batch']>[0] = [
      { op: 'put', table: ROOT, key: accountId, value: record, condition: existing ? { ifVersion: existing.version } : { ifNotExists: true } },
      // The key's own record carries the secret, so authenticating root is one read.
      { op: 'put', table: KEYS, key: record.accessKeyId, value: record },
    ];
    if (existing && existing.value.accessKeyId !== record.accessKeyId) ops.push({ op: 'delete', table: KEYS, key: existing.value.accessKeyId });
    await this.store.batch(ops);
    return { accessKeyId: record.accessKeyId, secretAccessKey: record.secretAccessKey, created: true };
  }

  async resolve(accessKeyId: string): Promise<ResolvedCredentials | undefined> {
    if (accessKeyId.startsWith('ASIA')) {
      const session = await this.store.get<SessionRecord>(SESSIONS, accessKeyId);
      if (!session) return undefined;
      const s = session.value;
      const principal = { ...s.principal, accessKeyId, ...(s.fromGetSessionToken ? { fromGetSessionToken: true } : {}) };
      return { accessKeyId, secretAccessKey: s.secretAccessKey, sessionToken: s.sessionToken, expiresAt: s.expiresAt, active: true, principal };
    }
    const root = await this.store.get<RootRecord>(KEYS, accessKeyId);
    if (root?.value.secretAccessKey) {
      return { accessKeyId, secretAccessKey: root.value.secretAccessKey, active: true, principal: rootPrincipal(root.value.accountId, accessKeyId) };
    }
    return this.directory.findAccessKey(accessKeyId);
  }

  /** Whether a session's credentials came from GetSessionToken (they are barred from IAM). */
  async sessionOrigin(accessKeyId: string): Promise<SessionRecord | undefined> {
    return (await this.store.get<SessionRecord>(SESSIONS, accessKeyId))?.value;
  }

  /** Issues temporary credentials for a principal (AssumeRole, GetSessionToken, function execution roles). */
  async issueSession(principal: Principal, durationSeconds: number, extra: { fromGetSessionToken?: boolean } = {}): Promise<IssuedCredentials> {
    const expiresAt = Math.floor(Date.now() / 1000 + durationSeconds) * 1000;
    const record: SessionRecord = {
      accessKeyId: newAccessKeyId(true),
      secretAccessKey: newSecret(),
      sessionToken: newSessionToken(),
      expiresAt,
      principal: { ...principal, expiresAt },
      ...extra,
    };
    await this.store.put(SESSIONS, record.accessKeyId, record, { ifNotExists: true });
    return { AccessKeyId: record.accessKeyId, SecretAccessKey: record.secretAccessKey, SessionToken: record.sessionToken, Expiration: new Date(expiresAt) };
  }

  /** Deletes sessions that expired more than `graceMs` ago; returns how many. */
  async sweepExpired(now = Date.now(), graceMs = 60 * 60 * 1000): Promise<number> {
    let removed = 0;
    let after: string | undefined;
    for (;;) {
      const page = await this.store.list<SessionRecord>(SESSIONS, { after, limit: 500 });
      if (page.length === 0) return removed;
      for (const doc of page) {
        if (doc.value.expiresAt + graceMs < now && (await this.store.delete(SESSIONS, doc.key, { ifVersion: doc.version }).catch(() => false))) removed++;
      }
      after = page[page.length - 1]!.key;
    }
  }
}
