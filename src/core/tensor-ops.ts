// Typed wrappers over the core's memory-bound tensor ops (assembly/kernels/tensor.ts), for the
// runtime's executor. They take addresses in wasm memory (the runtime's arena and packed
// weights) and check only what the core cannot: everything else was verified when the plan
// was built, so a run makes no allocation and no copy beyond the op itself.
import type { Core } from './core.js';
import type { ConvShape } from './kernels.js';
import type { ThreadPool } from './threads.js';

// Op codes are generated with the core's (scripts/gen-shared.js).
import { BINARY, REDUCE, UNARY } from './generated/shared.js';

export { BINARY, REDUCE, UNARY };
export type UnaryKind = keyof typeof UNARY;
export type BinaryKind = keyof typeof BINARY;
export type ReduceKind = keyof typeof REDUCE;

/** A pooling window over NHWC: a conv shape's window and input (no output channels), with the output size given (ceil_mode decides it). */
export type PoolWindow = Omit<ConvShape, 'oc' | 'groups'> & { readonly ho: number; readonly wo: number };

export const MAX_COPY_RANK = 6;
/** poolRun's arguments (i32). */
const POOL_ARGS = 20;

/** Binary maps at least this large run on the session's threads (one of 32K floats takes about 10 µs). */
const THREADED_MAP_FLOATS = 1 << 15;

/** Below this many floats the copy's innermost run is mostly loop overhead. */
const SHORT_RUN = 8;

/**
 * The same copy with a longer innermost loop where that helps: when the innermost dim is short
 * (NCHW → NHWC of an RGB image: runs of 3) and another dim reads contiguous source, that dim goes
 * innermost, so the kernel runs long strided loops instead of one tiny copy per pixel.
 */
function longInnerLoop(dims: readonly number[], src: readonly number[], dst: readonly number[]): [readonly number[], readonly number[], readonly number[]] {
  const last = dims.length - 1;
  if (last < 1 || dims[last]! >= SHORT_RUN) return [dims, src, dst];
  const unit = src.findIndex((stride, i) => stride === 1 && dims[i]! >= SHORT_RUN);
  if (unit < 0 || unit === last) return [dims, src, dst];
  const order = [...dims.keys()].filter((i) => i !== unit).concat(unit);
  return [order.map((i) => dims[i]!), order.map((i) => src[i]!), order.map((i) => dst[i]!)];
}

export class TensorOps {
  /** Scratch for the arguments of stridedCopy (three i32[6]), selectMap and binaryRun (16 i32), poolRun (20 i32) and affineRun (10 words), allocated once per core. */
  private readonly copyArgs: number;

  constructor(readonly core: Core) {
    this.copyArgs = core.exports.alloc(Math.max(3 * MAX_COPY_RANK, POOL_ARGS) * 4);
  }

  unary(x: number, out: number, length: number, kind: UnaryKind, a = 0, b = 0): void {
    this.core.exports.unaryMap(x, out, length, UNARY[kind], a, b);
  }

  /**
   * out = a ∘ b over a contiguous 4-D output `dims`, with element strides of each operand per
   * dimension (0 broadcasts).
   */
  binary(a: number, b: number, out: number, kind: BinaryKind, dims: readonly number[], stridesA: readonly number[], stridesB: readonly number[], threads?: ThreadPool): void {
    const [d0, d1, d2, d3] = dims as [number, number, number, number];
    const [a0, a1, a2, a3] = stridesA as [number, number, number, number];
    const [b0, b1, b2, b3] = stridesB as [number, number, number, number];
    // A map this small is over before helper threads would have taken their rows.
    if (!threads || kind === 'pow' || d0 * d1 * d2 * d3 < THREADED_MAP_FLOATS || d0 * d1 * d2 < threads.size) {
      return this.core.exports.binaryMap(a, b, out, BINARY[kind], d0, d1, d2, d3, a0, a1, a2, a3, b0, b1, b2, b3);
    }
    new Int32Array(this.core.exports.memory.buffer, this.copyArgs, 16).set([a, b, out, BINARY[kind], d0, d1, d2, d3, a0, a1, a2, a3, b0, b1, b2, b3]);
    threads.run('binaryRun', this.copyArgs);
  }

  /** dst[Σ i·dstStrides] = src[Σ i·srcStrides] over `dims` (rank ≤ 6, padded with leading 1s here). */
  copy(src: number, dst: number, dims0: readonly number[], srcStrides0: readonly number[], dstStrides0: readonly number[]): void {
    const [dims, srcStrides, dstStrides] = longInnerLoop(dims0, srcStrides0, dstStrides0);
    const pad = MAX_COPY_RANK - dims.length;
    if (pad < 0) throw new RangeError(`copy: rank ${dims.length} exceeds ${MAX_COPY_RANK}`);
    const args = new Int32Array(this.core.exports.memory.buffer, this.copyArgs, 3 * MAX_COPY_RANK);
    for (let i = 0; i < MAX_COPY_RANK; i++) {
      const j = i - pad;
      args[i] = j < 0 ? 1 : dims[j]!;
      args[MAX_COPY_RANK + i] = j < 0 ? 0 : srcStrides[j]!;
      args[2 * MAX_COPY_RANK + i] = j < 0 ? 0 : dstStrides[j]!;
    }
    this.core.exports.stridedCopy(src, dst, this.copyArgs, this.copyArgs + MAX_COPY_RANK * 4, this.copyArgs + 2 * MAX_COPY_RANK * 4);
  }

  /** Two groups of k channels interleaved per pixel: dst[2j] = a[j], dst[2j + 1] = b[j] (row strides in floats). */
  interleavePairs(a: number, b: number, dst: number, pixels: number, k: number, aStride: number, bStride: number, dstStride: number): void {
    this.core.exports.interleavePairs(a, b, dst, pixels, k, aStride, bStride, dstStride);
  }

  fill(dst: number, length: number, value: number): void {
    this.core.exports.fillF32(dst, length, value);
  }

  /**
   * dst[o][j][i] = src[o][idx[j]][i] over [outer][dim][inner] → [outer][count][inner]; `idx` is
   * the address of `count` whole numbers stored as f32, a negative one writing `fill`.
   */
  gather(src: number, dst: number, idx: number, outer: number, dim: number, count: number, inner: number, fill = 0): void {
    this.core.exports.gatherRows(src, dst, idx, outer, dim, count, inner, fill);
  }

  /** out = cond != 0 ? a : b over a contiguous 4-D output, with element strides per operand (0 broadcasts). */
  select(cond: number, a: number, b: number, out: number, dims: readonly number[], stridesCond: readonly number[], stridesA: readonly number[], stridesB: readonly number[]): void {
    // The copy scratch (18 i32) holds select's 16 arguments too.
    const args = new Int32Array(this.core.exports.memory.buffer, this.copyArgs, 16);
    for (let i = 0; i < 4; i++) {
      args[i] = dims[i]!;
      args[4 + i] = stridesCond[i]!;
      args[8 + i] = stridesA[i]!;
      args[12 + i] = stridesB[i]!;
    }
    this.core.exports.selectMap(cond, a, b, out, this.copyArgs);
  }

  /** Pooling over NHWC; with a thread pool, its threads take output rows. */
  pool(input: number, output: number, p: PoolWindow, kind: 'max' | 'avg', countIncludePad: boolean, threads?: ThreadPool): void {
    new Int32Array(this.core.exports.memory.buffer, this.copyArgs, POOL_ARGS).set([input, output, p.n, p.h, p.w, p.c, p.ho, p.wo, p.kh, p.kw,
      p.strideH, p.strideW, p.padTop, p.padLeft, p.padBottom, p.padRight, p.dilationH, p.dilationW, kind === 'max' ? 0 : 1, countIncludePad ? 1 : 0]);
    if (threads) threads.run('poolRun', this.copyArgs);
    else this.core.exports.poolRun(this.copyArgs, 0, 1);
  }

  /** out[o][i] = reduce_r x[o][r][i]. */
  reduce(x: number, out: number, outer: number, n: number, inner: number, kind: ReduceKind): void {
    this.core.exports.reduceMiddle(x, out, outer, n, inner, REDUCE[kind]);
  }

  softmax(x: number, out: number, outer: number, n: number, inner: number, log: boolean): void {
    this.core.exports.softmaxMiddle(x, out, outer, n, inner, log ? 1 : 0);
  }

  /**
   * out[o][c][i] = clamp(x·scale[c] + shift[c], lo, hi); channels last (inner 1), x's pixels
   * `xStride` floats apart (c unless x is a channel prefix of a wider tensor).
   */
  channelAffine(x: number, scale: number, shift: number, out: number, outer: number, c: number, inner: number, xStride = c, lo = -Infinity, hi = Infinity, threads?: ThreadPool): void {
    if (!threads) return this.core.exports.channelAffine(x, scale, shift, out, outer, c, inner, xStride, lo, hi);
    // With a thread pool its threads take rows of outer: affineRun's ten words in the scratch.
    const buffer = this.core.exports.memory.buffer;
    new Int32Array(buffer, this.copyArgs, 8).set([x, scale, shift, out, outer, c, inner, xStride]);
    new Float32Array(buffer, this.copyArgs + 32, 2).set([lo, hi]);
    threads.run('affineRun', this.copyArgs);
  }

  /** LayerNormalization over rows of n floats; bias 0 means none. */
  layerNorm(x: number, scale: number, bias: number, out: number, rows: number, n: number, epsilon: number): void {
    this.core.exports.layerNorm(x, scale, bias, out, rows, n, epsilon);
  }

  /** LRN across the c channels of each of `pixels` channels-last pixels (see lrnChannels in the core). */
  lrn(x: number, out: number, pixels: number, c: number, size: number, alpha: number, beta: number, bias: number): void {
    this.core.exports.lrnChannels(x, out, pixels, c, size, alpha, beta, bias);
  }

  /** InstanceNormalization over n channels-last images of `pixels` × c; `stats` is scratch of 4c floats. */
  instanceNorm(x: number, scale: number, bias: number, out: number, stats: number, n: number, pixels: number, c: number, epsilon: number): void {
    this.core.exports.instanceNormChannelsLast(x, scale, bias, out, stats, n, pixels, c, epsilon);
  }

  /** C[m×n] = A[m×k]·B[k×n] row-major (B is usually pre-packed weights in ONNX [k][n] order). */
  gemm(a: number, b: number, c: number, m: number, n: number, k: number): void {
    this.core.exports.gemm(a, b, c, m, n, k);
  }

  /** out = a + b, same length (out may alias either). */
  add(a: number, b: number, out: number, length: number): void {
    this.core.exports.addTensors(a, b, out, length);
  }

}

const perCore = new WeakMap<Core, TensorOps>();

/** The tensor ops of a core; one instance per core, living as long as the core. */
export function tensorOps(core: Core): TensorOps {
  let ops = perCore.get(core);
  if (!ops) {
    ops = new TensorOps(core);
    perCore.set(core, ops);
  }
  return ops;
}
