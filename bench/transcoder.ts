/**
 * Elastic Transcoder's cost over ffmpeg itself. In each round, against the
 * real CLI in a child process: upload a 10 s 1280x720 input, CreateJob with
 * three renditions (Generic 1080p with thumbnails, Generic 720p, Web) and
 * poll ListObjectsV2 until every output is listed; then run the very ffmpeg
 * commands Stratus ran (args.ts builds them from the same presets) directly,
 * one after the other. Rounds alternate so a drifting machine load weighs on
 * both alike; each figure is the median round.
 *   wall ratio       = (upload → all outputs listed) / (ffmpeg run directly); goal ≤ 1.1
 *   pipeline overhead = (upload → all outputs listed) − (ffmpeg run directly); goal ≤ 200 ms
 * BENCH_ROUNDS (default 3).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateJobCommand, CreatePipelineCommand, ElasticTranscoderClient } from '@aws-sdk/client-elastic-transcoder';
import { IAMClient } from '@aws-sdk/client-iam';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { buildOutputPlan } from '../src/services/elastictranscoder/args.js';
import { binaries, probe, run } from '../src/services/elastictranscoder/ffmpeg.js';
import { systemPreset } from '../src/services/elastictranscoder/system-presets.js';
import { ACCOUNT, clientConfig, removeDir, ROOT_KEY, startChildServer, tempDir } from '../test/harness.js';
import { makeVideo, transcoderRole, waitForJob } from '../test/transcoder-support.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const OUTPUTS = [
  { Key: '1080p.mp4', PresetId: '1351620000001-000001', ThumbnailPattern: '1080p-{count}' },
  { Key: '720p.mp4', PresetId: '1351620000001-000010' },
  { Key: 'web.mp4', PresetId: '1351620000001-100070' },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The ffmpeg runs of one job, as Stratus makes them, run directly. */
async function direct(input: string, dir: string): Promise<number> {
  const p = (await probe(input))!;
  const plans = OUTPUTS.map((o, i) => buildOutputPlan({ preset: systemPreset(o.PresetId)!, probe: p, inputPath: input, outputPath: join(dir, `direct-${i}.mp4`), thumbnailPath: o.ThumbnailPattern ? join(dir, `direct-${i}-%05d.png`) : undefined }));
  const t0 = performance.now();
  for (const plan of plans) {
    const r = await run(binaries().ffmpeg, plan.args);
    if (r.code !== 0) throw new Error(r.stderr);
  }
  return performance.now() - t0;
}

export async function benchTranscoder(): Promise<string> {
  const dataDir = tempDir('stratus-bench-ets-');
  const work = tempDir('stratus-bench-ets-media-');
  const input = join(work, 'in.mp4');
  await makeVideo(input, 10, '1280x720', 30);
  const body = readFileSync(input);
  const server = await startChildServer(['--data-dir', dataDir, '--account-id', ACCOUNT, '--no-profile', '--log-level', 'warn', '--durability', 'normal', '--runtime-pool-size', '0', '--transcoder-workers', '1', '--root-access-key-id', ROOT_KEY.accessKeyId, '--root-secret-access-key', ROOT_KEY.secretAccessKey], { PATH: process.env.PATH }, 90_000);
  try {
    const cfg = clientConfig(server);
    const et = new ElasticTranscoderClient(cfg);
    const s3 = new S3Client(cfg);
    for (const b of ['bench-ets-in', 'bench-ets-out']) await s3.send(new CreateBucketCommand({ Bucket: b }));
    const role = await transcoderRole(new IAMClient(cfg), 'bench-ets', ['s3:*']);
    const pipelineId = (await et.send(new CreatePipelineCommand({ Name: 'bench', InputBucket: 'bench-ets-in', OutputBucket: 'bench-ets-out', Role: role }))).Pipeline!.Id!;

    const stratus: number[] = [];
    const ffmpeg: number[] = [];
    for (let round = -1; round < ROUNDS; round++) {
      const prefix = `r${round + 1}/`;
      const ff = await direct(input, work);
      if (round >= 0) ffmpeg.push(ff);
      const t0 = performance.now();
      await s3.send(new PutObjectCommand({ Bucket: 'bench-ets-in', Key: `${prefix}in.mp4`, Body: body }));
      const { Job: job } = await et.send(new CreateJobCommand({ PipelineId: pipelineId, Input: { Key: `${prefix}in.mp4` }, OutputKeyPrefix: prefix, Outputs: OUTPUTS }));
      const expected = [...OUTPUTS.map((o) => `${prefix}${o.Key}`), `${prefix}1080p-00001.png`];
      // Polled lightly while ffmpeg runs (requests cost the CPU ffmpeg needs), then closely near the end.
      const estimate = ffmpeg.length ? median(ffmpeg) : 0;
      for (;;) {
        const listed = new Set(((await s3.send(new ListObjectsV2Command({ Bucket: 'bench-ets-out', Prefix: prefix }))).Contents ?? []).map((c) => c.Key));
        if (expected.every((k) => listed.has(k))) break;
        await new Promise((r) => setTimeout(r, performance.now() - t0 < estimate * 0.9 ? 250 : 10));
      }
      const elapsed = performance.now() - t0;
      const done = await waitForJob(et, job!.Id!);
      if (done.Status !== 'Complete') throw new Error(`bench job failed: ${JSON.stringify(done.Outputs)}`);
      // Round -1 warms both sides up (page cache, x264 start-up) and is not counted.
      if (round >= 0) stratus.push(elapsed);
    }
    const s = median(stratus);
    const f = median(ffmpeg);
    const rows = [
      '| what | median of ' + ROUNDS + ' rounds | goal |',
      '|---|---:|---:|',
      `| ffmpeg run directly (3 renditions + thumbnails, 10 s 1280x720 input) | ${f.toFixed(0)} ms | |`,
      `| Stratus: PutObject → CreateJob → every output listed | ${s.toFixed(0)} ms | |`,
      `| wall-time ratio (Stratus / ffmpeg) | ${(s / f).toFixed(3)}× | ≤ 1.1× |`,
      `| pipeline overhead (Stratus − ffmpeg) | ${(s - f).toFixed(0)} ms | ≤ 200 ms |`,
    ];
    return rows.join('\n');
  } finally {
    await server.stop('SIGTERM');
    removeDir(dataDir);
    removeDir(work);
  }
}
