/**
 * Elastic Transcoder across crashes, against the real CLI in a child process:
 *  - kill -9 while ffmpeg transcodes: after a restart the job is picked up
 *    again and completes, the orphaned ffmpeg is ended, and no work files are
 *    left behind;
 *  - a job accepted (Submitted) but not started before kill -9 runs after the
 *    restart.
 * Recovery: src/services/elastictranscoder/runner.ts.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateJobCommand, CreatePipelineCommand, ElasticTranscoderClient, ReadJobCommand } from '@aws-sdk/client-elastic-transcoder';
import { IAMClient } from '@aws-sdk/client-iam';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ACCOUNT, clientConfig, removeDir, ROOT_KEY, startChildServer, tempDir, type ChildServer } from './harness.js';
import { makeVideo, probeObject, transcoderRole, waitForJob } from './transcoder-support.js';

const START_TIMEOUT_MS = 90_000;
const ARGS = (dataDir: string, workers: number) => [
  '--data-dir', dataDir, '--account-id', ACCOUNT, '--no-profile', '--log-level', 'warn', '--durability', 'normal', '--runtime-pool-size', '0', '--transcoder-workers', String(workers),
  '--root-access-key-id', ROOT_KEY.accessKeyId, '--root-secret-access-key', ROOT_KEY.secretAccessKey,
];

/** A pid still running (not gone, not a zombie). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

describe('Elastic Transcoder crash recovery', () => {
  let dataDir: string;
  let work: string;
  let server: ChildServer | undefined;

  const start = async (workers: number) => {
    server = await startChildServer(ARGS(dataDir, workers), { PATH: process.env.PATH }, START_TIMEOUT_MS);
    const cfg = clientConfig(server);
    return { et: new ElasticTranscoderClient(cfg), s3: new S3Client({ ...cfg, requestHandler: { requestTimeout: 0 } }), iam: new IAMClient(cfg) };
  };

  before(async () => {
    dataDir = tempDir('stratus-ets-durability-');
    work = tempDir('stratus-ets-media-');
    await makeVideo(join(work, 'long.mp4'), 20, '1280x720', 30);
    await makeVideo(join(work, 'short.mp4'), 3);
  });

  after(async () => {
    await server?.stop('SIGKILL');
    removeDir(dataDir);
    removeDir(work);
  });

  it('a job killed mid-transcode completes after the restart; the orphaned ffmpeg and work files are gone', async () => {
    let { et, s3, iam } = await start(1);
    for (const b of ['ets-crash-in', 'ets-crash-out']) await s3.send(new CreateBucketCommand({ Bucket: b }));
    await s3.send(new PutObjectCommand({ Bucket: 'ets-crash-in', Key: 'long.mp4', Body: readFileSync(join(work, 'long.mp4')) }));
    await s3.send(new PutObjectCommand({ Bucket: 'ets-crash-in', Key: 'short.mp4', Body: readFileSync(join(work, 'short.mp4')) }));
    const role = await transcoderRole(iam, 'ets-crash', ['s3:*']);
    const pipelineId = (await et.send(new CreatePipelineCommand({ Name: 'crash', InputBucket: 'ets-crash-in', OutputBucket: 'ets-crash-out', Role: role }))).Pipeline!.Id!;
    const { Job: job } = await et.send(new CreateJobCommand({
      PipelineId: pipelineId, Input: { Key: 'long.mp4' },
      Outputs: [{ Key: 'long-720p.mp4', PresetId: '1351620000001-000010', ThumbnailPattern: 'long-{count}' }, { Key: 'long-web.mp4', PresetId: '1351620000001-100070' }],
    }));

    // Wait until ffmpeg runs (its pid file appears), then kill -9 the server.
    const transcoderDir = join(dataDir, 'transcoder');
    let pidFile: string | undefined;
    const deadline = Date.now() + 30_000;
    while (!pidFile && Date.now() < deadline) {
      const dirs = existsSync(transcoderDir) ? readdirSync(transcoderDir) : [];
      pidFile = dirs.map((d) => join(transcoderDir, d, 'ffmpeg.pid')).find((f) => existsSync(f));
      if (!pidFile) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(pidFile, 'ffmpeg started');
    await new Promise((r) => setTimeout(r, 300));
    const ffmpegPid = Number(readFileSync(pidFile!, 'utf8'));
    assert.equal((await et.send(new ReadJobCommand({ Id: job!.Id }))).Job!.Status, 'Progressing');
    await server!.stop('SIGKILL');
    assert.ok(alive(ffmpegPid), 'ffmpeg outlives the killed server');

    ({ et, s3 } = await start(1));
    const done = await waitForJob(et, job!.Id!, ['Complete', 'Error'], 120_000);
    assert.equal(done.Status, 'Complete', JSON.stringify(done.Outputs));
    assert.ok(!alive(ffmpegPid), 'the orphaned ffmpeg was ended at start');
    for (const key of ['long-720p.mp4', 'long-web.mp4']) {
      const p = await probeObject(s3, 'ets-crash-out', key, work);
      assert.deepEqual([p.video!.width, p.video!.height], [1280, 720]);
      assert.ok(Math.abs(p.durationMs - 20_000) <= 200, `${key}: ${p.durationMs} ms`);
    }
    assert.ok(done.Timing!.FinishTimeMillis! >= done.Timing!.StartTimeMillis!);
    assert.deepEqual(readdirSync(transcoderDir), [], 'no work files left');

    // A job accepted while no worker runs survives a kill -9 too.
    await server!.stop('SIGTERM');
    ({ et } = await start(0));
    const { Job: queued } = await et.send(new CreateJobCommand({ PipelineId: pipelineId, Input: { Key: 'short.mp4' }, Output: { Key: 'short-320.mp4', PresetId: '1351620000001-000061' } }));
    assert.equal(queued!.Status, 'Submitted');
    await server!.stop('SIGKILL');
    ({ et } = await start(1));
    const ran = await waitForJob(et, queued!.Id!, ['Complete', 'Error'], 60_000);
    assert.equal(ran.Status, 'Complete', JSON.stringify(ran.Outputs));
    assert.deepEqual([ran.Output!.Width, ran.Output!.Height], [320, 180]);
  });
});
