/**
 * The flexible checksums an aws-chunked upload may carry in its trailer
 * (x-amz-checksum-crc32, -crc32c, -crc64nvme, -sha1, -sha256), computed
 * incrementally over the decoded bytes so the trailer can be checked without
 * holding the body. Values are base64 of the big-endian digest, as in
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { Crc32c } from '@aws-crypto/crc32c';

export interface RunningChecksum {
  /** The algorithm as S3 names it in BadDigest messages ("CRC32", "SHA256"). */
  readonly algorithm: string;
  update(data: Buffer): void;
  /** base64 of the digest. */
  digest(): string;
}

class Crc32Checksum implements RunningChecksum {
  readonly algorithm = 'CRC32';
  private value = 0;
  update(data: Buffer): void {
    // Node 20's zlib.crc32 answers 0 for an empty buffer over a zero-length ArrayBuffer, whatever the running value.
    if (data.length === 0) return;
    this.value = crc32(data, this.value);
  }
  digest(): string {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(this.value >>> 0);
    return out.toString('base64');
  }
}

class Crc32cChecksum implements RunningChecksum {
  readonly algorithm = 'CRC32C';
  private readonly crc = new Crc32c();
  update(data: Buffer): void {
    this.crc.update(data);
  }
  digest(): string {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(this.crc.digest() >>> 0);
    return out.toString('base64');
  }
}

/** CRC-64/NVME (reflected polynomial 0x9A6C9329AC4BC9B5), kept as two 32-bit halves for speed. */
const CRC64_HI = new Uint32Array(256);
const CRC64_LO = new Uint32Array(256);
{
  const polyHi = 0x9a6c9329;
  const polyLo = 0xac4bc9b5;
  for (let n = 0; n < 256; n++) {
    let hi = 0;
    let lo = n;
    for (let k = 0; k < 8; k++) {
      const carry = lo & 1;
      lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
      hi = hi >>> 1;
      if (carry) {
        hi = (hi ^ polyHi) >>> 0;
        lo = (lo ^ polyLo) >>> 0;
      }
    }
    CRC64_HI[n] = hi;
    CRC64_LO[n] = lo;
  }
}

class Crc64NvmeChecksum implements RunningChecksum {
  readonly algorithm = 'CRC64NVME';
  private hi = 0xffffffff;
  private lo = 0xffffffff;
  update(data: Buffer): void {
    let hi = this.hi;
    let lo = this.lo;
    for (let i = 0; i < data.length; i++) {
      const index = (lo ^ data[i]!) & 0xff;
      lo = ((lo >>> 8) | ((hi & 0xff) << 24)) ^ CRC64_LO[index]!;
      hi = (hi >>> 8) ^ CRC64_HI[index]!;
    }
    this.hi = hi >>> 0;
    this.lo = lo >>> 0;
  }
  digest(): string {
    const out = Buffer.alloc(8);
    out.writeUInt32BE((this.hi ^ 0xffffffff) >>> 0, 0);
    out.writeUInt32BE((this.lo ^ 0xffffffff) >>> 0, 4);
    return out.toString('base64');
  }
}

class HashChecksum implements RunningChecksum {
  private readonly hash;
  private result: string | undefined;
  constructor(readonly algorithm: 'SHA1' | 'SHA256') {
    this.hash = createHash(algorithm === 'SHA1' ? 'sha1' : 'sha256');
  }
  update(data: Buffer): void {
    this.hash.update(data);
  }
  digest(): string {
    this.result ??= this.hash.digest('base64');
    return this.result;
  }
}

/** A running checksum for a trailer header name, or undefined for a name that is not one. */
export function checksumFor(headerName: string): RunningChecksum | undefined {
  switch (headerName.toLowerCase()) {
    case 'x-amz-checksum-crc32':
      return new Crc32Checksum();
    case 'x-amz-checksum-crc32c':
      return new Crc32cChecksum();
    case 'x-amz-checksum-crc64nvme':
      return new Crc64NvmeChecksum();
    case 'x-amz-checksum-sha1':
      return new HashChecksum('SHA1');
    case 'x-amz-checksum-sha256':
      return new HashChecksum('SHA256');
    default:
      return undefined;
  }
}
