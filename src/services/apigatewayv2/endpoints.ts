/**
 * The URLs an HTTP API answers at. AWS's `https://<apiId>.execute-api.<region>.amazonaws.com`
 * becomes `http://<apiId>.execute-api.localhost:<port>`: browsers and curl
 * resolve every `*.localhost` name to the loopback address (RFC 6761), so the
 * URL opens as is. Where wildcard names do not resolve (some containers and
 * older resolvers), the same API is served path-style under the server's own
 * address. A stage other than `$default` adds `/<stageName>` after either base.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop.html
 */

/** The path prefix of the path-style form: `<endpoint>/_stratus/execute-api/<apiId>/...`. */
export const PATH_STYLE_PREFIX = '/_stratus/execute-api/';

/** `http://<apiId>.execute-api.localhost:<port>` for a server reachable at `endpoint` (e.g. http://127.0.0.1:4566). */
export function apiEndpoint(endpoint: string, apiId: string): string {
  const url = new URL(endpoint);
  return `${url.protocol}//${apiId}.execute-api.localhost${url.port ? `:${url.port}` : ''}`;
}

/** `<endpoint>/_stratus/execute-api/<apiId>`: the same API without a wildcard host name. */
export function pathStyleEndpoint(endpoint: string, apiId: string): string {
  return `${endpoint.replace(/\/+$/, '')}${PATH_STYLE_PREFIX}${apiId}`;
}

/** The base URL of one stage: the API's endpoint, plus `/<stage>` unless it is `$default`. */
export function stageUrl(base: string, stageName: string): string {
  return stageName === '$default' ? `${base}/` : `${base}/${encodeURIComponent(stageName)}/`;
}
