/**
 * GetFunction's Code.Location: on AWS a presigned S3 URL that expires after
 * 10 minutes. Here it is `<endpoint>/_stratus/lambda-code/<token>`, the token
 * an HMAC-signed, expiring reference to the package's blob, which the gateway
 * resolves with resolveCodeDownload() and serves without further signing,
 * like a presigned URL. A secret shared by every node makes links portable
 * across a cluster.
 * https://docs.aws.amazon.com/lambda/latest/api/API_FunctionCodeLocation.html
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const CODE_LINK_PATH = '/_stratus/lambda-code/';
export const CODE_LINK_TTL_MS = 10 * 60 * 1000;

export interface CodeLinks {
  /** A download URL for the blob, valid for 10 minutes from `now`. */
  location(endpoint: string, blobKey: string, now?: number): string;
  /** The blob a token names, or undefined when it is forged, malformed or expired. */
  resolveCodeDownload(token: string, now?: number): { blobKey: string } | undefined;
}

export function createCodeLinks(secret: Buffer): CodeLinks {
  const sign = (payload: string) => createHmac('sha256', secret).update(payload).digest('base64url');
  return {
    location(endpoint, blobKey, now = Date.now()) {
      const payload = Buffer.from(JSON.stringify({ k: blobKey, e: Math.floor((now + CODE_LINK_TTL_MS) / 1000) })).toString('base64url');
      return `${endpoint.replace(/\/+$/, '')}${CODE_LINK_PATH}${payload}.${sign(payload)}`;
    },
    resolveCodeDownload(token, now = Date.now()) {
      const dot = token.indexOf('.');
      if (dot <= 0) return undefined;
      const payload = token.slice(0, dot);
      const given = Buffer.from(token.slice(dot + 1));
      const expected = Buffer.from(sign(payload));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      try {
        const body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { k?: unknown; e?: unknown };
        if (typeof body.k !== 'string' || typeof body.e !== 'number' || body.e * 1000 < now) return undefined;
        return { blobKey: body.k };
      } catch {
        return undefined;
      }
    },
  };
}
