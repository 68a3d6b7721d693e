/**
 * Browser uploads: S3's POST Object, an HTML form posted as multipart/form-data
 * and authorized by a signed POST policy instead of a signed request. This
 * module reads the form (streaming the file), checks the signature, the policy's
 * expiration and conditions, enforces content-length-range while the file
 * streams, and shapes the success answer. Behaviour follows
 * https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-post-example.html and
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/HTTPPOSTForms.html (SigV2);
 * where the pages are silent, codes and messages are those S3 was seen to answer.
 */
import { createHmac } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { ServiceError } from '../../core/errors.js';
import { hmacHex, sameSignature, signingKey } from '../../protocol/sigv4/canonical.js';
import { expiredTokenError, hexBytes, invalidAccessKeyError, invalidTokenError, SigV4Error } from '../../protocol/sigv4/errors.js';
import { parseAmzDate } from '../../protocol/sigv4/fields.js';
import { s3Errors } from './errors.js';
import { multipartBoundary, readMultipartHead } from './multipart-form.js';

export interface PostUploadRequest {
  /** The request's Content-Type header: multipart/form-data with its boundary. */
  contentType: string | undefined;
  body: Readable;
  /** Bytes allowed before the file content; S3's 20480 when absent. */
  maxPreDataBytes?: number;
}

export interface ParsedPostUpload {
  /**
   * The fields before the file: names lower-cased (S3 treats them case-insensitively),
   * repeated names joined with commas, `${filename}` expanded in every value but the
   * signature's own fields.
   */
  fields: Record<string, string>;
  /** The object key: the `key` field, `${filename}` expanded. */
  key: string;
  /** The file's bytes, streamed; nothing is buffered whole. */
  file: Readable;
  /** The file part's filename as sent; absent when the part had no filename parameter. */
  fileName?: string;
  /** The file part's own Content-Type header (S3 stores the Content-Type field instead). */
  fileContentType?: string;
}

export interface PostSigningCredentials {
  secretAccessKey: string;
  /** Temporary credentials are valid only with their token in the x-amz-security-token field. */
  sessionToken?: string;
  /** Epoch ms after which temporary credentials are expired. */
  expiresAt?: number;
}

export interface PolicyCheckInput<C extends PostSigningCredentials = PostSigningCredentials> {
  fields: Record<string, string>;
  bucket: string;
  /** The object key after `${filename}` expansion. */
  key: string;
  now: Date;
  /** The bucket's region; a credential scoped to another is refused. Unchecked when absent. */
  region?: string;
  lookupSecret(accessKeyId: string): Promise<C | undefined>;
}

export interface ContentLengthRange {
  min: number;
  max: number;
}

export type PostAuthorization<C extends PostSigningCredentials = PostSigningCredentials> =
  | { anonymous: true }
  | {
      anonymous: false;
      accessKeyId: string;
      credentials: C;
      signatureVersion: 2 | 4;
      /** The policy's content-length-range conditions, combined; for contentLengthGuard. */
      contentLength?: ContentLengthRange;
    };

export interface PostUploadResult {
  bucket: string;
  key: string;
  /** Quoted, as in the ETag header. */
  etag: string;
  /** The object's URL; see postLocation. */
  location: string;
  versionId?: string;
}

export interface PostUploadResponse {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

const ORDER_HINT = 'If it is specified, please check the order of the fields.';
const S3_MISMATCH = 'The request signature we calculated does not match the signature you provided. Check your key and signing method.';
const ALGORITHM = 'AWS4-HMAC-SHA256';

export const postErrors = {
  missingField: (name: string) =>
    s3Errors.invalidArgument(`Bucket POST must contain a field named '${name}'.  ${ORDER_HINT}`, name, ''),
  noFile: () => s3Errors.invalidArgument('POST requires exactly one file upload per request.', 'file', '0'),
  expired: () => s3Errors.accessDenied('Invalid according to Policy: Policy expired.'),
  conditionFailed: (condition: string) => s3Errors.accessDenied(`Invalid according to Policy: Policy Condition failed: ${condition}`),
  extraFields: (names: string[]) => s3Errors.accessDenied(`Invalid according to Policy: Extra input fields: ${names.join(', ')}`),
  invalidPolicy: (detail: string) => new ServiceError('InvalidPolicyDocument', `Invalid Policy: ${detail}`, { status: 400 }),
};

/** Reads the form up to the file. Throws S3's errors for a body that is not a usable POST form. */
export async function parsePostUpload(req: PostUploadRequest): Promise<ParsedPostUpload> {
  const boundary = multipartBoundary(req.contentType);
  const head = await readMultipartHead(req.body, boundary, { maxPreDataBytes: req.maxPreDataBytes });
  if (head.file === undefined) throw postErrors.noFile();
  const raw: Record<string, string> = {};
  for (const [name, value] of head.fields) {
    const lower = name.toLowerCase();
    // "If you have multiple fields with the same name, the values must be separated by commas" (HTTPPOSTForms).
    raw[lower] = lower in raw ? `${raw[lower]},${value}` : value;
  }
  if (raw.key === undefined || raw.key === '') {
    head.file.stream.destroy();
    throw postErrors.missingField('key');
  }
  const fields = expandFilename(raw, head.file.fileName);
  return { fields, key: fields.key!, file: head.file.stream, fileName: head.file.fileName, fileContentType: head.file.contentType };
}

const SIGNATURE_FIELDS = new Set(['policy', 'x-amz-signature', 'signature']);

/**
 * "${filename} is automatically replaced with the name of the file provided by the
 * user and is recognized by all form fields", keeping only what follows the last
 * slash or backslash. S3 leaves it as written when the file part has no filename
 * parameter at all (an empty one expands to "").
 */
export function expandFilename(fields: Record<string, string>, fileName: string | undefined): Record<string, string> {
  if (fileName === undefined) return { ...fields };
  const base = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) {
    out[name] = SIGNATURE_FIELDS.has(name) ? value : value.split('${filename}').join(base);
  }
  return out;
}

/** Field names S3 asks for when one of a signature's fields is present, in the order it names the missing one. */
const V4_FIELDS: Array<[string, string]> = [
  ['x-amz-signature', 'X-Amz-Signature'],
  ['x-amz-algorithm', 'X-Amz-Algorithm'],
  ['x-amz-credential', 'X-Amz-Credential'],
  ['x-amz-date', 'X-Amz-Date'],
];
const V2_FIELDS: Array<[string, string]> = [
  ['signature', 'Signature'],
  ['awsaccesskeyid', 'AWSAccessKeyId'],
];

/** All of a signature's fields, none (false), or S3's error naming the first missing one. */
function signatureFields(fields: Record<string, string>, names: Array<[string, string]>): boolean {
  if (!names.some(([n]) => fields[n] !== undefined)) return false;
  const missing = names.find(([n]) => fields[n] === undefined);
  if (missing) throw postErrors.missingField(missing[1]);
  return true;
}

/**
 * Authenticates the form and checks its policy. A form with no signature fields
 * is anonymous (the bucket's access control decides); otherwise the signature is
 * checked over the policy text as received, then the policy is parsed, its
 * expiration and conditions checked, and every field must be covered.
 */
export async function verifyPostPolicy<C extends PostSigningCredentials>(input: PolicyCheckInput<C>): Promise<PostAuthorization<C>> {
  const { fields } = input;
  const v4 = signatureFields(fields, V4_FIELDS);
  const v2 = !v4 && signatureFields(fields, V2_FIELDS);
  if (!v4 && !v2) return { anonymous: true };
  const policyText = fields.policy;
  if (policyText === undefined) throw postErrors.missingField('Policy');

  let accessKeyId: string;
  let credentials: C | undefined;
  if (v4) {
    if (fields['x-amz-algorithm'] !== ALGORITHM) {
      throw s3Errors.invalidArgument('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256 and AWS4-ECDSA-P256-SHA256"', 'X-Amz-Algorithm', fields['x-amz-algorithm']);
    }
    const scope = credentialScope(fields['x-amz-credential']!, input.region);
    if (parseAmzDate(fields['x-amz-date']!) === undefined) {
      throw s3Errors.invalidArgument('X-Amz-Date must be formated via ISO8601 Long format', 'X-Amz-Date', fields['x-amz-date']);
    }
    accessKeyId = scope.accessKeyId;
    credentials = await input.lookupSecret(accessKeyId);
    if (!credentials) throw invalidAccessKeyError('s3', accessKeyId);
    checkToken(fields, accessKeyId, credentials, input.now.getTime());
    const key = signingKey(credentials.secretAccessKey, scope.date, scope.region, scope.service);
    checkSignature(accessKeyId, policyText, fields['x-amz-signature']!, hmacHex(key, policyText));
  } else {
    accessKeyId = fields.awsaccesskeyid!;
    credentials = await input.lookupSecret(accessKeyId);
    if (!credentials) throw invalidAccessKeyError('s3', accessKeyId);
    checkToken(fields, accessKeyId, credentials, input.now.getTime());
    const expected = createHmac('sha1', credentials.secretAccessKey).update(policyText).digest('base64');
    checkSignature(accessKeyId, policyText, fields.signature!, expected);
  }

  const policy = parsePolicy(policyText);
  if (input.now.getTime() > policy.expiration) throw postErrors.expired();
  const contentLength = checkConditions(policy.conditions, input, v4 ? 4 : 2);
  return { anonymous: false, accessKeyId, credentials, signatureVersion: v4 ? 4 : 2, contentLength };
}

interface CredentialScope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

/** The x-amz-credential field, checked as S3 checks a presigned URL's (same messages, no "Error parsing" prefix). */
function credentialScope(credential: string, expectedRegion: string | undefined): CredentialScope {
  const fail = (message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
    new SigV4Error('InvalidArgument', message, 400, { ArgumentName: 'X-Amz-Credential', ArgumentValue: credential, ...extra }, headers);
  const bits = credential.split('/');
  if (bits.length !== 5) throw fail('the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".');
  const [accessKeyId, date, region, service, terminal] = bits as [string, string, string, string, string];
  if (accessKeyId === '') throw fail('a non-empty Access Key (AKID) must be provided in the credential.');
  if (parseAmzDate(`${date}T000000Z`) === undefined) {
    throw fail(`incorrect date format "${date}". This date in the credential must be in the format "yyyyMMdd".`);
  }
  if (region === '') throw fail('a non-empty region must be provided in the credential.');
  if (expectedRegion !== undefined && region !== expectedRegion) {
    throw fail(`the region '${region}' is wrong; expecting '${expectedRegion}'`, { Region: expectedRegion }, { 'x-amz-bucket-region': expectedRegion });
  }
  if (service !== 's3') throw fail(`incorrect service "${service}". This endpoint belongs to "s3".`);
  if (terminal !== 'aws4_request') throw fail(`incorrect terminal "${terminal}". This endpoint uses "aws4_request".`);
  return { accessKeyId, date, region, service };
}

function checkToken(fields: Record<string, string>, accessKeyId: string, creds: PostSigningCredentials, now: number): void {
  const token = fields['x-amz-security-token'];
  if (creds.sessionToken === undefined) {
    if (token !== undefined && token !== '') throw invalidTokenError('s3', token);
    return;
  }
  // As for signed requests, a temporary key without its own token is reported as unknown.
  if (token !== creds.sessionToken) throw invalidAccessKeyError('s3', accessKeyId);
  if (creds.expiresAt !== undefined && now >= creds.expiresAt) throw expiredTokenError('s3', token);
}

function checkSignature(accessKeyId: string, policyText: string, provided: string, expected: string): void {
  if (sameSignature(expected, provided)) return;
  throw new SigV4Error('SignatureDoesNotMatch', S3_MISMATCH, 403, {
    AWSAccessKeyId: accessKeyId,
    StringToSign: policyText,
    SignatureProvided: provided,
    StringToSignBytes: hexBytes(policyText),
  });
}

export type PostCondition =
  | { op: 'eq' | 'starts-with'; field: string; value: string; text: string }
  | { op: 'content-length-range'; min: unknown; max: unknown; text: string };

export interface PostPolicy {
  expiration: number;
  conditions: PostCondition[];
}

const EXPIRATION = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/** The policy document, with S3's InvalidPolicyDocument messages for what it cannot use. */
export function parsePolicy(policyText: string): PostPolicy {
  const compact = policyText.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) throw postErrors.invalidPolicy('invalid Base64 encoding.');
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(compact, 'base64').toString('utf8'));
  } catch {
    throw postErrors.invalidPolicy('Invalid JSON.');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw postErrors.invalidPolicy('Invalid JSON.');
  const members = doc as Record<string, unknown>;
  for (const name of Object.keys(members)) {
    if (name !== 'expiration' && name !== 'conditions') throw postErrors.invalidPolicy(`Unexpected: '${name.toLowerCase()}'`);
  }
  if (!('expiration' in members)) throw postErrors.invalidPolicy('Policy missing expiration.');
  const exp = members.expiration;
  const expMs = typeof exp === 'string' && EXPIRATION.test(exp) ? Date.parse(exp) : NaN;
  if (Number.isNaN(expMs)) throw postErrors.invalidPolicy(`Invalid 'expiration' value: '${typeof exp === 'string' ? exp : JSON.stringify(exp)}'`);
  if (!('conditions' in members)) throw postErrors.invalidPolicy('Policy missing conditions.');
  if (!Array.isArray(members.conditions)) throw postErrors.invalidPolicy("Invalid 'conditions' value: must be a List.");
  return { expiration: expMs, conditions: members.conditions.map(parseCondition) };
}

/** S3 prints every condition as an array, a simple one as ["eq", "$name", "value"], in the policy's spelling. */
const render = (items: unknown[]): string => `[${items.map((v) => JSON.stringify(v)).join(', ')}]`;

function parseCondition(cond: unknown): PostCondition {
  if (Array.isArray(cond)) {
    if (cond.length === 0 || typeof cond[0] !== 'string') throw postErrors.invalidPolicy('Invalid Condition: missing operation identifier.');
    const op = cond[0].toLowerCase();
    if (op !== 'eq' && op !== 'starts-with' && op !== 'content-length-range') {
      throw postErrors.invalidPolicy(`Invalid Condition: unknown operation '${cond[0]}'.`);
    }
    if (cond.length !== 3) throw postErrors.invalidPolicy(`Invalid ${op}: wrong number of arguments.`);
    const text = render(cond);
    if (op === 'content-length-range') {
      for (const bound of cond.slice(1)) {
        // A fraction or a non-scalar is refused as unreadable; a non-numeric string fails as a condition.
        if (typeof bound === 'number' ? !Number.isInteger(bound) : typeof bound !== 'string') throw postErrors.invalidPolicy('Invalid JSON.');
        if (Number(bound) < 0) throw postErrors.invalidPolicy('Invalid content-length-range: values must be non-negative.');
      }
      return { op, min: cond[1], max: cond[2], text };
    }
    if (typeof cond[1] !== 'string' || typeof cond[2] !== 'string') throw postErrors.invalidPolicy('Invalid JSON.');
    return { op, field: cond[1], value: cond[2], text };
  }
  if (typeof cond === 'object' && cond !== null) {
    const entries = Object.entries(cond);
    if (entries.length !== 1) {
      throw postErrors.invalidPolicy('Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.');
    }
    const [name, value] = entries[0]!;
    if (value === null) throw postErrors.invalidPolicy('Invalid JSON.');
    if (typeof value !== 'string') throw postErrors.invalidPolicy('Invalid Simple-Condition: value must be a string.');
    return { op: 'eq', field: `$${name}`, value, text: render(['eq', `$${name}`, value]) };
  }
  throw postErrors.invalidPolicy('Invalid condition test: must be a List or Object.');
}

function sizeBound(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  return typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : undefined;
}

/**
 * Each condition in order, then coverage: "Each form field that you specify in a
 * form (except x-amz-signature, file, policy, and field names that have an
 * x-ignore- prefix) must appear in the list of conditions" (AWSAccessKeyId and
 * signature for SigV2). Names compare case-insensitively, values exactly.
 */
function checkConditions(conditions: PostCondition[], input: PolicyCheckInput<PostSigningCredentials>, version: 2 | 4): ContentLengthRange | undefined {
  const covered = new Set<string>();
  let range: ContentLengthRange | undefined;
  for (const cond of conditions) {
    if (cond.op === 'content-length-range') {
      const min = sizeBound(cond.min);
      const max = sizeBound(cond.max);
      if (min === undefined || max === undefined) throw postErrors.conditionFailed(cond.text);
      range = range === undefined ? { min, max } : { min: Math.max(range.min, min), max: Math.min(range.max, max) };
      continue;
    }
    // A name without its "$" is a condition that cannot hold.
    if (!cond.field.startsWith('$')) throw postErrors.conditionFailed(cond.text);
    const name = cond.field.slice(1).toLowerCase();
    covered.add(name);
    const actual = name === 'bucket' ? input.bucket : name === 'key' ? input.key : input.fields[name];
    if (!conditionHolds(cond.op, name, actual, cond.value)) throw postErrors.conditionFailed(cond.text);
  }
  const extra = Object.keys(input.fields).filter((name) => !covered.has(name) && !exempt(name, version));
  if (extra.length > 0) throw postErrors.extraFields(extra);
  return range;
}

function conditionHolds(op: 'eq' | 'starts-with', name: string, actual: string | undefined, value: string): boolean {
  // A condition on a field the form lacks fails, even starts-with "".
  if (actual === undefined) return false;
  if (op === 'eq') return actual === value;
  // "Content-Types values for a starts-with condition that include commas are interpreted as lists."
  if (name === 'content-type') return actual.split(',').every((v) => v.trim().startsWith(value));
  return actual.startsWith(value);
}

function exempt(name: string, version: 2 | 4): boolean {
  if (name === 'policy' || name === 'file' || name.startsWith('x-ignore-')) return true;
  return version === 4 ? name === 'x-amz-signature' : name === 'signature' || name === 'awsaccesskeyid';
}

/**
 * Enforces content-length-range on the file as it streams: EntityTooLarge as
 * soon as more than max bytes have passed (ProposedSize is the count so far, the
 * rest is never read), EntityTooSmall at the end. Bounds are inclusive.
 */
export function contentLengthGuard(range: ContentLengthRange | undefined): Transform {
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      size += chunk.length;
      if (range !== undefined && size > range.max) callback(s3Errors.entityTooLarge(size, range.max));
      else callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      if (range !== undefined && size < range.min) callback(s3Errors.entityTooSmall(size, range.min));
      else callback();
    },
  });
}

/** The object's URL as S3 reports it in Location: the key percent-encoded, "/" included. */
export function postLocation(bucketUrl: string, key: string): string {
  return `${bucketUrl.replace(/\/+$/, '')}/${encodeURIComponent(key)}`;
}

/**
 * The success answer: a 303 to success_action_redirect (or the deprecated
 * redirect) with bucket, key and etag appended form-encoded, when it is an absolute
 * http(s) URL ("If Amazon S3 cannot interpret the URL, it acts as if the field is
 * not present"); else success_action_status 200, 201 (with a PostResponse
 * document) or 204, the default and the answer to any other value.
 */
export function postUploadResponse(fields: Record<string, string>, result: PostUploadResult): PostUploadResponse {
  const headers: Record<string, string> = { etag: result.etag };
  if (result.versionId !== undefined) headers['x-amz-version-id'] = result.versionId;
  const redirect = fields.success_action_redirect ?? fields.redirect;
  if (redirect !== undefined && isAbsoluteUrl(redirect)) {
    const query = new URLSearchParams({ bucket: result.bucket, key: result.key, etag: result.etag }).toString();
    const sep = !redirect.includes('?') ? '?' : /[?&]$/.test(redirect) ? '' : '&';
    headers.location = `${redirect}${sep}${query}`;
    return { status: 303, headers };
  }
  headers.location = result.location;
  const status = fields.success_action_status;
  if (status === '200') return { status: 200, headers };
  if (status !== '201') return { status: 204, headers };
  headers['content-type'] = 'application/xml';
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<PostResponse><Location>${xmlText(result.location)}</Location><Bucket>${xmlText(result.bucket)}</Bucket>` +
    `<Key>${xmlText(result.key)}</Key><ETag>${xmlText(result.etag)}</ETag></PostResponse>`;
  return { status: 201, headers, body };
}

function isAbsoluteUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function xmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
