/**
 * The checks every service but S3 makes of a SigV4 credential before the key
 * lookup: IncompleteSignature for a malformed header or query, and the
 * "Credential should be scoped..." and "Signature expired..." mismatches for a
 * wrong scope or clock. See
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-troubleshooting.html
 */
import { SigV4Error, amzTime, incompleteSignature, signatureFault, type SigV4Style } from './errors.js';
import {
  ALGORITHM,
  WEEK_SECONDS,
  authParts,
  headerDate,
  parseAmzDate,
  type ParseContext,
  type ParsedAuth,
  type Scope,
} from './fields.js';

export function awsHeader(ctx: ParseContext, authorization: string): ParsedAuth {
  const { style } = ctx.opts;
  const { headers } = ctx.req;
  const space = authorization.indexOf(' ');
  const scheme = space < 0 ? authorization : authorization.slice(0, space);
  if (scheme !== ALGORITHM && scheme.startsWith('AWS4-')) {
    throw incompleteSignature(style, `Unsupported AWS 'algorithm': '${scheme}'`);
  }
  const parts = scheme === ALGORITHM ? authParts(authorization.slice(space + 1)) : {};
  const dateText = headers['x-amz-date'] ?? headers.date;
  const missing: string[] = [];
  if (parts.credential === undefined) missing.push("Authorization header requires 'Credential' parameter.");
  if (parts.signature === undefined) missing.push("Authorization header requires 'Signature' parameter.");
  if (parts.signedHeaders === undefined) missing.push("Authorization header requires 'SignedHeaders' parameter.");
  if (dateText === undefined) missing.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  if (missing.length > 0) throw incompleteSignature(style, `${missing.join(' ')} Authorization=${authorization}`);
  const ms = headerDate(headers).ms;
  if (ms === undefined) throw badDate(style, dateText!);
  const amzDate = headers['x-amz-date'] ?? amzTime(ms);
  const scope = awsScope(ctx, parts.credential!, amzDate);
  checkSkew(ctx, ms, amzDate);
  // Named, not spread: a spread in a literal is a runtime copy on every request.
  return {
    style,
    version: 4,
    accessKeyId: scope.accessKeyId,
    region: scope.region,
    service: scope.service,
    scope: scope.scope,
    amzDate,
    date: new Date(ms),
    signedHeaders: parts.signedHeaders!.split(';'),
    signature: parts.signature!,
    presigned: false,
    sessionToken: headers['x-amz-security-token'],
    payloadHash: headers['x-amz-content-sha256'],
  };
}

export function awsPresigned(ctx: ParseContext, query: Map<string, string>): ParsedAuth {
  const { style } = ctx.opts;
  const algorithm = query.get('X-Amz-Algorithm')!;
  if (algorithm !== ALGORITHM) throw incompleteSignature(style, `Unsupported AWS 'algorithm': '${algorithm}'`);
  const missing = ['X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-SignedHeaders', 'X-Amz-Date'].filter((name) => !query.has(name));
  if (missing.length > 0) {
    const parts = missing.map((name) => `AWS query-string parameters must include '${name}'.`);
    throw incompleteSignature(style, `${parts.join(' ')} Re-examine the query-string parameters.`);
  }
  const amzDate = query.get('X-Amz-Date')!;
  const ms = parseAmzDate(amzDate);
  if (ms === undefined) throw badDate(style, amzDate);
  const scope = awsScope(ctx, query.get('X-Amz-Credential')!, amzDate);
  const rawExpires = query.get('X-Amz-Expires');
  let expires: number | undefined;
  if (rawExpires !== undefined) {
    expires = Number(rawExpires);
    if (!/^\d+$/.test(rawExpires) || expires > WEEK_SECONDS) {
      throw incompleteSignature(style, `X-Amz-Expires must be a number of seconds between 0 and ${WEEK_SECONDS}. Got '${rawExpires}'.`);
    }
    // A presigned URL lives for its X-Amz-Expires rather than for the skew window.
    if (ctx.now - ms > expires * 1000) {
      throw signatureFault(style, `Signature expired: ${amzDate} is now earlier than ${amzTime(ctx.now - expires * 1000)} (${amzTime(ctx.now)} - ${expires} sec.)`);
    }
    if (ms - ctx.now > ctx.skew) checkSkew(ctx, ms, amzDate);
  } else {
    checkSkew(ctx, ms, amzDate);
  }
  const signedHeaders = query.get('X-Amz-SignedHeaders')!.split(';');
  return {
    style,
    version: 4,
    accessKeyId: scope.accessKeyId,
    region: scope.region,
    service: scope.service,
    scope: scope.scope,
    amzDate,
    date: new Date(ms),
    signedHeaders,
    signature: query.get('X-Amz-Signature')!,
    presigned: true,
    expiresSeconds: expires,
    sessionToken: signedHeaders.includes('x-amz-security-token')
      ? ctx.req.headers['x-amz-security-token']
      : query.get('X-Amz-Security-Token'),
    payloadHash: ctx.req.headers['x-amz-content-sha256'] ?? query.get('X-Amz-Content-Sha256'),
  };
}

function badDate(style: SigV4Style, text: string): SigV4Error {
  return incompleteSignature(
    style,
    `Date must be in ISO-8601 'basic format'. Got '${text}'. See http://docs.aws.amazon.com/general/latest/gr/sigv4-date-handling.html`,
  );
}

/** The non-S3 scope checks: a malformed credential is incomplete, a wrong scope a signature fault. */
function awsScope(ctx: ParseContext, credential: string, amzDate: string): Scope {
  const { style } = ctx.opts;
  const bits = credential.split('/');
  if (bits.length !== 5) {
    throw incompleteSignature(
      style,
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`,
    );
  }
  const [accessKeyId, date, region, service, terminal] = bits as [string, string, string, string, string];
  let faults = '';
  if (ctx.opts.region !== undefined && region !== ctx.opts.region) faults += 'Credential should be scoped to a valid region. ';
  if (ctx.opts.service !== undefined && service !== ctx.opts.service) {
    faults += `Credential should be scoped to correct service: '${ctx.opts.service}'. `;
  }
  if (terminal !== 'aws4_request') faults += `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminal}'. `;
  if (date !== amzDate.slice(0, 8)) {
    faults += `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'. `;
  }
  if (faults !== '') throw signatureFault(style, faults);
  return { accessKeyId, date, region, service, scope: `${date}/${region}/${service}/aws4_request` };
}

/** Outside the skew window, non-S3 services answer with these two messages (the SDKs retry on them). */
function checkSkew(ctx: ParseContext, ms: number, amzDate: string): void {
  const minutes = `${Math.round(ctx.skew / 60000)} min.`;
  if (ctx.now - ms > ctx.skew) {
    throw signatureFault(
      ctx.opts.style,
      `Signature expired: ${amzDate} is now earlier than ${amzTime(ctx.now - ctx.skew)} (${amzTime(ctx.now)} - ${minutes})`,
    );
  }
  if (ms - ctx.now > ctx.skew) {
    throw signatureFault(
      ctx.opts.style,
      `Signature not yet current: ${amzDate} is still later than ${amzTime(ctx.now + ctx.skew)} (${amzTime(ctx.now)} + ${minutes})`,
    );
  }
}
