// NumPy .npy files in and out, for reference inputs and outputs. Isomorphic: bytes only, no
// Node APIs. Reads float32 (and float64, converted) arrays in C order from versions 1.0, 2.0 and
// 3.0, and any little-endian float, int or uint array as numbers (readNpyNumbers); writes float32
// version 1.0 byte for byte as NumPy's np.save does.
//
// Layout: "\x93NUMPY" major minor, header length (uint16 LE in 1.0, uint32 LE in 2.0/3.0), the
// header (a Python dict literal, padded with spaces and a final '\n' so that the data starts at
// a multiple of 64 bytes), then the data.
import { UserError } from '../base/errors.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ALIGN = 64;
const GROWTH_AXIS_MAX_DIGITS = 21; // spare header room NumPy leaves for growing the first axis

export interface NpyArray {
  shape: number[];
  data: Float32Array;
}

/** The parts of a C-order .npy file: its dtype, its shape and a view of its data. */
interface NpyParts {
  descr: string;
  shape: number[];
  count: number;
  view: DataView;
  dataStart: number;
}

function npyParts(bytes: Uint8Array, source: string, itemSizeOf: (descr: string, fail: (message: string) => never) => number): NpyParts {
  const fail = (message: string): never => {
    throw new UserError(`${source}: ${message}`, { file: source });
  };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) fail('not a .npy file (magic string \\x93NUMPY expected)');
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (major < 1 || major > 3 || minor !== 0) fail(`version ${major}.${minor} is not supported (1.0, 2.0 or 3.0 expected)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const prefix = major === 1 ? 10 : 12;
  if (bytes.length < prefix) fail(`file holds ${bytes.length} bytes, the version ${major}.0 preamble needs ${prefix}`);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = prefix + headerLength;
  if (bytes.length < dataStart) fail(`header is ${headerLength} bytes long, the file ends after ${bytes.length - prefix}`);
  const headerBytes = bytes.subarray(prefix, dataStart);
  const header = major === 3 ? new TextDecoder('utf-8').decode(headerBytes) : String.fromCharCode(...headerBytes);

  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(header)?.[1] ?? fail(`header has no 'descr' field: ${header.trim()}`);
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1] ?? fail(`header has no 'fortran_order' field: ${header.trim()}`);
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1] ?? fail(`header has no 'shape' field: ${header.trim()}`);
  const itemSize = itemSizeOf(descr, fail);
  if (fortran === 'True') fail('fortran_order True is not supported (C order expected)');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => (/^\d+L?$/.test(s) ? Number.parseInt(s, 10) : fail(`shape (${shapeText}) holds '${s}', not a dimension`)));

  const count = shape.reduce((a, d) => a * d, 1);
  const held = bytes.length - dataStart;
  if (held !== count * itemSize) fail(`data holds ${held} bytes, shape [${shape.join(', ')}] needs ${count * itemSize}`);
  return { descr, shape, count, view, dataStart };
}

/** Reads a float32 or float64 C-order .npy file; `source` names it in error messages. */
export function readNpy(bytes: Uint8Array, source = 'array.npy'): NpyArray {
  const { descr, shape, count, view, dataStart } = npyParts(bytes, source, (descr, fail) => (descr === '<f4' ? 4 : descr === '<f8' ? 8 : fail(`dtype '${descr}' is not float32 ('<f4')`)));
  const data = new Float32Array(count);
  if (descr === '<f4') for (let i = 0; i < count; i++) data[i] = view.getFloat32(dataStart + 4 * i, true);
  else for (let i = 0; i < count; i++) data[i] = view.getFloat64(dataStart + 8 * i, true);
  return { shape, data };
}

// Little-endian numbers ('|' for one byte): the size of each, and how to read one.
const NUMBER_DTYPES: Record<string, [number, (v: DataView, at: number) => number]> = {
  f4: [4, (v, at) => v.getFloat32(at, true)], f8: [8, (v, at) => v.getFloat64(at, true)],
  i1: [1, (v, at) => v.getInt8(at)], i2: [2, (v, at) => v.getInt16(at, true)], i4: [4, (v, at) => v.getInt32(at, true)], i8: [8, (v, at) => Number(v.getBigInt64(at, true))],
  u1: [1, (v, at) => v.getUint8(at)], u2: [2, (v, at) => v.getUint16(at, true)], u4: [4, (v, at) => v.getUint32(at, true)], u8: [8, (v, at) => Number(v.getBigUint64(at, true))],
};

function numberDtype(descr: string): [number, (v: DataView, at: number) => number] | undefined {
  const type = NUMBER_DTYPES[descr.slice(1)];
  return type && (descr[0] === '<' || (descr[0] === '|' && type[0] === 1)) ? type : undefined;
}

/** Reads a C-order .npy file of little-endian floats, ints or uints as numbers (64-bit ints beyond 2^53 rounded). */
export function readNpyNumbers(bytes: Uint8Array, source = 'array.npy'): { shape: number[]; data: Float64Array } {
  const what = (descr: string, fail: (message: string) => never): number =>
    numberDtype(descr)?.[0] ?? fail(`dtype '${descr}' is not a little-endian float, int or uint (e.g. '<i8', '<f8')`);
  const { descr, shape, count, view, dataStart } = npyParts(bytes, source, what);
  const [size, read] = numberDtype(descr)!;
  const data = new Float64Array(count);
  for (let i = 0; i < count; i++) data[i] = read(view, dataStart + size * i);
  return { shape, data };
}

/** A float32 C-order .npy file, version 1.0, identical to what NumPy's np.save writes. */
export function writeNpy(data: Float32Array, shape: readonly number[]): Uint8Array {
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new UserError(`writeNpy: shape [${shape.join(', ')}] holds ${d}, not a dimension`);
  }
  const count = shape.reduce((a, d) => a * d, 1);
  if (count !== data.length) throw new UserError(`writeNpy: shape [${shape.join(', ')}] needs ${count} values, data holds ${data.length}`);
  // Python's repr of a tuple: (), (5,), (2, 3).
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${tuple}, }`;
  if (shape.length > 0) header += ' '.repeat(GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length);
  const unpadded = MAGIC.length + 2 + 2 + header.length + 1;
  header += ' '.repeat(ALIGN - (unpadded % ALIGN)) + '\n'; // NumPy pads a full 64 when already aligned
  if (header.length > 0xffff) throw new UserError(`writeNpy: header of ${header.length} bytes does not fit version 1.0`);

  const dataStart = MAGIC.length + 4 + header.length;
  const bytes = new Uint8Array(dataStart + 4 * count);
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC, 0);
  bytes[6] = 1;
  bytes[7] = 0;
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) bytes[10 + i] = header.charCodeAt(i);
  for (let i = 0; i < count; i++) view.setFloat32(dataStart + 4 * i, data[i]!, true);
  return bytes;
}
