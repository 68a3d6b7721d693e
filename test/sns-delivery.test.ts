/**
 * SNS delivery end to end on a real server, with real subscribers: a Node
 * Lambda function, an HTTP endpoint served by this test (node:http) and an
 * email address read back from the SES inbox. Stratus is published behind a
 * TLS terminator (its --public-url is https://localhost:<port>), so that the
 * SigningCertURL is an https URL that the npm `sns-validator` fetches and
 * checks, as a subscriber on AWS would; the test trusts that terminator's
 * self-signed certificate and nothing else. Signatures are also checked by a
 * verifier written here from AWS's "Verifying the signatures of Amazon SNS
 * messages". --time-scale 40 turns the default 20 s retry delay into 0.5 s.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, verify, X509Certificate } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import https from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import MessageValidator from 'sns-validator';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AddPermissionCommand, CreateFunctionCommand, LambdaClient, waitUntilFunctionActiveV2 } from '@aws-sdk/client-lambda';
import { CreateTopicCommand, ListSubscriptionsByTopicCommand, PublishCommand, SetTopicAttributesCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { selfSignedCertificate, toPem } from '../src/services/sns/certificate.js';
import { trustPolicy } from './clients/lambda.js';
import { makeZip } from './clients/zip.js';
import { ACCOUNT, clientConfig, freePort, startTestServer, type TestServer } from './harness.js';

const SCALE = 40;
const NODE_HANDLER = `exports.handler = async (event) => { console.log('EVENT ' + JSON.stringify(event)); };`;

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** The verifier, from AWS's documented steps: the string to sign, the certificate's key, SHA1 or SHA256 with RSA. */
async function verifiedBySteps(m: Record<string, any>, certUrlKey: 'SigningCertURL' | 'SigningCertUrl' = 'SigningCertURL'): Promise<boolean> {
  const keys = m.Type === 'Notification' ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  let text = '';
  for (const k of keys) if (m[k] !== undefined && m[k] !== null) text += `${k}\n${m[k]}\n`;
  const url = new URL(m[certUrlKey]);
  assert.equal(url.protocol, 'https:');
  assert.match(url.pathname, /^\/_stratus\/sns\/SimpleNotificationService-[0-9a-f]{32}\.pem$/);
  const cert = new X509Certificate(await httpsGet(m[certUrlKey]).then((r) => r.body));
  assert.ok(cert.checkIssued(cert) && cert.verify(cert.publicKey), 'the signing certificate is self-signed');
  assert.ok(Date.parse(cert.validFrom) <= Date.now() && Date.now() < Date.parse(cert.validTo));
  assert.equal(cert.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
  const algorithm = m.SignatureVersion === '1' ? 'sha1' : m.SignatureVersion === '2' ? 'sha256' : undefined;
  assert.ok(algorithm, `unknown SignatureVersion ${m.SignatureVersion}`);
  return verify(algorithm, Buffer.from(text, 'utf8'), cert.publicKey, Buffer.from(m.Signature, 'base64'));
}

const validator = new MessageValidator(/^localhost:\d+$/);
const validate = promisify(validator.validate.bind(validator)) as (m: unknown) => Promise<unknown>;

let trusted = '';
function httpsGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca: trusted }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('SNS delivery', () => {
  let server: TestServer;
  let tls: TlsServer;
  let endpoint: Server;
  let endpointUrl: string;
  let sns: SNSClient;
  let lambda: LambdaClient;
  let logs: CloudWatchLogsClient;
  const received: Received[] = [];
  /** Path → statuses to answer in turn (200 once they run out). */
  const answers = new Map<string, number[]>();
  const savedCa = https.globalAgent.options.ca;

  const at = (path: string) => received.filter((r) => r.path === path);
  const nth = (path: string, n: number, type?: string) => until(`message ${n} at ${path}`, () => at(path).filter((r) => !type || r.headers['x-amz-sns-message-type'] === type)[n - 1]);

  /** Subscribes an HTTP path and confirms it through the SubscribeURL, as an endpoint would. */
  async function subscribeHttp(topicArn: string, path: string, attributes?: Record<string, string>): Promise<string> {
    const sub = await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'http', Endpoint: endpointUrl + path, Attributes: attributes, ReturnSubscriptionArn: true }));
    const confirmation = JSON.parse((await nth(path, 1, 'SubscriptionConfirmation')).body);
    assert.equal((await httpsGet(confirmation.SubscribeURL)).status, 200);
    return sub.SubscriptionArn!;
  }

  async function inbox(to: string): Promise<any[]> {
    const r = await fetch(`${server.url}/_stratus/ses/messages?to=${encodeURIComponent(to)}`);
    return ((await r.json()) as { messages: any[] }).messages;
  }

  async function lambdaRecords(fn: string): Promise<any[] | undefined> {
    try {
      const page = await logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${fn}`, filterPattern: 'EVENT' }));
      const events = (page.events ?? []).map((e) => JSON.parse(e.message!.slice(e.message!.indexOf('EVENT ') + 6)));
      return events.length > 0 ? events : undefined;
    } catch (err) {
      if ((err as Error).name === 'ResourceNotFoundException') return undefined;
      throw err;
    }
  }

  before(async () => {
    // A certificate for the TLS terminator in front of Stratus, which only this process trusts.
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    trusted = toPem(selfSignedCertificate({ privateKey, commonName: 'localhost', dnsNames: ['localhost'], ca: true }));
    https.globalAgent.options.ca = trusted;
    const tlsPort = await freePort();
    server = await startTestServer(['--time-scale', String(SCALE), '--public-url', `https://localhost:${tlsPort}`]);
    tls = createTlsServer({ key: privateKey.export({ type: 'pkcs8', format: 'pem' }), cert: trusted }, (socket) => {
      const upstream = connect(server.port, '127.0.0.1');
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    });
    await new Promise<void>((resolve) => tls.listen(tlsPort, '127.0.0.1', resolve));

    endpoint = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        received.push({ path: req.url!, headers: req.headers, body, at: Date.now() });
        res.statusCode = answers.get(req.url!)?.shift() ?? 200;
        res.end();
      });
    });
    await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
    endpointUrl = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}`;

    sns = new SNSClient(clientConfig(server));
    lambda = new LambdaClient(clientConfig(server));
    logs = new CloudWatchLogsClient(clientConfig(server));
    const iam = new IAMClient(clientConfig(server));
    await iam.send(new CreateRoleCommand({ RoleName: 'sns-events-role', AssumeRolePolicyDocument: trustPolicy('lambda.amazonaws.com') }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'sns-events-role', PolicyArn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole' }));
    await lambda.send(
      new CreateFunctionCommand({ FunctionName: 'on-order', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: `arn:aws:iam::${ACCOUNT}:role/sns-events-role`, Code: { ZipFile: makeZip({ 'index.js': NODE_HANDLER }) }, Timeout: 10 }),
    );
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 20, minDelay: 1, maxDelay: 1 }, { FunctionName: 'on-order' });
  });

  after(async () => {
    https.globalAgent.options.ca = savedCa;
    endpoint?.closeAllConnections();
    await new Promise((r) => endpoint?.close(r));
    await new Promise((r) => tls?.close(r));
    await server?.close();
  });

  it('one Publish reaches a Lambda function, an HTTP endpoint and an email address, signed as AWS signs', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'orders', Attributes: { DisplayName: 'Orders Desk' } }));
    const topicArn = TopicArn!;
    const fnArn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:on-order`;
    await lambda.send(new AddPermissionCommand({ FunctionName: 'on-order', StatementId: 'sns', Action: 'lambda:InvokeFunction', Principal: 'sns.amazonaws.com', SourceArn: topicArn }));
    const lambdaSub = (await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'lambda', Endpoint: fnArn }))).SubscriptionArn!;

    // HTTP: the SubscriptionConfirmation, checked and then confirmed by an unsigned GET of its SubscribeURL.
    const httpSub = (await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'http', Endpoint: `${endpointUrl}/orders`, ReturnSubscriptionArn: true }))).SubscriptionArn!;
    const confirmation = await nth('/orders', 1);
    assert.equal(confirmation.headers['x-amz-sns-message-type'], 'SubscriptionConfirmation');
    assert.equal(confirmation.headers['x-amz-sns-topic-arn'], topicArn);
    assert.equal(confirmation.headers['x-amz-sns-subscription-arn'], undefined);
    assert.equal(confirmation.headers['content-type'], 'text/plain; charset=UTF-8');
    assert.equal(confirmation.headers['user-agent'], 'Amazon Simple Notification Service Agent');
    const conf = JSON.parse(confirmation.body);
    assert.deepEqual(Object.keys(conf), ['Type', 'MessageId', 'Token', 'TopicArn', 'Message', 'SubscribeURL', 'Timestamp', 'SignatureVersion', 'Signature', 'SigningCertURL']);
    assert.ok(confirmation.body.startsWith('{\n  "Type" : "SubscriptionConfirmation",\n  "MessageId" : '), confirmation.body);
    assert.equal(confirmation.headers['x-amz-sns-message-id'], conf.MessageId);
    assert.equal(conf.Message, `You have chosen to subscribe to the topic ${topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`);
    assert.equal(conf.SubscribeURL, `https://localhost:${new URL(conf.SubscribeURL).port}/?Action=ConfirmSubscription&TopicArn=${topicArn}&Token=${conf.Token}`);
    assert.equal(conf.SignatureVersion, '1');
    assert.ok(await verifiedBySteps(conf));
    assert.equal(await verifiedBySteps({ ...conf, Token: conf.Token.replace(/^./, (c: string) => (c === 'a' ? 'b' : 'a')) }), false, 'a changed token must not verify');
    await validate(confirmation.body);
    const confirmed = await httpsGet(conf.SubscribeURL);
    assert.equal(confirmed.status, 200);
    assert.match(confirmed.body, new RegExp(`<SubscriptionArn>${httpSub}</SubscriptionArn>`));

    // Email: the confirmation mail in the SES inbox; opening its link confirms.
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'email', Endpoint: 'ops@example.com' }));
    const [confirmMail] = await until('the confirmation mail', async () => ((await inbox('ops@example.com')).length > 0 ? inbox('ops@example.com') : undefined));
    assert.equal(confirmMail.subject, 'AWS Notification - Subscription Confirmation');
    assert.equal(confirmMail.from, 'Orders Desk <no-reply@sns.amazonaws.com>');
    assert.equal(confirmMail.source, 'no-reply@sns.amazonaws.com');
    const confirmDetail = (await (await fetch(`${server.url}/_stratus/ses/messages/${confirmMail.id}`)).json()) as { text: string; html: string };
    confirmDetail.text = confirmDetail.text.replace(/\r\n/g, '\n');
    assert.match(confirmDetail.text, new RegExp(`^You have chosen to subscribe to the topic: \\n${topicArn}\\n\\nTo confirm this subscription, click or visit the link below \\(If this was in error no action is necessary\\): \\n`));
    const link = /(https:\/\/localhost:\d+\/\?Action=ConfirmSubscription\S+)/.exec(confirmDetail.text)![1]!;
    assert.ok(confirmDetail.html.includes('>Confirm subscription</a>'));
    assert.equal((await httpsGet(link)).status, 200);
    const subs = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }))).Subscriptions!;
    assert.equal(subs.filter((s) => s.SubscriptionArn !== 'PendingConfirmation').length, 3, JSON.stringify(subs));

    const published = await sns.send(
      new PublishCommand({ TopicArn: topicArn, Subject: 'New order', Message: 'Order 42: two "widgets"\nand a gadget', MessageAttributes: { store: { DataType: 'String', StringValue: 'north' }, qty: { DataType: 'Number', StringValue: '2' } } }),
    );

    // Lambda: the exact Records[0] shape, signed like the HTTP message.
    const [event] = await until('the Lambda event', () => lambdaRecords('on-order'));
    assert.deepEqual(Object.keys(event), ['Records']);
    const record = event.Records[0];
    assert.deepEqual(Object.keys(record), ['EventSource', 'EventVersion', 'EventSubscriptionArn', 'Sns']);
    assert.equal(record.EventSource, 'aws:sns');
    assert.equal(record.EventVersion, '1.0');
    assert.equal(record.EventSubscriptionArn, lambdaSub);
    const s = record.Sns;
    assert.deepEqual(Object.keys(s), ['Type', 'MessageId', 'TopicArn', 'Subject', 'Message', 'Timestamp', 'SignatureVersion', 'Signature', 'SigningCertUrl', 'UnsubscribeUrl', 'MessageAttributes']);
    assert.equal(s.Type, 'Notification');
    assert.equal(s.MessageId, published.MessageId);
    assert.equal(s.TopicArn, topicArn);
    assert.equal(s.Subject, 'New order');
    assert.equal(s.Message, 'Order 42: two "widgets"\nand a gadget');
    assert.match(s.Timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(s.SignatureVersion, '1');
    assert.equal(s.UnsubscribeUrl, `${new URL(s.SigningCertUrl).origin}/?Action=Unsubscribe&SubscriptionArn=${lambdaSub}`);
    assert.deepEqual(s.MessageAttributes, { store: { Type: 'String', Value: 'north' }, qty: { Type: 'Number', Value: '2' } });
    assert.ok(await verifiedBySteps(s, 'SigningCertUrl'));
    await validate({ ...s });

    // HTTP: the Notification, its headers and AWS's layout, verified both ways.
    const note = await nth('/orders', 1, 'Notification');
    assert.equal(note.headers['x-amz-sns-message-id'], published.MessageId);
    assert.equal(note.headers['x-amz-sns-subscription-arn'], httpSub);
    assert.equal(note.headers['x-amz-sns-rawdelivery'], undefined);
    const n = JSON.parse(note.body);
    assert.deepEqual(Object.keys(n), ['Type', 'MessageId', 'TopicArn', 'Subject', 'Message', 'Timestamp', 'SignatureVersion', 'Signature', 'SigningCertURL', 'UnsubscribeURL', 'MessageAttributes']);
    assert.equal(n.Signature, s.Signature, 'one message, one signature, whatever the protocol');
    assert.ok(note.body.endsWith(`  "MessageAttributes" : {\n    "store" : {"Type":"String","Value":"north"},\n    "qty" : {"Type":"Number","Value":"2"}\n  }\n}`), note.body);
    assert.ok(await verifiedBySteps(n));
    assert.equal(await verifiedBySteps({ ...n, Message: n.Message + '!' }), false, 'a changed message must not verify');
    await validate(note.body);
    await assert.rejects(validate({ ...n, Subject: 'Forged' }), /signature is invalid/);

    // Email: the notification mail with AWS's footer and an unsubscribe link.
    const mails = await until('the notification mail', async () => ((await inbox('ops@example.com')).length > 1 ? inbox('ops@example.com') : undefined));
    const mail = mails.find((m) => m.subject === 'New order');
    assert.ok(mail, JSON.stringify(mails));
    assert.equal(mail.from, 'Orders Desk <no-reply@sns.amazonaws.com>');
    const text = ((await (await fetch(`${server.url}/_stratus/ses/messages/${mail.id}`)).json()) as { text: string }).text.replace(/\r\n/g, '\n');
    assert.match(text, /^Order 42: two "widgets"\nand a gadget\n\n--\nIf you wish to stop receiving notifications from this topic, please click or visit the link below to unsubscribe:\nhttps:\/\/localhost:\d+\/\?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-east-1:\d{12}:orders:[0-9a-f-]{36}\n\nPlease do not reply directly to this email\./);
  });

  it('SignatureVersion 2 signs with SHA256withRSA', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'sha256' }));
    await sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: 'SignatureVersion', AttributeValue: '2' }));
    await subscribeHttp(TopicArn!, '/sha256');
    await sns.send(new PublishCommand({ TopicArn, Message: 'hashed with SHA-256' }));
    const n = JSON.parse((await nth('/sha256', 1, 'Notification')).body);
    assert.equal(n.SignatureVersion, '2');
    assert.equal(n.Subject, undefined);
    assert.ok(await verifiedBySteps(n));
    assert.equal(await verifiedBySteps({ ...n, SignatureVersion: '1' }), false, 'a SHA256 signature is not a SHA1 one');
    await validate(n);
  });

  it('a filter policy keeps what it does not match from the endpoint', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'filtered' }));
    await subscribeHttp(TopicArn!, '/big-only', { FilterPolicy: JSON.stringify({ size: ['big'] }) });
    await sns.send(new PublishCommand({ TopicArn, Message: 'small one', MessageAttributes: { size: { DataType: 'String', StringValue: 'small' } } }));
    await sns.send(new PublishCommand({ TopicArn, Message: 'no attributes' }));
    await sns.send(new PublishCommand({ TopicArn, Message: 'big one', MessageAttributes: { size: { DataType: 'String', StringValue: 'big' } } }));
    await nth('/big-only', 1, 'Notification');
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(
      at('/big-only').filter((r) => r.headers['x-amz-sns-message-type'] === 'Notification').map((r) => JSON.parse(r.body).Message),
      ['big one'],
    );
  });

  it('an endpoint answering 500 twice gets the message on the third attempt, after the scaled delays', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'flaky' }));
    await subscribeHttp(TopicArn!, '/flaky');
    answers.set('/flaky', [500, 500]);
    const { MessageId } = await sns.send(new PublishCommand({ TopicArn, Message: 'try, try again' }));
    const third = await nth('/flaky', 3, 'Notification');
    const attempts = at('/flaky').filter((r) => r.headers['x-amz-sns-message-type'] === 'Notification');
    assert.deepEqual(attempts.map((a) => a.headers['x-amz-sns-message-id']), [MessageId, MessageId, MessageId]);
    assert.equal(third.body, attempts[0]!.body, 'a retry sends the same message');
    // The default policy waits 20 s between attempts: 0.5 s at --time-scale 40.
    for (const [i, gap] of [attempts[1]!.at - attempts[0]!.at, attempts[2]!.at - attempts[1]!.at].entries()) {
      assert.ok(gap >= (20_000 / SCALE) * 0.9 && gap < 5000, `gap ${i + 1} was ${gap} ms`);
    }
    await new Promise((r) => setTimeout(r, 20_000 / SCALE + 200));
    assert.equal(at('/flaky').filter((r) => r.headers['x-amz-sns-message-type'] === 'Notification').length, 3, 'a delivered message is not sent again');
  });

  it('RawMessageDelivery posts the message alone, marked x-amz-sns-rawdelivery', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'raw' }));
    await subscribeHttp(TopicArn!, '/raw', { RawMessageDelivery: 'true' });
    const { MessageId } = await sns.send(new PublishCommand({ TopicArn, Subject: 'ignored', Message: '{"order":42}', MessageAttributes: { a: { DataType: 'String', StringValue: 'b' } } }));
    const raw = await nth('/raw', 1, 'Notification');
    assert.equal(raw.body, '{"order":42}');
    assert.equal(raw.headers['x-amz-sns-rawdelivery'], 'true');
    assert.equal(raw.headers['x-amz-sns-message-id'], MessageId);
    assert.equal(raw.headers['content-type'], 'text/plain; charset=UTF-8');
  });

  it('the UnsubscribeURL unsubscribes without a signature, and the endpoint is told', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'leaving' }));
    const arn = await subscribeHttp(TopicArn!, '/leaving');
    await sns.send(new PublishCommand({ TopicArn, Message: 'last one' }));
    const n = JSON.parse((await nth('/leaving', 1, 'Notification')).body);
    const r = await httpsGet(n.UnsubscribeURL);
    assert.equal(r.status, 200, r.body);
    assert.match(r.body, /<UnsubscribeResponse/);
    const bye = await nth('/leaving', 1, 'UnsubscribeConfirmation');
    assert.equal(bye.headers['x-amz-sns-subscription-arn'], arn);
    const u = JSON.parse(bye.body);
    assert.deepEqual(Object.keys(u), ['Type', 'MessageId', 'Token', 'TopicArn', 'Message', 'SubscribeURL', 'Timestamp', 'SignatureVersion', 'Signature', 'SigningCertURL']);
    assert.equal(u.Message, `You have chosen to deactivate subscription ${arn}.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.`);
    assert.ok(await verifiedBySteps(u));
    const subs = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions ?? [];
    assert.deepEqual(subs, []);
    await sns.send(new PublishCommand({ TopicArn, Message: 'after leaving' }));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(at('/leaving').filter((x) => x.headers['x-amz-sns-message-type'] === 'Notification').length, 1);
  });

  it('unsigned calls reach only ConfirmSubscription and Unsubscribe, and a wrong token is refused', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'guarded' }));
    for (const query of ['Action=ListTopics', `Action=Publish&TopicArn=${TopicArn}&Message=hi`, `Action=Subscribe&TopicArn=${TopicArn}&Protocol=email&Endpoint=x@example.com`]) {
      const r = await fetch(`${server.url}/?${query}`);
      assert.equal(r.status, 403, query);
      assert.match(await r.text(), /<Code>MissingAuthenticationToken<\/Code>/);
    }
    const bad = await fetch(`${server.url}/?Action=ConfirmSubscription&TopicArn=${TopicArn}&Token=${'0'.repeat(32)}`);
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /<Code>InvalidParameter<\/Code>/);
    // The same as an unsigned form POST: detected as SNS by its Action, answered by the handler.
    const posted = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ Action: 'ConfirmSubscription', TopicArn: TopicArn!, Token: 'f'.repeat(32) }) });
    assert.equal(posted.status, 400);
    assert.match(await posted.text(), /<Code>InvalidParameter<\/Code><Message>Invalid parameter: Token<\/Message>/);
    const cert = await fetch(`${server.url}/_stratus/sns/SimpleNotificationService-${'0'.repeat(32)}.pem`);
    assert.equal(cert.status, 404);
  });
});
