// Typed wrappers over the core's tensor kernels (assembly/kernels): convolution, depthwise
// convolution, dense, and the cheap ops between them. Activations are NHWC float32; weights
// come in ONNX/PyTorch order (OIHW, dense [out][in]) and are packed once per layer and
// schedule (`packConv`), as inference engines do at model load.
import { anyValues, checkOptions } from '../base/options.js';
import type { Core, F32Buffer } from './core.js';
import { CONV_VARIANTS, DEPTHWISE_VARIANTS } from './generated/variants.js';
import { KERNEL_ERRORS, PLAN_ERROR_LIMIT } from './generated/shared.js';
import { tensorOps, UNARY, type UnaryKind } from './tensor-ops.js';
import type { ThreadPool } from './threads.js';

/**
 * What a convolution applies to its output while it is in cache, in this order: + bias[oc],
 * + residual (a tensor of the output's shape), then an activation. Addresses in wasm memory.
 */
export interface ConvEpilogue {
  readonly bias?: number;
  readonly residual?: number;
  readonly activation?: { readonly kind: UnaryKind; readonly a: number; readonly b: number };
}

/** A 2-D convolution layer over NHWC activations. Pads are in pixels on each side. */
export interface ConvShape {
  readonly n: number;
  readonly h: number;
  readonly w: number;
  /** Input channels. */
  readonly c: number;
  /** Output channels. */
  readonly oc: number;
  readonly kh: number;
  readonly kw: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly padTop: number;
  readonly padLeft: number;
  readonly padBottom: number;
  readonly padRight: number;
  readonly dilationH: number;
  readonly dilationW: number;
  readonly groups: number;
}

export interface ConvShapeOptions {
  n?: number;
  h: number;
  w: number;
  c: number;
  oc: number;
  /** Square kernel size, or give kh and kw. */
  k?: number;
  kh?: number;
  kw?: number;
  stride?: number;
  /** Same padding on every side, or give the four sides. */
  pad?: number;
  padTop?: number;
  padLeft?: number;
  padBottom?: number;
  padRight?: number;
  dilation?: number;
  groups?: number;
}

const SHAPE_SPEC = anyValues(['n', 'h', 'w', 'c', 'oc', 'k', 'kh', 'kw', 'stride', 'pad', 'padTop', 'padLeft', 'padBottom', 'padRight', 'dilation', 'groups']);

/** A validated ConvShape from the usual shorthand (square kernel, one stride, one pad). */
export function convShape(options: ConvShapeOptions): ConvShape {
  checkOptions('convShape', options, SHAPE_SPEC);
  const pad = options.pad ?? 0;
  const shape: ConvShape = {
    n: options.n ?? 1,
    h: options.h,
    w: options.w,
    c: options.c,
    oc: options.oc,
    kh: options.kh ?? options.k ?? 1,
    kw: options.kw ?? options.k ?? 1,
    strideH: options.stride ?? 1,
    strideW: options.stride ?? 1,
    padTop: options.padTop ?? pad,
    padLeft: options.padLeft ?? pad,
    padBottom: options.padBottom ?? pad,
    padRight: options.padRight ?? pad,
    dilationH: options.dilation ?? 1,
    dilationW: options.dilation ?? 1,
    groups: options.groups ?? 1,
  };
  checkConvShape(shape);
  return shape;
}

export function checkConvShape(s: ConvShape): void {
  for (const [key, value] of Object.entries(s)) {
    const min = key.startsWith('pad') ? 0 : 1;
    if (!Number.isInteger(value) || value < min) throw new RangeError(`conv shape: ${key} must be an integer ≥ ${min}, got ${value}`);
  }
  if (s.c % s.groups !== 0 || s.oc % s.groups !== 0) {
    throw new RangeError(`conv shape: groups ${s.groups} must divide c ${s.c} and oc ${s.oc}`);
  }
  const { ho, wo } = convOutputSize(s);
  if (ho < 1 || wo < 1) throw new RangeError(`conv shape: output is empty (${ho}×${wo})`);
}

export function convOutputSize(s: ConvShape): { ho: number; wo: number } {
  const ho = Math.floor((s.h + s.padTop + s.padBottom - s.dilationH * (s.kh - 1) - 1) / s.strideH) + 1;
  const wo = Math.floor((s.w + s.padLeft + s.padRight - s.dilationW * (s.kw - 1) - 1) / s.strideW) + 1;
  return { ho, wo };
}

/** Multiply-adds ×2 of the layer. */
export function convFlops(s: ConvShape): number {
  const { ho, wo } = convOutputSize(s);
  return 2 * s.n * ho * wo * s.oc * (s.c / s.groups) * s.kh * s.kw;
}

/** True when the layer is a depthwise convolution the depthwise kernel runs (multiplier 1). */
export function isDepthwise(s: ConvShape): boolean {
  return s.groups > 1 && s.groups === s.c && s.c === s.oc;
}

export function inputLength(s: ConvShape): number {
  return s.n * s.h * s.w * s.c;
}

export function weightLength(s: ConvShape): number {
  return s.oc * (s.c / s.groups) * s.kh * s.kw;
}

export function outputLength(s: ConvShape): number {
  const { ho, wo } = convOutputSize(s);
  return s.n * ho * wo * s.oc;
}

/**
 * The run-time part of a conv schedule: which generated micro-kernel (register block and
 * unroll) and the cache tiles. Tiles are in output channels, output pixels and input channels.
 */
export interface ConvSchedule {
  readonly kind: 'conv';
  /** Index into CONV_VARIANTS. */
  readonly variant: number;
  readonly tileOC: number;
  readonly tileP: number;
  readonly tileIC: number;
  /** 0..5: oc-p-ic, oc-ic-p, p-oc-ic, p-ic-oc, ic-oc-p, ic-p-oc (outermost first). */
  readonly order: number;
  /**
   * 0: read the NHWC input in place through the indirection buffer; 1: copy it into a
   * zero-padded buffer first so each kernel row is one contiguous reduction of kw·c floats
   * (groups 1 and horizontal dilation 1 only); 2: Winograd F(4×4, 3×3), 3: Winograd F(2×2, 3×3),
   * 4: Winograd F(2×2, 5×5), where the register block runs the GEMMs and tileP counts the tiles a
   * band transforms at once (the other tiles and the order are the direct layouts'; the layouts
   * of `winogradLayouts` only).
   */
  readonly layout: number;
}

/** The schedule of the depthwise kernel. */
export interface DepthwiseSchedule {
  readonly kind: 'depthwise';
  /** Index into DEPTHWISE_VARIANTS. */
  readonly variant: number;
  readonly tileC: number;
  readonly tileP: number;
  /** 0: channel tiles outermost, 1: pixel tiles outermost. */
  readonly order: number;
}

export type Schedule = ConvSchedule | DepthwiseSchedule;

/** A Winograd form F(tile×tile, kernel×kernel). */
export interface WinogradForm {
  readonly tile: 4 | 2;
  readonly kernel: 3 | 5;
}

/** The Winograd layouts of ConvSchedule and their forms: F(4×4, 3×3), F(2×2, 3×3), F(2×2, 5×5). */
export const WINOGRAD_FORMS: Readonly<Record<number, WinogradForm>> = { 2: { tile: 4, kernel: 3 }, 3: { tile: 2, kernel: 3 }, 4: { tile: 2, kernel: 5 } };
/** The 3×3 layouts: the larger output tile first. */
export const WINOGRAD_LAYOUTS = [2, 3] as const;
/** The 5×5 layout. */
export const WINOGRAD_5X5_LAYOUT = 4;

/**
 * The Winograd layouts that run a layer: its kernel's forms where it is k×k (3 or 5), stride 1,
 * dilation 1, one group, channels in fours; none otherwise.
 */
export function winogradLayouts(s: ConvShape): number[] {
  const plain = s.kh === s.kw && s.strideH === 1 && s.strideW === 1 && s.dilationH === 1 && s.dilationW === 1
    && s.groups === 1 && s.c % 4 === 0 && s.oc % 4 === 0;
  return plain ? Object.keys(WINOGRAD_FORMS).map(Number).filter((layout) => WINOGRAD_FORMS[layout]!.kernel === s.kh) : [];
}

/** The form of a Winograd schedule; undefined for the direct and depthwise ones. */
function winogradForm(schedule: Schedule): WinogradForm | undefined {
  return schedule.kind === 'conv' ? WINOGRAD_FORMS[schedule.layout] : undefined;
}

/** How a schedule's weights are packed: the Winograd layouts pack transformed weights. */
function packingOf(schedule: Schedule): PackedWeights['kind'] {
  const form = winogradForm(schedule);
  return form ? `winograd${form.tile}x${form.kernel}` : schedule.kind;
}

/** Refuses a Winograd form for a layer it cannot run. */
function checkWinograd(where: string, s: ConvShape, { tile, kernel }: WinogradForm): void {
  if (s.kh !== kernel || winogradLayouts(s).length === 0) {
    throw new RangeError(`${where}: Winograd F(${tile}×${tile}, ${kernel}×${kernel}) needs a ${kernel}×${kernel}, stride-1, undilated conv of one group with channels in fours`);
  }
}

/** Messages of the core's kernel driver error codes (generated with the core's, scripts/gen-shared.js). */
export { KERNEL_ERRORS };

/** A conv layer planned over fixed addresses (Kernels.planConv): its plan in wasm memory and the kernel that runs it. */
export interface ConvPlan {
  readonly ptr: number;
  readonly run: 'convRun' | 'dwRun' | 'wgRun';
  /** Threads it was planned for (one edge-staging tile each). */
  readonly parts: number;
}

/** Weights packed for one shape and register-block width; only valid with that schedule family. */
export interface PackedWeights {
  readonly buffer: F32Buffer;
  readonly kind: Schedule['kind'] | `winograd${WinogradForm['tile']}x${WinogradForm['kernel']}`;
  /** Output channels per packed block. */
  readonly nr: number;
}

/** Packing width of a schedule: the register block's column count. */
export function packWidth(schedule: Schedule): number {
  const table = schedule.kind === 'conv' ? CONV_VARIANTS : DEPTHWISE_VARIANTS;
  const variant = table[schedule.variant];
  if (!variant) throw new RangeError(`${schedule.kind} schedule: no variant ${schedule.variant}`);
  return variant.nr;
}

/** The tensor kernels of one core. Stateless apart from the core it wraps. */
export class Kernels {
  constructor(readonly core: Core) {}

  /**
   * Packs OIHW weights (held in wasm memory) for `schedule`, subnormal values zeroed (they would
   * put every multiply they meet on the CPU's slow path); free the buffer when done.
   */
  packConv(shape: ConvShape, weights: F32Buffer, schedule: Schedule): PackedWeights {
    const packed = this.packRaw(shape, weights, schedule);
    this.core.exports.flushSubnormals(packed.buffer.ptr, packed.buffer.length);
    return packed;
  }

  private packRaw(shape: ConvShape, weights: F32Buffer, schedule: Schedule): PackedWeights {
    checkConvShape(shape);
    if (weights.length < weightLength(shape)) throw new RangeError(`packConv: ${weights.length} weights, shape needs ${weightLength(shape)}`);
    const nr = packWidth(schedule);
    const e = this.core.exports;
    if (schedule.kind === 'depthwise') {
      if (!isDepthwise(shape)) throw new RangeError('packConv: a depthwise schedule needs groups = c = oc');
      const buffer = this.core.allocF32(e.dwPackedLength(shape.c, shape.kh, shape.kw, nr));
      e.dwPackWeights(weights.ptr, buffer.ptr, shape.c, shape.kh, shape.kw, nr);
      return { buffer, kind: 'depthwise', nr };
    }
    const form = winogradForm(schedule);
    if (form) {
      checkWinograd('packConv', shape, form);
      const buffer = this.core.allocF32(e.wgPackedLength(shape.oc, shape.c, nr, form.tile, form.kernel));
      e.wgPackWeights(weights.ptr, buffer.ptr, shape.oc, shape.c, nr, form.tile, form.kernel);
      return { buffer, kind: packingOf(schedule), nr };
    }
    const cg = shape.c / shape.groups;
    const buffer = this.core.allocF32(e.convPackedLength(shape.oc, cg, shape.kh, shape.kw, shape.groups, nr));
    e.convPackWeights(weights.ptr, buffer.ptr, shape.oc, cg, shape.kh, shape.kw, shape.groups, nr);
    return { buffer, kind: 'conv', nr };
  }

  /**
   * out = conv(input, packed weights) with `schedule`, then the epilogue; all buffers in wasm
   * memory, NHWC. With a thread pool the output is computed in parts at once.
   */
  conv2dInto(shape: ConvShape, input: F32Buffer, packed: PackedWeights, output: F32Buffer, schedule: Schedule, epilogue: ConvEpilogue = {}, pool?: ThreadPool): void {
    const plan = this.planConv(shape, input, packed, output, schedule, epilogue, pool?.size ?? 1);
    try {
      this.runConv(plan, pool);
    } finally {
      this.releaseConv(plan);
    }
  }

  /**
   * Plans a conv layer over fixed addresses, for up to `parts` threads: the indirection and the
   * padded input copy are built once, so a session plans each layer when it binds its steps and
   * then only runs it. Release it with releaseConv.
   */
  planConv(shape: ConvShape, input: F32Buffer, packed: PackedWeights, output: F32Buffer, schedule: Schedule, epilogue: ConvEpilogue = {}, parts = 1, outputStride = shape.oc): ConvPlan {
    if (packed.kind !== packingOf(schedule) || packed.nr !== packWidth(schedule)) {
      throw new RangeError(`conv2d: weights packed for ${packed.kind}/${packed.nr} cannot run a ${packingOf(schedule)}/${packWidth(schedule)} schedule`);
    }
    if (input.length < inputLength(shape)) throw new RangeError(`conv2d: input holds ${input.length} floats, shape needs ${inputLength(shape)}`);
    const s = shape;
    const { ho, wo } = convOutputSize(s);
    // With outputStride > oc the output is a channel slice of a wider NHWC tensor: pixel p's channels start at p·outputStride.
    const spans = (s.n * ho * wo - 1) * outputStride + s.oc;
    if (outputStride < s.oc || output.length < spans) throw new RangeError(`conv2d: output holds ${output.length} floats at ${outputStride} per pixel, shape needs ${spans} at ≥ ${s.oc}`);
    const e = this.core.exports;
    const act = epilogue.activation;
    const tail = [epilogue.bias ?? 0, epilogue.residual ?? 0, act ? UNARY[act.kind] : -1, act?.a ?? 0, act?.b ?? 0] as const;
    const form = winogradForm(schedule);
    if (form) {
      checkWinograd('conv2d', s, form);
      const ptr = e.wgPlan(input.ptr, packed.buffer.ptr, output.ptr, s.n, s.h, s.w, s.c, ho, wo, s.oc, s.padTop, s.padLeft,
        form.tile, form.kernel, schedule.variant, schedule.tileP, parts, outputStride, ...tail);
      if (ptr < PLAN_ERROR_LIMIT) throw new RangeError(`conv2d: ${KERNEL_ERRORS[ptr] ?? `error ${ptr}`}`);
      return { ptr, run: 'wgRun', parts };
    }
    const ptr = schedule.kind === 'depthwise'
      ? e.dwPlan(input.ptr, packed.buffer.ptr, output.ptr, s.n, s.h, s.w, s.c, ho, wo, s.kh, s.kw, s.strideH, s.strideW,
        s.padTop, s.padLeft, s.dilationH, s.dilationW, schedule.variant, schedule.tileC, schedule.tileP, schedule.order, parts, outputStride, ...tail)
      : e.convPlan(input.ptr, packed.buffer.ptr, output.ptr, s.n, s.h, s.w, s.c, ho, wo, s.oc, s.kh, s.kw, s.strideH, s.strideW,
        s.padTop, s.padLeft, s.dilationH, s.dilationW, s.groups, schedule.variant, schedule.tileOC, schedule.tileP, schedule.tileIC,
        schedule.order, schedule.layout, parts, outputStride, ...tail);
    if (ptr < PLAN_ERROR_LIMIT) throw new RangeError(`conv2d: ${KERNEL_ERRORS[ptr] ?? `error ${ptr}`}`);
    return { ptr, run: schedule.kind === 'depthwise' ? 'dwRun' : 'convRun', parts };
  }

  /** Runs a planned conv on the current contents of its input (on `pool`'s threads, at most the plan's parts). */
  runConv(plan: ConvPlan, pool?: ThreadPool): void {
    const e = this.core.exports;
    if (plan.run === 'convRun') e.convPrepare(plan.ptr);
    if (pool) {
      if (pool.size > plan.parts) throw new RangeError(`conv2d: planned for ${plan.parts} threads, run on ${pool.size}`);
      pool.run(plan.run, plan.ptr);
    } else {
      e[plan.run](plan.ptr, 0, 1);
    }
  }

  releaseConv(plan: ConvPlan): void {
    this.core.exports.planRelease(plan.ptr);
  }

  /** conv on plain arrays: NHWC input, OIHW weights → NHWC output. Copies in and out. */
  conv2d(shape: ConvShape, input: ArrayLike<number>, weights: ArrayLike<number>, schedule: Schedule): Float32Array {
    const x = this.core.f32From(input);
    const w = this.core.f32From(weights);
    const y = this.core.allocF32(outputLength(shape));
    let packed: PackedWeights | undefined;
    try {
      packed = this.packConv(shape, w, schedule);
      this.conv2dInto(shape, x, packed, y, schedule);
      return this.core.read(y);
    } finally {
      this.core.free(x, w, y);
      if (packed) this.core.free(packed.buffer);
    }
  }

  /** y[batch][out] = x[batch][in] · W[out][in]ᵀ: a 1×1 convolution over `batch` pixels. */
  dense(x: ArrayLike<number>, weights: ArrayLike<number>, batch: number, inFeatures: number, outFeatures: number, schedule: ConvSchedule): Float32Array {
    return this.conv2d(denseShape(batch, inFeatures, outFeatures), x, weights, schedule);
  }

  /** x[p][c] += bias[c] in place over `x.length / c` pixels. */
  biasAddInto(x: F32Buffer, bias: F32Buffer, channels: number): void {
    if (x.length % channels !== 0 || bias.length < channels) throw new RangeError('biasAdd: x must hold whole pixels and bias one value per channel');
    this.core.exports.biasAdd(x.ptr, bias.ptr, x.length / channels, channels);
  }

  /** ReLU in place; `cap` 6 gives ReLU6. */
  reluInto(x: F32Buffer, cap = 0): void {
    tensorOps(this.core).unary(x.ptr, x.ptr, x.length, cap > 0 ? 'clip' : 'relu', 0, cap);
  }

  addInto(a: F32Buffer, b: F32Buffer, out: F32Buffer): void {
    if (a.length !== b.length || out.length < a.length) throw new RangeError('add: operands must have the same length');
    this.core.exports.addTensors(a.ptr, b.ptr, out.ptr, a.length);
  }

  /** Max or average pooling over NHWC; the pool's window is the shape's kernel (oc = c). */
  poolInto(shape: ConvShape, input: F32Buffer, output: F32Buffer, kind: 'max' | 'avg'): void {
    if (shape.oc !== shape.c) throw new RangeError('pool: oc must equal c');
    if (input.length < inputLength(shape) || output.length < outputLength(shape)) throw new RangeError('pool: buffers too small for the shape');
    tensorOps(this.core).pool(input.ptr, output.ptr, { ...shape, ...convOutputSize(shape) }, kind, false);
  }

  /** Runs one of the cheap ops on copies of plain arrays; for tests and small jobs. */
  withBuffers<T>(arrays: ArrayLike<number>[], fn: (buffers: F32Buffer[]) => T): T {
    const buffers = arrays.map((a) => this.core.f32From(a));
    try {
      return fn(buffers);
    } finally {
      this.core.free(...buffers);
    }
  }
}

/** The conv shape a dense layer runs as: `batch` pixels of 1×1 convolution. */
export function denseShape(batch: number, inFeatures: number, outFeatures: number): ConvShape {
  return convShape({ n: 1, h: 1, w: batch, c: inFeatures, oc: outFeatures });
}
