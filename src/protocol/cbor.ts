/**
 * CBOR (RFC 8949) for the smithy RPC v2 CBOR protocol: a strict decoder of
 * one data item into JS values and a writer that emits definite-length items.
 * https://www.rfc-editor.org/rfc/rfc8949.html
 *
 * Decoding maps: unsigned/negative integers → number, or bigint beyond 2^53;
 * byte strings → Buffer; text strings → string (strict UTF-8); arrays → arrays;
 * maps → plain objects when every key is a text string, else Map; tag 1 →
 * Date, tags 2/3 → bigint, other tags → CborTag; false/true/null/undefined →
 * their JS values, other simple values → CborSimple; half, single and double
 * floats → number. Anything not well-formed (truncated, reserved additional
 * info, a stray break, bad UTF-8, duplicate map keys, trailing bytes) throws
 * CborError, so a request body can never crash or mislead a codec.
 */

export class CborError extends Error {
  override readonly name = 'CborError';
}

/** A tag the decoder does not interpret (RFC 8949 §3.4), or one to write as is. */
export class CborTag {
  constructor(
    readonly tag: number | bigint,
    readonly value: CborValue,
  ) {}
}

/** A simple value other than false/true/null/undefined (RFC 8949 §3.3). */
export class CborSimple {
  constructor(readonly value: number) {}
}

export type CborValue =
  | number
  | bigint
  | string
  | boolean
  | null
  | undefined
  | Buffer
  | Date
  | CborTag
  | CborSimple
  | CborValue[]
  | Map<CborValue, CborValue>
  | { [key: string]: CborValue };

export interface DecodeOptions {
  /** Deepest nesting of arrays, maps and tags accepted; guards the stack against hostile input. */
  maxDepth?: number;
}

const BREAK = 0xff;
const INDEFINITE = 31;
const TWO_64 = 2n ** 64n;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes exactly one data item; trailing bytes are an error. */
export function decodeCbor(data: Uint8Array, options: DecodeOptions = {}): CborValue {
  const reader = new Reader(data, options.maxDepth ?? 128);
  const value = reader.item(0);
  if (reader.pos !== data.length) throw new CborError(`unexpected data after the CBOR item at byte ${reader.pos}`);
  return value;
}

class Reader {
  pos = 0;
  private readonly view: DataView;

  constructor(
    private readonly data: Uint8Array,
    private readonly maxDepth: number,
  ) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  private need(n: number): void {
    if (this.pos + n > this.data.length) throw new CborError('unexpected end of CBOR data');
  }

  private byte(): number {
    this.need(1);
    return this.data[this.pos++]!;
  }

  /** The argument of a head (RFC 8949 §3): ai < 24 is the value, 24..27 announce 1..8 bytes. */
  private argument(ai: number): number | bigint {
    if (ai < 24) return ai;
    if (ai > 27) throw new CborError(`reserved additional information ${ai}`);
    const size = 1 << (ai - 24);
    this.need(size);
    const at = this.pos;
    this.pos += size;
    if (size === 1) return this.data[at]!;
    if (size === 2) return this.view.getUint16(at);
    if (size === 4) return this.view.getUint32(at);
    const big = this.view.getBigUint64(at);
    return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  }

  /** A length or count; each announced element needs at least one byte, so larger counts are lies. */
  private length(ai: number): number {
    const n = this.argument(ai);
    if (typeof n === 'bigint' || n > this.data.length - this.pos) throw new CborError('CBOR length exceeds the data');
    return n;
  }

  item(depth: number): CborValue {
    const initial = this.byte();
    const major = initial >> 5;
    const ai = initial & 0x1f;
    switch (major) {
      case 0:
        return this.argument(ai);
      case 1: {
        const n = this.argument(ai);
        if (typeof n === 'number' && n < Number.MAX_SAFE_INTEGER) return -1 - n;
        return -1n - BigInt(n);
      }
      case 2:
        return this.bytes(ai, 2);
      case 3:
        return this.text(ai);
      case 4:
        return this.array(ai, depth + 1);
      case 5:
        return this.map(ai, depth + 1);
      case 6:
        return this.tag(ai, depth + 1);
      default:
        return this.simple(ai);
    }
  }

  private chunk(length: number): Buffer {
    this.need(length);
    const out = Buffer.from(this.data.subarray(this.pos, this.pos + length));
    this.pos += length;
    return out;
  }

  private bytes(ai: number, major: 2 | 3): Buffer {
    if (ai !== INDEFINITE) return this.chunk(this.length(ai));
    const chunks: Buffer[] = [];
    for (;;) {
      const head = this.byte();
      if (head === BREAK) return Buffer.concat(chunks);
      // Chunks of an indefinite string are definite strings of the same major type (RFC 8949 §3.2.3).
      if (head >> 5 !== major || (head & 0x1f) === INDEFINITE) throw new CborError('invalid chunk in an indefinite-length string');
      chunks.push(this.chunk(this.length(head & 0x1f)));
    }
  }

  private text(ai: number): string {
    if (ai !== INDEFINITE) return decodeText(this.chunk(this.length(ai)));
    let out = '';
    for (;;) {
      const head = this.byte();
      if (head === BREAK) return out;
      if (head >> 5 !== 3 || (head & 0x1f) === INDEFINITE) throw new CborError('invalid chunk in an indefinite-length string');
      // Each chunk must be valid UTF-8 on its own: a character may not straddle chunks.
      out += decodeText(this.chunk(this.length(head & 0x1f)));
    }
  }

  private checkDepth(depth: number): void {
    if (depth > this.maxDepth) throw new CborError(`CBOR nesting deeper than ${this.maxDepth}`);
  }

  private atBreak(): boolean {
    this.need(1);
    if (this.data[this.pos] !== BREAK) return false;
    this.pos++;
    return true;
  }

  private array(ai: number, depth: number): CborValue[] {
    this.checkDepth(depth);
    const out: CborValue[] = [];
    if (ai === INDEFINITE) {
      while (!this.atBreak()) out.push(this.item(depth));
      return out;
    }
    const n = this.length(ai);
    for (let i = 0; i < n; i++) out.push(this.item(depth));
    return out;
  }

  private map(ai: number, depth: number): CborValue {
    this.checkDepth(depth);
    const keys: CborValue[] = [];
    const values: CborValue[] = [];
    let allText = true;
    const read = () => {
      const k = this.item(depth);
      if (typeof k !== 'string') allText = false;
      keys.push(k);
      values.push(this.item(depth));
    };
    if (ai === INDEFINITE) while (!this.atBreak()) read();
    else {
      const n = this.length(ai);
      for (let i = 0; i < n; i++) read();
    }
    if (!allText) {
      const m = new Map<CborValue, CborValue>();
      for (let i = 0; i < keys.length; i++) m.set(keys[i], values[i]);
      return m;
    }
    const obj: Record<string, CborValue> = {};
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as string;
      // A repeated key could let two readers of one body see different values.
      if (Object.prototype.hasOwnProperty.call(obj, k)) throw new CborError(`duplicate map key '${k}'`);
      // defineProperty: a "__proto__" key stays data instead of replacing the prototype.
      Object.defineProperty(obj, k, { value: values[i], enumerable: true, writable: true, configurable: true });
    }
    return obj;
  }

  private tag(ai: number, depth: number): CborValue {
    this.checkDepth(depth);
    const tag = this.argument(ai);
    const value = this.item(depth);
    if (tag === 1) {
      // Epoch-based date/time (RFC 8949 §3.4.2): an integer or float number of seconds.
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new CborError('tag 1 (epoch time) must hold a finite number');
      return new Date(value * 1000);
    }
    if (tag === 2 || tag === 3) {
      if (!Buffer.isBuffer(value)) throw new CborError(`tag ${tag} (bignum) must hold a byte string`);
      const n = value.length === 0 ? 0n : BigInt('0x' + value.toString('hex'));
      return tag === 2 ? n : -1n - n;
    }
    return new CborTag(tag, value);
  }

  private simple(ai: number): CborValue {
    switch (ai) {
      case 20:
        return false;
      case 21:
        return true;
      case 22:
        return null;
      case 23:
        return undefined;
      case 24: {
        const v = this.byte();
        // Values below 32 must use the one-byte form (RFC 8949 §3.3).
        if (v < 32) throw new CborError(`simple value ${v} in two-byte form is not well-formed`);
        return new CborSimple(v);
      }
      case 25:
      case 26:
      case 27: {
        const size = 1 << (ai - 24);
        this.need(size);
        const at = this.pos;
        this.pos += size;
        return size === 2 ? halfToNumber(this.view.getUint16(at)) : size === 4 ? this.view.getFloat32(at) : this.view.getFloat64(at);
      }
      case INDEFINITE:
        throw new CborError('unexpected break');
      default:
        if (ai < 20) return new CborSimple(ai);
        throw new CborError(`reserved additional information ${ai}`);
    }
  }
}

function decodeText(bytes: Buffer): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new CborError('text string is not valid UTF-8');
  }
}

function halfToNumber(h: number): number {
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  let v: number;
  if (exp === 0) v = mant * 2 ** -24;
  else if (exp !== 31) v = (mant + 1024) * 2 ** (exp - 25);
  else v = mant === 0 ? Infinity : NaN;
  return h & 0x8000 ? -v : v;
}

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
