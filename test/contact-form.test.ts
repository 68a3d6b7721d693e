/**
 * The seed tutorial's contact form, deployed by examples/contact-form/deploy.mjs
 * exactly as a reader would, then driven the tutorial's two ways: its own curl
 * command and a real Chromium on the page hosted by the website bucket. The
 * negative paths are the failures the tutorial's set-up guards against: a role
 * without SES, an unverified sender (SES sandbox) and a function that API
 * Gateway may not invoke.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 * https://docs.aws.amazon.com/ses/latest/dg/request-production-access.html
 * https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { ApiGatewayV2Client, CreateApiCommand } from '@aws-sdk/client-apigatewayv2';
import { CloudWatchLogsClient, FilterLogEventsCommand, type FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { AttachRolePolicyCommand, CreateRoleCommand, DetachRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { AddPermissionCommand, CreateFunctionCommand, LambdaClient, RemovePermissionCommand, waitUntilFunctionActiveV2 } from '@aws-sdk/client-lambda';
import { chromium, type Browser } from 'playwright-core';
import { ACCOUNT, clientConfig, REPO, ROOT_KEY, startTestServer, type TestServer } from './harness.js';

const run = promisify(execFile);
const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = '/tmp/contact-form.png';
const EXAMPLE = join(REPO, 'examples/contact-form');
const HANDLER = readFileSync(join(EXAMPLE, 'lambda_function.py'), 'utf8');
const SEND_TO = 'contact@example.com';
const TRUST = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };

interface Deployed {
  apiId: string;
  apiUrl: string;
  pageUrl: string;
  pagePathUrl: string;
}
interface Summary {
  id: string;
  from: string;
  to: string[];
  replyTo: string[];
  subject: string;
  kind?: string;
}

/** The seed's curl command, run by the real curl. */
async function seedCurl(url: string, name = 'John', email = 'john@example.com', message = 'bonjour'): Promise<{ status: number; headers: string; body: string }> {
  const { stdout } = await run('curl', ['-sS', '-i', url, '--data-urlencode', `name=${name}`, '--data-urlencode', `email=${email}`, '--data-urlencode', `message=${message}`]);
  const split = stdout.indexOf('\r\n\r\n');
  const headers = stdout.slice(0, split);
  return { status: Number(/^HTTP\/[\d.]+ (\d{3})/.exec(headers)?.[1]), headers, body: stdout.slice(split + 4) };
}

describe('the seed contact form on Stratus', () => {
  let server: TestServer;
  let out: Deployed;
  let lambda: LambdaClient;
  let logs: CloudWatchLogsClient;
  let zipFiles: (files: Record<string, string | Buffer>) => Buffer;

  const allMail = async (): Promise<Summary[]> => {
    const r = await fetch(`${server.url}/_stratus/ses/messages`);
    assert.equal(r.status, 200);
    return ((await r.json()) as { messages: Summary[] }).messages;
  };
  const inbox = async (): Promise<Summary[]> => (await allMail()).filter((m) => m.kind !== 'verification');
  const message = async (id: string): Promise<Record<string, any>> => {
    const r = await fetch(`${server.url}/_stratus/ses/messages/${id}`);
    assert.equal(r.status, 200);
    return (await r.json()) as Record<string, any>;
  };
  const logEvents = async (fn: string): Promise<FilteredLogEvent[]> => {
    const events: FilteredLogEvent[] = [];
    let nextToken: string | undefined;
    try {
      do {
        const page = await logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${fn}`, nextToken }));
        events.push(...(page.events ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
    } catch (err) {
      if ((err as Error).name !== 'ResourceNotFoundException') throw err;
    }
    return events;
  };
  /** Polls the function's log group until some line matches (logs are shipped after the invocation). */
  const logsMatching = async (fn: string, pattern: RegExp): Promise<string> => {
    let text = '';
    for (let i = 0; i < 50; i++) {
      text = (await logEvents(fn)).map((e) => e.message ?? '').join('');
      if (pattern.test(text)) return text;
      await new Promise((r) => setTimeout(r, 100));
    }
    return text;
  };
  const starts = async (fn: string) => (await logEvents(fn)).filter((e) => e.message?.startsWith('START RequestId:')).length;

  /** Another copy of the tutorial's stack: handler source and role vary, the trigger is made like deploy.mjs makes it. */
  const deployVariant = async (name: string, role: string, policies: string[], source: string): Promise<string> => {
    const iam = new IAMClient(clientConfig(server));
    const apis = new ApiGatewayV2Client(clientConfig(server));
    const roleArn = (await iam.send(new CreateRoleCommand({ RoleName: role, AssumeRolePolicyDocument: JSON.stringify(TRUST) }))).Role!.Arn!;
    for (const p of policies) await iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: `arn:aws:iam::aws:policy/${p}` }));
    const fn = await lambda.send(
      new CreateFunctionCommand({ FunctionName: name, Runtime: 'python3.12', Role: roleArn, Handler: 'lambda_function.lambda_handler', Code: { ZipFile: zipFiles({ 'lambda_function.py': source }) } }),
    );
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { FunctionName: name });
    const api = await apis.send(new CreateApiCommand({ Name: `${name}-API`, ProtocolType: 'HTTP', Target: fn.FunctionArn, RouteKey: `ANY /${name}` }));
    await lambda.send(
      new AddPermissionCommand({
        FunctionName: name,
        StatementId: `apigateway-${api.ApiId}`,
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
        SourceArn: `arn:aws:execute-api:us-east-1:${ACCOUNT}:${api.ApiId}/*/*/${name}`,
      }),
    );
    iam.destroy();
    apis.destroy();
    return `${api.ApiEndpoint}/${name}`;
  };

  before(async () => {
    server = await startTestServer();
    lambda = new LambdaClient(clientConfig(server));
    logs = new CloudWatchLogsClient(clientConfig(server));
    // Plain .mjs scripts: imported through a variable so tsc does not look for their types.
    const deployModule = join(EXAMPLE, 'deploy.mjs');
    const zipModule = join(REPO, 'examples/zip.mjs');
    ({ zipFiles } = await import(zipModule));
    const { deploy } = (await import(deployModule)) as { deploy: (config: object) => Promise<Deployed> };
    out = await deploy({ endpoint: server.url, credentials: ROOT_KEY, region: 'us-east-1' });
  });
  after(async () => {
    lambda?.destroy();
    logs?.destroy();
    await server?.close();
  });

  it("the seed's curl command returns 200 with the handler's body, and the inbox holds the message", async () => {
    // deploy.mjs verified the address the seed's way: through the link in the verification mail.
    assert.ok((await allMail()).some((m) => m.kind === 'verification' && m.to.includes(SEND_TO)), 'a verification mail was sent');
    assert.match(out.apiUrl, new RegExp(`^http://${out.apiId}\\.execute-api\\.localhost:${server.port}/ContactFormFunction$`));
    const before = (await inbox()).length;
    const res = await seedCurl(out.apiUrl);
    assert.equal(res.status, 200, res.headers + res.body);
    assert.equal(res.body, '"Succès"');
    assert.match(res.headers, /^access-control-allow-origin: \*$/im);

    const messages = await inbox();
    assert.equal(messages.length, before + 1);
    const mail = messages.find((m) => m.subject === 'Vous avez un message de john@example.com');
    assert.ok(mail, JSON.stringify(messages));
    assert.equal(mail.from, SEND_TO);
    assert.deepEqual(mail.to, [SEND_TO]);
    assert.deepEqual(mail.replyTo, ['john@example.com']);
    const detail = await message(mail.id);
    assert.match(detail.raw, /^Reply-To: john@example\.com\r?$/m);
    assert.deepEqual(String(detail.text).trim().split(/\r?\n/), ['Nom : John', 'Email : john@example.com', 'Message bonjour']);
  });

  it('a real Chromium opens the page on the website bucket, sees the error for an empty field, then the success alert, and the message arrives', { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed` }, async () => {
    let browser: Browser | undefined;
    try {
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      });
      const page = await browser.newPage();
      // The *.s3-website.localhost form: Chromium resolves every *.localhost name to loopback itself.
      const home = await page.goto(out.pageUrl);
      assert.equal(home?.status(), 200);
      assert.equal(await page.title(), 'Formulaire de contact');
      assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('.btn-primary')!).backgroundColor), 'rgb(0, 123, 255)', 'Bootstrap came from the bucket');
      assert.equal(await page.evaluate(() => typeof (window as unknown as { jQuery?: unknown }).jQuery), 'function', 'jQuery came from the bucket');

      const before = (await inbox()).length;
      await page.fill('#name', 'Marie');
      await page.fill('#email', 'marie@example.com');
      await page.click('button[type=submit]');
      await page.waitForSelector('#alert.alert-danger');
      assert.equal((await page.textContent('#alert'))?.trim(), 'Vous devez remplir tous les champs avant de soumettre le formulaire');
      assert.equal((await inbox()).length, before, 'nothing was posted');

      await page.fill('#message', 'Bonjour depuis Chromium');
      await page.click('button[type=submit]');
      await page.waitForSelector('#alert.alert-success', { timeout: 15_000 });
      assert.equal((await page.textContent('#alert'))?.trim(), 'Merci de nous avoir contactés. Nous vous répondrons bientôt.');
      await page.screenshot({ path: SCREENSHOT, fullPage: true });

      const mail = (await inbox()).find((m) => m.subject === 'Vous avez un message de marie@example.com');
      assert.ok(mail, 'the message arrived');
      assert.deepEqual(mail.replyTo, ['marie@example.com']);
      const detail = await message(mail.id);
      assert.deepEqual(String(detail.text).trim().split(/\r?\n/), ['Nom : Marie', 'Email : marie@example.com', 'Message Bonjour depuis Chromium']);
    } finally {
      await browser?.close();
    }
  });

  it('a role without SES permission: SES answers AccessDenied, the API answers 500 and nothing is sent', async () => {
    // The tutorial's role minus the SES policy; the function keeps running as that role.
    const iam = new IAMClient(clientConfig(server));
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'ContactFormRole', PolicyArn: 'arn:aws:iam::aws:policy/AmazonSESFullAccess' }));
    iam.destroy();
    const before = (await inbox()).length;
    const res = await seedCurl(out.apiUrl);
    assert.equal(res.status, 500, res.headers + res.body);
    assert.equal(res.body, '{"message":"Internal Server Error"}');
    assert.equal((await inbox()).length, before, 'nothing was sent');
    const text = await logsMatching('ContactFormFunction', /AccessDenied/);
    assert.match(text, /An error occurred \(AccessDenied\) when calling the SendEmail operation: .*ContactFormRole.* is not authorized to perform: ses:SendEmail/);
  });

  it("an unverified sender makes the call fail with MessageRejected, visible in the function's logs", async () => {
    const source = HANDLER.replace(`send_to = '${SEND_TO}'`, "send_to = 'nobody@unverified.example'");
    assert.notEqual(source, HANDLER);
    const url = await deployVariant('ContactFormUnverified', 'ContactFormUnverifiedRole', ['AmazonSESFullAccess', 'CloudWatchFullAccess'], source);
    const before = (await inbox()).length;
    const res = await seedCurl(url);
    assert.equal(res.status, 500, res.headers + res.body);
    assert.equal(res.body, '{"message":"Internal Server Error"}');
    assert.equal((await inbox()).length, before, 'nothing was sent');
    const text = await logsMatching('ContactFormUnverified', /MessageRejected/);
    assert.match(text, /MessageRejected/);
    assert.match(text, /Email address is not verified\. The following identities failed the check in region US-EAST-1: nobody@unverified\.example/);
  });

  it('without the permission for API Gateway the function is not invoked', async () => {
    const startsBefore = await starts('ContactFormFunction');
    assert.ok(startsBefore >= 2, `the earlier invocations were logged (${startsBefore} START lines)`);
    await lambda.send(new RemovePermissionCommand({ FunctionName: 'ContactFormFunction', StatementId: `apigateway-${out.apiId}` }));
    const before = (await inbox()).length;
    const res = await seedCurl(out.apiUrl);
    assert.equal(res.status, 500, res.headers + res.body);
    assert.equal(res.body, '{"message":"Internal Server Error"}');
    await new Promise((r) => setTimeout(r, 500)); // room for a log line that should not come
    assert.equal(await starts('ContactFormFunction'), startsBefore, 'no new START line');
    assert.equal((await inbox()).length, before);
  });
});
