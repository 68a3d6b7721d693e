/**
 * Bucket CORS: PutBucketCors validation and how S3 answers preflight (OPTIONS)
 * and actual cross-origin requests from the bucket's rules. Pure: no storage,
 * no HTTP; the caller passes the stored configuration and the request headers.
 *
 * Behaviour matched:
 * - https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html
 * - https://docs.aws.amazon.com/AmazonS3/latest/userguide/ManageCorsUsing.html
 *   (how a rule is chosen: Origin, then method, then every requested header; first rule wins)
 * - https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors-troubleshooting.html
 * - https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketCors.html
 * - https://docs.aws.amazon.com/AmazonS3/latest/API/RESTOPTIONSobject.html
 */
import type { ServiceError } from '../../core/errors.js';
import { s3Errors } from './errors.js';

/** The SDK v3 / aws-sdk v2 model shape of one rule, as the XML parser yields it. */
export interface CorsRule {
  ID?: string;
  AllowedHeaders?: string[];
  AllowedMethods: string[];
  AllowedOrigins: string[];
  ExposeHeaders?: string[];
  MaxAgeSeconds?: number;
}

export interface CorsConfiguration {
  CORSRules: CorsRule[];
}

/** The only methods a rule may name, and the only ones a preflight may ask for. */
export const CORS_METHODS: readonly string[] = ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'];

const MAX_RULES = 100;
const MAX_ID_LENGTH = 255;
const MAX_AGE_LIMIT = 2147483647;
const VARY = 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method';

/**
 * Throws the error PutBucketCors answers for `cfg`, or returns when S3 would
 * store it. Structural problems (MalformedXML) anywhere in the document win
 * over a bad value (InvalidRequest), as the XML is validated against the
 * schema before the values are checked.
 */
export function validateCorsConfiguration(cfg: unknown): void {
  const rules = (cfg as Partial<CorsConfiguration> | undefined)?.CORSRules;
  if (!Array.isArray(rules) || rules.length === 0 || rules.length > MAX_RULES) throw s3Errors.malformedXml();
  for (const rule of rules as Partial<CorsRule>[]) {
    if (!rule || typeof rule !== 'object') throw s3Errors.malformedXml();
    if (!nonEmptyStrings(rule.AllowedMethods) || !nonEmptyStrings(rule.AllowedOrigins)) throw s3Errors.malformedXml();
    if (rule.AllowedHeaders !== undefined && !strings(rule.AllowedHeaders)) throw s3Errors.malformedXml();
    if (rule.ExposeHeaders !== undefined && !strings(rule.ExposeHeaders)) throw s3Errors.malformedXml();
    if (rule.ID !== undefined && (typeof rule.ID !== 'string' || rule.ID.length > MAX_ID_LENGTH)) throw s3Errors.malformedXml();
    const age = rule.MaxAgeSeconds;
    if (age !== undefined && (typeof age !== 'number' || !Number.isInteger(age) || age < 0 || age > MAX_AGE_LIMIT)) {
      throw s3Errors.malformedXml();
    }
  }
  for (const rule of rules as CorsRule[]) {
    const error = invalidValue(rule);
    if (error) throw error;
  }
}

function invalidValue(rule: CorsRule): ServiceError | undefined {
  for (const m of rule.AllowedMethods) {
    if (!CORS_METHODS.includes(m)) return s3Errors.invalidRequest(`Found unsupported HTTP method in CORS config. Unsupported method is ${m}`);
  }
  for (const o of rule.AllowedOrigins) {
    if (wildcards(o) > 1) return s3Errors.invalidRequest(`AllowedOrigin "${o}" can not have more than one wildcard.`);
  }
  for (const h of rule.AllowedHeaders ?? []) {
    if (wildcards(h) > 1) return s3Errors.invalidRequest(`AllowedHeader "${h}" can not have more than one wildcard.`);
  }
  for (const h of rule.ExposeHeaders ?? []) {
    if (h.includes('*')) {
      return s3Errors.invalidRequest(`ExposeHeader "${h}" contains wildcard. We currently do not support wildcard for ExposeHeader.`);
    }
  }
  return undefined;
}

function strings(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}

function nonEmptyStrings(v: unknown): v is string[] {
  return strings(v) && v.length > 0;
}

function wildcards(s: string): number {
  let n = 0;
  for (const c of s) if (c === '*') n++;
  return n;
}

/**
 * S3's wildcard match: '*' stands for any run of characters, possibly empty;
 * the text around it must not overlap. Case-sensitive (origins are compared
 * as written; headers are lowercased by the caller).
 */
function wildcardMatch(pattern: string, value: string): boolean {
  const star = pattern.indexOf('*');
  if (star < 0) return pattern === value;
  const parts = pattern.split('*');
  if (parts.length === 2) {
    const [head, tail] = parts as [string, string];
    return value.length >= head.length + tail.length && value.startsWith(head) && value.endsWith(tail);
  }
  // Stored configurations are validated to one '*'; stay correct for any count anyway.
  const re = new RegExp(`^${parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[\\s\\S]*')}$`);
  return re.test(value);
}

/** A rule that admits the request, and the Access-Control-Allow-Origin it answers with. */
export interface CorsMatch {
  rule: CorsRule;
  /** '*' when the rule lists the literal '*' origin, else the request's Origin. */
  allowOrigin: string;
}

/**
 * The first rule whose origins, methods and (for a preflight) AllowedHeaders
 * admit the request. `requestHeaders` undefined: an actual request, headers
 * are not checked.
 */
export function matchCorsRule(
  cfg: CorsConfiguration | undefined,
  origin: string,
  method: string,
  requestHeaders?: readonly string[],
): CorsMatch | undefined {
  const wanted = requestHeaders === undefined ? undefined : normalizeHeaderNames(requestHeaders);
  for (const rule of cfg?.CORSRules ?? []) {
    if (!rule.AllowedMethods.includes(method)) continue;
    if (!rule.AllowedOrigins.some((o) => wildcardMatch(o, origin))) continue;
    if (wanted && wanted.length > 0) {
      const allowed = (rule.AllowedHeaders ?? []).map((h) => h.toLowerCase());
      if (!wanted.every((h) => allowed.some((a) => wildcardMatch(a, h)))) continue;
    }
    return { rule, allowOrigin: rule.AllowedOrigins.includes('*') ? '*' : origin };
  }
  return undefined;
}

/** Access-Control-Request-Headers values, split on commas, trimmed, lowercased, empties dropped. */
function normalizeHeaderNames(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    for (const part of v.split(',')) {
      const name = part.trim().toLowerCase();
      if (name) out.push(name);
    }
  }
  return out;
}

/** The headers S3 writes for a matched rule, in the order S3 writes them. */
function responseHeaders(match: CorsMatch, allowHeaders: string[] | undefined): Record<string, string> {
  const { rule, allowOrigin } = match;
  const h: Record<string, string> = {
    'Access-Control-Allow-Origin': allowOrigin,
    'Access-Control-Allow-Methods': rule.AllowedMethods.join(', '),
  };
  if (allowHeaders && allowHeaders.length > 0) h['Access-Control-Allow-Headers'] = allowHeaders.join(', ');
  if (rule.ExposeHeaders && rule.ExposeHeaders.length > 0) h['Access-Control-Expose-Headers'] = rule.ExposeHeaders.join(', ');
  if (rule.MaxAgeSeconds !== undefined) h['Access-Control-Max-Age'] = String(rule.MaxAgeSeconds);
  // A '*' answer cannot carry credentials (Fetch spec), so S3 only allows them for a named origin.
  if (allowOrigin !== '*') h['Access-Control-Allow-Credentials'] = 'true';
  h['Vary'] = VARY;
  return h;
}

export interface PreflightRequest {
  /** The Origin header; absent or empty means the request is not a CORS request. */
  origin?: string;
  /** The Access-Control-Request-Method header, undefined when absent. */
  method?: string;
  /** Access-Control-Request-Headers values (comma lists are split here). */
  requestHeaders?: readonly string[];
  /** What the OPTIONS addressed: the bucket ('/bucket') or an object ('/bucket/key'). Default 'OBJECT'. */
  resourceType?: 'BUCKET' | 'OBJECT';
}

export type PreflightResult =
  | { allowed: true; headers: Record<string, string> }
  | {
      allowed: false;
      status: number;
      code: string;
      message: string;
      /** Extra members of the XML error body (Method, ResourceType on AccessForbidden). */
      fields: Record<string, string>;
    };

const NOT_ENABLED = 'CORSResponse: CORS is not enabled for this bucket.';
// "evalution" is S3's own spelling.
const NOT_ALLOWED =
  "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.";

/**
 * S3's answer to an OPTIONS preflight. The header checks come before the
 * configuration is consulted, so a bucket without CORS still answers 400 to a
 * malformed preflight.
 */
export function preflight(cfg: CorsConfiguration | undefined, req: PreflightRequest): PreflightResult {
  if (!req.origin) {
    return { allowed: false, status: 400, code: 'BadRequest', message: 'Insufficient information. Origin request header needed.', fields: {} };
  }
  const method = req.method;
  if (method === undefined || !CORS_METHODS.includes(method)) {
    return {
      allowed: false,
      status: 400,
      code: 'BadRequest',
      message: `Invalid Access-Control-Request-Method: ${method === undefined ? 'null' : method}`,
      fields: {},
    };
  }
  const fields = { Method: method, ResourceType: req.resourceType ?? 'OBJECT' };
  if (!cfg) return { allowed: false, status: 403, code: 'AccessForbidden', message: NOT_ENABLED, fields };
  const match = matchCorsRule(cfg, req.origin, method, req.requestHeaders ?? []);
  if (!match) return { allowed: false, status: 403, code: 'AccessForbidden', message: NOT_ALLOWED, fields };
  return { allowed: true, headers: responseHeaders(match, normalizeHeaderNames(req.requestHeaders ?? [])) };
}

/**
 * Headers S3 adds to an actual (non-OPTIONS) response: those of the first rule
 * admitting the Origin and the request's own method; AllowedHeaders is not
 * consulted. {} when there is no Origin, no configuration or no such rule.
 */
export function corsHeaders(cfg: CorsConfiguration | undefined, req: { origin?: string; method: string }): Record<string, string> {
  if (!cfg || !req.origin) return {};
  const match = matchCorsRule(cfg, req.origin, req.method);
  return match ? responseHeaders(match, undefined) : {};
}
