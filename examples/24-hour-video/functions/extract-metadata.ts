/**
 * extract-metadata: for each new video in the transcoded bucket (announced
 * by the bucket's SNS topic), runs ffprobe on it and stores ffprobe's JSON
 * next to the video, under the video's key with `.json` for its extension,
 * as the book does. Thumbnails and the metadata files themselves are
 * announced too and skipped.
 *
 * Where ffprobe comes from, first found wins: FFPROBE_PATH; `bin/ffprobe` in
 * the deployment package (the book's way); `/opt/bin/ffprobe` (a layer);
 * `ffprobe` on the PATH. The example deploys without a bundled binary: see
 * its README for why.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { accessSync, constants, createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { SNSEvent } from 'aws-lambda';
import { objectOf, s3RecordsOf, withoutExtension } from './shared/events.js';

const s3 = new S3Client({});
const VIDEO = /\.(mp4|m4v|mov|webm|mkv)$/i;

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function ffprobePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FFPROBE_PATH) return env.FFPROBE_PATH;
  const candidates = [join(env.LAMBDA_TASK_ROOT ?? '/var/task', 'bin/ffprobe'), '/opt/bin/ffprobe'];
  return candidates.find(executable) ?? 'ffprobe';
}

function probe(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(ffprobePath(), ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file], { maxBuffer: 16 * 1024 * 1024, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`ffprobe failed on ${file}: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

export const handler = async (event: SNSEvent): Promise<string[]> => {
  const written: string[] = [];
  for (const record of s3RecordsOf(event)) {
    const { bucket, key } = objectOf(record);
    if (!VIDEO.test(key)) continue;
    const file = join('/tmp', `${randomUUID()}${key.slice(key.lastIndexOf('.'))}`);
    try {
      const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      await pipeline(Body as Readable, createWriteStream(file));
      const metadata = await probe(file);
      const target = `${withoutExtension(key)}.json`;
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: target, Body: metadata, ContentType: 'application/json' }));
      console.log(`metadata of s3://${bucket}/${key} saved as ${target}`);
      written.push(target);
    } finally {
      await unlink(file).catch(() => undefined);
    }
  }
  return written;
};
