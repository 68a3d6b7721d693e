/**
 * The SMTP relay (`--smtp-url`) against a real SMTP server (npm smtp-server)
 * started here: messages arrive byte-identical to the inbox copy with the
 * same envelope (Bcc included), through AUTH PLAIN or LOGIN; a server that is
 * down is retried with backoff (also across a Stratus restart) and the
 * message is delivered once it is up; a 5xx answer marks it failed. The
 * state is visible on the inbox message (deliveryStatus, lastError). Mail SNS
 * sends to email subscriptions takes the same relay.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { SendEmailCommand, SendRawEmailCommand, SESClient, VerifyDomainIdentityCommand } from '@aws-sdk/client-ses';
import { ConfirmSubscriptionCommand, CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { SMTPServer } from 'smtp-server';
import { clientConfig, freePort, removeDir, startTestServer, tempDir, type TestServer } from './harness.js';

interface Received {
  from: string;
  to: string[];
  user?: string;
  data: Buffer;
}

async function startSmtp(port: number, o: { authMethods?: string[]; reject?: string } = {}) {
  const received: Received[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: o.authMethods ?? ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === 'relay' && auth.password === 's3cr:t') cb(null, { user: auth.username });
      else cb(new Error('Invalid username or password'));
    },
    onRcptTo(address, _session, cb) {
      if (o.reject && address.address === o.reject) {
        const err = new Error('Mailbox unavailable') as Error & { responseCode: number };
        err.responseCode = 550;
        return cb(err);
      }
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({ from: (session.envelope.mailFrom as { address: string }).address, to: session.envelope.rcptTo.map((r) => r.address), user: session.user as string | undefined, data: Buffer.concat(chunks) });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function inboxMessage(server: { url: string }, id: string): Promise<Record<string, any>> {
  return (await (await fetch(`${server.url}/_stratus/ses/messages/${id}`)).json()) as Record<string, any>;
}

async function rawOf(server: { url: string }, id: string): Promise<Buffer> {
  return Buffer.from(await (await fetch(`${server.url}/_stratus/ses/messages/${id}/raw`)).arrayBuffer());
}

/** An SES client for the server, with relay.example verified (auto-verify makes it immediate). */
async function sesFor(server: TestServer): Promise<SESClient> {
  const ses = new SESClient(clientConfig(server));
  await ses.send(new VerifyDomainIdentityCommand({ Domain: 'relay.example' }));
  return ses;
}

const smtpUrl = (port: number) => `smtp://relay:${encodeURIComponent('s3cr:t')}@127.0.0.1:${port}`;

describe('SES SMTP relay', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('delivers accepted messages byte-identical, with their envelope, through AUTH PLAIN', async () => {
    const port = await freePort();
    const smtp = await startSmtp(port);
    cleanups.push(smtp.close);
    const server = await startTestServer(['--ses-auto-verify', '--smtp-url', smtpUrl(port)]);
    cleanups.push(() => server.close());
    const ses = await sesFor(server);
    const a = await ses.send(
      new SendEmailCommand({ Source: 'Équipe <team@relay.example>', Destination: { ToAddresses: ['to@relay.example'], BccAddresses: ['hidden@relay.example'] }, Message: { Subject: { Data: 'Relayé ✓' }, Body: { Text: { Data: 'line one\n.line with a leading dot\n..two dots\n.' }, Html: { Data: '<p>é</p>' } } } }),
    );
    const raw = 'From: team@relay.example\r\nTo: raw@relay.example\r\nSubject: raw\r\n\r\n.\r\n..\r\nend without newline';
    const b = await ses.send(new SendRawEmailCommand({ RawMessage: { Data: Buffer.from(raw) } }));
    await waitFor('two deliveries', () => smtp.received.length === 2);
    const [first, second] = smtp.received;
    assert.equal(first!.user, 'relay');
    assert.equal(first!.from, 'team@relay.example');
    assert.deepEqual(first!.to, ['to@relay.example', 'hidden@relay.example']);
    assert.ok(first!.data.equals(await rawOf(server, a.MessageId!)), 'the relayed bytes are the inbox bytes');
    assert.ok(second!.data.equals(await rawOf(server, b.MessageId!)), 'dot-stuffed on the wire, unstuffed by the server: identical');
    assert.ok(second!.data.toString().endsWith('\r\n.\r\n..\r\nend without newline\r\n'));
    assert.deepEqual(second!.to, ['raw@relay.example']);
    const m = await waitFor('delivered status', async () => {
      const doc = await inboxMessage(server, a.MessageId!);
      return doc.deliveryStatus === 'delivered' ? doc : undefined;
    });
    assert.equal(m.delivery.attempts, 1);
    assert.ok(m.delivery.deliveredAt);
  });

  it('a server that is down: retried with backoff, reported, kept across a restart, delivered once it is up (AUTH LOGIN)', async () => {
    const port = await freePort();
    const dataDir = tempDir();
    cleanups.push(() => removeDir(dataDir));
    const args = ['--data-dir', dataDir, '--ses-auto-verify', '--smtp-url', smtpUrl(port), '--time-scale', '20'];
    let server: TestServer | undefined = await startTestServer(args);
    const ses = await sesFor(server);
    const sent = await ses.send(new SendEmailCommand({ Source: 'team@relay.example', Destination: { ToAddresses: ['late@relay.example'] }, Message: { Subject: { Data: 'eventually' }, Body: { Text: { Data: 'patience' } } } }));
    const pending = await waitFor('two failed attempts', async () => {
      const doc = await inboxMessage(server!, sent.MessageId!);
      return doc.delivery.attempts >= 2 ? doc : undefined;
    });
    assert.equal(pending.deliveryStatus, 'pending');
    assert.match(pending.lastError, /ECONNREFUSED/);
    assert.ok(pending.delivery.nextAttemptAt > pending.delivery.lastAttemptAt);
    await server.close();
    server = undefined;

    const smtp = await startSmtp(port, { authMethods: ['LOGIN'] });
    cleanups.push(smtp.close);
    const restarted = await startTestServer(args);
    cleanups.push(() => restarted.close());
    await waitFor('delivery after restart', () => smtp.received.length === 1);
    assert.equal(smtp.received[0]!.user, 'relay');
    assert.ok(smtp.received[0]!.data.equals(await rawOf(restarted, sent.MessageId!)));
    const done = await waitFor('delivered status', async () => {
      const doc = await inboxMessage(restarted, sent.MessageId!);
      return doc.deliveryStatus === 'delivered' ? doc : undefined;
    });
    assert.ok(done.delivery.attempts >= 3);
    assert.match(done.lastError, /ECONNREFUSED/, 'the last failure stays on record');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(smtp.received.length, 1, 'delivered once');
  });

  it('a permanent (5xx) refusal marks the message failed, with the server\'s answer', async () => {
    const port = await freePort();
    const smtp = await startSmtp(port, { reject: 'nobody@relay.example' });
    cleanups.push(smtp.close);
    const server = await startTestServer(['--ses-auto-verify', '--smtp-url', smtpUrl(port)]);
    cleanups.push(() => server.close());
    const ses = await sesFor(server);
    const sent = await ses.send(new SendEmailCommand({ Source: 'team@relay.example', Destination: { ToAddresses: ['nobody@relay.example'] }, Message: { Subject: { Data: 'bounce' }, Body: { Text: { Data: 'x' } } } }));
    const failed = await waitFor('failed status', async () => {
      const doc = await inboxMessage(server, sent.MessageId!);
      return doc.deliveryStatus === 'failed' ? doc : undefined;
    });
    assert.match(failed.lastError, /RCPT TO <nobody@relay.example>: 550/);
    assert.equal(failed.delivery.attempts, 1);
    assert.equal(smtp.received.length, 0);
  });
  it("SNS email subscriptions: the confirmation and the notification go out through the relay, as the inbox holds them", async () => {
    const port = await freePort();
    const smtp = await startSmtp(port);
    cleanups.push(smtp.close);
    const server = await startTestServer(['--smtp-url', smtpUrl(port)]);
    cleanups.push(() => server.close());
    const sns = new SNSClient(clientConfig(server));
    cleanups.push(() => sns.destroy());
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'relayed' }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: 'oncall@relay.example' }));
    await waitFor('the relayed confirmation', () => smtp.received.length === 1);
    const confirmation = smtp.received[0]!;
    assert.deepEqual(confirmation.to, ['oncall@relay.example']);
    assert.equal(confirmation.from, 'no-reply@sns.amazonaws.com');
    // Quoted-printable may fold the link; unfold before reading the token.
    const unfolded = confirmation.data.toString('latin1').replace(/=\r\n/g, '').replace(/=3D/g, '=');
    assert.match(unfolded, /Subject: AWS Notification - Subscription Confirmation/);
    const token = /[?&]Token=([0-9a-f]+)/.exec(unfolded)![1]!;
    await sns.send(new ConfirmSubscriptionCommand({ TopicArn, Token: token }));
    const { MessageId } = await sns.send(new PublishCommand({ TopicArn, Subject: 'Disk full', Message: 'db-1 is at 97%' }));
    await waitFor('the relayed notification', () => smtp.received.length === 2);
    const note = smtp.received[1]!;
    assert.deepEqual(note.to, ['oncall@relay.example']);
    const text = note.data.toString('latin1').replace(/=\r\n/g, '');
    assert.match(text, /Subject: Disk full/);
    assert.match(text, /db-1 is at 97%/);
    assert.ok(MessageId);
  });
});
