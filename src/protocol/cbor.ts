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

import { BREAK, CborError, CborSimple, CborTag, INDEFINITE, TWO_64, type CborValue } from './cbor-values.js';

export { CborError, CborSimple, CborTag, type CborValue } from './cbor-values.js';
export { CborWriter, encodeCbor } from './cbor-encode.js';

export interface DecodeOptions {
  /** Deepest nesting of arrays, maps and tags accepted; guards the stack against hostile input. */
  maxDepth?: number;
}

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
