import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CborError, CborSimple, CborTag, CborWriter, decodeCbor, encodeCbor, type CborValue } from './cbor.js';

const hex = (s: string) => Buffer.from(s, 'hex');
const decode = (s: string) => decodeCbor(hex(s));
const encoded = (v: unknown) => encodeCbor(v).toString('hex');
const one25 = Array.from({ length: 25 }, (_, i) => i + 1);

/** RFC 8949 Appendix A: [value, encoding, whether encoding the JS value yields exactly these bytes]. */
const APPENDIX_A: Array<[CborValue, string, boolean]> = [
  [0, '00', true],
  [1, '01', true],
  [10, '0a', true],
  [23, '17', true],
  [24, '1818', true],
  [25, '1819', true],
  [100, '1864', true],
  [1000, '1903e8', true],
  [1000000, '1a000f4240', true],
  [1000000000000, '1b000000e8d4a51000', true],
  [18446744073709551615n, '1bffffffffffffffff', true],
  [18446744073709551616n, 'c249010000000000000000', true],
  [-18446744073709551616n, '3bffffffffffffffff', true],
  [-18446744073709551617n, 'c349010000000000000000', true],
  [-1, '20', true],
  [-10, '29', true],
  [-100, '3863', true],
  [-1000, '3903e7', true],
  // JS has one number type: an integral float encodes as an integer, so only decoding is checked.
  [0, 'f90000', false],
  [-0, 'f98000', true],
  [1, 'f93c00', false],
  [1.1, 'fb3ff199999999999a', true],
  [1.5, 'f93e00', true],
  [65504, 'f97bff', false],
  [100000, 'fa47c35000', false],
  [3.4028234663852886e38, 'fa7f7fffff', true],
  [1.0e300, 'fb7e37e43c8800759c', true],
  [5.960464477539063e-8, 'f90001', true],
  [0.00006103515625, 'f90400', true],
  [-4, 'f9c400', false],
  [-4.1, 'fbc010666666666666', true],
  [Infinity, 'f97c00', true],
  [NaN, 'f97e00', true],
  [-Infinity, 'f9fc00', true],
  [Infinity, 'fa7f800000', false],
  [NaN, 'fa7fc00000', false],
  [-Infinity, 'faff800000', false],
  [Infinity, 'fb7ff0000000000000', false],
  [NaN, 'fb7ff8000000000000', false],
  [-Infinity, 'fbfff0000000000000', false],
  [false, 'f4', true],
  [true, 'f5', true],
  [null, 'f6', true],
  [undefined, 'f7', true],
  [new CborSimple(16), 'f0', true],
  [new CborSimple(255), 'f8ff', true],
  [new CborTag(0, '2013-03-21T20:04:00Z'), 'c074323031332d30332d32315432303a30343a30305a', true],
  [new Date(1363896240 * 1000), 'c11a514b67b0', true],
  [new Date(1363896240.5 * 1000), 'c1fb41d452d9ec200000', true],
  [new CborTag(23, hex('01020304')), 'd74401020304', true],
  [new CborTag(24, hex('6449455446')), 'd818456449455446', true],
  [new CborTag(32, 'http://www.example.com'), 'd82076687474703a2f2f7777772e6578616d706c652e636f6d', true],
  [Buffer.alloc(0), '40', true],
  [hex('01020304'), '4401020304', true],
  ['', '60', true],
  ['a', '6161', true],
  ['IETF', '6449455446', true],
  ['"\\', '62225c', true],
  ['\u00fc', '62c3bc', true],
  ['\u6c34', '63e6b0b4', true],
  ['\ud800\udd51', '64f0908591', true],
  [[], '80', true],
  [[1, 2, 3], '83010203', true],
  [[1, [2, 3], [4, 5]], '8301820203820405', true],
  [one25, '98190102030405060708090a0b0c0d0e0f101112131415161718181819', true],
  [{}, 'a0', true],
  [new Map([[1, 2], [3, 4]]), 'a201020304', true],
  [{ a: 1, b: [2, 3] }, 'a26161016162820203', true],
  [['a', { b: 'c' }], '826161a161626163', true],
  [{ a: 'A', b: 'B', c: 'C', d: 'D', e: 'E' }, 'a56161614161626142616361436164614461656145', true],
  // Indefinite-length items decode to the same values as their definite forms.
  [hex('0102030405'), '5f42010243030405ff', false],
  ['streaming', '7f657374726561646d696e67ff', false],
  [[], '9fff', false],
  [[1, [2, 3], [4, 5]], '9f018202039f0405ffff', false],
  [[1, [2, 3], [4, 5]], '9f01820203820405ff', false],
  [[1, [2, 3], [4, 5]], '83018202039f0405ff', false],
  [[1, [2, 3], [4, 5]], '83019f0203ff820405', false],
  [one25, '9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff', false],
  [{ a: 1, b: [2, 3] }, 'bf61610161629f0203ffff', false],
  [['a', { b: 'c' }], '826161bf61626163ff', false],
  [{ Fun: true, Amt: -2 }, 'bf6346756ef563416d7421ff', false],
];

describe('CBOR: RFC 8949 Appendix A', () => {
  for (const [value, bytes, encodes] of APPENDIX_A) {
    const label = `${bytes}`;
    it(`decodes ${label}`, () => {
      const got = decode(bytes);
      if (typeof value === 'number' && Number.isNaN(value)) assert.ok(Number.isNaN(got as number));
      else assert.deepEqual(got, value);
      if (Object.is(value, -0)) assert.ok(Object.is(got, -0));
    });
    if (encodes) {
      it(`encodes ${label}`, () => assert.equal(encoded(value), bytes));
    }
  }

  it('writes indefinite-length strings, arrays and maps with the writer', () => {
    const w = new CborWriter();
    w.beginIndefinite(5).text('Fun').bool(true).text('Amt').int(-2).end();
    assert.equal(w.finish().toString('hex'), 'bf6346756ef563416d7421ff');
    const s = new CborWriter().beginIndefinite(3).text('strea').text('ming').end().finish();
    assert.equal(s.toString('hex'), '7f657374726561646d696e67ff');
    const b = new CborWriter().beginIndefinite(2).bytes(hex('0102')).bytes(hex('030405')).end().finish();
    assert.equal(b.toString('hex'), '5f42010243030405ff');
    const a = new CborWriter().beginIndefinite(4).int(1).arrayHeader(2).int(2).int(3).beginIndefinite(4).int(4).int(5).end().end().finish();
    assert.equal(a.toString('hex'), '9f018202039f0405ffff');
  });
});

describe('CBOR: integers at the 53-bit and 64-bit edges', () => {
  it('unsigned 64-bit values stay numbers up to 2^53-1 and become bigint above', () => {
    assert.equal(decode('1b001fffffffffffff'), Number.MAX_SAFE_INTEGER);
    assert.equal(decode('1b0020000000000000'), 2n ** 53n);
    assert.equal(decode('3b001ffffffffffffe'), -Number.MAX_SAFE_INTEGER);
    assert.equal(decode('3b001fffffffffffff'), -(2n ** 53n));
  });

  it('round-trips integers of every head size, both signs', () => {
    for (const n of [0, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER, -24, -25, -256, -257, -65537, -(2 ** 32), Number.MIN_SAFE_INTEGER]) {
      assert.equal(decodeCbor(encodeCbor(n)), n, String(n));
    }
    for (const n of [2n ** 53n, 2n ** 64n - 1n, 2n ** 64n, 2n ** 100n, -(2n ** 64n), -(2n ** 64n) - 1n, -(2n ** 100n)]) {
      assert.equal(decodeCbor(encodeCbor(n)), n, String(n));
    }
  });

  it('an unsafe integral number is written as an exact 64-bit integer', () => {
    assert.equal(encoded(2 ** 60), '1b1000000000000000');
    assert.equal(encoded(-(2 ** 60)), '3b0fffffffffffffff');
  });

  it('floats: explicit widths, and the shortest exact form by default', () => {
    assert.equal(new CborWriter().float64(1).finish().toString('hex'), 'fb3ff0000000000000');
    assert.equal(new CborWriter().float32(0.5).finish().toString('hex'), 'fa3f000000');
    assert.equal(encoded(0.1), 'fb3fb999999999999a');
    assert.equal(encoded(0.25), 'f93400');
    assert.equal(encoded(1 / 3), 'fb3fd5555555555555');
    assert.equal(decode('fa3dcccccd'), Math.fround(0.1));
    // Half subnormals and the largest half.
    assert.equal(decode('f903ff'), 1023 * 2 ** -24);
    assert.equal(decode('f9fbff'), -65504);
  });
});

describe('CBOR: what the protocol decodes', () => {
  it('tag 1 with an integer, a float or a negative value is a Date', () => {
    assert.deepEqual(decode('c11a65920080'), new Date('2024-01-01T00:00:00Z'));
    assert.deepEqual(decode('c1fb41d9648020066666'), new Date(1704067200100));
    assert.deepEqual(decode('c120'), new Date(-1000));
  });

  it('maps with non-text keys become a Map; text keys a plain object, "__proto__" included', () => {
    assert.deepEqual(decode('a2616101f502'), new Map<CborValue, CborValue>([['a', 1], [true, 2]]));
    const o = decode('a1695f5f70726f746f5f5f01') as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(o), Object.prototype);
    assert.deepEqual(Object.keys(o), ['__proto__']);
    assert.equal(o['__proto__'], 1);
  });

  it('encodes Dates, nested objects and skips undefined members', () => {
    const v = { when: new Date(1704067200000), n: [1, 2.5, 'x'], skip: undefined, blob: Buffer.from('hi') };
    assert.deepEqual(decodeCbor(encodeCbor(v)), { when: new Date(1704067200000), n: [1, 2.5, 'x'], blob: Buffer.from('hi') });
  });

  it('a big document round-trips through a growing buffer', () => {
    const big = { items: Array.from({ length: 5000 }, (_, i) => ({ id: `item-${i}`, value: i * 1.5, tags: { k: 'ü'.repeat(i % 7) } })) };
    assert.deepEqual(decodeCbor(encodeCbor(big)), big);
  });
});

describe('CBOR: malformed input is a CborError, never a crash', () => {
  const bad: Array<[string, RegExp]> = [
    ['', /end of CBOR data/],
    ['18', /end of CBOR data/],
    ['1b0000', /end of CBOR data/],
    ['62c3', /length exceeds|end of/],
    ['1c', /reserved/],
    ['ff', /unexpected break/],
    ['fc', /reserved/],
    ['f818', /not well-formed/],
    ['0101', /after the CBOR item/],
    ['9f01', /end of CBOR data/],
    ['bf6161', /end of CBOR data/],
    ['5f6161ff', /invalid chunk/],
    ['7f5f4161ffff', /invalid chunk/],
    ['7f7f6161ffff', /invalid chunk/],
    ['62c328', /UTF-8/],
    ['a2616101616102', /duplicate map key/],
    ['c16161', /tag 1/],
    ['c1f97c00', /tag 1/],
    ['c26161', /bignum/],
    ['9bffffffffffffffff', /length exceeds/],
    ['bb0000000100000000', /length exceeds/],
    ['5b0000000100000000', /length exceeds/],
    ['9a7fffffff00', /length exceeds/],
  ];
  for (const [bytes, message] of bad) {
    it(`rejects ${bytes || '(empty)'}`, () => {
      assert.throws(() => decode(bytes), (e: unknown) => e instanceof CborError && message.test(e.message));
    });
  }

  it('refuses nesting deeper than maxDepth', () => {
    const deep = Buffer.concat([Buffer.alloc(1000, 0x81), hex('00')]);
    assert.throws(() => decodeCbor(deep), /nesting deeper than 128/);
    assert.deepEqual(decodeCbor(hex('818100'), { maxDepth: 2 }), [[0]]);
    assert.throws(() => decodeCbor(hex('818100'), { maxDepth: 1 }), CborError);
  });

  it('random bytes either decode or throw CborError', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed);
    for (let i = 0; i < 2000; i++) {
      const buf = Buffer.alloc(1 + (rand() % 24));
      for (let j = 0; j < buf.length; j++) buf[j] = rand() & 0xff;
      try {
        decodeCbor(buf);
      } catch (e) {
        assert.ok(e instanceof CborError, `${buf.toString('hex')}: ${String(e)}`);
      }
    }
  });
});
