/**
 * Jobs through the API: CreateJob validates the request and the presets it
 * names, stores the job as Submitted (durably, with its presets copied, so a
 * later DeletePreset cannot break it) and wakes the workers; ReadJob,
 * ListJobsByPipeline and ListJobsByStatus (pages of 50, newest first unless
 * Ascending=true); CancelJob only while the job is Submitted, else
 * ResourceInUseException. Running jobs: runner.ts and execute.ts.
 * https://docs.aws.amazon.com/elastictranscoder/latest/developerguide/create-job.html
 * https://docs.aws.amazon.com/elastictranscoder/latest/developerguide/job-settings.html
 */
import { posix } from 'node:path';
import type { RequestContext } from '../../core/context.js';
import { arnOf, compact, ownerKey, PAGE_SIZE, TABLES, type JobDoc, type JobInputDoc, type JobOutputDoc, type Operations, type Owner, type PlaylistDoc, type TranscoderContext } from './common.js';
import { inUse, notFound, unsupported, validation } from './errors.js';
import { commit, createOps, readJob, transitionOps } from './job-store.js';
import { at, Constraints, FLOAT_PATTERN, ID_PATTERN, JOB_STATUS_PATTERN, newId, ROTATE_PATTERN, THUMBNAIL_PATTERN } from './names.js';
import { findPipeline } from './pipelines.js';
import { findPreset } from './presets.js';

const TIME_PATTERN = '(^\\d{1,5}(\\.\\d{0,3})?$)|(^([0-1]?[0-9]:|2[0-3]:)?([0-5]?[0-9]:)?[0-5]?[0-9](\\.\\d{0,3})?$)';
const METADATA_RE = /^[0-9A-Za-z _.:/=+\-%@]*$/;

function owner(ctx: RequestContext): Owner {
  return { accountId: ctx.accountId, region: ctx.region };
}

/** "HH:mm:ss.SSS" or "sssss.SSS" → seconds. */
export function parseTime(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  return value.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
}

export function jobView(job: JobDoc): Record<string, unknown> {
  const outputs = job.Outputs.map(({ preset: _p, errorCode: _e, ...o }) => compact({ ...o }));
  return compact({
    Id: job.Id,
    Arn: job.Arn,
    PipelineId: job.PipelineId,
    Input: job.Input,
    Inputs: [job.Input],
    Output: outputs[0],
    Outputs: outputs,
    OutputKeyPrefix: job.OutputKeyPrefix,
    Playlists: job.Playlists,
    Status: job.Status,
    UserMetadata: job.UserMetadata,
    Timing: job.Timing,
  });
}

function rejectUnsupported(o: Record<string, any>, what: string, members: string[]): void {
  for (const m of members) {
    const v = o[m];
    if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) continue;
    throw unsupported(`${what}:${m}`);
  }
}

function checkRequest(input: Record<string, any>): { jobInput: Record<string, any>; outputs: Array<Record<string, any>> } {
  const c = new Constraints();
  if (c.required(input.PipelineId, 'pipelineId')) c.pattern(input.PipelineId, 'pipelineId', ID_PATTERN);
  const inputs: Array<Record<string, any>> = input.Inputs?.length ? input.Inputs : input.Input ? [input.Input] : [];
  if (inputs.length === 0) c.required(undefined, 'input');
  inputs.forEach((inp, i) => {
    const base = input.Inputs?.length ? at('Inputs', i) : 'input';
    if (c.required(inp.Key, `${base}.key`)) c.length(inp.Key, `${base}.key`, 1, 1024);
    c.pattern(inp.FrameRate, `${base}.frameRate`, '(^auto$)|(^10$)|(^15$)|(^23.97$)|(^24$)|(^25$)|(^29.97$)|(^30$)|(^60$)');
    c.pattern(inp.Resolution, `${base}.resolution`, '(^auto$)|(^\\d{1,5}x\\d{1,5}$)');
    c.pattern(inp.AspectRatio, `${base}.aspectRatio`, '(^auto$)|(^1:1$)|(^4:3$)|(^3:2$)|(^16:9$)');
    c.pattern(inp.Interlaced, `${base}.interlaced`, '(^auto$)|(^true$)|(^false$)');
    c.pattern(inp.TimeSpan?.StartTime, `${base}.timeSpan.startTime`, TIME_PATTERN);
    c.pattern(inp.TimeSpan?.Duration, `${base}.timeSpan.duration`, TIME_PATTERN);
  });
  const outputs: Array<Record<string, any>> = input.Outputs?.length ? input.Outputs : input.Output ? [input.Output] : [];
  c.count(input.Outputs, 'outputs', 30);
  outputs.forEach((o, i) => {
    const base = input.Outputs?.length ? at('Outputs', i) : 'output';
    if (c.required(o.Key, `${base}.key`)) c.length(o.Key, `${base}.key`, 1, 255);
    if (c.required(o.PresetId, `${base}.presetId`)) c.pattern(o.PresetId, `${base}.presetId`, ID_PATTERN);
    c.pattern(o.ThumbnailPattern, `${base}.thumbnailPattern`, THUMBNAIL_PATTERN);
    c.pattern(o.Rotate, `${base}.rotate`, ROTATE_PATTERN);
    c.pattern(o.SegmentDuration, `${base}.segmentDuration`, FLOAT_PATTERN);
  });
  c.length(input.OutputKeyPrefix, 'outputKeyPrefix', 1, 255);
  c.count(input.Playlists, 'playlists', 30);
  (input.Playlists ?? []).forEach((p: Record<string, any>, i: number) => {
    if (c.required(p.Name, at('Playlists', i, 'Name'))) c.length(p.Name, at('Playlists', i, 'Name'), 1, 255);
    c.pattern(p.Format, at('Playlists', i, 'Format'), '(^HLSv3$)|(^HLSv4$)|(^Smooth$)|(^MPEG-DASH$)');
    c.count(p.OutputKeys, at('Playlists', i, 'OutputKeys'), 30);
  });
  c.check();
  if (input.Input && input.Inputs?.length) throw validation('Specify either Input or Inputs, but not both.');
  if (input.Output && input.Outputs?.length) throw validation('Specify either Output or Outputs, but not both.');
  if (outputs.length === 0) throw validation('A job must have at least one output: specify Output or Outputs.');
  if (inputs.length > 1) throw unsupported('Joining several Inputs (clip stitching)');
  rejectUnsupported(inputs[0]!, 'Input', ['Encryption', 'InputCaptions']);
  for (const o of outputs) rejectUnsupported(o, 'Output', ['Encryption', 'ThumbnailEncryption', 'Watermarks', 'AlbumArt', 'Captions', 'Composition']);
  const keys = new Set<string>();
  for (const o of outputs) {
    if (keys.has(o.Key)) throw validation(`The value of Outputs:Key must be unique within a job: ${o.Key}.`);
    keys.add(o.Key);
    const seg = o.SegmentDuration === undefined ? undefined : Number(o.SegmentDuration);
    if (seg !== undefined && (seg < 1 || seg > 60)) throw validation(`SegmentDuration must be between 1 and 60 seconds: ${o.SegmentDuration}.`);
  }
  const meta = input.UserMetadata as Record<string, string> | undefined;
  if (meta) {
    const entries = Object.entries(meta);
    if (entries.length > 10) throw validation('UserMetadata can contain at most 10 key/value pairs.');
    for (const [k, v] of entries) {
      if (k.length < 1 || k.length > 128 || !METADATA_RE.test(k)) throw validation(`Invalid UserMetadata key: ${k}. Keys are 1-128 characters from 0-9, A-Z, a-z, space and _.:/=+-%@.`);
      if (typeof v !== 'string' || v.length > 256 || !METADATA_RE.test(v)) throw validation(`Invalid UserMetadata value for key ${k}. Values are 0-256 characters from 0-9, A-Z, a-z, space and _.:/=+-%@.`);
    }
  }
  return { jobInput: inputs[0]!, outputs };
}

function checkPlaylists(playlists: Array<Record<string, any>> | undefined, outputs: JobOutputDoc[]): PlaylistDoc[] | undefined {
  if (!playlists?.length) return undefined;
  const dirs = new Set(playlists.map((p) => (p.Name.includes('/') ? posix.dirname(p.Name) : '')));
  if (dirs.size > 1) throw validation('If playlist names include a /, the part before the last / must be the same for every playlist in a job.');
  const names = new Set<string>();
  return playlists.map((p) => {
    if (names.has(p.Name)) throw validation(`Playlist names must be unique within a job: ${p.Name}.`);
    names.add(p.Name);
    if (p.Format !== 'HLSv3') throw unsupported(`Playlists of format ${p.Format} (Stratus writes HLSv3 playlists)`);
    rejectUnsupported(p, 'Playlist', ['HlsContentProtection', 'PlayReadyDrm']);
    const keys: string[] = p.OutputKeys ?? [];
    if (keys.length === 0) throw validation(`Playlist ${p.Name} must list at least one output in OutputKeys.`);
    const durations = new Set<string>();
    for (const key of keys) {
      const out = outputs.find((o) => o.Key === key);
      if (!out) throw validation(`The output key ${key} in playlist ${p.Name} does not match the Key of any output in the job.`);
      if (out.preset.Container !== 'ts' || out.SegmentDuration === undefined) throw validation(`Output ${key} in an HLSv3 playlist must use a preset whose container is ts and specify SegmentDuration.`);
      durations.add(out.SegmentDuration);
    }
    if (durations.size > 1) throw validation(`All outputs in playlist ${p.Name} must have the same SegmentDuration.`);
    return { Name: p.Name, Format: p.Format, OutputKeys: keys, Status: 'Submitted' as const };
  });
}

async function listJobs(c: TranscoderContext, o: Owner, prefix: string, ascendingOrder: boolean, token: string | undefined): Promise<{ Jobs: Record<string, unknown>[]; NextPageToken?: string }> {
  let ids = (await c.deps.store.list(prefix.startsWith('status:') ? TABLES.jobsByStatus : TABLES.jobsByPipeline, { prefix: ownerKey(o, `${prefix.replace(/^status:/, '')}/`) })).map((d) => d.key.slice(d.key.lastIndexOf('/') + 1));
  if (!ascendingOrder) ids.reverse();
  if (token) {
    const at = ids.indexOf(token);
    ids = at < 0 ? [] : ids.slice(at + 1);
  }
  const slice = ids.slice(0, PAGE_SIZE);
  const jobs: Record<string, unknown>[] = [];
  for (const id of slice) {
    const found = await readJob(c.deps.store, o, id);
    if (found) jobs.push(jobView(found.job));
  }
  return { Jobs: jobs, NextPageToken: ids.length > PAGE_SIZE ? slice[slice.length - 1] : undefined };
}

function checkJobId(id: unknown): void {
  const c = new Constraints();
  c.pattern(id, 'id', ID_PATTERN);
  c.check();
}

export function jobOperations(c: TranscoderContext): Operations {
  return {
    CreateJob: {
      resources: (input: { PipelineId?: string }, ctx) => [arnOf('pipeline', owner(ctx), input.PipelineId ?? '*')],
      async handler(input: Record<string, any>, ctx) {
        const { jobInput, outputs: requested } = checkRequest(input);
        const o = owner(ctx);
        if (!(await findPipeline(c, o, input.PipelineId))) throw notFound('pipeline', ctx.accountId, input.PipelineId);
        const outputs: JobOutputDoc[] = [];
        for (const [i, r] of requested.entries()) {
          const preset = await findPreset(c, o, r.PresetId);
          if (!preset) throw notFound('preset', ctx.accountId, r.PresetId);
          if (r.SegmentDuration !== undefined && !['ts', 'fmp4'].includes(preset.Container)) throw validation(`SegmentDuration applies only to outputs whose preset container is ts or fmp4: ${r.Key}.`);
          outputs.push(compact({ Id: String(i + 1), Key: r.Key, ThumbnailPattern: r.ThumbnailPattern, Rotate: r.Rotate, PresetId: r.PresetId, SegmentDuration: r.SegmentDuration, Status: 'Submitted' as const, preset }));
        }
        const playlists = checkPlaylists(input.Playlists, outputs);
        const now = Date.now();
        const id = newId(now);
        const jobIn: JobInputDoc = compact({ Key: jobInput.Key, FrameRate: jobInput.FrameRate, Resolution: jobInput.Resolution, AspectRatio: jobInput.AspectRatio, Interlaced: jobInput.Interlaced, Container: jobInput.Container, TimeSpan: jobInput.TimeSpan });
        const job: JobDoc = compact({
          Id: id,
          Arn: arnOf('job', o, id),
          accountId: o.accountId,
          region: o.region,
          PipelineId: input.PipelineId,
          Input: jobIn,
          OutputKeyPrefix: input.OutputKeyPrefix,
          Outputs: outputs,
          Playlists: playlists,
          UserMetadata: input.UserMetadata && Object.keys(input.UserMetadata).length ? input.UserMetadata : undefined,
          Status: 'Submitted' as const,
          Timing: { SubmitTimeMillis: now },
        });
        await c.deps.store.batch(createOps(job));
        c.wake();
        return { Job: jobView(job) };
      },
    },

    ReadJob: {
      resources: (input: { Id?: string }, ctx) => [arnOf('job', owner(ctx), input.Id ?? '*')],
      async handler(input: { Id: string }, ctx) {
        checkJobId(input.Id);
        const found = await readJob(c.deps.store, owner(ctx), input.Id);
        if (!found) throw notFound('job', ctx.accountId, input.Id);
        return { Job: jobView(found.job) };
      },
    },

    ListJobsByPipeline: {
      resources: (input: { PipelineId?: string }, ctx) => [arnOf('pipeline', owner(ctx), input.PipelineId ?? '*')],
      async handler(input: { PipelineId: string; Ascending?: string; PageToken?: string }, ctx) {
        const v = new Constraints();
        v.pattern(input.PipelineId, 'pipelineId', ID_PATTERN);
        v.check();
        if (!(await findPipeline(c, owner(ctx), input.PipelineId))) throw notFound('pipeline', ctx.accountId, input.PipelineId);
        return listJobs(c, owner(ctx), input.PipelineId, String(input.Ascending) === 'true', input.PageToken);
      },
    },

    ListJobsByStatus: {
      async handler(input: { Status: string; Ascending?: string; PageToken?: string }, ctx) {
        const v = new Constraints();
        v.pattern(input.Status, 'status', JOB_STATUS_PATTERN);
        v.check();
        return listJobs(c, owner(ctx), `status:${input.Status}`, String(input.Ascending) === 'true', input.PageToken);
      },
    },

    CancelJob: {
      resources: (input: { Id?: string }, ctx) => [arnOf('job', owner(ctx), input.Id ?? '*')],
      async handler(input: { Id: string }, ctx) {
        checkJobId(input.Id);
        for (;;) {
          const found = await readJob(c.deps.store, owner(ctx), input.Id);
          if (!found) throw notFound('job', ctx.accountId, input.Id);
          const { job, version } = found;
          if (job.Status !== 'Submitted') throw inUse(`The job cannot be canceled because its status is ${job.Status}; only Submitted jobs can be canceled: jobId=${job.Id}.`);
          const canceled: JobDoc = { ...job, Status: 'Canceled', Outputs: job.Outputs.map((o) => ({ ...o, Status: 'Canceled' as const })), Playlists: job.Playlists?.map((p) => ({ ...p, Status: 'Canceled' as const })), Timing: { ...job.Timing, FinishTimeMillis: Date.now() } };
          if ((await commit(c.deps.store, transitionOps(job, version, canceled))) === 'ok') return {};
        }
      },
    },
  };
}
