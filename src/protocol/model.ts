/**
 * Loads the pinned AWS service models (aws-sdk v2 `.min.json` plus the error
 * table taken from botocore) and resolves their shapes once, so codecs never
 * re-walk the JSON per request. A member that points at a named shape (`{shape:
 * "S12", locationName: ...}`) becomes an object whose prototype is the resolved
 * named shape and whose own properties are the member's traits; that keeps
 * recursive shapes finite and shares every child between uses.
 * Shape semantics: https://smithy.io/2.0/spec/http-bindings.html and
 * https://smithy.io/2.0/aws/protocols/index.html
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type ShapeType =
  | 'structure' | 'list' | 'map' | 'string' | 'boolean' | 'timestamp' | 'blob'
  | 'integer' | 'long' | 'short' | 'byte' | 'float' | 'double' | 'bigdecimal' | 'biginteger' | 'character';

export type Location = 'uri' | 'querystring' | 'header' | 'headers' | 'statusCode';
export type TimestampFormat = 'iso8601' | 'rfc822' | 'unixTimestamp';

export interface XmlNamespace {
  prefix?: string;
  uri?: string;
}

/** A resolved shape: the named shape's definition with the referencing member's traits on top. */
export interface Shape {
  type: ShapeType;
  /** The model's name for the shape this member refers to (S12...), when it is a reference. */
  ref?: string;
  members: Record<string, Shape>;
  required: readonly string[];
  member?: Shape;
  key?: Shape;
  value?: Shape;
  location?: Location;
  locationName?: string;
  payload?: string;
  flattened?: boolean;
  xmlAttribute?: boolean;
  xmlNamespace?: XmlNamespace;
  streaming?: boolean;
  timestampFormat?: TimestampFormat;
  jsonvalue?: boolean;
  hostLabel?: boolean;
  idempotencyToken?: boolean;
  resultWrapper?: string;
  queryName?: string;
  eventstream?: boolean;
  sensitive?: boolean;
  /** Lazily built per-protocol lookup tables (see memo()). */
  cache?: Map<string, unknown>;
}

export interface HttpTrait {
  method: string;
  requestUri: string;
  responseCode: number;
}

export interface OperationModel {
  name: string;
  http: HttpTrait;
  input: Shape | undefined;
  output: Shape | undefined;
  deprecated: boolean;
}

export interface ErrorInfo {
  code: string;
  status: number;
  senderFault: boolean;
}

export interface ModelMetadata {
  apiVersion: string;
  protocol: 'query' | 'rest-xml' | 'rest-json' | 'json' | 'ec2';
  endpointPrefix?: string;
  serviceId?: string;
  signingName?: string;
  targetPrefix?: string;
  jsonVersion?: string;
  xmlNamespace?: string;
  [key: string]: unknown;
}

export interface ServiceModel {
  /** Stratus's name for the model (the file name without .json). */
  name: string;
  metadata: ModelMetadata;
  operations: ReadonlyMap<string, OperationModel>;
  /** Resolved named shapes, by the model's short names. */
  shape(name: string): Shape | undefined;
  /** Errors by wire code and by shape name. */
  errors: ReadonlyMap<string, ErrorInfo>;
}

interface RawShape {
  type?: string;
  shape?: string;
  members?: Record<string, RawShape>;
  member?: RawShape;
  key?: RawShape;
  value?: RawShape;
  required?: string[];
  [trait: string]: unknown;
}

interface RawOperation {
  http?: { method?: string; requestUri?: string; responseCode?: number };
  input?: RawShape;
  output?: RawShape;
  deprecated?: boolean;
}

interface RawModel {
  metadata: ModelMetadata;
  operations: Record<string, RawOperation>;
  shapes: Record<string, RawShape>;
  errors?: Record<string, { code?: string; httpStatusCode?: number; senderFault?: boolean }>;
}

const CHILD_KEYS = new Set(['type', 'shape', 'members', 'member', 'key', 'value', 'required']);
const EMPTY: readonly string[] = Object.freeze([]);

/** Builds the resolved view of a raw model; exported for tests that feed synthetic models. */
export function buildModel(name: string, raw: RawModel): ServiceModel {
  const named = new Map<string, Shape>();

  const resolveNamed = (ref: string): Shape => {
    const done = named.get(ref);
    if (done) return done;
    const rawShape = raw.shapes[ref];
    if (!rawShape) throw new Error(`model ${name}: unknown shape ${ref}`);
    const shape = {} as Shape;
    // Registered before its children resolve so recursive shapes terminate.
    named.set(ref, shape);
    fill(shape, rawShape);
    shape.ref = ref;
    return shape;
  };

  const resolve = (rawShape: RawShape): Shape => {
    if (rawShape.shape === undefined) {
      const shape = {} as Shape;
      fill(shape, rawShape);
      return shape;
    }
    const target = resolveNamed(rawShape.shape);
    let hasTraits = false;
    for (const k in rawShape) if (k !== 'shape') { hasTraits = true; break; }
    if (!hasTraits) return target;
    const merged = Object.create(target) as Shape;
    copyTraits(merged, rawShape);
    return merged;
  };

  function fill(shape: Shape, rawShape: RawShape): void {
    shape.type = (rawShape.type ?? 'string') as ShapeType;
    shape.required = rawShape.required ?? EMPTY;
    shape.members = {};
    copyTraits(shape, rawShape);
    if (rawShape.members) for (const [k, m] of Object.entries(rawShape.members)) shape.members[k] = resolve(m);
    if (rawShape.member) shape.member = resolve(rawShape.member);
    if (rawShape.key) shape.key = resolve(rawShape.key);
    if (rawShape.value) shape.value = resolve(rawShape.value);
  }

  const operations = new Map<string, OperationModel>();
  for (const [opName, op] of Object.entries(raw.operations)) {
    operations.set(opName, {
      name: opName,
      http: {
        method: op.http?.method ?? 'POST',
        requestUri: op.http?.requestUri ?? '/',
        responseCode: op.http?.responseCode ?? 200,
      },
      input: op.input ? resolve(op.input) : undefined,
      output: op.output ? resolve(op.output) : undefined,
      deprecated: op.deprecated === true,
    });
  }

  const errors = new Map<string, ErrorInfo>();
  for (const [shapeName, e] of Object.entries(raw.errors ?? {})) {
    const info: ErrorInfo = {
      code: e.code ?? shapeName,
      status: e.httpStatusCode ?? 400,
      senderFault: e.senderFault ?? (e.httpStatusCode ?? 400) < 500,
    };
    errors.set(shapeName, info);
    if (!errors.has(info.code)) errors.set(info.code, info);
  }

  return {
    name,
    metadata: raw.metadata,
    operations,
    errors,
    shape: (ref) => (raw.shapes[ref] ? resolveNamed(ref) : undefined),
  };
}

function copyTraits(target: Shape, rawShape: RawShape): void {
  const t = target as unknown as Record<string, unknown>;
  for (const k in rawShape) if (!CHILD_KEYS.has(k)) t[k] = rawShape[k];
}

const MODELS_DIR = findModelsDir();
const cache = new Map<string, ServiceModel>();

/**
 * The package root holds `models/`; this file sits in src/protocol (tsx) or
 * dist/protocol (compiled), both two levels below it.
 */
function findModelsDir(): string {
  return fileURLToPath(new URL('../../models/', import.meta.url));
}

/** Loads and resolves models/<name>.json once per process. */
export function loadModel(name: string): ServiceModel {
  let model = cache.get(name);
  if (!model) {
    if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`invalid model name: ${name}`);
    const raw = JSON.parse(readFileSync(MODELS_DIR + name + '.json', 'utf8')) as RawModel;
    model = buildModel(name, raw);
    cache.set(name, model);
  }
  return model;
}

/** HTTP status and fault for an error code (or error shape name) the model declares. */
export function errorInfo(model: ServiceModel, code: string): { status: number; senderFault: boolean } | undefined {
  const info = model.errors.get(code);
  return info ? { status: info.status, senderFault: info.senderFault } : undefined;
}

/** Required top-level input members that are absent (undefined, null). Providers decide the error. */
export function missingRequired(model: ServiceModel, operation: string, input: Record<string, unknown>): string[] {
  const shape = model.operations.get(operation)?.input;
  if (!shape) return [];
  const missing: string[] = [];
  for (const name of shape.required) if (input[name] === undefined || input[name] === null) missing.push(name);
  return missing;
}

/** Per-shape memo for derived tables; the key names the table. */
export function memo<T>(shape: Shape, key: string, build: () => T): T {
  let c = Object.prototype.hasOwnProperty.call(shape, 'cache') ? shape.cache : undefined;
  if (!c) {
    c = new Map();
    Object.defineProperty(shape, 'cache', { value: c, enumerable: false, writable: true });
  }
  if (c.has(key)) return c.get(key) as T;
  const value = build();
  c.set(key, value);
  return value;
}

/** The member name an XML/query element uses (botocore: flattened lists take their member's locationName). */
export function serializedName(member: Shape, memberName: string): string {
  if (member.type === 'list' && member.flattened && member.member?.locationName) return member.member.locationName;
  return member.locationName ?? memberName;
}

export function isNumeric(type: ShapeType): boolean {
  return (
    type === 'integer' || type === 'long' || type === 'short' || type === 'byte' ||
    type === 'float' || type === 'double' || type === 'bigdecimal' || type === 'biginteger'
  );
}
