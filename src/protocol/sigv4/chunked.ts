/**
 * Decodes an aws-chunked request body as it streams: "<hex-size>[;chunk-signature=<sig>]\r\n<data>\r\n"
 * chunks, a zero-size chunk, then optional trailer headers ("x-amz-checksum-crc32:...",
 * "x-amz-trailer-signature:...") and a blank line. Signed chunks are verified
 * against the chain that starts at the request's seed signature, the trailer
 * against its own signature and the checksum it names against the decoded
 * bytes. Memory stays flat whatever the body's size: data is passed on as it
 * arrives, and only a chunk or trailer line header is ever held (a few bytes,
 * possibly split across reads). A failing chunk surfaces as a stream error
 * before the stream ends, so a consumer that commits on 'end' never commits it.
 * Follows https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html and
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { checksumFor, type RunningChecksum } from './checksums.js';
import { EMPTY_SHA256, hmacHex, sameSignature, sha256Hex, type SigningKey } from './canonical.js';
import { SigV4Error, signatureMismatch, type SigV4Style } from './errors.js';

/** Longest chunk-size or trailer line accepted; real ones are well under a hundred bytes. */
const MAX_LINE = 16 * 1024;

export interface ChunkSigning {
  key: SigningKey;
  amzDate: string;
  scope: string;
  seedSignature: string;
  accessKeyId: string;
  /** The seed's canonical request, which S3 echoes in a chunk's SignatureDoesNotMatch. */
  canonicalRequest: string;
}

export interface AwsChunkedOptions {
  style: SigV4Style;
  /** Present for STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]: every chunk must carry a valid signature. */
  signing?: ChunkSigning;
  /** Whether trailer headers follow the final chunk (the -TRAILER payload types). */
  trailer: boolean;
  /** The trailer names announced in x-amz-trailer. */
  expectedTrailers: string[];
  /** x-amz-decoded-content-length, when sent. */
  decodedLength?: number;
}

const enum State {
  Size,
  Data,
  DataEnd,
  Trailer,
  Done,
}

export class AwsChunkedDecoder extends Transform {
  private state = State.Size;
  private line: Buffer[] = [];
  private lineLength = 0;
  private remaining = 0;
  private chunkSignature = '';
  private chunkHash: Hash | undefined;
  private previousSignature: string;
  private decoded = 0;
  private readonly checksums = new Map<string, RunningChecksum>();
  private readonly trailerLines: string[] = [];
  private readonly received: Record<string, string> = {};
  /** The trailer headers, once the body has been read and checked. */
  readonly trailers: Promise<Record<string, string>>;
  private settle!: (value: Record<string, string>) => void;
  private fail!: (error: Error) => void;

  constructor(private readonly options: AwsChunkedOptions) {
    super();
    this.previousSignature = options.signing?.seedSignature ?? '';
    for (const name of options.expectedTrailers) {
      const checksum = checksumFor(name);
      if (checksum !== undefined) this.checksums.set(name.toLowerCase(), checksum);
    }
    this.trailers = new Promise((resolve, reject) => {
      this.settle = resolve;
      this.fail = reject;
    });
    // A caller that never asks for the trailers must not see an unhandled rejection.
    this.trailers.catch(() => {});
  }

  /** Bytes of object data decoded so far. */
  get decodedLength(): number {
    return this.decoded;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.consume(chunk);
      callback();
    } catch (error) {
      this.fail(error as Error);
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      // Clients sometimes leave off the CRLF that ends the body; nothing before it may be missing.
      if (this.state === State.Trailer) {
        if (this.lineLength > 0) this.trailerLine(this.takeLine());
        if (this.state === State.Trailer) this.finish();
      }
      if (this.state !== State.Done) throw incompleteBody();
      callback();
    } catch (error) {
      this.fail(error as Error);
      callback(error as Error);
    }
  }

  private consume(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      switch (this.state) {
        case State.Size:
        case State.Trailer: {
          const end = this.readLine(chunk, offset);
          if (end < 0) return;
          offset = end;
          const line = this.takeLine();
          if (this.state === State.Size) this.sizeLine(line);
          else this.trailerLine(line);
          break;
        }
        case State.Data: {
          const take = Math.min(this.remaining, chunk.length - offset);
          const data = chunk.subarray(offset, offset + take);
          offset += take;
          this.remaining -= take;
          this.decoded += take;
          this.chunkHash?.update(data);
          for (const checksum of this.checksums.values()) checksum.update(data);
          this.push(data);
          if (this.remaining === 0) this.state = State.DataEnd;
          break;
        }
        case State.DataEnd: {
          const end = this.readLine(chunk, offset);
          if (end < 0) return;
          offset = end;
          if (this.takeLine() !== '') throw malformed('chunk data is not followed by CRLF');
          this.verifyChunk(this.chunkHash ? this.chunkHash.digest('hex') : EMPTY_SHA256);
          this.state = State.Size;
          break;
        }
        case State.Done:
          // Bytes after the terminating blank line are not part of any chunk.
          throw malformed('data after the final chunk');
      }
    }
  }

  /** Gathers bytes up to a CRLF; returns the offset after it, or -1 when the line continues in a later read. */
  private readLine(chunk: Buffer, offset: number): number {
    const lf = chunk.indexOf(0x0a, offset);
    const end = lf < 0 ? chunk.length : lf + 1;
    const piece = chunk.subarray(offset, end);
    this.lineLength += piece.length;
    if (this.lineLength > MAX_LINE) throw malformed('chunk header line too long');
    this.line.push(piece);
    return lf < 0 ? -1 : end;
  }

  private takeLine(): string {
    const text = (this.line.length === 1 ? this.line[0]! : Buffer.concat(this.line)).toString('latin1');
    this.line = [];
    this.lineLength = 0;
    if (text.endsWith('\r\n')) return text.slice(0, -2);
    return text.endsWith('\n') ? text.slice(0, -1) : text;
  }

  private sizeLine(line: string): void {
    const semi = line.indexOf(';');
    const sizeText = (semi < 0 ? line : line.slice(0, semi)).trim();
    if (!/^[0-9a-fA-F]{1,15}$/.test(sizeText)) throw malformed(`invalid chunk size "${sizeText}"`);
    this.remaining = parseInt(sizeText, 16);
    if (this.options.signing) {
      const match = /(?:^|;)\s*chunk-signature=([0-9a-f]{64})\s*$/.exec(semi < 0 ? '' : line.slice(semi));
      this.chunkSignature = match?.[1] ?? '';
      this.chunkHash = this.remaining > 0 ? createHash('sha256') : undefined;
    }
    if (this.remaining > 0) {
      this.state = State.Data;
      return;
    }
    // The zero-size chunk: signed with the hash of no data, then trailers or the end.
    if (this.options.signing) this.verifyChunk(EMPTY_SHA256);
    this.state = State.Trailer;
  }

  private verifyChunk(dataHash: string): void {
    const signing = this.options.signing;
    if (!signing) return;
    const stringToSign = `AWS4-HMAC-SHA256-PAYLOAD\n${signing.amzDate}\n${signing.scope}\n${this.previousSignature}\n${EMPTY_SHA256}\n${dataHash}`;
    this.check(stringToSign, this.chunkSignature);
  }

  private check(stringToSign: string, provided: string): void {
    const signing = this.options.signing!;
    const expected = hmacHex(signing.key, stringToSign);
    if (!sameSignature(expected, provided)) {
      throw signatureMismatch(this.options.style, {
        accessKeyId: signing.accessKeyId,
        stringToSign,
        signatureProvided: provided,
        canonicalRequest: signing.canonicalRequest,
      });
    }
    this.previousSignature = expected;
  }

  private trailerLine(line: string): void {
    if (line === '') {
      this.finish();
      return;
    }
    this.trailerLines.push(line);
  }

  /** The blank line after the trailers (or after the final chunk): check what they promise. */
  private finish(): void {
    let trailerSignature: string | undefined;
    let canonicalTrailers = '';
    for (const line of this.trailerLines) {
      const colon = line.indexOf(':');
      if (colon < 0) throw malformed('malformed trailer');
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'x-amz-trailer-signature') {
        trailerSignature = value;
        continue;
      }
      this.received[name] = value;
      canonicalTrailers += `${name}:${value}\n`;
    }
    const signing = this.options.signing;
    if (signing && this.options.trailer) {
      const stringToSign = `AWS4-HMAC-SHA256-TRAILER\n${signing.amzDate}\n${signing.scope}\n${this.previousSignature}\n${sha256Hex(canonicalTrailers)}`;
      this.check(stringToSign, trailerSignature ?? '');
    }
    for (const name of this.options.expectedTrailers) {
      const lower = name.toLowerCase();
      const value = this.received[lower];
      if (value === undefined) {
        throw new SigV4Error('InvalidRequest', `The x-amz-trailer header specified ${lower} but it was not sent.`, 400);
      }
      const checksum = this.checksums.get(lower);
      if (checksum === undefined) continue;
      if (!validChecksumValue(value, checksum.algorithm)) {
        throw new SigV4Error('InvalidRequest', `Value for ${lower} trailing header is invalid.`, 400);
      }
      if (checksum.digest() !== value) {
        throw new SigV4Error('BadDigest', `The ${checksum.algorithm} you specified did not match the calculated checksum.`, 400);
      }
    }
    if (this.options.decodedLength !== undefined && this.options.decodedLength !== this.decoded) {
      throw incompleteBody();
    }
    this.state = State.Done;
    this.settle(this.received);
  }
}

function validChecksumValue(value: string, algorithm: string): boolean {
  const bytes = { CRC32: 4, CRC32C: 4, CRC64NVME: 8, SHA1: 20, SHA256: 32 }[algorithm];
  return /^[A-Za-z0-9+/]+={0,2}$/.test(value) && Buffer.from(value, 'base64').length === bytes;
}

function malformed(detail: string): SigV4Error {
  return new SigV4Error('IncompleteBody', `The request body is not valid aws-chunked encoding: ${detail}.`, 400);
}

function incompleteBody(): SigV4Error {
  return new SigV4Error('IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header.', 400);
}
