// Tensor layouts and strides. Every tensor has a logical shape (ONNX's, NCHW for images) and a
// physical layout: 'rm' stores it row-major in logical order; 'nhwc' (rank 4 only) stores
// [N][H][W][C], which is what the convolution and pooling kernels read and write.
//
//   logical [N, C, H, W]  ──'nhwc'──►  physical [N, H, W, C]   (physical dim i = logical NHWC_ORDER[i])

export type Layout = 'rm' | 'nhwc';

const NHWC_ORDER = [0, 2, 3, 1] as const;

/** Physical dim i holds logical dim order[i]. */
export function physicalOrder(layout: Layout, rank: number): number[] {
  if (layout === 'nhwc') {
    if (rank !== 4) throw new RangeError(`nhwc layout needs rank 4, got ${rank}`);
    return [...NHWC_ORDER];
  }
  return Array.from({ length: rank }, (_, i) => i);
}

export function physicalShape(shape: readonly number[], layout: Layout): number[] {
  return physicalOrder(layout, shape.length).map((d) => shape[d]!);
}

export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/** Element stride of each logical dim in the tensor's storage. */
export function logicalStrides(shape: readonly number[], layout: Layout): number[] {
  const order = physicalOrder(layout, shape.length);
  const physical = contiguousStrides(order.map((d) => shape[d]!));
  const out = new Array<number>(shape.length);
  order.forEach((d, i) => {
    out[d] = physical[i]!;
  });
  return out;
}

/** True when both layouts of a rank-4 shape put the same floats at the same places (C = 1 or H·W = 1). */
export function layoutsAgree(shape: readonly number[]): boolean {
  return shape.length !== 4 || shape[1] === 1 || shape[2]! * shape[3]! === 1;
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, d) => a * d, 1);
}

/**
 * Strides with which an operand of `shape` (right-aligned, numpy broadcasting) is read at each
 * dim of an output of rank `rank`: 0 where the operand broadcasts.
 */
export function broadcastStrides(shape: readonly number[], strides: readonly number[], rank: number): number[] {
  const out = new Array<number>(rank).fill(0);
  const offset = rank - shape.length;
  shape.forEach((d, i) => {
    out[offset + i] = d === 1 ? 0 : strides[i]!;
  });
  return out;
}

/**
 * Merges adjacent dims that are contiguous in the output and in every operand, so a 4-D kernel
 * sees as few dims as possible. Returns dims and per-operand strides (output contiguous).
 */
export function collapseDims(dims: readonly number[], operandStrides: readonly (readonly number[])[]): { dims: number[]; strides: number[][] } {
  const outDims: number[] = [];
  const outStrides: number[][] = operandStrides.map(() => []);
  for (let i = 0; i < dims.length; i++) {
    const d = dims[i]!;
    if (d === 1) continue;
    const last = outDims.length - 1;
    const mergeable = last >= 0 && operandStrides.every((s, k) => outStrides[k]![last] === s[i]! * d);
    if (mergeable) {
      outDims[last] = outDims[last]! * d;
      operandStrides.forEach((s, k) => {
        outStrides[k]![last] = s[i]!;
      });
    } else {
      outDims.push(d);
      operandStrides.forEach((s, k) => outStrides[k]!.push(s[i]!));
    }
  }
  if (outDims.length === 0) {
    outDims.push(1);
    outStrides.forEach((s) => s.push(0));
  }
  return { dims: outDims, strides: outStrides };
}
