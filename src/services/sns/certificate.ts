/**
 * A self-signed X.509 v3 certificate for an RSA key, encoded here in DER
 * (RFC 5280) with node:crypto doing the signing: SNS publishes the
 * certificate of its signing key at the SigningCertURL, and subscribers fetch
 * it to check message signatures. Only what such a certificate needs is
 * encoded: a serial, sha256WithRSAEncryption, a CN-only issuer and subject,
 * the validity, the key and, optionally, basicConstraints and DNS names (for
 * a certificate a TLS server can present).
 * https://datatracker.ietf.org/doc/html/rfc5280#section-4.1
 */
import { createHash, createPublicKey, randomBytes, sign, type KeyObject } from 'node:crypto';

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), length(content.length), content]);
}

const sequence = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const explicit = (n: number, content: Buffer) => tlv(0xa0 + n, content);
const octetString = (content: Buffer) => tlv(0x04, content);
const utf8String = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
const NULL = Buffer.from([0x05, 0x00]);
const TRUE = Buffer.from([0x01, 0x01, 0xff]);

/** A non-negative INTEGER: a leading zero keeps a high first bit from reading as negative. */
function integer(bytes: Buffer): Buffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0 && bytes[i + 1]! < 0x80) i++;
  const trimmed = bytes.subarray(i);
  return tlv(0x02, trimmed[0]! >= 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out = [40 * parts[0]! + parts[1]!];
  for (const p of parts.slice(2)) {
    const groups: number[] = [];
    let v = p;
    do {
      groups.unshift(v & 0x7f);
      v = Math.floor(v / 128);
    } while (v > 0);
    for (let g = 0; g < groups.length - 1; g++) groups[g]! |= 0x80;
    out.push(...groups);
  }
  return tlv(0x06, Buffer.from(out));
}

function bitString(content: Buffer): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([0]), content]));
}

/** UTCTime through 2049, GeneralizedTime from 2050 on (RFC 5280 4.1.2.5). */
function time(d: Date): Buffer {
  const iso = d.toISOString();
  const digits = iso.slice(0, 19).replace(/[-:T]/g, '');
  const year = d.getUTCFullYear();
  if (year < 2050) return tlv(0x17, Buffer.from(digits.slice(2) + 'Z', 'latin1'));
  return tlv(0x18, Buffer.from(digits + 'Z', 'latin1'));
}

const OID = {
  sha256WithRSA: '1.2.840.113549.1.1.11',
  commonName: '2.5.4.3',
  basicConstraints: '2.5.29.19',
  subjectAltName: '2.5.29.17',
};

function name(commonName: string): Buffer {
  return sequence(set(sequence(oid(OID.commonName), utf8String(commonName))));
}

export interface CertificateOptions {
  privateKey: KeyObject;
  /** Defaults to the public half of privateKey. */
  publicKey?: KeyObject;
  commonName: string;
  notBefore?: Date;
  /** Days from notBefore (default 10 years). */
  days?: number;
  /** DNS names for a TLS server certificate (subjectAltName). */
  dnsNames?: string[];
  /** Marks the certificate a CA (basicConstraints), so that it can be a trust anchor. */
  ca?: boolean;
}

/** The certificate, DER-encoded. */
export function selfSignedCertificate(o: CertificateOptions): Buffer {
  const publicKey = o.publicKey ?? createPublicKey(o.privateKey);
  const notBefore = o.notBefore ?? new Date(Date.now() - 60_000);
  const notAfter = new Date(notBefore.getTime() + (o.days ?? 3650) * 86_400_000);
  const algorithm = sequence(oid(OID.sha256WithRSA), NULL);
  const extensions: Buffer[] = [];
  if (o.ca) extensions.push(sequence(oid(OID.basicConstraints), TRUE, octetString(sequence(TRUE))));
  if (o.dnsNames?.length) {
    const names = o.dnsNames.map((n) => tlv(0x82, Buffer.from(n, 'latin1')));
    extensions.push(sequence(oid(OID.subjectAltName), octetString(sequence(...names))));
  }
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    algorithm,
    name(o.commonName),
    sequence(time(notBefore), time(notAfter)),
    name(o.commonName),
    publicKey.export({ type: 'spki', format: 'der' }),
    ...(extensions.length ? [explicit(3, sequence(...extensions))] : []),
  );
  return sequence(tbs, algorithm, bitString(sign('sha256', tbs, o.privateKey)));
}

export function toPem(der: Buffer, label = 'CERTIFICATE'): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** The 32 hex digits SNS names its certificate files with (SimpleNotificationService-<these>.pem). */
export function certificateFingerprint(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex').slice(0, 32);
}
