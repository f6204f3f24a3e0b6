// Plain TypeScript reference for the ONNX operators the runtime in src/run supports, written from
// the ONNX operator specification (opsets 11-17) and used only by tests. Slow on purpose: one pure
// function per operator over row-major logical tensors, every sum accumulated in float64, results
// returned as Float32Array. Integer operands (axes, pads, starts, shapes, indices) are tensors too;
// their float values are read as integers.
//
// Attribute names and defaults are ONNX's. `referenceOp` dispatches by op type, so a test can
// evaluate a small graph node by node.

export interface Tensor {
  shape: number[];
  data: Float32Array;
}

export type Attributes = Record<string, number | string | number[]>;

// ---- shapes and indices ---------------------------------------------------------------------

export function tensor(shape: number[], values: ArrayLike<number>): Tensor {
  const data = Float32Array.from(values);
  if (data.length !== size(shape)) throw new Error(`tensor: ${data.length} values for shape [${shape}]`);
  return { shape: [...shape], data };
}

export function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

/** The multi-index of flat offset `flat` in `shape`. */
function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = shape.length - 1; i >= 0; i--) {
    idx[i] = flat % shape[i]!;
    flat = Math.floor(flat / shape[i]!);
  }
  return idx;
}

/** Calls fn with every multi-index of shape, in row-major order. */
function forEachIndex(shape: readonly number[], fn: (idx: number[]) => void): void {
  const n = size(shape);
  for (let f = 0; f < n; f++) fn(unravel(f, shape));
}

function normalizeAxis(axis: number, rank: number, what = 'axis'): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new Error(`${what} ${axis} out of range for rank ${rank}`);
  return a;
}

/** numpy multidirectional broadcasting of any number of shapes. */
export function broadcastShapes(...shapes: (readonly number[])[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i]!;
      if (d === out[o] || d === 1) continue;
      if (out[o] === 1) out[o] = d;
      else throw new Error(`shapes [${shapes.map((x) => `[${x}]`).join(', ')}] do not broadcast`);
    }
  }
  return out;
}

/** Flat offset into a tensor of `shape` broadcast against an output multi-index `idx`. */
function broadcastOffset(idx: readonly number[], shape: readonly number[]): number {
  let off = 0;
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i]!;
    const j = idx[idx.length - shape.length + i]!;
    off += (d === 1 ? 0 : j) * stride;
    stride *= d;
  }
  return off;
}

/** Reads an integer operand (axes, pads, shape, ...). */
function ints(t: Tensor | null | undefined): number[] | undefined {
  return t ? Array.from(t.data, (v) => Math.trunc(v)) : undefined;
}

function attrInts(attrs: Attributes, name: string): number[] | undefined {
  const v = attrs[name];
  if (v === undefined) return undefined;
  if (typeof v === 'number') return [v];
  if (Array.isArray(v)) return v;
  throw new Error(`attribute ${name} must be ints`);
}

function attrNum(attrs: Attributes, name: string, dflt: number): number {
  const v = attrs[name];
  if (v === undefined) return dflt;
  if (typeof v !== 'number') throw new Error(`attribute ${name} must be a number`);
  return v;
}

function attrStr(attrs: Attributes, name: string, dflt: string): string {
  const v = attrs[name];
  if (v === undefined) return dflt;
  if (typeof v !== 'string') throw new Error(`attribute ${name} must be a string`);
  return v;
}

function need(t: Tensor | null | undefined, what: string): Tensor {
  if (!t) throw new Error(`missing input ${what}`);
  return t;
}

// ---- elementwise ------------------------------------------------------------------------------

export function unary(x: Tensor, f: (v: number) => number): Tensor {
  return { shape: [...x.shape], data: Float32Array.from(x.data, f) };
}

/** Elementwise over any number of inputs with numpy broadcasting. */
export function broadcastMap(inputs: Tensor[], f: (...v: number[]) => number): Tensor {
  const shape = broadcastShapes(...inputs.map((t) => t.shape));
  const data = new Float32Array(size(shape));
  const vals = new Array<number>(inputs.length);
  for (let o = 0; o < data.length; o++) {
    const idx = unravel(o, shape);
    for (let k = 0; k < inputs.length; k++) vals[k] = inputs[k]!.data[broadcastOffset(idx, inputs[k]!.shape)]!;
    data[o] = f(...vals);
  }
  return { shape, data };
}

export const relu = (x: Tensor) => unary(x, (v) => Math.max(0, v));
export const leakyRelu = (x: Tensor, alpha = 0.01) => unary(x, (v) => (v >= 0 ? v : alpha * v));
export const sigmoid = (x: Tensor) => unary(x, sigmoidScalar);
export const hardSigmoid = (x: Tensor, alpha = 0.2, beta = 0.5) => unary(x, (v) => Math.max(0, Math.min(1, alpha * v + beta)));
export const hardSwish = (x: Tensor) => unary(x, (v) => v * Math.max(0, Math.min(1, v / 6 + 0.5)));
export const erf = (x: Tensor) => unary(x, erfScalar);
export const tanh = (x: Tensor) => unary(x, Math.tanh);
export const exp = (x: Tensor) => unary(x, Math.exp);
export const log = (x: Tensor) => unary(x, Math.log);
export const neg = (x: Tensor) => unary(x, (v) => -v);
export const abs = (x: Tensor) => unary(x, Math.abs);
export const reciprocal = (x: Tensor) => unary(x, (v) => 1 / v);
export const sqrt = (x: Tensor) => unary(x, Math.sqrt);

function sigmoidScalar(v: number): number {
  return v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
}

/**
 * erf in float64 to about 1e-15 relative: erf(x) = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)),
 * a series of positive terms (no cancellation) that converges for every x; |x| ≥ 6 gives ±1, as
 * erfc(6) ≈ 2e-17.
 */
export function erfScalar(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax >= 6) return Math.sign(x);
  const x2 = ax * ax;
  let term = ax;
  let sum = ax;
  for (let n = 0; n < 500; n++) {
    term *= (2 * x2) / (2 * n + 3);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return Math.sign(x) * Math.min(1, (2 / Math.sqrt(Math.PI)) * Math.exp(-x2) * sum);
}

/** Clip; for opset ≥ 11 min and max are optional inputs, before that attributes. */
export function clip(x: Tensor, min = -Infinity, max = Infinity): Tensor {
  return unary(x, (v) => Math.min(max, Math.max(min, v)));
}

export const add = (a: Tensor, b: Tensor) => broadcastMap([a, b], (x, y) => x! + y!);
export const sub = (a: Tensor, b: Tensor) => broadcastMap([a, b], (x, y) => x! - y!);
export const mul = (a: Tensor, b: Tensor) => broadcastMap([a, b], (x, y) => x! * y!);
export const div = (a: Tensor, b: Tensor) => broadcastMap([a, b], (x, y) => x! / y!);
export const pow = (a: Tensor, b: Tensor) => broadcastMap([a, b], (x, y) => Math.pow(x!, y!));
/** Max, Min, Sum and Mean over one or more inputs, broadcast together. */
export const max = (...xs: Tensor[]) => broadcastMap(xs, (...v) => Math.max(...v));
export const min = (...xs: Tensor[]) => broadcastMap(xs, (...v) => Math.min(...v));
export const sum = (...xs: Tensor[]) => broadcastMap(xs, (...v) => v.reduce((a, b) => a + b, 0));
export const mean = (...xs: Tensor[]) => broadcastMap(xs, (...v) => v.reduce((a, b) => a + b, 0) / v.length);
/** Where: condition is true where nonzero. */
/** PRelu: x where x ≥ 0, else slope · x, the slope broadcast to X. */
export const prelu = (x: Tensor, slope: Tensor) => broadcastMap([x, slope], (v, s) => (v! < 0 ? v! * s! : v!));

/**
 * LRN across channels (axis 1), as the ONNX spec writes it: x / (bias + alpha / size · Σ x²)^beta,
 * the sum over channels c − ⌊(size − 1) / 2⌋ … c + ⌈(size − 1) / 2⌉ that exist.
 */
export function lrn(x: Tensor, window: number, alpha = 1e-4, beta = 0.75, bias = 1): Tensor {
  const c = x.shape[1]!;
  const inner = size(x.shape.slice(2));
  const data = new Float32Array(x.data.length);
  for (let i = 0; i < x.data.length; i++) {
    const ch = Math.floor(i / inner) % c;
    let sum = 0;
    for (let j = Math.max(0, ch - Math.floor((window - 1) / 2)); j <= Math.min(c - 1, ch + Math.ceil((window - 1) / 2)); j++) sum += x.data[i + (j - ch) * inner]! ** 2;
    data[i] = x.data[i]! / (bias + (alpha / window) * sum) ** beta;
  }
  return { shape: [...x.shape], data };
}

export const where = (c: Tensor, a: Tensor, b: Tensor) => broadcastMap([c, a, b], (k, x, y) => (k !== 0 ? x! : y!));

// ---- convolution and pooling --------------------------------------------------------------

interface Window {
  kernel: number[];
  strides: number[];
  dilations: number[];
  padBegin: number[];
  padEnd: number[];
  out: number[];
}

/**
 * Resolves kernel, strides, dilations, pads and output size per spatial axis, for Conv and the
 * pools. auto_pad SAME_* gives out = ceil(in / stride) and splits the total padding with the odd
 * one at the end (SAME_UPPER) or the beginning (SAME_LOWER). With ceil_mode the output rounds up,
 * but a window that would start in the end padding is dropped (ONNX's and PyTorch's rule).
 */
function resolveWindow(inSpatial: number[], kernel: number[], attrs: Attributes, ceilMode: boolean): Window {
  const k = inSpatial.length;
  if (kernel.length !== k) throw new Error(`kernel_shape [${kernel}] for ${k} spatial axes`);
  const s = attrInts(attrs, 'strides') ?? new Array<number>(k).fill(1);
  const d = attrInts(attrs, 'dilations') ?? new Array<number>(k).fill(1);
  const autoPad = attrStr(attrs, 'auto_pad', 'NOTSET');
  const padBegin = new Array<number>(k).fill(0);
  const padEnd = new Array<number>(k).fill(0);
  const out = new Array<number>(k).fill(0);
  for (let i = 0; i < k; i++) {
    const inn = inSpatial[i]!;
    const ek = (kernel[i]! - 1) * d[i]! + 1; // extent of the dilated kernel
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      const o = Math.ceil(inn / s[i]!);
      const total = Math.max(0, (o - 1) * s[i]! + ek - inn);
      const small = Math.floor(total / 2);
      padBegin[i] = autoPad === 'SAME_UPPER' ? small : total - small;
      padEnd[i] = total - padBegin[i]!;
      out[i] = o;
      continue;
    }
    if (autoPad === 'NOTSET') {
      const pads = attrInts(attrs, 'pads') ?? new Array<number>(2 * k).fill(0);
      padBegin[i] = pads[i]!;
      padEnd[i] = pads[i + k]!;
    } else if (autoPad !== 'VALID') {
      throw new Error(`auto_pad ${autoPad}`);
    }
    const span = inn + padBegin[i]! + padEnd[i]! - ek;
    if (span < 0) throw new Error(`kernel extent ${ek} larger than padded input ${inn + padBegin[i]! + padEnd[i]!}`);
    let o = (ceilMode ? Math.ceil(span / s[i]!) : Math.floor(span / s[i]!)) + 1;
    if (ceilMode && (o - 1) * s[i]! >= inn + padBegin[i]!) o--;
    out[i] = o;
  }
  return { kernel, strides: s, dilations: d, padBegin, padEnd, out };
}

/** Conv (NC + any number of spatial axes), any group count, optional bias. */
export function conv(x: Tensor, w: Tensor, b: Tensor | null | undefined, attrs: Attributes = {}): Tensor {
  const [n, c] = [x.shape[0]!, x.shape[1]!];
  const m = w.shape[0]!;
  const cPerGroup = w.shape[1]!;
  const group = attrNum(attrs, 'group', 1);
  if (c !== cPerGroup * group) throw new Error(`Conv: ${c} input channels, weight [${w.shape}] with group ${group}`);
  if (m % group !== 0) throw new Error(`Conv: ${m} output channels not divisible by group ${group}`);
  const mPerGroup = m / group;
  const inSpatial = x.shape.slice(2);
  const kernel = attrInts(attrs, 'kernel_shape') ?? w.shape.slice(2);
  const win = resolveWindow(inSpatial, kernel, attrs, false);
  const outShape = [n, m, ...win.out];
  const data = new Float32Array(size(outShape));
  const xs = strides(x.shape);
  const ws = strides(w.shape);
  let o = 0;
  for (let ni = 0; ni < n; ni++) {
    for (let mi = 0; mi < m; mi++) {
      const g = Math.floor(mi / mPerGroup);
      forEachIndex(win.out, (op) => {
        let acc = b ? b.data[mi]! : 0;
        for (let ci = 0; ci < cPerGroup; ci++) {
          const xc = ni * xs[0]! + (g * cPerGroup + ci) * xs[1]!;
          const wc = mi * ws[0]! + ci * ws[1]!;
          forEachIndex(kernel, (kp) => {
            let xo = xc;
            let wo = wc;
            for (let a = 0; a < kernel.length; a++) {
              const p = op[a]! * win.strides[a]! - win.padBegin[a]! + kp[a]! * win.dilations[a]!;
              if (p < 0 || p >= inSpatial[a]!) return;
              xo += p * xs[a + 2]!;
              wo += kp[a]! * ws[a + 2]!;
            }
            acc += x.data[xo]! * w.data[wo]!;
          });
        }
        data[o++] = acc;
      });
    }
  }
  return { shape: outShape, data };
}

function pool(x: Tensor, attrs: Attributes, kind: 'max' | 'average'): Tensor {
  const [n, c] = [x.shape[0]!, x.shape[1]!];
  const inSpatial = x.shape.slice(2);
  const kernel = attrInts(attrs, 'kernel_shape');
  if (!kernel) throw new Error('pool: kernel_shape is required');
  const ceilMode = attrNum(attrs, 'ceil_mode', 0) !== 0;
  const countIncludePad = attrNum(attrs, 'count_include_pad', 0) !== 0;
  const win = resolveWindow(inSpatial, kernel, attrs, ceilMode);
  const outShape = [n, c, ...win.out];
  const data = new Float32Array(size(outShape));
  const xs = strides(x.shape);
  let o = 0;
  for (let ni = 0; ni < n; ni++) {
    for (let ci = 0; ci < c; ci++) {
      const base = ni * xs[0]! + ci * xs[1]!;
      forEachIndex(win.out, (op) => {
        let max = -Infinity;
        let sum = 0;
        let inside = 0; // window positions on the input
        let padded = 0; // window positions on the padded input (not past it)
        forEachIndex(kernel, (kp) => {
          let off = base;
          let onInput = true;
          for (let a = 0; a < kernel.length; a++) {
            const p = op[a]! * win.strides[a]! - win.padBegin[a]! + kp[a]! * win.dilations[a]!;
            if (p < -win.padBegin[a]! || p >= inSpatial[a]! + win.padEnd[a]!) return;
            if (p < 0 || p >= inSpatial[a]!) onInput = false;
            else off += p * xs[a + 2]!;
          }
          padded++;
          if (!onInput) return;
          inside++;
          const v = x.data[off]!;
          if (v > max || Number.isNaN(v)) max = v;
          sum += v;
        });
        data[o++] = kind === 'max' ? max : sum / (countIncludePad ? padded : inside);
      });
    }
  }
  return { shape: outShape, data };
}

export const maxPool = (x: Tensor, attrs: Attributes) => pool(x, attrs, 'max');
export const averagePool = (x: Tensor, attrs: Attributes) => pool(x, attrs, 'average');

function globalPool(x: Tensor, kind: 'max' | 'average'): Tensor {
  const [n, c] = [x.shape[0]!, x.shape[1]!];
  const inner = size(x.shape.slice(2));
  const shape = [n, c, ...x.shape.slice(2).map(() => 1)];
  const data = new Float32Array(n * c);
  for (let i = 0; i < n * c; i++) {
    let max = -Infinity;
    let sum = 0;
    for (let j = 0; j < inner; j++) {
      const v = x.data[i * inner + j]!;
      max = Math.max(max, v);
      sum += v;
    }
    data[i] = kind === 'max' ? max : sum / inner;
  }
  return { shape, data };
}

export const globalAveragePool = (x: Tensor) => globalPool(x, 'average');
export const globalMaxPool = (x: Tensor) => globalPool(x, 'max');

// ---- matrix products and normalization --------------------------------------------------------

/** Gemm: alpha·A'·B' + beta·C, A' = transA ? Aᵀ : A, C broadcast to [M, N]. */
export function gemm(a: Tensor, b: Tensor, c: Tensor | null | undefined, attrs: Attributes = {}): Tensor {
  const alpha = attrNum(attrs, 'alpha', 1);
  const beta = attrNum(attrs, 'beta', 1);
  const transA = attrNum(attrs, 'transA', 0) !== 0;
  const transB = attrNum(attrs, 'transB', 0) !== 0;
  const [m, k] = transA ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
  const [kb, n] = transB ? [b.shape[1]!, b.shape[0]!] : [b.shape[0]!, b.shape[1]!];
  if (k !== kb) throw new Error(`Gemm: inner dimensions ${k} and ${kb}`);
  const data = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let p = 0; p < k; p++) {
        const av = transA ? a.data[p * m + i]! : a.data[i * k + p]!;
        const bv = transB ? b.data[j * k + p]! : b.data[p * n + j]!;
        acc += av * bv;
      }
      acc *= alpha;
      if (c) acc += beta * c.data[broadcastOffset([i, j], c.shape)]!;
      data[i * n + j] = acc;
    }
  }
  return { shape: [m, n], data };
}

/** MatMul with numpy semantics: batch axes broadcast, a 1-D operand gains and then loses an axis. */
export function matMul(a: Tensor, b: Tensor): Tensor {
  const as = a.shape.length === 1 ? [1, a.shape[0]!] : a.shape;
  const bs = b.shape.length === 1 ? [b.shape[0]!, 1] : b.shape;
  const [m, k] = [as[as.length - 2]!, as[as.length - 1]!];
  const [kb, n] = [bs[bs.length - 2]!, bs[bs.length - 1]!];
  if (k !== kb) throw new Error(`MatMul: [${a.shape}] × [${b.shape}]`);
  const batchA = as.slice(0, -2);
  const batchB = bs.slice(0, -2);
  const batch = broadcastShapes(batchA, batchB);
  const data = new Float32Array(size(batch) * m * n);
  let o = 0;
  forEachIndex(batch, (bi) => {
    const aOff = broadcastOffset(bi, batchA) * m * k;
    const bOff = broadcastOffset(bi, batchB) * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let p = 0; p < k; p++) acc += a.data[aOff + i * k + p]! * b.data[bOff + p * n + j]!;
        data[o++] = acc;
      }
    }
  });
  const shape = [...batch];
  if (a.shape.length !== 1) shape.push(m);
  if (b.shape.length !== 1) shape.push(n);
  return { shape, data };
}

/** BatchNormalization in inference mode, over axis 1. */
export function batchNormalization(x: Tensor, scale: Tensor, bias: Tensor, mean: Tensor, variance: Tensor, epsilon = 1e-5): Tensor {
  const c = x.shape[1] ?? 1;
  const inner = size(x.shape.slice(2));
  const data = new Float32Array(x.data.length);
  for (let i = 0; i < x.data.length; i++) {
    const ci = Math.floor(i / inner) % c;
    data[i] = ((x.data[i]! - mean.data[ci]!) / Math.sqrt(variance.data[ci]! + epsilon)) * scale.data[ci]! + bias.data[ci]!;
  }
  return { shape: [...x.shape], data };
}

/** InstanceNormalization: per image and channel, over the spatial axes; scale and B per channel. */
export function instanceNormalization(x: Tensor, scale: Tensor, bias: Tensor, epsilon = 1e-5): Tensor {
  const c = x.shape[1]!;
  const inner = size(x.shape.slice(2));
  const data = new Float32Array(x.data.length);
  for (let row = 0; row < x.data.length / inner; row++) {
    const values = Array.from(x.data.subarray(row * inner, (row + 1) * inner));
    const mean = values.reduce((a, v) => a + v, 0) / inner;
    const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / inner;
    const ch = row % c;
    values.forEach((v, j) => {
      data[row * inner + j] = ((v - mean) / Math.sqrt(variance + epsilon)) * scale.data[ch]! + bias.data[ch]!;
    });
  }
  return { shape: [...x.shape], data };
}

/**
 * LayerNormalization over axes [axis, rank); Scale and B broadcast to X. Returns Y, Mean and
 * InvStdDev (the last two with the normalized axes kept as 1).
 */
export function layerNormalization(x: Tensor, scale: Tensor, bias: Tensor | null | undefined, axis = -1, epsilon = 1e-5): Tensor[] {
  const r = x.shape.length;
  const ax = normalizeAxis(axis, r);
  const outer = size(x.shape.slice(0, ax));
  const inner = size(x.shape.slice(ax));
  const data = new Float32Array(x.data.length);
  const meanData = new Float32Array(outer);
  const invData = new Float32Array(outer);
  for (let i = 0; i < outer; i++) {
    let sum = 0;
    for (let j = 0; j < inner; j++) sum += x.data[i * inner + j]!;
    const mean = sum / inner;
    let sq = 0;
    for (let j = 0; j < inner; j++) sq += (x.data[i * inner + j]! - mean) ** 2;
    const inv = 1 / Math.sqrt(sq / inner + epsilon);
    meanData[i] = mean;
    invData[i] = inv;
    for (let j = 0; j < inner; j++) {
      const idx = unravel(i * inner + j, x.shape);
      let v = (x.data[i * inner + j]! - mean) * inv * scale.data[broadcastOffset(idx, scale.shape)]!;
      if (bias) v += bias.data[broadcastOffset(idx, bias.shape)]!;
      data[i * inner + j] = v;
    }
  }
  const statShape = x.shape.map((d, i) => (i < ax ? d : 1));
  return [{ shape: [...x.shape], data }, { shape: statShape, data: meanData }, { shape: [...statShape], data: invData }];
}

/**
 * Softmax and LogSoftmax. From opset 13 along one axis (default -1); before 13 the input is
 * coerced to 2-D [prod(shape[:axis]), prod(shape[axis:])] (default axis 1) and normalized along
 * the second axis.
 */
export function softmax(x: Tensor, axis?: number, opset = 13, logarithm = false): Tensor {
  const r = x.shape.length;
  const ax = normalizeAxis(axis ?? (opset >= 13 ? -1 : 1), r);
  const outer = size(x.shape.slice(0, ax));
  const len = opset >= 13 ? x.shape[ax]! : size(x.shape.slice(ax));
  const inner = opset >= 13 ? size(x.shape.slice(ax + 1)) : 1;
  const data = new Float32Array(x.data.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (j: number) => (o * len + j) * inner + i;
      let max = -Infinity;
      for (let j = 0; j < len; j++) max = Math.max(max, x.data[at(j)]!);
      let sum = 0;
      for (let j = 0; j < len; j++) sum += Math.exp(x.data[at(j)]! - max);
      for (let j = 0; j < len; j++) {
        const v = x.data[at(j)]! - max;
        data[at(j)] = logarithm ? v - Math.log(sum) : Math.exp(v) / sum;
      }
    }
  }
  return { shape: [...x.shape], data };
}

export const logSoftmax = (x: Tensor, axis?: number, opset = 13) => softmax(x, axis, opset, true);

// ---- reductions -----------------------------------------------------------------------------

export type Reduction = 'mean' | 'sum' | 'max' | 'min' | 'prod' | 'sumSquare' | 'l1' | 'l2';

/**
 * Reduce over `axes` (negative allowed). Empty or absent axes reduce every axis, unless
 * noopWithEmptyAxes, which returns the input unchanged.
 */
export function reduce(x: Tensor, kind: Reduction, axes: number[] | undefined, keepdims = true, noopWithEmptyAxes = false): Tensor {
  const r = x.shape.length;
  if (!axes || axes.length === 0) {
    if (noopWithEmptyAxes) return { shape: [...x.shape], data: Float32Array.from(x.data) };
    axes = x.shape.map((_, i) => i);
  }
  const reduced = new Set(axes.map((a) => normalizeAxis(a, r)));
  const keptShape = x.shape.map((d, i) => (reduced.has(i) ? 1 : d));
  const count = size(x.shape.filter((_, i) => reduced.has(i)));
  const init = kind === 'max' ? -Infinity : kind === 'min' ? Infinity : kind === 'prod' ? 1 : 0;
  const acc = new Float64Array(size(keptShape)).fill(init);
  for (let f = 0; f < x.data.length; f++) {
    const idx = unravel(f, x.shape);
    const o = broadcastOffset(idx, keptShape);
    const v = x.data[f]!;
    switch (kind) {
      case 'max': acc[o] = Math.max(acc[o]!, v); break;
      case 'min': acc[o] = Math.min(acc[o]!, v); break;
      case 'prod': acc[o] = acc[o]! * v; break;
      case 'sumSquare': case 'l2': acc[o] = acc[o]! + v * v; break;
      case 'l1': acc[o] = acc[o]! + Math.abs(v); break;
      default: acc[o] = acc[o]! + v;
    }
  }
  const data = Float32Array.from(acc, (v) => (kind === 'mean' ? v / count : kind === 'l2' ? Math.sqrt(v) : v));
  const shape = keepdims ? keptShape : x.shape.filter((_, i) => !reduced.has(i));
  return { shape, data };
}

// ---- data movement --------------------------------------------------------------------------

export function concat(inputs: Tensor[], axis: number): Tensor {
  const first = inputs[0]!;
  const r = first.shape.length;
  const ax = normalizeAxis(axis, r);
  for (const t of inputs) {
    if (t.shape.length !== r || t.shape.some((d, i) => i !== ax && d !== first.shape[i])) {
      throw new Error(`Concat: [${t.shape}] vs [${first.shape}] on axis ${axis}`);
    }
  }
  const shape = [...first.shape];
  shape[ax] = inputs.reduce((s, t) => s + t.shape[ax]!, 0);
  const outer = size(shape.slice(0, ax));
  const data = new Float32Array(size(shape));
  let o = 0;
  for (let i = 0; i < outer; i++) {
    for (const t of inputs) {
      const chunk = size(t.shape.slice(ax));
      data.set(t.data.subarray(i * chunk, (i + 1) * chunk), o);
      o += chunk;
    }
  }
  return { shape, data };
}

/** Slices along one axis: [start, start + length). */
function sliceAxis(x: Tensor, ax: number, start: number, length: number): Tensor {
  const shape = [...x.shape];
  shape[ax] = length;
  const outer = size(x.shape.slice(0, ax));
  const inner = size(x.shape.slice(ax + 1));
  const dim = x.shape[ax]!;
  const data = new Float32Array(size(shape));
  for (let i = 0; i < outer; i++) {
    data.set(x.data.subarray((i * dim + start) * inner, (i * dim + start + length) * inner), i * length * inner);
  }
  return { shape, data };
}

/**
 * Split along axis into parts of the given lengths; without `split`, into `numOutputs` parts of
 * ceil(dim / numOutputs) with a smaller last part (opset 18 semantics; equal parts before).
 */
export function split(x: Tensor, axis = 0, splitLengths?: number[], numOutputs?: number): Tensor[] {
  const ax = normalizeAxis(axis, x.shape.length);
  const dim = x.shape[ax]!;
  let lengths = splitLengths;
  if (!lengths || lengths.length === 0) {
    if (!numOutputs) throw new Error('Split: neither split nor a number of outputs');
    const chunk = Math.ceil(dim / numOutputs);
    lengths = Array.from({ length: numOutputs }, (_, i) => Math.max(0, Math.min(chunk, dim - i * chunk)));
  }
  if (lengths.reduce((a, b) => a + b, 0) !== dim) throw new Error(`Split: lengths [${lengths}] for dimension ${dim}`);
  const out: Tensor[] = [];
  let start = 0;
  for (const len of lengths) {
    out.push(sliceAxis(x, ax, start, len));
    start += len;
  }
  return out;
}

/**
 * Slice (opset ≥ 10 inputs). Negative starts/ends count from the end; starts clamp to [0, dim]
 * (to [0, dim−1] for negative steps) and ends to [0, dim] (to [−1, dim−1]).
 */
export function slice(x: Tensor, starts: number[], ends: number[], axes?: number[], steps?: number[]): Tensor {
  const r = x.shape.length;
  const st = new Array<number>(r).fill(0);
  const step = new Array<number>(r).fill(1);
  const shape = [...x.shape];
  const ax = axes ?? starts.map((_, i) => i);
  for (let i = 0; i < ax.length; i++) {
    const a = normalizeAxis(ax[i]!, r);
    const dim = x.shape[a]!;
    const s = steps?.[i] ?? 1;
    if (s === 0) throw new Error('Slice: step 0');
    let b = starts[i]!;
    let e = ends[i]!;
    if (b < 0) b += dim;
    if (e < 0) e += dim;
    if (s > 0) {
      b = Math.min(Math.max(b, 0), dim);
      e = Math.min(Math.max(e, 0), dim);
    } else {
      b = Math.min(Math.max(b, 0), dim - 1);
      e = Math.min(Math.max(e, -1), dim - 1);
    }
    st[a] = b;
    step[a] = s;
    shape[a] = Math.max(0, Math.ceil((e - b) / s));
  }
  const xs = strides(x.shape);
  const data = new Float32Array(size(shape));
  for (let o = 0; o < data.length; o++) {
    const idx = unravel(o, shape);
    let off = 0;
    for (let a = 0; a < r; a++) off += (st[a]! + idx[a]! * step[a]!) * xs[a]!;
    data[o] = x.data[off]!;
  }
  return { shape, data };
}

/**
 * Pad; pads = [x1_begin, x2_begin, …, x1_end, x2_end, …] over `axes` (all axes by default);
 * negative pads crop. reflect mirrors without repeating the edge, edge repeats it, wrap wraps.
 */
export function pad(x: Tensor, pads: number[], mode = 'constant', value = 0, axes?: number[]): Tensor {
  const r = x.shape.length;
  const ax = (axes ?? x.shape.map((_, i) => i)).map((a) => normalizeAxis(a, r));
  if (pads.length !== 2 * ax.length) throw new Error(`Pad: ${pads.length} pads for ${ax.length} axes`);
  const begin = new Array<number>(r).fill(0);
  const end = new Array<number>(r).fill(0);
  ax.forEach((a, i) => {
    begin[a] = pads[i]!;
    end[a] = pads[i + ax.length]!;
  });
  const shape = x.shape.map((d, i) => d + begin[i]! + end[i]!);
  const xs = strides(x.shape);
  const data = new Float32Array(size(shape));
  for (let o = 0; o < data.length; o++) {
    const idx = unravel(o, shape);
    let off = 0;
    let outside = false;
    for (let a = 0; a < r; a++) {
      const n = x.shape[a]!;
      let p = idx[a]! - begin[a]!;
      if (p < 0 || p >= n) {
        if (mode === 'constant') outside = true;
        else if (mode === 'edge') p = Math.min(Math.max(p, 0), n - 1);
        else if (mode === 'reflect') {
          if (n === 1) p = 0;
          else {
            const period = 2 * (n - 1);
            p = ((p % period) + period) % period;
            if (p >= n) p = period - p;
          }
        } else if (mode === 'wrap') p = ((p % n) + n) % n;
        else throw new Error(`Pad: mode ${mode}`);
      }
      off += p * xs[a]!;
    }
    data[o] = outside ? value : x.data[off]!;
  }
  return { shape, data };
}

/** Reshape with allowzero = 0: a 0 copies the input's dimension, one -1 is inferred. */
export function reshape(x: Tensor, target: number[], allowzero = 0): Tensor {
  const shape = target.map((d, i) => (d === 0 && !allowzero ? x.shape[i]! : d));
  const minus = shape.indexOf(-1);
  if (minus >= 0) {
    const known = size(shape.filter((_, i) => i !== minus));
    shape[minus] = x.data.length / known;
  }
  if (size(shape) !== x.data.length || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new Error(`Reshape: [${x.shape}] to [${target}]`);
  }
  return { shape, data: Float32Array.from(x.data) };
}

export function flatten(x: Tensor, axis = 1): Tensor {
  const r = x.shape.length;
  const a = axis < 0 ? axis + r : axis;
  if (a < 0 || a > r) throw new Error(`Flatten: axis ${axis} for rank ${r}`);
  return { shape: [size(x.shape.slice(0, a)), size(x.shape.slice(a))], data: Float32Array.from(x.data) };
}

export function transpose(x: Tensor, perm?: number[]): Tensor {
  const r = x.shape.length;
  const p = perm ?? x.shape.map((_, i) => r - 1 - i);
  const shape = p.map((a) => x.shape[a]!);
  const xs = strides(x.shape);
  const data = new Float32Array(x.data.length);
  for (let o = 0; o < data.length; o++) {
    const idx = unravel(o, shape);
    let off = 0;
    for (let i = 0; i < r; i++) off += idx[i]! * xs[p[i]!]!;
    data[o] = x.data[off]!;
  }
  return { shape, data };
}

/** Squeeze the given axes (each must be 1), or every axis of size 1 without axes. */
export function squeeze(x: Tensor, axes?: number[]): Tensor {
  const r = x.shape.length;
  const drop = axes && axes.length > 0 ? new Set(axes.map((a) => normalizeAxis(a, r))) : new Set(x.shape.flatMap((d, i) => (d === 1 ? [i] : [])));
  for (const a of drop) if (x.shape[a] !== 1) throw new Error(`Squeeze: axis ${a} of [${x.shape}] is not 1`);
  return { shape: x.shape.filter((_, i) => !drop.has(i)), data: Float32Array.from(x.data) };
}

/** Unsqueeze: axes index the output, negative ones count from its end. */
export function unsqueeze(x: Tensor, axes: number[]): Tensor {
  const r = x.shape.length + axes.length;
  const add = new Set(axes.map((a) => normalizeAxis(a, r)));
  if (add.size !== axes.length) throw new Error(`Unsqueeze: repeated axes [${axes}]`);
  const shape: number[] = [];
  let j = 0;
  for (let i = 0; i < r; i++) shape.push(add.has(i) ? 1 : x.shape[j++]!);
  return { shape, data: Float32Array.from(x.data) };
}

/** Gather along axis; out shape = data[:axis] + indices + data[axis+1:]; negative indices count from the end. */
export function gather(x: Tensor, indices: Tensor, axis = 0): Tensor {
  const r = x.shape.length;
  const ax = normalizeAxis(axis, r);
  const dim = x.shape[ax]!;
  const outer = size(x.shape.slice(0, ax));
  const inner = size(x.shape.slice(ax + 1));
  const idx = ints(indices)!.map((i) => {
    if (i < -dim || i >= dim) throw new Error(`Gather: index ${i} out of range for dimension ${dim}`);
    return i < 0 ? i + dim : i;
  });
  const shape = [...x.shape.slice(0, ax), ...indices.shape, ...x.shape.slice(ax + 1)];
  const data = new Float32Array(size(shape));
  let o = 0;
  for (let i = 0; i < outer; i++) {
    for (const k of idx) {
      data.set(x.data.subarray((i * dim + k) * inner, (i * dim + k + 1) * inner), o);
      o += inner;
    }
  }
  return { shape, data };
}

/** Expand: broadcast x to broadcast(x.shape, shape). */
export function expand(x: Tensor, shape: number[]): Tensor {
  return broadcastMap([x, { shape, data: new Float32Array(size(shape)) }], (v) => v!);
}

/**
 * Resize in 'nearest' mode (and Upsample, which is Resize with asymmetric coordinates and floor).
 * Output size per axis is sizes[i] or floor(in · scales[i]); an output coordinate maps back to the
 * input by coordinate_transformation_mode, then rounds by nearest_mode, then clamps.
 */
export function resizeNearest(x: Tensor, scales: number[] | undefined, sizes: number[] | undefined, attrs: Attributes = {}): Tensor {
  const r = x.shape.length;
  const ctm = attrStr(attrs, 'coordinate_transformation_mode', 'half_pixel');
  const nearest = attrStr(attrs, 'nearest_mode', 'round_prefer_floor');
  const mode = attrStr(attrs, 'mode', 'nearest');
  if (mode !== 'nearest') throw new Error(`Resize: mode ${mode} not in the reference`);
  const outShape = sizes && sizes.length > 0 ? sizes : x.shape.map((d, i) => Math.floor(d * scales![i]!));
  const scale = x.shape.map((d, i) => (scales && scales.length > 0 ? scales[i]! : outShape[i]! / d));
  const source = (o: number, a: number): number => {
    const inn = x.shape[a]!;
    const out = outShape[a]!;
    const s = scale[a]!;
    let c: number;
    switch (ctm) {
      case 'asymmetric': c = o / s; break;
      case 'half_pixel': c = (o + 0.5) / s - 0.5; break;
      case 'pytorch_half_pixel': c = out > 1 ? (o + 0.5) / s - 0.5 : 0; break;
      case 'align_corners': c = out === 1 ? 0 : (o * (inn - 1)) / (out - 1); break;
      case 'tf_half_pixel_for_nn': c = (o + 0.5) / s; break;
      default: throw new Error(`Resize: coordinate_transformation_mode ${ctm}`);
    }
    let i: number;
    switch (nearest) {
      case 'floor': i = Math.floor(c); break;
      case 'ceil': i = Math.ceil(c); break;
      case 'round_prefer_ceil': i = Math.floor(c + 0.5); break;
      case 'round_prefer_floor': i = c === Math.floor(c) + 0.5 ? Math.floor(c) : Math.round(c); break;
      default: throw new Error(`Resize: nearest_mode ${nearest}`);
    }
    return Math.min(Math.max(i, 0), inn - 1);
  };
  const xs = strides(x.shape);
  const data = new Float32Array(size(outShape));
  for (let o = 0; o < data.length; o++) {
    const idx = unravel(o, outShape);
    let off = 0;
    for (let a = 0; a < r; a++) off += source(idx[a]!, a) * xs[a]!;
    data[o] = x.data[off]!;
  }
  return { shape: [...outShape], data };
}

// ---- dispatcher -----------------------------------------------------------------------------

type OpFn = (attrs: Attributes, inputs: (Tensor | null)[], opset: number, numOutputs: number | undefined) => Tensor[];

const one = (t: Tensor): Tensor[] => [t];
const un = (f: (x: Tensor) => Tensor): OpFn => (_a, i) => one(f(need(i[0], 'X')));
const bin = (f: (x: Tensor, y: Tensor) => Tensor): OpFn => (_a, i) => one(f(need(i[0], 'A'), need(i[1], 'B')));

/** Axes of Reduce*, Squeeze, Unsqueeze: an attribute before `inputFrom`, the second input from it on. */
function axesOf(attrs: Attributes, inputs: (Tensor | null)[], opset: number, inputFrom: number): number[] | undefined {
  return opset >= inputFrom ? ints(inputs[1]) : attrInts(attrs, 'axes');
}

function reduceOp(kind: Reduction, inputFrom: number): OpFn {
  return (a, i, opset) =>
    one(reduce(need(i[0], 'data'), kind, axesOf(a, i, opset, inputFrom), attrNum(a, 'keepdims', 1) !== 0, attrNum(a, 'noop_with_empty_axes', 0) !== 0));
}

const OPS: Record<string, OpFn> = {
  Conv: (a, i) => one(conv(need(i[0], 'X'), need(i[1], 'W'), i[2], a)),
  Gemm: (a, i) => one(gemm(need(i[0], 'A'), need(i[1], 'B'), i[2], a)),
  MatMul: bin(matMul),
  BatchNormalization: (a, i) => one(batchNormalization(need(i[0], 'X'), need(i[1], 'scale'), need(i[2], 'B'), need(i[3], 'mean'), need(i[4], 'var'), attrNum(a, 'epsilon', 1e-5))),
  MaxPool: (a, i) => one(maxPool(need(i[0], 'X'), a)),
  AveragePool: (a, i) => one(averagePool(need(i[0], 'X'), a)),
  GlobalAveragePool: un(globalAveragePool),
  GlobalMaxPool: un(globalMaxPool),
  Relu: un(relu),
  LeakyRelu: (a, i) => one(leakyRelu(need(i[0], 'X'), attrNum(a, 'alpha', 0.01))),
  Clip: (a, i, opset) => {
    const x = need(i[0], 'input');
    if (opset < 11) return one(clip(x, attrNum(a, 'min', -Infinity), attrNum(a, 'max', Infinity)));
    return one(clip(x, i[1] ? i[1].data[0]! : -Infinity, i[2] ? i[2].data[0]! : Infinity));
  },
  Sigmoid: un(sigmoid),
  HardSigmoid: (a, i) => one(hardSigmoid(need(i[0], 'X'), attrNum(a, 'alpha', 0.2), attrNum(a, 'beta', 0.5))),
  HardSwish: un(hardSwish),
  Erf: un(erf),
  Tanh: un(tanh),
  Exp: un(exp),
  Log: un(log),
  Neg: un(neg),
  Abs: un(abs),
  Reciprocal: un(reciprocal),
  Sqrt: un(sqrt),
  Add: bin(add),
  Sub: bin(sub),
  Mul: bin(mul),
  Div: bin(div),
  Pow: bin(pow),
  Max: (_a, i) => one(max(...i.map((t, k) => need(t, `data_${k}`)))),
  Min: (_a, i) => one(min(...i.map((t, k) => need(t, `data_${k}`)))),
  Sum: (_a, i) => one(sum(...i.map((t, k) => need(t, `data_${k}`)))),
  Mean: (_a, i) => one(mean(...i.map((t, k) => need(t, `data_${k}`)))),
  Where: (_a, i) => one(where(need(i[0], 'condition'), need(i[1], 'X'), need(i[2], 'Y'))),
  PRelu: (_a, i) => one(prelu(need(i[0], 'X'), need(i[1], 'slope'))),
  LRN: (a, i) => one(lrn(need(i[0], 'X'), attrNum(a, 'size', NaN), attrNum(a, 'alpha', 1e-4), attrNum(a, 'beta', 0.75), attrNum(a, 'bias', 1))),
  ReduceMean: reduceOp('mean', 18),
  ReduceSum: reduceOp('sum', 13),
  ReduceMax: reduceOp('max', 18),
  ReduceMin: reduceOp('min', 18),
  ReduceProd: reduceOp('prod', 18),
  ReduceSumSquare: reduceOp('sumSquare', 18),
  ReduceL1: reduceOp('l1', 18),
  ReduceL2: reduceOp('l2', 18),
  Concat: (a, i) => one(concat(i.map((t, k) => need(t, `input ${k}`)), attrNum(a, 'axis', NaN))),
  Split: (a, i, opset, numOutputs) => {
    const lengths = opset >= 13 ? ints(i[1]) : attrInts(a, 'split');
    const n = a['num_outputs'] !== undefined ? attrNum(a, 'num_outputs', 0) : numOutputs;
    return split(need(i[0], 'input'), attrNum(a, 'axis', 0), lengths, n);
  },
  Slice: (a, i, opset) => {
    const x = need(i[0], 'data');
    if (opset < 10) return one(slice(x, attrInts(a, 'starts')!, attrInts(a, 'ends')!, attrInts(a, 'axes')));
    return one(slice(x, ints(need(i[1], 'starts'))!, ints(need(i[2], 'ends'))!, ints(i[3]), ints(i[4])));
  },
  Pad: (a, i, opset) => {
    const x = need(i[0], 'data');
    const mode = attrStr(a, 'mode', 'constant');
    if (opset < 11) return one(pad(x, attrInts(a, 'pads')!, mode, attrNum(a, 'value', 0)));
    return one(pad(x, ints(need(i[1], 'pads'))!, mode, i[2] ? i[2].data[0]! : 0, ints(i[3])));
  },
  Reshape: (a, i) => one(reshape(need(i[0], 'data'), ints(need(i[1], 'shape'))!, attrNum(a, 'allowzero', 0))),
  Flatten: (a, i) => one(flatten(need(i[0], 'input'), attrNum(a, 'axis', 1))),
  Transpose: (a, i) => one(transpose(need(i[0], 'data'), attrInts(a, 'perm'))),
  Squeeze: (a, i, opset) => one(squeeze(need(i[0], 'data'), axesOf(a, i, opset, 13))),
  Unsqueeze: (a, i, opset) => one(unsqueeze(need(i[0], 'data'), axesOf(a, i, opset, 13)!)),
  Softmax: (a, i, opset) => one(softmax(need(i[0], 'input'), a['axis'] === undefined ? undefined : attrNum(a, 'axis', 0), opset)),
  LogSoftmax: (a, i, opset) => one(logSoftmax(need(i[0], 'input'), a['axis'] === undefined ? undefined : attrNum(a, 'axis', 0), opset)),
  InstanceNormalization: (a, i) => one(instanceNormalization(need(i[0], 'input'), need(i[1], 'scale'), need(i[2], 'B'), attrNum(a, 'epsilon', 1e-5))),
  LayerNormalization: (a, i) => layerNormalization(need(i[0], 'X'), need(i[1], 'Scale'), i[2], attrNum(a, 'axis', -1), attrNum(a, 'epsilon', 1e-5)),
  Dropout: un((x) => ({ shape: [...x.shape], data: Float32Array.from(x.data) })),
  Identity: un((x) => ({ shape: [...x.shape], data: Float32Array.from(x.data) })),
  Gather: (a, i) => one(gather(need(i[0], 'data'), need(i[1], 'indices'), attrNum(a, 'axis', 0))),
  Expand: (_a, i) => one(expand(need(i[0], 'input'), ints(need(i[1], 'shape'))!)),
  Resize: (a, i, opset) => {
    const x = need(i[0], 'X');
    // Opset 10 has (X, scales); 11+ has (X, roi, scales, sizes).
    const scales = opset < 11 ? i[1] : i[2];
    const sizes = opset < 11 ? undefined : ints(i[3]);
    const attrs = opset < 11 ? { ...a, coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' } : a;
    return one(resizeNearest(x, scales && scales.data.length > 0 ? Array.from(scales.data) : undefined, sizes, attrs));
  },
  Upsample: (a, i, opset) => {
    const x = need(i[0], 'X');
    const scales = opset >= 9 ? Array.from(need(i[1], 'scales').data) : (a['scales'] as number[]);
    return one(resizeNearest(x, scales, undefined, { mode: attrStr(a, 'mode', 'nearest'), coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }));
  },
};

/** The op types the reference implements. */
export const referenceOpTypes: readonly string[] = Object.keys(OPS);

/**
 * Evaluates one ONNX node. `inputs` follow the node's input order (null for an omitted optional
 * input); `numOutputs` is the node's output count, which Split without `split` needs.
 */
export function referenceOp(op: string, attributes: Attributes, inputs: (Tensor | null)[], opset = 13, numOutputs?: number): Tensor[] {
  const f = OPS[op];
  if (!f) throw new Error(`reference: no operator ${op}`);
  return f(attributes, inputs, opset, numOutputs);
}

/** One node of a small graph for `evaluateGraph`; an empty input name is an omitted optional input. */
export interface ReferenceNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Attributes;
}

/** Evaluates nodes in the order given (a topological order), starting from `values`; returns every value. */
export function evaluateGraph(nodes: ReferenceNode[], values: Record<string, Tensor>, opset = 13): Record<string, Tensor> {
  const env: Record<string, Tensor> = { ...values };
  for (const n of nodes) {
    const inputs = n.inputs.map((name) => {
      if (name === '') return null;
      const t = env[name];
      if (!t) throw new Error(`evaluateGraph: ${n.op} reads ${name}, which nothing produced`);
      return t;
    });
    const outs = referenceOp(n.op, n.attrs ?? {}, inputs, opset, n.outputs.length);
    n.outputs.forEach((name, i) => {
      if (name !== '' && outs[i]) env[name] = outs[i]!;
    });
  }
  return env;
}
