// Constant folding of shape arithmetic, against hand-computed values.
import { describe, expect, it } from 'vitest';
import { fold, MAX_FOLD_ELEMENTS, type Value } from '../../src/graph/fold.js';

const int = (shape: number[], data: number[]): Value => ({ shape, dtype: 'int64', data });

describe('fold', () => {
  it('slices with negative starts, ends and steps', () => {
    const x = int([2, 5], [0, 1, 2, 3, 4, 10, 11, 12, 13, 14]);
    // columns 4, 2 (step -2 from -1 down to exclusive 0), both rows
    expect(fold('Slice', [x, int([1], [-1]), int([1], [0]), int([1], [1]), int([1], [-2])], {})).toEqual([int([2, 2], [4, 2, 14, 12])]);
    // INT64_MAX-style end clamps to the size
    expect(fold('Slice', [x, int([1], [1]), int([1], [9.2e18]), int([1], [0]), null], {})).toEqual([int([1, 5], [10, 11, 12, 13, 14])]);
  });

  it('gathers with negative indices along an axis', () => {
    const x = int([2, 3], [1, 2, 3, 4, 5, 6]);
    expect(fold('Gather', [x, int([2], [-1, 0])], { axis: 1 })).toEqual([int([2, 2], [3, 1, 6, 4])]);
    expect(() => fold('Gather', [x, int([], [3])], { axis: 1 })).toThrow(/index 3 out of range for size 3/);
  });

  it('concatenates along an inner axis and broadcasts arithmetic', () => {
    expect(fold('Concat', [int([2, 1], [1, 2]), int([2, 2], [3, 4, 5, 6])], { axis: 1 })).toEqual([int([2, 3], [1, 3, 4, 2, 5, 6])]);
    // integer division truncates toward zero, as ONNX Runtime does for int64
    expect(fold('Div', [int([3], [7, -7, 9]), int([], [2])], {})).toEqual([int([3], [3, -3, 4])]);
    expect(fold('Mul', [int([2, 1], [2, 3]), int([3], [1, 10, 100])], {})).toEqual([int([2, 3], [2, 20, 200, 3, 30, 300])]);
    expect(fold('Where', [{ shape: [3], dtype: 'bool', data: [1, 0, 1] }, int([3], [1, 2, 3]), int([], [-1])], {})).toEqual([int([3], [1, -1, 3])]);
  });

  it('casts, ranges and reshapes', () => {
    expect(fold('Cast', [{ shape: [2], dtype: 'float32', data: [2.7, -2.7] }], { to: 7 })).toEqual([int([2], [2, -2])]);
    expect(fold('Range', [int([], [1]), int([], [10]), int([], [4])], {})).toEqual([int([3], [1, 5, 9])]);
    expect(fold('Reshape', [int([2, 3], [1, 2, 3, 4, 5, 6]), int([2], [3, -1])], {})).toEqual([int([3, 2], [1, 2, 3, 4, 5, 6])]);
  });

  it('declines results larger than MAX_FOLD_ELEMENTS instead of building them', () => {
    const big = int([MAX_FOLD_ELEMENTS], new Array<number>(MAX_FOLD_ELEMENTS).fill(1));
    expect(fold('Add', [int([2, 1], [1, 2]), big], {})).toBeNull();
    expect(fold('NoSuchOp', [int([1], [1])], {})).toBeNull();
  });
});
