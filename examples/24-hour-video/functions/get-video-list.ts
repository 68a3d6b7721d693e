/**
 * get-video-list: `GET /videos` on the HTTP API (payload format 2.0). Lists
 * the transcoded bucket and groups it by the folders transcode-video names
 * after each upload: the renditions with their public URLs and the summary
 * of their ffprobe metadata, and the thumbnails.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
import { GetObjectCommand, ListObjectsV2Command, S3Client, type _Object } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

const s3 = new S3Client({});

export interface Metadata {
  duration?: number;
  width?: number;
  height?: number;
  videoCodec?: string;
  audioCodec?: string;
  bitRate?: number;
}
export interface Rendition {
  label: string;
  key: string;
  url: string;
  size: number;
  metadataUrl?: string;
  metadata?: Metadata;
}
export interface Video {
  id: string;
  title: string;
  lastModified: string;
  thumbnail?: string;
  thumbnails: string[];
  renditions: Rendition[];
}

/** Renditions in the book's order; any other mp4 comes after them. */
const ORDER = ['1080p', '720p', 'web-720p'];

function publicUrl(bucket: string, key: string): string {
  const base = process.env.PUBLIC_BASE_URL ?? `https://${bucket}.s3.${process.env.AWS_REGION ?? 'us-east-1'}.amazonaws.com`;
  return `${base.replace(/\/+$/, '')}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

async function listAll(bucket: string): Promise<_Object[]> {
  const out: _Object[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    out.push(...(page.Contents ?? []));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

interface FfprobeOutput {
  format?: { duration?: string; bit_rate?: string };
  streams?: { codec_type?: string; codec_name?: string; width?: number; height?: number }[];
}

async function metadataOf(bucket: string, key: string): Promise<Metadata | undefined> {
  try {
    const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const probe = JSON.parse((await Body?.transformToString()) ?? '{}') as FfprobeOutput;
    const video = probe.streams?.find((s) => s.codec_type === 'video');
    const audio = probe.streams?.find((s) => s.codec_type === 'audio');
    const num = (v: string | undefined) => (v === undefined || Number.isNaN(Number(v)) ? undefined : Number(v));
    return { duration: num(probe.format?.duration), bitRate: num(probe.format?.bit_rate), width: video?.width, height: video?.height, videoCodec: video?.codec_name, audioCodec: audio?.codec_name };
  } catch (err) {
    console.warn(`no usable metadata in ${key}: ${(err as Error).message}`);
    return undefined;
  }
}

export async function videoList(bucket: string): Promise<Video[]> {
  const objects = await listAll(bucket);
  const keys = new Set(objects.map((o) => o.Key!));
  const folders = new Map<string, _Object[]>();
  for (const o of objects) {
    const slash = o.Key!.lastIndexOf('/');
    if (slash < 0) continue;
    const folder = o.Key!.slice(0, slash);
    folders.set(folder, [...(folders.get(folder) ?? []), o]);
  }
  const videos: Video[] = [];
  for (const [folder, files] of folders) {
    const title = folder.slice(folder.lastIndexOf('/') + 1);
    const mp4s = files.filter((f) => /\.mp4$/i.test(f.Key!));
    if (mp4s.length === 0) continue;
    const renditions = await Promise.all(
      mp4s.map(async (f): Promise<Rendition> => {
        const key = f.Key!;
        const stem = key.slice(0, -'.mp4'.length);
        const file = stem.slice(folder.length + 1);
        const label = file.startsWith(`${title}-`) ? file.slice(title.length + 1) : file;
        const json = `${stem}.json`;
        const r: Rendition = { label, key, url: publicUrl(bucket, key), size: f.Size ?? 0 };
        if (keys.has(json)) {
          r.metadataUrl = publicUrl(bucket, json);
          r.metadata = await metadataOf(bucket, json);
        }
        return r;
      }),
    );
    const rank = (l: string) => (ORDER.includes(l) ? ORDER.indexOf(l) : ORDER.length);
    renditions.sort((a, b) => rank(a.label) - rank(b.label) || a.label.localeCompare(b.label));
    const thumbnails = files
      .filter((f) => /\.(png|jpe?g)$/i.test(f.Key!))
      .map((f) => f.Key!)
      .sort()
      .map((k) => publicUrl(bucket, k));
    const lastModified = new Date(Math.max(...files.map((f) => f.LastModified?.getTime() ?? 0))).toISOString();
    videos.push({ id: folder, title, lastModified, thumbnail: thumbnails[0], thumbnails, renditions });
  }
  return videos.sort((a, b) => b.lastModified.localeCompare(a.lastModified) || a.id.localeCompare(b.id));
}

export const handler = async (_event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  const bucket = process.env.TRANSCODED_BUCKET;
  if (!bucket) throw new Error('TRANSCODED_BUCKET is not set');
  const videos = await videoList(bucket);
  return { statusCode: 200, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }, body: JSON.stringify({ videos }) };
};
