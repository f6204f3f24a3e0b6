// Tensor data of an ONNX model: initializers (raw or typed fields), external data, Constant
// nodes, Identity aliases of any of these, and weights the caller passes in. The graph importer
// (src/graph/onnx.ts) reads shapes and folds small constants; this module reads the bytes the
// runtime computes with, as float32.
import type { onnx as OnnxTypes } from 'onnx-proto';
import { UserError } from '../base/errors.js';
import { Float32Bytes, type TensorValues } from './float32-bytes.js';
import vendored from '../graph/vendor/onnx-proto.js';

const { onnx } = vendored as typeof import('onnx-proto');

/** Reads an external-data file named by a tensor's `location`, relative to the model. */
export type ExternalDataReader = (location: string) => Uint8Array | Promise<Uint8Array>;

export interface DecodedModel {
  readonly proto: OnnxTypes.ModelProto;
  /** The default-domain opset the model imports. */
  readonly opset: number;
}

type Long = { toNumber(): number };
const num = (x: number | Long | null | undefined): number => (x === null || x === undefined ? 0 : typeof x === 'number' ? x : x.toNumber());

export function decodeModel(bytes: Uint8Array, source: string): DecodedModel {
  let proto: OnnxTypes.ModelProto;
  try {
    proto = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new UserError(`${source}: not a readable ONNX file (${(e as Error).message})`, { file: source });
  }
  const opset = num((proto.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx')?.version) || 13;
  return { proto, opset };
}

const DT = onnx.TensorProto.DataType;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Elements of a typed field or raw bytes as float32, or undefined when the tensor holds none.
 * Raw float32 bytes are not copied: a view of the file's buffer where they are 4-byte aligned,
 * else the bytes themselves (Float32Bytes). The runtime never writes tensor values.
 */
function floatsOf(t: OnnxTypes.ITensorProto, count: number, raw: Uint8Array | undefined, what: string): TensorValues | undefined {
  const type = t.dataType ?? 0;
  if (raw && raw.length > 0) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const width: Record<number, number> = { [DT.FLOAT]: 4, [DT.DOUBLE]: 8, [DT.FLOAT16]: 2, [DT.INT64]: 8, [DT.INT32]: 4, [DT.INT8]: 1, [DT.UINT8]: 1, [DT.BOOL]: 1 };
    const bytes = width[type];
    if (bytes === undefined) throw new UserError(`${what}: data type ${type} is not one the runtime reads`);
    if (raw.length !== bytes * count) throw new UserError(`${what}: holds ${raw.length} bytes, its shape needs ${bytes * count} (truncated or corrupt weight)`);
    // float32 bytes are the array's own on a little-endian host (every one wasm runs on).
    if (type === DT.FLOAT && LITTLE_ENDIAN) return raw.byteOffset % 4 === 0 ? new Float32Array(raw.buffer, raw.byteOffset, count) : new Float32Bytes(raw);
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      const o = i * bytes;
      out[i] = type === DT.FLOAT ? view.getFloat32(o, true)
        : type === DT.DOUBLE ? view.getFloat64(o, true)
          : type === DT.FLOAT16 ? half(view.getUint16(o, true))
            : type === DT.INT64 ? Number(view.getBigInt64(o, true))
              : type === DT.INT32 ? view.getInt32(o, true)
                : type === DT.INT8 ? view.getInt8(o) : view.getUint8(o);
    }
    return out;
  }
  const list: readonly (number | Long)[] | null | undefined =
    type === DT.FLOAT ? t.floatData : type === DT.DOUBLE ? t.doubleData : type === DT.INT64 ? t.int64Data
      : type === DT.UINT64 || type === DT.UINT32 ? t.uint64Data : t.int32Data;
  if (!list || list.length === 0) return count === 0 ? new Float32Array(0) : undefined;
  if (list.length !== count) throw new UserError(`${what}: holds ${list.length} values, its shape needs ${count} (truncated or corrupt weight)`);
  return Float32Array.from(list, (x) => (type === DT.FLOAT16 ? half(num(x)) : num(x)));
}

function half(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function isExternal(t: OnnxTypes.ITensorProto): boolean {
  return t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL;
}

async function tensorData(t: OnnxTypes.ITensorProto, what: string, readExternal: ExternalDataReader | undefined, files: Map<string, Promise<Uint8Array>>): Promise<TensorValues | undefined> {
  const count = (t.dims ?? []).reduce((a: number, d) => a * num(d), 1);
  if (!isExternal(t)) return floatsOf(t, count, t.rawData ?? undefined, what);
  const entry = (key: string): string | undefined => (t.externalData ?? []).find((e) => e.key === key)?.value ?? undefined;
  const location = entry('location');
  if (!location || !readExternal) return undefined;
  let file = files.get(location);
  if (!file) {
    file = Promise.resolve(readExternal(location));
    files.set(location, file);
  }
  let bytes: Uint8Array;
  try {
    bytes = await file;
  } catch (e) {
    throw new UserError(`${what}: cannot read its external data '${location}' (${(e as Error).message})`);
  }
  const offset = Number(entry('offset') ?? 0);
  const length = entry('length') !== undefined ? Number(entry('length')) : bytes.length - offset;
  if (offset + length > bytes.length) throw new UserError(`${what}: external data '${location}' holds ${bytes.length} bytes, the tensor needs bytes ${offset}..${offset + length} (truncated weight)`);
  return floatsOf(t, count, bytes.subarray(offset, offset + length), what);
}

export interface TensorDataOptions {
  readonly source: string;
  /** Data for tensors by name; takes precedence over what the file holds. */
  readonly weights?: Readonly<Record<string, Float32Array>>;
  readonly readExternal?: ExternalDataReader;
}

/**
 * Float32 data of every tensor the file gives values for, by name: initializers, Constant
 * outputs and Identity copies of either, overridden by `weights`. Tensors without data (graph
 * inputs used as weights, stripped external data with no reader) are simply absent; the
 * planner names the first one a computation needs.
 */
export async function readTensorData(model: DecodedModel, options: TensorDataOptions): Promise<Map<string, TensorValues>> {
  const graph = model.proto.graph;
  const data = new Map<string, TensorValues>();
  const files = new Map<string, Promise<Uint8Array>>();
  for (const t of graph?.initializer ?? []) {
    if (!t.name || options.weights?.[t.name]) continue;
    const values = await tensorData(t, `${options.source}: initializer '${t.name}'`, options.readExternal, files);
    if (values) data.set(t.name, values);
  }
  for (const n of graph?.node ?? []) {
    const output = n.output?.[0];
    if (!output) continue;
    if (n.opType === 'Constant') {
      const t = (n.attribute ?? []).find((a) => a.name === 'value' && a.t)?.t;
      const values = t ? await tensorData(t, `${options.source}: Constant '${output}'`, options.readExternal, files) : undefined;
      if (values) data.set(output, values);
    }
  }
  for (const [name, values] of Object.entries(options.weights ?? {})) data.set(name, values);
  // Identity copies in file order (an alias may alias an alias).
  for (const n of graph?.node ?? []) {
    const input = n.input?.[0];
    const output = n.output?.[0];
    if (n.opType === 'Identity' && input && output && data.has(input) && !data.has(output)) data.set(output, data.get(input)!);
  }
  return data;
}
