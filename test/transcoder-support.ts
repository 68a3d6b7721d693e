/**
 * What the Elastic Transcoder tests and bench share: small media made with
 * ffmpeg, a role Elastic Transcoder may assume, polling a job to its end, and
 * ffprobe's view of an object downloaded from S3.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ElasticTranscoderClient, ReadJobCommand, type Job } from '@aws-sdk/client-elastic-transcoder';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { binaries, configureBinaries, probe, run, type Probe } from '../src/services/elastictranscoder/ffmpeg.js';

configureBinaries({ searchPath: process.env.PATH });

/** testsrc video with a sine tone: `seconds` long, WxH, at `rate` fps. */
export async function makeVideo(path: string, seconds = 5, size = '640x360', rate = 25): Promise<void> {
  const r = await run(binaries().ffmpeg, [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc=duration=${seconds}:size=${size}:rate=${rate}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', '-f', 'mp4', path,
  ]);
  if (r.code !== 0) throw new Error(`ffmpeg could not make the test video: ${r.stderr}`);
}

/** Bytes that look like an mp4 to nobody. */
export function makeCorrupt(path: string): void {
  writeFileSync(path, Buffer.concat([Buffer.from('this is not a video, just text pretending '), Buffer.alloc(4096, 7)]));
}

export const TRUST_TRANSCODER = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'elastictranscoder.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

/** A role Elastic Transcoder may assume, allowed `actions` on everything. */
export async function transcoderRole(iam: IAMClient, name: string, actions: string[]): Promise<string> {
  const role = await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: TRUST_TRANSCODER }));
  await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'transcode', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] }) }));
  return role.Role!.Arn!;
}

export async function waitForJob(et: ElasticTranscoderClient, id: string, statuses = ['Complete', 'Error', 'Canceled'], timeoutMs = 90_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Job: job } = await et.send(new ReadJobCommand({ Id: id }));
    if (job && statuses.includes(job.Status!)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job?.Status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function download(s3: S3Client, bucket: string, key: string, dir: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const path = join(dir, key.replace(/\//g, '_'));
  writeFileSync(path, Buffer.from(await out.Body!.transformToByteArray()));
  return path;
}

export async function probeObject(s3: S3Client, bucket: string, key: string, dir: string): Promise<Probe & { profile?: string }> {
  const path = await download(s3, bucket, key, dir);
  const p = await probe(path);
  if (!p) throw new Error(`ffprobe cannot read ${bucket}/${key}`);
  const r = await run(binaries().ffprobe, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=profile', '-of', 'csv=p=0', path]);
  return { ...p, profile: r.stderr.trim().split('\n')[0] || undefined };
}
