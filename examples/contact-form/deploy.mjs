#!/usr/bin/env node
/**
 * Deploys the seed tutorial's contact form to Stratus with the AWS SDK only,
 * following the tutorial's steps in order:
 *   1. SES: verify the address (the verification mail lands in Stratus's inbox;
 *      opening its link verifies it, as in the tutorial);
 *   2. IAM: the role ContactFormRole, trusted by Lambda, with AmazonSESFullAccess
 *      and CloudWatchFullAccess;
 *   3. Lambda: ContactFormFunction (Python) with the tutorial's handler;
 *   4. API Gateway: the HTTP API trigger the console's "Add trigger" creates;
 *   5. S3: the page on a website bucket, with jQuery and Bootstrap beside it.
 * Re-running it updates what exists. Configuration comes from the usual AWS
 * variables (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID...) or the `stratus` profile.
 *
 *   node examples/contact-form/deploy.mjs
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiGatewayV2Client, CreateApiCommand, GetApisCommand } from '@aws-sdk/client-apigatewayv2';
import { AttachRolePolicyCommand, CreateRoleCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AddPermissionCommand, CreateFunctionCommand, GetFunctionCommand, LambdaClient, UpdateFunctionCodeCommand, waitUntilFunctionActiveV2, waitUntilFunctionUpdatedV2 } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, DeletePublicAccessBlockCommand, PutBucketPolicyCommand, PutBucketWebsiteCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetIdentityVerificationAttributesCommand, SESClient, VerifyEmailIdentityCommand } from '@aws-sdk/client-ses';
import { zipFiles } from '../zip.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

export const FUNCTION = 'ContactFormFunction';
export const ROLE = 'ContactFormRole';
export const BUCKET = 'contact-form-site';
/** The address the handler sends to and from (`send_to` in lambda_function.py). */
export const ADDRESS = /send_to = '([^']+)'/.exec(readFileSync(join(HERE, 'lambda_function.py'), 'utf8'))[1];

function clients(config) {
  return {
    ses: new SESClient(config),
    iam: new IAMClient(config),
    lambda: new LambdaClient(config),
    apis: new ApiGatewayV2Client(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
  };
}

const exists = (err, ...names) => names.includes(err?.name) || names.includes(err?.Code);

/** Step 1: verify the address and open the link the verification mail carries. */
async function verifyAddress({ ses }, endpoint) {
  const status = async () => (await ses.send(new GetIdentityVerificationAttributesCommand({ Identities: [ADDRESS] }))).VerificationAttributes?.[ADDRESS]?.VerificationStatus;
  if ((await status()) === 'Success') return;
  await ses.send(new VerifyEmailIdentityCommand({ EmailAddress: ADDRESS }));
  if ((await status()) === 'Success') return; // auto-verification is on
  const list = await (await fetch(`${endpoint}/_stratus/ses/messages?to=${encodeURIComponent(ADDRESS)}`)).json();
  for (const m of list.messages ?? []) {
    const full = await (await fetch(`${endpoint}/_stratus/ses/messages/${m.id}`)).json();
    const link = /https?:\/\/\S+\/_stratus\/ses\/verify\?token=[^\s"<>]+/.exec(full.text ?? full.html ?? '')?.[0];
    if (link) {
      await fetch(link);
      if ((await status()) === 'Success') return;
    }
  }
  throw new Error(`could not verify ${ADDRESS}: no verification link found in the inbox`);
}

/** Step 2: the execution role. */
async function createRole({ iam }) {
  try {
    return (await iam.send(new GetRoleCommand({ RoleName: ROLE }))).Role.Arn;
  } catch (err) {
    if (!exists(err, 'NoSuchEntity', 'NoSuchEntityException')) throw err;
  }
  const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
  const role = (await iam.send(new CreateRoleCommand({ RoleName: ROLE, AssumeRolePolicyDocument: JSON.stringify(trust) }))).Role;
  for (const policy of ['AmazonSESFullAccess', 'CloudWatchFullAccess']) {
    await iam.send(new AttachRolePolicyCommand({ RoleName: ROLE, PolicyArn: `arn:aws:iam::aws:policy/${policy}` }));
  }
  return role.Arn;
}

/** Step 3: the function, with the tutorial's handler as lambda_function.py. */
async function createFunction({ lambda }, roleArn) {
  const zip = zipFiles({ 'lambda_function.py': readFileSync(join(HERE, 'lambda_function.py')) });
  try {
    await lambda.send(new GetFunctionCommand({ FunctionName: FUNCTION }));
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: FUNCTION, ZipFile: zip }));
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { FunctionName: FUNCTION });
  } catch (err) {
    if (!exists(err, 'ResourceNotFoundException')) throw err;
    await lambda.send(new CreateFunctionCommand({ FunctionName: FUNCTION, Runtime: 'python3.12', Role: roleArn, Handler: 'lambda_function.lambda_handler', Code: { ZipFile: zip } }));
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { FunctionName: FUNCTION });
  }
  return (await lambda.send(new GetFunctionCommand({ FunctionName: FUNCTION }))).Configuration.FunctionArn;
}

/** Step 4: "Add trigger" → API Gateway, new HTTP API: the route ANY /ContactFormFunction and the permission to invoke. */
async function addTrigger({ apis, lambda }, functionArn) {
  const name = `${FUNCTION}-API`;
  let api = (await apis.send(new GetApisCommand({}))).Items?.find((a) => a.Name === name);
  if (!api) {
    api = await apis.send(new CreateApiCommand({ Name: name, ProtocolType: 'HTTP', Target: functionArn, RouteKey: `ANY /${FUNCTION}` }));
    const [, , , region, account] = functionArn.split(':');
    await lambda.send(
      new AddPermissionCommand({
        FunctionName: FUNCTION,
        StatementId: `apigateway-${api.ApiId}`,
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
        SourceArn: `arn:aws:execute-api:${region}:${account}:${api.ApiId}/*/*/${FUNCTION}`,
      }),
    );
  }
  return { apiId: api.ApiId, url: `${api.ApiEndpoint}/${FUNCTION}` };
}

/** Step 5: the page on a public website bucket, pointing at the API. */
async function hostPage({ s3 }, apiUrl) {
  try {
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  } catch (err) {
    if (!exists(err, 'BucketAlreadyOwnedByYou')) throw err;
  }
  await s3.send(new DeletePublicAccessBlockCommand({ Bucket: BUCKET }));
  const policy = { Version: '2012-10-17', Statement: [{ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*` }] };
  await s3.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: JSON.stringify(policy) }));
  await s3.send(new PutBucketWebsiteCommand({ Bucket: BUCKET, WebsiteConfiguration: { IndexDocument: { Suffix: 'index.html' } } }));
  const page = readFileSync(join(HERE, 'site/index.html'), 'utf8').replace('your_api_gateway_url', apiUrl);
  const files = [
    ['index.html', page, 'text/html; charset=utf-8'],
    ['bootstrap.min.css', readFileSync(require.resolve('bootstrap/dist/css/bootstrap.min.css')), 'text/css'],
    ['jquery-3.4.1.min.js', readFileSync(require.resolve('jquery/dist/jquery.min.js')), 'text/javascript'],
  ];
  for (const [Key, Body, ContentType] of files) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body, ContentType }));
}

/** Runs every step; returns the URLs a person opens. */
export async function deploy(config = {}) {
  const c = clients({ region: 'us-east-1', ...config });
  const endpoint = (config.endpoint ?? process.env.AWS_ENDPOINT_URL ?? 'http://127.0.0.1:4566').replace(/\/$/, '');
  await verifyAddress(c, endpoint);
  const roleArn = await createRole(c);
  const functionArn = await createFunction(c, roleArn);
  const { apiId, url: apiUrl } = await addTrigger(c, functionArn);
  await hostPage(c, apiUrl);
  const { hostname, port } = new URL(endpoint);
  const portPart = port ? `:${port}` : '';
  return {
    apiId,
    apiUrl,
    pageUrl: `http://${BUCKET}.s3-website.localhost${portPart}/`,
    pagePathUrl: `${endpoint}/_stratus/website/${BUCKET}/`,
    host: hostname,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = await deploy(process.env.AWS_ENDPOINT_URL ? { endpoint: process.env.AWS_ENDPOINT_URL } : {});
  console.log(`contact form: ${out.pageUrl}  (or ${out.pagePathUrl})`);
  console.log(`  its API:    curl -i ${out.apiUrl} --data-urlencode "name=John" --data-urlencode "email=john@example.com" --data-urlencode "message=bonjour"`);
}
