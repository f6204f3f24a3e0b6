// Lowering: the imported graph becomes a flat list of steps (kernel calls over arena buffers),
// with weights packed into wasm memory once. Each op's handler (ops-nn.ts, ops-elementwise.ts, ops-shape.ts) reads
// its inputs as values, may fuse the nodes that follow it, and defines its outputs. Layouts are
// chosen here: convolutions and pools work channels-last, everything else reads whatever layout
// its input has where the op allows (elementwise, concat, slice, reductions) and asks for
// row-major where it must (reshape, matmul); `as()` inserts the conversion, or none when the
// two layouts agree in memory.
import { UserError, type UserErrorPlace } from '../base/errors.js';
import type { Core, F32Buffer } from '../core/core.js';
import { type ConvPlan, Kernels, type PackedWeights } from '../core/kernels.js';
import type { ThreadPool } from '../core/threads.js';
import { tensorOps, type TensorOps } from '../core/tensor-ops.js';
import { tensorReaders, type TensorReaders } from '../graph/analysis.js';
import type { Graph, GraphNode, NodeInput } from '../graph/types.js';
import { canFoldConstants, foldConstants, isMatrixTranspose } from './fold-constants.js';
import { Float32Bytes, type TensorValues } from './float32-bytes.js';
import { contiguousStrides, elementCount, layoutsAgree, logicalStrides, physicalOrder, physicalShape, type Layout } from './layout.js';

/** An arena buffer; its lifetime (first write, last read) is filled in after lowering. */
export interface Buf {
  readonly id: number;
  readonly floats: number;
}

/** A tensor during lowering: in an arena buffer (activation) or known data (constant, row-major). */
export interface Val {
  readonly name: string;
  readonly shape: readonly number[];
  readonly layout: Layout;
  readonly buf?: Buf;
  readonly data?: Float32Array;
  /** Floats between pixels of a channels-last value that is a channel prefix of a wider one (a concat chain's view, concat-chain.ts). */
  readonly pixelStride?: number;
  /** A folded matrix transpose's source: `data` is its transpose (a Linear weight MatMul reads as [out][in]). */
  readonly transposeOf?: Float32Array;
}

export type Ptr = (buf: Buf) => number;

export interface Step {
  /** The graph node (the first of a fused group) this step runs. */
  readonly node: string;
  readonly op: string;
  readonly reads: readonly Buf[];
  readonly writes: readonly Buf[];
  /** Builds the step's call once arena offsets are known. */
  readonly bind: (ptr: Ptr) => () => void;
}

/** A model the runtime refuses (an op or attribute it cannot run, a memory limit): the caller's input. */
export class RuntimeError extends UserError {
  constructor(message: string, place: UserErrorPlace = {}) {
    super(message, place);
    this.name = 'RuntimeError';
  }
}

export interface LoweringOptions {
  readonly source: string;
  readonly opset: number;
  /** Best tuned config per workload key (`taskKey@host`), as knob points. */
  readonly tuned: ReadonlyMap<string, readonly number[]>;
  /** Helper threads the heavy kernels split their work with (none: one thread). */
  readonly pool?: ThreadPool;
}

export type Handler = (lw: Lowering, node: GraphNode) => void;

export class Lowering {
  readonly values = new Map<string, Val>();
  readonly steps: Step[] = [];
  readonly buffers: Buf[] = [];
  /** Wasm allocations that live as long as the session (constants, packed weights). */
  readonly owned: F32Buffer[] = [];
  readonly packed: PackedWeights[] = [];
  /** Conv layers planned over their arena addresses when the steps are bound; released by dispose(). */
  readonly plans: ConvPlan[] = [];
  /** Nodes already run as part of another node's step (fused epilogues). */
  readonly fused = new Set<number>();
  /** Activations written straight into a channel slice of their Concat's output (ops-shape.ts, concatSlice). */
  readonly inPlace = new Set<string>();
  readonly tunedLayers: string[] = [];
  readonly kernels: Kernels;
  readonly ops: TensorOps;
  private readonly readers: TensorReaders;
  private readonly conversions = new Map<string, Val>();
  private readonly constants = new Map<Float32Array, number>();

  constructor(
    readonly graph: Graph,
    private readonly data: ReadonlyMap<string, TensorValues>,
    readonly core: Core,
    readonly options: LoweringOptions,
  ) {
    this.kernels = new Kernels(core);
    this.ops = tensorOps(core);
    this.readers = tensorReaders(graph);
  }

  fail(node: GraphNode, message: string): never {
    throw new RuntimeError(`${this.options.source}: node '${node.name}' (${node.op}): ${message}`, { file: this.options.source });
  }

  /** The value of input `slot`, or undefined for an absent optional input. */
  input(node: GraphNode, slot: number): Val | undefined {
    const i = node.inputs[slot];
    if (!i) return undefined;
    return this.valueOf(node, i);
  }

  need(node: GraphNode, slot: number, what: string): Val {
    const v = this.input(node, slot);
    if (!v) this.fail(node, `missing input ${slot} (${what})`);
    return v;
  }

  /** Known data of input `slot`, or a failure naming what had to be constant. */
  constant(node: GraphNode, slot: number, what: string): Float32Array {
    const v = this.need(node, slot, what);
    if (!v.data) this.fail(node, `${what} (input '${node.inputs[slot]!.name}') must be a constant or weight, not computed at run time`);
    return v.data;
  }

  private valueOf(node: GraphNode, i: NodeInput): Val {
    const known = this.values.get(i.name);
    if (known) return known;
    if (i.kind === 'activation') this.fail(node, `input '${i.name}' is not computed before this node`);
    const stored = this.storedValues(node, i);
    const v: Val = { name: i.name, shape: [...i.shape], layout: 'rm', data: stored instanceof Float32Bytes ? new Float32Array(new Uint8Array(stored.bytes).buffer) : stored };
    this.values.set(i.name, v);
    return v;
  }

  /** A weight's values as the model or the caller holds them, their count checked against its shape. */
  private storedValues(node: GraphNode, i: NodeInput): TensorValues {
    const data = this.data.get(i.name) ?? (i.value ? Float32Array.from(i.value) : undefined);
    if (!data) {
      throw new RuntimeError(`${this.options.source}: weight '${i.name}' (read by node '${node.name}') has no data: the model holds none for it (a shapes-only model, or a graph input read only where weights go, such as MatMul's B, which the importer takes for a weight); pass its values in options.weights or give the external data file`, { file: this.options.source });
    }
    if (data.length !== elementCount(i.shape)) {
      throw new RuntimeError(`${this.options.source}: weight '${i.name}' holds ${data.length} values, its shape [${i.shape.join(', ')}] needs ${elementCount(i.shape)}`, { file: this.options.source });
    }
    return data;
  }

  /**
   * Input `slot`'s weights as stored, for a kernel to pack (`copyToWasm`): a file's unaligned
   * bytes stay bytes, never copied into a Float32Array.
   */
  weights(node: GraphNode, slot: number, what: string): TensorValues {
    const i = node.inputs[slot];
    if (i && i.kind !== 'activation' && !this.values.has(i.name)) return this.storedValues(node, i);
    return this.constant(node, slot, what);
  }

  /** Values copied into wasm memory, for the caller to free. */
  copyToWasm(values: TensorValues): F32Buffer {
    return values instanceof Float32Bytes ? this.core.f32FromBytes(values.bytes) : this.core.f32From(values);
  }

  buffer(floats: number): Buf {
    const b: Buf = { id: this.buffers.length, floats };
    this.buffers.push(b);
    return b;
  }

  /** A new activation value in a new buffer. */
  define(name: string, shape: readonly number[], layout: Layout): Val {
    const v: Val = { name, shape: [...shape], layout, buf: this.buffer(elementCount(shape)) };
    this.values.set(name, v);
    return v;
  }

  /** A value sharing another's buffer (a view: reshape, identity, a layout that agrees). */
  alias(name: string, of: Val, shape: readonly number[], layout: Layout): Val {
    const v: Val = of.data ? { name, shape: [...shape], layout: 'rm', data: of.data } : { name, shape: [...shape], layout, buf: of.buf! };
    this.values.set(name, v);
    return v;
  }

  step(node: GraphNode, reads: readonly (Val | undefined)[], writes: readonly Val[], bind: (ptr: Ptr) => () => void): void {
    const bufs = (vals: readonly (Val | undefined)[]): Buf[] => vals.flatMap((v) => (v?.buf ? [v.buf] : []));
    this.steps.push({ node: node.name, op: node.op, reads: bufs(reads), writes: bufs(writes), bind });
  }

  /**
   * A constant copied into wasm memory for the session's lifetime; returns its address. A tensor
   * read by several steps (a shared scalar, a weight used twice) is copied once.
   */
  wasmConstant(data: Float32Array): number {
    let at = this.constants.get(data);
    if (at === undefined) {
      const b = this.core.f32From(data);
      this.owned.push(b);
      at = b.ptr;
      this.constants.set(data, at);
    }
    return at;
  }

  /** Address of a value at run time: arena for activations, a session-owned copy for constants. */
  address(v: Val): (ptr: Ptr) => number {
    if (v.buf) {
      const buf = v.buf;
      return (ptr) => ptr(buf);
    }
    const at = this.wasmConstant(v.data!);
    return () => at;
  }

  /** The value in `layout`: itself, a view when the layouts agree in memory, or a converted copy. */
  as(v: Val, layout: Layout): Val {
    if (v.layout === layout) return v;
    if (v.data) {
      // Constants are row-major; a caller wanting nhwc data gets it transposed once.
      const order = physicalOrder(layout, v.shape.length);
      const strides = logicalStrides(v.shape, 'rm');
      const shape = physicalShape(v.shape, layout);
      const out = new Float32Array(v.data.length);
      const index = new Array<number>(shape.length).fill(0);
      for (let i = 0; i < out.length; i++) {
        out[i] = v.data[order.reduce((s, d, k) => s + index[k]! * strides[d]!, 0)]!;
        for (let d = shape.length - 1; d >= 0 && ++index[d]! >= shape[d]!; d--) index[d] = 0;
      }
      return { name: v.name, shape: v.shape, layout, data: out };
    }
    if (layoutsAgree(v.shape)) return { ...v, layout };
    const key = `${v.name}@${layout}`;
    const cached = this.conversions.get(key);
    if (cached) return cached;
    const out: Val = { name: key, shape: v.shape, layout, buf: this.buffer(elementCount(v.shape)) };
    const order = physicalOrder(layout, v.shape.length);
    const from = logicalStrides(v.shape, v.layout);
    const dims = physicalShape(v.shape, layout);
    const src = order.map((d) => from[d]!);
    const dst = contiguousStrides(dims);
    const inBuf = v.buf!;
    const outBuf = out.buf!;
    this.steps.push({
      node: v.name, op: `layout:${layout}`, reads: [inBuf], writes: [outBuf],
      bind: (ptr) => () => this.ops.copy(ptr(inBuf), ptr(outBuf), dims, src, dst),
    });
    this.conversions.set(key, out);
    return out;
  }

  /** The one node that reads `tensor`, when exactly one does and it is not a graph output. */
  /** The nodes that read activation `tensor`. */
  readersOf(tensor: string): readonly GraphNode[] {
    return this.readers.readersOf(tensor);
  }

  soleReader(tensor: string): GraphNode | undefined {
    return this.readers.soleReader(tensor);
  }

  /**
   * The Sigmoid and Mul of x·sigmoid(x) (SiLU, as exporters write it) when `tensor` is read only by a Sigmoid
   * and by a Mul of it with that Sigmoid's output, which nothing else reads.
   */
  siluNodes(tensor: string): { sigmoid: GraphNode; mul: GraphNode } | undefined {
    const list = this.readersOf(tensor);
    if (list.length !== 2 || this.graph.outputs.includes(tensor)) return undefined;
    const sigmoid = list.find((n) => n.op === 'Sigmoid');
    const mul = list.find((n) => n.op === 'Mul');
    if (!sigmoid || !mul || mul.inputs.length !== 2) return undefined;
    const gate = sigmoid.outputs[0]!.name;
    const names = mul.inputs.map((i) => i?.name);
    if (!names.includes(tensor) || !names.includes(gate) || this.soleReader(gate) !== mul) return undefined;
    return { sigmoid, mul };
  }

  /**
   * The five nodes of GELU as PyTorch exports it before opset 20, 0.5·(x·(1 + erf(x / √2))) —
   * Div by √2, Erf, Add 1, Mul by x, Mul by 0.5 — when `tensor` (x) is read only by the Div and
   * the first Mul and each step only by the next; the last node writes the result.
   */
  geluNodes(tensor: string): GraphNode[] | undefined {
    const list = this.readersOf(tensor);
    if (list.length !== 2 || this.graph.outputs.includes(tensor)) return undefined;
    const div = list.find((n) => n.op === 'Div');
    const times = list.find((n) => n.op === 'Mul');
    if (!div || !times || div.inputs[0]?.name !== tensor || !this.isScalarConstant(div, 1, Math.SQRT2)) return undefined;
    const erf = this.soleReader(div.outputs[0]!.name);
    const plus = erf?.op === 'Erf' ? this.soleReader(erf.outputs[0]!.name) : undefined;
    if (plus?.op !== 'Add' || !this.isScalarConstant(plus, plus.inputs[0]?.name === erf!.outputs[0]!.name ? 1 : 0, 1)) return undefined;
    if (this.soleReader(plus.outputs[0]!.name) !== times || !times.inputs.some((i) => i?.name === plus.outputs[0]!.name)) return undefined;
    const half = this.soleReader(times.outputs[0]!.name);
    if (half?.op !== 'Mul' || !this.isScalarConstant(half, half.inputs[0]?.name === times.outputs[0]!.name ? 1 : 0, 0.5)) return undefined;
    return [div, erf!, plus, times, half];
  }

  /** True when input `slot` of `node` is a constant holding one value within 1e-6 of `value`. */
  private isScalarConstant(node: GraphNode, slot: number, value: number): boolean {
    const v = node.inputs[slot] ? this.input(node, slot) : undefined;
    return v?.data?.length === 1 && Math.abs(v.data[0]! - value) <= 1e-6 * Math.abs(value);
  }

  /** Folds a node whose inputs are all constants; false when it has a run-time input. */
  foldIfConstant(node: GraphNode): boolean {
    const present = node.inputs.filter((i): i is NodeInput => i !== null);
    if (present.length === 0 || present.some((i) => i.kind === 'activation' && !this.values.get(i.name)?.data)) return false;
    if (!canFoldConstants(node.op) || node.outputs.length !== 1) return false;
    const inputs = node.inputs.map((i) => (i ? this.valueOf(node, i) : undefined));
    const out = node.outputs[0]!;
    const data = foldConstants(node.op, inputs.filter((v): v is Val => v !== undefined).map((v) => ({ shape: v.shape, data: v.data! })), node.attributes, out.shape);
    const transposeOf = isMatrixTranspose(node.op, node.attributes, out.shape.length) ? { transposeOf: inputs[0]!.data! } : {};
    this.values.set(out.name, { name: out.name, shape: [...out.shape], layout: 'rm', data, ...transposeOf });
    return true;
  }
}

/** Reads a numeric attribute with a default. */
export function attr(node: GraphNode, key: string, fallback: number): number {
  const v = node.attributes[key];
  return typeof v === 'number' ? v : fallback;
}

export function attrList(node: GraphNode, key: string): number[] | undefined {
  const v = node.attributes[key];
  return Array.isArray(v) ? (v as number[]).map(Number) : undefined;
}

export function attrString(node: GraphNode, key: string, fallback: string): string {
  const v = node.attributes[key];
  return typeof v === 'string' ? v : fallback;
}

/** A rank-relative axis made non-negative. */
export function normaliseAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}
