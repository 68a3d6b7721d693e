/**
 * Two per-request policies of an HTTP API stage that need no integration:
 *
 * CORS (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html):
 * with a CorsConfiguration, API Gateway answers preflight OPTIONS requests
 * itself, whatever the routes, and adds the configured headers to the
 * integration's responses, dropping any CORS headers the integration sent.
 * A preflight that the configuration does not allow is answered 204 without
 * CORS headers, which the browser treats as a refusal.
 *
 * Throttling (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-throttling.html):
 * the route's settings, else the stage's DefaultRouteSettings, as a token
 * bucket of ThrottlingBurstLimit tokens refilled at ThrottlingRateLimit per
 * second; an empty bucket is 429 {"message":"Too Many Requests"}.
 */
import type { CorsRecord, RouteSettingsRecord, StageRecord } from '../services/apigatewayv2/index.js';

/** Whether the request is a CORS preflight: OPTIONS with Origin and Access-Control-Request-Method. */
export function isPreflight(method: string, headers: Record<string, string>): boolean {
  return method === 'OPTIONS' && headers['origin'] !== undefined && headers['access-control-request-method'] !== undefined;
}

function originAllowed(cors: CorsRecord, origin: string): boolean {
  const allowed = cors.allowOrigins ?? [];
  const o = origin.toLowerCase();
  return allowed.some((a) => a === '*' || a.toLowerCase() === o);
}

function allowOriginValue(cors: CorsRecord, origin: string): string {
  return (cors.allowOrigins ?? []).includes('*') && !cors.allowCredentials ? '*' : origin;
}

/** The headers of API Gateway's answer to a preflight (status 204). */
export function preflightHeaders(cors: CorsRecord, headers: Record<string, string>): Record<string, string> {
  const origin = headers['origin']!;
  const method = headers['access-control-request-method']!.trim().toUpperCase();
  if (!originAllowed(cors, origin)) return {};
  const methods = (cors.allowMethods ?? []).map((m) => m.toUpperCase());
  if (!methods.includes('*') && !methods.includes(method)) return {};
  const allowHeaders = (cors.allowHeaders ?? []).map((h) => h.toLowerCase());
  const requested = (headers['access-control-request-headers'] ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  if (!allowHeaders.includes('*') && !requested.every((h) => allowHeaders.includes(h))) return {};
  const out: Record<string, string> = { 'access-control-allow-origin': allowOriginValue(cors, origin), 'access-control-allow-methods': (cors.allowMethods ?? []).join(',') };
  if ((cors.allowHeaders ?? []).length > 0) out['access-control-allow-headers'] = cors.allowHeaders!.join(',');
  if (cors.maxAge !== undefined && cors.maxAge >= 0) out['access-control-max-age'] = String(cors.maxAge);
  if (cors.allowCredentials) out['access-control-allow-credentials'] = 'true';
  return out;
}

/** Replaces an integration response's CORS headers with the configuration's, for an allowed Origin. */
export function applyCors(cors: CorsRecord, origin: string | undefined, response: Record<string, string | string[]>): void {
  for (const name of Object.keys(response)) if (name.startsWith('access-control-')) delete response[name];
  if (origin === undefined || !originAllowed(cors, origin)) return;
  response['access-control-allow-origin'] = allowOriginValue(cors, origin);
  if (cors.allowCredentials) response['access-control-allow-credentials'] = 'true';
  if ((cors.exposeHeaders ?? []).length > 0) response['access-control-expose-headers'] = cors.exposeHeaders!.join(',');
}

interface Bucket {
  tokens: number;
  at: number;
  rate: number;
  burst: number;
}

/** Token buckets per API, stage and route key. */
export class Throttle {
  private readonly buckets = new Map<string, Bucket>();

  /** The settings that apply to a route: its own where set, else the stage's defaults. */
  static settingsFor(stage: StageRecord, routeKey: string): { rate: number; burst: number } | undefined {
    const own: RouteSettingsRecord | undefined = stage.routeSettings?.[routeKey];
    const def = stage.defaultRouteSettings ?? {};
    const rate = own?.throttlingRateLimit ?? def.throttlingRateLimit;
    const burst = own?.throttlingBurstLimit ?? def.throttlingBurstLimit;
    if (rate === undefined && burst === undefined) return undefined;
    return { rate: rate ?? Infinity, burst: burst ?? Math.max(1, Math.ceil(rate ?? 1)) };
  }

  /** Takes a token; false when the request is to be throttled. */
  take(key: string, limits: { rate: number; burst: number }, now = Date.now()): boolean {
    let b = this.buckets.get(key);
    if (!b || b.rate !== limits.rate || b.burst !== limits.burst) {
      if (this.buckets.size >= 10_000) this.buckets.clear();
      b = { tokens: limits.burst, at: now, rate: limits.rate, burst: limits.burst };
      this.buckets.set(key, b);
    } else {
      b.tokens = b.rate === Infinity ? b.burst : Math.min(b.burst, b.tokens + ((now - b.at) / 1000) * b.rate);
      b.at = now;
    }
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
