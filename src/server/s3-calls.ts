/**
 * Other services reach S3 objects through S3's own authorization and
 * handlers, as a principal (a pipeline role, the caller of CreateFunction),
 * so bucket policies, Block Public Access and event notifications apply as
 * to any request. Wired here because services never import each other.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Principal, RequestContext } from '../core/context.js';
import { ServiceError } from '../core/errors.js';
import { silentLogger } from '../core/logger.js';
import type { S3Service } from '../services/s3/index.js';

export type S3Call = (operation: string, input: Record<string, unknown>, principal: Principal) => Promise<Record<string, any>>;

export function s3Caller(s3: () => S3Service, scope: { accountId: string; region: string; userAgent: string; endpoint: () => string }): S3Call {
  return async (operation, input, principal) => {
    const service = s3();
    const spec = service.operations[operation]!;
    const ctx: RequestContext = {
      requestId: randomUUID(),
      accountId: scope.accountId,
      region: scope.region,
      service: 's3',
      operation,
      principal,
      sourceIp: '127.0.0.1',
      secureTransport: true,
      userAgent: scope.userAgent,
      receivedAt: new Date(),
      log: silentLogger,
      endpoint: scope.endpoint(),
    };
    if (spec.authorize) await spec.authorize(input, ctx);
    return ((await spec.handler(input, ctx)) ?? {}) as Record<string, any>;
  };
}

/** GetObject's body as a stream: S3 hands small bodies over as a Buffer. */
export function bodyStream(out: Record<string, any>): Readable {
  return Buffer.isBuffer(out.Body) ? Readable.from([out.Body]) : (out.Body as Readable);
}

/** A whole object in memory, refused (EntityTooLarge) beyond `maxBytes` before any of it is read. */
export async function readWhole(call: S3Call, principal: Principal, location: { bucket: string; key: string; versionId?: string }, maxBytes: number): Promise<Buffer> {
  const out = await call('GetObject', { Bucket: location.bucket, Key: location.key, ...(location.versionId ? { VersionId: location.versionId } : {}) }, principal);
  if (Buffer.isBuffer(out.Body)) return out.Body;
  const body = bodyStream(out);
  if (Number(out.ContentLength ?? 0) > maxBytes) {
    body.destroy();
    throw new ServiceError('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', { status: 400 });
  }
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
