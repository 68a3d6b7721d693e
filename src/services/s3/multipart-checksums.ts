/**
 * Checksums of a completed multipart object, from its parts' checksums alone
 * (the bytes are never read again): COMPOSITE is the algorithm applied to the
 * concatenated binary part checksums, suffixed "-<parts>"; FULL_OBJECT (the
 * only type CRC64NVME allows) combines the part CRCs into the CRC of the whole
 * object, the way zlib's crc32_combine does.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity-upload.html
 */
import { checksumFor } from '../../protocol/sigv4/checksums.js';
import { CHECKSUM_MEMBERS, memberForAlgorithm } from './body.js';

export const MULTIPART_ALGORITHMS = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'];

/** The type an upload gets without x-amz-checksum-type (which the model cannot carry). */
export function defaultChecksumType(algorithm: string): 'COMPOSITE' | 'FULL_OBJECT' {
  return algorithm === 'CRC64NVME' ? 'FULL_OBJECT' : 'COMPOSITE';
}

export function compositeChecksum(algorithm: string, partChecksums: string[]): string {
  const c = checksumFor(CHECKSUM_MEMBERS[memberForAlgorithm(algorithm)!]!)!;
  for (const v of partChecksums) c.update(Buffer.from(v, 'base64'));
  return `${c.digest()}-${partChecksums.length}`;
}

/** Reflected polynomials; all three CRCs start from and end by xoring all ones. */
const CRCS: Record<string, { width: number; poly: bigint }> = {
  CRC32: { width: 32, poly: 0xedb88320n },
  CRC32C: { width: 32, poly: 0x82f63b78n },
  CRC64NVME: { width: 64, poly: 0x9a6c9329ac4bc9b5n },
};

/** a(x)·b(x) mod p(x), bit (width-1) holding x^0; `a` must not be zero. */
function multModP(a: bigint, b: bigint, width: number, poly: bigint): bigint {
  let m = 1n << BigInt(width - 1);
  let p = 0n;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1n)) === 0n) return p;
    }
    m >>= 1n;
    b = b & 1n ? (b >> 1n) ^ poly : b >> 1n;
  }
}

/** x^(8·bytes) mod p(x): the shift that appending `bytes` bytes applies to a CRC. */
function shiftFor(bytes: number, width: number, poly: bigint): bigint {
  let p = 1n << BigInt(width - 1);
  let square = 1n << BigInt(width - 2); // x^1
  for (let k = 0; k < 3; k++) square = multModP(square, square, width, poly); // x^8
  for (let n = BigInt(bytes); n > 0n; n >>= 1n) {
    if (n & 1n) p = multModP(square, p, width, poly);
    square = multModP(square, square, width, poly);
  }
  return p;
}

export function supportsFullObject(algorithm: string): boolean {
  return algorithm in CRCS;
}

/** The CRC of the concatenated parts, from each part's CRC (base64, big-endian) and size. */
export function fullObjectChecksum(algorithm: string, parts: Array<{ checksum: string; size: number }>): string {
  const { width, poly } = CRCS[algorithm]!;
  const bytes = width / 8;
  const read = (b64: string) => BigInt(`0x${Buffer.from(b64, 'base64').toString('hex') || '0'}`);
  let crc = 0n;
  for (const [i, part] of parts.entries()) {
    const next = read(part.checksum);
    crc = i === 0 ? next : multModP(shiftFor(part.size, width, poly), crc, width, poly) ^ next;
  }
  return Buffer.from(crc.toString(16).padStart(bytes * 2, '0'), 'hex').toString('base64');
}
