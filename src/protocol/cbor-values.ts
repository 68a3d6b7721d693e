/**
 * The values CBOR (RFC 8949) items map to in Stratus, shared by the decoder
 * (cbor.ts) and the writer (cbor-encode.ts).
 * https://www.rfc-editor.org/rfc/rfc8949.html
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

/** Major-type additional info 31: an indefinite-length item, closed by BREAK. */
export const INDEFINITE = 31;
export const BREAK = 0xff;
export const TWO_64 = 2n ** 64n;
