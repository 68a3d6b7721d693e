/**
 * Pipelines: the queue jobs go through, its buckets, its role and its
 * notification topics. CreatePipeline/UpdatePipeline validate names,
 * bucket names, the role (it must exist; callers need iam:PassRole), SNS
 * topic ARNs, and OutputBucket versus ContentConfig+ThumbnailConfig.
 * UpdatePipelineStatus pauses (queued jobs wait) and resumes; DeletePipeline
 * refuses a pipeline with Submitted or Progressing jobs
 * (ResourceInUseException). TestRole answers what the role may do.
 * https://docs.aws.amazon.com/elastictranscoder/latest/developerguide/create-pipeline.html
 * https://docs.aws.amazon.com/elastictranscoder/latest/developerguide/pipeline-settings.html
 */
import type { RequestContext } from '../../core/context.js';
import { arnOf, ascending, compact, ownerKey, page, TABLES, type ActiveDoc, type BucketConfig, type Notifications, type Operations, type Owner, type PipelineDoc, type TranscoderContext } from './common.js';
import { inUse, notFound, validation } from './errors.js';
import { at, BUCKET_PATTERN, Constraints, ID_PATTERN, newId, PIPELINE_STATUS_PATTERN, ROLE_PATTERN, SNS_TOPIC_PATTERN, STORAGE_CLASS_PATTERN } from './names.js';
import { checkPipelineRole, roleFromArn, roleSession, trustsTranscoder } from './roles.js';

const NOTIFICATION_MEMBERS = ['Progressing', 'Completed', 'Warning', 'Error'] as const;
const ACCESS_PATTERN = '(^FullControl$)|(^Read$)|(^ReadAcp$)|(^WriteAcp$)';

function owner(ctx: RequestContext): Owner {
  return { accountId: ctx.accountId, region: ctx.region };
}

function checkNotifications(c: Constraints, n: Partial<Notifications> | undefined): void {
  if (!n) return;
  for (const m of NOTIFICATION_MEMBERS) c.pattern(n[m], at('Notifications', m), SNS_TOPIC_PATTERN);
}

function checkBucketConfig(c: Constraints, name: string, cfg: BucketConfig | undefined): void {
  if (!cfg) return;
  c.pattern(cfg.Bucket, at(name, 'Bucket'), BUCKET_PATTERN);
  c.pattern(cfg.StorageClass, at(name, 'StorageClass'), STORAGE_CLASS_PATTERN);
  c.count(cfg.Permissions, at(name, 'Permissions'), 30);
  (cfg.Permissions ?? []).forEach((p, i) => {
    c.pattern(p.GranteeType, at(name, 'Permissions', i, 'GranteeType'), '(^Canonical$)|(^Email$)|(^Group$)');
    c.length(p.Grantee, at(name, 'Permissions', i, 'Grantee'), 1, 255);
    c.count(p.Access, at(name, 'Permissions', i, 'Access'), 30);
    (p.Access ?? []).forEach((a, j) => c.pattern(a, at(name, 'Permissions', i, 'Access', j), ACCESS_PATTERN));
  });
}

function notifications(n: Partial<Notifications> | undefined, previous?: Notifications): Notifications {
  const out = { Progressing: '', Completed: '', Warning: '', Error: '', ...previous };
  if (n) for (const m of NOTIFICATION_MEMBERS) out[m] = n[m] ?? '';
  return out;
}

/** Buckets the pipeline names must exist (ETS checks them when the pipeline is saved). */
async function checkBuckets(c: TranscoderContext, buckets: Array<string | undefined>): Promise<void> {
  for (const b of buckets) {
    if (b && !(await c.deps.objects.bucketExists(b))) throw validation(`The specified bucket does not exist: bucket=${b}.`);
  }
}

/** Where a pipeline writes outputs, and where thumbnails. */
export function outputBuckets(p: PipelineDoc): { content: BucketConfig & { Bucket: string }; thumbnails: BucketConfig & { Bucket: string } } {
  return {
    content: { ...p.ContentConfig, Bucket: p.ContentConfig.Bucket ?? p.OutputBucket! },
    thumbnails: { ...p.ThumbnailConfig, Bucket: p.ThumbnailConfig.Bucket ?? p.OutputBucket! },
  };
}

export function pipelineView(p: PipelineDoc): Record<string, unknown> {
  const { createdAt: _created, ...shown } = p;
  return compact({ ...shown });
}

export async function findPipeline(c: TranscoderContext, o: Owner, id: string): Promise<{ doc: PipelineDoc; version: number } | undefined> {
  const found = await c.deps.store.get<PipelineDoc>(TABLES.pipelines, ownerKey(o, id));
  return found ? { doc: found.value, version: found.version } : undefined;
}

async function requirePipeline(c: TranscoderContext, ctx: RequestContext, id: string): Promise<{ doc: PipelineDoc; version: number }> {
  const c2 = new Constraints();
  c2.pattern(id, 'id', ID_PATTERN);
  c2.check();
  const found = await findPipeline(c, owner(ctx), id);
  if (!found) throw notFound('pipeline', ctx.accountId, id);
  return found;
}

async function activeJobs(c: TranscoderContext, o: Owner, pipelineId: string): Promise<number> {
  const active = await c.deps.store.list<ActiveDoc>(TABLES.active);
  return active.filter((a) => a.value.accountId === o.accountId && a.value.region === o.region && a.value.pipelineId === pipelineId).length;
}

export function pipelineOperations(c: TranscoderContext): Operations {
  const resources = (input: { Id?: string }, ctx: RequestContext) => [arnOf('pipeline', owner(ctx), input.Id ?? '*')];

  const update = async (ctx: RequestContext, id: string, change: (p: PipelineDoc) => PipelineDoc): Promise<PipelineDoc> => {
    for (;;) {
      const { doc, version } = await requirePipeline(c, ctx, id);
      const next = change(doc);
      try {
        await c.deps.store.put(TABLES.pipelines, ownerKey(owner(ctx), id), next, { ifVersion: version });
        return next;
      } catch (err) {
        if ((err as Error).name !== 'ConditionFailedError') throw err;
      }
    }
  };

  return {
    CreatePipeline: {
      async handler(input: Record<string, any>, ctx) {
        const v = new Constraints();
        if (v.required(input.Name, 'name')) v.length(input.Name, 'name', 1, 40);
        if (v.required(input.InputBucket, 'inputBucket')) v.pattern(input.InputBucket, 'inputBucket', BUCKET_PATTERN);
        v.pattern(input.OutputBucket, 'outputBucket', BUCKET_PATTERN);
        if (v.required(input.Role, 'role')) v.pattern(input.Role, 'role', ROLE_PATTERN);
        checkNotifications(v, input.Notifications);
        checkBucketConfig(v, 'ContentConfig', input.ContentConfig);
        checkBucketConfig(v, 'ThumbnailConfig', input.ThumbnailConfig);
        v.check();
        const content = input.ContentConfig as BucketConfig | undefined;
        const thumbs = input.ThumbnailConfig as BucketConfig | undefined;
        if (input.OutputBucket && (content?.Bucket || thumbs?.Bucket)) throw validation('Specify either OutputBucket, or ContentConfig:Bucket and ThumbnailConfig:Bucket, but not both.');
        if (!input.OutputBucket && !(content?.Bucket && thumbs?.Bucket)) throw validation('Specify either OutputBucket, or both ContentConfig:Bucket and ThumbnailConfig:Bucket.');
        await checkPipelineRole(c, input.Role, ctx);
        await checkBuckets(c, [input.InputBucket, input.OutputBucket, content?.Bucket, thumbs?.Bucket]);
        const id = newId();
        const o = owner(ctx);
        const withBucket = (cfg: BucketConfig | undefined): BucketConfig => compact({ Bucket: cfg?.Bucket ?? input.OutputBucket, StorageClass: cfg?.StorageClass, Permissions: cfg?.Permissions ?? [] });
        const doc: PipelineDoc = compact({
          Id: id,
          Arn: arnOf('pipeline', o, id),
          Name: input.Name,
          Status: 'Active' as const,
          InputBucket: input.InputBucket,
          OutputBucket: input.OutputBucket,
          Role: input.Role,
          AwsKmsKeyArn: input.AwsKmsKeyArn,
          Notifications: notifications(input.Notifications),
          ContentConfig: withBucket(content),
          ThumbnailConfig: withBucket(thumbs),
          createdAt: Date.now(),
        });
        await c.deps.store.put(TABLES.pipelines, ownerKey(o, id), doc, { ifNotExists: true });
        return { Pipeline: pipelineView(doc), Warnings: [] };
      },
    },

    ListPipelines: {
      async handler(input: { Ascending?: string; PageToken?: string }, ctx) {
        const all = (await c.deps.store.list<PipelineDoc>(TABLES.pipelines, { prefix: ownerKey(owner(ctx), '') })).map((d) => d.value);
        if (!ascending(input.Ascending)) all.reverse();
        const { items, next } = page(all, (p) => p.Id, input.PageToken);
        return { Pipelines: items.map(pipelineView), NextPageToken: next };
      },
    },

    ReadPipeline: {
      resources,
      async handler(input: { Id: string }, ctx) {
        return { Pipeline: pipelineView((await requirePipeline(c, ctx, input.Id)).doc), Warnings: [] };
      },
    },

    UpdatePipeline: {
      resources,
      async handler(input: Record<string, any>, ctx) {
        const v = new Constraints();
        v.length(input.Name, 'name', 1, 40);
        v.pattern(input.InputBucket, 'inputBucket', BUCKET_PATTERN);
        v.pattern(input.Role, 'role', ROLE_PATTERN);
        checkNotifications(v, input.Notifications);
        checkBucketConfig(v, 'ContentConfig', input.ContentConfig);
        checkBucketConfig(v, 'ThumbnailConfig', input.ThumbnailConfig);
        v.check();
        if (input.Role) await checkPipelineRole(c, input.Role, ctx);
        await checkBuckets(c, [input.InputBucket, input.ContentConfig?.Bucket, input.ThumbnailConfig?.Bucket]);
        const doc = await update(ctx, input.Id, (p) => {
          const next: PipelineDoc = { ...p };
          if (input.Name !== undefined) next.Name = input.Name;
          if (input.InputBucket !== undefined) next.InputBucket = input.InputBucket;
          if (input.Role !== undefined) next.Role = input.Role;
          if (input.AwsKmsKeyArn !== undefined) next.AwsKmsKeyArn = input.AwsKmsKeyArn;
          if (input.Notifications !== undefined) next.Notifications = notifications(input.Notifications, p.Notifications);
          for (const member of ['ContentConfig', 'ThumbnailConfig'] as const) {
            const cfg = input[member] as BucketConfig | undefined;
            if (!cfg) continue;
            next[member] = compact({ Bucket: cfg.Bucket ?? p[member].Bucket, StorageClass: cfg.StorageClass, Permissions: cfg.Permissions ?? [] });
            // Separate content and thumbnail buckets replace the single OutputBucket.
            if (cfg.Bucket && cfg.Bucket !== p.OutputBucket) delete next.OutputBucket;
          }
          return next;
        });
        return { Pipeline: pipelineView(doc), Warnings: [] };
      },
    },

    UpdatePipelineStatus: {
      resources,
      async handler(input: { Id: string; Status: string }, ctx) {
        const v = new Constraints();
        if (v.required(input.Status, 'status')) v.pattern(input.Status, 'status', PIPELINE_STATUS_PATTERN);
        v.check();
        const doc = await update(ctx, input.Id, (p) => ({ ...p, Status: input.Status as PipelineDoc['Status'] }));
        if (doc.Status === 'Active') c.wake();
        return { Pipeline: pipelineView(doc) };
      },
    },

    UpdatePipelineNotifications: {
      resources,
      async handler(input: { Id: string; Notifications: Partial<Notifications> }, ctx) {
        const v = new Constraints();
        v.required(input.Notifications, 'notifications');
        checkNotifications(v, input.Notifications);
        v.check();
        const doc = await update(ctx, input.Id, (p) => ({ ...p, Notifications: notifications(input.Notifications, p.Notifications) }));
        return { Pipeline: pipelineView(doc) };
      },
    },

    DeletePipeline: {
      resources,
      async handler(input: { Id: string }, ctx) {
        const { version } = await requirePipeline(c, ctx, input.Id);
        if ((await activeJobs(c, owner(ctx), input.Id)) > 0) {
          throw inUse(`The pipeline cannot be deleted while it has jobs that are Submitted or Progressing: account=${ctx.accountId}, pipelineId=${input.Id}.`);
        }
        await c.deps.store.delete(TABLES.pipelines, ownerKey(owner(ctx), input.Id), { ifVersion: version });
        return {};
      },
    },

    TestRole: {
      async handler(input: { Role: string; InputBucket: string; OutputBucket: string; Topics: string[] }) {
        const v = new Constraints();
        if (v.required(input.Role, 'role')) v.pattern(input.Role, 'role', ROLE_PATTERN);
        if (v.required(input.InputBucket, 'inputBucket')) v.pattern(input.InputBucket, 'inputBucket', BUCKET_PATTERN);
        if (v.required(input.OutputBucket, 'outputBucket')) v.pattern(input.OutputBucket, 'outputBucket', BUCKET_PATTERN);
        v.required(input.Topics, 'topics');
        (input.Topics ?? []).forEach((t, i) => v.pattern(t, at('Topics', i), SNS_TOPIC_PATTERN));
        v.check();
        const role = await roleFromArn(c, input.Role);
        if (!role) return { Success: 'false', Messages: [`The role ${input.Role} does not exist.`] };
        if (!trustsTranscoder(role)) return { Success: 'false', Messages: [`The role ${input.Role} cannot be assumed by Elastic Transcoder (its trust policy does not allow elastictranscoder.amazonaws.com).`] };
        const principal = roleSession(role, 'ElasticTranscoderTestRole');
        const messages: string[] = [];
        const allowed = async (action: string, resource: string) => (await c.deps.authorizer.authorize({ principal, action, resources: [resource], context: {} })).allowed;
        if (!(await allowed('s3:GetObject', `arn:aws:s3:::${input.InputBucket}/*`))) messages.push(`The role ${input.Role} does not have access to the bucket: ${input.InputBucket}.`);
        if (!(await allowed('s3:PutObject', `arn:aws:s3:::${input.OutputBucket}/*`))) messages.push(`The role ${input.Role} does not have access to the bucket: ${input.OutputBucket}.`);
        for (const topic of input.Topics ?? []) {
          if (topic && !(await allowed('sns:Publish', topic))) messages.push(`The role ${input.Role} does not have access to the topic: ${topic}.`);
        }
        return { Success: messages.length ? 'false' : 'true', Messages: messages };
      },
    },
  };
}
