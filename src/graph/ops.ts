// The ops mapwise knows: for each, how its output shapes follow from its inputs and attributes,
// and how many multiply-accumulates it costs. One table entry per op; a new op is one entry.
// Rules throw plain Errors; the graph builder adds the node's name. Imports nothing of ours
// but types.ts.
import type { Attributes, AttributeValue, DType, NodeInput, Shape } from './types.js';
import { elementCount } from './types.js';

export interface OutType {
  shape: number[];
  dtype: DType;
}

type In = NodeInput | null;

export interface OpRule {
  /** Output types, or null when the op's outputs must be declared (synthetic nodes). */
  infer: ((inputs: readonly In[], attrs: Attributes, outputCount: number) => OutType[]) | null;
  /** Multiply-accumulates; absent means 0. */
  macs?: (inputs: readonly In[], outputs: readonly { readonly shape: Shape }[], attrs: Attributes) => number;
}

// ---- attribute and input helpers -------------------------------------------------------------

function int(attrs: Attributes, key: string, fallback: number): number {
  const v = attrs[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(`attribute ${key} must be an integer`);
  return v;
}

function ints(attrs: Attributes, key: string): number[] | undefined {
  const v: AttributeValue | undefined = attrs[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'number' || !Number.isInteger(x))) {
    throw new Error(`attribute ${key} must be a list of integers`);
  }
  return [...(v as number[])];
}

function str(attrs: Attributes, key: string, fallback: string): string {
  const v = attrs[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'string') throw new Error(`attribute ${key} must be a string`);
  return v;
}

function need(inputs: readonly In[], i: number, what: string): NodeInput {
  const x = inputs[i];
  if (!x) throw new Error(`missing input ${i} (${what})`);
  return x;
}

/** The known integer values of input i (a constant), or undefined when the input is absent. */
function valueOf(inputs: readonly In[], i: number, what: string): number[] | undefined {
  const x = inputs[i];
  if (!x) return undefined;
  if (!x.value) throw new Error(`input ${i} (${what}) must be a constant with known values`);
  return [...x.value];
}

function axis(a: number, rank: number, what = 'axis'): number {
  const r = a < 0 ? a + rank : a;
  if (!Number.isInteger(r) || r < 0 || r >= rank) throw new Error(`${what} ${a} out of range for rank ${rank}`);
  return r;
}

function rankAtLeast(x: NodeInput, rank: number, what: string): void {
  if (x.shape.length < rank) throw new Error(`${what} must have rank >= ${rank}, got [${x.shape.join(', ')}]`);
}

/** Numpy-style broadcast of several shapes. */
export function broadcast(shapes: readonly Shape[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const j = rank - s.length + i;
      const d = s[i]!;
      if (out[j] === 1) out[j] = d;
      else if (d !== 1 && d !== out[j]) {
        throw new Error(`shapes ${shapes.map((x) => `[${x.join(', ')}]`).join(' and ')} do not broadcast`);
      }
    }
  }
  return out;
}

const same = (inputs: readonly In[]): OutType[] => {
  const x = need(inputs, 0, 'X');
  return [{ shape: [...x.shape], dtype: x.dtype }];
};

const elementwise = (inputs: readonly In[]): OutType[] => {
  const present = inputs.filter((x): x is NodeInput => x !== null);
  if (present.length === 0) throw new Error('needs at least one input');
  return [{ shape: broadcast(present.map((x) => x.shape)), dtype: present[0]!.dtype }];
};

const comparison = (inputs: readonly In[]): OutType[] => [{ shape: elementwise(inputs)[0]!.shape, dtype: 'bool' }];

// ---- convolution and pooling windows ---------------------------------------------------------

interface Window {
  kernel: number[];
  strides: number[];
  dilations: number[];
  padsBegin: number[];
  padsEnd: number[];
  autoPad: string;
}

function windowOf(attrs: Attributes, spatial: number, kernel: number[]): Window {
  if (kernel.length !== spatial) throw new Error(`kernel_shape has ${kernel.length} dims for ${spatial} spatial dims`);
  const strides = ints(attrs, 'strides') ?? new Array<number>(spatial).fill(1);
  const dilations = ints(attrs, 'dilations') ?? new Array<number>(spatial).fill(1);
  const pads = ints(attrs, 'pads') ?? new Array<number>(2 * spatial).fill(0);
  if (strides.length !== spatial || dilations.length !== spatial || pads.length !== 2 * spatial) {
    throw new Error('strides, dilations or pads do not match the spatial rank');
  }
  if ([...strides, ...dilations, ...kernel].some((v) => v < 1)) throw new Error('strides, dilations and kernel must be >= 1');
  if (pads.some((v) => v < 0)) throw new Error('pads must be >= 0');
  return { kernel, strides, dilations, padsBegin: pads.slice(0, spatial), padsEnd: pads.slice(spatial), autoPad: str(attrs, 'auto_pad', 'NOTSET') };
}

function windowOutput(input: Shape, w: Window, ceilMode: boolean): number[] {
  return input.map((size, i) => {
    const k = (w.kernel[i]! - 1) * w.dilations[i]! + 1;
    const s = w.strides[i]!;
    let out: number;
    switch (w.autoPad) {
      case 'SAME_UPPER':
      case 'SAME_LOWER':
        out = Math.ceil(size / s);
        break;
      case 'VALID':
        out = Math.floor((size - k) / s) + 1;
        break;
      case 'NOTSET':
      case '': {
        const padded = size + w.padsBegin[i]! + w.padsEnd[i]!;
        out = (ceilMode ? Math.ceil((padded - k) / s) : Math.floor((padded - k) / s)) + 1;
        // A last window that would start inside the end padding is dropped (as PyTorch and ONNX Runtime do).
        if (ceilMode && (out - 1) * s >= size + w.padsBegin[i]!) out--;
        break;
      }
      default:
        throw new Error(`unknown auto_pad '${w.autoPad}'`);
    }
    if (!(out >= 1)) throw new Error(`window of ${k} does not fit input size ${size}`);
    return out;
  });
}

const conv: OpRule = {
  infer(inputs, attrs) {
    const x = need(inputs, 0, 'X');
    const w = need(inputs, 1, 'W');
    rankAtLeast(x, 3, 'X');
    if (w.shape.length !== x.shape.length) throw new Error(`W [${w.shape.join(', ')}] and X [${x.shape.join(', ')}] differ in rank`);
    const group = int(attrs, 'group', 1);
    const [n, c] = x.shape as [number, number];
    const [m, cPerGroup] = w.shape as [number, number];
    if (group < 1 || c !== cPerGroup * group) throw new Error(`X has ${c} channels but W expects ${cPerGroup} x group ${group}`);
    if (m % group !== 0) throw new Error(`${m} output channels do not divide into ${group} groups`);
    const b = inputs[2];
    if (b && (b.shape.length !== 1 || b.shape[0] !== m)) throw new Error(`bias [${b.shape.join(', ')}] does not match ${m} output channels`);
    const kernel = ints(attrs, 'kernel_shape') ?? w.shape.slice(2);
    if (kernel.some((k, i) => k !== w.shape[2 + i])) throw new Error('kernel_shape does not match W');
    const spatial = windowOutput(x.shape.slice(2), windowOf(attrs, x.shape.length - 2, kernel), false);
    return [{ shape: [n, m, ...spatial], dtype: x.dtype }];
  },
  macs(inputs, outputs) {
    const w = inputs[1]!;
    // N * Cout * spatial_out * (Cin / group) * prod(kernel)
    return elementCount(outputs[0]!.shape) * elementCount(w.shape.slice(1));
  },
};

const convTranspose: OpRule = {
  infer(inputs, attrs) {
    const x = need(inputs, 0, 'X');
    const w = need(inputs, 1, 'W');
    rankAtLeast(x, 3, 'X');
    if (w.shape.length !== x.shape.length) throw new Error('W and X differ in rank');
    const group = int(attrs, 'group', 1);
    const [n, c] = x.shape as [number, number];
    if (group < 1 || w.shape[0] !== c || c % group !== 0) throw new Error(`X has ${c} channels but W has ${w.shape[0]}`);
    const m = w.shape[1]! * group;
    const spatialRank = x.shape.length - 2;
    const kernel = ints(attrs, 'kernel_shape') ?? w.shape.slice(2);
    const win = windowOf(attrs, spatialRank, kernel);
    const outputShape = ints(attrs, 'output_shape');
    const outputPadding = ints(attrs, 'output_padding') ?? new Array<number>(spatialRank).fill(0);
    const spatial = x.shape.slice(2).map((size, i) => {
      if (outputShape) return outputShape[outputShape.length - spatialRank + i]!;
      const full = win.strides[i]! * (size - 1) + outputPadding[i]! + (kernel[i]! - 1) * win.dilations[i]! + 1;
      if (win.autoPad === 'SAME_UPPER' || win.autoPad === 'SAME_LOWER') return size * win.strides[i]!;
      if (win.autoPad === 'VALID') return full;
      return full - win.padsBegin[i]! - win.padsEnd[i]!;
    });
    if (spatial.some((s) => !(s >= 1))) throw new Error('output size is not positive');
    return [{ shape: [n, m, ...spatial], dtype: x.dtype }];
  },
  macs(inputs) {
    // Every input pixel scatters into (Cout / group) * prod(kernel) outputs.
    return elementCount(inputs[0]!.shape) * elementCount(inputs[1]!.shape.slice(1));
  },
};

function pool(inputs: readonly In[], attrs: Attributes, outputCount: number): OutType[] {
  const x = need(inputs, 0, 'X');
  rankAtLeast(x, 3, 'X');
  const kernel = ints(attrs, 'kernel_shape');
  if (!kernel) throw new Error('kernel_shape is required');
  const spatial = windowOutput(x.shape.slice(2), windowOf(attrs, x.shape.length - 2, kernel), int(attrs, 'ceil_mode', 0) === 1);
  const shape = [x.shape[0]!, x.shape[1]!, ...spatial];
  const out: OutType[] = [{ shape, dtype: x.dtype }];
  if (outputCount > 1) out.push({ shape: [...shape], dtype: 'int64' });
  return out;
}

const globalPool = (inputs: readonly In[]): OutType[] => {
  const x = need(inputs, 0, 'X');
  rankAtLeast(x, 3, 'X');
  return [{ shape: [x.shape[0]!, x.shape[1]!, ...x.shape.slice(2).map(() => 1)], dtype: x.dtype }];
};

// ---- matrix products -------------------------------------------------------------------------

const gemm: OpRule = {
  infer(inputs, attrs) {
    const a = need(inputs, 0, 'A');
    const b = need(inputs, 1, 'B');
    if (a.shape.length !== 2 || b.shape.length !== 2) throw new Error('A and B must be matrices');
    const [m, ka] = int(attrs, 'transA', 0) ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
    const [kb, n] = int(attrs, 'transB', 0) ? [b.shape[1]!, b.shape[0]!] : [b.shape[0]!, b.shape[1]!];
    if (ka !== kb) throw new Error(`inner dimensions differ: ${ka} and ${kb}`);
    const c = inputs[2];
    if (c) broadcast([c.shape, [m, n]]);
    return [{ shape: [m, n], dtype: a.dtype }];
  },
  macs(inputs, outputs, attrs) {
    const a = inputs[0]!;
    const k = int(attrs, 'transA', 0) ? a.shape[0]! : a.shape[1]!;
    return elementCount(outputs[0]!.shape) * k;
  },
};

const matmul: OpRule = {
  infer(inputs) {
    const a = need(inputs, 0, 'A');
    const b = need(inputs, 1, 'B');
    if (a.shape.length === 0 || b.shape.length === 0) throw new Error('MatMul of a scalar');
    const as = a.shape.length === 1 ? [1, a.shape[0]!] : [...a.shape];
    const bs = b.shape.length === 1 ? [b.shape[0]!, 1] : [...b.shape];
    const k = as[as.length - 1]!;
    if (k !== bs[bs.length - 2]) throw new Error(`inner dimensions differ: [${a.shape.join(', ')}] x [${b.shape.join(', ')}]`);
    const batch = broadcast([as.slice(0, -2), bs.slice(0, -2)]);
    const shape = [...batch];
    if (a.shape.length > 1) shape.push(as[as.length - 2]!);
    if (b.shape.length > 1) shape.push(bs[bs.length - 1]!);
    return [{ shape, dtype: a.dtype }];
  },
  macs(inputs, outputs) {
    const a = inputs[0]!;
    return elementCount(outputs[0]!.shape) * a.shape[a.shape.length - 1]!;
  },
};

// ---- shape manipulation ----------------------------------------------------------------------

const concat = (inputs: readonly In[], attrs: Attributes): OutType[] => {
  const xs = inputs.filter((x): x is NodeInput => x !== null);
  if (xs.length === 0) throw new Error('needs at least one input');
  const rank = xs[0]!.shape.length;
  const ax = axis(int(attrs, 'axis', 0), rank);
  const shape = [...xs[0]!.shape];
  shape[ax] = 0;
  for (const x of xs) {
    if (x.shape.length !== rank || x.shape.some((d, i) => i !== ax && d !== xs[0]!.shape[i])) {
      throw new Error(`inputs [${xs.map((y) => y.shape.join('x')).join('], [')}] differ outside axis ${ax}`);
    }
    shape[ax]! += x.shape[ax]!;
  }
  return [{ shape, dtype: xs[0]!.dtype }];
};

const split = (inputs: readonly In[], attrs: Attributes, outputCount: number): OutType[] => {
  const x = need(inputs, 0, 'X');
  const ax = axis(int(attrs, 'axis', 0), x.shape.length);
  const size = x.shape[ax]!;
  let parts = valueOf(inputs, 1, 'split') ?? ints(attrs, 'split');
  if (!parts) {
    const n = int(attrs, 'num_outputs', outputCount);
    const chunk = Math.ceil(size / n);
    parts = Array.from({ length: n }, (_, i) => Math.min(chunk, size - chunk * i));
  }
  if (parts.length !== outputCount) throw new Error(`${parts.length} parts for ${outputCount} outputs`);
  if (parts.some((p) => p < 1) || parts.reduce((s, p) => s + p, 0) !== size) throw new Error(`split [${parts.join(', ')}] does not sum to ${size}`);
  return parts.map((p) => {
    const shape = [...x.shape];
    shape[ax] = p;
    return { shape, dtype: x.dtype };
  });
};

function sliceBounds(size: number, start: number, end: number, step: number): number {
  if (step === 0) throw new Error('slice step 0');
  const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);
  let s = start < 0 ? start + size : start;
  let e = end < 0 ? end + size : end;
  if (step > 0) {
    s = clamp(s, 0, size);
    e = clamp(e, 0, size);
    return Math.max(0, Math.ceil((e - s) / step));
  }
  s = clamp(s, -1, size - 1);
  e = clamp(e, -1, size - 1);
  return Math.max(0, Math.ceil((e - s) / step));
}

/** The output shape of Slice; shared with constant folding. */
export function sliceShape(shape: Shape, starts: number[], ends: number[], axes: number[] | undefined, steps: number[] | undefined): number[] {
  const out = [...shape];
  const ax = axes ?? starts.map((_, i) => i);
  if (ends.length !== starts.length || ax.length !== starts.length || (steps && steps.length !== starts.length)) {
    throw new Error('starts, ends, axes and steps differ in length');
  }
  ax.forEach((a, i) => {
    const r = axis(a, shape.length);
    out[r] = sliceBounds(shape[r]!, starts[i]!, ends[i]!, steps ? steps[i]! : 1);
  });
  return out;
}

const slice = (inputs: readonly In[], attrs: Attributes): OutType[] => {
  const x = need(inputs, 0, 'X');
  const starts = valueOf(inputs, 1, 'starts') ?? ints(attrs, 'starts');
  const ends = valueOf(inputs, 2, 'ends') ?? ints(attrs, 'ends');
  if (!starts || !ends) throw new Error('starts and ends are required');
  const shape = sliceShape(x.shape, starts, ends, valueOf(inputs, 3, 'axes') ?? ints(attrs, 'axes'), valueOf(inputs, 4, 'steps'));
  if (shape.some((d) => d === 0)) throw new Error(`slice gives an empty tensor [${shape.join(', ')}]`);
  return [{ shape, dtype: x.dtype }];
};

/** The output shape of Reshape; shared with constant folding. */
export function reshapeShape(input: Shape, target: readonly number[], allowZero: boolean): number[] {
  const out = target.map((d, i) => (d === 0 && !allowZero ? input[i] : d));
  if (out.some((d) => d === undefined || d < -1)) throw new Error(`bad reshape target [${target.join(', ')}]`);
  const total = elementCount(input);
  const minus = out.filter((d) => d === -1).length;
  if (minus > 1) throw new Error('more than one -1 in reshape target');
  const known = (out as number[]).reduce((p, d) => (d === -1 ? p : p * d), 1);
  if (minus === 1) {
    if (known === 0 || total % known !== 0) throw new Error(`cannot reshape [${input.join(', ')}] to [${target.join(', ')}]`);
    return (out as number[]).map((d) => (d === -1 ? total / known : d));
  }
  if (known !== total) throw new Error(`cannot reshape [${input.join(', ')}] (${total} elements) to [${target.join(', ')}]`);
  return out as number[];
}

const reshape = (inputs: readonly In[], attrs: Attributes): OutType[] => {
  const x = need(inputs, 0, 'X');
  const target = valueOf(inputs, 1, 'shape') ?? ints(attrs, 'shape');
  if (!target) throw new Error('target shape is required');
  return [{ shape: reshapeShape(x.shape, target, int(attrs, 'allowzero', 0) === 1), dtype: x.dtype }];
};

const flatten = (inputs: readonly In[], attrs: Attributes): OutType[] => {
  const x = need(inputs, 0, 'X');
  const rank = x.shape.length;
  const a = int(attrs, 'axis', 1);
  const ax = a < 0 ? a + rank : a;
  if (ax < 0 || ax > rank) throw new Error(`axis ${a} out of range for rank ${rank}`);
  return [{ shape: [elementCount(x.shape.slice(0, ax)), elementCount(x.shape.slice(ax))], dtype: x.dtype }];
};

const transpose = (inputs: readonly In[], attrs: Attributes): OutType[] => {
  const x = need(inputs, 0, 'X');
  const rank = x.shape.length;
  const perm = ints(attrs, 'perm') ?? x.shape.map((_, i) => rank - 1 - i);
  if (perm.length !== rank || new Set(perm.map((p) => axis(p, rank, 'perm entry'))).size !== rank) throw new Error(`bad perm [${perm.join(', ')}]`);
  return [{ shape: perm.map((p) => x.shape[axis(p, rank)]!), dtype: x.dtype }];
};

/** The output shape of Unsqueeze; shared with constant folding. */
export function unsqueezeShape(shape: Shape, axes: readonly number[]): number[] {
  const rank = shape.length + axes.length;
  const at = new Set(axes.map((a) => axis(a, rank)));
  if (at.size !== axes.length) throw new Error('repeated unsqueeze axis');
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) out.push(at.has(i) ? 1 : shape[j++]!);
  return out;
}

/** The output shape of Squeeze; shared with constant folding. */
export function squeezeShape(shape: Shape, axes: readonly number[] | undefined): number[] {
  if (!axes) return shape.filter((d) => d !== 1);
  const at = new Set(axes.map((a) => axis(a, shape.length)));
  for (const a of at) if (shape[a] !== 1) throw new Error(`cannot squeeze axis ${a} of size ${shape[a]}`);
  return shape.filter((_, i) => !at.has(i));
}

const unsqueeze = (inputs: readonly In[], attrs: Attributes): OutType[] => {
  const x = need(inputs, 0, 'X');
  const axes = valueOf(inputs, 1, 'axes') ?? ints(attrs, 'axes');
  if (!axes) throw new Error('axes are required');
  return [{ shape: unsqueezeShape(x.shape, axes), dtype: x.dtype }];
};

const squeeze = (inputs: readonly In[], attrs: Attributes): OutType[] => {
  const x = need(inputs, 0, 'X');
  return [{ shape: squeezeShape(x.shape, valueOf(inputs, 1, 'axes') ?? ints(attrs, 'axes')), dtype: x.dtype }];
};

/** The output shape of Gather; shared with constant folding. */
export function gatherShape(data: Shape, indices: Shape, ax: number): number[] {
  const a = axis(ax, data.length);
  return [...data.slice(0, a), ...indices, ...data.slice(a + 1)];
}

const gather = (inputs: readonly In[], attrs: Attributes): OutType[] => {
  const data = need(inputs, 0, 'data');
  const indices = need(inputs, 1, 'indices');
  return [{ shape: gatherShape(data.shape, indices.shape, int(attrs, 'axis', 0)), dtype: data.dtype }];
};

const pad = (inputs: readonly In[], attrs: Attributes): OutType[] => {
  const x = need(inputs, 0, 'X');
  const rank = x.shape.length;
  const pads = valueOf(inputs, 1, 'pads') ?? ints(attrs, 'pads');
  if (!pads) throw new Error('pads are required');
  const axes = (valueOf(inputs, 3, 'axes') ?? x.shape.map((_, i) => i)).map((a) => axis(a, rank));
  if (pads.length !== 2 * axes.length) throw new Error(`${pads.length} pads for ${axes.length} axes`);
  const shape = [...x.shape];
  axes.forEach((a, i) => {
    shape[a] = shape[a]! + pads[i]! + pads[i + axes.length]!;
  });
  if (shape.some((d) => d < 1)) throw new Error('padding leaves an empty tensor');
  return [{ shape, dtype: x.dtype }];
};

const reduce = (inputs: readonly In[], attrs: Attributes): OutType[] => {
  const x = need(inputs, 0, 'X');
  const rank = x.shape.length;
  const given = valueOf(inputs, 1, 'axes') ?? ints(attrs, 'axes');
  const keep = int(attrs, 'keepdims', 1) === 1;
  if (given && given.length === 0 && int(attrs, 'noop_with_empty_axes', 0) === 1) return [{ shape: [...x.shape], dtype: x.dtype }];
  const axes = new Set((given && given.length > 0 ? given : x.shape.map((_, i) => i)).map((a) => axis(a, rank)));
  const shape: number[] = [];
  x.shape.forEach((d, i) => {
    if (!axes.has(i)) shape.push(d);
    else if (keep) shape.push(1);
  });
  return [{ shape, dtype: x.dtype }];
};

const argReduce = (inputs: readonly In[], attrs: Attributes): OutType[] => {
  const x = need(inputs, 0, 'X');
  const a = axis(int(attrs, 'axis', 0), x.shape.length);
  const keep = int(attrs, 'keepdims', 1) === 1;
  const shape = keep ? x.shape.map((d, i) => (i === a ? 1 : d)) : x.shape.filter((_, i) => i !== a);
  return [{ shape, dtype: 'int64' }];
};

const resize = (inputs: readonly In[]): OutType[] => {
  const x = need(inputs, 0, 'X');
  // Opset 11+: X, roi, scales, sizes. Opset 10 Resize and Upsample: X, scales.
  const sizesIn = inputs.length >= 4 ? inputs[3] : null;
  const scalesIn = inputs.length >= 3 ? inputs[2] : inputs[1];
  const sizes = sizesIn && sizesIn.value && sizesIn.value.length > 0 ? sizesIn.value : undefined;
  const scales = scalesIn && scalesIn.value && scalesIn.value.length > 0 ? scalesIn.value : undefined;
  if (sizes) {
    if (sizes.length !== x.shape.length) throw new Error('sizes do not match the input rank');
    return [{ shape: [...sizes], dtype: x.dtype }];
  }
  if (!scales) throw new Error('needs constant scales or sizes');
  if (scales.length !== x.shape.length) throw new Error('scales do not match the input rank');
  return [{ shape: x.shape.map((d, i) => Math.floor(d * scales[i]!)), dtype: x.dtype }];
};

const expand = (inputs: readonly In[]): OutType[] => {
  const x = need(inputs, 0, 'X');
  const shape = valueOf(inputs, 1, 'shape');
  if (!shape) throw new Error('shape is required');
  return [{ shape: broadcast([x.shape, shape]), dtype: x.dtype }];
};

const tile = (inputs: readonly In[]): OutType[] => {
  const x = need(inputs, 0, 'X');
  const repeats = valueOf(inputs, 1, 'repeats');
  if (!repeats || repeats.length !== x.shape.length) throw new Error('repeats must match the input rank');
  return [{ shape: x.shape.map((d, i) => d * repeats[i]!), dtype: x.dtype }];
};

const DTYPE_OF_ONNX: Readonly<Record<number, DType>> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool',
  10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128', 16: 'bfloat16',
};

/** The IR dtype of an ONNX TensorProto.DataType code. */
export function dtypeOfOnnx(code: number): DType {
  const d = DTYPE_OF_ONNX[code];
  if (!d) throw new Error(`unsupported tensor data type ${code}`);
  return d;
}

const cast = (inputs: readonly In[], attrs: Attributes): OutType[] => {
  const x = need(inputs, 0, 'X');
  return [{ shape: [...x.shape], dtype: dtypeOfOnnx(int(attrs, 'to', 1)) }];
};

const constantOfShape = (inputs: readonly In[]): OutType[] => {
  const shape = valueOf(inputs, 0, 'shape');
  if (!shape) throw new Error('shape is required');
  return [{ shape, dtype: 'float32' }];
};

const withOptionalMask = (inputs: readonly In[], _attrs: Attributes, outputCount: number): OutType[] => {
  const out = same(inputs);
  if (outputCount > 1) out.push({ shape: [...out[0]!.shape], dtype: 'bool' });
  return out;
};

const normalization = (inputs: readonly In[], _attrs: Attributes, outputCount: number): OutType[] => {
  const out = same(inputs);
  // Training-mode extra outputs (mean, variance) are rare in inference exports; give them X's shape.
  for (let i = 1; i < outputCount; i++) out.push({ shape: [...out[0]!.shape], dtype: out[0]!.dtype });
  return out;
};

const shapeOp = (inputs: readonly In[], attrs: Attributes): OutType[] => {
  const x = need(inputs, 0, 'X');
  const rank = x.shape.length;
  const clampAxis = (a: number): number => Math.min(Math.max(a < 0 ? a + rank : a, 0), rank);
  const start = clampAxis(int(attrs, 'start', 0));
  const end = clampAxis(int(attrs, 'end', rank));
  return [{ shape: [Math.max(0, end - start)], dtype: 'int64' }];
};

const UNARY = [
  'Relu', 'Clip', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Tanh', 'Erf', 'Exp', 'Log', 'Neg', 'Abs', 'Sqrt',
  'Reciprocal', 'LeakyRelu', 'Elu', 'Selu', 'Celu', 'Softplus', 'Softsign', 'Gelu', 'Mish', 'Floor', 'Ceil', 'Round',
  'Sign', 'Sin', 'Cos', 'Softmax', 'LogSoftmax', 'Hardmax', 'LRN', 'Identity', 'ThresholdedRelu', 'Shrink',
];
const BROADCAST = ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Sum', 'Mean', 'Mod', 'PRelu', 'Where', 'BitShift'];
const COMPARISON = ['Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual', 'And', 'Or', 'Xor', 'Not'];

export const OPS: Readonly<Record<string, OpRule>> = {
  ...Object.fromEntries(UNARY.map((op) => [op, { infer: same }])),
  ...Object.fromEntries(BROADCAST.map((op) => [op, { infer: elementwise }])),
  ...Object.fromEntries(COMPARISON.map((op) => [op, { infer: comparison }])),
  Conv: conv,
  ConvTranspose: convTranspose,
  Gemm: gemm,
  MatMul: matmul,
  BatchNormalization: { infer: normalization },
  InstanceNormalization: { infer: same },
  LayerNormalization: { infer: normalization },
  GroupNormalization: { infer: same },
  Dropout: { infer: withOptionalMask },
  MaxPool: { infer: pool },
  AveragePool: { infer: pool },
  LpPool: { infer: pool },
  GlobalAveragePool: { infer: globalPool },
  GlobalMaxPool: { infer: globalPool },
  Concat: { infer: concat },
  Split: { infer: split },
  Slice: { infer: slice },
  Reshape: { infer: reshape },
  Flatten: { infer: flatten },
  Transpose: { infer: transpose },
  Unsqueeze: { infer: unsqueeze },
  Squeeze: { infer: squeeze },
  Gather: { infer: gather },
  Pad: { infer: pad },
  ReduceMean: { infer: reduce },
  ReduceSum: { infer: reduce },
  ReduceMax: { infer: reduce },
  ReduceMin: { infer: reduce },
  ReduceProd: { infer: reduce },
  ReduceL2: { infer: reduce },
  ArgMax: { infer: argReduce },
  ArgMin: { infer: argReduce },
  Resize: { infer: resize },
  Upsample: { infer: resize },
  Expand: { infer: expand },
  Tile: { infer: tile },
  Cast: { infer: cast },
  ConstantOfShape: { infer: constantOfShape },
  Shape: { infer: shapeOp },
  /** A node of a synthetic graph: its outputs and MACs are declared. */
  Synthetic: { infer: null },
};

export function isKnownOp(op: string): boolean {
  return Object.prototype.hasOwnProperty.call(OPS, op);
}
