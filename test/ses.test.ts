/**
 * SES end to end with real clients: @aws-sdk/client-ses and client-sesv2,
 * boto3 running the seed tutorial's handler (test/clients/ses_boto3.py), the
 * inbox endpoint and `stratus mail`. Covers the verification mail and its
 * link, the sandbox's exact MessageRejected text, production mode, domains,
 * templates, raw mail, v2 sends, quota and statistics, and IAM on identity
 * ARNs.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import {
  CreateTemplateCommand,
  DeleteIdentityCommand,
  DeleteTemplateCommand,
  GetIdentityVerificationAttributesCommand,
  GetSendQuotaCommand,
  GetSendStatisticsCommand,
  GetTemplateCommand,
  ListIdentitiesCommand,
  ListTemplatesCommand,
  ListVerifiedEmailAddressesCommand,
  SendEmailCommand,
  SendRawEmailCommand,
  SendTemplatedEmailCommand,
  SESClient,
  TestRenderTemplateCommand,
  UpdateTemplateCommand,
  VerifyDomainIdentityCommand,
  VerifyEmailIdentityCommand,
} from '@aws-sdk/client-ses';
import {
  CreateEmailIdentityCommand,
  CreateEmailTemplateCommand,
  DeleteEmailIdentityCommand,
  GetAccountCommand,
  GetEmailIdentityCommand,
  SendEmailCommand as SendEmailV2Command,
  SESv2Client,
} from '@aws-sdk/client-sesv2';
import { signedCall } from '../src/cli/client.js';
import { ACCOUNT, clientConfig, REPO, startTestServer, tempDir, type TestServer } from './harness.js';

const run = promisify(execFile);
const CLI = ['--import', 'tsx', join(REPO, 'src/cli/bin.ts')];

interface Summary {
  id: string;
  from: string;
  to: string[];
  bcc: string[];
  replyTo: string[];
  subject: string;
  kind?: string;
  operation: string;
  deliveryStatus: string;
}

async function inbox(server: TestServer, query = ''): Promise<Summary[]> {
  const r = await fetch(`${server.url}/_stratus/ses/messages${query}`);
  assert.equal(r.status, 200);
  return ((await r.json()) as { messages: Summary[] }).messages;
}

async function message(server: TestServer, id: string): Promise<Record<string, any>> {
  const r = await fetch(`${server.url}/_stratus/ses/messages/${id}`);
  assert.equal(r.status, 200);
  return (await r.json()) as Record<string, any>;
}

async function rejection(p: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await p;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode };
  }
  assert.fail('expected the call to fail');
}

const linkIn = (text: string) => /http\S+\/_stratus\/ses\/verify\?token=\S+/.exec(text)?.[0];

describe('SES (sandbox, verification by link)', () => {
  let server: TestServer;
  let ses: SESClient;
  before(async () => {
    server = await startTestServer();
    ses = new SESClient(clientConfig(server));
  });
  after(async () => server.close());

  it('VerifyEmailIdentity: mails a link to the inbox; opening it verifies the identity', async () => {
    await ses.send(new VerifyEmailIdentityCommand({ EmailAddress: 'owner@example.com' }));
    const pending = await ses.send(new GetIdentityVerificationAttributesCommand({ Identities: ['owner@example.com', 'unknown@example.com'] }));
    assert.deepEqual(pending.VerificationAttributes, { 'owner@example.com': { VerificationStatus: 'Pending' } });

    const [mail] = await inbox(server, '?to=owner@example.com');
    assert.ok(mail);
    assert.equal(mail.from, 'Amazon Web Services <no-reply-aws@amazon.com>');
    assert.equal(mail.subject, 'Amazon Web Services – Email Address Verification Request in region US East (N. Virginia)');
    assert.equal(mail.kind, 'verification');
    const detail = await message(server, mail.id);
    assert.match(detail.raw, /^Subject: =\?UTF-8\?B\?/m, 'the en dash is sent as an RFC 2047 encoded-word');
    const link = linkIn(detail.text);
    assert.ok(link, detail.text);
    assert.ok(link.startsWith(server.url));

    const page = await fetch(link);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await page.text(), /Congratulations!/);
    const verified = await ses.send(new GetIdentityVerificationAttributesCommand({ Identities: ['owner@example.com'] }));
    assert.deepEqual(verified.VerificationAttributes, { 'owner@example.com': { VerificationStatus: 'Success' } });
    assert.deepEqual((await ses.send(new ListVerifiedEmailAddressesCommand({}))).VerifiedEmailAddresses, ['owner@example.com']);
    // Opening it again still says so; a made-up token does not verify anything.
    assert.equal((await fetch(link)).status, 200);
    assert.equal((await fetch(`${server.url}/_stratus/ses/verify?token=nope`)).status, 404);
  });

  it('sandbox: an unverified recipient is refused with MessageRejected and AWS\'s exact text', async () => {
    const err = await rejection(
      ses.send(new SendEmailCommand({ Source: 'owner@example.com', Destination: { ToAddresses: ['a@elsewhere.example', 'owner@example.com'], CcAddresses: ['b@elsewhere.example'] }, Message: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } } })),
    );
    assert.deepEqual(err, { name: 'MessageRejected', status: 400, message: 'Email address is not verified. The following identities failed the check in region US-EAST-1: a@elsewhere.example, b@elsewhere.example' });
    const sender = await rejection(ses.send(new SendEmailCommand({ Source: 'stranger@example.org', Destination: { ToAddresses: ['owner@example.com'] }, Message: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } } })));
    assert.equal(sender.message, 'Email address is not verified. The following identities failed the check in region US-EAST-1: stranger@example.org');
    // The mailbox simulator is exempt, as on AWS.
    await ses.send(new SendEmailCommand({ Source: 'owner@example.com', Destination: { ToAddresses: ['success@simulator.amazonses.com'] }, Message: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } } }));
  });

  it('SendEmail: the message is stored as RFC 5322 with its envelope (Bcc included) and a UTF-8 subject', async () => {
    await ses.send(new VerifyEmailIdentityCommand({ EmailAddress: 'friend@example.com' }));
    const mail = (await inbox(server, '?to=friend@example.com')).find((m) => m.kind === 'verification')!;
    assert.equal((await fetch(linkIn((await message(server, mail.id)).text)!)).status, 200);
    const sent = await ses.send(
      new SendEmailCommand({
        Source: 'Le Propriétaire <owner@example.com>',
        Destination: { ToAddresses: ['friend@example.com'], BccAddresses: ['owner@example.com'] },
        Message: { Subject: { Data: 'Réunion à 10h — ordre du jour' }, Body: { Text: { Data: 'Bonjour,\nà demain.' }, Html: { Data: '<p>Bonjour, <b>à demain</b>.</p>' } } },
        ReplyToAddresses: ['reply@example.com'],
      }),
    );
    assert.match(sent.MessageId!, /^0100[0-9a-f]{12}-[0-9a-f-]{36}-000000$/);
    const m = await message(server, sent.MessageId!);
    assert.equal(m.subject, 'Réunion à 10h — ordre du jour');
    assert.equal(m.from, 'Le Propriétaire <owner@example.com>');
    assert.deepEqual(m.to, ['friend@example.com']);
    assert.deepEqual(m.bcc, ['owner@example.com']);
    assert.deepEqual(m.replyTo, ['reply@example.com']);
    assert.deepEqual(m.envelope, { from: 'owner@example.com', recipients: ['friend@example.com', 'owner@example.com'] });
    assert.equal(m.text, 'Bonjour,\r\nà demain.');
    assert.equal(m.html, '<p>Bonjour, <b>à demain</b>.</p>');
    const raw: string = m.raw;
    assert.ok(!/\r\n|\n/.test(raw.replace(/\r\n/g, '')), 'every line ends in CRLF');
    assert.match(raw, new RegExp(`^Message-ID: <${sent.MessageId}@email.amazonses.com>\\r$`, 'm'));
    assert.match(raw, /^MIME-Version: 1\.0\r$/m);
    assert.match(raw, /^Content-Type: multipart\/alternative;/m);
    assert.match(raw, /^Content-Transfer-Encoding: quoted-printable\r$/m);
    assert.match(raw, /^Subject: =\?UTF-8\?B\?/m);
    assert.match(raw, /^From: =\?UTF-8\?B\?[A-Za-z0-9+/=]+\?= <owner@example.com>\r$/m);
    assert.ok(!/^Bcc:/im.test(raw), 'Bcc is envelope only');
    const rawBytes = await fetch(`${server.url}/_stratus/ses/messages/${sent.MessageId}/raw`);
    assert.equal(rawBytes.headers.get('content-type'), 'message/rfc822');
    assert.equal(await rawBytes.text(), raw);
  });

  it('VerifyDomainIdentity: answers a token and the domain is Pending until it verifies', async () => {
    const { VerificationToken } = await ses.send(new VerifyDomainIdentityCommand({ Domain: 'Example.NET' }));
    assert.match(VerificationToken!, /^[A-Za-z0-9+/]{43}=$/);
    const again = await ses.send(new VerifyDomainIdentityCommand({ Domain: 'example.net' }));
    assert.equal(again.VerificationToken, VerificationToken, 'the same domain keeps its token');
    const attrs = await ses.send(new GetIdentityVerificationAttributesCommand({ Identities: ['Example.NET'] }));
    assert.deepEqual(attrs.VerificationAttributes, { 'Example.NET': { VerificationStatus: 'Pending', VerificationToken } });
    const bad = await rejection(ses.send(new VerifyDomainIdentityCommand({ Domain: 'not a domain' })));
    assert.deepEqual(bad, { name: 'InvalidParameterValue', status: 400, message: 'Invalid domain name <not a domain>.' });
  });

  it('ListIdentities: filters by type and pages with NextToken; DeleteIdentity removes one', async () => {
    const emails = await ses.send(new ListIdentitiesCommand({ IdentityType: 'EmailAddress' }));
    assert.deepEqual(emails.Identities, ['friend@example.com', 'owner@example.com']);
    const domains = await ses.send(new ListIdentitiesCommand({ IdentityType: 'Domain' }));
    assert.deepEqual(domains.Identities, ['Example.NET']);
    const first = await ses.send(new ListIdentitiesCommand({ MaxItems: 2 }));
    assert.equal(first.Identities!.length, 2);
    assert.ok(first.NextToken);
    const second = await ses.send(new ListIdentitiesCommand({ MaxItems: 2, NextToken: first.NextToken }));
    assert.deepEqual([...first.Identities!, ...second.Identities!].sort(), ['Example.NET', 'friend@example.com', 'owner@example.com']);
    assert.equal(second.NextToken, undefined);
    const badType = await rejection(ses.send(new ListIdentitiesCommand({ IdentityType: 'Phone' as never })));
    assert.equal(badType.name, 'ValidationError');
    await ses.send(new DeleteIdentityCommand({ Identity: 'example.net' }));
    await ses.send(new DeleteIdentityCommand({ Identity: 'example.net' }));
    assert.deepEqual((await ses.send(new ListIdentitiesCommand({ IdentityType: 'Domain' }))).Identities, []);
  });

  it('GetSendQuota and GetSendStatistics: sandbox quotas, recipients counted', async () => {
    const q = await ses.send(new GetSendQuotaCommand({}));
    assert.equal(q.Max24HourSend, 200);
    assert.equal(q.MaxSendRate, 1);
    assert.equal(q.SentLast24Hours, 3, 'the simulator send (1) and the send to friend with Bcc (2); verification mails do not count');
    const stats = await ses.send(new GetSendStatisticsCommand({}));
    assert.equal(stats.SendDataPoints!.reduce((n, p) => n + (p.DeliveryAttempts ?? 0), 0), 3);
    assert.ok(stats.SendDataPoints![0]!.Timestamp instanceof Date);
  });

  it('boto3: the seed\'s handler, refused before verification, sends once the address is verified', async () => {
    const { stdout } = await run('python3', [join(REPO, 'test/clients/ses_boto3.py')], {
      env: { PATH: process.env.PATH, HOME: tempDir(), AWS_ENDPOINT_URL: server.url, AWS_ACCESS_KEY_ID: server.root.accessKeyId, AWS_SECRET_ACCESS_KEY: server.root.secretAccessKey },
    });
    const out = JSON.parse(stdout);
    assert.deepEqual(out.before, { code: 'MessageRejected', status: 400, message: 'Email address is not verified. The following identities failed the check in region US-EAST-1: contact@seed.example' });
    assert.deepEqual(out.pending, { 'contact@seed.example': { VerificationStatus: 'Pending' } });
    assert.equal(out.verificationFrom, 'Amazon Web Services <no-reply-aws@amazon.com>');
    assert.match(out.verificationSubject, /Email Address Verification Request in region US East \(N\. Virginia\)/);
    assert.equal(out.pageStatus, 200);
    assert.match(out.page, /Congratulations!/);
    assert.deepEqual(out.verified, { 'contact@seed.example': { VerificationStatus: 'Success' } });
    assert.deepEqual(out.result, { statusCode: 200, headers: { 'Access-Control-Allow-Origin': '*' }, body: '"Succès"' });
    assert.ok(out.identities.includes('contact@seed.example'));

    const mail = (await inbox(server, '?to=contact@seed.example')).find((m) => m.subject.startsWith('Vous avez'))!;
    assert.equal(mail.subject, 'Vous avez un message de john@example.com');
    assert.deepEqual(mail.replyTo, ['john@example.com']);
    assert.equal(mail.from, 'contact@seed.example');
    assert.equal(mail.operation, 'ses:SendEmail');
    const m = await message(server, mail.id);
    assert.equal(m.text, 'Nom : John\r\nEmail : john@example.com\r\nMessage bonjour\r\n', 'the three lines, CRLF as SMTP carries them');
  });

  it('inbox endpoint: filters, 404 for an unknown id, DELETE of one message', async () => {
    const all = await inbox(server);
    assert.ok(all.length >= 5);
    const last2 = await inbox(server, '?limit=2');
    assert.deepEqual(last2.map((m) => m.id), all.slice(-2).map((m) => m.id));
    assert.ok((await inbox(server, '?from=no-reply-aws')).every((m) => m.kind === 'verification'));
    assert.equal((await fetch(`${server.url}/_stratus/ses/messages/0100nope`)).status, 404);
    const del = await fetch(`${server.url}/_stratus/ses/messages/${all[0]!.id}`, { method: 'DELETE' });
    assert.deepEqual(((await del.json()) as { deleted: number }).deleted, 1);
    assert.equal((await inbox(server)).length, all.length - 1);
  });

  it('stratus mail list / show / clear: readable inbox from the terminal', async () => {
    const env = { PATH: process.env.PATH, HOME: tempDir(), AWS_ACCESS_KEY_ID: server.root.accessKeyId, AWS_SECRET_ACCESS_KEY: server.root.secretAccessKey, AWS_ENDPOINT_URL: server.url };
    const list = await run(process.execPath, [...CLI, 'mail', 'list'], { env, cwd: REPO });
    assert.match(list.stdout, /Vous avez un message de john@example.com/);
    assert.match(list.stdout, /contact@seed\.example → contact@seed\.example/);
    const messages = await inbox(server);
    const n = messages.findIndex((m) => m.subject.startsWith('Vous avez')) + 1;
    const show = await run(process.execPath, [...CLI, 'mail', 'show', String(n)], { env, cwd: REPO });
    assert.match(show.stdout, /Subject\s+Vous avez un message de john@example.com/);
    assert.match(show.stdout, /Reply-To\s+john@example.com/);
    assert.match(show.stdout, /Nom : John\nEmail : john@example.com\nMessage bonjour/);
    const raw = await run(process.execPath, [...CLI, 'mail', 'show', 'last', '--raw'], { env, cwd: REPO });
    assert.match(raw.stdout, /^Message-ID: </m);
    // Without keys the CLI reads the (loopback-open) inbox unsigned.
    const open = await run(process.execPath, [...CLI, 'mail', 'list', '--json'], { env: { PATH: process.env.PATH, HOME: tempDir(), AWS_ENDPOINT_URL: server.url }, cwd: REPO });
    assert.equal(JSON.parse(open.stdout).length, messages.length);
    const cleared = await run(process.execPath, [...CLI, 'mail', 'clear'], { env, cwd: REPO });
    assert.match(cleared.stdout, new RegExp(`deleted ${messages.length} messages`));
    assert.deepEqual(await inbox(server), []);
  });
});

describe('SES (auto-verify): domains, templates, raw mail, v2, IAM', () => {
  let server: TestServer;
  let ses: SESClient;
  let v2: SESv2Client;
  before(async () => {
    server = await startTestServer(['--ses-auto-verify']);
    ses = new SESClient(clientConfig(server));
    v2 = new SESv2Client(clientConfig(server));
    await ses.send(new VerifyDomainIdentityCommand({ Domain: 'corp.example' }));
    await ses.send(new VerifyEmailIdentityCommand({ EmailAddress: 'me@mail.example' }));
  });
  after(async () => server.close());

  it('--ses-auto-verify: identities are verified at once, without a mail; a domain covers its addresses and subdomains', async () => {
    const attrs = await ses.send(new GetIdentityVerificationAttributesCommand({ Identities: ['corp.example', 'me@mail.example'] }));
    assert.equal(attrs.VerificationAttributes!['corp.example']!.VerificationStatus, 'Success');
    assert.equal(attrs.VerificationAttributes!['me@mail.example']!.VerificationStatus, 'Success');
    assert.deepEqual(await inbox(server), []);
    await ses.send(new SendEmailCommand({ Source: 'anyone@corp.example', Destination: { ToAddresses: ['a@eu.corp.example', 'me+tag@mail.example'] }, Message: { Subject: { Data: 'domain' }, Body: { Text: { Data: 'x' } } } }));
    const err = await rejection(ses.send(new SendEmailCommand({ Source: 'ME@mail.example', Destination: { ToAddresses: ['me@mail.example'] }, Message: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } } })));
    assert.equal(err.message, 'Email address is not verified. The following identities failed the check in region US-EAST-1: ME@mail.example', 'email identities are case-sensitive');
  });

  it('templates: create, get, update, list, render, send; exact errors', async () => {
    await ses.send(new CreateTemplateCommand({ Template: { TemplateName: 'welcome', SubjectPart: 'Bienvenue {{name}}', TextPart: 'Bonjour {{name}}, {{#if vip}}VIP{{else}}membre{{/if}}.{{#each items}} [{{this}}]{{/each}}', HtmlPart: '<p>{{name}}</p>' } }));
    const dup = await rejection(ses.send(new CreateTemplateCommand({ Template: { TemplateName: 'welcome', SubjectPart: 'x' } })));
    assert.deepEqual(dup, { name: 'AlreadyExistsException', status: 400, message: `Template welcome already exists for account id ${ACCOUNT}` });
    const missing = await rejection(ses.send(new GetTemplateCommand({ TemplateName: 'nope' })));
    assert.deepEqual(missing, { name: 'TemplateDoesNotExistException', status: 400, message: 'Template nope does not exist.' });
    const got = await ses.send(new GetTemplateCommand({ TemplateName: 'welcome' }));
    assert.equal(got.Template!.SubjectPart, 'Bienvenue {{name}}');
    await ses.send(new UpdateTemplateCommand({ Template: { ...got.Template!, HtmlPart: '<p>{{name}} &amp; co</p>' } }));
    const listed = await ses.send(new ListTemplatesCommand({}));
    assert.deepEqual(listed.TemplatesMetadata!.map((t) => t.Name), ['welcome']);
    assert.ok(listed.TemplatesMetadata![0]!.CreatedTimestamp instanceof Date);

    const rendered = await ses.send(new TestRenderTemplateCommand({ TemplateName: 'welcome', TemplateData: JSON.stringify({ name: 'Zoé', vip: true, items: ['a', 'b'] }) }));
    assert.match(rendered.RenderedTemplate!, /Subject: =\?UTF-8\?B\?/);
    const noAttr = await rejection(ses.send(new TestRenderTemplateCommand({ TemplateName: 'welcome', TemplateData: '{"vip":true}' })));
    assert.deepEqual(noAttr, { name: 'MissingRenderingAttributeException', status: 400, message: "Attribute 'name' is not present in the rendering data." });

    const sent = await ses.send(new SendTemplatedEmailCommand({ Source: 'me@mail.example', Destination: { ToAddresses: ['x@corp.example'] }, Template: 'welcome', TemplateData: JSON.stringify({ name: 'Zoé <3', vip: false, items: ['a', 'b'] }) }));
    const m = await message(server, sent.MessageId!);
    assert.equal(m.subject, 'Bienvenue Zoé <3');
    assert.equal(m.text, 'Bonjour Zoé <3, membre. [a] [b]');
    assert.equal(m.html, '<p>Zoé &lt;3 &amp; co</p>');
    assert.equal(m.operation, 'ses:SendTemplatedEmail');
    const noTemplate = await rejection(ses.send(new SendTemplatedEmailCommand({ Source: 'me@mail.example', Destination: { ToAddresses: ['x@corp.example'] }, Template: 'nope', TemplateData: '{}' })));
    assert.equal(noTemplate.message, 'Template nope does not exist.');
    // A rendering failure is accepted and not delivered, as on AWS.
    const before = (await inbox(server)).length;
    const accepted = await ses.send(new SendTemplatedEmailCommand({ Source: 'me@mail.example', Destination: { ToAddresses: ['x@corp.example'] }, Template: 'welcome', TemplateData: '{}' }));
    assert.ok(accepted.MessageId);
    assert.equal((await inbox(server)).length, before);
    await ses.send(new DeleteTemplateCommand({ TemplateName: 'welcome' }));
    await ses.send(new DeleteTemplateCommand({ TemplateName: 'welcome' }));
    assert.deepEqual((await ses.send(new ListTemplatesCommand({}))).TemplatesMetadata, []);
  });

  it('SendRawEmail: headers decide the recipients; SES sets Message-ID, adds Date, drops Bcc; attachments are listed', async () => {
    const raw = [
      'From: "Corp, Inc." <news@corp.example>',
      'To: a@corp.example',
      'Bcc: hidden@corp.example',
      'Message-ID: <mine@client>',
      'Subject: =?UTF-8?Q?R=C3=A9sum=C3=A9?=',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=UTF-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      'Voir la pièce jointe.',
      '.a line starting with a dot',
      '--b1',
      'Content-Type: application/pdf; name="cv.pdf"',
      'Content-Disposition: attachment; filename="cv.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('%PDF-1.4 fake').toString('base64'),
      '--b1--',
      '',
    ].join('\n');
    const sent = await ses.send(new SendRawEmailCommand({ RawMessage: { Data: Buffer.from(raw, 'utf8') } }));
    const m = await message(server, sent.MessageId!);
    assert.equal(m.subject, 'Résumé');
    assert.equal(m.from, 'Corp, Inc. <news@corp.example>');
    assert.deepEqual(m.envelope, { from: 'news@corp.example', recipients: ['a@corp.example', 'hidden@corp.example'] });
    assert.deepEqual(m.bcc, ['hidden@corp.example']);
    assert.equal(m.text, 'Voir la pièce jointe.\r\n.a line starting with a dot');
    assert.deepEqual(m.attachments, [{ filename: 'cv.pdf', contentType: 'application/pdf', size: 13 }]);
    assert.match(m.raw, new RegExp(`^Message-ID: <${sent.MessageId}@email.amazonses.com>\\r$`, 'm'));
    assert.ok(!m.raw.includes('<mine@client>'));
    assert.ok(!/^Bcc:/im.test(m.raw));
    assert.match(m.raw, /^Date: /m);
    // Destinations override the headers for the envelope.
    const routed = await ses.send(new SendRawEmailCommand({ Destinations: ['b@corp.example'], RawMessage: { Data: Buffer.from('From: news@corp.example\r\nTo: a@corp.example\r\nSubject: x\r\n\r\nbody\r\n') } }));
    assert.deepEqual((await message(server, routed.MessageId!)).envelope.recipients, ['b@corp.example']);
    const spoofed = await rejection(ses.send(new SendRawEmailCommand({ Source: 'me@mail.example', RawMessage: { Data: Buffer.from('From: boss@unverified.example\r\nTo: a@corp.example\r\n\r\nx') } })));
    assert.equal(spoofed.message, 'Email address is not verified. The following identities failed the check in region US-EAST-1: boss@unverified.example', 'the From header is checked besides Source');
    const noFrom = await rejection(ses.send(new SendRawEmailCommand({ RawMessage: { Data: Buffer.from('To: a@corp.example\r\n\r\nx') } })));
    assert.deepEqual(noFrom, { name: 'InvalidParameterValue', status: 400, message: "Missing required header 'From'." });
  });

  it('SendEmail input checks: addresses, 50 recipients, tags, configuration sets', async () => {
    const base = { Source: 'me@mail.example', Message: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } } };
    assert.deepEqual(await rejection(ses.send(new SendEmailCommand({ ...base, Destination: { ToAddresses: ['not-an-address'] } }))), { name: 'InvalidParameterValue', status: 400, message: "Missing final '@domain'" });
    const many = Array.from({ length: 51 }, (_, i) => `r${i}@corp.example`);
    assert.equal((await rejection(ses.send(new SendEmailCommand({ ...base, Destination: { ToAddresses: many } })))).message, 'Recipient count exceeds 50.');
    assert.equal((await rejection(ses.send(new SendEmailCommand({ ...base, Destination: { ToAddresses: ['a@corp.example'] }, Tags: [{ Name: 'bad:name', Value: 'v' }] })))).message, "Invalid tag name <bad:name>: only alphanumeric ASCII characters, '_',  '-' are allowed.");
    assert.deepEqual(await rejection(ses.send(new SendEmailCommand({ ...base, Destination: { ToAddresses: ['a@corp.example'] }, ConfigurationSetName: 'cs' }))), { name: 'ConfigurationSetDoesNotExistException', status: 400, message: 'Configuration set <cs> does not exist.' });
  });

  it('SES v2: CreateEmailIdentity, GetEmailIdentity, ListEmailIdentities, DeleteEmailIdentity', async () => {
    const created = await v2.send(new CreateEmailIdentityCommand({ EmailIdentity: 'v2@mail.example' }));
    assert.equal(created.IdentityType, 'EMAIL_ADDRESS');
    assert.equal(created.VerifiedForSendingStatus, true);
    const domain = await v2.send(new CreateEmailIdentityCommand({ EmailIdentity: 'v2.example' }));
    assert.equal(domain.IdentityType, 'DOMAIN');
    assert.equal(domain.DkimAttributes!.Tokens!.length, 3);
    const dup = await rejection(v2.send(new CreateEmailIdentityCommand({ EmailIdentity: 'v2@mail.example' })));
    assert.equal(dup.name, 'AlreadyExistsException');
    const got = await v2.send(new GetEmailIdentityCommand({ EmailIdentity: 'v2@mail.example' }));
    assert.equal(got.VerificationStatus, 'SUCCESS');
    assert.equal(got.VerifiedForSendingStatus, true);
    // SDK v3 releases after the pinned model send ListEmailIdentities as POST /v2/email/list-identities; boto3 and the
    // model Stratus serves use GET /v2/email/identities, signed here as botocore signs it.
    const r = await signedCall({ endpoint: server.url, region: 'us-east-1', ...server.root }, { service: 'ses', method: 'GET', path: '/v2/email/identities', query: { PageSize: '2' } });
    assert.equal(r.status, 200, r.body.toString());
    const listed = JSON.parse(r.body.toString()) as { EmailIdentities: { IdentityName: string; IdentityType: string; VerificationStatus: string }[]; NextToken?: string };
    assert.equal(listed.EmailIdentities.length, 2);
    assert.ok(listed.NextToken);
    const rest = JSON.parse((await signedCall({ endpoint: server.url, region: 'us-east-1', ...server.root }, { service: 'ses', method: 'GET', path: '/v2/email/identities', query: { NextToken: listed.NextToken! } })).body.toString()) as typeof listed;
    assert.ok([...listed.EmailIdentities, ...rest.EmailIdentities].some((i) => i.IdentityName === 'corp.example' && i.IdentityType === 'DOMAIN' && i.VerificationStatus === 'SUCCESS'));
    // v1 and v2 see the same identities.
    assert.ok((await ses.send(new ListIdentitiesCommand({}))).Identities!.includes('v2@mail.example'));
    await v2.send(new DeleteEmailIdentityCommand({ EmailIdentity: 'v2.example' }));
    const gone = await rejection(v2.send(new GetEmailIdentityCommand({ EmailIdentity: 'v2.example' })));
    assert.deepEqual(gone, { name: 'NotFoundException', status: 404, message: 'Email identity <v2.example> does not exist.' });
    assert.equal((await rejection(v2.send(new DeleteEmailIdentityCommand({ EmailIdentity: 'v2.example' })))).name, 'NotFoundException');
  });

  it('SES v2 SendEmail: Simple, Raw and Template content; sandbox rejection; GetAccount', async () => {
    const simple = await v2.send(new SendEmailV2Command({ FromEmailAddress: 'me@mail.example', Destination: { ToAddresses: ['a@corp.example'] }, ReplyToAddresses: ['r@corp.example'], Content: { Simple: { Subject: { Data: 'v2 simple' }, Body: { Text: { Data: 'hello' } }, Headers: [{ Name: 'X-Campaign', Value: 'spring' }] } } }));
    const s = await message(server, simple.MessageId!);
    assert.equal(s.subject, 'v2 simple');
    assert.equal(s.operation, 'sesv2:SendEmail');
    assert.match(s.raw, /^X-Campaign: spring\r$/m);
    const raw = await v2.send(new SendEmailV2Command({ Content: { Raw: { Data: Buffer.from('From: me@mail.example\r\nTo: b@corp.example\r\nSubject: v2 raw\r\n\r\nraw body\r\n') } } }));
    assert.equal((await message(server, raw.MessageId!)).text, 'raw body\r\n');
    await v2.send(new CreateEmailTemplateCommand({ TemplateName: 'v2t', TemplateContent: { Subject: 'Hi {{who}}', Text: 'Text for {{who}}' } }));
    const templated = await v2.send(new SendEmailV2Command({ FromEmailAddress: 'me@mail.example', Destination: { ToAddresses: ['c@corp.example'] }, Content: { Template: { TemplateName: 'v2t', TemplateData: '{"who":"v2"}' } } }));
    assert.equal((await message(server, templated.MessageId!)).subject, 'Hi v2');
    const rejected = await rejection(v2.send(new SendEmailV2Command({ FromEmailAddress: 'me@mail.example', Destination: { ToAddresses: ['x@unverified.example'] }, Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } } } })));
    assert.deepEqual(rejected, { name: 'MessageRejected', status: 400, message: 'Email address is not verified. The following identities failed the check in region US-EAST-1: x@unverified.example' });
    const account = await v2.send(new GetAccountCommand({}));
    assert.equal(account.ProductionAccessEnabled, false);
    assert.equal(account.SendQuota!.Max24HourSend, 200);
    assert.ok(account.SendQuota!.SentLast24Hours! >= 3);
  });

  it('IAM: SendEmail is authorized on the sender\'s identity ARN, with ses:FromAddress', async () => {
    const iam = new IAMClient(clientConfig(server));
    await iam.send(new CreateUserCommand({ UserName: 'mailer' }));
    const policy = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['ses:SendEmail'], Resource: `arn:aws:ses:us-east-1:${ACCOUNT}:identity/corp.example`, Condition: { StringLike: { 'ses:FromAddress': 'news@corp.example' } } },
        { Effect: 'Allow', Action: ['ses:SendEmail'], Resource: `arn:aws:ses:us-east-1:${ACCOUNT}:identity/me@mail.example` },
      ],
    };
    await iam.send(new PutUserPolicyCommand({ UserName: 'mailer', PolicyName: 'send', PolicyDocument: JSON.stringify(policy) }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'mailer' }))).AccessKey!;
    const mailer = new SESClient(clientConfig(server, { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! }));
    const send = (from: string) => mailer.send(new SendEmailCommand({ Source: from, Destination: { ToAddresses: ['a@corp.example'] }, Message: { Subject: { Data: 'iam' }, Body: { Text: { Data: 'x' } } } }));
    await send('me@mail.example');
    await send('news@corp.example');
    const denied = await rejection(send('other@corp.example'));
    assert.deepEqual(denied, {
      name: 'AccessDenied',
      status: 403,
      message: `User: arn:aws:iam::${ACCOUNT}:user/mailer is not authorized to perform: ses:SendEmail on resource: arn:aws:ses:us-east-1:${ACCOUNT}:identity/corp.example because no identity-based policy allows the ses:SendEmail action`,
    });
    const v2denied = await rejection(new SESv2Client(clientConfig(server, { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! })).send(new GetAccountCommand({})));
    assert.equal(v2denied.name, 'AccessDeniedException');
    assert.equal(v2denied.status, 403);
  });
});

describe('SES production mode, inbox access from another machine', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer(['--ses-mode', 'production', '--ses-auto-verify', '--host', '0.0.0.0']);
  });
  after(async () => server.close());

  it('only the sender must be verified; quotas are production\'s', async () => {
    const ses = new SESClient(clientConfig(server));
    await ses.send(new VerifyEmailIdentityCommand({ EmailAddress: 'prod@example.com' }));
    await ses.send(new SendEmailCommand({ Source: 'prod@example.com', Destination: { ToAddresses: ['anyone@anywhere.example'] }, Message: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } } }));
    const err = await rejection(ses.send(new SendEmailCommand({ Source: 'nobody@example.com', Destination: { ToAddresses: ['anyone@anywhere.example'] }, Message: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } } })));
    assert.equal(err.message, 'Email address is not verified. The following identities failed the check in region US-EAST-1: nobody@example.com');
    const q = await ses.send(new GetSendQuotaCommand({}));
    assert.deepEqual([q.Max24HourSend, q.MaxSendRate, q.SentLast24Hours], [50000, 14, 1]);
  });

  it('inbox: open on loopback; from another address only root-signed requests are served', async (t) => {
    const external = Object.values(networkInterfaces()).flat().find((i) => i && !i.internal && i.family === 'IPv4');
    if (!external) return t.skip('no non-loopback IPv4 interface');
    const url = `http://${external.address}:${server.port}`;
    assert.equal((await fetch(`${server.url}/_stratus/ses/messages`)).status, 200);
    const anonymous = await fetch(`${url}/_stratus/ses/messages`);
    assert.equal(anonymous.status, 403);
    assert.equal(((await anonymous.json()) as { code: string }).code, 'MissingAuthenticationToken');
    const signed = await signedCall({ endpoint: url, region: 'us-east-1', ...server.root }, { service: 'ses', method: 'GET', path: '/_stratus/ses/messages' });
    assert.equal(signed.status, 200);
    assert.equal((JSON.parse(signed.body.toString()) as { messages: unknown[] }).messages.length, 1);
  });
});
