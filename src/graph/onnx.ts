// The ONNX importer: bytes in, a verified Graph out. Decoding is onnx-proto's (protobufjs);
// everything after is ours: our own shape inference (value_info is used only for ops we do not
// know), folding of the constant shape chains real exports contain, and parameter accounting.
//
// Parameters: every initializer, and every graph input without data that is only read where
// weights go (the weight-stripped resnet18 file) or as a broadcast operand of an elementwise op
// smaller than the data input (LayerNorm's affine weights, ConvNeXt's layer scale), is a
// parameter tensor. An Identity of a
// parameter is a new parameter tensor (the PyTorch exporter re-creates shared all-zero biases
// that way, and torch counts each copy). Constant nodes and folded shape arithmetic are never
// parameters. A parameter read in a slot that carries a shape (Reshape's target, Resize's
// scales, Clip's bounds, ...) is a constant there, not a weight.
import type { onnx as OnnxTypes } from 'onnx-proto';
// onnx-proto's decoder bundled as a dependency-free ES module (scripts/vendor-onnx-proto.js):
// the npm package is CommonJS, which Deno, browsers and workerd cannot load by bare name.
import vendored from './vendor/onnx-proto.js';
import { buildGraph, type NodeInputSpec, type NodeSpec, type TensorSpec } from './build.js';
import { canFold, fold, MAX_FOLD_ELEMENTS, type Value } from './fold.js';
import { OPS, dtypeOfOnnx, isKnownOp } from './ops.js';
import { GraphError, checkShape, elementCount, type AttributeValue, type Attributes, type DType, type Graph } from './types.js';
import { DTYPE_BYTES } from './types.js';

const { onnx } = vendored as typeof import('onnx-proto');

export interface OnnxImportOptions {
  /** Graph name; defaults to the model's graph name. */
  readonly name?: string;
  /** Where the bytes came from, for error messages (a file name). */
  readonly source?: string;
}

/** What the importer knows about a tensor while walking the graph. */
interface Known {
  readonly shape: number[];
  readonly dtype: DType;
  /** activation: computed at run time; parameter: a weight tensor; constant: known at import time. */
  readonly kind: 'activation' | 'parameter' | 'constant';
  readonly value?: number[];
}

/** Input slots that carry shapes, axes, bounds or scales rather than weights, per op. */
const CONSTANT_SLOTS: Readonly<Record<string, readonly number[]>> = {
  Reshape: [1], Expand: [1], Tile: [1], ConstantOfShape: [0], Unsqueeze: [1], Squeeze: [1], Split: [1],
  Slice: [1, 2, 3, 4], Pad: [1, 2, 3], Resize: [1, 2, 3], Upsample: [1], Clip: [1, 2], Gather: [1],
  ReduceMean: [1], ReduceSum: [1], ReduceMax: [1], ReduceMin: [1], ReduceProd: [1], ReduceL2: [1], TopK: [1],
  Range: [0, 1, 2], Dropout: [1, 2],
  // Running statistics are buffers, not parameters, as torch counts them.
  BatchNormalization: [3, 4],
};

/** Slots where a weight goes; a data-less graph input read only here is a parameter. */
const WEIGHT_SLOTS: Readonly<Record<string, readonly number[]>> = {
  Conv: [1, 2], ConvTranspose: [1, 2], Gemm: [1, 2], MatMul: [1], BatchNormalization: [1, 2, 3, 4],
  InstanceNormalization: [1, 2], LayerNormalization: [1, 2], GroupNormalization: [1, 2], PRelu: [1],
};

/** Elementwise ops whose second operand is a broadcast weight in normalisation layers and layer scales. */
const ELEMENTWISE = new Set(['Add', 'Sub', 'Mul', 'Div']);

/** Initializers up to this many elements have their values decoded, for folding and for shape slots. */
const MAX_DECODED_ELEMENTS = 4096;

type Long = { toNumber(): number };
const num = (x: number | Long | null | undefined): number => (x === null || x === undefined ? 0 : typeof x === 'number' ? x : x.toNumber());

const text = new TextDecoder();

function dimsOf(dims: readonly (number | Long)[] | null | undefined): number[] {
  return (dims ?? []).map((d) => num(d));
}

/** Values of a small tensor, or undefined when it is large, external or of a type we do not read. */
function tensorValues(t: OnnxTypes.ITensorProto, dtype: DType, count: number): number[] | undefined {
  if (count > MAX_DECODED_ELEMENTS || t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) return undefined;
  const fromList = (list: readonly (number | Long)[] | null | undefined): number[] | undefined =>
    list && list.length === count ? list.map((x) => num(x)) : undefined;
  const raw = t.rawData;
  if (raw && raw.length > 0) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const read: Partial<Record<DType, [number, (o: number) => number]>> = {
      float32: [4, (o) => view.getFloat32(o, true)],
      float64: [8, (o) => view.getFloat64(o, true)],
      int64: [8, (o) => Number(view.getBigInt64(o, true))],
      uint64: [8, (o) => Number(view.getBigUint64(o, true))],
      int32: [4, (o) => view.getInt32(o, true)],
      uint32: [4, (o) => view.getUint32(o, true)],
      int16: [2, (o) => view.getInt16(o, true)],
      uint16: [2, (o) => view.getUint16(o, true)],
      int8: [1, (o) => view.getInt8(o)],
      uint8: [1, (o) => view.getUint8(o)],
      bool: [1, (o) => view.getUint8(o)],
    };
    const r = read[dtype];
    if (!r || raw.length !== r[0] * count) return undefined;
    return Array.from({ length: count }, (_, i) => r[1](i * r[0]));
  }
  switch (dtype) {
    case 'float32':
      return fromList(t.floatData);
    case 'float64':
      return fromList(t.doubleData);
    case 'int64':
      return fromList(t.int64Data);
    case 'uint64':
    case 'uint32':
      return fromList(t.uint64Data);
    case 'int32': case 'int16': case 'int8': case 'uint16': case 'uint8': case 'bool':
      return fromList(t.int32Data);
    default:
      return undefined;
  }
}

function tensorShape(t: OnnxTypes.ITensorProto, what: string): { shape: number[]; dtype: DType } {
  const shape = dimsOf(t.dims);
  checkShape(shape, what, true);
  return { shape, dtype: dtypeOfOnnx(t.dataType ?? 0) };
}

function attributeValue(a: OnnxTypes.IAttributeProto): AttributeValue | undefined {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.type) {
    case T.FLOAT: return a.f ?? 0;
    case T.INT: return num(a.i);
    case T.STRING: return text.decode(a.s ?? new Uint8Array());
    case T.FLOATS: return [...(a.floats ?? [])];
    case T.INTS: return (a.ints ?? []).map((x) => num(x));
    case T.STRINGS: return (a.strings ?? []).map((s) => text.decode(s));
    default: return undefined; // tensors, graphs and types do not enter the IR
  }
}

/** The shapes a file states for tensors (value_info, graph inputs and outputs), used only for unknown ops. */
function statedShapes(graph: OnnxTypes.IGraphProto): Map<string, { shape: number[]; dtype: DType }> {
  const out = new Map<string, { shape: number[]; dtype: DType }>();
  for (const vi of [...(graph.valueInfo ?? []), ...(graph.output ?? []), ...(graph.input ?? [])]) {
    const tt = vi.type?.tensorType;
    if (!vi.name || !tt?.shape?.dim || tt.elemType === null || tt.elemType === undefined) continue;
    const dims = tt.shape.dim.map((d) => (d.dimValue !== null && d.dimValue !== undefined && !d.dimParam ? num(d.dimValue) : 1));
    try {
      out.set(vi.name, { shape: dims, dtype: dtypeOfOnnx(tt.elemType) });
    } catch {
      // An unreadable element type: the tensor is simply not stated.
    }
  }
  return out;
}

function fail(source: string, message: string, node?: string): never {
  throw new GraphError(message, node, source);
}

/** Decodes ONNX bytes (the isomorphic part of `loadModel`). */
export function importOnnx(bytes: Uint8Array, options: OnnxImportOptions = {}): Graph {
  const source = options.source ?? 'model.onnx';
  let model: OnnxTypes.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    fail(source, `not a readable ONNX file (${(e as Error).message})`);
  }
  const graph = model.graph;
  if (!graph || !graph.node || graph.node.length === 0) fail(source, 'has no graph nodes: not an ONNX model');
  try {
    return importGraph(graph, options.name ?? (graph.name || 'model'), source);
  } catch (e) {
    if (e instanceof GraphError) throw e.source === undefined ? new GraphError(e.detail, e.node, source) : e;
    // Errors our own checks raise as plain Errors (shape rules, folding) are about the file.
    if (e instanceof Error && !(e instanceof TypeError) && !(e instanceof ReferenceError)) throw new GraphError(e.message, undefined, source);
    throw e;
  }
}

function importGraph(graph: OnnxTypes.IGraphProto, name: string, source: string): Graph {
  const known = new Map<string, Known>();
  const nodes = graph.node ?? [];

  for (const t of graph.initializer ?? []) {
    if (!t.name) fail(source, 'an initializer has no name');
    const { shape, dtype } = tensorShape(t, `initializer '${t.name}'`);
    const value = tensorValues(t, dtype, elementCount(shape));
    known.set(t.name, { shape, dtype, kind: 'parameter', ...(value ? { value } : {}) });
  }

  // Uses of every tensor, following Identity chains, to tell data-less weights from real inputs.
  const uses = new Map<string, { op: string; slot: number; outputs: string[] }[]>();
  for (const n of nodes) {
    (n.input ?? []).forEach((input, slot) => {
      if (!input) return;
      const list = uses.get(input) ?? [];
      list.push({ op: n.opType ?? '', slot, outputs: n.output ?? [] });
      uses.set(input, list);
    });
  }
  // How a tensor is read, through Identity chains: in weight slots, as an operand of an
  // elementwise op (an affine LayerNorm's scale and shift, ConvNeXt's layer scale), or as data.
  const useKinds = (tensor: string, depth: number, kinds = new Set<'weight' | 'elementwise' | 'data'>()): Set<'weight' | 'elementwise' | 'data'> => {
    const list = uses.get(tensor) ?? [];
    if (list.length === 0 || depth > 64) kinds.add('data');
    for (const u of list) {
      if (u.op === 'Identity') u.outputs.forEach((o) => useKinds(o, depth + 1, kinds));
      else kinds.add((WEIGHT_SLOTS[u.op] ?? []).includes(u.slot) ? 'weight' : ELEMENTWISE.has(u.op) ? 'elementwise' : 'data');
    }
    return kinds;
  };

  // A data-less graph input read only in weight slots is a parameter; one read as data is an
  // input. One read only by elementwise ops (and in weight slots) is a parameter when it is
  // smaller than the model's largest data input, as broadcast weights are; otherwise an input.
  const declared: { name: string; shape: number[]; dtype: DType; kinds: Set<string> }[] = [];
  for (const vi of graph.input ?? []) {
    if (!vi.name || known.has(vi.name)) continue; // IR < 4 lists initializers among the inputs
    const tt = vi.type?.tensorType;
    if (!tt || !tt.shape?.dim) fail(source, `graph input '${vi.name}' has no tensor shape`);
    // A symbolic dimension (a batch named 'N') is taken as 1.
    const shape = tt.shape.dim.map((d) => (d.dimParam || d.dimValue === null || d.dimValue === undefined ? 1 : num(d.dimValue)));
    const dtype = dtypeOfOnnx(tt.elemType ?? 0);
    checkShape(shape, `graph input '${vi.name}'`);
    declared.push({ name: vi.name, shape, dtype, kinds: useKinds(vi.name, 0) });
  }
  const largestData = Math.max(0, ...declared.filter((d) => d.kinds.has('data')).map((d) => elementCount(d.shape)));
  const inputs: TensorSpec[] = [];
  for (const { name, shape, dtype, kinds } of declared) {
    const parameter = !kinds.has('data') && (!kinds.has('elementwise') || elementCount(shape) < largestData);
    if (parameter) known.set(name, { shape, dtype, kind: 'parameter' });
    else {
      known.set(name, { shape, dtype, kind: 'activation' });
      inputs.push({ name, shape, dtype });
    }
  }

  const stated = statedShapes(graph);
  const order = orderNodes(nodes, known, source);
  const specs: NodeSpec[] = [];
  const usedNames = new Set<string>();

  for (const index of order) {
    const n = nodes[index]!;
    const op = n.opType ?? '';
    const nodeName = uniqueName(n.name || `${op}_${index}`, usedNames);
    const outputs = (n.output ?? []).filter((o) => o !== '');
    if (outputs.length === 0) fail(source, `${op} has no outputs`, nodeName);
    const attrs: Record<string, AttributeValue> = {};
    for (const a of n.attribute ?? []) {
      const v = attributeValue(a);
      if (a.name && v !== undefined) attrs[a.name] = v;
    }
    const ins: (Known | null)[] = (n.input ?? []).map((i) => (i ? known.get(i)! : null));
    // Ops of other domains (com.microsoft, ...) are unknown ops, even when their names match.
    const standard = (n.domain ?? '') === '' || n.domain === 'ai.onnx';
    const set = (values: { shape: number[]; dtype: DType; kind: Known['kind']; value?: number[] }[]): void =>
      outputs.forEach((o, i) => {
        const v = values[i];
        if (!v) fail(source, `${op} declares ${outputs.length} outputs but gives ${values.length}`, nodeName);
        known.set(o, v);
      });
    const fromValue = (v: Value): Known => ({ shape: v.shape, dtype: v.dtype, kind: 'constant', value: v.data });

    try {
      if (!standard) {
        // not folded: handled as an unknown op below
      } else if (op === 'Constant') {
        set([constantOf(attrs, n.attribute ?? [])]);
        continue;
      } else if (op === 'Identity' && ins[0] && ins[0].kind !== 'activation') {
        set([{ ...ins[0] }]); // an alias: a parameter stays a (new, separately counted) parameter
        continue;
      } else if (op === 'Shape' && ins[0]) {
        const rank = ins[0].shape.length;
        const clamp = (a: number): number => Math.min(Math.max(a < 0 ? a + rank : a, 0), rank);
        const start = clamp(typeof attrs['start'] === 'number' ? attrs['start'] : 0);
        const end = clamp(typeof attrs['end'] === 'number' ? attrs['end'] : rank);
        const dims = ins[0].shape.slice(start, Math.max(start, end));
        set([{ shape: [dims.length], dtype: 'int64', kind: 'constant', value: dims }]);
        continue;
      } else if (op === 'Size' && ins[0]) {
        set([{ shape: [], dtype: 'int64', kind: 'constant', value: [elementCount(ins[0].shape)] }]);
        continue;
      } else if (canFold(op) && ins.every((i) => i === null || (i.kind !== 'activation' && i.value))) {
        const folded = fold(op, ins.map((i) => (i ? { shape: i.shape, dtype: i.dtype, data: i.value! } : null)), attrs);
        if (folded) {
          set(folded.map(fromValue));
          continue;
        }
      }
    } catch (e) {
      if (e instanceof GraphError || e instanceof TypeError || e instanceof ReferenceError) throw e;
      fail(source, `${op}: ${(e as Error).message}`, nodeName);
    }

    // A real node: its inputs become activations, weights or constants; shapes come from the op table.
    const constantSlots = CONSTANT_SLOTS[op] ?? [];
    const specInputs: NodeInputSpec[] = (n.input ?? []).map((input, slot) => {
      if (!input) return null;
      const k = known.get(input)!;
      if (k.kind === 'activation') return input;
      const kind = k.kind === 'parameter' && !constantSlots.includes(slot) ? 'weight' : 'constant';
      return { name: input, shape: k.shape, dtype: k.dtype, kind, ...(k.value && kind === 'constant' ? { value: k.value } : {}) };
    });
    const rule = standard && isKnownOp(op) ? OPS[op] : undefined;
    let outTypes: { shape: number[]; dtype: DType }[];
    let opaque = false;
    if (rule?.infer) {
      try {
        const resolved = specInputs.map((s, slot) => {
          if (s === null) return null;
          const k = known.get((n.input ?? [])[slot]!)!;
          return typeof s === 'string' ? { name: s, shape: k.shape, dtype: k.dtype, kind: 'activation' as const } : { ...s, dtype: s.dtype ?? 'float32' };
        });
        outTypes = rule.infer(resolved, attrs, outputs.length);
      } catch (e) {
        if (e instanceof GraphError || e instanceof TypeError || e instanceof ReferenceError) throw e;
        fail(source, `${op}: ${(e as Error).message}`, nodeName);
      }
    } else {
      const shapes = outputs.map((o) => stated.get(o));
      if (shapes.some((s) => s === undefined)) {
        fail(source, `unknown op '${op}'${n.domain ? ` (domain ${n.domain})` : ''} and the file does not state its output shapes`, nodeName);
      }
      outTypes = shapes as { shape: number[]; dtype: DType }[];
      opaque = true;
    }
    outputs.forEach((o, i) => {
      const t = outTypes[i];
      if (!t) fail(source, `${op} gives fewer outputs than it declares`, nodeName);
      checkShape(t.shape, `node '${nodeName}': output '${o}'`);
    });
    set(outTypes.map((t) => ({ shape: t.shape, dtype: t.dtype, kind: 'activation' as const })));
    specs.push({
      name: nodeName, op, attributes: attrs, inputs: specInputs,
      outputs: opaque ? outputs.map((o, i) => ({ name: o, shape: outTypes[i]!.shape, dtype: outTypes[i]!.dtype })) : outputs,
      ...(opaque ? { opaque: true, macs: 0 } : {}),
    });
  }

  const produced = new Set(specs.flatMap((s) => s.outputs.map((o) => (typeof o === 'string' ? o : o.name))));
  const graphOutputs = (graph.output ?? []).map((o) => o.name ?? '').filter((o) => produced.has(o));
  return buildGraph({ name, inputs, nodes: specs, outputs: graphOutputs.length > 0 ? graphOutputs : undefined });
}

function uniqueName(base: string, used: Set<string>): string {
  let name = base;
  for (let i = 1; used.has(name); i++) name = `${base}_${i}`;
  used.add(name);
  return name;
}

/** The value of a Constant node, from whichever of its value attributes is set. */
function constantOf(attrs: Attributes, raw: readonly OnnxTypes.IAttributeProto[]): Known {
  const tensorAttr = raw.find((a) => a.name === 'value' && a.t);
  if (tensorAttr?.t) {
    const { shape, dtype } = tensorShape(tensorAttr.t, 'Constant value');
    const value = tensorValues(tensorAttr.t, dtype, elementCount(shape));
    return { shape, dtype, kind: 'constant', ...(value ? { value } : {}) };
  }
  const scalar = (v: AttributeValue | undefined, dtype: DType): Known | undefined =>
    typeof v === 'number' ? { shape: [], dtype, kind: 'constant', value: [v] } : undefined;
  const list = (v: AttributeValue | undefined, dtype: DType): Known | undefined =>
    Array.isArray(v) && v.every((x) => typeof x === 'number') ? { shape: [v.length], dtype, kind: 'constant', value: [...(v as number[])] } : undefined;
  const k = scalar(attrs['value_float'], 'float32') ?? scalar(attrs['value_int'], 'int64') ?? list(attrs['value_floats'], 'float32') ?? list(attrs['value_ints'], 'int64');
  if (!k) throw new Error('Constant has no value this importer reads');
  if (k.value && k.value.length > MAX_FOLD_ELEMENTS) return { shape: k.shape, dtype: k.dtype, kind: 'constant' };
  return k;
}

/** A topological order of the file's nodes; cycles and dangling inputs are errors naming the node. */
function orderNodes(nodes: readonly OnnxTypes.INodeProto[], known: ReadonlyMap<string, Known>, source: string): number[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => {
    for (const o of n.output ?? []) {
      if (!o) continue;
      if (producer.has(o) || known.has(o)) fail(source, `tensor '${o}' is produced twice`, n.name || `${n.opType}_${i}`);
      producer.set(o, i);
    }
  });
  const indegree = new Array<number>(nodes.length).fill(0);
  const consumers: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => {
    for (const input of new Set(n.input ?? [])) {
      if (!input) continue;
      const p = producer.get(input);
      if (p === undefined) {
        if (!known.has(input)) fail(source, `input '${input}' is neither a graph input, an initializer nor produced by any node`, n.name || `${n.opType}_${i}`);
        continue;
      }
      indegree[i]!++;
      consumers[p]!.push(i);
    }
  });
  // ONNX requires files in topological order; keep that order when it holds.
  if (nodes.every((n, i) => (n.input ?? []).every((input) => (producer.get(input) ?? -1) < i))) return nodes.map((_, i) => i);
  const queue: number[] = [];
  indegree.forEach((d, i) => d === 0 && queue.push(i));
  for (let head = 0; head < queue.length; head++) {
    for (const v of consumers[queue[head]!]!) if (--indegree[v]! === 0) queue.push(v);
  }
  if (queue.length < nodes.length) {
    const stuck = indegree.findIndex((d) => d > 0);
    fail(source, 'is part of a cycle', nodes[stuck]!.name || `${nodes[stuck]!.opType}_${stuck}`);
  }
  return queue;
}

/** An ONNX model from its bytes; `source` (a file name or URL) names the graph and the errors. */
export function modelFromBytes(bytes: Uint8Array, source = 'model.onnx'): Graph {
  const base = source.split(/[\\/]/).pop() ?? source;
  return importOnnx(bytes, { source, name: base.replace(/\.onnx$/i, '') || 'model' });
}

const ONNX_DTYPE: Readonly<Record<DType, number>> = {
  float32: 1, uint8: 2, int8: 3, uint16: 4, int16: 5, int32: 6, int64: 7, string: 8, bool: 9,
  float16: 10, float64: 11, uint32: 12, uint64: 13, complex64: 14, complex128: 15, bfloat16: 16,
};

/**
 * Writes a graph as an ONNX model (opset 13) without weight data: weights become initializers
 * marked as external data, so the file carries every shape but no values. Constants with known
 * values become Constant nodes. Opaque and Synthetic nodes keep their op name and state their
 * output shapes in value_info, which is how the importer reads them back.
 */
export function exportOnnx(graph: Graph): Uint8Array {
  const T = onnx.AttributeProto.AttributeType;
  const valueInfo = (name: string, shape: readonly number[], dtype: DType) =>
    onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: ONNX_DTYPE[dtype], shape: { dim: shape.map((d) => ({ dimValue: d })) } } } });
  const initializers = new Map<string, OnnxTypes.TensorProto>();
  const constants = new Map<string, OnnxTypes.NodeProto>();
  const nodes: OnnxTypes.NodeProto[] = [];
  const stated: OnnxTypes.ValueInfoProto[] = [];
  const attribute = (name: string, v: AttributeValue): OnnxTypes.IAttributeProto => {
    if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
    if (typeof v === 'number') return Number.isInteger(v) ? { name, type: T.INT, i: v } : { name, type: T.FLOAT, f: v };
    if (v.every((x) => typeof x === 'number')) {
      const xs = v as readonly number[];
      return xs.every(Number.isInteger) ? { name, type: T.INTS, ints: [...xs] } : { name, type: T.FLOATS, floats: [...xs] };
    }
    return { name, type: T.STRINGS, strings: (v as readonly string[]).map((x) => new TextEncoder().encode(x)) };
  };
  for (const n of graph.nodes) {
    for (const i of n.inputs) {
      if (!i || i.kind === 'activation') continue;
      if (i.kind === 'constant' && i.value) {
        if (constants.has(i.name)) continue;
        const isInt = ONNX_DTYPE[i.dtype] !== 1 && ONNX_DTYPE[i.dtype] !== 10 && ONNX_DTYPE[i.dtype] !== 11;
        const t = onnx.TensorProto.create({ dims: [...i.shape], dataType: isInt ? 7 : 1, ...(isInt ? { int64Data: [...i.value] } : { floatData: [...i.value] }) });
        constants.set(i.name, onnx.NodeProto.create({ name: `${i.name}.constant`, opType: 'Constant', output: [i.name], attribute: [{ name: 'value', type: T.TENSOR, t }] }));
        continue;
      }
      if (initializers.has(i.name)) continue;
      initializers.set(i.name, onnx.TensorProto.create({
        name: i.name, dims: [...i.shape], dataType: ONNX_DTYPE[i.dtype],
        dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
        externalData: [{ key: 'location', value: 'weights.bin' }, { key: 'length', value: String(elementCount(i.shape) * DTYPE_BYTES[i.dtype]) }],
      }));
    }
    nodes.push(onnx.NodeProto.create({
      name: n.name, opType: n.op,
      input: n.inputs.map((i) => i?.name ?? ''),
      output: n.outputs.map((o) => o.name),
      attribute: Object.entries(n.attributes).map(([k, v]) => attribute(k, v)),
    }));
    if (n.opaque || !OPS[n.op]?.infer) for (const o of n.outputs) stated.push(valueInfo(o.name, o.shape, o.dtype));
  }
  const outputs = graph.outputs.map((name) => {
    const o = graph.nodes.flatMap((n) => n.outputs).find((x) => x.name === name)!;
    return valueInfo(name, o.shape, o.dtype);
  });
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'mapwise',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: graph.name,
      node: [...constants.values(), ...nodes],
      input: graph.inputs.map((i) => valueInfo(i.name, i.shape, i.dtype)),
      output: outputs,
      initializer: [...initializers.values()],
      valueInfo: stated,
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
