/**
 * The authorizers an HTTP API route can require, at request time.
 *
 * JWT (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html):
 * the token comes from the identity source (optionally prefixed `Bearer `);
 * its RSA signature (RS256/384/512; API Gateway supports only RSA keys) is
 * checked with the key its `kid` names in the issuer's JWKS, found through
 * `<issuer>/.well-known/openid-configuration` (1500 ms timeouts, cached);
 * then `iss`, `aud` or `client_id`, `exp`, `nbf`, `iat`, and the route's
 * scopes (`scope` or `scp`, at least one must match). A missing or invalid
 * token is 401 {"message":"Unauthorized"} with a `www-authenticate` header
 * describing the failure; missing scopes are 403 {"message":"Forbidden"}.
 * Claims reach the integration as strings (arrays as `[a b]`).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-jwt.html
 *
 * Lambda REQUEST (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html):
 * every identity source must be present and non-empty or the answer is 401
 * without invoking the function; results are cached by the identity values
 * for AuthorizerResultTtlInSeconds; a simple response `{isAuthorized}` or an
 * IAM policy (`execute-api:Invoke` on the route ARN) decides, a denial being
 * 403 {"message":"Forbidden"}; a function that cannot be invoked or answers
 * in another shape is 500 {"message":"Internal Server Error"}.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { compilePolicy, evaluate } from '../../identity/policy/index.js';
import type { AuthorizerFacts } from './events.js';
import type { AuthorizerRecord } from './models.js';
import { FORBIDDEN, INTERNAL_ERROR, UNAUTHORIZED, type MappedResponse } from './responses.js';

export type AuthDecision = { allow: true; facts: AuthorizerFacts } | { allow: false; response: MappedResponse };

/** Where identity source expressions read from. */
export interface IdentityView {
  /** A header by case-insensitive name, repeats joined with ','. */
  header(name: string): string | undefined;
  /** A query parameter by exact name, repeats joined with ','. */
  query(name: string): string | undefined;
  stageVariable(name: string): string | undefined;
  /** A `$context.<name>` variable (routeKey, stage, requestId, ...). */
  context(name: string): string | undefined;
}

/** The value one selection expression selects, e.g. `$request.header.Authorization`. */
export function selectIdentity(expression: string, view: IdentityView): string | undefined {
  const e = expression.trim();
  const strip = (prefix: string) => (e.startsWith(prefix) ? e.slice(prefix.length) : undefined);
  let name: string | undefined;
  if ((name = strip('$request.header.')) !== undefined) return view.header(name);
  if ((name = strip('$request.querystring.')) !== undefined) return view.query(name);
  if ((name = strip('$stageVariables.')) !== undefined) return view.stageVariable(name);
  if ((name = strip('$context.')) !== undefined) return view.context(name);
  return undefined;
}

/** Every identity source's value, or undefined when one is missing or empty (401 without invoking). */
export function identityValues(sources: readonly string[], view: IdentityView): string[] | undefined {
  const values: string[] = [];
  for (const source of sources) {
    const v = selectIdentity(source, view);
    if (v === undefined || v === '') return undefined;
    values.push(v);
  }
  return values;
}

// ---------------------------------------------------------------- JWT

export interface JwksFetch {
  (url: string): Promise<unknown>;
}

const FETCH_TIMEOUT_MS = 1500;
const MAX_JWKS_BYTES = 150_000;

/** GETs a JSON document with API Gateway's limits (1500 ms, 150 KB). */
export const fetchJson: JwksFetch = async (url) => {
  const res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  const text = await res.text();
  if (text.length > MAX_JWKS_BYTES) throw new Error(`${url} is larger than ${MAX_JWKS_BYTES} bytes`);
  return JSON.parse(text) as unknown;
};

interface KeySet {
  keys: Map<string, KeyObject>;
  /** Keys without a kid, tried when the token names none. */
  anonymous: KeyObject[];
  fetchedAt: number;
}

/** Each issuer's signing keys, fetched through its discovery document and kept for `ttlMs`. */
export class JwksCache {
  private readonly sets = new Map<string, Promise<KeySet>>();

  constructor(
    private readonly get: JwksFetch = fetchJson,
    private readonly ttlMs = 3_600_000,
    /** An unknown kid refetches the set (keys rotate), at most this often. */
    private readonly refetchMs = 10_000,
  ) {}

  async key(issuer: string, kid: string | undefined, now = Date.now()): Promise<KeyObject | undefined> {
    let set = await this.load(issuer, now);
    if (lookup(set, kid) === undefined && now - set.fetchedAt >= this.refetchMs) set = await this.load(issuer, now, true);
    return lookup(set, kid);
  }

  private load(issuer: string, now: number, force = false): Promise<KeySet> {
    const cached = this.sets.get(issuer);
    if (cached && !force) {
      return cached.then((s) => (now - s.fetchedAt < this.ttlMs ? s : this.load(issuer, now, true)));
    }
    const loading = this.fetchSet(issuer, now);
    this.sets.set(issuer, loading);
    // A failed fetch is not remembered: the next request tries again.
    loading.catch(() => {
      if (this.sets.get(issuer) === loading) this.sets.delete(issuer);
    });
    return loading;
  }

  private async fetchSet(issuer: string, now: number): Promise<KeySet> {
    const discovery = await this.get(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`);
    const jwksUri = (discovery as { jwks_uri?: unknown } | null)?.jwks_uri;
    if (typeof jwksUri !== 'string') throw new Error('the discovery document has no jwks_uri');
    const jwks = (await this.get(jwksUri)) as { keys?: unknown } | null;
    if (!Array.isArray(jwks?.keys)) throw new Error('the JWKS has no keys');
    const set: KeySet = { keys: new Map(), anonymous: [], fetchedAt: now };
    for (const jwk of jwks.keys as Record<string, unknown>[]) {
      if (jwk?.kty !== 'RSA' || (jwk.use !== undefined && jwk.use !== 'sig')) continue;
      let key: KeyObject;
      try {
        key = createPublicKey({ key: { kty: 'RSA', n: String(jwk.n), e: String(jwk.e) }, format: 'jwk' });
      } catch {
        continue;
      }
      if (typeof jwk.kid === 'string') set.keys.set(jwk.kid, key);
      else set.anonymous.push(key);
    }
    return set;
  }
}

function lookup(set: KeySet, kid: string | undefined): KeyObject | undefined {
  return kid === undefined ? set.anonymous[0] ?? (set.keys.size === 1 ? [...set.keys.values()][0] : undefined) : set.keys.get(kid);
}

const RSA_ALGS: Record<string, string> = { RS256: 'RSA-SHA256', RS384: 'RSA-SHA384', RS512: 'RSA-SHA512' };

function invalidToken(description: string): AuthDecision {
  return { allow: false, response: UNAUTHORIZED({ 'www-authenticate': `Bearer scope="" error="invalid_token" error_description="${description}"` }) };
}

function decodeSegment(s: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Claims as the integration sees them: strings, with arrays in Go's `[a b]` form. */
export function flattenClaims(claims: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(claims)) {
    if (v === null || v === undefined) continue;
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v)) out[k] = `[${v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(' ')}]`;
    else if (typeof v === 'object') out[k] = JSON.stringify(v);
    else out[k] = String(v);
  }
  return out;
}

/** The token's scopes, from `scope` (space-separated) or `scp` (a list or a string). */
export function tokenScopes(claims: Record<string, unknown>): string[] {
  const raw = claims.scope ?? claims.scp;
  if (typeof raw === 'string') return raw.split(/\s+/).filter(Boolean);
  if (Array.isArray(raw)) return raw.filter((s): s is string => typeof s === 'string');
  return [];
}

export interface JwtCheck {
  authorizer: Pick<AuthorizerRecord, 'jwtConfiguration'>;
  /** The identity source's value (the Authorization header, usually). */
  token: string | undefined;
  /** The route's AuthorizationScopes. */
  scopes?: readonly string[];
  jwks: JwksCache;
  now?: number;
}

export async function authorizeJwt(c: JwtCheck): Promise<AuthDecision> {
  if (!c.token) return { allow: false, response: UNAUTHORIZED() };
  const token = c.token.replace(/^bearer\s+/i, '').trim();
  const parts = token.split('.');
  if (parts.length !== 3) return invalidToken('the token is malformed');
  const header = decodeSegment(parts[0]!);
  const claims = decodeSegment(parts[1]!);
  if (!header || !claims) return invalidToken('the token is malformed');
  const alg = typeof header.alg === 'string' ? header.alg : '';
  const digest = RSA_ALGS[alg];
  if (!digest) return invalidToken(`signing method ${alg || 'none'} is invalid`);

  const issuer = c.authorizer.jwtConfiguration?.issuer ?? '';
  const now = c.now ?? Date.now();
  let key: KeyObject | undefined;
  try {
    key = await c.jwks.key(issuer, typeof header.kid === 'string' ? header.kid : undefined, now);
  } catch {
    return invalidToken('unable to fetch the issuer\'s signing keys');
  }
  if (!key) return invalidToken('the token\'s kid does not match a key of the issuer');
  const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
  if (!verify(digest, signed, key, Buffer.from(parts[2]!, 'base64url'))) return invalidToken('crypto/rsa: verification error');

  if (claims.iss !== issuer) return invalidToken('the token does not have a valid issuer');
  const audiences = c.authorizer.jwtConfiguration?.audience ?? [];
  const aud = claims.aud;
  const tokenAud = [...(Array.isArray(aud) ? aud : aud === undefined ? [] : [aud]), ...(claims.client_id === undefined ? [] : [claims.client_id])];
  if (!tokenAud.some((a) => typeof a === 'string' && audiences.includes(a))) return invalidToken('the token does not have a valid audience');
  const seconds = now / 1000;
  if (typeof claims.exp !== 'number' || claims.exp <= seconds) return invalidToken('the token has expired');
  if (typeof claims.nbf === 'number' && claims.nbf > seconds) return invalidToken('the token is not valid yet');
  if (typeof claims.iat === 'number' && claims.iat > seconds) return invalidToken('the token was issued in the future');

  const have = tokenScopes(claims);
  const need = c.scopes ?? [];
  if (need.length > 0 && !need.some((s) => have.includes(s))) {
    return { allow: false, response: FORBIDDEN({ 'www-authenticate': `Bearer scope="${need.join(' ')}" error="insufficient_scope" error_description="expected scopes: [${need.join(' ')}]"` }) };
  }
  return { allow: true, facts: { kind: 'jwt', claims: flattenClaims(claims), scopes: need.length > 0 ? have : null } };
}

// ---------------------------------------------------------------- Lambda REQUEST

/** A Lambda authorizer's answer, parsed, as it is cached. */
type Verdict =
  | { kind: 'simple'; authorized: boolean; context: Record<string, unknown> }
  | { kind: 'policy'; principalId: string; policy: string; context: Record<string, unknown> };

/** Authorizer results by identity values, for AuthorizerResultTtlInSeconds. */
export class AuthorizerCache {
  private readonly entries = new Map<string, { verdict: Verdict; until: number }>();

  constructor(private readonly maxEntries = 10_000) {}

  get(key: string, now: number): Verdict | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.until <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.verdict;
  }

  set(key: string, verdict: Verdict, until: number): void {
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { verdict, until });
  }

  clear(): void {
    this.entries.clear();
  }
}

export interface LambdaCheck {
  authorizer: Pick<AuthorizerRecord, 'authorizerId' | 'identitySource' | 'authorizerPayloadFormatVersion' | 'enableSimpleResponses' | 'authorizerResultTtlInSeconds'>;
  /** Scopes the cache key (an authorizer id is unique only within its API). */
  apiId: string;
  view: IdentityView;
  /** The route ARN a policy must allow: arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path>. */
  routeArn: string;
  accountId: string;
  /** Builds the authorizer event from the identity values. */
  event: (identity: string[]) => unknown;
  /** Invokes the function as API Gateway; undefined for any failure (no permission, error, timeout, throttle). */
  invoke: (event: unknown) => Promise<Buffer | undefined>;
  cache: AuthorizerCache;
  now?: number;
}

export async function authorizeLambda(c: LambdaCheck): Promise<AuthDecision> {
  const sources = c.authorizer.identitySource ?? [];
  const identity = identityValues(sources, c.view);
  if (!identity) return { allow: false, response: UNAUTHORIZED() };
  const ttl = c.authorizer.authorizerResultTtlInSeconds ?? 0;
  const cacheable = ttl > 0 && sources.length > 0;
  const key = `${c.apiId}/${c.authorizer.authorizerId}/${JSON.stringify(identity)}`;
  const now = c.now ?? Date.now();

  let verdict = cacheable ? c.cache.get(key, now) : undefined;
  let latency = 0;
  if (!verdict) {
    const started = Date.now();
    const payload = await c.invoke(c.event(identity));
    latency = Date.now() - started;
    if (!payload) return { allow: false, response: INTERNAL_ERROR() };
    verdict = parseVerdict(payload, c.authorizer.enableSimpleResponses === true && c.authorizer.authorizerPayloadFormatVersion === '2.0');
    if (!verdict) return { allow: false, response: INTERNAL_ERROR() };
    if (cacheable) c.cache.set(key, verdict, now + ttl * 1000);
  }

  if (verdict.kind === 'simple') {
    return verdict.authorized ? { allow: true, facts: { kind: 'lambda', context: verdict.context, integrationLatency: latency } } : { allow: false, response: FORBIDDEN() };
  }
  let allowed: boolean;
  try {
    const decision = evaluate(
      { principal: { type: 'user', arn: `arn:aws:iam::${c.accountId}:user/lambda-authorizer`, accountId: c.accountId }, action: 'execute-api:Invoke', resource: c.routeArn, context: {} },
      { identity: [compilePolicy(verdict.policy)] },
    );
    allowed = decision.decision === 'Allow';
  } catch {
    return { allow: false, response: INTERNAL_ERROR() };
  }
  return allowed ? { allow: true, facts: { kind: 'lambda', context: verdict.context, principalId: verdict.principalId, integrationLatency: latency } } : { allow: false, response: FORBIDDEN() };
}

function parseVerdict(payload: Buffer, simple: boolean): Verdict | undefined {
  let v: unknown;
  try {
    v = JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const r = v as Record<string, unknown>;
  const context = r.context === undefined || r.context === null ? {} : r.context;
  if (typeof context !== 'object' || Array.isArray(context)) return undefined;
  if (simple) {
    if (typeof r.isAuthorized !== 'boolean') return undefined;
    return { kind: 'simple', authorized: r.isAuthorized, context: context as Record<string, unknown> };
  }
  if (typeof r.policyDocument !== 'object' || r.policyDocument === null) return undefined;
  const principalId = r.principalId === undefined || r.principalId === null ? '' : String(r.principalId);
  return { kind: 'policy', principalId, policy: JSON.stringify(r.policyDocument), context: context as Record<string, unknown> };
}
