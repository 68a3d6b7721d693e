/**
 * The services served behind the edge, indexed the ways a request can name
 * one: SigV4 signing name, X-Amz-Target prefix, REST path prefix and query
 * Action. Built once at start-up from the service definitions and models.
 */
import type { ServiceModel } from '../protocol/model.js';
import type { SigV4Style } from '../protocol/sigv4/index.js';
import type { ServiceCodec } from '../protocol/types.js';
import type { ServiceDefinition } from '../services/types.js';


export interface RegisteredService {
  def: ServiceDefinition;
  codec: ServiceCodec;
  model: ServiceModel;
  /** The SigV4 dialect: S3 signs, errs and authenticates (anonymous allowed) its own way; query and JSON services name errors differently. */
  style: SigV4Style;
}

export class ServiceRegistry {
  readonly all: RegisteredService[];
  private readonly bySigningName = new Map<string, RegisteredService[]>();
  private readonly byTarget = new Map<string, RegisteredService>();
  private readonly byPath = new Map<string, RegisteredService | typeof AMBIGUOUS>();
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
          const uri = op.http?.requestUri ?? '';
          for (const depth of [1, 2]) {
            const prefix = pathPrefix(uri, depth);
            if (!prefix) continue;
            // A first segment two services share (/v2) says nothing; only the longer prefix does.
            const owner = this.byPath.get(prefix);
            this.byPath.set(prefix, owner && owner !== s ? AMBIGUOUS : (owner ?? s));
          }
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
    for (const depth of [2, 1]) {
      const prefix = pathPrefix(rawPath, depth);
      const found = prefix ? this.byPath.get(prefix) : undefined;
      if (found && found !== AMBIGUOUS) return found;
    }
    return undefined;
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

const AMBIGUOUS = Symbol('ambiguous');

/**
 * The first `depth` literal path segments of a REST route ("/2015-03-31/functions",
 * "/v2/apis", "/v2/email"): enough to tell the REST JSON services apart.
 */
function pathPrefix(uri: string, depth: number): string | undefined {
  const segments = uri.split('?')[0]!.split('/').filter(Boolean).slice(0, depth);
  if (segments.length < depth || segments.some((s) => s.includes('{'))) return undefined;
  return '/' + segments.join('/');
}
