// Handlers of the compute ops: convolution (with BatchNorm folded into its weights and bias,
// residual add and activation fused as its epilogue), Gemm and MatMul, pooling, and the
// normalisations. Convolutions and pools run channels-last.
import type { F32Buffer } from '../core/core.js';
import { type ConvEpilogue, convOutputSize, type ConvPlan, type ConvShape, type PackedWeights, type Schedule } from '../core/kernels.js';
import type { PoolWindow } from '../core/tensor-ops.js';
import { averagePoolFirst } from '../graph/analysis.js';
import type { GraphNode } from '../graph/types.js';
import { convTask, denseTask, spaceFor, taskKey, untunedConfig } from '../tune/space/index.js';
import { broadcastStrides, contiguousStrides, elementCount, physicalOrder, physicalShape } from './layout.js';
import { attr, attrList, attrString, normaliseAxis, type Handler, type Lowering, type Val } from './lower.js';
import { unaryMapOf, type UnaryMap } from './ops-elementwise.js';
import { transposed } from './fold-constants.js';
import { concatSlice } from './ops-shape.js';

const f = Math.fround;

/** Pads [top, left, bottom, right] from ONNX's pads or auto_pad, for one 2-D window. */
function windowPads(lw: Lowering, node: GraphNode, h: number, w: number, k: readonly number[], s: readonly number[], d: readonly number[]): number[] {
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  if (autoPad === 'NOTSET') {
    const pads = attrList(node, 'pads') ?? [0, 0, 0, 0];
    if (pads.length !== 4) lw.fail(node, `pads must list 4 values for a 2-D window, got ${pads.length}`);
    return [pads[0]!, pads[1]!, pads[2]!, pads[3]!];
  }
  if (autoPad === 'VALID') return [0, 0, 0, 0];
  const total = [h, w].map((size, i) => Math.max(0, (Math.ceil(size / s[i]!) - 1) * s[i]! + (k[i]! - 1) * d[i]! + 1 - size));
  const first = total.map((t) => (autoPad === 'SAME_LOWER' ? Math.ceil(t / 2) : Math.floor(t / 2)));
  return [first[0]!, first[1]!, total[0]! - first[0]!, total[1]! - first[1]!];
}

interface Epilogue {
  /** The tensor the fused group finally writes. */
  readonly output: string;
  readonly residual?: Val;
  readonly activation?: UnaryMap;
}

/**
 * Fuses what follows a producer writing `tensor` in `layout`: a residual Add whose other operand
 * is already computed with the same shape, then an activation. Fused nodes are marked so the
 * lowering skips them.
 */
function fuseEpilogue(lw: Lowering, tensor: string, shape: readonly number[], layout: 'nhwc' | 'rm'): Epilogue {
  let output = tensor;
  let residual: Val | undefined;
  let next = lw.soleReader(output);
  if (next?.op === 'Add') {
    const other = next.inputs.find((i) => i?.name !== output);
    const v = other ? lw.values.get(other.name) : undefined;
    if (v?.buf && v.shape.length === shape.length && v.shape.every((d, i) => d === shape[i])) {
      residual = lw.as(v, layout);
      lw.fused.add(next.id);
      output = next.outputs[0]!.name;
      next = lw.soleReader(output);
    }
  }
  let activation: UnaryMap | undefined;
  const silu = lw.siluNodes(output);
  const gelu = silu ? undefined : lw.geluNodes(output);
  if (silu) {
    activation = { kind: 'silu', a: 0, b: 0 };
    lw.fused.add(silu.sigmoid.id);
    lw.fused.add(silu.mul.id);
    output = silu.mul.outputs[0]!.name;
  } else if (gelu) {
    activation = { kind: 'gelu', a: 0, b: 0 };
    for (const node of gelu) lw.fused.add(node.id);
    output = gelu.at(-1)!.outputs[0]!.name;
  } else if (next && next.outputs.length === 1) {
    activation = unaryMapOf(lw, next);
    if (activation) {
      lw.fused.add(next.id);
      output = next.outputs[0]!.name;
    }
  }
  return { output, ...(residual ? { residual } : {}), ...(activation ? { activation } : {}) };
}

/** Runs the epilogue in place on `length` floats at y. */
function runEpilogue(lw: Lowering, e: Epilogue, ptr: (v: Val) => number, y: number, length: number): () => void {
  const residual = e.residual ? ptr(e.residual) : 0;
  const act = e.activation;
  return () => {
    if (e.residual) lw.ops.add(y, residual, y, length);
    if (act) lw.ops.unary(y, y, length, act.kind, act.a, act.b);
  };
}

/** A conv layer planned once over the step's addresses, for the session's threads; the session releases it. */
function planConv(lw: Lowering, shape: ConvShape, input: F32Buffer, packed: PackedWeights, output: F32Buffer, schedule: Schedule, epilogue: ConvEpilogue, outputStride = shape.oc): ConvPlan {
  const plan = lw.kernels.planConv(shape, input, packed, output, schedule, epilogue, lw.options.pool?.size ?? 1, outputStride);
  lw.plans.push(plan);
  return plan;
}

/** The epilogue as the conv kernel applies it, at the step's addresses. */
function kernelEpilogue(e: Epilogue, ptr: (v: Val) => number, biasAt: number): ConvEpilogue {
  return { bias: biasAt, residual: e.residual ? ptr(e.residual) : 0, ...(e.activation ? { activation: e.activation } : {}) };
}

/** BatchNormalization's per-channel scale and shift, in float32 as the model's arithmetic. */
function batchNormAffine(lw: Lowering, bn: GraphNode): { scale: Float32Array; shift: Float32Array } {
  const gamma = lw.constant(bn, 1, 'scale');
  const beta = lw.constant(bn, 2, 'B');
  const mean = lw.constant(bn, 3, 'mean');
  const variance = lw.constant(bn, 4, 'var');
  const eps = attr(bn, 'epsilon', 1e-5);
  const scale = gamma.map((g, c) => f(g / Math.sqrt(f(variance[c]! + eps))));
  const shift = beta.map((b, c) => f(b - f(mean[c]! * scale[c]!)));
  return { scale, shift };
}

const conv: Handler = (lw, node) => {
  const x0 = lw.need(node, 0, 'X');
  if (x0.shape.length !== 4) lw.fail(node, `only 2-D convolution is supported (input rank ${x0.shape.length})`);
  const weights = lw.weights(node, 1, 'W');
  const [oc, cg, kh, kw] = node.inputs[1]!.shape as [number, number, number, number];
  let bias: Float32Array | undefined = node.inputs[2] ? lw.constant(node, 2, 'B').slice() : undefined;
  const [n, c, h, w] = x0.shape as [number, number, number, number];
  const groups = attr(node, 'group', 1);
  const strides = attrList(node, 'strides') ?? [1, 1];
  const dilations = attrList(node, 'dilations') ?? [1, 1];
  const [padTop, padLeft, padBottom, padRight] = windowPads(lw, node, h, w, [kh, kw], strides, dilations) as [number, number, number, number];
  if (cg * groups !== c) lw.fail(node, `weight has ${cg} input channels per group × ${groups} groups, input has ${c}`);
  let shape: ConvShape = {
    n, h, w, c, oc, kh, kw, strideH: strides[0]!, strideW: strides[1]!, padTop, padLeft, padBottom, padRight,
    dilationH: dilations[0]!, dilationW: dilations[1]!, groups,
  };
  const out = node.outputs[0]!;
  const { ho, wo } = convOutputSize(shape);
  const pixels = n * ho * wo;
  if (out.shape[2] !== ho || out.shape[3] !== wo) lw.fail(node, `output ${ho}×${wo} differs from the model's ${out.shape[2]}×${out.shape[3]}`);

  // BatchNormalization reading only this conv folds into its weights and bias.
  const bn = lw.soleReader(out.name);
  let tensor = out.name;
  let rowScale: Float32Array | undefined; // BatchNorm's scale of each output channel's weights
  if (bn?.op === 'BatchNormalization' && bn.outputs.length === 1 && bn.inputs.slice(1).every((i) => i && i.kind !== 'activation')) {
    const { scale, shift } = batchNormAffine(lw, bn);
    rowScale = scale;
    bias = shift.map((t, o) => f(f((bias?.[o] ?? 0) * scale[o]!) + t));
    lw.fused.add(bn.id);
    tensor = bn.outputs[0]!.name;
  }
  let x = lw.as(x0, 'nhwc');
  let outShape = out.shape;
  // An average pool that alone reads a 1×1 conv's output pools the conv's input instead (see
  // averagePoolFirst): the conv on a quarter of the pixels after DenseNet's 2×2 pools.
  const avg = averagePoolFirst(node, (t) => lw.soleReader(t));
  if (avg) {
    const window = poolWindow(lw, avg, x.shape);
    const pooled = lw.define(`${avg.outputs[0]!.name}#input`, [n, c, window.ho, window.wo], 'nhwc');
    poolStep(lw, avg, x, pooled, window, { output: pooled.name });
    lw.fused.add(avg.id);
    [x, tensor, outShape, shape] = [pooled, avg.outputs[0]!.name, avg.outputs[0]!.shape, { ...shape, h: window.ho, w: window.wo }];
  }
  const epilogue = fuseEpilogue(lw, tensor, outShape, 'nhwc');
  // Straight into a Concat's output where that is its only reader (Inception's branches, SqueezeNet's expands).
  const slice = concatSlice(lw, epilogue.output, outShape);
  const y = slice?.value ?? lw.define(epilogue.output, outShape, 'nhwc');
  const outputStride = slice?.stride ?? oc;

  const task = convTask(node.name, shape);
  const space = spaceFor(task);
  const tunedPoint = lw.options.tuned.get(`${taskKey(task)}@host`);
  if (tunedPoint) lw.tunedLayers.push(node.name);
  const schedule = space.schedule(tunedPoint ? space.config([...tunedPoint]) : untunedConfig(space));
  const unpacked = lw.copyToWasm(weights);
  if (rowScale) scaleRowsInPlace(lw, unpacked, rowScale);
  const packed = lw.kernels.packConv(shape, unpacked, schedule);
  lw.core.free(unpacked);
  lw.packed.push(packed);
  const biasAt = bias ? lw.wasmConstant(bias) : 0;
  const length = elementCount(outShape);
  lw.step(node, [x, epilogue.residual], [y], (ptr) => {
    const input: F32Buffer = { ptr: ptr(x.buf!), length: elementCount(x.shape) };
    const output: F32Buffer = slice
      ? { ptr: ptr(y.buf!) + 4 * slice.channel, length: slice.floats - slice.channel }
      : { ptr: ptr(y.buf!), length };
    const plan = planConv(lw, shape, input, packed, output, schedule, kernelEpilogue(epilogue, (v) => ptr(v.buf!), biasAt), outputStride);
    return () => lw.kernels.runConv(plan, lw.options.pool);
  });
};

/** A bias vector of n values when `v` broadcasts as one ([n], [1, n]); otherwise undefined. */
function rowBias(v: Float32Array, shape: readonly number[], n: number): Float32Array | undefined {
  const nonUnit = shape.filter((d) => d !== 1);
  if (nonUnit.length === 0) return new Float32Array(n).fill(v[0]!);
  return nonUnit.length === 1 && nonUnit[0] === n && shape.at(-1) === n ? v : undefined;
}

/** Row r of a [rows][per] matrix in wasm memory times scale[r], in the core (weights run to millions). */
function scaleRowsInPlace(lw: Lowering, matrix: F32Buffer, scale: Float32Array): void {
  const factors = lw.core.f32From(scale);
  const zeros = lw.core.f32From(new Float32Array(scale.length));
  lw.ops.channelAffine(matrix.ptr, factors.ptr, zeros.ptr, matrix.ptr, 1, scale.length, matrix.length / scale.length);
  lw.core.free(factors, zeros);
}

/**
 * Y[m×n] = A·Bᵀ (+ bias per column) (+ addend, a constant m×n: Gemm's C in other broadcast forms),
 * then a fused epilogue: Gemm and MatMul with a constant B, given as `bt` [n][k] (the conv's [oc][ic]).
 */
function denseStep(lw: Lowering, node: GraphNode, a: Val, bt: Float32Array, bias: Float32Array | undefined, addend: Float32Array | undefined, m: number, k: number, nOut: number, outShape: readonly number[]): void {
  // A following Add of a constant row vector is the Linear layer's bias (MatMul + Add exports).
  let tensor = node.outputs[0]!.name;
  const next = lw.soleReader(tensor);
  if (!bias && next?.op === 'Add') {
    const other = next.inputs.find((i) => i?.name !== tensor);
    const v = other ? lw.values.get(other.name) ?? (other.kind !== 'activation' ? lw.input(next, next.inputs.indexOf(other)) : undefined) : undefined;
    const row = v?.data ? rowBias(v.data, v.shape, nOut) : undefined;
    if (row && next.outputs[0]!.shape.length === outShape.length) {
      bias = row;
      lw.fused.add(next.id);
      tensor = next.outputs[0]!.name;
    }
  }
  const epilogue = fuseEpilogue(lw, tensor, outShape, 'rm');
  const y = lw.define(epilogue.output, outShape, 'rm');
  // A dense layer is a 1×1 convolution over m pixels: its weights are packed once, here, and the
  // tuned configuration of its workload applies as for any conv (the GEMM kernel packs B per call).
  const task = denseTask(node.name, m, k, nOut);
  const space = spaceFor(task);
  const tunedPoint = lw.options.tuned.get(`${taskKey(task)}@host`);
  if (tunedPoint) lw.tunedLayers.push(node.name);
  const schedule = space.schedule(tunedPoint ? space.config([...tunedPoint]) : untunedConfig(space));
  const unpacked = lw.core.f32From(bt);
  const packed = lw.kernels.packConv(task.shape, unpacked, schedule);
  lw.core.free(unpacked);
  lw.packed.push(packed);
  const aAt = lw.address(a);
  const biasAt = bias ? lw.wasmConstant(bias) : 0;
  const addendAt = addend ? lw.wasmConstant(addend) : 0;
  const length = m * nOut;
  lw.step(node, [a, epilogue.residual], [y], (ptr) => {
    const input: F32Buffer = { ptr: aAt(ptr), length: m * k };
    const output: F32Buffer = { ptr: ptr(y.buf!), length };
    if (!addendAt) {
      const plan = planConv(lw, task.shape, input, packed, output, schedule, kernelEpilogue(epilogue, (v) => ptr(v.buf!), biasAt));
      return () => lw.kernels.runConv(plan, lw.options.pool);
    }
    // Gemm's C in a broadcast form comes between the bias and the rest of the epilogue.
    const tail = runEpilogue(lw, epilogue, (v) => ptr(v.buf!), output.ptr, length);
    const plan = planConv(lw, task.shape, input, packed, output, schedule, { bias: biasAt });
    return () => {
      lw.kernels.runConv(plan, lw.options.pool);
      lw.ops.add(output.ptr, addendAt, output.ptr, length);
      tail();
    };
  });
}

const gemm: Handler = (lw, node) => {
  let a = lw.as(lw.need(node, 0, 'A'), 'rm');
  if (a.shape.length !== 2) lw.fail(node, `A must be 2-D, got [${a.shape.join(', ')}]`);
  const alpha = attr(node, 'alpha', 1);
  const beta = attr(node, 'beta', 1);
  const bShape = node.inputs[1]!.shape;
  const transB = attr(node, 'transB', 0) === 1;
  if (attr(node, 'transA', 0) !== 0) {
    // Aᵀ: a constant transposed once, a run-time A by a strided copy before the product.
    const [rows, cols] = a.shape as [number, number];
    if (a.data) {
      a = { name: `${a.name}#T`, shape: [cols, rows], layout: 'rm', data: transposed(a.data, rows, cols) };
    } else {
      const from = a;
      const t = lw.define(`${node.outputs[0]!.name}#At`, [cols, rows], 'rm');
      lw.step(node, [from], [t], (ptr) => {
        const pa = ptr(from.buf!), pt = ptr(t.buf!);
        return () => lw.ops.copy(pa, pt, [cols, rows], [1, cols], [rows, 1]);
      });
      a = t;
    }
  }
  const [m, k] = a.shape as [number, number];
  const nOut = transB ? bShape[0]! : bShape[1]!;
  // The dense step takes B as [n][k]: transB's layout already.
  let bt = lw.constant(node, 1, 'B');
  if (!transB) bt = transposed(bt, k, nOut);
  if (alpha !== 1) bt = bt.map((v) => f(v * f(alpha)));
  let bias: Float32Array | undefined;
  let addend: Float32Array | undefined;
  if (node.inputs[2]) {
    const cShape = node.inputs[2].shape;
    const c = lw.constant(node, 2, 'C').map((v) => f(v * beta));
    bias = rowBias(c, cShape, nOut);
    if (!bias) {
      // [M, 1] or [M, N]: C broadcast to the whole output once, added after the product.
      if (cShape.length > 2 || cShape.some((d, i) => d !== 1 && d !== [m, nOut][i + 2 - cShape.length])) {
        lw.fail(node, `C of shape [${cShape.join(', ')}] does not broadcast to [${m}, ${nOut}]`);
      }
      const [cm, cn] = cShape.length === 2 ? (cShape as [number, number]) : [1, cShape[0] ?? 1];
      addend = Float32Array.from({ length: m * nOut }, (_, i) => c[(cm === 1 ? 0 : Math.floor(i / nOut)) * cn + (cn === 1 ? 0 : i % nOut)]!);
    }
  }
  denseStep(lw, node, a, bt, bias, addend, m, k, nOut, node.outputs[0]!.shape);
};

/**
 * MatMul with numpy semantics: batch dims broadcast on both sides; a 1-D A gains a leading 1 and
 * a 1-D B a trailing 1 (the output shape has them removed already). A constant 2-D B is a dense
 * layer; otherwise one GEMM per batch, at element offsets planned here.
 */
const matmul: Handler = (lw, node) => {
  const a = lw.as(lw.need(node, 0, 'A'), 'rm');
  const bVal = lw.need(node, 1, 'B');
  const out = node.outputs[0]!;
  const aShape = a.shape.length === 1 ? [1, a.shape[0]!] : a.shape;
  const bShape = bVal.shape.length === 1 ? [bVal.shape[0]!, 1] : bVal.shape;
  const k = aShape.at(-1)!;
  if (bShape.at(-2) !== k) lw.fail(node, `inner dims of [${a.shape.join(', ')}] and [${bVal.shape.join(', ')}] differ`);
  const nOut = bShape.at(-1)!;
  const rows = aShape.at(-2)!;
  const batchA = aShape.slice(0, -2);
  const batchB = bShape.slice(0, -2);
  // A 2-D B: A's batch dims fold into its rows.
  if (batchB.length === 0 && bVal.data) return denseStep(lw, node, a, bVal.transposeOf ?? transposed(bVal.data, k, nOut), undefined, undefined, elementCount(aShape) / k, k, nOut, out.shape);
  const b = lw.as(bVal, 'rm');
  const rank = Math.max(batchA.length, batchB.length);
  const batch = Array.from({ length: rank }, (_, i) => {
    const da = batchA[i - rank + batchA.length] ?? 1, db = batchB[i - rank + batchB.length] ?? 1;
    if (da !== db && da !== 1 && db !== 1) lw.fail(node, `batch dims of [${a.shape.join(', ')}] and [${bVal.shape.join(', ')}] do not broadcast`);
    return Math.max(da, db);
  });
  const sa = broadcastStrides(batchA, contiguousStrides(batchA), rank);
  const sb = broadcastStrides(batchB, contiguousStrides(batchB), rank);
  const blocks: [number, number][] = [];
  if (batchB.length === 0) blocks.push([0, 0]);
  else {
    for (let i = 0; i < elementCount(batch); i++) {
      let rest = i, oa = 0, ob = 0;
      for (let d = rank - 1; d >= 0; d--) {
        const j = rest % batch[d]!;
        rest = Math.floor(rest / batch[d]!);
        oa += j * sa[d]!;
        ob += j * sb[d]!;
      }
      blocks.push([oa * rows * k, ob * k * nOut]);
    }
  }
  const m = batchB.length === 0 ? elementCount(aShape) / k : rows;
  if (blocks.length * m * nOut !== elementCount(out.shape)) lw.fail(node, `output [${out.shape.join(', ')}] differs from the product's ${blocks.length} × [${m}, ${nOut}]`);
  const y = lw.define(out.name, out.shape, 'rm');
  const aAt = lw.address(a), bAt = lw.address(b);
  lw.step(node, [a, b], [y], (ptr) => {
    const pa = aAt(ptr), pb = bAt(ptr), py = ptr(y.buf!);
    const calls = blocks.map(([oa, ob], i) => [pa + oa * 4, pb + ob * 4, py + i * m * nOut * 4] as const);
    return () => {
      for (const [xa, xb, xy] of calls) lw.ops.gemm(xa, xb, xy, m, nOut, k);
    };
  });
};

/** A pool's window over a 4-D input of `shape` ([N, C, H, W]), from its attributes. */
function poolWindow(lw: Lowering, node: GraphNode, shape: readonly number[]): PoolWindow {
  const [n, c, h, w] = shape as [number, number, number, number];
  const k = attrList(node, 'kernel_shape');
  if (!k || k.length !== 2) return lw.fail(node, 'kernel_shape must list 2 values');
  const s = attrList(node, 'strides') ?? [1, 1];
  const d = attrList(node, 'dilations') ?? [1, 1];
  const [padTop, padLeft, padBottom, padRight] = windowPads(lw, node, h, w, k, s, d) as [number, number, number, number];
  const out = node.outputs[0]!;
  return {
    n, h, w, c, ho: out.shape[2]!, wo: out.shape[3]!, kh: k[0]!, kw: k[1]!, strideH: s[0]!, strideW: s[1]!,
    padTop, padLeft, padBottom, padRight, dilationH: d[0]!, dilationW: d[1]!,
  };
}

/** Pools x (channels-last) into y over `window`, then the epilogue. */
function poolStep(lw: Lowering, node: GraphNode, x: Val, y: Val, window: PoolWindow, epilogue: Epilogue): void {
  const kind = node.op === 'MaxPool' ? 'max' : 'avg';
  const countPad = attr(node, 'count_include_pad', 0) === 1;
  const length = elementCount(y.shape);
  lw.step(node, [x, epilogue.residual], [y], (ptr) => {
    const px = ptr(x.buf!), py = ptr(y.buf!);
    const tail = runEpilogue(lw, epilogue, (v) => ptr(v.buf!), py, length);
    return () => {
      lw.ops.pool(px, py, window, kind, countPad, lw.options.pool);
      tail();
    };
  });
}

const pool: Handler = (lw, node) => {
  const x0 = lw.need(node, 0, 'X');
  if (x0.shape.length !== 4) lw.fail(node, `only 2-D pooling is supported (input rank ${x0.shape.length})`);
  if (node.outputs.length > 1) lw.fail(node, 'the Indices output is not supported');
  const window = poolWindow(lw, node, x0.shape);
  const out = node.outputs[0]!;
  const epilogue = fuseEpilogue(lw, out.name, out.shape, 'nhwc');
  poolStep(lw, node, lw.as(x0, 'nhwc'), lw.define(epilogue.output, out.shape, 'nhwc'), window, epilogue);
};

const globalPool: Handler = (lw, node) => {
  const x = lw.need(node, 0, 'X');
  const [n, c] = x.shape as [number, number];
  const spatial = elementCount(x.shape.slice(2));
  const out = node.outputs[0]!;
  // Channels-last: average over the pixels of each image; row-major: over each channel's plane.
  const nhwc = x.layout === 'nhwc';
  const y = lw.define(out.name, out.shape, nhwc ? 'nhwc' : 'rm');
  const kind = node.op === 'GlobalMaxPool' ? 'max' : 'mean';
  const xAt = lw.address(x);
  lw.step(node, [x], [y], (ptr) => {
    const px = xAt(ptr), py = ptr(y.buf!);
    return nhwc ? () => lw.ops.reduce(px, py, n, spatial, c, kind) : () => lw.ops.reduce(px, py, n * c, spatial, 1, kind);
  });
};

const batchNorm: Handler = (lw, node) => {
  const x = lw.need(node, 0, 'X');
  const { scale, shift } = batchNormAffine(lw, node);
  const out = node.outputs[0]!;
  const epilogue = fuseEpilogue(lw, out.name, out.shape, x.layout === 'nhwc' ? 'nhwc' : 'rm');
  const y = lw.define(epilogue.output, out.shape, x.layout);
  const c = x.shape[1] ?? 1;
  const [outer, inner] = x.layout === 'nhwc' ? [elementCount(x.shape) / c, 1] : [x.shape[0]!, elementCount(x.shape.slice(2))];
  const scaleAt = lw.wasmConstant(scale), shiftAt = lw.wasmConstant(shift);
  const xAt = lw.address(x);
  const length = elementCount(out.shape);
  // A ReLU or Clip straight after (DenseNet's pre-activations) is the map's clamp, not a pass of its own.
  const act = epilogue.activation;
  const clamp = !epilogue.residual && act && (act.kind === 'relu' || act.kind === 'clip');
  const [lo, hi] = !clamp ? [-Infinity, Infinity] : act.kind === 'relu' ? [0, Infinity] : [act.a, act.b];
  const rest: Epilogue = clamp ? { output: epilogue.output } : epilogue;
  lw.step(node, [x, epilogue.residual], [y], (ptr) => {
    const px = xAt(ptr), py = ptr(y.buf!);
    const tail = runEpilogue(lw, rest, (v) => ptr(v.buf!), py, length);
    return () => {
      lw.ops.channelAffine(px, scaleAt, shiftAt, py, outer, c, inner, x.pixelStride ?? c, lo, hi, lw.options.pool);
      tail();
    };
  });
};

const layerNorm: Handler = (lw, node) => {
  const x = lw.as(lw.need(node, 0, 'X'), 'rm');
  const axis = normaliseAxis(attr(node, 'axis', -1), x.shape.length);
  const n = elementCount(x.shape.slice(axis));
  const rows = elementCount(x.shape) / n;
  const scale = lw.constant(node, 1, 'Scale');
  const bias = node.inputs[2] ? lw.constant(node, 2, 'B') : undefined;
  if (scale.length !== n || (bias && bias.length !== n)) lw.fail(node, `scale and bias must hold ${n} values (broadcast forms are not supported)`);
  const out = node.outputs[0]!;
  const y = lw.define(out.name, out.shape, 'rm');
  const scaleAt = lw.wasmConstant(scale);
  const biasAt = bias ? lw.wasmConstant(bias) : 0;
  const eps = attr(node, 'epsilon', 1e-5);
  lw.step(node, [x], [y], (ptr) => {
    const px = ptr(x.buf!), py = ptr(y.buf!);
    return () => lw.ops.layerNorm(px, scaleAt, biasAt, py, rows, n, eps);
  });
};

/** InstanceNormalization of 4-D inputs (style-transfer networks), channels-last. */
const instanceNorm: Handler = (lw, node) => {
  const input = lw.need(node, 0, 'input');
  if (input.shape.length !== 4) lw.fail(node, `input must be 4-D (N, C, H, W), got [${input.shape.join(', ')}]`);
  const x = lw.as(input, 'nhwc');
  const [n, c] = x.shape as [number, number];
  const scale = lw.constant(node, 1, 'scale');
  const bias = lw.constant(node, 2, 'B');
  if (scale.length !== c || bias.length !== c) lw.fail(node, `scale and B must hold ${c} values, one a channel`);
  const out = node.outputs[0]!;
  const y = lw.define(out.name, out.shape, 'nhwc');
  const stats = lw.define(`${out.name}#stats`, [4 * c], 'rm');
  const scaleAt = lw.wasmConstant(scale), biasAt = lw.wasmConstant(bias);
  const pixels = elementCount(x.shape) / (n * c);
  const eps = attr(node, 'epsilon', 1e-5);
  const xAt = lw.address(x);
  lw.step(node, [x], [y, stats], (ptr) => {
    const px = xAt(ptr), py = ptr(y.buf!), ps = ptr(stats.buf!);
    return () => lw.ops.instanceNorm(px, scaleAt, biasAt, py, ps, n, pixels, c, eps);
  });
};

/** LRN across channels (AlexNet's and GoogLeNet's, as Caffe wrote them), on channels-last N×C×H×W. */
const lrn: Handler = (lw, node) => {
  const input = lw.need(node, 0, 'X');
  if (input.shape.length !== 4) lw.fail(node, `X must be 4-D (N, C, H, W), got [${input.shape.join(', ')}]`);
  const size = attr(node, 'size', 0);
  if (!Number.isInteger(size) || size < 1) lw.fail(node, `attribute 'size' must be a positive integer, got ${size}`);
  const x = lw.as(input, 'nhwc');
  const out = node.outputs[0]!;
  const y = lw.define(out.name, out.shape, 'nhwc');
  const c = x.shape[1]!;
  const pixels = elementCount(x.shape) / c;
  const [alpha, beta, bias] = [attr(node, 'alpha', 1e-4), attr(node, 'beta', 0.75), attr(node, 'bias', 1)];
  const xAt = lw.address(x);
  lw.step(node, [x], [y], (ptr) => {
    const px = xAt(ptr), py = ptr(y.buf!);
    return () => lw.ops.lrn(px, py, pixels, c, size, alpha, beta, bias);
  });
};

const softmax: Handler = (lw, node) => {
  const x0 = lw.need(node, 0, 'input');
  const rank = x0.shape.length;
  const out = node.outputs[0]!;
  const log = node.op === 'LogSoftmax';
  let x: Val, outer: number, n: number, inner: number;
  if (lw.options.opset >= 13) {
    x = x0;
    const axis = normaliseAxis(attr(node, 'axis', -1), rank);
    const phys = physicalShape(x.shape, x.layout);
    const p = physicalOrder(x.layout, rank).indexOf(axis);
    [outer, n, inner] = [elementCount(phys.slice(0, p)), phys[p]!, elementCount(phys.slice(p + 1))];
  } else {
    // Before opset 13 the input is coerced to 2-D at `axis` and normalised along the second dim.
    x = lw.as(x0, 'rm');
    const axis = normaliseAxis(attr(node, 'axis', 1), rank);
    [outer, n, inner] = [elementCount(x.shape.slice(0, axis)), elementCount(x.shape.slice(axis)), 1];
  }
  const y = lw.define(out.name, out.shape, x.layout);
  const xAt = lw.address(x);
  lw.step(node, [x], [y], (ptr) => {
    const px = xAt(ptr), py = ptr(y.buf!);
    return () => lw.ops.softmax(px, py, outer, n, inner, log);
  });
};

export const NN_HANDLERS: Readonly<Record<string, Handler>> = {
  Conv: conv, Gemm: gemm, MatMul: matmul,
  MaxPool: pool, AveragePool: pool, GlobalAveragePool: globalPool, GlobalMaxPool: globalPool,
  BatchNormalization: batchNorm, InstanceNormalization: instanceNorm, LayerNormalization: layerNorm, LRN: lrn, Softmax: softmax, LogSoftmax: softmax,
};
