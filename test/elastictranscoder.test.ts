/**
 * Elastic Transcoder end to end, with the last SDK v3 release that ships it
 * (@aws-sdk/client-elastic-transcoder 3.957.0), Debian's AWS CLI v2 (the pip
 * CLI v1 and boto3 dropped the service with botocore 1.43, so they are not
 * driven here) and real ffmpeg/ffprobe:
 *  - the system preset catalogue; CreatePreset validation and warnings;
 *  - pipelines and their errors, pause/resume, notifications, TestRole;
 *  - a job with three renditions (1080p, 720p, Web system presets) plus a
 *    custom Fit/Pad preset and thumbnails, checked with ffprobe;
 *  - an HLSv3 job (master playlist, variant playlists, numbered segments);
 *  - errors as jobs report them: output exists (3002), input missing (3001),
 *    corrupt input (4000, nothing written), a role that may not write
 *    (3004 AccessDenied); CancelJob; ResourceInUse on DeletePipeline;
 *  - the PROGRESSING/COMPLETED/ERROR notifications, delivered by SNS to an
 *    http subscriber, in ETS's message format.
 * Crash recovery (kill -9 mid-transcode): elastictranscoder-durability.test.ts.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CancelJobCommand, CreateJobCommand, CreatePipelineCommand, CreatePresetCommand, DeletePipelineCommand, DeletePresetCommand, ElasticTranscoderClient,
  ListJobsByPipelineCommand, ListJobsByStatusCommand, ListPipelinesCommand, ListPresetsCommand, ReadJobCommand, ReadPipelineCommand, ReadPresetCommand,
  TestRoleCommand, UpdatePipelineCommand, UpdatePipelineNotificationsCommand, UpdatePipelineStatusCommand,
} from '@aws-sdk/client-elastic-transcoder';
import { IAMClient } from '@aws-sdk/client-iam';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { ACCOUNT, clientConfig, startTestServer, type TestServer } from './harness.js';
import { download, makeCorrupt, makeVideo, probeObject, transcoderRole, waitForJob } from './transcoder-support.js';

const IN = 'ets-input';
const OUT = 'ets-output';
const THUMBS = 'ets-thumbs';

async function rejects(p: Promise<unknown>, name: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (err: any) => {
    assert.equal(err.name, name, `${err.name}: ${err.message}`);
    if (message) assert.match(err.message, message);
    return true;
  });
}

describe('Elastic Transcoder', () => {
  let server: TestServer;
  let et: ElasticTranscoderClient;
  let s3: S3Client;
  let dir: string;
  let role: string;
  let pipelineId: string;
  let subscriber: Server;
  const received: Array<{ Subject?: string; Message: string }> = [];
  let topicArn: string;

  before(async () => {
    server = await startTestServer(['--transcoder-workers', '2']);
    const cfg = clientConfig(server);
    et = new ElasticTranscoderClient(cfg);
    s3 = new S3Client(cfg);
    dir = mkdtempSync(join(tmpdir(), 'stratus-ets-'));
    for (const b of [IN, OUT, THUMBS]) await s3.send(new CreateBucketCommand({ Bucket: b }));
    await makeVideo(join(dir, 'in.mp4'));
    makeCorrupt(join(dir, 'corrupt.mp4'));
    await s3.send(new PutObjectCommand({ Bucket: IN, Key: 'videos/in.mp4', Body: readFileSync(join(dir, 'in.mp4')) }));
    await s3.send(new PutObjectCommand({ Bucket: IN, Key: 'videos/corrupt.mp4', Body: readFileSync(join(dir, 'corrupt.mp4')) }));
    role = await transcoderRole(new IAMClient(cfg), 'Elastic_Transcoder_Default_Role', ['s3:*', 'sns:Publish']);

    // An http subscriber for the job notifications.
    subscriber = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        const msg = JSON.parse(body);
        if (msg.Type === 'SubscriptionConfirmation') void fetch(msg.SubscribeURL);
        else if (msg.Type === 'Notification') received.push(msg);
        res.end();
      });
    });
    await new Promise<void>((r) => subscriber.listen(0, '127.0.0.1', r));
    const sns = new SNSClient(cfg);
    topicArn = (await sns.send(new CreateTopicCommand({ Name: 'ets-events' }))).TopicArn!;
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'http', Endpoint: `http://127.0.0.1:${(subscriber.address() as { port: number }).port}/` }));

    const p = await et.send(new CreatePipelineCommand({
      Name: 'main', InputBucket: IN, Role: role,
      ContentConfig: { Bucket: OUT, StorageClass: 'Standard' }, ThumbnailConfig: { Bucket: THUMBS },
      Notifications: { Progressing: topicArn, Completed: topicArn, Warning: '', Error: topicArn },
    }));
    pipelineId = p.Pipeline!.Id!;
  });

  after(async () => {
    await new Promise((r) => subscriber.close(r));
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the system presets with their real ids, names and settings', async () => {
    const { Preset: hd } = await et.send(new ReadPresetCommand({ Id: '1351620000001-000001' }));
    assert.equal(hd!.Name, 'System preset: Generic 1080p');
    assert.equal(hd!.Type, 'System');
    assert.equal(hd!.Container, 'mp4');
    assert.deepEqual([hd!.Video!.Codec, hd!.Video!.BitRate, hd!.Video!.MaxWidth, hd!.Video!.MaxHeight, hd!.Video!.SizingPolicy, hd!.Video!.CodecOptions!.Profile], ['H.264', '5400', '1920', '1080', 'ShrinkToFit', 'baseline']);
    assert.equal(hd!.Arn, `arn:aws:elastictranscoder:us-east-1:${ACCOUNT}:preset/1351620000001-000001`);
    const first = await et.send(new ListPresetsCommand({}));
    assert.equal(first.Presets!.length, 50);
    assert.ok(first.NextPageToken);
    const second = await et.send(new ListPresetsCommand({ PageToken: first.NextPageToken }));
    const names = new Map([...first.Presets!, ...second.Presets!].map((p) => [p.Id, p.Name]));
    assert.equal(names.get('1351620000001-100070'), 'System preset: Web');
    assert.equal(names.get('1351620000001-200010'), 'System preset: HLS 2M');
    assert.equal(names.get('1351620000001-200060'), 'System preset: HLS Audio - 160k');
    assert.equal(names.get('1351620000001-000061'), 'System preset: Generic 320x240');
    await rejects(et.send(new ReadPresetCommand({ Id: '1351620000001-999999' })), 'ResourceNotFoundException', /The specified preset was not found/);
    await rejects(et.send(new ReadPresetCommand({ Id: 'not-an-id' })), 'ValidationException', /regular expression pattern/);
  });

  it('validates CreatePreset, warns about H.264 level limits, and protects system presets', async () => {
    const video = { Codec: 'H.264', CodecOptions: { Profile: 'main', Level: '3' }, KeyframesMaxDist: '60', FixedGOP: 'false', BitRate: '900', FrameRate: '25', MaxWidth: '480', MaxHeight: '480', SizingPolicy: 'Fit', PaddingPolicy: 'Pad', DisplayAspectRatio: 'auto' };
    await rejects(et.send(new CreatePresetCommand({ Name: 'bad', Container: 'avi' })), 'ValidationException', /container/);
    await rejects(et.send(new CreatePresetCommand({ Name: 'bad', Container: 'webm', Video: video })), 'ValidationException', /not supported by the container webm/);
    await rejects(et.send(new CreatePresetCommand({ Name: 'bad', Container: 'mp3', Video: video })), 'ValidationException', /does not support video/);
    await rejects(et.send(new CreatePresetCommand({ Name: 'bad', Container: 'mp4', Video: { ...video, MaxWidth: '481' } })), 'ValidationException', /MaxWidth/);
    const loud = await et.send(new CreatePresetCommand({ Name: 'too much', Container: 'mp4', Video: { ...video, BitRate: '30000' } }));
    assert.match(loud.Warning!, /exceeds the maximum for H\.264 level 3/);
    const square = await et.send(new CreatePresetCommand({ Name: 'square pad', Description: 'Fit into 480x480 with bars', Container: 'mp4', Video: video, Audio: { Codec: 'AAC', SampleRate: '44100', BitRate: '96', Channels: '2' }, Thumbnails: { Format: 'jpg', Interval: '2', MaxWidth: '160', MaxHeight: '160', SizingPolicy: 'Fit', PaddingPolicy: 'Pad' } }));
    assert.equal(square.Warning, '');
    assert.equal(square.Preset!.Type, 'Custom');
    assert.match(square.Preset!.Id!, /^\d{13}-\w{6}$/);
    assert.equal((await et.send(new ReadPresetCommand({ Id: square.Preset!.Id }))).Preset!.Name, 'square pad');
    await rejects(et.send(new DeletePresetCommand({ Id: '1351620000001-000010' })), 'AccessDeniedException', /system preset/);
    await et.send(new DeletePresetCommand({ Id: loud.Preset!.Id }));
    await rejects(et.send(new ReadPresetCommand({ Id: loud.Preset!.Id })), 'ResourceNotFoundException');
  });

  it('validates pipelines and updates, pauses and reads them', async () => {
    const base = { Name: 'x', InputBucket: IN, OutputBucket: OUT, Role: role };
    await rejects(et.send(new CreatePipelineCommand({ ...base, Role: 'not-a-role' })), 'ValidationException', /at 'role' failed to satisfy constraint/);
    await rejects(et.send(new CreatePipelineCommand({ ...base, Role: `arn:aws:iam::${ACCOUNT}:role/missing` })), 'ValidationException', /role/);
    await rejects(et.send(new CreatePipelineCommand({ ...base, InputBucket: 'no-such-bucket-here' })), 'ValidationException', /bucket does not exist/);
    await rejects(et.send(new CreatePipelineCommand({ ...base, ContentConfig: { Bucket: OUT } })), 'ValidationException', /OutputBucket/);
    await rejects(et.send(new CreatePipelineCommand({ ...base, Notifications: { Progressing: 'not-a-topic' } })), 'ValidationException', /notifications\.progressing/);
    const created = (await et.send(new CreatePipelineCommand(base))).Pipeline!;
    assert.match(created.Id!, /^\d{13}-\w{6}$/);
    assert.equal(created.Status, 'Active');
    assert.deepEqual(created.Notifications, { Progressing: '', Completed: '', Warning: '', Error: '' });
    assert.equal(created.ContentConfig!.Bucket, OUT);
    const paused = await et.send(new UpdatePipelineStatusCommand({ Id: created.Id, Status: 'Paused' }));
    assert.equal(paused.Pipeline!.Status, 'Paused');
    await rejects(et.send(new UpdatePipelineStatusCommand({ Id: created.Id, Status: 'Sleeping' })), 'ValidationException');
    const renamed = await et.send(new UpdatePipelineCommand({ Id: created.Id, Name: 'renamed' }));
    assert.equal(renamed.Pipeline!.Name, 'renamed');
    const notified = await et.send(new UpdatePipelineNotificationsCommand({ Id: created.Id, Notifications: { Progressing: '', Completed: topicArn, Warning: '', Error: '' } }));
    assert.equal(notified.Pipeline!.Notifications!.Completed, topicArn);
    assert.equal((await et.send(new ReadPipelineCommand({ Id: created.Id }))).Pipeline!.Status, 'Paused');
    const listed = await et.send(new ListPipelinesCommand({}));
    assert.ok(listed.Pipelines!.some((p) => p.Id === created.Id && p.Name === 'renamed'));
    await rejects(et.send(new ReadPipelineCommand({ Id: '1111111111111-abcde1' })), 'ResourceNotFoundException', /The specified pipeline was not found: account=123456789012, pipelineId=1111111111111-abcde1/);

    // A paused pipeline keeps its jobs Submitted; a pipeline with such jobs cannot be deleted; CancelJob ends them.
    const job = (await et.send(new CreateJobCommand({ PipelineId: created.Id, Input: { Key: 'videos/in.mp4' }, Output: { Key: 'paused.mp4', PresetId: '1351620000001-000061' } }))).Job!;
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await et.send(new ReadJobCommand({ Id: job.Id }))).Job!.Status, 'Submitted');
    await rejects(et.send(new DeletePipelineCommand({ Id: created.Id })), 'ResourceInUseException');
    await et.send(new CancelJobCommand({ Id: job.Id }));
    const canceled = (await et.send(new ReadJobCommand({ Id: job.Id }))).Job!;
    assert.equal(canceled.Status, 'Canceled');
    assert.equal(canceled.Outputs![0]!.Status, 'Canceled');
    await rejects(et.send(new CancelJobCommand({ Id: job.Id })), 'ResourceInUseException');
    assert.ok((await et.send(new ListJobsByStatusCommand({ Status: 'Canceled' }))).Jobs!.some((j) => j.Id === job.Id));
    await et.send(new UpdatePipelineStatusCommand({ Id: created.Id, Status: 'Active' }));
    await et.send(new DeletePipelineCommand({ Id: created.Id }));
    await rejects(et.send(new ReadPipelineCommand({ Id: created.Id })), 'ResourceNotFoundException');

    const test = await et.send(new TestRoleCommand({ Role: role, InputBucket: IN, OutputBucket: OUT, Topics: [topicArn] }));
    assert.deepEqual([test.Success, test.Messages], ['true', []]);
  });

  it('transcodes 1080p, 720p and Web renditions and a padded custom size, with thumbnails', async () => {
    const square = (await et.send(new ListPresetsCommand({ Ascending: 'false' }))).Presets!.find((p) => p.Name === 'square pad')!;
    const { Job: job } = await et.send(new CreateJobCommand({
      PipelineId: pipelineId,
      Input: { Key: 'videos/in.mp4', FrameRate: 'auto', Resolution: 'auto', AspectRatio: 'auto', Interlaced: 'auto', Container: 'auto' },
      OutputKeyPrefix: 'renditions/',
      Outputs: [
        { Key: '1080p.mp4', PresetId: '1351620000001-000001', ThumbnailPattern: 'thumbs/1080p-{count}' },
        { Key: '720p.mp4', PresetId: '1351620000001-000010' },
        { Key: 'web.mp4', PresetId: '1351620000001-100070', Rotate: 'auto' },
        { Key: 'square.mp4', PresetId: square.Id, ThumbnailPattern: 'thumbs/square-{resolution}-{count}' },
      ],
      UserMetadata: { Season: '1', 'Episode id': 'e-3' },
    }));
    assert.equal(job!.Status, 'Submitted');
    assert.equal(job!.Outputs!.length, 4);
    const done = await waitForJob(et, job!.Id!);
    assert.equal(done.Status, 'Complete', JSON.stringify(done.Outputs));
    assert.deepEqual(done.UserMetadata, { Season: '1', 'Episode id': 'e-3' });
    assert.ok(done.Timing!.SubmitTimeMillis! <= done.Timing!.StartTimeMillis! && done.Timing!.StartTimeMillis! <= done.Timing!.FinishTimeMillis!);
    assert.deepEqual(done.Input!.DetectedProperties, { Width: 640, Height: 360, FrameRate: '25', FileSize: readFileSync(join(dir, 'in.mp4')).length, DurationMillis: 5000 });

    // ShrinkToFit never enlarges: a 640x360 input stays 640x360 under 1080p, 720p and Web.
    for (const [key, profile, fps] of [['1080p.mp4', 'Constrained Baseline', 29.97], ['720p.mp4', 'Constrained Baseline', 29.97], ['web.mp4', 'Main', 30]] as const) {
      const p = await probeObject(s3, OUT, `renditions/${key}`, dir);
      assert.equal(p.video!.codec, 'h264');
      assert.equal(p.profile, profile, key);
      assert.deepEqual([p.video!.width, p.video!.height], [640, 360], key);
      assert.ok(Math.abs(p.video!.fps! - fps) < 0.05, `${key} at ${p.video!.fps} fps`);
      assert.equal(p.audio!.codec, 'aac');
      assert.equal(p.audio!.channels, 2);
      assert.ok(Math.abs(p.durationMs - 5000) <= 200, `${key} lasts ${p.durationMs} ms`);
      const out = done.Outputs!.find((o) => o.Key === key)!;
      assert.deepEqual([out.Status, out.Width, out.Height, out.Duration], ['Complete', 640, 360, 5]);
      assert.ok(out.FileSize! > 10_000 && Math.abs(out.DurationMillis! - 5000) <= 200);
    }
    // Fit enlarges to 480 wide (480x270), Pad centers it in a 480x480 frame.
    const sq = await probeObject(s3, OUT, 'renditions/square.mp4', dir);
    assert.deepEqual([sq.video!.width, sq.video!.height, sq.profile], [480, 480, 'Main']);
    assert.ok(Math.abs(sq.video!.fps! - 25) < 0.05);

    // The 1080p preset: one png every 60 s, ShrinkToFit into 192x108; the square preset: a jpg every 2 s, padded to 160x160.
    const thumbs = (await s3.send(new ListObjectsV2Command({ Bucket: THUMBS }))).Contents!.map((c) => c.Key).sort();
    assert.deepEqual(thumbs, ['renditions/thumbs/1080p-00001.png', 'renditions/thumbs/square-160x160-00001.jpg', 'renditions/thumbs/square-160x160-00002.jpg', 'renditions/thumbs/square-160x160-00003.jpg']);
    const png = await probeObject(s3, THUMBS, 'renditions/thumbs/1080p-00001.png', dir);
    assert.deepEqual([png.video!.codec, png.video!.width, png.video!.height], ['png', 192, 108]);
    const jpg = await probeObject(s3, THUMBS, 'renditions/thumbs/square-160x160-00002.jpg', dir);
    assert.deepEqual([jpg.video!.codec, jpg.video!.width, jpg.video!.height], ['mjpeg', 160, 160]);
    const mp4 = await s3.send(new GetObjectCommand({ Bucket: OUT, Key: 'renditions/720p.mp4' }));
    assert.equal(mp4.ContentType, 'video/mp4');
    // faststart: the moov atom precedes mdat.
    const bytes = Buffer.from(await mp4.Body!.transformToByteArray());
    assert.ok(bytes.indexOf('moov') < bytes.indexOf('mdat'));

    const byPipeline = await et.send(new ListJobsByPipelineCommand({ PipelineId: pipelineId }));
    assert.ok(byPipeline.Jobs!.some((j) => j.Id === job!.Id && j.Status === 'Complete'));
    assert.ok((await et.send(new ListJobsByStatusCommand({ Status: 'Complete' }))).Jobs!.some((j) => j.Id === job!.Id));

    // PROGRESSING then COMPLETED reach the http subscriber through SNS, in ETS's format.
    const deadline = Date.now() + 15_000;
    const mine = () => received.filter((m) => JSON.parse(m.Message).jobId === job!.Id);
    while (mine().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const progressing = mine().find((m) => JSON.parse(m.Message).state === 'PROGRESSING');
    const completed = mine().find((m) => JSON.parse(m.Message).state === 'COMPLETED');
    assert.equal(progressing?.Subject, `Amazon Elastic Transcoder has scheduled job ${job!.Id} for transcoding.`);
    assert.equal(completed?.Subject, `Amazon Elastic Transcoder has finished transcoding job ${job!.Id}.`);
    assert.match(completed!.Message, /^\{\n {2}"state" : "COMPLETED",\n {2}"version" : "2012-09-25",/);
    const msg = JSON.parse(completed!.Message);
    assert.deepEqual(msg.input, { key: 'videos/in.mp4', frameRate: 'auto', resolution: 'auto', aspectRatio: 'auto', interlaced: 'auto', container: 'auto' });
    assert.deepEqual([msg.pipelineId, msg.inputCount, msg.outputKeyPrefix], [pipelineId, 1, 'renditions/']);
    assert.deepEqual(msg.outputs[0], { id: '1', presetId: '1351620000001-000001', key: '1080p.mp4', thumbnailPattern: 'thumbs/1080p-{count}', status: 'Complete', duration: 5, width: 640, height: 360 });
    assert.equal(msg.outputs[2].rotate, 'auto');
    assert.deepEqual(msg.userMetadata, { Season: '1', 'Episode id': 'e-3' });
    assert.equal(JSON.parse(progressing!.Message).outputs[0].status, 'Progressing');
  });

  it('writes an HLSv3 master playlist, variant playlists and numbered segments', async () => {
    const { Job: job } = await et.send(new CreateJobCommand({
      PipelineId: pipelineId,
      Input: { Key: 'videos/in.mp4' },
      OutputKeyPrefix: 'hls/show/',
      Outputs: [
        { Key: 'hls-1m', PresetId: '1351620000001-200030', SegmentDuration: '2' },
        { Key: 'hls-400k', PresetId: '1351620000001-200050', SegmentDuration: '2' },
      ],
      Playlists: [{ Name: 'master', Format: 'HLSv3', OutputKeys: ['hls-1m', 'hls-400k'] }],
    }));
    const done = await waitForJob(et, job!.Id!);
    assert.equal(done.Status, 'Complete', JSON.stringify(done));
    assert.equal(done.Playlists![0]!.Status, 'Complete');
    const keys = (await s3.send(new ListObjectsV2Command({ Bucket: OUT, Prefix: 'hls/show/' }))).Contents!.map((c) => c.Key!).sort();
    assert.deepEqual(keys, ['hls/show/hls-1m.m3u8', 'hls/show/hls-1m00000.ts', 'hls/show/hls-1m00001.ts', 'hls/show/hls-1m00002.ts', 'hls/show/hls-400k.m3u8', 'hls/show/hls-400k00000.ts', 'hls/show/hls-400k00001.ts', 'hls/show/hls-400k00002.ts', 'hls/show/master.m3u8']);
    const master = readFileSync(await download(s3, OUT, 'hls/show/master.m3u8', dir), 'utf8');
    assert.match(master, /^#EXTM3U\n/);
    assert.match(master, /#EXT-X-STREAM-INF:PROGRAM-ID=1,BANDWIDTH=1000000,RESOLUTION=640x360,CODECS="avc1\.4d401f,mp4a\.40\.2"\nhls-1m\.m3u8/);
    assert.match(master, /BANDWIDTH=400000,RESOLUTION=400x226,.*\nhls-400k\.m3u8/);
    const variant = readFileSync(await download(s3, OUT, 'hls/show/hls-400k.m3u8', dir), 'utf8');
    assert.match(variant, /#EXT-X-TARGETDURATION:2/);
    assert.match(variant, /\nhls-400k00000\.ts\n/);
    assert.match(variant, /#EXT-X-ENDLIST/);
    const segments = [...variant.matchAll(/#EXTINF:([\d.]+)/g)].map((m) => Number(m[1]));
    assert.equal(segments.length, 3);
    assert.ok(Math.abs(segments[0]! - 2) <= 0.2 && Math.abs(segments.reduce((a, b) => a + b, 0) - 5) <= 0.2, `segments ${segments}`);
    // MPEG-TS: 188-byte packets, each starting with the 0x47 sync byte. (Not ffprobed: the packaged
    // static ffprobe, used where the system has none, crashes on MPEG-TS.)
    const ts = readFileSync(await download(s3, OUT, 'hls/show/hls-400k00001.ts', dir));
    assert.ok(ts.length > 188 * 10 && ts.length % 188 === 0 && [0, 188, 376, ts.length - 188].every((i) => ts[i] === 0x47));
    const out400 = done.Outputs!.find((o) => o.Key === 'hls-400k')!;
    assert.deepEqual([out400.Width, out400.Height, out400.Duration], [400, 226, 5]);
  });

  it('reports job errors as ETS does: output exists (3002), input missing (3001), corrupt input (4000)', async () => {
    const exists = await waitForJob(et, (await et.send(new CreateJobCommand({ PipelineId: pipelineId, Input: { Key: 'videos/in.mp4' }, OutputKeyPrefix: 'renditions/', Output: { Key: '720p.mp4', PresetId: '1351620000001-000010' } }))).Job!.Id!);
    assert.equal(exists.Status, 'Error');
    assert.match(exists.Output!.StatusDetail!, /^3002 [0-9a-f-]{36}: The specified object could not be saved in the specified bucket because an object by that name already exists: bucket=ets-output, key=renditions\/720p\.mp4\.$/);

    const missing = await waitForJob(et, (await et.send(new CreateJobCommand({ PipelineId: pipelineId, Input: { Key: 'videos/nothing.mp4' }, Output: { Key: 'never.mp4', PresetId: '1351620000001-000010' } }))).Job!.Id!);
    assert.equal(missing.Status, 'Error');
    assert.match(missing.Output!.StatusDetail!, /^3001 [0-9a-f-]{36}: The specified object does not exist in the specified S3 bucket: bucket=ets-input, key=videos\/nothing\.mp4\.$/);

    const before = (await s3.send(new ListObjectsV2Command({ Bucket: OUT }))).KeyCount;
    const corrupt = await waitForJob(et, (await et.send(new CreateJobCommand({
      PipelineId: pipelineId, Input: { Key: 'videos/corrupt.mp4' }, OutputKeyPrefix: 'corrupt/',
      Outputs: [{ Key: 'a.mp4', PresetId: '1351620000001-000010', ThumbnailPattern: 't-{count}' }, { Key: 'b', PresetId: '1351620000001-200050', SegmentDuration: '2' }],
      Playlists: [{ Name: 'm', Format: 'HLSv3', OutputKeys: ['b'] }],
    }))).Job!.Id!);
    assert.equal(corrupt.Status, 'Error');
    for (const o of corrupt.Outputs!) assert.match(o.StatusDetail!, /^4000 [0-9a-f-]{36}: Amazon Elastic Transcoder could not interpret the media file\.$/);
    assert.equal(corrupt.Playlists![0]!.Status, 'Error');
    assert.equal((await s3.send(new ListObjectsV2Command({ Bucket: OUT }))).KeyCount, before);
    assert.equal((await s3.send(new ListObjectsV2Command({ Bucket: THUMBS, Prefix: 'corrupt/' }))).KeyCount, 0);

    const deadline = Date.now() + 15_000;
    let error: any;
    while (!error && Date.now() < deadline) {
      error = received.map((m) => ({ subject: m.Subject, msg: JSON.parse(m.Message) })).find((m) => m.msg.jobId === corrupt.Id && m.msg.state === 'ERROR');
      if (!error) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(error, 'an ERROR notification');
    assert.equal(error.msg.errorCode, 4000);
    assert.match(error.msg.messageDetails, /^4000 /);
    assert.equal(error.msg.outputs[1].segmentDuration, 2);
    assert.deepEqual(error.msg.playlists[0], { name: 'm', format: 'HLSv3', outputKeys: ['b'], status: 'Error' });
  });

  it('writes as the pipeline role: a role without s3:PutObject ends in AccessDenied (3004)', async () => {
    const cfg = clientConfig(server);
    const readOnly = await transcoderRole(new IAMClient(cfg), 'ets-read-only', ['s3:GetObject', 's3:ListBucket']);
    const p = await et.send(new CreatePipelineCommand({ Name: 'read-only', InputBucket: IN, OutputBucket: OUT, Role: readOnly }));
    const job = await waitForJob(et, (await et.send(new CreateJobCommand({ PipelineId: p.Pipeline!.Id, Input: { Key: 'videos/in.mp4' }, Output: { Key: 'denied/out.mp4', PresetId: '1351620000001-000061' } }))).Job!.Id!);
    assert.equal(job.Status, 'Error');
    assert.match(job.Output!.StatusDetail!, /^3004 .*bucket=ets-output, key=denied\/out\.mp4\..*AccessDenied/);
    assert.equal((await s3.send(new ListObjectsV2Command({ Bucket: OUT, Prefix: 'denied/' }))).KeyCount, 0);
  });

  it('answers CreateJob errors: unknown pipeline or preset, bad patterns, duplicate keys, unsupported features', async () => {
    const output = { Key: 'k.mp4', PresetId: '1351620000001-000010' };
    await rejects(et.send(new CreateJobCommand({ PipelineId: '1111111111111-abcde1', Input: { Key: 'videos/in.mp4' }, Output: output })), 'ResourceNotFoundException', /pipeline/);
    await rejects(et.send(new CreateJobCommand({ PipelineId: pipelineId, Input: { Key: 'videos/in.mp4' }, Output: { ...output, PresetId: '1351620000001-999999' } })), 'ResourceNotFoundException', /preset/);
    await rejects(et.send(new CreateJobCommand({ PipelineId: pipelineId, Input: { Key: 'videos/in.mp4' }, Output: { ...output, ThumbnailPattern: 'no-count' } })), 'ValidationException', /thumbnailPattern/);
    await rejects(et.send(new CreateJobCommand({ PipelineId: pipelineId, Input: { Key: 'videos/in.mp4' }, Output: { ...output, Rotate: '45' } })), 'ValidationException', /rotate/);
    await rejects(et.send(new CreateJobCommand({ PipelineId: pipelineId, Input: { Key: 'videos/in.mp4' }, Outputs: [output, output] })), 'ValidationException', /unique/);
    await rejects(et.send(new CreateJobCommand({ PipelineId: pipelineId, Input: { Key: 'videos/in.mp4' }, Output: output, UserMetadata: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v'])) })), 'ValidationException', /10/);
    await rejects(et.send(new CreateJobCommand({ PipelineId: pipelineId, Input: { Key: 'videos/in.mp4' }, Output: output, Playlists: [{ Name: 'p', Format: 'HLSv3', OutputKeys: ['k.mp4'] }] })), 'ValidationException', /container is ts/);
    await rejects(et.send(new CreateJobCommand({ PipelineId: pipelineId, Input: { Key: 'videos/in.mp4' }, Output: { ...output, Watermarks: [{ PresetWatermarkId: 'TopLeft', InputKey: 'logo.png' }] } })), 'NotImplemented');
    await rejects(et.send(new ReadJobCommand({ Id: '1111111111111-abcde1' })), 'ResourceNotFoundException', /job/);
  });

  const cli = '/usr/bin/aws';
  it('works from Debian\'s AWS CLI v2 (create-pipeline, create-job, wait job-complete, read-job)', { skip: existsSync(cli) ? false : `${cli} is not installed (.ci/run installs it)` }, async () => {
    const env = { PATH: '/usr/bin:/bin', HOME: dir, AWS_ACCESS_KEY_ID: server.root.accessKeyId, AWS_SECRET_ACCESS_KEY: server.root.secretAccessKey, AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '', AWS_EC2_METADATA_DISABLED: 'true' };
    // Asynchronously: the server answering the CLI runs in this process.
    const aws = (...args: string[]) =>
      new Promise<any>((resolve, reject) => {
        execFile(cli, ['--endpoint-url', server.url, '--output', 'json', 'elastictranscoder', ...args], { env, encoding: 'utf8' }, (err, stdout, stderr) => {
          if (err) reject(new Error(`aws ${args.join(' ')}: ${stderr}`));
          else resolve(stdout.trim() ? JSON.parse(stdout) : {});
        });
      });
    const pipeline = (await aws('create-pipeline', '--name', 'from-cli', '--input-bucket', IN, '--output-bucket', OUT, '--role', role)).Pipeline;
    assert.equal(pipeline.Status, 'Active');
    const job = (await aws('create-job', '--pipeline-id', pipeline.Id, '--input', JSON.stringify({ Key: 'videos/in.mp4' }), '--outputs', JSON.stringify([{ Key: 'cli/320.mp4', PresetId: '1351620000001-000061' }]))).Job;
    await aws('wait', 'job-complete', '--id', job.Id);
    const read = (await aws('read-job', '--id', job.Id)).Job;
    assert.equal(read.Status, 'Complete');
    assert.deepEqual([read.Output.Width, read.Output.Height], [320, 180]);
    assert.ok((await aws('list-jobs-by-pipeline', '--pipeline-id', pipeline.Id)).Jobs.some((j: { Id: string }) => j.Id === job.Id));
  });
});
