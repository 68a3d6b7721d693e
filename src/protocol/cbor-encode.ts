/**
 * The CBOR writer (RFC 8949): definite-length items into a growing buffer,
 * floats in the shortest exact width, as smithy RPC v2 CBOR peers expect.
 * https://www.rfc-editor.org/rfc/rfc8949.html
 */
import { BREAK, CborError, CborSimple, CborTag, INDEFINITE, TWO_64 } from './cbor-values.js';

const f32 = new DataView(new ArrayBuffer(4));

/** The half-precision bits of `v` when the conversion is exact, else -1. */
function halfBits(v: number): number {
  if (Number.isNaN(v)) return 0x7e00;
  if (Math.fround(v) !== v) return -1;
  f32.setFloat32(0, v);
  const bits = f32.getUint32(0);
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return mant === 0 ? sign | 0x7c00 : -1;
  if (exp === 0 && mant === 0) return sign;
  const e = exp - 127 + 15;
  if (e >= 1 && e <= 30) return (mant & 0x1fff) === 0 ? sign | (e << 10) | (mant >>> 13) : -1;
  // Half subnormals are m × 2^-24 for integer m < 1024.
  const m = Math.abs(v) * 2 ** 24;
  return Number.isInteger(m) && m < 1024 ? sign | m : -1;
}

/**
 * Appends CBOR items to a growing buffer. Containers are written with a head
 * announcing their size (mapHeader, arrayHeader) or opened as indefinite and
 * closed with end(); the caller writes the members in between.
 */
export class CborWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  private head(major: number, n: number | bigint): void {
    const m = major << 5;
    this.ensure(9);
    if (typeof n === 'bigint' || n > 0xffffffff) {
      this.buf[this.pos++] = m | 27;
      this.pos = this.buf.writeBigUInt64BE(BigInt(n), this.pos);
    } else if (n < 24) this.buf[this.pos++] = m | n;
    else if (n < 0x100) {
      this.buf[this.pos++] = m | 24;
      this.buf[this.pos++] = n;
    } else if (n < 0x10000) {
      this.buf[this.pos++] = m | 25;
      this.pos = this.buf.writeUInt16BE(n, this.pos);
    } else {
      this.buf[this.pos++] = m | 26;
      this.pos = this.buf.writeUInt32BE(n, this.pos);
    }
  }

  /** An integer in its shortest form; beyond 64 bits a bigint becomes a bignum (tag 2/3). */
  int(n: number | bigint): this {
    if (typeof n === 'number') {
      if (!Number.isInteger(n)) throw new RangeError(`not an integer: ${n}`);
      if (Number.isSafeInteger(n)) {
        if (n >= 0) this.head(0, n);
        else this.head(1, -1 - n);
        return this;
      }
      n = BigInt(n);
    }
    if (n >= 0n) {
      if (n < TWO_64) this.head(0, n);
      else this.bignum(2, n);
    } else {
      const u = -1n - n;
      if (u < TWO_64) this.head(1, u);
      else this.bignum(3, u);
    }
    return this;
  }

  private bignum(tag: 2 | 3, u: bigint): void {
    let hex = u.toString(16);
    if (hex.length % 2) hex = '0' + hex;
    this.head(6, tag);
    this.bytes(Buffer.from(hex, 'hex'));
  }

  float64(n: number): this {
    this.ensure(9);
    this.buf[this.pos++] = 0xfb;
    this.pos = this.buf.writeDoubleBE(n, this.pos);
    return this;
  }

  float32(n: number): this {
    this.ensure(5);
    this.buf[this.pos++] = 0xfa;
    this.pos = this.buf.writeFloatBE(n, this.pos);
    return this;
  }

  /** The shortest float that holds `n` exactly: half, single or double (RFC 8949 §4.1 preferred serialization). */
  float(n: number): this {
    const h = halfBits(n);
    if (h < 0) return Math.fround(n) === n ? this.float32(n) : this.float64(n);
    this.ensure(3);
    this.buf[this.pos++] = 0xf9;
    this.pos = this.buf.writeUInt16BE(h, this.pos);
    return this;
  }

  bytes(b: Uint8Array): this {
    this.head(2, b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  text(s: string): this {
    const len = Buffer.byteLength(s, 'utf8');
    this.head(3, len);
    this.ensure(len);
    this.pos += this.buf.write(s, this.pos, len, 'utf8');
    return this;
  }

  arrayHeader(length: number): this {
    this.head(4, length);
    return this;
  }

  mapHeader(size: number): this {
    this.head(5, size);
    return this;
  }

  /** Opens an indefinite-length byte string (2), text string (3), array (4) or map (5); close with end(). */
  beginIndefinite(major: 2 | 3 | 4 | 5): this {
    return this.byte((major << 5) | INDEFINITE);
  }

  end(): this {
    return this.byte(BREAK);
  }

  tag(tag: number | bigint): this {
    this.head(6, tag);
    return this;
  }

  /** Tag 1 with integer seconds, or a double when the instant has milliseconds. */
  epoch(date: Date): this {
    const seconds = date.getTime() / 1000;
    this.tag(1);
    return Number.isInteger(seconds) ? this.int(seconds) : this.float64(seconds);
  }

  private byte(b: number): this {
    this.ensure(1);
    this.buf[this.pos++] = b;
    return this;
  }

  bool(v: boolean): this {
    return this.byte(v ? 0xf5 : 0xf4);
  }

  null(): this {
    return this.byte(0xf6);
  }

  undefined(): this {
    return this.byte(0xf7);
  }

  simple(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 255 || (v >= 24 && v < 32)) throw new RangeError(`invalid simple value ${v}`);
    return v < 24 ? this.byte(0xe0 | v) : this.byte(0xf8).byte(v);
  }

  /** Any JS value, as encodeCbor describes. */
  value(v: unknown, depth = 0): this {
    if (depth > 512) throw new RangeError('value nested too deeply for CBOR');
    switch (typeof v) {
      case 'number':
        return Number.isInteger(v) && !Object.is(v, -0) && Math.abs(v) < 2 ** 64 ? this.int(v) : this.float(v);
      case 'bigint':
        return this.int(v);
      case 'string':
        return this.text(v);
      case 'boolean':
        return this.bool(v);
      case 'undefined':
        return this.undefined();
      case 'object':
        break;
      default:
        throw new TypeError(`cannot encode a ${typeof v} as CBOR`);
    }
    if (v === null) return this.null();
    if (v instanceof Uint8Array) return this.bytes(v);
    if (v instanceof Date) return this.epoch(v);
    if (v instanceof CborTag) return this.tag(v.tag).value(v.value, depth + 1);
    if (v instanceof CborSimple) return this.simple(v.value);
    if (Array.isArray(v)) {
      this.arrayHeader(v.length);
      for (const item of v) this.value(item, depth + 1);
      return this;
    }
    if (v instanceof Map) {
      this.mapHeader(v.size);
      for (const [k, item] of v) this.value(k, depth + 1).value(item, depth + 1);
      return this;
    }
    const entries = Object.entries(v as Record<string, unknown>).filter(([, item]) => item !== undefined);
    this.mapHeader(entries.length);
    for (const [k, item] of entries) this.text(k).value(item, depth + 1);
    return this;
  }

  /** The bytes written so far (a copy-free view; the writer must not be reused after). */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

/**
 * Encodes a JS value: integers (number or bigint) in their shortest form,
 * other numbers as the shortest exact float, strings, Buffers/Uint8Arrays as
 * byte strings, arrays, Maps, plain objects (undefined members skipped), Date
 * as tag 1 epoch seconds, CborTag, CborSimple, booleans, null and undefined.
 */
export function encodeCbor(value: unknown): Buffer {
  return new CborWriter().value(value).finish();
}
