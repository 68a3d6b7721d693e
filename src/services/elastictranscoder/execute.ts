/**
 * Running one job, as the pipeline's role: check that no output key is taken
 * (3002), read the input from the InputBucket into a private work directory
 * (3001/3003/3005), probe it (4000 when ffmpeg cannot read it), run one ffmpeg
 * per output (with its thumbnails), probe what came out, and only when every
 * ffmpeg run is over upload the outputs, thumbnails and playlists through S3
 * (3004 when the role may not write). A corrupt input therefore leaves no
 * object behind. The job's new state is returned; the runner commits it.
 * https://docs.aws.amazon.com/elastictranscoder/latest/developerguide/error-handling.html#job-processing-errors
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { posix, join } from 'node:path';
import { pipeline as pump } from 'node:stream/promises';
import type { Principal } from '../../core/context.js';
import { isServiceError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { buildOutputPlan, codecsAttribute, type OutputPlan } from './args.js';
import type { JobDoc, JobOutputDoc, PipelineDoc, TranscoderDeps } from './common.js';
import { JOB_ERRORS, JobFailure } from './errors.js';
import { binaries, lastError, probe, run, type Probe } from './ffmpeg.js';
import { parseTime } from './jobs.js';
import { outputBuckets } from './pipelines.js';
import { roleFromArn, roleSession, trustsTranscoder } from './roles.js';
import type { Geometry } from './sizing.js';

export interface ExecuteEnv {
  deps: TranscoderDeps;
  /** This attempt's private directory (the runner creates and removes it). */
  workDir: string;
  signal: AbortSignal;
  log: Logger;
  /** Persists that uploads begin (an interrupted upload is not retried). */
  beforeUpload(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = { mp4: 'video/mp4', fmp4: 'video/mp4', ts: 'video/MP2T', webm: 'video/webm', mp3: 'audio/mpeg', mp2: 'audio/mpeg', flac: 'audio/flac', oga: 'audio/ogg', ogg: 'audio/ogg', flv: 'video/x-flv', mpg: 'video/mpeg', mxf: 'application/mxf', wav: 'audio/wav', gif: 'image/gif' };

function detail(code: number, text: string): string {
  return `${code} ${randomUUID()}: ${text}`;
}

function s3Reason(err: unknown): string {
  const code = isServiceError(err) ? err.code : 'InternalError';
  const status = isServiceError(err) ? (err.status ?? 500) : 500;
  return `${isServiceError(err) ? err.message : String(err)} (Service: Amazon S3; Status Code: ${status}; Error Code: ${code})`;
}

/** Why reading the input failed, in ETS's codes. */
function readFailure(err: unknown, bucket: string, key: string): JobFailure {
  const code = isServiceError(err) ? err.code : '';
  if (code === 'NoSuchKey') return new JobFailure(JOB_ERRORS.inputMissing, `The specified object does not exist in the specified S3 bucket: bucket=${bucket}, key=${key}.`);
  if (code === 'NoSuchBucket') return new JobFailure(JOB_ERRORS.bucketMissing, `The specified S3 bucket does not exist: bucket=${bucket}.`);
  if (code === 'AccessDenied') return new JobFailure(JOB_ERRORS.noReadPermission, `Amazon Elastic Transcoder does not have permission to read the input file: bucket=${bucket}, key=${key}. ${s3Reason(err)}`);
  return new JobFailure(JOB_ERRORS.storage, `Amazon Elastic Transcoder could not read the input file: bucket=${bucket}, key=${key}. ${s3Reason(err)}`);
}

function writeFailure(err: unknown, bucket: string, key: string): JobFailure {
  const code = isServiceError(err) ? err.code : '';
  if (code === 'NoSuchBucket') return new JobFailure(JOB_ERRORS.bucketMissing, `The specified S3 bucket does not exist: bucket=${bucket}.`);
  if (code === 'AccessDenied') return new JobFailure(JOB_ERRORS.noWritePermission, `Amazon Elastic Transcoder does not have permission to write to the specified S3 bucket: bucket=${bucket}, key=${key}. ${s3Reason(err)}`);
  return new JobFailure(JOB_ERRORS.storage, `Amazon Elastic Transcoder could not write to the specified S3 bucket: bucket=${bucket}, key=${key}. ${s3Reason(err)}`);
}

function fail(o: JobOutputDoc, f: JobFailure): void {
  o.Status = 'Error';
  o.StatusDetail = detail(f.code, f.text);
  o.errorCode = f.code;
}

/** A file to upload: local path → bucket/key. */
interface Upload {
  path: string;
  bucket: string;
  key: string;
  contentType: string;
  storageClass?: string;
}

/** What one output produced, found on disk after ffmpeg ran. */
interface Produced {
  uploads: Upload[];
  /** HLS: the variant playlist's key and the bandwidth for the master playlist. */
  variant?: { key: string; bandwidth: number; resolution?: string; codecs?: string };
}

const isHls = (o: JobOutputDoc) => o.preset.Container === 'ts' && o.SegmentDuration !== undefined;

/** ETS names an HLS output's playlist <key>.m3u8 and its segments <key>00000.ts. */
function mainKey(job: JobDoc, o: JobOutputDoc): string {
  return `${job.OutputKeyPrefix ?? ''}${o.Key}${isHls(o) ? '.m3u8' : ''}`;
}

function storageClass(cfg: { StorageClass?: string }): string | undefined {
  return cfg.StorageClass === 'ReducedRedundancy' ? 'REDUCED_REDUNDANCY' : undefined;
}

/** Runs the output's ffmpeg; what it returns reads the result (ffprobe), which may overlap the next output's ffmpeg. */
async function transcodeOutput(job: JobDoc, o: JobOutputDoc, p: PipelineDoc, input: Probe, env: ExecuteEnv, inputPath: string): Promise<() => Promise<Produced>> {
  const dir = join(env.workDir, `out-${o.Id}`);
  const thumbDir = join(env.workDir, `thumbs-${o.Id}`);
  await mkdir(dir, { recursive: true });
  const base = posix.basename(o.Key);
  const hls = isHls(o);
  const outputPath = join(dir, hls ? `${base}.m3u8` : 'output');
  const wantsThumbs = Boolean(o.ThumbnailPattern && o.preset.Thumbnails && input.video);
  if (wantsThumbs) await mkdir(thumbDir, { recursive: true });
  const start = parseTime(job.Input.TimeSpan?.StartTime);
  const duration = parseTime(job.Input.TimeSpan?.Duration);
  const plan = buildOutputPlan({
    preset: o.preset,
    probe: input,
    inputPath,
    rotate: o.Rotate,
    timeSpan: start !== undefined || duration !== undefined ? { start, duration } : undefined,
    outputPath,
    hls: hls ? { segmentDuration: Number(o.SegmentDuration), segmentPattern: join(dir, `${base.replace(/%/g, '%%')}%05d.ts`) } : undefined,
    thumbnailPath: wantsThumbs ? join(thumbDir, `%05d.${o.preset.Thumbnails!.Format === 'jpg' ? 'jpg' : 'png'}`) : undefined,
  });
  // The pid lets a restarted Stratus end an ffmpeg that outlived a killed one (runner.ts).
  const result = await run(binaries().ffmpeg, plan.args, env.signal, (pid) => writeFileSync(join(env.workDir, 'ffmpeg.pid'), String(pid)));
  if (env.signal.aborted) throw new Error('aborted');
  if (result.code !== 0) throw new JobFailure(JOB_ERRORS.badInput, `Amazon Elastic Transcoder could not transcode the input file: ${lastError(result.stderr)}`);
  return () => collectOutput(job, o, p, env, { dir, thumbDir, outputPath, hls, wantsThumbs, plan });
}

async function collectOutput(job: JobDoc, o: JobOutputDoc, p: PipelineDoc, env: ExecuteEnv, r: { dir: string; thumbDir: string; outputPath: string; hls: boolean; wantsThumbs: boolean; plan: OutputPlan }): Promise<Produced> {
  const { dir, thumbDir, outputPath, hls, wantsThumbs, plan } = r;
  const prefix = job.OutputKeyPrefix ?? '';

  const out = hls ? await hlsOutput(outputPath, plan.video, plan.fps) : await probe(outputPath, env.signal);
  if (!out) throw new JobFailure(JOB_ERRORS.internal, 'Amazon Elastic Transcoder could not read the output it produced.');
  const { content, thumbnails } = outputBuckets(p);
  const uploads: Upload[] = [];
  let size = 0;
  const contentType = CONTENT_TYPES[o.preset.Container] ?? 'application/octet-stream';
  if (hls) {
    const keyDir = posix.dirname(`${prefix}${o.Key}`);
    for (const name of (await readdir(dir)).sort()) {
      const path = join(dir, name);
      size += (await stat(path)).size;
      const isPlaylist = name.endsWith('.m3u8');
      uploads.push({ path, bucket: content.Bucket, key: keyDir === '.' ? name : `${keyDir}/${name}`, contentType: isPlaylist ? 'application/x-mpegURL' : contentType, storageClass: storageClass(content) });
    }
  } else {
    size = (await stat(outputPath)).size;
    uploads.push({ path: outputPath, bucket: content.Bucket, key: mainKey(job, o), contentType, storageClass: storageClass(content) });
  }
  if (wantsThumbs && plan.thumbnails) {
    const ext = o.preset.Thumbnails!.Format === 'jpg' ? 'jpg' : 'png';
    const resolution = `${plan.thumbnails.width}x${plan.thumbnails.height}`;
    for (const name of (await readdir(thumbDir)).sort()) {
      const count = name.slice(0, 5);
      const pattern = o.ThumbnailPattern!;
      // Without {count} ETS appends it before the extension; the model's pattern requires it anyway.
      const stem = (pattern.includes('{count}') ? pattern : `${pattern}{count}`).replace(/\{count\}/g, count).replace(/\{resolution\}/g, resolution);
      uploads.push({ path: join(thumbDir, name), bucket: thumbnails.Bucket, key: `${prefix}${stem}.${ext}`, contentType: ext === 'jpg' ? 'image/jpeg' : 'image/png', storageClass: storageClass(thumbnails) });
    }
  }
  o.DurationMillis = out.durationMs;
  o.Duration = Math.round(out.durationMs / 1000);
  o.FileSize = size;
  if (out.video) {
    o.Width = out.video.width;
    o.Height = out.video.height;
    if (plan.fps) o.FrameRate = String(Math.round(plan.fps * 1000) / 1000);
  }
  const v = o.preset.Video;
  const a = o.preset.Audio;
  const kbps = (v?.BitRate && v.BitRate !== 'auto' ? Number(v.BitRate) : 0) + (a?.BitRate ? Number(a.BitRate) : 0);
  const bandwidth = kbps > 0 ? kbps * 1000 : Math.round((size * 8) / Math.max(out.durationMs / 1000, 0.001));
  return { uploads, variant: hls ? { key: `${prefix}${o.Key}.m3u8`, bandwidth, resolution: out.video ? `${out.video.width}x${out.video.height}` : undefined, codecs: codecsAttribute(o.preset) } : undefined };
}

/**
 * An HLS output, without ffprobe (the packaged static ffprobe crashes on
 * MPEG-TS): its length is the sum of the playlist's segments, its picture the
 * geometry ffmpeg was told to produce.
 */
async function hlsOutput(playlistPath: string, video: Geometry | undefined, fps: number | undefined): Promise<Probe> {
  const text = await readFile(playlistPath, 'utf8');
  const seconds = [...text.matchAll(/#EXTINF:([\d.]+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
  return { formatName: 'hls', durationMs: Math.round(seconds * 1000), size: 0, video: video ? { codec: 'h264', width: video.width, height: video.height, fps } : undefined };
}

async function masterPlaylist(job: JobDoc, name: string, variants: NonNullable<Produced['variant']>[], dir: string): Promise<{ path: string; key: string }> {
  const key = `${job.OutputKeyPrefix ?? ''}${name}.m3u8`;
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const v of variants) {
    const attrs = [`PROGRAM-ID=1`, `BANDWIDTH=${v.bandwidth}`];
    if (v.resolution) attrs.push(`RESOLUTION=${v.resolution}`);
    if (v.codecs) attrs.push(`CODECS="${v.codecs}"`);
    lines.push(`#EXT-X-STREAM-INF:${attrs.join(',')}`, posix.relative(posix.dirname(key), v.key));
  }
  const path = join(dir, `playlist-${posix.basename(key)}`);
  await writeFile(path, `${lines.join('\n')}\n`);
  return { path, key };
}

export async function executeJob(original: JobDoc, pipeline: PipelineDoc | undefined, env: ExecuteEnv): Promise<JobDoc> {
  const job: JobDoc = structuredClone(original);
  const { deps } = env;
  const outputs = job.Outputs;
  const failAll = (f: JobFailure) => outputs.filter((o) => o.Status !== 'Error').forEach((o) => fail(o, f));
  for (const o of outputs) {
    o.Status = 'Progressing';
    delete o.StatusDetail;
    delete o.errorCode;
  }
  const produced = new Map<string, Produced>();
  let principal: Principal | undefined;
  // Where a job's time goes, for --log-level debug.
  const phases: Record<string, number> = {};
  let mark = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    phases[name] = Math.round(now - mark);
    mark = now;
  };
  try {
    if (!pipeline) throw new JobFailure(JOB_ERRORS.validation, `The pipeline of this job no longer exists: pipelineId=${job.PipelineId}.`);
    const role = await roleFromArn({ deps, wake: () => {} }, pipeline.Role);
    if (!role || !trustsTranscoder(role)) throw new JobFailure(JOB_ERRORS.cannotAssumeRole, `Amazon Elastic Transcoder could not assume the role specified in the pipeline: role=${pipeline.Role}.`);
    principal = roleSession(role, job.Id);
    const { content } = outputBuckets(pipeline);
    for (const o of outputs) {
      const key = mainKey(job, o);
      try {
        if (await deps.objects.exists(principal, content.Bucket, key)) fail(o, new JobFailure(JOB_ERRORS.outputExists, `The specified object could not be saved in the specified bucket because an object by that name already exists: bucket=${content.Bucket}, key=${key}.`));
      } catch (err) {
        // A role that may write but not read cannot tell; the upload decides.
        if (isServiceError(err) && err.code === 'NoSuchBucket') fail(o, writeFailure(err, content.Bucket, key));
      }
    }
    if (outputs.every((o) => o.Status === 'Error')) return finish(job);
    lap('check-outputs');

    const inputPath = join(env.workDir, 'input');
    try {
      const { body } = await deps.objects.get(principal, pipeline.InputBucket, job.Input.Key);
      await pump(body, createWriteStream(inputPath), { signal: env.signal });
    } catch (err) {
      if (env.signal.aborted) throw err;
      throw readFailure(err, pipeline.InputBucket, job.Input.Key);
    }
    lap('read-input');
    const input = await probe(inputPath, env.signal);
    lap('probe-input');
    if (!input) throw new JobFailure(JOB_ERRORS.badInput, 'Amazon Elastic Transcoder could not interpret the media file.');
    const inputSize = (await stat(inputPath)).size;
    job.Input.DetectedProperties = {
      Width: input.video?.width,
      Height: input.video?.height,
      FrameRate: input.video?.fps ? String(Math.round(input.video.fps * 1000) / 1000) : undefined,
      FileSize: inputSize,
      DurationMillis: input.durationMs,
    };
    const start = parseTime(job.Input.TimeSpan?.StartTime) ?? 0;
    const clip = parseTime(job.Input.TimeSpan?.Duration);
    if (start * 1000 >= input.durationMs && job.Input.TimeSpan?.StartTime) throw new JobFailure(JOB_ERRORS.clipAfterEnd, 'The value that you specified for starting time of a clip is after the end of the input file. Elastic Transcoder could not create an output file.');
    const collecting: Promise<void>[] = [];
    const shortClip = clip !== undefined && (start + clip) * 1000 > input.durationMs;

    for (const o of outputs) {
      if (o.Status === 'Error') continue;
      try {
        const collect = await transcodeOutput(job, o, pipeline, input, env, inputPath);
        lap(`transcode-${o.Id}`);
        collecting.push(
          collect().then(
            (result) => {
              produced.set(o.Id, result);
              if (shortClip) o.StatusDetail = 'The starting time plus the duration of a clip exceeded the length of the input file. Amazon Elastic Transcoder created an output file that is shorter than the specified duration.';
            },
            (err) => fail(o, err instanceof JobFailure ? err : new JobFailure(JOB_ERRORS.internal, String((err as Error).message ?? err))),
          ),
        );
      } catch (err) {
        if (env.signal.aborted) throw err;
        fail(o, err instanceof JobFailure ? err : new JobFailure(JOB_ERRORS.internal, String((err as Error).message ?? err)));
      }
    }
    await Promise.all(collecting);
    if (env.signal.aborted) throw new Error('aborted');
    lap('collect');

    const ready = outputs.filter((o) => o.Status !== 'Error' && produced.has(o.Id));
    if (ready.length) await env.beforeUpload();
    lap('mark-uploading');
    for (const o of ready) {
      try {
        for (const u of produced.get(o.Id)!.uploads) {
          const size = (await stat(u.path)).size;
          await deps.objects.put(principal, u.bucket, u.key, createReadStream(u.path), size, u.contentType, u.storageClass).catch((err) => {
            throw writeFailure(err, u.bucket, u.key);
          });
        }
        o.Status = 'Complete';
      } catch (err) {
        fail(o, err instanceof JobFailure ? err : new JobFailure(JOB_ERRORS.storage, String(err)));
      }
    }

    lap('upload');
    for (const pl of job.Playlists ?? []) {
      const members = pl.OutputKeys.map((k) => outputs.find((o) => o.Key === k)!);
      if (members.some((m) => m.Status !== 'Complete')) {
        pl.Status = 'Error';
        pl.StatusDetail = detail(1001, 'Elastic Transcoder could not generate the playlist because it encountered an error with one or more of the playlists dependencies.');
        continue;
      }
      const m = await masterPlaylist(job, pl.Name, members.map((o) => produced.get(o.Id)!.variant!), env.workDir);
      try {
        await deps.objects.put(principal, content.Bucket, m.key, createReadStream(m.path), (await stat(m.path)).size, 'application/x-mpegURL', storageClass(content)).catch((err) => {
          throw writeFailure(err, content.Bucket, m.key);
        });
        pl.Status = 'Complete';
      } catch (err) {
        pl.Status = 'Error';
        const f = err instanceof JobFailure ? err : new JobFailure(JOB_ERRORS.storage, String(err));
        pl.StatusDetail = detail(f.code, f.text);
      }
    }
  } catch (err) {
    if (env.signal.aborted) throw err;
    if (!(err instanceof JobFailure)) env.log.error('transcoding job failed unexpectedly', { jobId: job.Id, err });
    failAll(err instanceof JobFailure ? err : new JobFailure(JOB_ERRORS.internal, 'Amazon Elastic Transcoder encountered an internal error.'));
  }
  env.log.debug('transcoding job phases (ms)', { jobId: job.Id, ...phases });
  return finish(job);
}

function finish(job: JobDoc): JobDoc {
  for (const pl of job.Playlists ?? []) if (pl.Status !== 'Complete') pl.Status = 'Error';
  const failed = job.Outputs.find((o) => o.Status === 'Error');
  job.Status = failed || job.Playlists?.some((p) => p.Status === 'Error') ? 'Error' : 'Complete';
  if (failed) {
    job.errorCode = failed.errorCode;
    job.messageDetails = failed.StatusDetail;
  }
  job.Timing = { ...job.Timing, FinishTimeMillis: Date.now() };
  return job;
}
