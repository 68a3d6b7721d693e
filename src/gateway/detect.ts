/**
 * Service detection at the single edge port, in the order AWS's own front
 * ends and LocalStack's service router use: the SigV4 credential scope's
 * service name, the X-Amz-Target prefix, the REST path, the Host header, and
 * finally the query protocol's Action. S3 is the fallback, as plain
 * unsigned GETs of `/bucket/key` are S3's.
 */
import { codecForRequest } from '../protocol/index.js';
import type { HttpRequest } from '../protocol/types.js';
import type { RegisteredService, ServiceRegistry } from './registry.js';

export type Detection =
  | { kind: 'service'; service: RegisteredService; via: 'signature' | 'target' | 'path' | 'host' | 'action' | 'fallback'; bucket?: string }
  | { kind: 'execute-api'; apiId: string }
  | { kind: 'unknown' };

const CREDENTIAL_IN_HEADER = /Credential=[^/,\s]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/;
const VIRTUAL_HOST_S3 = /^(?:(.+)\.)?s3(?:[.-][a-z0-9-]+)?\.localhost$/;
const EXECUTE_API_HOST = /^([a-z0-9]+)\.execute-api(?:\.[a-z0-9-]+)?\.localhost$/;

/** The signing name from the Authorization header or the presigned X-Amz-Credential. */
export function signingNameOf(req: HttpRequest): string | undefined {
  const auth = req.headers['authorization'];
  if (auth) return CREDENTIAL_IN_HEADER.exec(auth)?.[1];
  const cred = req.query['X-Amz-Credential'];
  if (typeof cred === 'string') return cred.split('/')[3];
  return undefined;
}

/** `<bucket>.s3.localhost` addressing: the bucket, or '' for the bare S3 host. */
export function virtualHostBucket(hostname: string): string | undefined {
  const m = VIRTUAL_HOST_S3.exec(hostname);
  return m ? (m[1] ?? '') : undefined;
}

export function detectService(req: HttpRequest, registry: ServiceRegistry): Detection {
  const api = EXECUTE_API_HOST.exec(req.hostname);
  // execute-api traffic is addressed by host and may carry any caller's own signature.
  if (api) return { kind: 'execute-api', apiId: api[1]! };
  const bucketHost = virtualHostBucket(req.hostname);
  const bucket = bucketHost ? bucketHost : undefined;

  const signingName = signingNameOf(req);
  if (signingName) {
    const candidates = registry.signedFor(signingName);
    if (candidates.length === 1) return { kind: 'service', service: speaking(candidates[0]!, req), via: 'signature', bucket };
    if (candidates.length > 1) {
      // Several APIs sign with one name (ses and sesv2); the one whose model routes the request wins.
      const match = candidates.find((c) => c.model.metadata.protocol !== 'query' && c.codec.resolveOperation(req) !== undefined);
      const chosen = match ?? candidates.find((c) => c.model.metadata.protocol === 'query') ?? candidates[0]!;
      return { kind: 'service', service: chosen, via: 'signature', bucket };
    }
  }

  const target = req.headers['x-amz-target'];
  if (target) {
    const service = registry.forTarget(target);
    if (service) return { kind: 'service', service, via: 'target' };
  }

  const byPath = registry.forPath(req.rawPath);
  if (byPath) return { kind: 'service', service: byPath, via: 'path' };

  if (bucketHost !== undefined && registry.s3) return { kind: 'service', service: registry.s3, via: 'host', bucket };

  const action = actionOf(req);
  if (action) {
    const candidates = registry.forAction(action);
    if (candidates.length > 0) return { kind: 'service', service: candidates[0]!, via: 'action' };
  }

  return registry.s3 ? { kind: 'service', service: registry.s3, via: 'fallback' } : { kind: 'unknown' };
}

/** A service reachable over several protocols (CloudWatch) answers in the one the request speaks. */
function speaking(service: RegisteredService, req: HttpRequest): RegisteredService {
  const codec = codecForRequest(service.codec, req);
  return codec === service.codec ? service : { ...service, codec };
}

/** The query protocol's Action, from the query string or an already-buffered form body. */
export function actionOf(req: HttpRequest): string | undefined {
  const q = req.query['Action'];
  if (typeof q === 'string') return q;
  if (!Buffer.isBuffer(req.body) || req.body.length === 0) return undefined;
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded')) return undefined;
  return new URLSearchParams(req.body.toString('latin1')).get('Action') ?? undefined;
}
