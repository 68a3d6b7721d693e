/**
 * Bucket settings that are not about access: CORS, static website hosting,
 * event notifications and default encryption.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketCors.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketWebsite.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketNotificationConfiguration.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketEncryption.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-encryption-faq.html (SSE-S3 is
 * every bucket's default since January 2023; deleting the configuration restores it)
 * IAM actions: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
 */
import { s3op } from './access.js';
import { bucketArn, type Operations, type S3Context } from './common.js';
import { validateCorsConfiguration, type CorsConfiguration } from './cors.js';
import { s3Errors } from './errors.js';
import { validateNotificationConfiguration, type NotificationConfiguration } from './notifications.js';
import { validateWebsiteConfiguration, type WebsiteConfiguration } from './website.js';

const SSE_ALGORITHMS = ['AES256', 'aws:kms', 'aws:kms:dsse'];

interface EncryptionRule {
  ApplyServerSideEncryptionByDefault: { SSEAlgorithm: string; KMSMasterKeyID?: string };
  BucketKeyEnabled: boolean;
}

const DEFAULT_ENCRYPTION: { Rules: EncryptionRule[] } = { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false }] };

function validateEncryption(cfg: unknown): { Rules: EncryptionRule[] } {
  const rules = (cfg as { Rules?: unknown } | undefined)?.Rules;
  if (!Array.isArray(rules) || rules.length !== 1) throw s3Errors.malformedXml();
  const rule = rules[0] as { ApplyServerSideEncryptionByDefault?: { SSEAlgorithm?: unknown; KMSMasterKeyID?: unknown }; BucketKeyEnabled?: unknown };
  const d = rule?.ApplyServerSideEncryptionByDefault;
  if (!d || typeof d.SSEAlgorithm !== 'string' || !SSE_ALGORITHMS.includes(d.SSEAlgorithm)) throw s3Errors.malformedXml();
  if (d.KMSMasterKeyID !== undefined && d.SSEAlgorithm === 'AES256') {
    throw s3Errors.invalidArgument('a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse', 'ApplyServerSideEncryptionByDefault');
  }
  const byDefault: EncryptionRule['ApplyServerSideEncryptionByDefault'] = { SSEAlgorithm: d.SSEAlgorithm };
  if (typeof d.KMSMasterKeyID === 'string') byDefault.KMSMasterKeyID = d.KMSMasterKeyID;
  return { Rules: [{ ApplyServerSideEncryptionByDefault: byDefault, BucketKeyEnabled: rule.BucketKeyEnabled === true }] };
}

function hasDestinations(cfg: NotificationConfiguration): boolean {
  return Boolean(cfg.TopicConfigurations?.length || cfg.QueueConfigurations?.length || cfg.LambdaFunctionConfigurations?.length || cfg.EventBridgeConfiguration);
}

export function bucketSettingsOperations(c: S3Context): Operations {
  const bucketAccess = (action: string) => (input: any) => ({ action, bucket: input.Bucket as string });

  return {
    PutBucketCors: s3op(c, bucketAccess('s3:PutBucketCORS'), async (input) => {
      await c.db.requireBucket(input.Bucket);
      validateCorsConfiguration(input.CORSConfiguration);
      const cfg = input.CORSConfiguration as CorsConfiguration;
      await c.db.updateBucket(input.Bucket, (b) => {
        b.cors = { CORSRules: cfg.CORSRules };
      });
      return {};
    }),

    GetBucketCors: s3op(c, bucketAccess('s3:GetBucketCORS'), async (input) => {
      const b = await c.db.requireBucket(input.Bucket);
      const cfg = b.cors as CorsConfiguration | undefined;
      if (!cfg) throw s3Errors.noSuchConfiguration('NoSuchCORSConfiguration', 'The CORS configuration does not exist', input.Bucket);
      return { CORSRules: cfg.CORSRules };
    }),

    DeleteBucketCors: s3op(c, bucketAccess('s3:PutBucketCORS'), async (input) => {
      await c.db.updateBucket(input.Bucket, (b) => {
        delete b.cors;
      });
      return {};
    }),

    PutBucketWebsite: s3op(c, bucketAccess('s3:PutBucketWebsite'), async (input) => {
      await c.db.requireBucket(input.Bucket);
      validateWebsiteConfiguration(input.WebsiteConfiguration);
      const cfg = input.WebsiteConfiguration as WebsiteConfiguration;
      await c.db.updateBucket(input.Bucket, (b) => {
        b.website = cfg;
      });
      return {};
    }),

    GetBucketWebsite: s3op(c, bucketAccess('s3:GetBucketWebsite'), async (input) => {
      const b = await c.db.requireBucket(input.Bucket);
      const cfg = b.website as WebsiteConfiguration | undefined;
      if (!cfg) throw s3Errors.noSuchConfiguration('NoSuchWebsiteConfiguration', 'The specified bucket does not have a website configuration', input.Bucket);
      return { RedirectAllRequestsTo: cfg.RedirectAllRequestsTo, IndexDocument: cfg.IndexDocument, ErrorDocument: cfg.ErrorDocument, RoutingRules: cfg.RoutingRules };
    }),

    DeleteBucketWebsite: s3op(c, bucketAccess('s3:DeleteBucketWebsite'), async (input) => {
      await c.db.updateBucket(input.Bucket, (b) => {
        delete b.website;
      });
      return {};
    }),

    PutBucketNotificationConfiguration: s3op(c, bucketAccess('s3:PutBucketNotification'), async (input) => {
      const bucket = await c.db.requireBucket(input.Bucket);
      const cfg = (input.NotificationConfiguration ?? {}) as NotificationConfiguration;
      const lambda = c.deps.lambda;
      await validateNotificationConfiguration(cfg, {
        region: bucket.region,
        accountId: bucket.accountId,
        canInvoke: async (arn) => (lambda ? lambda.canInvoke(arn, bucketArn(bucket.name), bucket.accountId) : false),
        skipDestinationValidation: input.SkipDestinationValidation === true,
      });
      // S3 publishes an s3:TestEvent to each SNS topic and SQS queue a saved
      // configuration names, never to a Lambda function (it only checks the
      // function's permission). Stratus has only Lambda destinations, so there
      // is nothing to send here.
      await c.db.updateBucket(input.Bucket, (b) => {
        if (hasDestinations(cfg)) b.notification = cfg;
        else delete b.notification;
      });
      return {};
    }),

    GetBucketNotificationConfiguration: s3op(c, bucketAccess('s3:GetBucketNotification'), async (input) => {
      const b = await c.db.requireBucket(input.Bucket);
      return { ...((b.notification as NotificationConfiguration | undefined) ?? {}) };
    }),

    PutBucketEncryption: s3op(c, bucketAccess('s3:PutEncryptionConfiguration'), async (input) => {
      await c.db.requireBucket(input.Bucket);
      const cfg = validateEncryption(input.ServerSideEncryptionConfiguration);
      await c.db.updateBucket(input.Bucket, (b) => {
        b.encryption = cfg;
      });
      return {};
    }),

    GetBucketEncryption: s3op(c, bucketAccess('s3:GetEncryptionConfiguration'), async (input) => {
      const b = await c.db.requireBucket(input.Bucket);
      return { ServerSideEncryptionConfiguration: (b.encryption as typeof DEFAULT_ENCRYPTION | undefined) ?? DEFAULT_ENCRYPTION };
    }),

    DeleteBucketEncryption: s3op(c, bucketAccess('s3:PutEncryptionConfiguration'), async (input) => {
      await c.db.updateBucket(input.Bucket, (b) => {
        delete b.encryption;
      });
      return {};
    }),
  };
}
