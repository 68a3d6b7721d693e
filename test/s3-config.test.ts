/**
 * S3 bucket configuration and object subresources end to end with the SDK v3
 * client: bucket policies, ACLs, Object Ownership, Block Public Access, CORS,
 * website, notifications and default encryption; object tags, ACLs and
 * attributes. Then the access rules they feed: anonymous reads through ACLs
 * and public policies as Block Public Access allows, a bucket policy Deny
 * beating an IAM Allow, and an expired presigned URL.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCorsCommand,
  DeleteBucketEncryptionCommand,
  DeleteBucketOwnershipControlsCommand,
  DeleteBucketPolicyCommand,
  DeleteBucketWebsiteCommand,
  DeleteObjectCommand,
  DeleteObjectTaggingCommand,
  DeletePublicAccessBlockCommand,
  GetBucketAclCommand,
  GetBucketCorsCommand,
  GetBucketEncryptionCommand,
  GetBucketNotificationConfigurationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetBucketWebsiteCommand,
  GetObjectAclCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  GetPublicAccessBlockCommand,
  ListObjectsV2Command,
  PutBucketAclCommand,
  PutBucketCorsCommand,
  PutBucketEncryptionCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutBucketWebsiteCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { ACCOUNT, clientConfig, startTestServer, type TestServer } from './harness.js';

const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const ROOT_ARN = `arn:aws:iam::${ACCOUNT}:root`;

interface Failure {
  name: string;
  message: string;
  status?: number;
  body: Record<string, unknown>;
}

/** The error a call fails with: code, message, status and the extra XML members the SDK kept. */
async function failure(p: Promise<unknown>): Promise<Failure> {
  try {
    await p;
  } catch (err) {
    const e = err as Error & { $metadata?: { httpStatusCode?: number } } & Record<string, unknown>;
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode, body: e };
  }
  assert.fail('expected the call to fail');
}

async function rejects(p: Promise<unknown>, name: string, status: number, message?: string): Promise<Failure> {
  const f = await failure(p);
  assert.equal(f.name, name, f.message);
  assert.equal(f.status, status);
  if (message !== undefined) assert.equal(f.message, message);
  return f;
}

const publicRead = (bucket: string) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` }] });

describe('S3 bucket configuration and object subresources', () => {
  let server: TestServer;
  let s3: S3Client;
  let iam: IAMClient;
  let n = 0;
  const newBucket = async (opts: { ObjectOwnership?: 'ObjectWriter' } = {}) => {
    const name = `cfg-${++n}-${Date.now().toString(36)}`;
    await s3.send(new CreateBucketCommand({ Bucket: name, ...opts }));
    return name;
  };
  const anonymousGet = (bucket: string, key: string) => fetch(`${server.url}/${bucket}/${key}`);
  const userClient = async (name: string, attach?: string, inline?: unknown) => {
    await iam.send(new CreateUserCommand({ UserName: name }));
    if (attach) await iam.send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: `arn:aws:iam::aws:policy/${attach}` }));
    if (inline) await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'inline', PolicyDocument: JSON.stringify(inline) }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
    return new S3Client(clientConfig(server, { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! }));
  };

  before(async () => {
    server = await startTestServer();
    s3 = new S3Client(clientConfig(server));
    iam = new IAMClient(clientConfig(server));
  });
  after(async () => {
    s3?.destroy();
    iam?.destroy();
    await server?.close();
  });

  describe('bucket policy', () => {
    it('round-trips a policy, reports its status and deletes it', async () => {
      const b = await newBucket();
      const policy = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: ['s3:GetObject'], Resource: `arn:aws:s3:::${b}/*` }],
      });
      await rejects(s3.send(new GetBucketPolicyCommand({ Bucket: b })), 'NoSuchBucketPolicy', 404, 'The bucket policy does not exist');
      await rejects(s3.send(new GetBucketPolicyStatusCommand({ Bucket: b })), 'NoSuchBucketPolicy', 404);
      await s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy: policy }));
      assert.equal((await s3.send(new GetBucketPolicyCommand({ Bucket: b }))).Policy, policy);
      assert.deepEqual((await s3.send(new GetBucketPolicyStatusCommand({ Bucket: b }))).PolicyStatus, { IsPublic: false });
      await s3.send(new DeleteBucketPolicyCommand({ Bucket: b }));
      await rejects(s3.send(new GetBucketPolicyCommand({ Bucket: b })), 'NoSuchBucketPolicy', 404);
      // Deleting what is not there succeeds.
      await s3.send(new DeleteBucketPolicyCommand({ Bucket: b }));
    });

    it('refuses malformed, oversized and (with BlockPublicPolicy) public policies', async () => {
      const b = await newBucket();
      await rejects(s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy: 'nope' })), 'MalformedPolicy', 400, "Policies must be valid JSON and the first byte must be '{'");
      const wrongBucket = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::other/*' }] });
      await rejects(s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy: wrongBucket })), 'MalformedPolicy', 400, 'Policy has invalid resource');
      const big = JSON.stringify({
        Version: '2012-10-17',
        Statement: Array.from({ length: 200 }, (_, i) => ({ Sid: `S${i}`, Effect: 'Deny', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${b}/some/long/prefix/${i}/*` })),
      });
      await rejects(s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy: big })), 'MalformedPolicy', 400, 'Policy exceeds the maximum allowed document size.');
      await rejects(
        s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy: publicRead(b) })),
        'AccessDenied',
        403,
        `User: ${ROOT_ARN} is not authorized to perform: s3:PutBucketPolicy on resource: "arn:aws:s3:::${b}" because public policies are blocked by the BlockPublicPolicy block public access setting.`,
      );
      await s3.send(new PutPublicAccessBlockCommand({ Bucket: b, PublicAccessBlockConfiguration: { BlockPublicPolicy: false } }));
      await s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy: publicRead(b) }));
      assert.deepEqual((await s3.send(new GetBucketPolicyStatusCommand({ Bucket: b }))).PolicyStatus, { IsPublic: true });
      await rejects(s3.send(new GetBucketPolicyCommand({ Bucket: 'no-such-bucket-cfg' })), 'NoSuchBucket', 404);
    });

    it("lets the owner account's root manage a policy that denies it everything", async () => {
      const b = await newBucket();
      const denyAll = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [`arn:aws:s3:::${b}`, `arn:aws:s3:::${b}/*`] }] });
      await s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy: denyAll }));
      await rejects(s3.send(new ListObjectsV2Command({ Bucket: b })), 'AccessDenied', 403);
      assert.equal((await s3.send(new GetBucketPolicyCommand({ Bucket: b }))).Policy, denyAll);
      await s3.send(new DeleteBucketPolicyCommand({ Bucket: b }));
      await s3.send(new ListObjectsV2Command({ Bucket: b }));
    });
  });

  describe('ACLs and Object Ownership', () => {
    it('shows the owner full control and refuses ACL changes while ACLs are disabled', async () => {
      const b = await newBucket();
      const acl = await s3.send(new GetBucketAclCommand({ Bucket: b }));
      assert.equal(acl.Owner?.ID?.length, 64);
      assert.deepEqual(acl.Grants, [{ Grantee: { Type: 'CanonicalUser', ID: acl.Owner!.ID, DisplayName: acl.Owner!.DisplayName }, Permission: 'FULL_CONTROL' }]);
      await rejects(s3.send(new PutBucketAclCommand({ Bucket: b, ACL: 'public-read' })), 'AccessControlListNotSupported', 400, 'The bucket does not allow ACLs');
      // Restating the owner's full control is accepted.
      await s3.send(new PutBucketAclCommand({ Bucket: b, ACL: 'private' }));
      await s3.send(new PutBucketAclCommand({ Bucket: b, AccessControlPolicy: { Owner: acl.Owner, Grants: acl.Grants } }));
      assert.deepEqual((await s3.send(new GetBucketOwnershipControlsCommand({ Bucket: b }))).OwnershipControls, { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    });

    it('sets bucket ACLs once enabled, as Block Public Access allows', async () => {
      const b = await newBucket();
      await s3.send(new PutBucketOwnershipControlsCommand({ Bucket: b, OwnershipControls: { Rules: [{ ObjectOwnership: 'ObjectWriter' }] } }));
      await rejects(
        s3.send(new PutBucketAclCommand({ Bucket: b, ACL: 'public-read' })),
        'AccessDenied',
        403,
        `User: ${ROOT_ARN} is not authorized to perform: s3:PutBucketAcl on resource: "arn:aws:s3:::${b}" because public access control lists (ACLs) are blocked by the BlockPublicAcls block public access setting.`,
      );
      await s3.send(new DeletePublicAccessBlockCommand({ Bucket: b }));
      await s3.send(new PutBucketAclCommand({ Bucket: b, ACL: 'public-read' }));
      let acl = await s3.send(new GetBucketAclCommand({ Bucket: b }));
      assert.deepEqual(acl.Grants?.map((g) => [g.Grantee?.Type, g.Grantee?.URI ?? g.Grantee?.ID, g.Permission]), [
        ['CanonicalUser', acl.Owner!.ID, 'FULL_CONTROL'],
        ['Group', ALL_USERS, 'READ'],
      ]);
      // An AccessControlPolicy body replaces it.
      await s3.send(
        new PutBucketAclCommand({
          Bucket: b,
          AccessControlPolicy: { Owner: acl.Owner, Grants: [{ Grantee: { Type: 'CanonicalUser', ID: acl.Owner!.ID }, Permission: 'FULL_CONTROL' }, { Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'READ_ACP' }] },
        }),
      );
      acl = await s3.send(new GetBucketAclCommand({ Bucket: b }));
      assert.deepEqual(acl.Grants?.map((g) => g.Permission), ['FULL_CONTROL', 'READ_ACP']);
      await rejects(s3.send(new PutBucketAclCommand({ Bucket: b, ACL: 'public-read', AccessControlPolicy: { Owner: acl.Owner, Grants: [] } })), 'UnexpectedContent', 400);
      await rejects(s3.send(new PutBucketAclCommand({ Bucket: b, ACL: 'nonsense' as 'private' })), 'InvalidArgument', 400);
      await rejects(s3.send(new PutBucketAclCommand({ Bucket: b, GrantRead: 'uri="http://example.com/x"' })), 'InvalidArgument', 400, 'Invalid group uri');
      // ACLs granting others must go before ACLs can be disabled.
      await rejects(
        s3.send(new PutBucketOwnershipControlsCommand({ Bucket: b, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } })),
        'InvalidBucketAclWithObjectOwnership',
        400,
        "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
      );
      await s3.send(new PutBucketAclCommand({ Bucket: b, ACL: 'private' }));
      await s3.send(new PutBucketOwnershipControlsCommand({ Bucket: b, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } }));
    });

    it('round-trips ownership controls and reports none after delete', async () => {
      const b = await newBucket();
      await s3.send(new PutBucketOwnershipControlsCommand({ Bucket: b, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] } }));
      assert.deepEqual((await s3.send(new GetBucketOwnershipControlsCommand({ Bucket: b }))).OwnershipControls, { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] });
      await s3.send(new DeleteBucketOwnershipControlsCommand({ Bucket: b }));
      await rejects(s3.send(new GetBucketOwnershipControlsCommand({ Bucket: b })), 'OwnershipControlsNotFoundError', 404, 'The bucket ownership controls were not found');
      await rejects(s3.send(new PutBucketOwnershipControlsCommand({ Bucket: b, OwnershipControls: { Rules: [{ ObjectOwnership: 'Nobody' as 'ObjectWriter' }] } })), 'MalformedXML', 400);
    });

    it('sets and reads object ACLs', async () => {
      const b = await newBucket();
      await s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'x' }));
      const acl = await s3.send(new GetObjectAclCommand({ Bucket: b, Key: 'k' }));
      assert.deepEqual(acl.Grants?.map((g) => [g.Grantee?.ID, g.Permission]), [[acl.Owner!.ID, 'FULL_CONTROL']]);
      await rejects(s3.send(new PutObjectAclCommand({ Bucket: b, Key: 'k', ACL: 'public-read' })), 'AccessControlListNotSupported', 400);
      await s3.send(new PutObjectAclCommand({ Bucket: b, Key: 'k', ACL: 'bucket-owner-full-control' }));
      await s3.send(new PutBucketOwnershipControlsCommand({ Bucket: b, OwnershipControls: { Rules: [{ ObjectOwnership: 'ObjectWriter' }] } }));
      await rejects(s3.send(new PutObjectAclCommand({ Bucket: b, Key: 'k', ACL: 'public-read' })), 'AccessDenied', 403);
      await s3.send(new PutObjectAclCommand({ Bucket: b, Key: 'k', GrantReadACP: `id="${acl.Owner!.ID}"`, GrantFullControl: `id="${acl.Owner!.ID}"` }));
      assert.deepEqual((await s3.send(new GetObjectAclCommand({ Bucket: b, Key: 'k' }))).Grants?.map((g) => g.Permission), ['FULL_CONTROL', 'READ_ACP']);
      await rejects(s3.send(new GetObjectAclCommand({ Bucket: b, Key: 'missing' })), 'NoSuchKey', 404);
    });
  });

  describe('Block Public Access', () => {
    it('is on for new buckets, round-trips and reports none after delete', async () => {
      const b = await newBucket();
      const all = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
      assert.deepEqual((await s3.send(new GetPublicAccessBlockCommand({ Bucket: b }))).PublicAccessBlockConfiguration, all);
      await s3.send(new PutPublicAccessBlockCommand({ Bucket: b, PublicAccessBlockConfiguration: { IgnorePublicAcls: true } }));
      assert.deepEqual((await s3.send(new GetPublicAccessBlockCommand({ Bucket: b }))).PublicAccessBlockConfiguration, {
        BlockPublicAcls: false,
        IgnorePublicAcls: true,
        BlockPublicPolicy: false,
        RestrictPublicBuckets: false,
      });
      await s3.send(new DeletePublicAccessBlockCommand({ Bucket: b }));
      await rejects(s3.send(new GetPublicAccessBlockCommand({ Bucket: b })), 'NoSuchPublicAccessBlockConfiguration', 404, 'The public access block configuration was not found');
    });
  });

  describe('CORS, website, notifications, encryption', () => {
    it('round-trips CORS rules and validates them', async () => {
      const b = await newBucket();
      await rejects(s3.send(new GetBucketCorsCommand({ Bucket: b })), 'NoSuchCORSConfiguration', 404, 'The CORS configuration does not exist');
      const rules = [{ ID: 'web', AllowedMethods: ['GET', 'PUT'], AllowedOrigins: ['https://example.com'], AllowedHeaders: ['*'], ExposeHeaders: ['ETag'], MaxAgeSeconds: 300 }];
      await s3.send(new PutBucketCorsCommand({ Bucket: b, CORSConfiguration: { CORSRules: rules } }));
      assert.deepEqual((await s3.send(new GetBucketCorsCommand({ Bucket: b }))).CORSRules, rules);
      await rejects(
        s3.send(new PutBucketCorsCommand({ Bucket: b, CORSConfiguration: { CORSRules: [{ AllowedMethods: ['PATCH'], AllowedOrigins: ['*'] }] } })),
        'InvalidRequest',
        400,
        'Found unsupported HTTP method in CORS config. Unsupported method is PATCH',
      );
      await s3.send(new DeleteBucketCorsCommand({ Bucket: b }));
      await rejects(s3.send(new GetBucketCorsCommand({ Bucket: b })), 'NoSuchCORSConfiguration', 404);
    });

    it('round-trips a website configuration and validates it', async () => {
      const b = await newBucket();
      await rejects(s3.send(new GetBucketWebsiteCommand({ Bucket: b })), 'NoSuchWebsiteConfiguration', 404, 'The specified bucket does not have a website configuration');
      const cfg = {
        IndexDocument: { Suffix: 'index.html' },
        ErrorDocument: { Key: 'error.html' },
        RoutingRules: [{ Condition: { KeyPrefixEquals: 'docs/' }, Redirect: { ReplaceKeyPrefixWith: 'documents/' } }],
      };
      await s3.send(new PutBucketWebsiteCommand({ Bucket: b, WebsiteConfiguration: cfg }));
      const got = await s3.send(new GetBucketWebsiteCommand({ Bucket: b }));
      assert.deepEqual({ IndexDocument: got.IndexDocument, ErrorDocument: got.ErrorDocument, RoutingRules: got.RoutingRules }, cfg);
      await rejects(
        s3.send(new PutBucketWebsiteCommand({ Bucket: b, WebsiteConfiguration: { ErrorDocument: { Key: 'e.html' } } })),
        'InvalidArgument',
        400,
        'A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty',
      );
      await s3.send(new DeleteBucketWebsiteCommand({ Bucket: b }));
      await rejects(s3.send(new GetBucketWebsiteCommand({ Bucket: b })), 'NoSuchWebsiteConfiguration', 404);
    });

    it('round-trips notification configurations, checking destinations unless told not to', async () => {
      const b = await newBucket();
      const empty = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: b }));
      assert.equal(empty.LambdaFunctionConfigurations, undefined);
      const fn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:absent`;
      const cfg = { LambdaFunctionConfigurations: [{ LambdaFunctionArn: fn, Events: ['s3:ObjectCreated:*' as const], Filter: { Key: { FilterRules: [{ Name: 'prefix' as const, Value: 'in/' }] } } }] };
      const f = await rejects(s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: b, NotificationConfiguration: cfg })), 'InvalidArgument', 400, 'Unable to validate the following destination configurations');
      assert.equal(f.body.ArgumentName1, `${fn}, null`);
      assert.equal(f.body.ArgumentValue1, `Not authorized to invoke function [${fn}]`);
      await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: b, NotificationConfiguration: cfg, SkipDestinationValidation: true }));
      const got = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: b }));
      assert.equal(got.LambdaFunctionConfigurations?.length, 1);
      const [c] = got.LambdaFunctionConfigurations!;
      assert.equal(c!.LambdaFunctionArn, fn);
      assert.ok(c!.Id, 'an Id is generated');
      assert.deepEqual(c!.Events, ['s3:ObjectCreated:*']);
      assert.deepEqual(c!.Filter, { Key: { FilterRules: [{ Name: 'Prefix', Value: 'in/' }] } });
      await rejects(
        s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: b, NotificationConfiguration: { LambdaFunctionConfigurations: [{ LambdaFunctionArn: fn, Events: ['s3:Nope' as 's3:ObjectCreated:*'] }] }, SkipDestinationValidation: true })),
        'InvalidArgument',
        400,
        'The event is not supported for notifications',
      );
      await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: b, NotificationConfiguration: {} }));
      assert.equal((await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: b }))).LambdaFunctionConfigurations, undefined);
    });

    it('reports SSE-S3 by default, stores SSE-KMS, and resets on delete', async () => {
      const b = await newBucket();
      const defaults = { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false }] };
      assert.deepEqual((await s3.send(new GetBucketEncryptionCommand({ Bucket: b }))).ServerSideEncryptionConfiguration, defaults);
      const kms = { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' as const, KMSMasterKeyID: 'alias/mine' }, BucketKeyEnabled: true }] };
      await s3.send(new PutBucketEncryptionCommand({ Bucket: b, ServerSideEncryptionConfiguration: kms }));
      assert.deepEqual((await s3.send(new GetBucketEncryptionCommand({ Bucket: b }))).ServerSideEncryptionConfiguration, kms);
      await rejects(
        s3.send(new PutBucketEncryptionCommand({ Bucket: b, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256', KMSMasterKeyID: 'k' } }] } })),
        'InvalidArgument',
        400,
        'a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse',
      );
      await rejects(s3.send(new PutBucketEncryptionCommand({ Bucket: b, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'ROT13' as 'AES256' } }] } })), 'MalformedXML', 400);
      await s3.send(new DeleteBucketEncryptionCommand({ Bucket: b }));
      assert.deepEqual((await s3.send(new GetBucketEncryptionCommand({ Bucket: b }))).ServerSideEncryptionConfiguration, defaults);
    });
  });

  describe('object subresources', () => {
    it('tags objects and versions', async () => {
      const b = await newBucket();
      await s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'x', Tagging: 'a=1' }));
      let got = await s3.send(new GetObjectTaggingCommand({ Bucket: b, Key: 'k' }));
      assert.deepEqual(got.TagSet, [{ Key: 'a', Value: '1' }]);
      assert.equal(got.VersionId, undefined);
      await s3.send(new PutObjectTaggingCommand({ Bucket: b, Key: 'k', Tagging: { TagSet: [{ Key: 'b', Value: '2' }, { Key: 'c', Value: '' }] } }));
      assert.deepEqual((await s3.send(new GetObjectTaggingCommand({ Bucket: b, Key: 'k' }))).TagSet, [{ Key: 'b', Value: '2' }, { Key: 'c', Value: '' }]);
      assert.equal((await s3.send(new GetObjectCommand({ Bucket: b, Key: 'k' }))).TagCount, 2);
      const eleven = Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
      await rejects(s3.send(new PutObjectTaggingCommand({ Bucket: b, Key: 'k', Tagging: { TagSet: eleven } })), 'InvalidTag', 400, 'Object tags cannot be greater than 10');
      await rejects(s3.send(new PutObjectTaggingCommand({ Bucket: b, Key: 'k', Tagging: { TagSet: [{ Key: 'aws:x', Value: 'v' }] } })), 'InvalidTag', 400);
      await s3.send(new DeleteObjectTaggingCommand({ Bucket: b, Key: 'k' }));
      assert.deepEqual((await s3.send(new GetObjectTaggingCommand({ Bucket: b, Key: 'k' }))).TagSet, []);
      await rejects(s3.send(new GetObjectTaggingCommand({ Bucket: b, Key: 'missing' })), 'NoSuchKey', 404);

      await s3.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: 'Enabled' } }));
      const v1 = (await s3.send(new PutObjectCommand({ Bucket: b, Key: 'v', Body: '1' }))).VersionId!;
      const v2 = (await s3.send(new PutObjectCommand({ Bucket: b, Key: 'v', Body: '2' }))).VersionId!;
      const put = await s3.send(new PutObjectTaggingCommand({ Bucket: b, Key: 'v', VersionId: v1, Tagging: { TagSet: [{ Key: 'old', Value: 'yes' }] } }));
      assert.equal(put.VersionId, v1);
      got = await s3.send(new GetObjectTaggingCommand({ Bucket: b, Key: 'v' }));
      assert.deepEqual([got.VersionId, got.TagSet], [v2, []]);
      got = await s3.send(new GetObjectTaggingCommand({ Bucket: b, Key: 'v', VersionId: v1 }));
      assert.deepEqual([got.VersionId, got.TagSet], [v1, [{ Key: 'old', Value: 'yes' }]]);
      assert.equal((await s3.send(new DeleteObjectTaggingCommand({ Bucket: b, Key: 'v', VersionId: v1 }))).VersionId, v1);
      await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'v' }));
      await rejects(s3.send(new GetObjectTaggingCommand({ Bucket: b, Key: 'v' })), 'NoSuchKey', 404);
    });

    it('reports object attributes', async () => {
      const b = await newBucket();
      const put = await s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'hello', ChecksumAlgorithm: 'CRC32' }));
      const got = await s3.send(new GetObjectAttributesCommand({ Bucket: b, Key: 'k', ObjectAttributes: ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'] }));
      assert.equal(got.ETag, put.ETag!.replace(/"/g, ''));
      assert.equal(got.ObjectSize, 5);
      assert.equal(got.StorageClass, 'STANDARD');
      assert.equal(got.Checksum?.ChecksumCRC32, put.ChecksumCRC32);
      assert.equal(got.ObjectParts, undefined);
      assert.ok(got.LastModified instanceof Date);
      const some = await s3.send(new GetObjectAttributesCommand({ Bucket: b, Key: 'k', ObjectAttributes: ['ObjectSize'] }));
      assert.deepEqual([some.ObjectSize, some.ETag, some.StorageClass], [5, undefined, undefined]);
      await rejects(s3.send(new GetObjectAttributesCommand({ Bucket: b, Key: 'k', ObjectAttributes: ['Colour' as 'ETag'] })), 'InvalidArgument', 400, 'Invalid attribute name specified.');
      await rejects(s3.send(new GetObjectAttributesCommand({ Bucket: b, Key: 'nope', ObjectAttributes: ['ETag'] })), 'NoSuchKey', 404);

      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'mp', ChecksumAlgorithm: 'SHA256' }));
      const parts = [];
      for (const [i, body] of [Buffer.alloc(5 * 1024 * 1024, 1), Buffer.from('tail')].entries()) {
        const up = await s3.send(new UploadPartCommand({ Bucket: b, Key: 'mp', UploadId, PartNumber: i + 1, Body: body, ChecksumAlgorithm: 'SHA256' }));
        parts.push({ PartNumber: i + 1, ETag: up.ETag, ChecksumSHA256: up.ChecksumSHA256 });
      }
      const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket: b, Key: 'mp', UploadId, MultipartUpload: { Parts: parts } }));
      const mp = await s3.send(new GetObjectAttributesCommand({ Bucket: b, Key: 'mp', ObjectAttributes: ['ETag', 'Checksum', 'ObjectParts', 'ObjectSize'] }));
      assert.equal(mp.ETag, done.ETag!.replace(/"/g, ''));
      assert.match(mp.ETag!, /-2$/);
      assert.equal(mp.ObjectParts?.TotalPartsCount, 2);
      assert.equal(mp.ObjectSize, 5 * 1024 * 1024 + 4);
      assert.equal(mp.Checksum?.ChecksumSHA256, done.ChecksumSHA256!.replace(/-2$/, ''));
    });
  });

  describe('access', () => {
    it('serves anonymous reads through a public ACL only as Block Public Access allows', async () => {
      const b = await newBucket();
      await s3.send(new PutObjectCommand({ Bucket: b, Key: 'pic.txt', Body: 'public bytes' }));
      let res = await anonymousGet(b, 'pic.txt');
      assert.equal(res.status, 403);
      assert.match(await res.text(), /<Code>AccessDenied<\/Code><Message>Access Denied<\/Message>/);

      await s3.send(new DeletePublicAccessBlockCommand({ Bucket: b }));
      await s3.send(new PutBucketOwnershipControlsCommand({ Bucket: b, OwnershipControls: { Rules: [{ ObjectOwnership: 'ObjectWriter' }] } }));
      await s3.send(new PutObjectCommand({ Bucket: b, Key: 'pic.txt', Body: 'public bytes', ACL: 'public-read' }));
      res = await anonymousGet(b, 'pic.txt');
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'public bytes');
      // The ACL's READ is for the object, not for listing the bucket.
      assert.equal((await fetch(`${server.url}/${b}`)).status, 403);

      await s3.send(new PutPublicAccessBlockCommand({ Bucket: b, PublicAccessBlockConfiguration: { IgnorePublicAcls: true } }));
      res = await anonymousGet(b, 'pic.txt');
      assert.equal(res.status, 403);
      await res.text();

      await s3.send(new PutPublicAccessBlockCommand({ Bucket: b, PublicAccessBlockConfiguration: { IgnorePublicAcls: false } }));
      await s3.send(new PutObjectAclCommand({ Bucket: b, Key: 'pic.txt', ACL: 'private' }));
      res = await anonymousGet(b, 'pic.txt');
      assert.equal(res.status, 403);
      await res.text();
    });

    it('serves anonymous reads through a public bucket policy only as Block Public Access allows', async () => {
      const b = await newBucket();
      await s3.send(new PutObjectCommand({ Bucket: b, Key: 'doc.txt', Body: 'via policy' }));
      await rejects(s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy: publicRead(b) })), 'AccessDenied', 403);
      await s3.send(new PutPublicAccessBlockCommand({ Bucket: b, PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true } }));
      await s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy: publicRead(b) }));
      let res = await anonymousGet(b, 'doc.txt');
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'via policy');

      // BlockPublicPolicy only stops new public policies; RestrictPublicBuckets stops this one.
      await s3.send(new PutPublicAccessBlockCommand({ Bucket: b, PublicAccessBlockConfiguration: { BlockPublicPolicy: true } }));
      res = await anonymousGet(b, 'doc.txt');
      assert.equal(res.status, 200);
      await res.text();
      await s3.send(new PutPublicAccessBlockCommand({ Bucket: b, PublicAccessBlockConfiguration: { RestrictPublicBuckets: true } }));
      res = await anonymousGet(b, 'doc.txt');
      assert.equal(res.status, 403);
      await res.text();
      // The account's own principals keep their access.
      assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: b, Key: 'doc.txt' }))).Body!.transformToString(), 'via policy');
    });

    it('lets a bucket policy Deny beat an IAM Allow', async () => {
      const b = await newBucket();
      await s3.send(new PutObjectCommand({ Bucket: b, Key: 'secret', Body: 's' }));
      const user = await userClient('s3-denied-user', 'AmazonS3FullAccess');
      try {
        assert.equal(await (await user.send(new GetObjectCommand({ Bucket: b, Key: 'secret' }))).Body!.transformToString(), 's');
        const deny = JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Deny', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/s3-denied-user` }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${b}/*` }],
        });
        await s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy: deny }));
        const f = await rejects(user.send(new GetObjectCommand({ Bucket: b, Key: 'secret' })), 'AccessDenied', 403);
        assert.match(f.message, /s3:GetObject/);
        assert.match(f.message, /explicit deny in a resource-based policy/);
        // Everything else the IAM policy allows still works, including other config calls.
        await user.send(new PutObjectTaggingCommand({ Bucket: b, Key: 'secret', Tagging: { TagSet: [{ Key: 't', Value: '1' }] } }));
        // Unlike the root user, an IAM user is bound by a policy that denies it the bucket policy itself.
        const lockout = JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Deny', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/s3-denied-user` }, Action: 's3:GetBucketPolicy', Resource: `arn:aws:s3:::${b}` }],
        });
        await s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy: lockout }));
        await rejects(user.send(new GetBucketPolicyCommand({ Bucket: b })), 'AccessDenied', 403);
      } finally {
        user.destroy();
      }
    });

    it('maps configuration calls to the IAM actions AWS documents', async () => {
      const b = await newBucket();
      const user = await userClient('s3-cors-only', undefined, {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: ['s3:PutBucketCORS', 's3:PutBucketPublicAccessBlock', 's3:GetEncryptionConfiguration', 's3:PutBucketOwnershipControls'], Resource: `arn:aws:s3:::${b}` }],
      });
      try {
        await user.send(new PutBucketCorsCommand({ Bucket: b, CORSConfiguration: { CORSRules: [{ AllowedMethods: ['GET'], AllowedOrigins: ['*'] }] } }));
        await user.send(new DeleteBucketCorsCommand({ Bucket: b }));
        const f = await rejects(user.send(new GetBucketCorsCommand({ Bucket: b })), 'AccessDenied', 403);
        assert.match(f.message, /is not authorized to perform: s3:GetBucketCORS on resource: "arn:aws:s3:::/);
        await user.send(new DeletePublicAccessBlockCommand({ Bucket: b }));
        await user.send(new GetBucketEncryptionCommand({ Bucket: b }));
        await user.send(new DeleteBucketOwnershipControlsCommand({ Bucket: b }));
        await rejects(user.send(new GetBucketWebsiteCommand({ Bucket: b })), 'AccessDenied', 403);
        await rejects(user.send(new DeleteBucketWebsiteCommand({ Bucket: b })), 'AccessDenied', 403);
      } finally {
        user.destroy();
      }
    });

    it('refuses a presigned URL once it has expired', async () => {
      const b = await newBucket();
      await s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'presigned' }));
      const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: b, Key: 'k' }), { expiresIn: 1 });
      const fresh = await fetch(url);
      assert.equal(fresh.status, 200);
      assert.equal(await fresh.text(), 'presigned');
      await new Promise((r) => setTimeout(r, 2100));
      const res = await fetch(url);
      assert.equal(res.status, 403);
      assert.match(await res.text(), /<Code>AccessDenied<\/Code><Message>Request has expired<\/Message>/);
    });
  });
});
