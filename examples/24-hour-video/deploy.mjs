#!/usr/bin/env node
/**
 * Deploys "24-Hour Video", chapter 3 of Sbarski's "Serverless Architectures on
 * AWS", to Stratus (or AWS) with the AWS SDK only:
 *   upload bucket ──S3 event──▶ transcode-video ──CreateJob──▶ Elastic Transcoder
 *   pipeline ──renditions, thumbnails──▶ transcoded bucket ──S3 event──▶ SNS topic
 *   ──▶ set-permissions (public-read) and extract-metadata (ffprobe → .json);
 *   a page on a website bucket lists and plays the videos through an HTTP API
 *   (GET /videos → get-video-list, GET /upload-policy → get-upload-policy, a
 *   presigned POST the browser uploads with).
 * Every step creates what is missing and updates what exists, so re-running it
 * on the same data is safe. A service the server does not implement yet
 * (answering 501) is skipped with a warning, and the rest still deploys.
 * Configuration comes from the usual AWS variables (AWS_ENDPOINT_URL,
 * AWS_ACCESS_KEY_ID...).
 *
 *   node examples/24-hour-video/deploy.mjs [--legacy]
 *
 * --legacy deploys legacy/transcode-video/index.js (the book's aws-sdk v2
 * handler) as transcode-video instead of the TypeScript one.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { ElasticTranscoderClient } from '@aws-sdk/client-elastic-transcoder';
import { CreateRoleCommand, GetRoleCommand, IAMClient, PutRolePolicyCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { AddPermissionCommand, CreateFunctionCommand, GetFunctionCommand, LambdaClient, RemovePermissionCommand, UpdateFunctionCodeCommand, UpdateFunctionConfigurationCommand, waitUntilFunctionActiveV2, waitUntilFunctionUpdatedV2 } from '@aws-sdk/client-lambda';
import {
  CreateBucketCommand,
  DeletePublicAccessBlockCommand,
  PutBucketCorsCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketWebsiteCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { buildPackages, legacyPackage } from './build.mjs';
import { ensureApi, ensurePipeline, ensureTopic } from './services.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

export const UPLOAD_BUCKET = '24-hour-video-upload';
export const TRANSCODED_BUCKET = '24-hour-video-transcoded';
export const SITE_BUCKET = '24-hour-video-site';
export const TOPIC = 'transcoded-video-notifications';
export const PIPELINE = '24-hour-video';
export const API = '24-hour-video-api';

const is = (err, ...names) => names.includes(err?.name) || names.includes(err?.Code);

const trust = (service) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }] });
const objects = (bucket) => `arn:aws:s3:::${bucket}/*`;
const bucketArn = (bucket) => `arn:aws:s3:::${bucket}`;

/** Each function: its settings and the least its role needs beyond writing its own logs. */
function functionSpecs({ region, account, endpoint, pipeline }) {
  return {
    'transcode-video': {
      timeout: 30,
      memory: 256,
      env: { ELASTIC_TRANSCODER_PIPELINE_ID: pipeline?.id ?? '' },
      // CreateJob is authorized on the pipeline and on the presets the job uses.
      statements: [{ Effect: 'Allow', Action: 'elastictranscoder:CreateJob', Resource: [pipeline?.arn ?? `arn:aws:elastictranscoder:${region}:${account}:pipeline/*`, `arn:aws:elastictranscoder:${region}:*:preset/*`] }],
    },
    'set-permissions': {
      timeout: 30,
      memory: 256,
      env: {},
      statements: [{ Effect: 'Allow', Action: 's3:PutObjectAcl', Resource: objects(TRANSCODED_BUCKET) }],
    },
    'extract-metadata': {
      timeout: 120,
      memory: 1024,
      env: {},
      statements: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: objects(TRANSCODED_BUCKET) }],
    },
    'get-video-list': {
      timeout: 30,
      memory: 256,
      env: { TRANSCODED_BUCKET, ...(endpoint ? { PUBLIC_BASE_URL: `${endpoint}/${TRANSCODED_BUCKET}` } : {}) },
      statements: [
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: bucketArn(TRANSCODED_BUCKET) },
        { Effect: 'Allow', Action: 's3:GetObject', Resource: objects(TRANSCODED_BUCKET) },
      ],
    },
    'get-upload-policy': {
      timeout: 10,
      memory: 256,
      env: { UPLOAD_BUCKET },
      // The presigned POST is signed with the function's credentials: the upload is authorized as this role.
      statements: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: objects(UPLOAD_BUCKET) }],
    },
  };
}

/** A role trusted by `service` with one inline policy; re-running replaces the policy. */
async function ensureRole({ iam }, name, service, statements) {
  let arn;
  try {
    arn = (await iam.send(new GetRoleCommand({ RoleName: name }))).Role.Arn;
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: name, PolicyDocument: trust(service) }));
  } catch (err) {
    if (!is(err, 'NoSuchEntity', 'NoSuchEntityException')) throw err;
    arn = (await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust(service), Description: `24-Hour Video: ${name}` }))).Role.Arn;
  }
  await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'least-privilege', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }) }));
  return arn;
}

const logStatements = (region, account, fn) => [
  { Effect: 'Allow', Action: 'logs:CreateLogGroup', Resource: `arn:aws:logs:${region}:${account}:*` },
  { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `arn:aws:logs:${region}:${account}:log-group:/aws/lambda/${fn}:*` },
];

const sha256 = (buf) => createHash('sha256').update(buf).digest('base64');

/** Creates the function or brings its configuration and code up to date; returns its ARN. */
async function ensureFunction({ lambda }, name, roleArn, spec, zip) {
  const wait = { client: lambda, maxWaitTime: 60, minDelay: 1, maxDelay: 1 };
  const config = { Role: roleArn, Runtime: 'nodejs20.x', Handler: 'index.handler', Timeout: spec.timeout, MemorySize: spec.memory, Environment: { Variables: spec.env }, Description: `24-Hour Video: ${name}` };
  let current;
  try {
    current = (await lambda.send(new GetFunctionCommand({ FunctionName: name }))).Configuration;
  } catch (err) {
    if (!is(err, 'ResourceNotFoundException')) throw err;
  }
  if (!current) {
    const created = await lambda.send(new CreateFunctionCommand({ FunctionName: name, ...config, Code: { ZipFile: zip } }));
    await waitUntilFunctionActiveV2(wait, { FunctionName: name });
    return created.FunctionArn;
  }
  await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, ...config }));
  await waitUntilFunctionUpdatedV2(wait, { FunctionName: name });
  if (current.CodeSha256 !== sha256(zip)) {
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: zip }));
    await waitUntilFunctionUpdatedV2(wait, { FunctionName: name });
  }
  return current.FunctionArn;
}

/** The function's resource policy lets `principal` invoke it from `sourceArn` (replacing an older statement of that id). */
export async function allowInvoke({ lambda }, name, sid, principal, sourceArn, sourceAccount) {
  try {
    await lambda.send(new RemovePermissionCommand({ FunctionName: name, StatementId: sid }));
  } catch (err) {
    if (!is(err, 'ResourceNotFoundException')) throw err;
  }
  await lambda.send(new AddPermissionCommand({ FunctionName: name, StatementId: sid, Action: 'lambda:InvokeFunction', Principal: principal, SourceArn: sourceArn, ...(sourceAccount ? { SourceAccount: sourceAccount } : {}) }));
}

async function ensureBucket({ s3 }, name) {
  try {
    await s3.send(new CreateBucketCommand({ Bucket: name }));
  } catch (err) {
    if (!is(err, 'BucketAlreadyOwnedByYou')) throw err;
  }
}

/**
 * The buckets. The upload bucket stays private and accepts the page's POST
 * uploads (CORS). The transcoded bucket keeps ACLs enabled (Object Ownership
 * BucketOwnerPreferred) and lets public ACLs through Block Public Access,
 * while still blocking public bucket policies: set-permissions makes each
 * object public-read, as the book does.
 */
async function ensureBuckets(c, siteOrigins) {
  for (const b of [UPLOAD_BUCKET, TRANSCODED_BUCKET, SITE_BUCKET]) await ensureBucket(c, b);
  await c.s3.send(
    new PutBucketCorsCommand({
      Bucket: UPLOAD_BUCKET,
      CORSConfiguration: { CORSRules: [{ AllowedOrigins: siteOrigins, AllowedMethods: ['POST'], AllowedHeaders: ['*'], ExposeHeaders: ['ETag', 'Location'], MaxAgeSeconds: 3000 }] },
    }),
  );
  await c.s3.send(new PutBucketOwnershipControlsCommand({ Bucket: TRANSCODED_BUCKET, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] } }));
  await c.s3.send(
    new PutPublicAccessBlockCommand({
      Bucket: TRANSCODED_BUCKET,
      PublicAccessBlockConfiguration: { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: true, RestrictPublicBuckets: true },
    }),
  );
}

/** The page, its styles and config.json (where the page finds the API) on a public website bucket. */
async function hostSite({ s3 }, config) {
  await s3.send(new DeletePublicAccessBlockCommand({ Bucket: SITE_BUCKET }));
  const policy = { Version: '2012-10-17', Statement: [{ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: objects(SITE_BUCKET) }] };
  await s3.send(new PutBucketPolicyCommand({ Bucket: SITE_BUCKET, Policy: JSON.stringify(policy) }));
  await s3.send(new PutBucketWebsiteCommand({ Bucket: SITE_BUCKET, WebsiteConfiguration: { IndexDocument: { Suffix: 'index.html' } } }));
  const files = [
    ['index.html', readFileSync(join(HERE, 'site/index.html')), 'text/html; charset=utf-8'],
    ['app.js', readFileSync(join(HERE, 'site/app.js')), 'text/javascript; charset=utf-8'],
    ['style.css', readFileSync(join(HERE, 'site/style.css')), 'text/css; charset=utf-8'],
    ['bootstrap.min.css', readFileSync(require.resolve('bootstrap/dist/css/bootstrap.min.css')), 'text/css; charset=utf-8'],
    ['config.json', JSON.stringify(config, null, 2), 'application/json'],
  ];
  for (const [Key, Body, ContentType] of files) await s3.send(new PutObjectCommand({ Bucket: SITE_BUCKET, Key, Body, ContentType, CacheControl: 'no-cache' }));
}

function clients(config) {
  return {
    iam: new IAMClient(config),
    lambda: new LambdaClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
    sns: new SNSClient(config),
    transcoder: new ElasticTranscoderClient(config),
    apis: new ApiGatewayV2Client(config),
    sts: new STSClient(config),
  };
}

/**
 * Runs every step and returns the URLs a person opens. Any refusal is an
 * error: a server that cannot run the whole app should say so, not half-deploy it.
 */
export async function deploy(config = {}, { legacy = false } = {}) {
  const region = config.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const c = clients({ region, ...config });
  const endpoint = (config.endpoint ?? process.env.AWS_ENDPOINT_URL ?? '').replace(/\/+$/, '') || undefined;
  try {
    const { Account: account } = await c.sts.send(new GetCallerIdentityCommand({}));
    const site = endpoint ? new URL(endpoint) : undefined;
    const port = site?.port ? `:${site.port}` : '';
    const pageUrl = site ? `http://${SITE_BUCKET}.s3-website.localhost${port}/` : `http://${SITE_BUCKET}.s3-website-${region}.amazonaws.com/`;
    const pagePathUrl = site ? `${endpoint}/_stratus/website/${SITE_BUCKET}/` : undefined;
    const siteOrigins = [new URL(pageUrl).origin, ...(site ? [site.origin] : [])];

    await ensureBuckets(c, siteOrigins);

    const transcoderRole = await ensureRole(c, '24-hour-video-elastic-transcoder', 'elastictranscoder.amazonaws.com', [
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: [bucketArn(UPLOAD_BUCKET), bucketArn(TRANSCODED_BUCKET)] },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: objects(UPLOAD_BUCKET) },
      { Effect: 'Allow', Action: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'], Resource: objects(TRANSCODED_BUCKET) },
    ]);
    const pipeline = await ensurePipeline(c, { name: PIPELINE, input: UPLOAD_BUCKET, output: TRANSCODED_BUCKET, role: transcoderRole });

    const packages = await buildPackages();
    if (legacy) packages['transcode-video'] = legacyPackage();
    const specs = functionSpecs({ region, account, endpoint, pipeline });
    const arns = {};
    for (const [name, spec] of Object.entries(specs)) {
      const role = await ensureRole(c, `24-hour-video-${name}`, 'lambda.amazonaws.com', [...logStatements(region, account, name), ...spec.statements]);
      arns[name] = await ensureFunction(c, name, role, spec, packages[name]);
    }

    // Upload bucket → transcode-video.
    await allowInvoke(c, 'transcode-video', 's3-upload-bucket', 's3.amazonaws.com', bucketArn(UPLOAD_BUCKET), account);
    await c.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: UPLOAD_BUCKET,
        NotificationConfiguration: { LambdaFunctionConfigurations: [{ Id: 'transcode-video', LambdaFunctionArn: arns['transcode-video'], Events: ['s3:ObjectCreated:*'] }] },
      }),
    );

    // Transcoded bucket → SNS → set-permissions and extract-metadata.
    const topicArn = await ensureTopic(c, { name: TOPIC, bucket: TRANSCODED_BUCKET, account, subscribers: [arns['set-permissions'], arns['extract-metadata']] });
    for (const fn of ['set-permissions', 'extract-metadata']) await allowInvoke(c, fn, 'sns-transcoded-video-notifications', 'sns.amazonaws.com', topicArn);
    await c.s3.send(
      new PutBucketNotificationConfigurationCommand({ Bucket: TRANSCODED_BUCKET, NotificationConfiguration: { TopicConfigurations: [{ Id: 'transcoded-video-notifications', TopicArn: topicArn, Events: ['s3:ObjectCreated:*'] }] } }),
    );

    // The HTTP API and the page.
    const api = await ensureApi(c, { name: API, region, account, origins: siteOrigins, routes: { 'GET /videos': arns['get-video-list'], 'GET /upload-policy': arns['get-upload-policy'] } });
    for (const [route, fn] of [['GET /videos', 'get-video-list'], ['GET /upload-policy', 'get-upload-policy']]) {
      const [method, path] = route.split(' ');
      await allowInvoke(c, fn, `apigateway-${api.apiId}`, 'apigateway.amazonaws.com', `arn:aws:execute-api:${region}:${account}:${api.apiId}/*/${method}${path}`);
    }
    const apiPathUrl = site ? `${endpoint}/_stratus/execute-api/${api.apiId}` : undefined;
    await hostSite(c, { apiUrl: api.url, apiPathUrl, uploadBucket: UPLOAD_BUCKET, transcodedBucket: TRANSCODED_BUCKET });

    return { pageUrl, pagePathUrl, apiId: api.apiId, apiUrl: api.url, apiPathUrl, pipelineId: pipeline.id, topicArn, functions: arns };
  } finally {
    for (const client of Object.values(c)) client.destroy();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const legacy = process.argv.includes('--legacy');
  const out = await deploy(process.env.AWS_ENDPOINT_URL ? { endpoint: process.env.AWS_ENDPOINT_URL } : {}, { legacy });
  console.log(`24-hour video: ${out.pageUrl}${out.pagePathUrl ? `  (or ${out.pagePathUrl})` : ''}`);
  console.log(`  its API:     curl ${out.apiPathUrl ?? out.apiUrl}/videos`);
  console.log(`  upload:      aws s3 cp clip.mp4 s3://${UPLOAD_BUCKET}/${process.env.AWS_ENDPOINT_URL ? ` --endpoint-url ${process.env.AWS_ENDPOINT_URL}` : ''}`);
}
