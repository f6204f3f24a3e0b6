// Constant folding for the small integer tensors that real exports use to compute shapes
// (Shape -> Gather -> Unsqueeze -> Concat -> Reshape and friends). One table entry per op; an
// op missing here, or a result larger than MAX_FOLD_ELEMENTS, is simply not folded.
import { broadcast, gatherShape, reshapeShape, sliceShape, squeezeShape, unsqueezeShape, dtypeOfOnnx } from './ops.js';
import { elementCount, type Attributes, type DType, type Shape } from './types.js';

/** A tensor whose values are known at import time. */
export interface Value {
  readonly shape: number[];
  readonly dtype: DType;
  readonly data: number[];
}

/** Folded tensors stay small: shape vectors, axes, scales. */
export const MAX_FOLD_ELEMENTS = 1 << 16;

const isInt = (d: DType): boolean => d.startsWith('int') || d.startsWith('uint') || d === 'bool';

function attrInt(attrs: Attributes, key: string, fallback: number): number {
  const v = attrs[key];
  return typeof v === 'number' ? v : fallback;
}

function attrInts(attrs: Attributes, key: string): number[] | undefined {
  const v = attrs[key];
  return Array.isArray(v) ? (v as number[]) : undefined;
}

function strides(shape: Shape): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

/** Thrown inside a fold whose result would exceed MAX_FOLD_ELEMENTS; `fold` turns it into null. */
class TooLarge extends Error {}

function checkSize(shape: Shape): void {
  if (elementCount(shape) > MAX_FOLD_ELEMENTS) throw new TooLarge();
}

/** Applies f elementwise with numpy broadcasting. */
function zipWith(values: readonly Value[], dtype: DType, f: (xs: number[]) => number): Value {
  const shape = broadcast(values.map((v) => v.shape));
  checkSize(shape);
  const n = elementCount(shape);
  const outStrides = strides(shape);
  const ins = values.map((v) => {
    const own = strides(v.shape);
    const offset = shape.length - v.shape.length;
    return { v, own, offset };
  });
  const data = new Array<number>(n);
  const xs = new Array<number>(values.length);
  for (let i = 0; i < n; i++) {
    ins.forEach(({ v, own, offset }, k) => {
      let idx = 0;
      for (let d = 0; d < v.shape.length; d++) {
        const coord = Math.floor(i / outStrides[d + offset]!) % shape[d + offset]!;
        idx += (v.shape[d] === 1 ? 0 : coord) * own[d]!;
      }
      xs[k] = v.data[idx]!;
    });
    data[i] = f(xs);
  }
  return { shape, dtype, data };
}

const intDiv = (a: number, b: number): number => {
  if (b === 0) throw new Error('integer division by zero in a shape computation');
  return Math.trunc(a / b);
};

type Fold = (inputs: readonly (Value | null)[], attrs: Attributes) => Value[];

const need = (inputs: readonly (Value | null)[], i: number): Value => {
  const v = inputs[i];
  if (!v) throw new Error(`missing input ${i}`);
  return v;
};

const binary = (f: (a: number, b: number, int: boolean) => number, bool = false): Fold => (inputs) => {
  const a = need(inputs, 0);
  const b = need(inputs, 1);
  const int = isInt(a.dtype);
  return [zipWith([a, b], bool ? 'bool' : a.dtype, ([x, y]) => f(x!, y!, int))];
};

const unary = (f: (a: number) => number): Fold => (inputs) => {
  const a = need(inputs, 0);
  return [{ shape: [...a.shape], dtype: a.dtype, data: a.data.map(f) }];
};

const reshaped = (v: Value, shape: number[]): Value[] => [{ shape, dtype: v.dtype, data: v.data }];

const FOLDS: Readonly<Record<string, Fold>> = {
  Identity: (inputs) => [need(inputs, 0)],
  Add: binary((a, b) => a + b),
  Sub: binary((a, b) => a - b),
  Mul: binary((a, b) => a * b),
  Div: binary((a, b, int) => (int ? intDiv(a, b) : a / b)),
  Mod: binary((a, b, int) => (int ? a - intDiv(a, b) * b : a % b)),
  Max: binary((a, b) => Math.max(a, b)),
  Min: binary((a, b) => Math.min(a, b)),
  Pow: binary((a, b) => a ** b),
  Equal: binary((a, b) => (a === b ? 1 : 0), true),
  Less: binary((a, b) => (a < b ? 1 : 0), true),
  Greater: binary((a, b) => (a > b ? 1 : 0), true),
  Neg: unary((a) => -a),
  Abs: unary(Math.abs),
  Floor: unary(Math.floor),
  Ceil: unary(Math.ceil),
  Sqrt: unary(Math.sqrt),
  Not: unary((a) => (a ? 0 : 1)),
  Where: (inputs) => {
    const [c, x, y] = [need(inputs, 0), need(inputs, 1), need(inputs, 2)];
    return [zipWith([c, x, y], x.dtype, ([cond, a, b]) => (cond ? a! : b!))];
  },
  Cast: (inputs, attrs) => {
    const a = need(inputs, 0);
    const dtype = dtypeOfOnnx(attrInt(attrs, 'to', 1));
    const data = dtype === 'bool' ? a.data.map((x) => (x ? 1 : 0)) : isInt(dtype) ? a.data.map(Math.trunc) : a.data;
    return [{ shape: [...a.shape], dtype, data }];
  },
  Unsqueeze: (inputs, attrs) => {
    const a = need(inputs, 0);
    const axes = inputs[1]?.data ?? attrInts(attrs, 'axes');
    if (!axes) throw new Error('axes are required');
    return reshaped(a, unsqueezeShape(a.shape, axes));
  },
  Squeeze: (inputs, attrs) => {
    const a = need(inputs, 0);
    return reshaped(a, squeezeShape(a.shape, inputs[1]?.data ?? attrInts(attrs, 'axes')));
  },
  Reshape: (inputs, attrs) => {
    const a = need(inputs, 0);
    return reshaped(a, reshapeShape(a.shape, need(inputs, 1).data, attrInt(attrs, 'allowzero', 0) === 1));
  },
  Flatten: (inputs, attrs) => {
    const a = need(inputs, 0);
    const rank = a.shape.length;
    let ax = attrInt(attrs, 'axis', 1);
    if (ax < 0) ax += rank;
    if (ax < 0 || ax > rank) throw new Error(`axis out of range for rank ${rank}`);
    return reshaped(a, [elementCount(a.shape.slice(0, ax)), elementCount(a.shape.slice(ax))]);
  },
  Concat: (inputs, attrs) => {
    const xs = inputs.filter((v): v is Value => v !== null);
    if (xs.length === 0) throw new Error('needs at least one input');
    const rank = xs[0]!.shape.length;
    let ax = attrInt(attrs, 'axis', 0);
    if (ax < 0) ax += rank;
    if (ax < 0 || ax >= rank) throw new Error(`axis out of range for rank ${rank}`);
    for (const x of xs) {
      if (x.shape.length !== rank || x.shape.some((d, i) => i !== ax && d !== xs[0]!.shape[i])) throw new Error('inputs differ outside the axis');
    }
    const outer = elementCount(xs[0]!.shape.slice(0, ax));
    const data: number[] = [];
    for (let o = 0; o < outer; o++) {
      for (const x of xs) {
        const chunk = elementCount(x.shape.slice(ax));
        for (let k = 0; k < chunk; k++) data.push(x.data[o * chunk + k]!);
      }
    }
    const shape = [...xs[0]!.shape];
    shape[ax] = xs.reduce((s, x) => s + x.shape[ax]!, 0);
    return [{ shape, dtype: xs[0]!.dtype, data }];
  },
  Gather: (inputs, attrs) => {
    const a = need(inputs, 0);
    const idx = need(inputs, 1);
    let ax = attrInt(attrs, 'axis', 0);
    const shape = gatherShape(a.shape, idx.shape, ax);
    checkSize(shape);
    if (ax < 0) ax += a.shape.length;
    const outer = elementCount(a.shape.slice(0, ax));
    const inner = elementCount(a.shape.slice(ax + 1));
    const size = a.shape[ax]!;
    const data: number[] = [];
    for (let o = 0; o < outer; o++) {
      for (const raw of idx.data) {
        const j = raw < 0 ? raw + size : raw;
        if (!Number.isInteger(j) || j < 0 || j >= size) throw new Error(`index ${raw} out of range for size ${size}`);
        for (let k = 0; k < inner; k++) data.push(a.data[(o * size + j) * inner + k]!);
      }
    }
    return [{ shape, dtype: a.dtype, data }];
  },
  Slice: (inputs, attrs) => {
    const a = need(inputs, 0);
    const starts = inputs[1]?.data ?? attrInts(attrs, 'starts');
    const ends = inputs[2]?.data ?? attrInts(attrs, 'ends');
    if (!starts || !ends) throw new Error('starts and ends are required');
    const axes = inputs[3]?.data ?? attrInts(attrs, 'axes') ?? starts.map((_, i) => i);
    const steps = inputs[4]?.data ?? starts.map(() => 1);
    const shape = sliceShape(a.shape, starts, ends, axes, steps);
    // Per-axis first index and step, after the same clamping sliceShape applies.
    const first = a.shape.map(() => 0);
    const step = a.shape.map(() => 1);
    axes.forEach((rawAxis, i) => {
      const d = rawAxis < 0 ? rawAxis + a.shape.length : rawAxis;
      const size = a.shape[d]!;
      const s = starts[i]! < 0 ? starts[i]! + size : starts[i]!;
      step[d] = steps[i]!;
      first[d] = steps[i]! > 0 ? Math.min(Math.max(s, 0), size) : Math.min(Math.max(s, -1), size - 1);
    });
    const inStrides = strides(a.shape);
    const outStrides = strides(shape);
    const n = elementCount(shape);
    const data = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      let src = 0;
      for (let d = 0; d < shape.length; d++) {
        const coord = Math.floor(i / outStrides[d]!) % shape[d]!;
        src += (first[d]! + coord * step[d]!) * inStrides[d]!;
      }
      data[i] = a.data[src]!;
    }
    return [{ shape, dtype: a.dtype, data }];
  },
  Range: (inputs) => {
    const [start, limit, delta] = [need(inputs, 0).data[0]!, need(inputs, 1).data[0]!, need(inputs, 2).data[0]!];
    if (delta === 0) throw new Error('Range with delta 0');
    const n = Math.max(0, Math.ceil((limit - start) / delta));
    if (n > MAX_FOLD_ELEMENTS) throw new Error(`Range of ${n} elements is too large to fold`);
    return [{ shape: [n], dtype: need(inputs, 0).dtype, data: Array.from({ length: n }, (_, i) => start + i * delta) }];
  },
};

/** Ops that fold when all their inputs are known. Shape and Constant are handled by the importer. */
export function canFold(op: string): boolean {
  return Object.prototype.hasOwnProperty.call(FOLDS, op);
}

/**
 * Folds one node, or returns null when any result would exceed MAX_FOLD_ELEMENTS. Throws when
 * the inputs are inconsistent (a corrupt file), with a plain message the importer prefixes.
 */
export function fold(op: string, inputs: readonly (Value | null)[], attrs: Attributes): Value[] | null {
  const f = FOLDS[op];
  if (!f) return null;
  for (const v of inputs) if (v && elementCount(v.shape) !== v.data.length) throw new Error('value count does not match its shape');
  try {
    const out = f(inputs, attrs);
    return out.some((v) => v.data.length > MAX_FOLD_ELEMENTS) ? null : out;
  } catch (e) {
    if (e instanceof TooLarge) return null;
    throw e;
  }
}
