// Folds, once at session creation, nodes whose inputs are all constants: the weight arithmetic
// exporters leave in (a Transpose of a Linear weight, BatchNorm statistics written as Sub/Div/
// Sqrt, a reshaped scale). Plain float32 loops: this runs once per weight, never per inference.
import type { Attributes } from '../graph/types.js';
import { broadcastStrides, contiguousStrides, elementCount } from './layout.js';

export interface ConstTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

const f = Math.fround;

const UNARY: Readonly<Record<string, (x: number, attrs: Attributes) => number>> = {
  Identity: (x) => x,
  Dropout: (x) => x,
  Neg: (x) => -x,
  Abs: Math.abs,
  Sqrt: Math.sqrt,
  Exp: Math.exp,
  Log: Math.log,
  Reciprocal: (x) => 1 / x,
  Relu: (x) => Math.max(x, 0),
  Sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  Tanh: Math.tanh,
};

const BINARY: Readonly<Record<string, (a: number, b: number) => number>> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b) => a / b,
  Pow: (a, b) => a ** b,
  Max: Math.max,
  Min: Math.min,
  Sum: (a, b) => a + b,
  Mean: (a, b) => a + b,
};

const VIEWS = new Set(['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze']);

export function canFoldConstants(op: string): boolean {
  return op in UNARY || op in BINARY || VIEWS.has(op) || op === 'Transpose' || op === 'Cast';
}

/** The folded outputs; `outShape` is the shape the importer inferred for output 0. */
export function foldConstants(op: string, inputs: readonly ConstTensor[], attrs: Attributes, outShape: readonly number[]): Float32Array {
  const x = inputs[0]!;
  if (VIEWS.has(op) || op === 'Cast') return x.data;
  const unary = UNARY[op];
  if (unary) return x.data.map((v) => f(unary(v, attrs)));
  const binary = BINARY[op];
  if (binary) {
    // Max, Min, Sum and Mean take any number of inputs: folded left, as the runtime does.
    const rank = outShape.length;
    const strides = inputs.map((t) => broadcastStrides(t.shape, contiguousStrides(t.shape), rank));
    return mapIndex(outShape, (index) => {
      let acc = x.data[dot(index, strides[0]!)]!;
      for (let k = 1; k < inputs.length; k++) acc = f(binary(acc, inputs[k]!.data[dot(index, strides[k]!)]!));
      return op === 'Mean' ? f(acc / inputs.length) : acc;
    });
  }
  // Transpose: output dim j is input dim perm[j]; a matrix's (a Linear weight's) by blocks.
  const rank = x.shape.length;
  if (isMatrixTranspose(op, attrs, rank)) return transposed(x.data, x.shape[0]!, x.shape[1]!);
  const perm = (attrs['perm'] as readonly number[] | undefined) ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const strides = contiguousStrides(x.shape);
  const permuted = perm.map((p) => strides[p]!);
  return mapIndex(outShape, (index) => x.data[dot(index, permuted)]!);
}

function dot(index: readonly number[], strides: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < index.length; i++) s += index[i]! * strides[i]!;
  return s;
}

/** out[i] = value(multi-index of i) over a row-major shape. */
function mapIndex(shape: readonly number[], value: (index: readonly number[]) => number): Float32Array {
  const out = new Float32Array(elementCount(shape));
  const index = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < out.length; i++) {
    out[i] = value(index);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d]! < shape[d]!) break;
      index[d] = 0;
    }
  }
  return out;
}

/** Whether a node swaps the two axes of a matrix (a Transpose of rank 2 whose perm, if any, is [1, 0]). */
export function isMatrixTranspose(op: string, attrs: Readonly<Record<string, unknown>>, rank: number): boolean {
  const perm = attrs['perm'] as readonly number[] | undefined;
  return op === 'Transpose' && rank === 2 && (perm === undefined || perm[0] === 1);
}

/** The [rows, cols] matrix transposed, row-major, in 64×64 blocks so reads and writes stay in cache. */
export function transposed(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  const B = 64;
  for (let r0 = 0; r0 < rows; r0 += B) {
    const r1 = Math.min(rows, r0 + B);
    for (let c0 = 0; c0 < cols; c0 += B) {
      const c1 = Math.min(cols, c0 + B);
      for (let r = r0; r < r1; r++) {
        for (let c = c0, at = r * cols + c0; c < c1; c++, at++) out[c * rows + r] = data[at]!;
      }
    }
  }
  return out;
}
