/**
 * get-upload-policy: `GET /upload-policy?filename=...&contentType=...` on the
 * HTTP API. Answers a presigned POST (URL and form fields) with which the
 * browser uploads one video straight into the upload bucket: the key is
 * fixed by the policy, the Content-Type must be a video type and the size is
 * bounded, so the form cannot be reused for anything else.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html
 */
import { randomUUID } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

// Behind a custom endpoint (Stratus, a local emulator) the bucket goes in the path: a browser
// resolves `<bucket>.localhost` but the endpoint's host may be an IP address or a name of its own.
const s3 = new S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL) });
export const MAX_BYTES = 1024 * 1024 * 1024;
const EXPIRES_SECONDS = 15 * 60;

const reply = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({ statusCode, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }, body: JSON.stringify(body) });

/**
 * A key for an upload: the file's name reduced to letters, digits, `-` and
 * `_`, then a short random suffix so that two uploads of `clip.mp4` do not
 * collide in the transcoded bucket (Elastic Transcoder refuses to overwrite
 * an output).
 */
export function uploadKey(filename: string): string {
  const base = filename.split(/[\\/]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  const ext = dot > 0 ? base.slice(dot + 1).toLowerCase().replace(/[^a-z0-9]/g, '') : '';
  const stem = (dot > 0 ? base.slice(0, dot) : base).normalize('NFKD').replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'video';
  return `${stem}-${randomUUID().slice(0, 8)}.${ext || 'mp4'}`;
}

export const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  const bucket = process.env.UPLOAD_BUCKET;
  if (!bucket) throw new Error('UPLOAD_BUCKET is not set');
  const filename = event.queryStringParameters?.filename;
  const contentType = event.queryStringParameters?.contentType || 'video/mp4';
  if (!filename) return reply(400, { message: 'the query parameter filename is required' });
  if (!/^video\/[A-Za-z0-9.+-]+$/.test(contentType)) return reply(400, { message: `not a video type: ${contentType}` });
  const key = uploadKey(filename);
  const post = await createPresignedPost(s3, {
    Bucket: bucket,
    Key: key,
    Fields: { 'Content-Type': contentType },
    Conditions: [
      ['content-length-range', 1, MAX_BYTES],
      ['starts-with', '$Content-Type', 'video/'],
    ],
    Expires: EXPIRES_SECONDS,
  });
  return reply(200, { key, url: post.url, fields: post.fields, maxBytes: MAX_BYTES });
};
