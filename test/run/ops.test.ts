// The ONNX runtime in src/run against the plain reference in ./reference-ops.ts, one small model
// per case: single operators and the short chains CNNs are made of (Conv → op along each axis of
// its output, which the runtime stores channels-last; ConvNeXt's Transpose → LayerNormalization →
// MatMul → Transpose; ShuffleNet's channel shuffle; a ResNet residual block).
//
// Every case also runs on onnxruntime-web, which checks the case and the reference against an
// independent implementation: when mapwise disagrees with the reference on a case that
// onnxruntime-web passes, the runtime is the one to look at.
//
// Tolerance, for every output: max |got − ref| ≤ 1e-4 · (1 + max |ref|), or relative L2 error
// ‖got − ref‖ / ‖ref‖ ≤ 1e-5. Shapes must match exactly.
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Random } from '../../src/helpers/random.js';
import { type Attr, model, node, tensor as protoTensor, valueInfo } from '../graph/onnx-builder.js';
import { type Attributes, evaluateGraph, type Tensor, tensor } from './reference-ops.js';

// ---- cases ----------------------------------------------------------------------------------

interface CaseNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, Attr>;
}

/** Builds one case's graph: runtime inputs, float initializers, int64 and bool initializers, nodes. */
class Graph {
  readonly nodes: CaseNode[] = [];
  readonly inputs: Record<string, Tensor> = {};
  readonly weights: Record<string, Tensor> = {};
  readonly ints: Record<string, Tensor> = {};
  readonly bools: Record<string, Tensor> = {};
  outputs: string[] = [];
  private count = 0;

  constructor(readonly r: Random, public opset = 13) {}

  private fresh(prefix: string): string {
    return `${prefix}${this.count++}`;
  }

  rand(shape: number[], lo = -1, hi = 1): Tensor {
    const n = shape.reduce((a, b) => a * b, 1);
    return tensor(shape, Array.from({ length: n }, () => this.r.uniform(lo, hi)));
  }

  /** A graph input fed at run time, uniform in [lo, hi). */
  input(shape: number[], lo = -1, hi = 1, name = this.fresh('x')): string {
    this.inputs[name] = this.rand(shape, lo, hi);
    return name;
  }

  /** A float initializer, random in [lo, hi) or the given values. */
  weight(shape: number[], lo = -1, hi = 1, values?: number[]): string {
    const name = this.fresh('w');
    this.weights[name] = values ? tensor(shape, values) : this.rand(shape, lo, hi);
    return name;
  }

  /** An int64 initializer (1-D unless a shape is given). */
  int(values: number[], shape = [values.length]): string {
    const name = this.fresh('i');
    this.ints[name] = tensor(shape, values);
    return name;
  }

  bool(shape: number[], values: number[]): string {
    const name = this.fresh('b');
    this.bools[name] = tensor(shape, values);
    return name;
  }

  /** Adds a node; returns its first output (all outputs are `outs` of the last node). */
  op(op: string, inputs: string[], attrs: Record<string, Attr> = {}, outputs = 1): string {
    const outs = Array.from({ length: outputs }, () => this.fresh('t'));
    this.nodes.push({ op, inputs, outputs: outs, attrs });
    this.outputs = outs;
    return outs[0]!;
  }

  /** Conv with weights [m, c/group, kh, kw] scaled to keep outputs near unit size, and a bias unless bias = false. */
  conv(x: string, c: number, m: number, k: number | [number, number], attrs: Record<string, Attr> = {}, bias = true): string {
    const [kh, kw] = typeof k === 'number' ? [k, k] : k;
    const group = typeof attrs['group'] === 'number' ? attrs['group'] : 1;
    const fan = (c / group) * kh * kw;
    const w = this.weight([m, c / group, kh, kw], -1 / Math.sqrt(fan), 1 / Math.sqrt(fan));
    return this.op('Conv', bias ? [x, w, this.weight([m], -0.5, 0.5)] : [x, w], attrs);
  }

  /** BatchNormalization with random statistics (positive variance). */
  batchNorm(x: string, c: number): string {
    return this.op('BatchNormalization', [x, this.weight([c], 0.5, 1.5), this.weight([c], -0.5, 0.5), this.weight([c], -0.5, 0.5), this.weight([c], 0.5, 2)], { epsilon: 1e-3 });
  }
}

interface Case {
  name: string;
  graph: Graph;
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

const cases: Case[] = [];

/** Declares a case; its random numbers are seeded by its name, so adding cases changes no other. */
function add(name: string, build: (g: Graph) => void, opset = 13): void {
  const g = new Graph(new Random(hash(name)), opset);
  build(g);
  cases.push({ name, graph: g });
}

const referenceAttrs = (attrs: Record<string, Attr>): Attributes =>
  Object.fromEntries(
    Object.entries(attrs).map(([k, v]) => {
      if (typeof v === 'object' && !Array.isArray(v)) {
        if ('float' in v) return [k, v.float];
        if ('floats' in v) return [k, v.floats];
        throw new Error(`attribute ${k}: tensor attributes are not used here`);
      }
      return [k, v];
    }),
  );

/** The reference's outputs for a case. */
function referenceOutputs(c: Case): Record<string, Tensor> {
  const g = c.graph;
  const env = evaluateGraph(
    g.nodes.map((n) => ({ op: n.op, inputs: n.inputs, outputs: n.outputs, attrs: referenceAttrs(n.attrs) })),
    { ...g.inputs, ...g.weights, ...g.ints, ...g.bools },
    g.opset,
  );
  return Object.fromEntries(g.outputs.map((o) => [o, env[o]!]));
}

/**
 * The case as an ONNX model. Output shapes are declared from the reference, or left symbolic:
 * onnxruntime-web's graph shape inference still rounds ceil_mode pools up without dropping a
 * window that starts in the end padding (its kernel does drop it), and so refuses the declared shape.
 */
function onnxModel(c: Case, ref: Record<string, Tensor>, declareOutputShapes = true): Uint8Array {
  const g = c.graph;
  return model({
    opset: g.opset,
    nodes: g.nodes.map((n, i) => node(n.op, n.inputs, n.outputs, n.attrs, `${n.op.toLowerCase()}_${i}`)),
    inputs: Object.entries(g.inputs).map(([name, t]) => valueInfo(name, t.shape)),
    outputs: g.outputs.map((o) => valueInfo(o, declareOutputShapes ? ref[o]!.shape : ref[o]!.shape.map((_, i) => `${o}_d${i}`))),
    initializers: [
      ...Object.entries(g.weights).map(([name, t]) => protoTensor(name, t.shape, 'float32', Array.from(t.data))),
      ...Object.entries(g.ints).map(([name, t]) => protoTensor(name, t.shape, 'int64', Array.from(t.data, int64))),
      ...Object.entries(g.bools).map(([name, t]) => protoTensor(name, t.shape, 'bool', Array.from(t.data))),
    ],
  });
}

/**
 * An int64 value for protobufjs: ±2⁶³ (what float32 makes of INT64_MAX and INT64_MIN, as exporters
 * write them for "to the end") as decimal strings, which protobufjs encodes exactly; a JS number
 * that large would wrap.
 */
function int64(v: number): number {
  if (v >= 2 ** 63) return '9223372036854775807' as unknown as number;
  if (v <= -(2 ** 63)) return '-9223372036854775808' as unknown as number;
  return v;
}

/** Null when `got` matches `ref` within the tolerance stated at the top; otherwise what differs. */
function mismatch(got: { data: ArrayLike<number>; shape: readonly number[] } | undefined, ref: Tensor): string | null {
  if (!got) return 'output missing';
  if (got.shape.length !== ref.shape.length || got.shape.some((d, i) => Number(d) !== ref.shape[i])) {
    return `shape [${Array.from(got.shape)}], reference [${ref.shape}]`;
  }
  if (got.data.length !== ref.data.length) return `${got.data.length} values, reference ${ref.data.length}`;
  let maxErr = 0;
  let at = 0;
  let maxRef = 0;
  let errSq = 0;
  let refSq = 0;
  for (let i = 0; i < ref.data.length; i++) {
    const e = Math.abs(got.data[i]! - ref.data[i]!);
    if (Number.isNaN(e) && !(Number.isNaN(got.data[i]!) && Number.isNaN(ref.data[i]!))) return `element ${i}: ${got.data[i]}, reference ${ref.data[i]}`;
    if (e > maxErr) [maxErr, at] = [e, i];
    maxRef = Math.max(maxRef, Math.abs(ref.data[i]!));
    errSq += e * e;
    refSq += ref.data[i]! ** 2;
  }
  const relL2 = refSq > 0 ? Math.sqrt(errSq / refSq) : Math.sqrt(errSq);
  if (maxErr <= 1e-4 * (1 + maxRef) || relL2 <= 1e-5) return null;
  return `max abs error ${maxErr.toExponential(3)} at element ${at} (got ${got.data[at]}, reference ${ref.data[at]}), bound ${(1e-4 * (1 + maxRef)).toExponential(3)}; relative L2 ${relL2.toExponential(3)}`;
}

function describeCase(c: Case): string {
  const g = c.graph;
  const ops = g.nodes.map((n) => `${n.op}${Object.keys(n.attrs).length ? JSON.stringify(n.attrs) : ''}`).join(' → ');
  const ins = Object.entries(g.inputs).map(([k, t]) => `${k}[${t.shape}]`).join(', ');
  return `${c.name} (opset ${g.opset}): ${ops}; inputs ${ins}`;
}

function check(c: Case, ref: Record<string, Tensor>, got: Record<string, { data: ArrayLike<number>; shape: readonly number[] } | undefined>): void {
  const problems = c.graph.outputs.flatMap((o) => {
    const m = mismatch(got[o], ref[o]!);
    return m ? [`output ${o}: ${m}`] : [];
  });
  if (problems.length) throw new Error(`${describeCase(c)}\n${problems.join('\n')}`);
}

// ---- runtimes -------------------------------------------------------------------------------

type Ort = typeof import('onnxruntime-web');
let ortPromise: Promise<Ort> | undefined;

function loadOrt(): Promise<Ort> {
  ortPromise ??= import('onnxruntime-web').then((ort) => {
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.wasmPaths = `${path.dirname(createRequire(import.meta.url).resolve('onnxruntime-web'))}/`;
    return ort;
  });
  return ortPromise;
}

async function runOrt(c: Case, bytes: Uint8Array): Promise<Record<string, { data: ArrayLike<number>; shape: readonly number[] }>> {
  const ort = await loadOrt();
  const session = await ort.InferenceSession.create(bytes);
  const feeds = Object.fromEntries(Object.entries(c.graph.inputs).map(([k, t]) => [k, new ort.Tensor('float32', t.data, t.shape)]));
  const out = await session.run(feeds);
  await session.release();
  return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { data: t.data as Float32Array, shape: t.dims }]));
}

type Runtime = typeof import('../../src/run/index.js');
let runtimePromise: Promise<Runtime> | undefined;

function loadRuntime(): Promise<Runtime> {
  runtimePromise ??= import('../../src/run/index.js');
  return runtimePromise;
}

async function runMapwise(c: Case, bytes: Uint8Array) {
  const { createSession } = await loadRuntime();
  const session = await createSession(bytes, { source: `${c.name}.onnx` });
  try {
    const feeds = Object.fromEntries(Object.entries(c.graph.inputs).map(([k, t]) => [k, { data: t.data, shape: t.shape }]));
    return await session.run(feeds);
  } finally {
    session.dispose();
  }
}

// ---- the cases ------------------------------------------------------------------------------

const nchw = (n: number, c: number, h: number, w: number) => [n, c, h, w];
const INT64_MAX = 2 ** 63; // written to the model as 9223372036854775807, see int64()

// Conv
add('Conv 3×3 pad 1 with bias', (g) => void g.conv(g.input(nchw(1, 3, 7, 7)), 3, 5, 3, { pads: [1, 1, 1, 1] }));
add('Conv 3×3 stride 2, odd input, asymmetric pads', (g) => void g.conv(g.input(nchw(1, 3, 9, 7)), 3, 4, 3, { strides: [2, 2], pads: [0, 1, 1, 0] }));
add('Conv 3×3 dilation 2, no bias', (g) => void g.conv(g.input(nchw(1, 2, 11, 10)), 2, 3, 3, { dilations: [2, 2], pads: [2, 2, 2, 2] }, false));
add('Conv dilation (1, 3), stride (2, 1)', (g) => void g.conv(g.input(nchw(1, 4, 9, 13)), 4, 6, 3, { dilations: [1, 3], strides: [2, 1], pads: [1, 0, 0, 2] }));
add('Conv group 2', (g) => void g.conv(g.input(nchw(1, 4, 6, 6)), 4, 6, 3, { group: 2, pads: [1, 1, 1, 1] }));
add('Conv depthwise 3×3 stride 2 pad 1', (g) => void g.conv(g.input(nchw(1, 6, 9, 9)), 6, 6, 3, { group: 6, strides: [2, 2], pads: [1, 1, 1, 1] }));
add('Conv depthwise 5×5 on an even input, stride 2', (g) => void g.conv(g.input(nchw(1, 8, 10, 10)), 8, 8, 5, { group: 8, strides: [2, 2], pads: [2, 2, 2, 2] }));
add('Conv depthwise with channel multiplier 2', (g) => void g.conv(g.input(nchw(1, 3, 7, 8)), 3, 6, 3, { group: 3, pads: [1, 1, 1, 1] }));
add('Conv 1×1 pointwise, batch 2', (g) => void g.conv(g.input(nchw(2, 8, 5, 3)), 8, 16, 1));
add('Conv 1×3 then 3×1 (Inception factorized)', (g) => {
  const a = g.conv(g.input(nchw(1, 3, 6, 7)), 3, 4, [1, 3], { pads: [0, 1, 0, 1] });
  g.conv(a, 4, 5, [3, 1], { pads: [1, 0, 1, 0] });
});
add('Conv auto_pad SAME_UPPER stride 2', (g) => void g.conv(g.input(nchw(1, 3, 8, 9)), 3, 4, 3, { auto_pad: 'SAME_UPPER', strides: [2, 2] }));
add('Conv auto_pad SAME_LOWER 2×2 kernel', (g) => void g.conv(g.input(nchw(1, 2, 5, 6)), 2, 3, 2, { auto_pad: 'SAME_LOWER' }));
add('Conv auto_pad VALID stride 3', (g) => void g.conv(g.input(nchw(1, 3, 10, 11)), 3, 2, 3, { auto_pad: 'VALID', strides: [3, 3] }));
add('Conv explicit kernel_shape, 7×7 stride 2 pad 3 (ResNet stem)', (g) => void g.conv(g.input(nchw(1, 3, 17, 15)), 3, 8, 7, { kernel_shape: [7, 7], strides: [2, 2], pads: [3, 3, 3, 3] }));

// Random Conv configurations: any group count, kernel 1-5 per axis, stride 1-3, dilation 1-2,
// independent pads 0-2 per side, odd and even sizes, batch 1-2.
for (let i = 0; i < 24; i++) {
  add(`Conv random configuration #${i}`, (g) => {
    const r = g.r;
    const kind = r.int(4); // 0: plain, 1: grouped, 2: depthwise, 3: depthwise with multiplier
    const group = kind === 0 ? 1 : kind === 1 ? r.intBetween(2, 3) : r.intBetween(2, 6);
    const cPerGroup = kind >= 2 ? 1 : r.intBetween(1, 3);
    const mPerGroup = kind === 2 ? 1 : r.intBetween(1, 3);
    const k = [r.intBetween(1, 5), r.intBetween(1, 5)];
    const strides = [r.intBetween(1, 3), r.intBetween(1, 3)];
    const dilations = [r.intBetween(1, 2), r.intBetween(1, 2)];
    const pads = [r.int(3), r.int(3), r.int(3), r.int(3)];
    const size = (a: number) => Math.max(1, (k[a]! - 1) * dilations[a]! + 1 - pads[a]! - pads[a + 2]!) + r.int(9);
    const x = g.input(nchw(r.intBetween(1, 2), group * cPerGroup, size(0), size(1)));
    g.conv(x, group * cPerGroup, group * mPerGroup, [k[0]!, k[1]!], { group, strides, dilations, pads }, r.int(2) === 0);
  });
}

// Random pool configurations: kernel 1-4 per axis, stride 1-3, pads 0-⌊k/2⌋ per side,
// dilations 1-2 (MaxPool), ceil_mode and count_include_pad either way.
for (let i = 0; i < 24; i++) {
  add(`Pool random configuration #${i}`, (g) => {
    const r = g.r;
    const op = r.int(2) === 0 ? 'MaxPool' : 'AveragePool';
    const kernel_shape = [r.intBetween(1, 4), r.intBetween(1, 4)];
    const strides = [r.intBetween(1, 3), r.intBetween(1, 3)];
    const pads = [0, 1, 0, 1].map((a) => r.int(Math.floor(kernel_shape[a]! / 2) + 1));
    const dilations = op === 'MaxPool' ? [r.intBetween(1, 2), r.intBetween(1, 2)] : [1, 1];
    const size = (a: number) => Math.max(1, (kernel_shape[a]! - 1) * dilations[a]! + 1 - pads[a]! - pads[a + 2]!) + r.int(8);
    const attrs: Record<string, Attr> = { kernel_shape, strides, pads, ceil_mode: r.int(2) };
    if (op === 'MaxPool') attrs['dilations'] = dilations;
    else attrs['count_include_pad'] = r.int(2);
    g.op(op, [g.input(nchw(1, r.intBetween(1, 3), size(0), size(1)))], attrs);
  });
}

// Gemm and MatMul
add('Gemm with C [N]', (g) => void g.op('Gemm', [g.input([3, 5]), g.weight([5, 4]), g.weight([4])]));
add('Gemm transB, alpha, beta, C [M, 1]', (g) => void g.op('Gemm', [g.input([3, 5]), g.weight([4, 5]), g.weight([3, 1])], { transB: 1, alpha: 0.5, beta: { float: 2 } }));
add('Gemm transA, C scalar', (g) => void g.op('Gemm', [g.input([5, 3]), g.weight([5, 4]), g.weight([])], { transA: 1 }));
add('Gemm without C', (g) => void g.op('Gemm', [g.input([2, 7]), g.weight([7, 3])]));
add('GlobalAveragePool → Flatten → Gemm (classifier head)', (g) => {
  const c = g.conv(g.input(nchw(2, 3, 6, 6)), 3, 8, 3, { pads: [1, 1, 1, 1] });
  g.op('Gemm', [g.op('Flatten', [g.op('GlobalAveragePool', [c])]), g.weight([10, 8]), g.weight([10])], { transB: 1 });
});
add('MatMul 4-D × 2-D weight', (g) => void g.op('MatMul', [g.input([2, 3, 4, 5]), g.weight([5, 6])]));
// B computed at run time (Neg of an input): a graph input read only as MatMul's B is what
// weight-stripped exports look like, so the importer takes it for a weight without data.
add('MatMul 2-D × 3-D (batch broadcast)', (g) => void g.op('MatMul', [g.input([4, 5]), g.op('Neg', [g.input([2, 5, 3])])]));
add('MatMul batch broadcast on both sides', (g) => void g.op('MatMul', [g.input([2, 1, 4, 5]), g.op('Neg', [g.input([3, 5, 2])])]));
add('MatMul 1-D × 2-D', (g) => void g.op('MatMul', [g.input([5]), g.weight([5, 3])]));
add('MatMul 3-D × 1-D', (g) => void g.op('MatMul', [g.input([2, 3, 5]), g.weight([5])]));

// Normalization
add('BatchNormalization on NCHW', (g) => void g.batchNorm(g.input(nchw(2, 5, 4, 3)), 5));
add('Conv → BatchNormalization → Relu → Add residual', (g) => {
  const x = g.input(nchw(1, 4, 7, 7));
  const b = g.op('Relu', [g.batchNorm(g.conv(x, 4, 4, 3, { pads: [1, 1, 1, 1] }), 4)]);
  g.op('Relu', [g.op('Add', [g.batchNorm(g.conv(b, 4, 4, 3, { pads: [1, 1, 1, 1] }), 4), x])]);
});
add('Conv → Relu → BatchNormalization → Relu → Conv (a pre-activation BatchNorm on channels-last values)', (g) => {
  const r = g.op('Relu', [g.conv(g.input(nchw(1, 3, 7, 6)), 3, 10, 3)]);
  g.conv(g.op('Relu', [g.batchNorm(r, 10)]), 10, 4, 1);
});
add('DenseNet layers: Concat of all earlier features → BatchNormalization → Relu → Conv, three deep', (g) => {
  const features = [g.conv(g.input(nchw(1, 3, 6, 6)), 3, 8, 3, { pads: [1, 1, 1, 1] })];
  for (let layer = 0; layer < 3; layer++) {
    const c = 8 + 4 * layer;
    const x = features.length === 1 ? features[0]! : g.op('Concat', [...features], { axis: 1 });
    features.push(g.conv(g.op('Relu', [g.batchNorm(x, c)]), c, 4, 3, { pads: [1, 1, 1, 1] }));
  }
  g.op('Concat', [...features], { axis: 1 });
});
add('BatchNormalization → Relu → Conv 1×1 → AveragePool 2×2 (a DenseNet transition, run pool first)', (g) => {
  g.op('AveragePool', [g.conv(g.op('Relu', [g.batchNorm(g.input(nchw(1, 6, 8, 6)), 6)]), 6, 5, 1)], { kernel_shape: [2, 2], strides: [2, 2] });
});
add('Conv 1×1 → AveragePool 3×3 pad 1, padding excluded (run pool first) → Relu', (g) => {
  g.op('Relu', [g.op('AveragePool', [g.conv(g.input(nchw(1, 4, 7, 5)), 4, 6, 1)], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] })]);
});
add('Conv 1×1 → AveragePool 3×3 pad 1, count_include_pad (kept in order: the bias is not in the padding)', (g) => {
  g.op('AveragePool', [g.conv(g.input(nchw(1, 4, 6, 6)), 4, 3, 1)], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], count_include_pad: 1 });
});
add('LayerNormalization over the last axis', (g) => void g.op('LayerNormalization', [g.input([2, 5, 8]), g.weight([8], 0.5, 1.5), g.weight([8])], { epsilon: 1e-6 }), 17);
add('LayerNormalization over C, H, W of NCHW (axis 1), no bias', (g) => void g.op('LayerNormalization', [g.input(nchw(2, 3, 4, 5)), g.weight([3, 4, 5], 0.5, 1.5)], { axis: 1 }), 17);
add('LayerNormalization over rows of 11 (vectors and a tail)', (g) => void g.op('LayerNormalization', [g.input([3, 11]), g.weight([11], 0.5, 1.5), g.weight([11])], { epsilon: 1e-5 }), 17);
add('LayerNormalization axis -2', (g) => void g.op('LayerNormalization', [g.input([3, 4, 6]), g.weight([4, 6]), g.weight([4, 6])], { axis: -2 }), 17);
add('ConvNeXt block: depthwise Conv → Transpose → LayerNorm → MatMul → GELU → MatMul → Transpose → Add', (g) => {
  const c = 8;
  const x = g.input(nchw(1, c, 9, 9));
  const d = g.conv(x, c, c, 7, { group: c, pads: [3, 3, 3, 3] });
  const t = g.op('Transpose', [d], { perm: [0, 2, 3, 1] });
  const ln = g.op('LayerNormalization', [t, g.weight([c], 0.5, 1.5), g.weight([c], -0.2, 0.2)], { axis: -1, epsilon: 1e-6 });
  const h = g.op('Add', [g.op('MatMul', [ln, g.weight([c, 4 * c], -0.3, 0.3)]), g.weight([4 * c], -0.1, 0.1)]);
  // GELU as exported before opset 20: 0.5 · h · (1 + erf(h / √2)).
  const e = g.op('Erf', [g.op('Div', [h, g.weight([], 0, 0, [Math.SQRT2])])]);
  const gelu = g.op('Mul', [g.op('Mul', [h, g.op('Add', [e, g.weight([], 0, 0, [1])])]), g.weight([], 0, 0, [0.5])]);
  const o = g.op('Add', [g.op('MatMul', [gelu, g.weight([4 * c, c], -0.2, 0.2)]), g.weight([c], -0.1, 0.1)]);
  const back = g.op('Transpose', [g.op('Mul', [o, g.weight([c], 0.5, 1)])], { perm: [0, 3, 1, 2] });
  g.op('Add', [x, back]);
}, 17);
add('GELU on a graph input (one fused map) and a near-miss (divisor 1.5) that runs node by node', (g) => {
  const x = g.input([2, 3, 10]);
  const gelu = (h: ReturnType<typeof g.input>, divisor: number): ReturnType<typeof g.input> => {
    const e = g.op('Erf', [g.op('Div', [h, g.weight([], 0, 0, [divisor])])]);
    return g.op('Mul', [g.op('Mul', [h, g.op('Add', [e, g.weight([], 0, 0, [1])])]), g.weight([], 0, 0, [0.5])]);
  };
  g.op('Add', [gelu(x, Math.SQRT2), gelu(g.op('Neg', [x]), 1.5)]);
}, 17);
add('InstanceNormalization over 6 channels (four at a time and a tail), two images', (g) => void g.op('InstanceNormalization', [g.input(nchw(2, 6, 5, 4), -2, 3), g.weight([6], 0.5, 1.5), g.weight([6])], { epsilon: { float: 1e-3 } }));
add('reflect Pad → Conv → InstanceNormalization → Relu (a style-transfer block)', (g) => {
  const p = g.op('Pad', [g.input(nchw(1, 3, 8, 8)), g.int([0, 0, 1, 1, 0, 0, 1, 1])], { mode: 'reflect' });
  g.op('Relu', [g.op('InstanceNormalization', [g.conv(p, 3, 8, 3), g.weight([8], 0.5, 1.5), g.weight([8])])]);
});

// LRN across channels (AlexNet's and GoogLeNet's size 5, beta 0.75 as Caffe wrote them). An alpha
// far above theirs makes the denominator matter: with 1e-4 it is 1 to four places.
add('LRN size 5, beta 0.75, over 13 channels (windows at both edges, four channels at a time between)', (g) => void g.op('LRN', [g.input(nchw(2, 13, 5, 6))], { size: 5, alpha: { float: 2 }, beta: { float: 0.75 }, bias: { float: 1 } }));
add('LRN size 3, beta 0.5, bias 2 (a pow a channel; onnxruntime refuses even sizes)', (g) => void g.op('LRN', [g.input(nchw(1, 9, 4, 3))], { size: 3, alpha: { float: 1.5 }, beta: { float: 0.5 }, bias: { float: 2 } }));
add('LRN size 5 over 3 channels (every window cut by both edges)', (g) => void g.op('LRN', [g.input(nchw(1, 3, 3, 4))], { size: 5, alpha: { float: 3 } }));
add('Conv → Relu → LRN → MaxPool (the first layers of AlexNet)', (g) => {
  const c = g.op('Relu', [g.conv(g.input(nchw(1, 3, 11, 11)), 3, 16, 3, { strides: [2, 2] })]);
  g.op('MaxPool', [g.op('LRN', [c], { size: 5, alpha: { float: 1 }, beta: { float: 0.75 }, bias: { float: 2 } })], { kernel_shape: [3, 3], strides: [2, 2] });
});

// Pools
add('MaxPool 3×3 stride 2 pad 1 after Conv (ResNet stem)', (g) => void g.op('MaxPool', [g.conv(g.input(nchw(1, 3, 9, 9)), 3, 4, 3, { pads: [1, 1, 1, 1] })], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }));
add('MaxPool 2×2 stride 2 on an odd input', (g) => void g.op('MaxPool', [g.input(nchw(1, 3, 7, 7))], { kernel_shape: [2, 2], strides: [2, 2] }));
add('MaxPool 3×3 stride 2 ceil_mode', (g) => void g.op('MaxPool', [g.input(nchw(1, 2, 8, 8))], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }));
add('MaxPool ceil_mode with pads, window in the end padding dropped', (g) => void g.op('MaxPool', [g.input(nchw(1, 2, 5, 6))], { kernel_shape: [2, 3], strides: [3, 2], pads: [1, 1, 1, 1], ceil_mode: 1 }));
add('MaxPool dilation 2', (g) => void g.op('MaxPool', [g.input(nchw(1, 3, 8, 9))], { kernel_shape: [2, 2], dilations: [2, 2] }));
add('MaxPool asymmetric kernel, stride and pads', (g) => void g.op('MaxPool', [g.input(nchw(2, 3, 9, 8))], { kernel_shape: [3, 2], strides: [2, 1], pads: [1, 0, 0, 1] }));
add('MaxPool auto_pad SAME_UPPER', (g) => void g.op('MaxPool', [g.input(nchw(1, 2, 7, 6))], { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' }));
add('AveragePool 3×3 stride 1 pad 1, padding excluded', (g) => void g.op('AveragePool', [g.input(nchw(1, 3, 6, 7))], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }));
add('AveragePool 3×3 stride 1 pad 1, count_include_pad', (g) => void g.op('AveragePool', [g.input(nchw(1, 3, 6, 7))], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], count_include_pad: 1 }));
add('AveragePool 2×2 stride 2 on an odd input', (g) => void g.op('AveragePool', [g.input(nchw(1, 4, 7, 9))], { kernel_shape: [2, 2], strides: [2, 2] }));
add('AveragePool 3×3 stride 2 ceil_mode', (g) => void g.op('AveragePool', [g.input(nchw(1, 2, 8, 8))], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }));
add('AveragePool ceil_mode, asymmetric pads, count_include_pad', (g) => void g.op('AveragePool', [g.input(nchw(1, 2, 8, 7))], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 0, 1, 1], ceil_mode: 1, count_include_pad: 1 }));
add('AveragePool ceil_mode, pads, padding excluded', (g) => void g.op('AveragePool', [g.input(nchw(1, 2, 6, 9))], { kernel_shape: [3, 2], strides: [2, 3], pads: [1, 1, 1, 1], ceil_mode: 1 }));
add('AveragePool auto_pad SAME_LOWER', (g) => void g.op('AveragePool', [g.input(nchw(1, 2, 7, 6))], { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_LOWER' }));
add('GlobalAveragePool after Conv', (g) => void g.op('GlobalAveragePool', [g.conv(g.input(nchw(2, 3, 5, 7)), 3, 6, 3)]));
add('GlobalMaxPool after Conv', (g) => void g.op('GlobalMaxPool', [g.conv(g.input(nchw(1, 3, 6, 5)), 3, 5, 3)]));

// Unary
const unaryOps: [string, Record<string, Attr>, number, number][] = [
  ['Relu', {}, -3, 3], ['LeakyRelu', {}, -3, 3], ['LeakyRelu', { alpha: 0.2 }, -3, 3], ['Sigmoid', {}, -8, 8], ['HardSigmoid', {}, -4, 4],
  ['HardSigmoid', { alpha: 0.3, beta: 0.4 }, -4, 4], ['HardSwish', {}, -5, 5], ['Erf', {}, -3, 3], ['Tanh', {}, -4, 4], ['Exp', {}, -4, 4],
  ['Log', {}, 0.05, 10], ['Neg', {}, -3, 3], ['Abs', {}, -3, 3], ['Reciprocal', {}, 0.5, 4], ['Sqrt', {}, 0, 9], ['Identity', {}, -1, 1],
  ['Dropout', {}, -1, 1],
];
for (const [op, attrs, lo, hi] of unaryOps) {
  // HardSwish exists from opset 14.
  add(`${op}${Object.keys(attrs).length ? ` ${JSON.stringify(attrs)}` : ''} on NCHW`, (g) => void g.op(op, [g.input(nchw(2, 3, 5, 7), lo, hi)], attrs), op === 'HardSwish' ? 14 : 13);
}
// 21 floats: the long maps' four-vector loop, then their one-vector loop, then the scalar tail.
for (const op of ['Sigmoid', 'Exp', 'Erf']) add(`${op} on 21 floats`, (g) => void g.op(op, [g.input([3, 7], -4, 4)]));
add('PRelu with a slope per channel ([C, 1, 1], as PyTorch exports it) after Conv', (g) => void g.op('PRelu', [g.conv(g.input(nchw(1, 3, 6, 6)), 3, 6, 3, { pads: [1, 1, 1, 1] }), g.weight([6, 1, 1], 0.05, 0.5)]));
add('PRelu with one slope, and with a slope per element', (g) => {
  const x = g.input(nchw(2, 3, 4, 5));
  g.op('Add', [g.op('PRelu', [x, g.weight([1], 0.1, 0.3)]), g.op('PRelu', [x, g.weight([3, 4, 5], -0.5, 0.5)])]);
});
add('Conv → Sigmoid → Mul (SiLU)', (g) => {
  const c = g.conv(g.input(nchw(1, 3, 6, 6)), 3, 4, 3, { pads: [1, 1, 1, 1] });
  g.op('Mul', [c, g.op('Sigmoid', [c])]);
});
add('Conv → HardSwish', (g) => void g.op('HardSwish', [g.conv(g.input(nchw(1, 3, 6, 5), -3, 3), 3, 4, 3, { pads: [1, 1, 1, 1] })]), 14);
add('Clip 0..6 (ReLU6) after Conv', (g) => void g.op('Clip', [g.conv(g.input(nchw(1, 3, 5, 5), -8, 8), 3, 4, 3), g.weight([], 0, 0, [0]), g.weight([], 0, 0, [6])]));
add('Clip with only max', (g) => void g.op('Clip', [g.input(nchw(1, 2, 3, 4), -2, 2), '', g.weight([], 0, 0, [0.5])]));
add('Clip with only min', (g) => void g.op('Clip', [g.input(nchw(1, 2, 3, 4), -2, 2), g.weight([], 0, 0, [-0.25])]));
add('Clip without bounds', (g) => void g.op('Clip', [g.input([3, 4], -2, 2)]));
add('Clip min/max attributes (opset 6)', (g) => void g.op('Clip', [g.input(nchw(1, 2, 3, 4), -2, 2)], { min: -0.5, max: 0.75 }), 6);

// Binary with broadcasting
add('Conv → Add constant [C, 1, 1]', (g) => void g.op('Add', [g.conv(g.input(nchw(1, 3, 5, 6)), 3, 4, 3), g.weight([4, 1, 1])]));
add('Conv → Mul constant [C, 1, 1]', (g) => void g.op('Mul', [g.conv(g.input(nchw(2, 3, 6, 5)), 3, 5, 3, { pads: [1, 1, 1, 1] }), g.weight([5, 1, 1])]));
add('Sub [1, C, 1, 1] − NCHW', (g) => void g.op('Sub', [g.weight([1, 4, 1, 1]), g.input(nchw(2, 4, 3, 5))]));
add('Div NCHW / [C, 1, 1]', (g) => void g.op('Div', [g.input(nchw(1, 3, 4, 5)), g.weight([3, 1, 1], 0.5, 2)]));
add('Mul by scalar []', (g) => void g.op('Mul', [g.input(nchw(1, 3, 4, 5)), g.weight([], 0, 0, [1.5])]));
add('Add [1] + NCHW', (g) => void g.op('Add', [g.weight([1]), g.input(nchw(1, 3, 4, 5))]));
add('Add NCHW + [W]', (g) => void g.op('Add', [g.input(nchw(1, 3, 4, 5)), g.weight([5])]));
add('Mul NCHW × [H, W]', (g) => void g.op('Mul', [g.input(nchw(2, 3, 4, 5)), g.weight([4, 5])]));
add('Add both sides broadcast: [N, C, 1, W] + [1, 1, H, 1]', (g) => void g.op('Add', [g.input([2, 3, 1, 5]), g.input([1, 1, 4, 1])]));
add('Sub both sides broadcast: [C, 1] − [1, W] runtime inputs', (g) => void g.op('Sub', [g.input([3, 1]), g.input([1, 6])]));
add('Add same shape, two Conv outputs', (g) => {
  const x = g.input(nchw(1, 3, 6, 6));
  g.op('Add', [g.conv(x, 3, 4, 3, { pads: [1, 1, 1, 1] }), g.conv(x, 3, 4, 1)]);
});
add('Div by runtime input, rank 3 vs rank 4', (g) => void g.op('Div', [g.input(nchw(2, 3, 4, 5)), g.input([3, 1, 5], 0.5, 2)]));
add('Pow NCHW ^ [C, 1, 1]', (g) => void g.op('Pow', [g.input(nchw(1, 3, 4, 5), 0.1, 3), g.weight([3, 1, 1], -2, 2)]));
add('Pow x ^ 2 and x ^ 0.5', (g) => {
  const x = g.input(nchw(1, 2, 3, 4), 0.1, 3);
  g.op('Add', [g.op('Pow', [x, g.weight([], 0, 0, [2])]), g.op('Pow', [x, g.weight([], 0, 0, [0.5])])]);
});
add('Mul 2-D runtime inputs [4, 1] × [1]', (g) => void g.op('Mul', [g.input([4, 1]), g.input([1])]));
add('Max of Conv output and [C, 1, 1]', (g) => void g.op('Max', [g.conv(g.input(nchw(1, 3, 5, 5)), 3, 4, 3), g.weight([4, 1, 1])]));
add('Min of NCHW and a scalar (clamp from above)', (g) => void g.op('Min', [g.input(nchw(1, 3, 4, 5)), g.weight([], 0, 0, [0.25])]));
add('Max of three inputs', (g) => void g.op('Max', [g.input(nchw(1, 2, 3, 4)), g.input(nchw(1, 2, 3, 4)), g.weight([4])]));
add('Where with a bool constant condition', (g) => void g.op('Where', [g.bool([1, 3, 1, 1], [1, 0, 1]), g.input(nchw(1, 3, 2, 2)), g.input([2])]));

// Reductions
add('ReduceMean axes [2, 3] keepdims after Conv', (g) => void g.op('ReduceMean', [g.conv(g.input(nchw(2, 3, 5, 6)), 3, 4, 3)], { axes: [2, 3] }));
add('ReduceMean axis 1 keepdims 0 after Conv', (g) => void g.op('ReduceMean', [g.conv(g.input(nchw(1, 3, 5, 6)), 3, 5, 3)], { axes: [1], keepdims: 0 }));
add('ReduceMean axes [-1] after Conv', (g) => void g.op('ReduceMean', [g.conv(g.input(nchw(1, 3, 5, 6)), 3, 4, 1)], { axes: [-1] }));
add('ReduceMean axes [-3, -2] keepdims 0', (g) => void g.op('ReduceMean', [g.input(nchw(2, 3, 4, 5))], { axes: [-3, -2], keepdims: 0 }));
add('ReduceMean all axes', (g) => void g.op('ReduceMean', [g.input(nchw(1, 3, 4, 5))]));
add('ReduceSum axes input [1] (opset 13)', (g) => void g.op('ReduceSum', [g.conv(g.input(nchw(1, 3, 5, 5)), 3, 4, 3), g.int([1])]));
add('ReduceSum axes input [2, -1] keepdims 0', (g) => void g.op('ReduceSum', [g.input(nchw(2, 3, 4, 5)), g.int([2, -1])], { keepdims: 0 }));
add('ReduceSum without axes reduces everything', (g) => void g.op('ReduceSum', [g.input(nchw(1, 2, 3, 4))]));
add('ReduceSum noop_with_empty_axes', (g) => void g.op('ReduceSum', [g.input(nchw(1, 2, 3, 4))], { noop_with_empty_axes: 1 }));
add('ReduceSum axes attribute (opset 11)', (g) => void g.op('ReduceSum', [g.input(nchw(1, 3, 4, 5))], { axes: [1, 3] }), 11);
add('ReduceMax axes [1] after Conv', (g) => void g.op('ReduceMax', [g.conv(g.input(nchw(1, 3, 5, 6)), 3, 6, 3)], { axes: [1] }));
add('ReduceMax axes [2, 3] keepdims 0', (g) => void g.op('ReduceMax', [g.input(nchw(2, 3, 4, 5))], { axes: [2, 3], keepdims: 0 }));

// Concat, Split, Slice along each axis of a Conv output
for (const axis of [1, 2, 3, -1, -3]) {
  add(`Concat axis ${axis} of two Conv outputs`, (g) => {
    const x = g.input(nchw(1, 3, 6, 7));
    const a = g.conv(x, 3, axis === 1 || axis === -3 ? 4 : 5, 3, { pads: [1, 1, 1, 1] });
    const b = g.conv(x, 3, 5, 3, { pads: [1, 1, 1, 1] });
    g.op('Concat', [a, b], { axis });
  });
}
add('Concat axis 1 of Conv outputs and a runtime input, three operands', (g) => {
  const x = g.input(nchw(1, 3, 5, 5));
  g.op('Concat', [g.conv(x, 3, 2, 3, { pads: [1, 1, 1, 1] }), x, g.conv(x, 3, 5, 1)], { axis: 1 });
});
add('Concat axis 0 of runtime inputs', (g) => void g.op('Concat', [g.input(nchw(1, 3, 2, 2)), g.input(nchw(2, 3, 2, 2))], { axis: 0 }));
add('Concat of 2-D inputs, axis -1', (g) => void g.op('Concat', [g.input([3, 2]), g.input([3, 5])], { axis: -1 }));
for (const axis of [1, 2, 3, -1]) {
  add(`Split axis ${axis} of a Conv output into equal parts`, (g) => {
    const c = g.conv(g.input(nchw(1, 3, 6, 8)), 3, 4, 3, { pads: [1, 1, 1, 1] });
    g.op('Split', [c], { axis }, 2);
  });
}
add('Split axis 1 by split input [2, 4, 2] → Relu on one part', (g) => {
  const c = g.conv(g.input(nchw(1, 3, 5, 5)), 3, 8, 3, { pads: [1, 1, 1, 1] });
  g.op('Split', [c, g.int([2, 4, 2])], { axis: 1 }, 3);
});
add('Split axis -2 by split attribute (opset 11)', (g) => void g.op('Split', [g.input(nchw(1, 2, 7, 3))], { axis: -2, split: [3, 4] }, 2), 11);
add('Split axis 1 num_outputs 3 of 8 channels (opset 18)', (g) => void g.op('Split', [g.conv(g.input(nchw(1, 3, 4, 4)), 3, 8, 1)], { axis: 1, num_outputs: 3 }, 3), 18);
add('Slice channels 1..5 of a Conv output', (g) => void g.op('Slice', [g.conv(g.input(nchw(1, 3, 5, 5)), 3, 8, 3), g.int([1]), g.int([5]), g.int([1])]));
add('Slice H and W with step 2', (g) => void g.op('Slice', [g.conv(g.input(nchw(1, 3, 9, 8)), 3, 4, 3, { pads: [1, 1, 1, 1] }), g.int([1, 0]), g.int([8, 7]), g.int([2, 3]), g.int([2, 2])]));
add('Slice negative step along W', (g) => void g.op('Slice', [g.conv(g.input(nchw(1, 3, 6, 7)), 3, 4, 3, { pads: [1, 1, 1, 1] }), g.int([-1]), g.int([-INT64_MAX]), g.int([3]), g.int([-1])]));
add('Slice negative step -2 along C with clamped start', (g) => void g.op('Slice', [g.conv(g.input(nchw(1, 3, 4, 4)), 3, 7, 1), g.int([100]), g.int([0]), g.int([1]), g.int([-2])]));
add('Slice negative axes and indices, ends INT64_MAX', (g) => void g.op('Slice', [g.input(nchw(2, 5, 6, 7)), g.int([-4, 2]), g.int([INT64_MAX, -1]), g.int([-3, -1])]));
add('Slice axes omitted (all leading axes)', (g) => void g.op('Slice', [g.input([5, 6]), g.int([1, -4]), g.int([4, 100])]));
add('Slice batch axis 0', (g) => void g.op('Slice', [g.input(nchw(3, 2, 3, 3)), g.int([1]), g.int([3]), g.int([0])]));

// Pad
add('Pad constant H, W asymmetric after Conv', (g) => void g.op('Pad', [g.conv(g.input(nchw(1, 3, 5, 6)), 3, 4, 3), g.int([0, 0, 1, 2, 0, 0, 2, 1])]));
add('Pad constant with value on the channel axis', (g) => void g.op('Pad', [g.conv(g.input(nchw(1, 3, 4, 4)), 3, 4, 1), g.int([0, 2, 0, 0, 0, 1, 0, 0]), g.weight([], 0, 0, [0.75])]));
add('Pad reflect H, W after Conv', (g) => void g.op('Pad', [g.conv(g.input(nchw(1, 3, 6, 7)), 3, 4, 3), g.int([0, 0, 2, 1, 0, 0, 1, 3])], { mode: 'reflect' }));
add('Pad edge H, W', (g) => void g.op('Pad', [g.input(nchw(2, 3, 4, 5)), g.int([0, 0, 3, 0, 0, 0, 1, 2])], { mode: 'edge' }));
add('Pad reflect → Conv (reflection-padded conv)', (g) => {
  const p = g.op('Pad', [g.input(nchw(1, 3, 6, 6)), g.int([0, 0, 1, 1, 0, 0, 1, 1])], { mode: 'reflect' });
  g.conv(p, 3, 4, 3);
});
add('Pad constant with negative pads (crop)', (g) => void g.op('Pad', [g.input(nchw(1, 2, 5, 6)), g.int([0, 0, -1, 2, 0, 0, 1, -2])]));

// Reshape, Flatten, Transpose, Squeeze, Unsqueeze
add('Conv → Reshape [N, -1]', (g) => void g.op('Reshape', [g.conv(g.input(nchw(2, 3, 5, 5)), 3, 4, 3), g.int([2, -1])]));
add('Conv → Reshape [0, 0, -1] (flatten H, W)', (g) => void g.op('Reshape', [g.conv(g.input(nchw(1, 3, 5, 6)), 3, 4, 3, { pads: [1, 1, 1, 1] }), g.int([0, 0, -1])]));
add('Conv → Reshape to rank 5 and back → Conv', (g) => {
  const c = g.conv(g.input(nchw(1, 3, 4, 6)), 3, 4, 1);
  const r = g.op('Reshape', [g.op('Reshape', [c, g.int([1, 2, 2, 4, 6])]), g.int([1, 4, 4, 6])]);
  g.conv(r, 4, 3, 3);
});
for (const axis of [0, 1, 2, 3, -1]) {
  add(`Conv → Flatten axis ${axis}`, (g) => void g.op('Flatten', [g.conv(g.input(nchw(2, 3, 4, 5)), 3, 4, 3, { pads: [1, 1, 1, 1] })], { axis }));
}
for (const perm of [[0, 2, 3, 1], [0, 3, 1, 2], [0, 1, 3, 2], [1, 0, 2, 3], [3, 2, 1, 0]]) {
  add(`Conv → Transpose [${perm}]`, (g) => void g.op('Transpose', [g.conv(g.input(nchw(2, 3, 5, 4)), 3, 6, 3, { pads: [1, 1, 1, 1] })], { perm }));
}
add('Transpose default (reverse) on rank 3', (g) => void g.op('Transpose', [g.input([2, 3, 4])]));
add('Transpose [0, 2, 3, 1] → Transpose [0, 3, 1, 2] round trip → Conv', (g) => {
  const t = g.op('Transpose', [g.op('Transpose', [g.input(nchw(1, 3, 5, 6))], { perm: [0, 2, 3, 1] })], { perm: [0, 3, 1, 2] });
  g.conv(t, 3, 2, 3);
});
add('ShuffleNet channel shuffle: Conv → Reshape → Transpose → Reshape → Conv', (g) => {
  const c = g.conv(g.input(nchw(1, 4, 5, 5)), 4, 6, 1);
  const r = g.op('Reshape', [c, g.int([1, 2, 3, 5, 5])]);
  const t = g.op('Transpose', [r], { perm: [0, 2, 1, 3, 4] });
  g.conv(g.op('Reshape', [t, g.int([1, 6, 5, 5])]), 6, 6, 3, { group: 6, pads: [1, 1, 1, 1] });
});
// Convolutions whose only reader is a Concat along channels write straight into their slice of
// its output; the Concat copies only its other inputs.
add('Inception block: Concat of Conv+ReLU branches (one depthwise, one with a residual Add) and a MaxPool branch', (g) => {
  const x = g.conv(g.input(nchw(1, 3, 7, 6)), 3, 6, 1);
  const a = g.op('Relu', [g.conv(x, 6, 5, 1)]);
  const b = g.op('Relu', [g.conv(g.conv(x, 6, 4, 1), 4, 7, 3, { pads: [1, 1, 1, 1] })]);
  const d = g.conv(x, 6, 6, 3, { group: 6, pads: [1, 1, 1, 1] });
  const r = g.op('Add', [g.conv(x, 6, 6, 1), x]);
  const p = g.op('MaxPool', [x], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1] });
  g.conv(g.op('Concat', [a, p, b, d, r], { axis: 1 }), 30, 8, 1);
});
add('Concat of a Conv output and the graph input (row-major), and of a Conv output another node also reads', (g) => {
  const input = g.input(nchw(1, 3, 5, 5));
  const c1 = g.conv(input, 3, 4, 3, { pads: [1, 1, 1, 1] });
  const c2 = g.conv(input, 3, 5, 1);
  const both = g.op('Concat', [input, c1, c2], { axis: 1 });
  g.op('Add', [g.op('Concat', [c2, g.conv(both, 12, 5, 1)], { axis: 1 }), g.op('Concat', [g.conv(both, 12, 3, 1), g.op('Relu', [g.conv(both, 12, 7, 1)])], { axis: 1 })]);
});
// The shuffle after a Concat writes each part to its shuffled channels in the concat's step:
// two groups (the interleaving kernel, vector body and tail), three groups (strided copies), parts
// holding several groups, and parts that split a group (the concat and the shuffle stay two steps).
for (const [parts, groups] of [[[10, 10], 2], [[4, 4, 4], 3], [[4, 8], 3], [[6, 6], 3], [[2, 6], 2]] as [number[], number][]) {
  const total = parts.reduce((a, b) => a + b, 0);
  add(`ShuffleNet block: Concat [${parts.join(', ')}] → channel shuffle of ${groups} groups → Conv`, (g) => {
    const x = g.input(nchw(1, 3, 5, 4));
    const cat = g.op('Concat', parts.map((oc) => g.conv(x, 3, oc, 1)), { axis: 1 });
    const r = g.op('Reshape', [cat, g.int([1, groups, total / groups, 5, 4])]);
    const t = g.op('Transpose', [r], { perm: [0, 2, 1, 3, 4] });
    g.conv(g.op('Reshape', [t, g.int([1, total, 5, 4])]), total, total, 3, { group: total, pads: [1, 1, 1, 1] });
  });
}
add('GlobalAveragePool → Squeeze [2, 3] → MatMul', (g) => {
  const p = g.op('GlobalAveragePool', [g.conv(g.input(nchw(2, 3, 5, 5)), 3, 6, 3)]);
  g.op('MatMul', [g.op('Squeeze', [p, g.int([2, 3])]), g.weight([6, 4])]);
});
add('Squeeze all unit axes', (g) => void g.op('Squeeze', [g.input([1, 3, 1, 4])]));
add('Squeeze axes attribute (opset 11)', (g) => void g.op('Squeeze', [g.input([1, 3, 1, 4])], { axes: [-2] }), 11);
add('Unsqueeze axes input [0, -1]', (g) => void g.op('Unsqueeze', [g.input([3, 4]), g.int([0, -1])]));
add('Unsqueeze axes attribute [1] (opset 11)', (g) => void g.op('Unsqueeze', [g.input([3, 4])], { axes: [1] }), 11);
add('Reduce → Unsqueeze → Mul (squeeze-and-excitation)', (g) => {
  const c = g.conv(g.input(nchw(1, 3, 5, 5)), 3, 4, 3, { pads: [1, 1, 1, 1] });
  const s = g.op('ReduceMean', [c], { axes: [2, 3], keepdims: 0 });
  const e = g.op('Sigmoid', [g.op('Gemm', [g.op('Relu', [g.op('Gemm', [s, g.weight([2, 4]), g.weight([2])], { transB: 1 })]), g.weight([4, 2]), g.weight([4])], { transB: 1 })]);
  g.op('Mul', [c, g.op('Unsqueeze', [e, g.int([2, 3])])]);
});

// Softmax, LogSoftmax
for (const axis of [1, 2, 3, -1, -3]) {
  add(`Softmax axis ${axis} of a Conv output`, (g) => void g.op('Softmax', [g.conv(g.input(nchw(2, 3, 4, 5), -2, 2), 3, 4, 3, { pads: [1, 1, 1, 1] })], { axis }));
}
add('Softmax default axis on [N, classes]', (g) => void g.op('Softmax', [g.input([3, 10], -5, 5)]));
add('Softmax axis 1 on NCHW, opset 11 (coerced to 2-D)', (g) => void g.op('Softmax', [g.input(nchw(2, 3, 2, 3), -2, 2)], { axis: 1 }), 11);
add('Softmax default axis on NCHW, opset 11', (g) => void g.op('Softmax', [g.input(nchw(2, 3, 2, 3), -2, 2)]), 11);
add('LogSoftmax axis 1 of a Conv output', (g) => void g.op('LogSoftmax', [g.conv(g.input(nchw(1, 3, 4, 5), -2, 2), 3, 6, 3)], { axis: 1 }));
add('LogSoftmax default axis on [N, classes]', (g) => void g.op('LogSoftmax', [g.input([4, 7], -5, 5)]));

// Gather, Expand, Resize
add('Gather channels [2, 0] of a Conv output (axis 1)', (g) => void g.op('Gather', [g.conv(g.input(nchw(1, 3, 4, 4)), 3, 5, 3), g.int([2, 0])], { axis: 1 }));
add('Gather a scalar index on axis 0 (rank drops)', (g) => void g.op('Gather', [g.input([5, 3]), g.int([3], [])]));
add('Gather negative index, axis -1', (g) => void g.op('Gather', [g.input(nchw(1, 2, 3, 4)), g.int([-1, 1, -4], [3])], { axis: -1 }));
add('Gather 2-D indices on axis 2', (g) => void g.op('Gather', [g.input(nchw(1, 2, 5, 3)), g.int([0, 4, 2, 2], [2, 2])], { axis: 2 }));
add('Expand [C, 1, 1] to NCHW', (g) => void g.op('Expand', [g.input([3, 1, 1]), g.int([2, 3, 4, 5])]));
add('Expand [1] to [3, 4] and a shape smaller than the input', (g) => {
  g.op('Add', [g.op('Expand', [g.input([1]), g.int([3, 4])]), g.op('Expand', [g.input([3, 4]), g.int([1, 1])])]);
});
add('Resize nearest asymmetric ×2 after Conv (scales)', (g) => {
  const c = g.conv(g.input(nchw(1, 3, 4, 5)), 3, 4, 3, { pads: [1, 1, 1, 1] });
  g.op('Resize', [c, '', g.weight([4], 0, 0, [1, 1, 2, 2])], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' });
});
add('Resize nearest asymmetric by sizes', (g) => void g.op('Resize', [g.input(nchw(1, 2, 3, 4)), '', '', g.int([1, 2, 6, 12])], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }));
add('Resize nearest default (half_pixel, round_prefer_floor) ×(2, 3)', (g) => void g.op('Resize', [g.input(nchw(1, 2, 3, 4)), '', g.weight([4], 0, 0, [1, 1, 2, 3])], { mode: 'nearest' }));
add('Upsample nearest ×2 (opset 9)', (g) => void g.op('Upsample', [g.input(nchw(1, 2, 3, 4)), g.weight([4], 0, 0, [1, 1, 2, 2])], { mode: 'nearest' }), 9);

// ---- tests ----------------------------------------------------------------------------------

describe('onnxruntime-web agrees with the reference (checks the cases and the reference)', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const ref = referenceOutputs(c);
      check(c, ref, await runOrt(c, onnxModel(c, ref, false)));
    });
  }
});

describe('mapwise runtime agrees with the reference', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const ref = referenceOutputs(c);
      check(c, ref, await runMapwise(c, onnxModel(c, ref)));
    });
  }
});

describe('mapwise runtime refuses what it cannot run', () => {
  const convModel = () => {
    const g = new Graph(new Random(7));
    g.conv(g.input(nchw(1, 3, 8, 8), -1, 1, 'image'), 3, 4, 3, { pads: [1, 1, 1, 1] });
    const c: Case = { name: 'conv', graph: g };
    return { bytes: onnxModel(c, referenceOutputs(c)), input: g.inputs['image']! };
  };

  it('reports its inputs', async () => {
    const { createSession } = await loadRuntime();
    const session = await createSession(convModel().bytes, { source: 'conv.onnx' });
    expect(session.inputs.map((i) => ({ name: i.name, shape: Array.from(i.shape) }))).toEqual([{ name: 'image', shape: [1, 3, 8, 8] }]);
    session.dispose();
  });

  it('an unsupported operator at createSession, naming the op and the node', async () => {
    const { createSession } = await loadRuntime();
    const bytes = model({
      nodes: [node('NonMaxSuppression', ['boxes', 'scores'], ['selected'], {}, 'nms_node')],
      inputs: [valueInfo('boxes', [1, 4, 4]), valueInfo('scores', [1, 1, 4])],
      outputs: [valueInfo('selected', [4, 3], 'int64')],
    });
    await expect(createSession(bytes, { source: 'nms.onnx' })).rejects.toThrow(/NonMaxSuppression[\s\S]*nms_node|nms_node[\s\S]*NonMaxSuppression/);
  });

  it('a custom-domain operator at createSession, naming the op and the node', async () => {
    const { createSession } = await loadRuntime();
    const bytes = model({
      nodes: [node('Relu', ['x'], ['r'], {}, 'relu'), node('FancyActivation', ['r'], ['y'], {}, 'fancy_node', 'com.example')],
      inputs: [valueInfo('x', [1, 2, 3, 3])],
      outputs: [valueInfo('y', [1, 2, 3, 3])],
      domains: { 'com.example': 1 },
    });
    await expect(createSession(bytes, { source: 'custom.onnx' })).rejects.toThrow(/FancyActivation[\s\S]*fancy_node|fancy_node[\s\S]*FancyActivation/);
  });

  it('a wrong input shape at run, naming the input and the expected shape', async () => {
    const { createSession } = await loadRuntime();
    const session = await createSession(convModel().bytes, { source: 'conv.onnx' });
    try {
      const expected = /image[\s\S]*\[?1,\s*3,\s*8,\s*8\]?/;
      await expect(session.run({ image: { data: new Float32Array(3 * 8 * 9), shape: [1, 3, 8, 9] } })).rejects.toThrow(expected);
      await expect(session.run({ image: new Float32Array(10) })).rejects.toThrow(expected);
    } finally {
      session.dispose();
    }
  });

  it('a missing input at run, naming the input and the expected shape', async () => {
    const { createSession } = await loadRuntime();
    const session = await createSession(convModel().bytes, { source: 'conv.onnx' });
    try {
      await expect(session.run({})).rejects.toThrow(/image[\s\S]*\[?1,\s*3,\s*8,\s*8\]?/);
      await expect(session.run({ img: convModel().input.data })).rejects.toThrow(/image/);
    } finally {
      session.dispose();
    }
  });

  it('runs a good input after refusing a bad one', async () => {
    const { createSession } = await loadRuntime();
    const { bytes, input } = convModel();
    const session = await createSession(bytes, { source: 'conv.onnx' });
    try {
      await expect(session.run({ image: new Float32Array(10) })).rejects.toThrow();
      const out = await session.run({ image: input.data });
      expect(Object.values(out)[0]!.shape).toEqual([1, 4, 8, 8]);
    } finally {
      session.dispose();
    }
  });
});
