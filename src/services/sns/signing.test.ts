/**
 * Signatures: AWS's string to sign, SHA1withRSA and SHA256withRSA, and one
 * key per data directory however many processes race to make it.
 */
import assert from 'node:assert/strict';
import { verify, X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import { MemoryDocumentStore } from '../../storage/memory.js';
import { TABLES } from './contract.js';
import type { UnsignedMessage } from './envelope.js';
import { signMessage, SigningKeys, stringToSign } from './signing.js';

const NOTIFICATION: UnsignedMessage = {
  Type: 'Notification',
  MessageId: '4d4dc071-ddbf-465d-bba8-08f81c89da64',
  TopicArn: 'arn:aws:sns:us-east-2:123456789012:s4-MySNSTopic-1G1WEFCOXTC0P',
  Subject: 'My subject',
  Message: 'My Test Message',
  Timestamp: '2019-01-31T04:37:04.321Z',
  SignatureVersion: '1',
  SigningCertURL: 'https://example/cert.pem',
  UnsubscribeURL: 'https://example/?Action=Unsubscribe',
};

describe('SNS signatures', () => {
  it("builds AWS's documented strings to sign", () => {
    assert.equal(
      stringToSign(NOTIFICATION),
      'Message\nMy Test Message\nMessageId\n4d4dc071-ddbf-465d-bba8-08f81c89da64\nSubject\nMy subject\nTimestamp\n2019-01-31T04:37:04.321Z\nTopicArn\narn:aws:sns:us-east-2:123456789012:s4-MySNSTopic-1G1WEFCOXTC0P\nType\nNotification\n',
    );
    const { Subject: _, ...noSubject } = NOTIFICATION;
    assert.ok(!stringToSign(noSubject).includes('Subject'));
    const confirmation: UnsignedMessage = {
      Type: 'SubscriptionConfirmation',
      MessageId: '3d891288-136d-417f-bc05-901c108273ee',
      Token: '233...',
      TopicArn: 'arn:aws:sns:us-east-2:123456789012:s4-MySNSTopic-1G1WEFCOXTC0P',
      Message: 'My Test Message',
      SubscribeURL: 'https://sns.us-east-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-2:123456789012:s4-MySNSTopic-1G1WEFCOXTC0P&Token=233...',
      Timestamp: '2019-01-31T19:25:13.719Z',
      SignatureVersion: '1',
      SigningCertURL: 'https://example/cert.pem',
    };
    assert.equal(
      stringToSign(confirmation),
      'Message\nMy Test Message\nMessageId\n3d891288-136d-417f-bc05-901c108273ee\nSubscribeURL\nhttps://sns.us-east-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-2:123456789012:s4-MySNSTopic-1G1WEFCOXTC0P&Token=233...\nTimestamp\n2019-01-31T19:25:13.719Z\nToken\n233...\nTopicArn\narn:aws:sns:us-east-2:123456789012:s4-MySNSTopic-1G1WEFCOXTC0P\nType\nSubscriptionConfirmation\n',
    );
  });

  it('signs with SHA1withRSA for version 1 and SHA256withRSA for version 2, the Signature in its place', async () => {
    const keys = new SigningKeys(new MemoryDocumentStore());
    const key = await keys.current();
    const cert = new X509Certificate(key.certificatePem);
    for (const [version, hash] of [['1', 'sha1'], ['2', 'sha256']] as const) {
      const signed = signMessage({ ...NOTIFICATION, SignatureVersion: version }, key.privateKey);
      assert.deepEqual(Object.keys(signed), ['Type', 'MessageId', 'TopicArn', 'Subject', 'Message', 'Timestamp', 'SignatureVersion', 'Signature', 'SigningCertURL', 'UnsubscribeURL']);
      const sig = Buffer.from(signed.Signature, 'base64');
      assert.ok(verify(hash, Buffer.from(stringToSign(signed)), cert.publicKey, sig), version);
      assert.equal(verify(hash === 'sha1' ? 'sha256' : 'sha1', Buffer.from(stringToSign(signed)), cert.publicKey, sig), false);
    }
  });

  it('processes racing to make the key settle on one, and the certificate is served by its fingerprint', async () => {
    const store = new MemoryDocumentStore();
    const [a, b, c] = await Promise.all([new SigningKeys(store).current(), new SigningKeys(store).current(), new SigningKeys(store).current()]);
    assert.equal(a.fingerprint, b.fingerprint);
    assert.equal(b.fingerprint, c.fingerprint);
    const again = new SigningKeys(store);
    assert.equal((await again.current()).fingerprint, a.fingerprint, 'a new process reads the stored key');
    assert.equal(await again.certificate(a.fingerprint), a.certificatePem);
    assert.equal(await again.certificate('0'.repeat(32)), undefined);
  });

  it('after the store is wiped a new key is made and the old certificate is gone', async () => {
    const store = new MemoryDocumentStore();
    const keys = new SigningKeys(store);
    const first = await keys.current();
    // What /_stratus/reset does to the table.
    for (const d of await store.list(TABLES.signing)) await store.delete(TABLES.signing, d.key);
    keys.forget();
    const second = await keys.current();
    assert.notEqual(second.fingerprint, first.fingerprint);
    assert.equal(await keys.certificate(first.fingerprint), undefined);
    assert.equal(await keys.certificate(second.fingerprint), second.certificatePem);
  });
});
