/**
 * Object bytes in motion: a pass-through that hashes an upload as it streams
 * (the MD5 that is the ETag, and any flexible checksum the client named) and
 * fails the stream before its end when a digest or the length disagrees, so
 * the blob write aborts and nothing is committed; and a reader that serves a
 * byte range across an object's chunks, or from its inline bytes.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
 */
import { createHash, type Hash } from 'node:crypto';
import { finished, Readable, Transform, type TransformCallback } from 'node:stream';
import { checksumFor, type RunningChecksum } from '../../protocol/sigv4/checksums.js';
import type { BlobStore } from '../../storage/types.js';
import { s3Errors } from './errors.js';
import type { ObjectData } from './models.js';

/** S3's checksum members and the header each travels in. */
export const CHECKSUM_MEMBERS: Record<string, string> = {
  ChecksumCRC32: 'x-amz-checksum-crc32',
  ChecksumCRC32C: 'x-amz-checksum-crc32c',
  ChecksumCRC64NVME: 'x-amz-checksum-crc64nvme',
  ChecksumSHA1: 'x-amz-checksum-sha1',
  ChecksumSHA256: 'x-amz-checksum-sha256',
};

/** Decoded length of each checksum, to tell a malformed header value from a wrong one. */
const CHECKSUM_BYTES: Record<string, number> = { ChecksumCRC32: 4, ChecksumCRC32C: 4, ChecksumCRC64NVME: 8, ChecksumSHA1: 20, ChecksumSHA256: 32 };

/** S3 answers a value that is not base64 of the algorithm's length with InvalidRequest before reading the body. */
export function validateChecksumValue(member: string, value: string): void {
  const raw = Buffer.from(value, 'base64');
  if (raw.length !== CHECKSUM_BYTES[member] || raw.toString('base64') !== value) {
    throw s3Errors.invalidRequest(`Value for ${CHECKSUM_MEMBERS[member]} header is invalid.`);
  }
}

export function memberForAlgorithm(algorithm: string): string | undefined {
  const m = `Checksum${algorithm.toUpperCase()}`;
  return m in CHECKSUM_MEMBERS ? m : undefined;
}

export interface DigestOptions {
  /** base64 Content-MD5 the client sent. */
  contentMd5?: string;
  /** Expected values by member name (ChecksumCRC32...), from headers; checked at the end. */
  expected?: Record<string, string>;
  /** Algorithms to compute without an expected value (a trailer checksum the signature layer checks). */
  compute?: string[];
  /** Exactly this many bytes must arrive (Content-Length / x-amz-decoded-content-length). */
  length?: number;
  maxSize?: number;
}

export interface Digests {
  md5Hex: string;
  md5: Buffer;
  size: number;
  /** Computed flexible checksums by member name. */
  checksums: Record<string, string>;
}

export function validateContentMd5(value: string | undefined): void {
  if (value === undefined) return;
  const raw = Buffer.from(value, 'base64');
  if (raw.length !== 16 || raw.toString('base64') !== value) throw s3Errors.invalidDigest();
}

/** Hashes bytes passing through; `digests` settles after the last byte, with the stream failed first on a mismatch. */
export class Digester extends Transform {
  private readonly md5: Hash = createHash('md5');
  private readonly running = new Map<string, RunningChecksum>();
  private size = 0;
  result: Digests | undefined;

  constructor(private readonly opts: DigestOptions) {
    super();
    validateContentMd5(opts.contentMd5);
    for (const [member, value] of Object.entries(opts.expected ?? {})) validateChecksumValue(member, value);
    // The consumer starts reading only after some awaits, and a small body can
    // fail the digest before then: with no listener that 'error' event would
    // crash the process. The failure stays recorded (stream.errored) for the
    // consumer to meet when it reads.
    this.on('error', () => undefined);
    for (const member of [...Object.keys(opts.expected ?? {}), ...(opts.compute ?? []).map((a) => memberForAlgorithm(a) ?? '')]) {
      const header = CHECKSUM_MEMBERS[member];
      const c = header ? checksumFor(header) : undefined;
      if (c && !this.running.has(member)) this.running.set(member, c);
    }
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length;
    if (this.opts.maxSize !== undefined && this.size > this.opts.maxSize) return done(s3Errors.entityTooLarge(this.size, this.opts.maxSize));
    if (this.opts.length !== undefined && this.size > this.opts.length) return done(s3Errors.incompleteBody());
    this.md5.update(chunk);
    for (const c of this.running.values()) c.update(chunk);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (this.opts.length !== undefined && this.size !== this.opts.length) return done(s3Errors.incompleteBody());
    const md5 = this.md5.digest();
    if (this.opts.contentMd5 !== undefined && md5.toString('base64') !== this.opts.contentMd5) return done(s3Errors.badDigest());
    const checksums: Record<string, string> = {};
    for (const [member, c] of this.running) {
      const value = c.digest();
      const want = this.opts.expected?.[member];
      if (want !== undefined && want !== value) return done(s3Errors.badDigest(`The ${c.algorithm} you specified did not match the calculated checksum.`));
      checksums[member] = value;
    }
    this.result = { md5Hex: md5.toString('hex'), md5, size: this.size, checksums };
    done();
  }
}

/**
 * Pipes `source` through `digester`. A failure of the source fails the
 * digester (and the blob write reading it), including one that happened
 * before this call: a small body is read and checked (payload hash, aws-chunked
 * trailer) before the handler gets here, and `pipe` from an already failed
 * stream would leave the write waiting forever.
 */
export function digestFrom(source: Readable, digester: Digester): Digester {
  finished(source, (err) => {
    if (err) digester.destroy(err);
  });
  return source.pipe(digester);
}

/** The bytes of an inline body (see S3Store.writeBody), or of a range of it. */
function inlineBytes(inline: string, range?: { start: number; end: number }): Buffer {
  const all = Buffer.from(inline, 'base64');
  return range ? all.subarray(range.start, range.end + 1) : all;
}

/** A byte range over an object's data as one stream; chunks open one after another. */
export async function readChunks(blobs: BlobStore, data: ObjectData, range?: { start: number; end: number }): Promise<Readable> {
  if (data.inline !== undefined) {
    const bytes = inlineBytes(data.inline, range);
    return Readable.from(bytes.length ? [bytes] : []);
  }
  const chunks = data.chunks;
  const total = chunks.reduce((n, c) => n + c.size, 0);
  const start = range?.start ?? 0;
  const end = range?.end ?? total - 1;
  if (total === 0 || end < start) return Readable.from([]);
  const pieces: Array<{ blob: string; start: number; end: number }> = [];
  let offset = 0;
  for (const c of chunks) {
    const cStart = offset;
    const cEnd = offset + c.size - 1;
    offset += c.size;
    if (c.size === 0 || cEnd < start || cStart > end) continue;
    pieces.push({ blob: c.blob, start: Math.max(start, cStart) - cStart, end: Math.min(end, cEnd) - cStart });
  }
  const open = async (p: (typeof pieces)[number]): Promise<Readable> => {
    const s = await blobs.read(p.blob, { start: p.start, end: p.end });
    if (!s) throw new Error(`object data missing: ${p.blob}`);
    return s;
  };
  // The first piece is opened now so a missing blob fails the request, not the body.
  const first = await open(pieces[0]!);
  if (pieces.length === 1) return first;
  return Readable.from(
    (async function* () {
      yield* first;
      for (const p of pieces.slice(1)) yield* await open(p);
    })(),
    { objectMode: false },
  );
}

/**
 * Bodies up to this size are answered from one Buffer: no stream, no pipeline,
 * one socket write. No more memory than a stream, whose reads are this size too.
 */
export const SMALL_BODY = 1024 * 1024;

/** What GetObject answers: a small body whole (cheaper to send), a larger one as a stream. */
export async function readBody(blobs: BlobStore, data: ObjectData, range?: { start: number; end: number }): Promise<Readable | Buffer> {
  if (data.inline !== undefined) return inlineBytes(data.inline, range);
  const total = data.chunks.reduce((n, c) => n + c.size, 0);
  const length = range ? Math.min(range.end, total - 1) - range.start + 1 : total;
  const stream = await readChunks(blobs, data, range);
  if (length > SMALL_BODY) return stream;
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/**
 * Parses an HTTP Range header against an object size, as S3 does: one range
 * only; an unparseable header is ignored (whole object); an unsatisfiable one
 * is InvalidRange 416. https://www.rfc-editor.org/rfc/rfc9110#section-14.1.2
 */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) throw s3Errors.invalidRange(size, header);
    return size === 0 ? undefined : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return undefined;
  if (start >= size) throw s3Errors.invalidRange(size, header);
  return { start, end };
}
