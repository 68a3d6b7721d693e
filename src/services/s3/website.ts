/**
 * Static website hosting: PutBucketWebsite validation, and the website
 * endpoint's data plane (index documents, redirects, routing rules, error
 * documents) as a pure resolver over a caller-supplied object lookup.
 *
 * Behaviour matched:
 * - https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketWebsite.html
 * - https://docs.aws.amazon.com/AmazonS3/latest/userguide/WebsiteEndpoints.html (GET/HEAD only, HTML errors)
 * - https://docs.aws.amazon.com/AmazonS3/latest/userguide/IndexDocumentSupport.html
 * - https://docs.aws.amazon.com/AmazonS3/latest/userguide/CustomErrorDocSupport.html
 * - https://docs.aws.amazon.com/AmazonS3/latest/userguide/how-to-page-redirect.html
 */
import { STATUS_CODES } from 'node:http';
import { hostId as defaultHostId } from '../../protocol/index.js';
import { s3Errors } from './errors.js';

/** The SDK v3 / aws-sdk v2 model shapes, as the XML parser yields them. */
export interface WebsiteRedirect {
  HostName?: string;
  HttpRedirectCode?: string;
  Protocol?: string;
  ReplaceKeyPrefixWith?: string;
  ReplaceKeyWith?: string;
}

export interface RoutingRule {
  Condition?: { HttpErrorCodeReturnedEquals?: string; KeyPrefixEquals?: string };
  Redirect: WebsiteRedirect;
}

export interface WebsiteConfiguration {
  ErrorDocument?: { Key: string };
  IndexDocument?: { Suffix: string };
  RedirectAllRequestsTo?: { HostName: string; Protocol?: string };
  RoutingRules?: RoutingRule[];
}

const MAX_ROUTING_RULES = 50;
const INVALID_PROTOCOL = 'Invalid protocol, protocol can be http or https. If not defined the protocol will be selected automatically.';

/** Throws the error PutBucketWebsite answers for `cfg`, or returns when S3 would store it. */
export function validateWebsiteConfiguration(cfg: unknown): void {
  const c = (cfg ?? {}) as Partial<WebsiteConfiguration>;
  const all = c.RedirectAllRequestsTo;
  if (all) {
    if (c.IndexDocument !== undefined || c.ErrorDocument !== undefined || c.RoutingRules !== undefined) {
      throw s3Errors.invalidArgument('RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.', 'RedirectAllRequestsTo', 'not null');
    }
    if (typeof all.HostName !== 'string') throw s3Errors.malformedXml();
    if (all.HostName === '') throw s3Errors.invalidRequest('A host name must be provided to redirect all requests (e.g. "example.com").');
    checkProtocol(all.Protocol);
    return;
  }
  if (!c.IndexDocument) {
    throw s3Errors.invalidArgument('A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty', 'IndexDocument', 'null');
  }
  const suffix = c.IndexDocument.Suffix;
  if (typeof suffix !== 'string' || suffix === '' || suffix.includes('/')) {
    throw s3Errors.invalidArgument('The IndexDocument Suffix is not well formed', 'IndexDocument', suffix ?? 'null');
  }
  if (c.ErrorDocument !== undefined) {
    const key = c.ErrorDocument?.Key;
    if (typeof key !== 'string') throw s3Errors.malformedXml();
    if (key === '') throw s3Errors.invalidArgument('The ErrorDocument Key is not well formed', 'ErrorDocument', '');
  }
  if (c.RoutingRules !== undefined) validateRoutingRules(c.RoutingRules);
}

function validateRoutingRules(rules: unknown): void {
  if (!Array.isArray(rules) || rules.length === 0) throw s3Errors.malformedXml();
  if (rules.length > MAX_ROUTING_RULES) {
    throw s3Errors.invalidRequest(
      `${rules.length} routing rules provided, the number of routing rules in a website configuration is limited to ${MAX_ROUTING_RULES}.`,
    );
  }
  for (const rule of rules as Partial<RoutingRule>[]) {
    if (!rule || typeof rule.Redirect !== 'object' || rule.Redirect === null) throw s3Errors.malformedXml();
    const cond = rule.Condition;
    if (cond !== undefined) {
      if (cond === null || (cond.KeyPrefixEquals === undefined && cond.HttpErrorCodeReturnedEquals === undefined)) {
        throw s3Errors.invalidRequest(
          "Condition cannot be empty. To redirect all requests without a condition, the condition element shouldn't be present.",
        );
      }
      const code = cond.HttpErrorCodeReturnedEquals;
      if (code !== undefined) {
        const n = statusNumber(code);
        if (n < 400 || n > 599) throw s3Errors.invalidRequest(`The provided HTTP error code (${code}) is not valid. Valid codes are 4XX or 5XX.`);
      }
    }
    const r = rule.Redirect;
    if (r.ReplaceKeyWith !== undefined && r.ReplaceKeyPrefixWith !== undefined) {
      throw s3Errors.invalidRequest('You can only define ReplaceKeyPrefix or ReplaceKey but not both.');
    }
    checkProtocol(r.Protocol);
    if (r.HttpRedirectCode !== undefined) {
      const n = statusNumber(r.HttpRedirectCode);
      if (n < 301 || n > 399) {
        throw s3Errors.invalidRequest(`The provided HTTP redirect code (${r.HttpRedirectCode}) is not valid. Valid codes are 3XX except 300.`);
      }
    }
  }
}

/** A status code element must hold an integer, else the document does not match the schema. */
function statusNumber(text: string): number {
  if (typeof text !== 'string' || !/^\d+$/.test(text.trim())) throw s3Errors.malformedXml();
  return Number(text.trim());
}

function checkProtocol(protocol: unknown): void {
  if (protocol !== undefined && protocol !== 'http' && protocol !== 'https') throw s3Errors.invalidRequest(INVALID_PROTOCOL);
}

export interface WebsiteRequest {
  method: string;
  /** Decoded key path after the bucket, starting with '/'. */
  path: string;
  /** The Host header, used in redirects that name no HostName. */
  host: string;
  /** Scheme the request came in on; redirects without a Protocol keep it. Default 'http'. */
  protocol?: 'http' | 'https';
  /** Raw query string without '?'; RedirectAllRequestsTo carries it over. */
  query?: string;
  /** For NoSuchWebsiteConfiguration's BucketName. */
  bucket?: string;
}

export interface WebsiteLookup {
  exists: boolean;
  /** The object's x-amz-website-redirect-location: S3 answers 301 to it instead of the object. */
  websiteRedirectLocation?: string;
}

export type WebsiteResolution =
  | { kind: 'redirect'; status: number; location: string }
  | { kind: 'object'; key: string; status: 200 }
  | {
      kind: 'error';
      status: number;
      code: string;
      message: string;
      /** The key S3 reports in the page (NoSuchKey). */
      key?: string;
      /** Serve this object with `status` if it exists, else websiteErrorPage with an errorDocument section. */
      errorDocumentKey?: string;
      /** The page's extra lines after Message, in order (Key, BucketName, Method/ResourceType). */
      fields: Record<string, string>;
    };

/**
 * What the website endpoint answers for `req`: a redirect, the object to serve
 * with 200, or an error. Routing rules are tried in order; a rule with an
 * HttpErrorCodeReturnedEquals condition needs the outcome of the lookup, which
 * is made once, when the first such rule is reached (or after the rules).
 */
export async function resolveWebsiteRequest(
  cfg: WebsiteConfiguration | undefined,
  req: WebsiteRequest,
  lookup: (key: string) => Promise<WebsiteLookup>,
): Promise<WebsiteResolution> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const fields = { Method: req.method.toUpperCase(), ResourceType: 'OBJECT' };
    return { kind: 'error', status: 405, code: 'MethodNotAllowed', message: 'The specified method is not allowed against this resource.', fields };
  }
  if (!cfg) {
    const fields: Record<string, string> = req.bucket === undefined ? {} : { BucketName: req.bucket };
    return { kind: 'error', status: 404, code: 'NoSuchWebsiteConfiguration', message: 'The specified bucket does not have a website configuration', fields };
  }
  const protocol = req.protocol ?? 'http';
  if (cfg.RedirectAllRequestsTo) {
    const to = cfg.RedirectAllRequestsTo;
    const query = req.query ? `?${req.query}` : '';
    return { kind: 'redirect', status: 301, location: `${to.Protocol ?? protocol}://${to.HostName}${encodePath(req.path)}${query}` };
  }

  const key = req.path.replace(/^\//, '');
  let outcome: Promise<WebsiteResolution> | undefined;
  const resolved = () => (outcome ??= resolveObject(cfg, key, lookup));

  for (const rule of cfg.RoutingRules ?? []) {
    const prefix = rule.Condition?.KeyPrefixEquals;
    if (prefix !== undefined && !key.startsWith(prefix)) continue;
    const onError = rule.Condition?.HttpErrorCodeReturnedEquals;
    if (onError !== undefined) {
      const r = await resolved();
      if (r.kind !== 'error' || String(r.status) !== onError.trim()) continue;
    }
    return redirectFor(rule, key, req.host, protocol);
  }

  const r = await resolved();
  if (r.kind === 'error' && cfg.ErrorDocument?.Key) return { ...r, errorDocumentKey: cfg.ErrorDocument.Key };
  return r;
}

/** Index documents and the "folder without its slash" redirect, over the lookup. */
async function resolveObject(cfg: WebsiteConfiguration, key: string, lookup: (key: string) => Promise<WebsiteLookup>): Promise<WebsiteResolution> {
  const suffix = cfg.IndexDocument?.Suffix;
  const folder = key === '' || key.endsWith('/');
  const target = folder && suffix ? key + suffix : key;
  if (!folder || suffix) {
    const found = await lookup(target);
    if (found.exists) {
      if (found.websiteRedirectLocation) return { kind: 'redirect', status: 301, location: found.websiteRedirectLocation };
      return { kind: 'object', key: target, status: 200 };
    }
    // 'docs' missing but 'docs/index.html' present: S3 sends the browser to 'docs/' so relative links resolve.
    if (!folder && suffix && (await lookup(`${key}/${suffix}`)).exists) {
      return { kind: 'redirect', status: 302, location: `/${encodeKey(key)}/` };
    }
  }
  return { kind: 'error', status: 404, code: 'NoSuchKey', message: 'The specified key does not exist.', key: target, fields: { Key: target } };
}

function redirectFor(rule: RoutingRule, key: string, host: string, protocol: string): WebsiteResolution {
  const r = rule.Redirect;
  let target = key;
  if (r.ReplaceKeyWith !== undefined) target = r.ReplaceKeyWith;
  else if (r.ReplaceKeyPrefixWith !== undefined) target = r.ReplaceKeyPrefixWith + key.slice((rule.Condition?.KeyPrefixEquals ?? '').length);
  const status = r.HttpRedirectCode === undefined ? 301 : Number(r.HttpRedirectCode);
  return { kind: 'redirect', status, location: `${r.Protocol ?? protocol}://${r.HostName ?? host}/${encodeKey(target)}` };
}

/** Percent-encodes a key for a Location header, keeping '/' as the path separator. */
function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

function encodePath(path: string): string {
  return path.startsWith('/') ? `/${encodeKey(path.slice(1))}` : `/${encodeKey(path)}`;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export interface WebsiteErrorPageExtra {
  key?: string;
  bucket?: string;
  /** Further lines after Message, in order (e.g. Method and ResourceType for a 405). */
  fields?: Record<string, string>;
  /** Defaults to the HostId the XML errors carry for this request id. */
  hostId?: string;
  /** Why the configured error document could not be served (usually NoSuchKey for its key). */
  errorDocument?: { code: string; message: string; key?: string };
}

/**
 * S3's HTML error page for the website endpoint (served as text/html):
 * a title and list with Code, Message, the resource, RequestId and HostId,
 * then, when the custom error document failed, a second list about it.
 */
export function websiteErrorPage(status: number, code: string, message: string, requestId: string, extra: WebsiteErrorPageExtra = {}): string {
  const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
  const items: Array<[string, string]> = [
    ['Code', code],
    ['Message', message],
  ];
  if (extra.key !== undefined) items.push(['Key', extra.key]);
  if (extra.bucket !== undefined) items.push(['BucketName', extra.bucket]);
  for (const [name, value] of Object.entries(extra.fields ?? {})) {
    if (!(name === 'Key' && extra.key !== undefined) && !(name === 'BucketName' && extra.bucket !== undefined)) items.push([name, value]);
  }
  items.push(['RequestId', requestId], ['HostId', extra.hostId ?? defaultHostId(requestId)]);
  const list = (entries: Array<[string, string]>) => ['<ul>', ...entries.map(([n, v]) => `<li>${n}: ${escapeHtml(v)}</li>`), '</ul>'];
  const lines = ['<html>', `<head><title>${title}</title></head>`, '<body>', `<h1>${title}</h1>`, ...list(items)];
  const doc = extra.errorDocument;
  if (doc) {
    const docItems: Array<[string, string]> = [
      ['Code', doc.code],
      ['Message', doc.message],
    ];
    if (doc.key !== undefined) docItems.push(['Key', doc.key]);
    lines.push('<h3>An Error Occurred While Attempting to Retrieve a Custom Error Document</h3>', ...list(docItems));
  }
  lines.push('<hr/>', '</body>', '</html>', '');
  return lines.join('\n');
}
