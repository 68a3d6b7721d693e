/**
 * Bucket settings that are not about access: CORS, static website hosting,
 * event notifications and default encryption.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketCors.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketWebsite.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketNotificationConfiguration.html ("it first
 * verifies that any Amazon SNS or Amazon SQS destination exists, and that the bucket owner has
 * permission to publish to it by sending a test notification")
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketEncryption.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-encryption-faq.html (SSE-S3 is
 * every bucket's default since January 2023; deleting the configuration restores it)
 * IAM actions: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
 */
import type { RequestContext } from '../../core/context.js';
import { hostId } from '../../protocol/index.js';
import type { WriteOp } from '../../storage/types.js';
import { s3op } from './access.js';
import { bucketArn, type Operations, type S3Context, type TopicTarget } from './common.js';
import { validateCorsConfiguration, type CorsConfiguration } from './cors.js';
import { s3Errors } from './errors.js';
import { SNS_SUBJECT, testEvent, validateNotificationConfiguration, type DestinationCheck, type NotificationConfiguration } from './notifications.js';
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

/**
 * S3 validates an SNS destination by publishing its s3:TestEvent to it (and
 * never sends one to a Lambda function, whose permission it only checks): the
 * topic must exist and its policy must let s3.amazonaws.com publish for this
 * bucket. `check` is the validation hook, once per topic; `send` commits the
 * test messages after the configuration was saved. A configuration refused
 * (or saved with SkipDestinationValidation) sends none.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 */
function topicTests(c: S3Context, sns: TopicTarget, bucket: string, accountId: string, ctx: RequestContext) {
  const message = JSON.stringify(testEvent(bucket, new Date(), ctx.requestId, hostId(ctx.requestId)));
  const source = { sourceArn: bucketArn(bucket), sourceAccount: accountId };
  const checked = new Map<string, Promise<DestinationCheck>>();
  const ops: WriteOp[] = [];
  const publish = async (topicArn: string): Promise<DestinationCheck> => {
    const result = await sns.publishOps(topicArn, { subject: SNS_SUBJECT, message }, source, ctx.endpoint);
    if (result.ok) {
      ops.push(...result.ops);
      return true;
    }
    return result.code === 'NotFound' ? 'missing' : false;
  };
  return {
    check(topicArn: string): Promise<DestinationCheck> {
      let answer = checked.get(topicArn);
      if (!answer) checked.set(topicArn, (answer = publish(topicArn)));
      return answer;
    },
    async send(): Promise<void> {
      if (ops.length === 0) return;
      try {
        await c.deps.store.batch(ops);
        sns.wake();
      } catch (err) {
        // The configuration is saved; only its test message is lost (a topic deleted meanwhile).
        ctx.log.warn('the s3:TestEvent could not be published', { bucket, err });
      }
    },
  };
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

    PutBucketNotificationConfiguration: s3op(c, bucketAccess('s3:PutBucketNotification'), async (input, ctx) => {
      const bucket = await c.db.requireBucket(input.Bucket);
      const cfg = (input.NotificationConfiguration ?? {}) as NotificationConfiguration;
      const lambda = c.deps.lambda;
      const tests = c.deps.sns ? topicTests(c, c.deps.sns, bucket.name, bucket.accountId, ctx) : undefined;
      await validateNotificationConfiguration(cfg, {
        region: bucket.region,
        accountId: bucket.accountId,
        canInvoke: async (arn) => (lambda ? lambda.canInvoke(arn, bucketArn(bucket.name), bucket.accountId) : false),
        ...(tests ? { canPublish: tests.check } : {}),
        skipDestinationValidation: input.SkipDestinationValidation === true,
      });
      await c.db.updateBucket(input.Bucket, (b) => {
        if (hasDestinations(cfg)) b.notification = cfg;
        else delete b.notification;
      });
      await tests?.send();
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
