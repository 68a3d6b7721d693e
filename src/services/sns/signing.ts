/**
 * Message signatures: one RSA 2048 key per data directory, made on first use
 * and kept in the `sns.signing` table with its self-signed certificate (a
 * conditional put, so that concurrent processes settle on one key), and the
 * signature SNS puts in every message: SignatureVersion 1 is SHA1withRSA,
 * 2 is SHA256withRSA, over AWS's string to sign (name and value lines, in
 * byte order, of the fields the message type signs).
 * https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html
 */
import { createPrivateKey, generateKeyPair, sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { ConditionFailedError, type DocumentStore } from '../../storage/types.js';
import { certificateFingerprint, selfSignedCertificate, toPem } from './certificate.js';
import { TABLES } from './contract.js';
import type { SnsMessage, UnsignedMessage } from './envelope.js';

const generate = promisify(generateKeyPair);

/** The one document of `sns.signing`. */
const KEY = 'signing-key';

interface SigningDoc {
  privateKeyPem: string;
  certificatePem: string;
  fingerprint: string;
  createdAt: string;
}

export interface SigningKey {
  privateKey: KeyObject;
  certificatePem: string;
  fingerprint: string;
}

const NOTIFICATION_FIELDS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const;
const CONFIRMATION_FIELDS = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'] as const;

/** "Name\nvalue\n" for each signed field present, in the documented order. */
export function stringToSign(m: UnsignedMessage): string {
  const fields = m.Type === 'Notification' ? NOTIFICATION_FIELDS : CONFIRMATION_FIELDS;
  let out = '';
  for (const f of fields) {
    const v = m[f];
    if (v !== undefined) out += `${f}\n${v}\n`;
  }
  return out;
}

/** The message with its Signature, in its place between SignatureVersion and SigningCertURL. */
export function signMessage(m: UnsignedMessage, key: KeyObject): SnsMessage {
  const signature = sign(m.SignatureVersion === '2' ? 'sha256' : 'sha1', Buffer.from(stringToSign(m), 'utf8'), key).toString('base64');
  const out: Partial<SnsMessage> = {};
  for (const [k, v] of Object.entries(m)) {
    if (k === 'SigningCertURL') out.Signature = signature;
    (out as Record<string, unknown>)[k] = v;
  }
  out.Signature ??= signature;
  return out as SnsMessage;
}

/** How long the key is used before the store is looked at again (another process may have reset it). */
const RECHECK_MS = 1000;

export class SigningKeys {
  private cached: { key: SigningKey; checkedAt: number } | undefined;
  private loading: Promise<SigningKey> | undefined;

  constructor(private readonly store: DocumentStore) {}

  /** The key to sign with, made and stored on first use. */
  async current(): Promise<SigningKey> {
    const c = this.cached;
    if (c && performance.now() - c.checkedAt < RECHECK_MS) return c.key;
    this.loading ??= this.load(c?.key).finally(() => (this.loading = undefined));
    return this.loading;
  }

  /** The PEM of the certificate with this fingerprint, when it is the current one. */
  async certificate(fingerprint: string): Promise<string | undefined> {
    const doc = (await this.store.get<SigningDoc>(TABLES.signing, KEY))?.value;
    return doc && doc.fingerprint === fingerprint ? doc.certificatePem : undefined;
  }

  /** Drops what is cached (after a reset wiped the table). */
  forget(): void {
    this.cached = undefined;
  }

  private async load(previous: SigningKey | undefined): Promise<SigningKey> {
    const found = (await this.store.get<SigningDoc>(TABLES.signing, KEY))?.value;
    const key = found ? (previous?.fingerprint === found.fingerprint ? previous : fromDoc(found)) : await this.create();
    this.cached = { key, checkedAt: performance.now() };
    return key;
  }

  private async create(): Promise<SigningKey> {
    const { privateKey } = await generate('rsa', { modulusLength: 2048 });
    const der = selfSignedCertificate({ privateKey, commonName: 'sns.amazonaws.com' });
    const doc: SigningDoc = {
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      certificatePem: toPem(der),
      fingerprint: certificateFingerprint(der),
      createdAt: new Date().toISOString(),
    };
    try {
      await this.store.put(TABLES.signing, KEY, doc, { ifNotExists: true });
      return fromDoc(doc);
    } catch (err) {
      if (!(err instanceof ConditionFailedError)) throw err;
      // Another process stored its key first: everyone signs with that one.
      const winner = (await this.store.get<SigningDoc>(TABLES.signing, KEY))?.value;
      if (!winner) throw err;
      return fromDoc(winner);
    }
  }
}

function fromDoc(doc: SigningDoc): SigningKey {
  return { privateKey: createPrivateKey(doc.privateKeyPem), certificatePem: doc.certificatePem, fingerprint: doc.fingerprint };
}
