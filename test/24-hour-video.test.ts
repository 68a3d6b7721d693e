/**
 * "24-Hour Video" (chapter 3 of Sbarski's "Serverless Architectures on AWS"),
 * deployed by examples/24-hour-video/deploy.mjs as a reader would, then used
 * the book's ways: a video copied with the AWS CLI, a video uploaded by the
 * page in a real Chromium, and the book's own aws-sdk v2 handler. Videos are
 * made by the real ffmpeg and checked with the real ffprobe.
 * https://docs.aws.amazon.com/elastictranscoder/latest/developerguide/create-job.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/NotificationHowTo.html
 * https://docs.aws.amazon.com/sns/latest/dg/sns-lambda-as-subscriber.html
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { ElasticTranscoderClient, ListJobsByPipelineCommand, ReadPresetCommand, type Job } from '@aws-sdk/client-elastic-transcoder';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DeleteObjectCommand, GetBucketNotificationConfigurationCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { chromium, type Browser } from 'playwright-core';
import { clientConfig, REPO, ROOT_KEY, startTestServer, tempDir, type TestServer } from './harness.js';

const run = promisify(execFile);
const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = '/tmp/24-hour-video.png';
const EXAMPLE = join(REPO, 'examples/24-hour-video');
const UPLOAD = '24-hour-video-upload';
const TRANSCODED = '24-hour-video-transcoded';
/** The book's presets, by the suffix transcode-video gives their outputs. */
const PRESETS = { '1080p': '1351620000001-000001', '720p': '1351620000001-000010', 'web-720p': '1351620000001-100070' } as const;
const PIPELINE_WAIT_MS = 120_000;

interface Deployed {
  pageUrl: string;
  pagePathUrl: string;
  apiId: string;
  apiUrl: string;
  apiPathUrl: string;
  pipelineId: string;
  topicArn: string;
  functions: Record<string, string>;
}
type Deploy = (config: object, options?: { legacy?: boolean }) => Promise<Deployed>;
interface Rendition {
  label: string;
  key: string;
  url: string;
  size: number;
  metadataUrl?: string;
  metadata?: { duration?: number; width?: number; height?: number; videoCodec?: string; audioCodec?: string };
}
interface Video {
  id: string;
  title: string;
  thumbnail?: string;
  thumbnails: string[];
  renditions: Rendition[];
}
interface Probe {
  format: { duration: string };
  streams: { codec_type: string; codec_name: string; width?: number; height?: number }[];
}

/** A test video: testsrc pictures with a sine tone, H.264/AAC in MP4. */
async function makeVideo(file: string, seconds: number, size: string, rate = 25): Promise<void> {
  await run('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc=duration=${seconds}:size=${size}:rate=${rate}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', file],
  ]);
}

async function ffprobe(file: string): Promise<Probe> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file]);
  return JSON.parse(stdout) as Probe;
}

/** What a preset's SizingPolicy and PaddingPolicy make of a w×h input (https://docs.aws.amazon.com/elastictranscoder/latest/developerguide/preset-settings.html). */
function presetSize(video: { MaxWidth?: string; MaxHeight?: string; SizingPolicy?: string; PaddingPolicy?: string }, w: number, h: number): { width: number; height: number } {
  const maxW = video.MaxWidth && video.MaxWidth !== 'auto' ? Number(video.MaxWidth) : 1920;
  const maxH = video.MaxHeight && video.MaxHeight !== 'auto' ? Number(video.MaxHeight) : 1080;
  if (video.SizingPolicy === 'Stretch' || video.PaddingPolicy === 'Pad') return { width: maxW, height: maxH };
  const even = (n: number) => 2 * Math.round(n / 2);
  const fit = Math.min(maxW / w, maxH / h);
  const fill = Math.max(maxW / w, maxH / h);
  const scale = { Fit: fit, ShrinkToFit: Math.min(1, fit), Fill: fill, ShrinkToFill: Math.min(1, fill) }[video.SizingPolicy ?? ''] ?? 1;
  // Fill, ShrinkToFill and Keep crop whatever exceeds the maxima.
  return { width: Math.min(even(w * scale), maxW), height: Math.min(even(h * scale), maxH) };
}

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('24-Hour Video (examples/24-hour-video) on Stratus', () => {
  let server: TestServer;
  let out: Deployed;
  let deploy: Deploy;
  let s3: S3Client;
  let lambda: LambdaClient;
  let transcoder: ElasticTranscoderClient;
  let logs: CloudWatchLogsClient;
  let dir: string;
  let cliEnv: NodeJS.ProcessEnv;

  const config = () => ({ endpoint: server.url, credentials: ROOT_KEY, region: 'us-east-1' });
  const api = async (path: string): Promise<Response> => fetch(`${out.apiPathUrl}${path}`);
  const videos = async (): Promise<Video[]> => {
    const r = await api('/videos');
    assert.equal(r.status, 200, await r.clone().text());
    return ((await r.json()) as { videos: Video[] }).videos;
  };
  const keysUnder = async (prefix: string): Promise<string[]> => ((await s3.send(new ListObjectsV2Command({ Bucket: TRANSCODED, Prefix: prefix }))).Contents ?? []).map((o) => o.Key!).sort();
  const logText = async (fn: string): Promise<string> => {
    try {
      return ((await logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${fn}` }))).events ?? []).map((e) => e.message ?? '').join('');
    } catch {
      return '';
    }
  };
  /**
   * Waits for the three renditions and a thumbnail of an upload and, unless `published` is false
   * (the transcoder's half only), the renditions' metadata, every object readable anonymously.
   */
  const transcoded = async (stem: string, published = true): Promise<string[]> =>
    until(`the outputs of ${stem}`, PIPELINE_WAIT_MS, async () => {
      const keys = await keysUnder(`${stem}/`);
      const wanted = Object.keys(PRESETS).flatMap((l) => [`${stem}/${stem}-${l}.mp4`, ...(published ? [`${stem}/${stem}-${l}.json`] : [])]);
      if (!wanted.every((k) => keys.includes(k)) || !keys.some((k) => /-thumb-\d{5}\.(png|jpg)$/.test(k))) return undefined;
      if (published) for (const k of keys) if ((await fetch(`${server.url}/${TRANSCODED}/${k.split('/').map(encodeURIComponent).join('/')}`, { method: 'HEAD' })).status !== 200) return undefined;
      return keys;
    }).catch(async (err: Error) => {
      throw new Error(`${err.message}\ntranscode-video's logs:\n${await logText('transcode-video')}`);
    });

  before(async () => {
    server = await startTestServer();
    dir = tempDir('stratus-24hv-');
    cliEnv = { PATH: process.env.PATH, HOME: dir, AWS_ACCESS_KEY_ID: ROOT_KEY.accessKeyId, AWS_SECRET_ACCESS_KEY: ROOT_KEY.secretAccessKey, AWS_DEFAULT_REGION: 'us-east-1', AWS_ENDPOINT_URL: server.url, AWS_PAGER: '' };
    s3 = new S3Client(clientConfig(server));
    lambda = new LambdaClient(clientConfig(server));
    transcoder = new ElasticTranscoderClient(clientConfig(server));
    logs = new CloudWatchLogsClient(clientConfig(server));
    // A plain .mjs script: imported through a variable so tsc does not look for its types.
    const module = join(EXAMPLE, 'deploy.mjs');
    ({ deploy } = (await import(module)) as { deploy: Deploy });
    out = await deploy(config());
  });
  after(async () => {
    for (const c of [s3, lambda, transcoder, logs]) c?.destroy();
    await server?.close();
  });

  it('deploy.mjs is idempotent: a second run finds and reuses the API, the pipeline, the topic and its subscriptions', async () => {
    const again = await deploy(config());
    assert.equal(again.apiId, out.apiId);
    assert.equal(again.pipelineId, out.pipelineId);
    assert.equal(again.topicArn, out.topicArn);
    assert.deepEqual(again.functions, out.functions);
    const upload = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: UPLOAD }));
    assert.deepEqual(upload.LambdaFunctionConfigurations?.map((c) => c.LambdaFunctionArn), [out.functions['transcode-video']]);
    const sns = new SNSClient(clientConfig(server));
    const subs = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: out.topicArn }))).Subscriptions ?? [];
    sns.destroy();
    assert.deepEqual(subs.map((s) => `${s.Protocol} ${s.Endpoint}`).sort(), [`lambda ${out.functions['extract-metadata']}`, `lambda ${out.functions['set-permissions']}`]);
    const transcoded = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: TRANSCODED }));
    assert.deepEqual(transcoded.TopicConfigurations?.map((c) => c.TopicArn), [out.topicArn]);
    const page = await fetch(out.pagePathUrl);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>24-Hour Video<\/title>/);
    const site = (await (await fetch(`${out.pagePathUrl}config.json`)).json()) as { apiUrl: string; apiPathUrl: string };
    assert.equal(site.apiUrl, `http://${out.apiId}.execute-api.localhost:${server.port}`);
    assert.equal(site.apiPathUrl, out.apiPathUrl);
  });

  it('the TypeScript functions typecheck against the SDK v3 and aws-lambda types', async () => {
    await run(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', join(EXAMPLE, 'tsconfig.json')], { cwd: REPO });
  });

  it('GET /upload-policy answers a presigned POST that S3 accepts for the named video and refuses for anything else', async () => {
    const missing = await api('/upload-policy');
    assert.equal(missing.status, 400);
    const notVideo = await api('/upload-policy?filename=a.txt&contentType=text/plain');
    assert.equal(notVideo.status, 400);
    const r = await api('/upload-policy?filename=' + encodeURIComponent('Holiday clip (1).mp4'));
    assert.equal(r.status, 200);
    const policy = (await r.json()) as { key: string; url: string; fields: Record<string, string> };
    assert.match(policy.key, /^Holiday-clip-1-[0-9a-f]{8}\.mp4$/);
    assert.equal(policy.url, `${server.url}/${UPLOAD}`);
    const post = async (fields: Record<string, string>, body: string) => {
      const form = new FormData();
      for (const [k, v] of Object.entries(fields)) form.append(k, v);
      form.append('file', new Blob([body], { type: 'video/mp4' }), 'clip.mp4');
      return fetch(policy.url, { method: 'POST', body: form });
    };
    // The policy fixes the key and wants a video Content-Type.
    const wrongType = await post({ ...policy.fields, 'Content-Type': 'text/html' }, '<script>');
    assert.equal(wrongType.status, 403, await wrongType.text());
    const otherKey = await post({ ...policy.fields, key: 'elsewhere.mp4' }, 'x');
    assert.equal(otherKey.status, 403, await otherKey.text());
    const ok = await post(policy.fields, 'not really a video');
    assert.equal(ok.status, 204, await ok.text());
    assert.deepEqual(((await s3.send(new ListObjectsV2Command({ Bucket: UPLOAD, Prefix: 'Holiday' }))).Contents ?? []).map((o) => o.Key), [policy.key]);
    await s3.send(new DeleteObjectCommand({ Bucket: UPLOAD, Key: policy.key }));
    // A preflight from the page's origin is allowed by the API's CORS configuration.
    const origin = new URL(out.pageUrl).origin;
    const pre = await fetch(`${out.apiPathUrl}/videos`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET' } });
    assert.equal(pre.headers.get('access-control-allow-origin'), origin);
  });

  it('set-permissions and extract-metadata, given the SNS message S3 publishes, make a rendition public and store its ffprobe metadata; GET /videos lists it', async () => {
    const file = join(dir, 'direct.mp4');
    await makeVideo(file, 2, '320x240');
    const key = 'direct test/direct test-web-720p.mp4';
    await s3.send(new PutObjectCommand({ Bucket: TRANSCODED, Key: key, Body: readFileSync(file), ContentType: 'video/mp4' }));
    const url = `${server.url}/${TRANSCODED}/direct%20test/direct%20test-web-720p.mp4`;
    // S3 URL-encodes keys in events: a space arrives as '+'.
    const s3Event = { Records: [{ eventVersion: '2.1', eventSource: 'aws:s3', awsRegion: 'us-east-1', eventName: 'ObjectCreated:Put', s3: { bucket: { name: TRANSCODED, arn: `arn:aws:s3:::${TRANSCODED}` }, object: { key: 'direct+test/direct+test-web-720p.mp4', size: 1 } } }] };
    const snsEvent = { Records: [{ EventSource: 'aws:sns', EventVersion: '1.0', EventSubscriptionArn: 'arn:aws:sns:us-east-1:123456789012:t:1', Sns: { Type: 'Notification', MessageId: '1', TopicArn: 'arn:aws:sns:us-east-1:123456789012:t', Subject: 'Amazon S3 Notification', Message: JSON.stringify(s3Event), Timestamp: new Date().toISOString() } }] };
    const invoke = async (fn: string) => {
      const r = await lambda.send(new InvokeCommand({ FunctionName: fn, Payload: JSON.stringify(snsEvent) }));
      const text = Buffer.from(r.Payload ?? []).toString();
      assert.equal(r.FunctionError, undefined, text);
      return JSON.parse(text) as string[];
    };
    assert.deepEqual(await invoke('set-permissions'), [key]);
    assert.equal((await fetch(url)).status, 200, 'public-read after set-permissions');
    assert.deepEqual(await invoke('extract-metadata'), ['direct test/direct test-web-720p.json']);
    const { Body } = await s3.send(new GetObjectCommand({ Bucket: TRANSCODED, Key: 'direct test/direct test-web-720p.json' }));
    const saved = JSON.parse(await Body!.transformToString()) as Probe;
    const local = await ffprobe(file);
    // ffprobe names the file it read: the function's was a temporary copy.
    assert.match((saved.format as { filename?: string }).filename ?? '', /^\/tmp\/.+\.mp4$/);
    for (const p of [saved, local]) delete (p.format as { filename?: string }).filename;
    assert.deepEqual(saved, local, 'the stored metadata is what ffprobe says of the same file');
    const listed = (await videos()).find((v) => v.id === 'direct test');
    assert.ok(listed, 'listed');
    assert.equal(listed.renditions.length, 1);
    assert.equal(listed.renditions[0]!.url, url);
    const { duration, width, height, videoCodec, audioCodec } = listed.renditions[0]!.metadata!;
    assert.deepEqual({ duration, width, height, videoCodec, audioCodec }, { duration: Number(saved.format.duration), width: 320, height: 240, videoCodec: 'h264', audioCodec: 'aac' });
    for (const k of [key, 'direct test/direct test-web-720p.json']) await s3.send(new DeleteObjectCommand({ Bucket: TRANSCODED, Key: k }));
  });

  it('a video copied with the AWS CLI comes out as three renditions sized by their presets, thumbnails and ffprobe metadata, all public, and GET /videos lists them', async () => {
    // 4:3 and taller than 720: both 720p presets shrink it, the 1080p preset keeps it.
    const [w, h] = [1024, 768];
    const file = join(dir, 'cli clip.mp4');
    await makeVideo(file, 5, `${w}x${h}`, 15);
    await run('aws', ['s3', 'cp', file, `s3://${UPLOAD}/cli clip.mp4`], { env: cliEnv });
    const keys = await transcoded('cli clip');
    for (const [label, presetId] of Object.entries(PRESETS)) {
      const got = Buffer.from(await (await fetch(`${server.url}/${TRANSCODED}/cli%20clip/cli%20clip-${label}.mp4`)).arrayBuffer());
      const local = join(dir, `out-${label}.mp4`);
      writeFileSync(local, got);
      const probe = await ffprobe(local);
      const video = probe.streams.find((s) => s.codec_type === 'video')!;
      assert.equal(video.codec_name, 'h264', label);
      assert.ok(probe.streams.some((s) => s.codec_type === 'audio'), `${label} has sound`);
      const { Preset } = await transcoder.send(new ReadPresetCommand({ Id: presetId }));
      assert.deepEqual({ width: video.width, height: video.height }, presetSize(Preset!.Video!, w, h), `${label}: ${JSON.stringify(Preset!.Video)}`);
      const meta = (await (await fetch(`${server.url}/${TRANSCODED}/cli%20clip/cli%20clip-${label}.json`)).json()) as Probe;
      assert.ok(Math.abs(Number(meta.format.duration) - Number(probe.format.duration)) < 0.01, `${label}: metadata duration ${meta.format.duration}, ffprobe ${probe.format.duration}`);
      assert.ok(Math.abs(Number(meta.format.duration) - 5) < 0.5, `${label} lasts about 5 s`);
    }
    const thumb = keys.find((k) => /-thumb-00001\.(png|jpg)$/.test(k))!;
    const image = Buffer.from(await (await fetch(`${server.url}/${TRANSCODED}/${thumb.split('/').map(encodeURIComponent).join('/')}`)).arrayBuffer());
    assert.ok(image.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47])) || image.subarray(0, 2).equals(Buffer.from([0xff, 0xd8])), 'a PNG or JPEG thumbnail');
    const listed = (await videos()).find((v) => v.id === 'cli clip');
    assert.ok(listed);
    assert.deepEqual(listed.renditions.map((r) => r.label), ['1080p', '720p', 'web-720p']);
    assert.ok(listed.thumbnail?.endsWith(thumb.split('/').map(encodeURIComponent).join('/')));
    for (const r of listed.renditions) assert.ok(Math.abs(r.metadata!.duration! - 5) < 0.5);
    // The job transcode-video started, as Elastic Transcoder reports it.
    const jobs = (await transcoder.send(new ListJobsByPipelineCommand({ PipelineId: out.pipelineId }))).Jobs ?? [];
    const job = jobs.find((j: Job) => j.Input?.Key === 'cli clip.mp4');
    assert.equal(job?.OutputKeyPrefix, 'cli clip/');
    assert.deepEqual(job?.Outputs?.map((o) => o.PresetId), Object.values(PRESETS));
  });

  it('Chromium: the page uploads a file with a progress bar, lists the transcoded video and plays it', { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed` }, async () => {
    const file = join(dir, 'browser-clip.mp4');
    await makeVideo(file, 3, '320x240');
    let browser: Browser | undefined;
    try {
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'],
      });
      const page = await browser.newPage();
      const home = await page.goto(out.pageUrl);
      assert.equal(home?.status(), 200);
      assert.equal(await page.title(), '24-Hour Video');
      await page.waitForSelector('body[data-ready="true"]');
      // Every value the bar shows, in order.
      await page.evaluate(() => {
        const bar = document.getElementById('upload-progress')!;
        const seen: string[] = [];
        (window as unknown as { progress: string[] }).progress = seen;
        new MutationObserver(() => seen.push(bar.getAttribute('aria-valuenow')!)).observe(bar, { attributes: true, attributeFilter: ['aria-valuenow'] });
      });
      await page.setInputFiles('#file', file);
      await page.click('#upload-button');
      await page.waitForSelector('#upload-progress[data-state="done"], #upload-progress[data-state="failed"]', { timeout: 30_000 });
      const status = (await page.textContent('#upload-status')) ?? '';
      assert.equal(await page.getAttribute('#upload-progress', 'data-state'), 'done', status);
      assert.equal(await page.getAttribute('#upload-progress', 'aria-valuenow'), '100');
      assert.equal((await page.textContent('#upload-progress'))?.trim(), '100%');
      const seen = await page.evaluate(() => (window as unknown as { progress: string[] }).progress);
      assert.equal(seen.at(-1), '100', seen.join(','));
      const key = /Uploaded as (\S+);/.exec(status)?.[1];
      assert.ok(key, status);
      const stem = key.replace(/\.mp4$/, '');
      assert.match(stem, /^browser-clip-[0-9a-f]{8}$/);

      await transcoded(stem);
      const card = `.video-item[data-video-id="${stem}"][data-renditions="3"]`;
      await page.waitForSelector(card, { timeout: 15_000 });
      assert.match((await page.textContent(`${card} .details`)) ?? '', /320×240 · 0:03 · h264 \/ aac/);
      assert.equal(await page.evaluate((sel) => (document.querySelector(`${sel} img.thumb`) as HTMLImageElement | null)?.naturalWidth ?? 0, card).then((w) => w > 0), true, 'the thumbnail loaded');
      await page.click(`${card} .play`);
      await page.waitForFunction(() => {
        const v = document.getElementById('player') as HTMLVideoElement;
        return v.readyState >= 2 && v.currentTime > 0.5;
      }, null, { timeout: 20_000 });
      const player = await page.evaluate(() => {
        const v = document.getElementById('player') as HTMLVideoElement;
        return { src: v.currentSrc, readyState: v.readyState, width: v.videoWidth, error: v.error?.message ?? null, rendition: v.dataset.rendition };
      });
      assert.equal(player.error, null);
      assert.equal(player.rendition, 'web-720p');
      assert.equal(player.width, 320);
      assert.equal(player.src, `${server.url}/${TRANSCODED}/${stem}/${stem}-web-720p.mp4`);
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
    } finally {
      await browser?.close();
    }
  });

  it("the book's aws-sdk v2 transcode-video, deployed with --legacy, starts the job with no code change", async () => {
    await deploy(config(), { legacy: true });
    const source = readFileSync(join(EXAMPLE, 'legacy/transcode-video/index.js'), 'utf8');
    assert.match(source, /require\('aws-sdk'\)/);
    assert.match(source, /new AWS\.ElasticTranscoder\(/);
    const file = join(dir, 'legacy.mp4');
    await makeVideo(file, 2, '320x240');
    await run('aws', ['s3', 'cp', file, `s3://${UPLOAD}/legacy+plus.mp4`], { env: cliEnv });
    const job = await until('the legacy job', 30_000, async () => {
      const jobs = (await transcoder.send(new ListJobsByPipelineCommand({ PipelineId: out.pipelineId }))).Jobs ?? [];
      return jobs.find((j: Job) => j.Input?.Key === 'legacy+plus.mp4');
    });
    assert.equal(job.OutputKeyPrefix, 'legacy+plus/');
    assert.deepEqual(job.Outputs?.map((o) => [o.Key, o.PresetId]), [
      ['legacy+plus-1080p.mp4', PRESETS['1080p']],
      ['legacy+plus-720p.mp4', PRESETS['720p']],
      ['legacy+plus-web-720p.mp4', PRESETS['web-720p']],
    ]);
    const logsText = await until('the log line', 10_000, async () => {
      const text = await logText('transcode-video');
      return text.includes(`Elastic Transcoder job ${job.Id} created for legacy+plus.mp4`) ? text : undefined;
    });
    assert.ok(logsText);
    await transcoded('legacy+plus');
  });
});
