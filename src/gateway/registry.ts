/**
 * The services served behind the edge, indexed the ways a request can name
 * one: SigV4 signing name, X-Amz-Target prefix, REST path prefix and query
 * Action. Built once at start-up from the service definitions and models.
 */
import type { ServiceModel } from '../protocol/model.js';
import type { ServiceCodec } from '../protocol/types.js';
import type { ServiceDefinition } from '../services/types.js';


export interface RegisteredService {
  def: ServiceDefinition;
  codec: ServiceCodec;
  model: ServiceModel;
  /** S3 signs, errs and authenticates (anonymous allowed) its own way. */
  style: 's3' | 'aws';
}

export class ServiceRegistry {
  readonly all: RegisteredService[];
  private readonly bySigningName = new Map<string, RegisteredService[]>();
  private readonly byTarget = new Map<string, RegisteredService>();
  private readonly byPath = new Map<string, RegisteredService>();
  private readonly byAction = new Map<string, RegisteredService[]>();
  readonly s3: RegisteredService | undefined;

  constructor(services: RegisteredService[]) {
    this.all = services;
    for (const s of services) {
      push(this.bySigningName, s.def.signingName, s);
      const { protocol, targetPrefix } = s.model.metadata;
      if (targetPrefix) this.byTarget.set(targetPrefix, s);
      if (protocol === 'query') for (const op of s.model.operations.keys()) push(this.byAction, op, s);
      if (protocol === 'rest-json') {
        for (const op of s.model.operations.values()) {
          const prefix = pathPrefix(op.http?.requestUri ?? '');
          if (prefix) this.byPath.set(prefix, s);
        }
      }
    }
    this.s3 = services.find((s) => s.style === 's3');
  }

  get(name: string): RegisteredService | undefined {
    return this.all.find((s) => s.def.name === name);
  }

  signedFor(signingName: string): RegisteredService[] {
    return this.bySigningName.get(signingName) ?? [];
  }

  forTarget(target: string): RegisteredService | undefined {
    const dot = target.lastIndexOf('.');
    return dot > 0 ? this.byTarget.get(target.slice(0, dot)) : undefined;
  }

  forPath(rawPath: string): RegisteredService | undefined {
    const prefix = pathPrefix(rawPath);
    return prefix ? this.byPath.get(prefix) : undefined;
  }

  forAction(action: string): RegisteredService[] {
    return this.byAction.get(action) ?? [];
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * The first two literal path segments of a REST route ("/2015-03-31/functions",
 * "/v2/apis", "/v2/email"): enough to tell the REST JSON services apart.
 */
function pathPrefix(uri: string): string | undefined {
  const segments = uri.split('?')[0]!.split('/').filter(Boolean).slice(0, 2);
  if (segments.length === 0 || segments.some((s) => s.includes('{'))) return undefined;
  return '/' + segments.join('/');
}
