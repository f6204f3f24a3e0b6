// The .npy reader and writer against files NumPy wrote (test/fixtures/npy/, made by
// scripts/make-runtime-fixtures.py --only npy).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readNpy, readNpyNumbers, writeNpy } from '../../src/run/npy.js';

const NPY = new URL('../fixtures/npy/', import.meta.url);
const file = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, NPY)));
const F4 = [1.5, -2, 3.25, 0, Math.fround(1e-3), -7];

/** A .npy file with the given header dict and `dataBytes` zero bytes of data, as version 1.0. */
function handmade(dict: string, dataBytes: number, version = 1): Uint8Array {
  const prefix = version === 1 ? 10 : 12;
  const header = dict + ' '.repeat(63 - ((prefix + dict.length) % 64)) + '\n';
  const bytes = new Uint8Array(prefix + header.length + dataBytes);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(bytes.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) bytes[prefix + i] = header.charCodeAt(i);
  return bytes;
}

describe('readNpy', () => {
  it('reads float32 (1.0), a float32 scalar (3.0) and float64 converted to float32 (2.0)', () => {
    expect(readNpy(file('f4_2x3.npy'))).toEqual({ shape: [2, 3], data: new Float32Array(F4) });
    expect(readNpy(file('f4_scalar_v3.npy'))).toEqual({ shape: [], data: new Float32Array([2.5]) });
    expect(readNpy(file('f8_v2.npy'))).toEqual({ shape: [3], data: new Float32Array([0.1, -2.5, 1e30]) });
  });

  it('reads from a view at an odd offset into a larger buffer', () => {
    const bytes = file('f4_2x3.npy');
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 1);
    expect(readNpy(padded.subarray(1, 1 + bytes.length)).data).toEqual(new Float32Array(F4));
  });

  it('refuses other dtypes, Fortran order and wrong data lengths, naming the source and the field', () => {
    expect(() => readNpy(file('i8_2x3.npy'), 'x.npy')).toThrow(`x.npy: dtype '<i8' is not float32 ('<f4')`);
    expect(() => readNpy(file('fortran_f4_2x3.npy'), 'x.npy')).toThrow('x.npy: fortran_order True is not supported (C order expected)');
    const bytes = file('f4_2x3.npy');
    expect(() => readNpy(bytes.subarray(0, bytes.length - 12), 'x.npy')).toThrow('x.npy: data holds 12 bytes, shape [2, 3] needs 24');
    const longer = new Uint8Array(bytes.length + 4);
    longer.set(bytes);
    expect(() => readNpy(longer, 'x.npy')).toThrow('x.npy: data holds 28 bytes, shape [2, 3] needs 24');
    expect(() => readNpy(file('i8_2x3.npy'))).toThrow(/^array\.npy: dtype/);
  });

  it('refuses what is not a .npy file, unknown versions, cut headers and malformed fields', () => {
    expect(() => readNpy(new TextEncoder().encode('hello, world'), 'x.npy')).toThrow('x.npy: not a .npy file (magic string \\x93NUMPY expected)');
    const v4 = file('f4_2x3.npy');
    v4[6] = 4;
    expect(() => readNpy(v4, 'x.npy')).toThrow('x.npy: version 4.0 is not supported (1.0, 2.0 or 3.0 expected)');
    expect(() => readNpy(file('f4_2x3.npy').subarray(0, 40), 'x.npy')).toThrow('x.npy: header is 118 bytes long, the file ends after 30');
    expect(() => readNpy(handmade(`{'fortran_order': False, 'shape': (2,), }`, 8), 'x.npy')).toThrow(`x.npy: header has no 'descr' field`);
    expect(() => readNpy(handmade(`{'descr': '<f4', 'shape': (2,), }`, 8), 'x.npy')).toThrow(`x.npy: header has no 'fortran_order' field`);
    expect(() => readNpy(handmade(`{'descr': '<f4', 'fortran_order': False, }`, 8), 'x.npy')).toThrow(`x.npy: header has no 'shape' field`);
    expect(() => readNpy(handmade(`{'descr': '<f4', 'fortran_order': False, 'shape': (2, -1), }`, 8), 'x.npy')).toThrow(
      `x.npy: shape (2, -1) holds '-1', not a dimension`,
    );
    expect(() => readNpy(handmade(`{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }`, 8), 'x.npy')).toThrow(
      `x.npy: dtype '>f4' is not float32 ('<f4')`,
    );
    expect(readNpy(handmade(`{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }`, 8, 2)).shape).toEqual([2]);
  });
});

describe('readNpyNumbers', () => {
  it('reads ints, uints and floats of every width as numbers', () => {
    expect(readNpyNumbers(file('i8_2x3.npy'))).toEqual({ shape: [2, 3], data: new Float64Array([0, 1, 2, 3, 4, 5]) });
    expect(readNpyNumbers(file('f8_v2.npy')).data).toEqual(new Float64Array([0.1, -2.5, 1e30]));
    expect(readNpyNumbers(file('f4_2x3.npy')).data).toEqual(new Float64Array(new Float32Array(F4)));
    const values = (descr: string, size: number, put: (v: DataView, at: number) => void): number[] => {
      const bytes = handmade(`{'descr': '${descr}', 'fortran_order': False, 'shape': (1,), }`, size);
      put(new DataView(bytes.buffer), bytes.length - size);
      return [...readNpyNumbers(bytes).data];
    };
    expect(values('|i1', 1, (v, at) => v.setInt8(at, -5))).toEqual([-5]);
    expect(values('|u1', 1, (v, at) => v.setUint8(at, 250))).toEqual([250]);
    expect(values('<i2', 2, (v, at) => v.setInt16(at, -300, true))).toEqual([-300]);
    expect(values('<u2', 2, (v, at) => v.setUint16(at, 60000, true))).toEqual([60000]);
    expect(values('<i4', 4, (v, at) => v.setInt32(at, -70000, true))).toEqual([-70000]);
    expect(values('<u4', 4, (v, at) => v.setUint32(at, 4e9, true))).toEqual([4e9]);
    expect(values('<i8', 8, (v, at) => v.setBigInt64(at, -(2n ** 40n), true))).toEqual([-(2 ** 40)]);
    expect(values('<u8', 8, (v, at) => v.setBigUint64(at, 2n ** 63n, true))).toEqual([2 ** 63]);
  });

  it('refuses big-endian, multi-byte \'|\' and other dtypes, naming the source', () => {
    for (const descr of ['>i8', '|i4', '<c8', '<b1', '|S4']) {
      expect(() => readNpyNumbers(handmade(`{'descr': '${descr}', 'fortran_order': False, 'shape': (1,), }`, 8), 'x.npy')).toThrow(
        `x.npy: dtype '${descr}' is not a little-endian float, int or uint (e.g. '<i8', '<f8')`,
      );
    }
    expect(() => readNpyNumbers(file('fortran_f4_2x3.npy'), 'x.npy')).toThrow('x.npy: fortran_order True is not supported (C order expected)');
  });
});

describe('writeNpy', () => {
  it('writes what NumPy writes, byte for byte', () => {
    expect(writeNpy(new Float32Array(F4), [2, 3])).toEqual(file('f4_2x3.npy'));
  });

  it('round-trips shapes of every rank, with headers aligned to 64 bytes', () => {
    for (const shape of [[], [0], [7], [1, 3, 5, 5], [2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3], [123456789, 0]]) {
      const count = shape.reduce((a, d) => a * d, 1);
      const data = Float32Array.from({ length: count }, (_, i) => Math.fround(Math.sin(i) * 1e3));
      const bytes = writeNpy(data, shape);
      expect((bytes.length - 4 * count) % 64).toBe(0);
      expect(bytes[bytes.length - 4 * count - 1]).toBe(0x0a);
      expect(readNpy(bytes)).toEqual({ shape, data });
    }
  });

  it('refuses data that does not fit the shape and shapes that are not dimensions', () => {
    expect(() => writeNpy(new Float32Array(5), [2, 3])).toThrow('writeNpy: shape [2, 3] needs 6 values, data holds 5');
    expect(() => writeNpy(new Float32Array(0), [2, -1])).toThrow('writeNpy: shape [2, -1] holds -1, not a dimension');
  });
});
