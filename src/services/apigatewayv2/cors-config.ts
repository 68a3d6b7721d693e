/**
 * An HTTP API's CorsConfiguration as the control plane accepts it. The
 * configuration is stored as given; the data plane answers preflights and
 * decorates responses from it (and then ignores the integration's own CORS
 * headers, as AWS does).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid.html#apis-apiid-model-cors
 */
import { strings } from './common.js';
import { badRequest } from './errors.js';
import type { CorsRecord } from './models.js';

export interface CorsInput {
  AllowCredentials?: boolean;
  AllowHeaders?: string[];
  AllowMethods?: string[];
  AllowOrigins?: string[];
  ExposeHeaders?: string[];
  MaxAge?: number;
}

const METHODS = new Set(['*', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

export function toCorsRecord(input: CorsInput): CorsRecord {
  for (const m of ['AllowHeaders', 'AllowMethods', 'AllowOrigins', 'ExposeHeaders'] as const) strings(input[m], m);
  const origins = input.AllowOrigins ?? [];
  // The one rule AWS is known to word this way (recorded from the service).
  if (input.AllowCredentials && origins.includes('*')) throw badRequest("allow-credentials is not supported if 'allow-origin' is *");
  for (const m of input.AllowMethods ?? []) {
    if (!METHODS.has(m.toUpperCase())) throw badRequest(`Invalid method ${m} in allowMethods`);
  }
  for (const o of origins) {
    if (o !== '*' && !/^[a-z][a-z0-9+.-]*:\/\/./i.test(o)) throw badRequest(`Invalid origin ${o} in allowOrigins`);
  }
  if (input.MaxAge !== undefined && (!Number.isInteger(input.MaxAge) || input.MaxAge < -1 || input.MaxAge > 86400)) {
    throw badRequest('MaxAge must be between -1 and 86400');
  }
  const out: CorsRecord = {};
  if (input.AllowCredentials !== undefined) out.allowCredentials = input.AllowCredentials;
  if (input.AllowHeaders !== undefined) out.allowHeaders = input.AllowHeaders;
  if (input.AllowMethods !== undefined) out.allowMethods = input.AllowMethods;
  if (input.AllowOrigins !== undefined) out.allowOrigins = input.AllowOrigins;
  if (input.ExposeHeaders !== undefined) out.exposeHeaders = input.ExposeHeaders;
  if (input.MaxAge !== undefined) out.maxAge = input.MaxAge;
  return out;
}

export function corsOutput(c: CorsRecord | undefined): CorsInput | undefined {
  if (!c) return undefined;
  const out: CorsInput = {};
  if (c.allowCredentials !== undefined) out.AllowCredentials = c.allowCredentials;
  if (c.allowHeaders !== undefined) out.AllowHeaders = c.allowHeaders;
  if (c.allowMethods !== undefined) out.AllowMethods = c.allowMethods;
  if (c.allowOrigins !== undefined) out.AllowOrigins = c.allowOrigins;
  if (c.exposeHeaders !== undefined) out.ExposeHeaders = c.exposeHeaders;
  if (c.maxAge !== undefined) out.MaxAge = c.maxAge;
  return out;
}
