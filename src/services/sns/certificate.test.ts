/**
 * The DER encoder behind SNS's signing certificate: Node's X509Certificate
 * and OpenSSL's verifier must read what it writes.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import { certificateFingerprint, selfSignedCertificate, toPem } from './certificate.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

describe('self-signed certificates', () => {
  it('parse, carry the key, and verify under their own key', () => {
    const der = selfSignedCertificate({ privateKey, commonName: 'sns.amazonaws.com', notBefore: new Date('2030-01-02T03:04:05Z'), days: 10 });
    const cert = new X509Certificate(toPem(der));
    assert.equal(cert.subject, 'CN=sns.amazonaws.com');
    assert.equal(cert.issuer, 'CN=sns.amazonaws.com');
    assert.equal(new Date(cert.validFrom).toISOString(), '2030-01-02T03:04:05.000Z');
    assert.equal(new Date(cert.validTo).toISOString(), '2030-01-12T03:04:05.000Z');
    assert.ok(cert.publicKey.equals(publicKey));
    assert.ok(cert.verify(publicKey));
    assert.ok(cert.checkIssued(cert));
    assert.equal(cert.ca, false);
    assert.equal(cert.subjectAltName, undefined);
  });

  it('a server certificate names its hosts, may be a CA, and dates past 2049 use GeneralizedTime', () => {
    const der = selfSignedCertificate({ privateKey, commonName: 'localhost', dnsNames: ['localhost', 'sns.localhost'], ca: true, notBefore: new Date('2049-12-31T00:00:00Z'), days: 2 });
    const cert = new X509Certificate(der);
    assert.equal(cert.subjectAltName, 'DNS:localhost, DNS:sns.localhost');
    assert.equal(cert.ca, true);
    assert.equal(cert.checkHost('sns.localhost'), 'sns.localhost');
    assert.equal(new Date(cert.validTo).toISOString(), '2050-01-02T00:00:00.000Z');
  });

  it('a signature made with another key does not verify, and fingerprints differ per certificate', () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = selfSignedCertificate({ privateKey: other.privateKey, publicKey, commonName: 'sns.amazonaws.com' });
    assert.equal(new X509Certificate(forged).verify(publicKey), false);
    const a = selfSignedCertificate({ privateKey, commonName: 'x' });
    const b = selfSignedCertificate({ privateKey, commonName: 'x' });
    assert.match(certificateFingerprint(a), /^[0-9a-f]{32}$/);
    assert.notEqual(certificateFingerprint(a), certificateFingerprint(b), 'serials are random');
  });
});
