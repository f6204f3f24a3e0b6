// The reference operators on small cases whose answers are written out: computed by hand, or taken
// from the examples in the ONNX operator documentation (named "ONNX example" below). Needs no
// runtime and no wasm.
import { describe, expect, it } from 'vitest';
import { erfScalar, evaluateGraph, referenceOp, type Tensor, tensor } from './reference-ops.js';

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

function expectTensor(actual: Tensor | undefined, shape: number[], values: number[], tol = 1e-6): void {
  expect(actual).toBeDefined();
  expect(actual!.shape).toEqual(shape);
  expect(actual!.data.length).toBe(values.length);
  actual!.data.forEach((v, i) => {
    if (Math.abs(v - values[i]!) > tol * (1 + Math.abs(values[i]!))) {
      throw new Error(`element ${i}: ${v}, expected ${values[i]} (shape [${shape}])`);
    }
  });
}

const op = (name: string, attrs: Record<string, number | string | number[]>, inputs: (Tensor | null)[], opset = 13, outputs?: number) =>
  referenceOp(name, attrs, inputs, opset, outputs);
const op1 = (name: string, attrs: Record<string, number | string | number[]>, inputs: (Tensor | null)[], opset = 13) => op(name, attrs, inputs, opset)[0];
const ints = (values: number[]) => tensor([values.length], values);

describe('Conv', () => {
  const x5 = tensor([1, 1, 5, 5], range(25));
  const ones3 = tensor([1, 1, 3, 3], new Array(9).fill(1));

  it('3×3 with and without padding (ONNX example)', () => {
    expectTensor(op1('Conv', { pads: [1, 1, 1, 1] }, [x5, ones3]), [1, 1, 5, 5], [
      12, 21, 27, 33, 24, 33, 54, 63, 72, 51, 63, 99, 108, 117, 81, 93, 144, 153, 162, 111, 72, 111, 117, 123, 84,
    ]);
    expectTensor(op1('Conv', {}, [x5, ones3]), [1, 1, 3, 3], [54, 63, 72, 99, 108, 117, 144, 153, 162]);
  });

  it('stride 2 with symmetric, no and asymmetric padding (ONNX example)', () => {
    const x = tensor([1, 1, 7, 5], range(35));
    expectTensor(op1('Conv', { strides: [2, 2], pads: [1, 1, 1, 1] }, [x, ones3]), [1, 1, 4, 3], [12, 27, 24, 63, 108, 81, 123, 198, 141, 112, 177, 124]);
    expectTensor(op1('Conv', { strides: [2, 2] }, [x, ones3]), [1, 1, 3, 2], [54, 72, 144, 162, 234, 252]);
    expectTensor(op1('Conv', { strides: [2, 2], pads: [1, 0, 1, 0] }, [x, ones3]), [1, 1, 4, 2], [21, 33, 99, 117, 189, 207, 171, 183]);
  });

  it('auto_pad SAME_LOWER and SAME_UPPER (ONNX example; by hand)', () => {
    expectTensor(op1('Conv', { auto_pad: 'SAME_LOWER', strides: [2, 2] }, [x5, ones3]), [1, 1, 3, 3], [12, 27, 24, 63, 108, 81, 72, 117, 84]);
    // A 2×2 kernel on 1×3 with stride 1: total padding 1 per axis, at the end (UPPER) or the start (LOWER).
    const x = tensor([1, 1, 1, 3], [1, 2, 3]);
    const w = tensor([1, 1, 2, 2], [1, 10, 100, 1000]);
    // UPPER pads row 1 and column 3 with zeros: outputs x·w[0,0] + x_right·w[0,1].
    expectTensor(op1('Conv', { auto_pad: 'SAME_UPPER' }, [x, w]), [1, 1, 1, 3], [1 + 20, 2 + 30, 3]);
    // LOWER pads row -1 and column -1: outputs x_left·w[1,0] + x·w[1,1].
    expectTensor(op1('Conv', { auto_pad: 'SAME_LOWER' }, [x, w]), [1, 1, 1, 3], [1000, 100 + 2000, 200 + 3000]);
    expectTensor(op1('Conv', { auto_pad: 'VALID' }, [x5, ones3]), [1, 1, 3, 3], [54, 63, 72, 99, 108, 117, 144, 153, 162]);
  });

  it('dilation 2: y[i][j] = x[i][j] + x[i][j+2] + x[i+2][j] + x[i+2][j+2] = 20i + 4j + 24', () => {
    const w = tensor([1, 1, 2, 2], [1, 1, 1, 1]);
    expectTensor(op1('Conv', { dilations: [2, 2] }, [x5, w]), [1, 1, 3, 3], [24, 28, 32, 44, 48, 52, 64, 68, 72]);
  });

  it('groups: depthwise, channel multiplier 2, and bias', () => {
    const x = tensor([1, 2, 1, 2], [1, 2, 3, 4]); // channel 0 = [1, 2], channel 1 = [3, 4]
    expectTensor(op1('Conv', { group: 2 }, [x, tensor([2, 1, 1, 1], [2, 3])]), [1, 2, 1, 2], [2, 4, 9, 12]);
    const w = tensor([4, 1, 1, 1], [1, 2, 3, 4]);
    const b = tensor([4], [0.5, 0, 0, -1]);
    expectTensor(op1('Conv', { group: 2 }, [x, w, b]), [1, 4, 1, 2], [1.5, 2.5, 2, 4, 9, 12, 11, 15]);
    // Two groups of two channels each, 1×1 kernels summing within the group.
    const x4 = tensor([1, 4, 1, 1], [1, 2, 3, 4]);
    expectTensor(op1('Conv', { group: 2 }, [x4, tensor([2, 2, 1, 1], [1, 1, 1, -1])]), [1, 2, 1, 1], [3, -1]);
  });

  it('1-D convolution with stride and asymmetric pads', () => {
    // x = [1, 2, 3, 4, 5] padded [0 | 1 2 3 4 5 | 0 0], kernel [1, 0, -1], stride 2: windows start at -1, 1, 3.
    expectTensor(op1('Conv', { strides: [2], pads: [1, 2] }, [tensor([1, 1, 5], [1, 2, 3, 4, 5]), tensor([1, 1, 3], [1, 0, -1])]), [1, 1, 3], [0 - 2, 2 - 4, 4 - 0]);
  });
});

describe('pooling', () => {
  const x4 = tensor([1, 1, 4, 4], range(16, 1));
  const x5 = tensor([1, 1, 5, 5], range(25, 1));

  it('MaxPool: ceil_mode, pads, dilations, SAME_UPPER (ONNX examples)', () => {
    expectTensor(op1('MaxPool', { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }, [x4]), [1, 1, 2, 2], [11, 12, 15, 16]);
    expectTensor(op1('MaxPool', { kernel_shape: [2, 2], dilations: [2, 2] }, [x4]), [1, 1, 2, 2], [11, 12, 15, 16]);
    expectTensor(op1('MaxPool', { kernel_shape: [5, 5], pads: [2, 2, 2, 2] }, [x5]), [1, 1, 5, 5], [
      13, 14, 15, 15, 15, 18, 19, 20, 20, 20, 23, 24, 25, 25, 25, 23, 24, 25, 25, 25, 23, 24, 25, 25, 25,
    ]);
    expectTensor(op1('MaxPool', { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' }, [x5]), [1, 1, 3, 3], [7, 9, 10, 17, 19, 20, 22, 24, 25]);
  });

  it('AveragePool: ceil_mode, pads with and without count_include_pad, SAME_UPPER (ONNX examples)', () => {
    expectTensor(op1('AveragePool', { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }, [x4]), [1, 1, 2, 2], [6, 7.5, 12, 13.5]);
    expectTensor(op1('AveragePool', { kernel_shape: [5, 5], pads: [2, 2, 2, 2] }, [x5]), [1, 1, 5, 5], [
      7, 7.5, 8, 8.5, 9, 9.5, 10, 10.5, 11, 11.5, 12, 12.5, 13, 13.5, 14, 14.5, 15, 15.5, 16, 16.5, 17, 17.5, 18, 18.5, 19,
    ]);
    expectTensor(op1('AveragePool', { kernel_shape: [5, 5], pads: [2, 2, 2, 2], count_include_pad: 1 }, [x5]), [1, 1, 5, 5], [
      2.52, 3.6, 4.8, 4.08, 3.24, 4.56, 6.4, 8.4, 7.04, 5.52, 7.2, 10, 13, 10.8, 8.4, 6.96, 9.6, 12.4, 10.24, 7.92, 6.12, 8.4, 10.8, 8.88, 6.84,
    ]);
    expectTensor(op1('AveragePool', { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' }, [x5]), [1, 1, 3, 3], [4, 5.5, 7, 11.5, 13, 14.5, 19, 20.5, 22]);
  });

  it('ceil_mode: a window that would start in the end padding is dropped', () => {
    // Width 5, kernel 2, stride 3, pads 1|1: ceil((5 + 2 − 2) / 3) + 1 = 3 windows, but the third
    // starts at 6 − 1 = 5, in the padding, so there are 2: positions {−1, 0} and {2, 3}.
    const x = tensor([1, 1, 1, 5], [1, 2, 3, 4, 5]);
    const a = { kernel_shape: [1, 2], strides: [1, 3], pads: [0, 1, 0, 1], ceil_mode: 1 };
    expectTensor(op1('MaxPool', a, [x]), [1, 1, 1, 2], [1, 4]);
    expectTensor(op1('AveragePool', a, [x]), [1, 1, 1, 2], [1, 3.5]);
    expectTensor(op1('AveragePool', { ...a, count_include_pad: 1 }, [x]), [1, 1, 1, 2], [0.5, 3.5]);
  });

  it('ceil_mode: count_include_pad counts the padding but not positions past the padded input', () => {
    // Width 6 (values 1..6), kernel 3, stride 2, pads 1|1: ceil(5 / 2) + 1 = 4 windows starting at
    // −1, 1, 3, 5; the last covers 5 (value 6), 6 (padding) and 7 (past the padded input).
    const x = tensor([1, 1, 1, 6], range(6, 1));
    const a = { kernel_shape: [1, 3], strides: [1, 2], pads: [0, 1, 0, 1], ceil_mode: 1 };
    expectTensor(op1('MaxPool', a, [x]), [1, 1, 1, 4], [2, 4, 6, 6]);
    expectTensor(op1('AveragePool', a, [x]), [1, 1, 1, 4], [1.5, 3, 5, 6]);
    expectTensor(op1('AveragePool', { ...a, count_include_pad: 1 }, [x]), [1, 1, 1, 4], [1, 3, 5, 3]);
    // Without padding the last window [4, 5, 6] has only 4 and 5 on the input: 4.5 with or without count_include_pad.
    const b = { kernel_shape: [1, 3], strides: [1, 2], ceil_mode: 1 };
    expectTensor(op1('AveragePool', { ...b, count_include_pad: 1 }, [tensor([1, 1, 1, 6], range(6))]), [1, 1, 1, 3], [1, 3, 4.5]);
    expectTensor(op1('AveragePool', { ...b }, [tensor([1, 1, 1, 6], range(6))]), [1, 1, 1, 3], [1, 3, 4.5]);
    expectTensor(op1('AveragePool', { ...b, ceil_mode: 0 }, [tensor([1, 1, 1, 6], range(6))]), [1, 1, 1, 2], [1, 3]);
  });

  it('MaxPool on negative values ignores the padding', () => {
    expectTensor(op1('MaxPool', { kernel_shape: [3], pads: [1, 1] }, [tensor([1, 1, 3], [-3, -2, -1])]), [1, 1, 3], [-2, -1, -1]);
  });

  it('GlobalAveragePool and GlobalMaxPool', () => {
    const x = tensor([1, 2, 2, 2], [1, 2, 3, 4, -1, -5, -3, 1]);
    expectTensor(op1('GlobalAveragePool', {}, [x]), [1, 2, 1, 1], [2.5, -2]);
    expectTensor(op1('GlobalMaxPool', {}, [x]), [1, 2, 1, 1], [4, 1]);
  });
});

describe('matrix products and normalization', () => {
  it('Gemm: alpha, beta, row-vector C, transA and transB with column C', () => {
    const a = tensor([2, 2], [1, 2, 3, 4]);
    const b = tensor([2, 2], [5, 6, 7, 8]);
    // AB = [[19, 22], [43, 50]]
    expectTensor(op1('Gemm', { alpha: 2, beta: 0.5 }, [a, b, tensor([2], [1, -1])]), [2, 2], [38.5, 43.5, 86.5, 99.5]);
    // AᵀBᵀ = [[1, 3], [2, 4]] · [[5, 7], [6, 8]] = [[23, 31], [34, 46]]
    expectTensor(op1('Gemm', { transA: 1, transB: 1 }, [a, b, tensor([2, 1], [10, 20])]), [2, 2], [33, 41, 54, 66]);
    expectTensor(op1('Gemm', {}, [tensor([1, 3], [1, 2, 3]), tensor([3, 1], [4, 5, 6])]), [1, 1], [32]);
    expectTensor(op1('Gemm', {}, [a, b, tensor([], [1])]), [2, 2], [20, 23, 44, 51]);
  });

  it('MatMul: 1-D operands and broadcast batch axes', () => {
    expectTensor(op1('MatMul', {}, [tensor([3], [1, 2, 3]), tensor([3], [4, 5, 6])]), [], [32]);
    expectTensor(op1('MatMul', {}, [tensor([2], [1, 2]), tensor([2, 3], range(6, 1))]), [3], [9, 12, 15]);
    expectTensor(op1('MatMul', {}, [tensor([2, 2], [1, 2, 3, 4]), tensor([2], [1, 1])]), [2], [3, 7]);
    // A: [2, 1, 2, 2] = (I, 2I); B: [3, 2, 2] = (j + 1)·[[1, 2], [3, 4]]; out[i][j] = A[i] · B[j].
    const a = tensor([2, 1, 2, 2], [1, 0, 0, 1, 2, 0, 0, 2]);
    const b = tensor([3, 2, 2], [1, 2, 3, 4, 2, 4, 6, 8, 3, 6, 9, 12]);
    const y = op1('MatMul', {}, [a, b])!;
    expect(y.shape).toEqual([2, 3, 2, 2]);
    expect(Array.from(y.data.subarray(0, 4))).toEqual([1, 2, 3, 4]);
    expect(Array.from(y.data.subarray(20, 24))).toEqual([6, 12, 18, 24]);
    // A 1-D left operand against a batch: [2] × [3, 2, 2] → [3, 2].
    expectTensor(op1('MatMul', {}, [tensor([2], [1, -1]), b]), [3, 2], [-2, -2, -4, -4, -6, -6]);
  });

  it('BatchNormalization (ONNX example)', () => {
    const x = tensor([1, 2, 1, 3], [-1, 0, 1, 2, 3, 4]);
    const y = op1('BatchNormalization', {}, [x, tensor([2], [1, 1.5]), tensor([2], [0, 1]), tensor([2], [0, 3]), tensor([2], [1, 1.5])]);
    expectTensor(y, [1, 2, 1, 3], [-0.999995, 0, 0.999995, -0.22474074, 1, 2.2247407]);
  });

  it('LayerNormalization over the last axis and the last two axes', () => {
    const x = tensor([2, 3], [1, 2, 3, 2, 4, 6]);
    // Each row: mean m, variance (2/3)m², so (x − m)/σ = [−√1.5, 0, √1.5]; epsilon 0 to compare exactly.
    const s = Math.sqrt(1.5);
    expectTensor(op1('LayerNormalization', { epsilon: 0 }, [x, tensor([3], [1, 2, 3]), tensor([3], [0, 1, 0])]), [2, 3], [-s, 1, 3 * s, -s, 1, 3 * s]);
    const [y, mean, inv] = op('LayerNormalization', { epsilon: 0, axis: 0 }, [x, tensor([2, 3], new Array(6).fill(1))]);
    // All six values: mean 3, variance (4 + 1 + 0 + 1 + 1 + 9) / 6 = 8/3.
    const r = 1 / Math.sqrt(8 / 3);
    expectTensor(y, [2, 3], [-2 * r, -r, 0, -r, r, 3 * r]);
    expectTensor(mean, [1, 1], [3]);
    expectTensor(inv, [1, 1], [r]);
  });

  it('InstanceNormalization: each image and channel over its pixels, then scale and B per channel', () => {
    // Every channel of every image normalises to [−1, 1] or [1, −1]: [1, 3], [2, 4], [0, 4], [5, 1].
    const x = tensor([2, 2, 1, 2], [1, 3, 2, 4, 0, 4, 5, 1]);
    expectTensor(op1('InstanceNormalization', { epsilon: 0 }, [x, tensor([2], [2, 3]), tensor([2], [0.5, -1])]), [2, 2, 1, 2], [-1.5, 2.5, -4, 2, -1.5, 2.5, 2, -4]);
  });

  it('LRN across channels: windows cut at the edges, an even size (one channel more after than before), beta', () => {
    const x = tensor([1, 3, 1, 1], [1, 2, 3]);
    // alpha / size = 1 and beta 1: y = x / (1 + Σ x²) over the window.
    expectTensor(op1('LRN', { size: 3, alpha: 3, beta: 1, bias: 1 }, [x]), [1, 3, 1, 1], [1 / 6, 2 / 15, 3 / 14]);
    expectTensor(op1('LRN', { size: 2, alpha: 2, beta: 1, bias: 1 }, [x]), [1, 3, 1, 1], [1 / 6, 2 / 14, 3 / 10]);
    // A window of one, bias 0, beta 0.5: x / |x|.
    expectTensor(op1('LRN', { size: 1, alpha: 1, beta: 0.5, bias: 0 }, [tensor([1, 2, 1, 2], [-2, 1, 4, -3])]), [1, 2, 1, 2], [-1, 1, 1, -1]);
  });

  it('Softmax and LogSoftmax (ONNX examples) and the opset < 13 coercion to 2-D', () => {
    expectTensor(op1('Softmax', {}, [tensor([1, 3], [-1, 0, 1])]), [1, 3], [0.09003058, 0.24472848, 0.66524094]);
    expectTensor(op1('LogSoftmax', {}, [tensor([1, 3], [-1, 0, 1])]), [1, 3], [-2.40760596, -1.40760596, -0.40760596]);
    const x = tensor([2, 2], [0, 0, Math.log(3), 0]);
    // Opset 13, axis 0: down each column.
    expectTensor(op1('Softmax', { axis: 0 }, [x]), [2, 2], [0.25, 0.5, 0.75, 0.5]);
    // Opset 11, axis 0: the input is one row of four values: e = [1, 1, 3, 1] / 6.
    expectTensor(op1('Softmax', { axis: 0 }, [x], 11), [2, 2], [1 / 6, 1 / 6, 0.5, 1 / 6]);
    // Opset 11's default axis is 1, which for 2-D is the same as opset 13's -1.
    expectTensor(op1('Softmax', {}, [x], 11), [2, 2], [0.5, 0.5, 0.75, 0.25]);
    // Rank 3, opset 11, axis 1: each [2, 2] slab normalized as a whole.
    const x3 = tensor([2, 2, 2], [0, 0, 0, 0, 0, 0, 0, Math.log(5)]);
    expectTensor(op1('Softmax', { axis: 1 }, [x3], 11), [2, 2, 2], [0.25, 0.25, 0.25, 0.25, 0.125, 0.125, 0.125, 0.625]);
    expectTensor(op1('Softmax', { axis: 1 }, [x3], 13), [2, 2, 2], [0.5, 0.5, 0.5, 0.5, 0.5, 1 / 6, 0.5, 5 / 6]);
  });
});

describe('elementwise', () => {
  const x = tensor([5], [-2, -0.5, 0, 0.5, 3]);

  it('activations', () => {
    expectTensor(op1('Relu', {}, [x]), [5], [0, 0, 0, 0.5, 3]);
    expectTensor(op1('LeakyRelu', {}, [x]), [5], [-0.02, -0.005, 0, 0.5, 3]);
    expectTensor(op1('LeakyRelu', { alpha: 0.5 }, [x]), [5], [-1, -0.25, 0, 0.5, 3]);
    expectTensor(op1('HardSigmoid', {}, [x]), [5], [0.1, 0.4, 0.5, 0.6, 1]);
    expectTensor(op1('HardSigmoid', { alpha: 0.5, beta: 0.6 }, [x]), [5], [0, 0.35, 0.6, 0.85, 1]);
    expectTensor(op1('HardSwish', {}, [tensor([5], [-4, -3, -1.5, 1.5, 3])]), [5], [0, 0, -0.375, 1.125, 3]);
    expectTensor(op1('Sigmoid', {}, [tensor([3], [-1, 0, 1])]), [3], [0.26894142, 0.5, 0.73105858]);
    expectTensor(op1('Tanh', {}, [tensor([3], [-1, 0, 1])]), [3], [-0.76159416, 0, 0.76159416]);
  });

  it('PRelu: the slope broadcast to X, per channel as [C, 1, 1]', () => {
    expectTensor(op1('PRelu', {}, [tensor([1, 2, 1, 2], [-2, 1, -4, 3]), tensor([2, 1, 1], [0.5, 0.25])]), [1, 2, 1, 2], [-1, 1, -1, 3]);
    expectTensor(op1('PRelu', {}, [tensor([3], [-3, 0, 2]), tensor([1], [0.1])]), [3], [-0.3, 0, 2]);
  });

  it('Clip: min and max as optional inputs from opset 11, attributes before', () => {
    expectTensor(op1('Clip', {}, [x, tensor([], [-1]), tensor([], [1])]), [5], [-1, -0.5, 0, 0.5, 1]);
    expectTensor(op1('Clip', {}, [x, null, tensor([], [0.25])]), [5], [-2, -0.5, 0, 0.25, 0.25]);
    expectTensor(op1('Clip', {}, [x, tensor([], [0])]), [5], [0, 0, 0, 0.5, 3]);
    expectTensor(op1('Clip', {}, [x]), [5], [-2, -0.5, 0, 0.5, 3]);
    expectTensor(op1('Clip', { min: 0, max: 6 }, [x], 6), [5], [0, 0, 0, 0.5, 3]);
  });

  it('erf to float64 accuracy', () => {
    const known: [number, number][] = [
      [0.5, 0.5204998778130465], [1, 0.8427007929497149], [2, 0.9953222650189527], [3, 0.9999779095030014], [-1, -0.8427007929497149],
    ];
    for (const [v, e] of known) expect(Math.abs(erfScalar(v) - e)).toBeLessThan(1e-15);
    // erf(x) ≈ 2x/√π (1 − x²/3) for small x; erf(6) and beyond are ±1 in float64.
    expect(erfScalar(1e-4) / ((2e-4 / Math.sqrt(Math.PI)) * (1 - 1e-8 / 3))).toBeCloseTo(1, 14);
    expect(erfScalar(0)).toBe(0);
    expect(erfScalar(7)).toBe(1);
    expect(erfScalar(-40)).toBe(-1);
    expectTensor(op1('Erf', {}, [tensor([2], [1, -2])]), [2], [0.8427007929497149, -0.9953222650189527], 1e-7);
  });

  it('Exp, Log, Neg, Abs, Reciprocal, Sqrt', () => {
    const p = tensor([3], [0.25, 1, 4]);
    expectTensor(op1('Exp', {}, [tensor([2], [0, 1])]), [2], [1, Math.E]);
    expectTensor(op1('Log', {}, [p]), [3], [Math.log(0.25), 0, Math.log(4)]);
    expectTensor(op1('Neg', {}, [p]), [3], [-0.25, -1, -4]);
    expectTensor(op1('Abs', {}, [x]), [5], [2, 0.5, 0, 0.5, 3]);
    expectTensor(op1('Reciprocal', {}, [p]), [3], [4, 1, 0.25]);
    expectTensor(op1('Sqrt', {}, [p]), [3], [0.5, 1, 2]);
  });

  it('broadcasting: trailing vector, both sides, scalar, [1], [C, 1, 1] against NCHW', () => {
    const a = tensor([2, 3], range(6));
    expectTensor(op1('Add', {}, [a, tensor([3], [10, 20, 30])]), [2, 3], [10, 21, 32, 13, 24, 35]);
    expectTensor(op1('Sub', {}, [tensor([2, 1], [1, 2]), tensor([1, 3], [10, 20, 30])]), [2, 3], [-9, -19, -29, -8, -18, -28]);
    expectTensor(op1('Mul', {}, [tensor([], [3]), tensor([2], [1, 2])]), [2], [3, 6]);
    expectTensor(op1('Div', {}, [tensor([1], [12]), a]), [2, 3], [Infinity, 12, 6, 4, 3, 2.4]);
    expectTensor(op1('Pow', {}, [a, tensor([3], [0, 1, 2])]), [2, 3], [1, 1, 4, 1, 4, 25]);
    expectTensor(op1('Pow', {}, [tensor([2], [4, 9]), tensor([], [0.5])]), [2], [2, 3]);
    const x = tensor([1, 2, 2, 2], range(8));
    const c = tensor([2, 1, 1], [100, 200]);
    expectTensor(op1('Add', {}, [x, c]), [1, 2, 2, 2], [100, 101, 102, 103, 204, 205, 206, 207]);
    expectTensor(op1('Sub', {}, [c, x]), [1, 2, 2, 2], [100, 99, 98, 97, 196, 195, 194, 193]);
    // [2, 1, 3] with [4, 1]: both sides grow, to [2, 4, 3].
    const y = op1('Mul', {}, [tensor([2, 1, 3], range(6, 1)), tensor([4, 1], [1, 10, 100, 1000])])!;
    expect(y.shape).toEqual([2, 4, 3]);
    expect(Array.from(y.data.subarray(3, 6))).toEqual([10, 20, 30]);
    expect(Array.from(y.data.subarray(21, 24))).toEqual([4000, 5000, 6000]);
    expect(() => op1('Add', {}, [tensor([2, 3], range(6)), tensor([2], [1, 2])])).toThrow(/broadcast/);
  });

  it('Max, Min, Sum, Mean over several broadcast inputs (ONNX examples)', () => {
    const a = tensor([3], [3, 2, 1]);
    const b = tensor([3], [1, 4, 4]);
    const c = tensor([3], [2, 5, 3]);
    expectTensor(op1('Max', {}, [a, b, c]), [3], [3, 5, 4]);
    expectTensor(op1('Min', {}, [a, b, c]), [3], [1, 2, 1]);
    expectTensor(op1('Sum', {}, [a, b, c]), [3], [6, 11, 8]);
    expectTensor(op1('Mean', {}, [a, b, c]), [3], [2, 11 / 3, 8 / 3]);
    expectTensor(op1('Max', {}, [a]), [3], [3, 2, 1]);
    expectTensor(op1('Min', {}, [tensor([2, 1], [0, 5]), tensor([2], [1, 3])]), [2, 2], [0, 0, 1, 3]);
  });

  it('Where (ONNX example) and Expand (ONNX example)', () => {
    expectTensor(op1('Where', {}, [tensor([2, 2], [1, 0, 1, 1]), tensor([2, 2], [1, 2, 3, 4]), tensor([2, 2], [9, 8, 7, 6])]), [2, 2], [1, 8, 3, 4]);
    const y = op1('Expand', {}, [tensor([3, 1], [1, 2, 3]), ints([2, 1, 6])])!;
    expect(y.shape).toEqual([2, 3, 6]);
    expect(Array.from(y.data.subarray(0, 12))).toEqual([1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2]);
    expectTensor(op1('Expand', {}, [tensor([3, 1], [1, 2, 3]), ints([3, 4])]), [3, 4], [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]);
  });
});

describe('reductions', () => {
  // ONNX example data for ReduceMean, shape [3, 2, 2].
  const d = tensor([3, 2, 2], [5, 1, 20, 2, 30, 1, 40, 2, 55, 1, 60, 2]);

  it('ReduceMean, ReduceMax with attribute axes, keepdims, negative axes', () => {
    expectTensor(op1('ReduceMean', { axes: [1] }, [d]), [3, 1, 2], [12.5, 1.5, 35, 1.5, 57.5, 1.5]);
    expectTensor(op1('ReduceMean', { axes: [-2], keepdims: 0 }, [d]), [3, 2], [12.5, 1.5, 35, 1.5, 57.5, 1.5]);
    expectTensor(op1('ReduceMean', {}, [d]), [1, 1, 1], [18.25]); // 219 / 12
    expectTensor(op1('ReduceMax', { axes: [0, 2], keepdims: 0 }, [d]), [2], [55, 60]);
    expectTensor(op1('ReduceMax', { axes: [-1] }, [d]), [3, 2, 1], [5, 20, 30, 40, 55, 60]);
  });

  it('ReduceSum: axes as input from opset 13, attribute before; noop_with_empty_axes', () => {
    const x = tensor([3, 2, 2], range(12, 1));
    expectTensor(op1('ReduceSum', {}, [x]), [1, 1, 1], [78]);
    expectTensor(op1('ReduceSum', { keepdims: 0 }, [x, ints([1])]), [3, 2], [4, 6, 12, 14, 20, 22]);
    expectTensor(op1('ReduceSum', { keepdims: 0, axes: [1] }, [x], 11), [3, 2], [4, 6, 12, 14, 20, 22]);
    expectTensor(op1('ReduceSum', { noop_with_empty_axes: 1 }, [x, tensor([0], [])]), [3, 2, 2], range(12, 1));
    expectTensor(op1('ReduceSum', {}, [x, tensor([0], [])]), [1, 1, 1], [78]);
    // Opset 13 ReduceMean still takes attribute axes.
    expectTensor(op1('ReduceMean', { axes: [0, 1, 2], keepdims: 0 }, [x], 13), [], [6.5]);
  });
});

describe('data movement', () => {
  it('Concat along a middle and a negative axis', () => {
    const a = tensor([2, 1, 2], [1, 2, 3, 4]);
    const b = tensor([2, 2, 2], range(8, 10));
    expectTensor(op1('Concat', { axis: 1 }, [a, b]), [2, 3, 2], [1, 2, 10, 11, 12, 13, 3, 4, 14, 15, 16, 17]);
    expectTensor(op1('Concat', { axis: -1 }, [tensor([2, 1], [1, 2]), tensor([2, 2], [3, 4, 5, 6])]), [2, 3], [1, 3, 4, 2, 5, 6]);
  });

  it('Split: equal parts, split input (opset 13), split attribute (opset 11), num_outputs (opset 18) (ONNX examples)', () => {
    const x = tensor([6], range(6, 1));
    const eq = op('Split', {}, [x], 13, 3);
    expect(eq.map((t) => Array.from(t.data))).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(op('Split', {}, [x, ints([2, 4])], 13, 2).map((t) => Array.from(t.data))).toEqual([[1, 2], [3, 4, 5, 6]]);
    expect(op('Split', { split: [2, 4] }, [x], 11, 2).map((t) => Array.from(t.data))).toEqual([[1, 2], [3, 4, 5, 6]]);
    expect(op('Split', { num_outputs: 3 }, [tensor([7], range(7, 1))], 18).map((t) => Array.from(t.data))).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    const [p, q] = op('Split', { axis: -1 }, [tensor([2, 6], range(12, 1))], 13, 2);
    expectTensor(p, [2, 3], [1, 2, 3, 7, 8, 9]);
    expectTensor(q, [2, 3], [4, 5, 6, 10, 11, 12]);
  });

  it('Slice: steps, negative steps, negative and clamped indices (ONNX examples and by hand)', () => {
    const d = tensor([2, 4], range(8, 1));
    expectTensor(op1('Slice', {}, [d, ints([1, 0]), ints([2, 3]), ints([0, 1]), ints([1, 2])]), [1, 2], [5, 7]);
    expectTensor(op1('Slice', {}, [d, ints([0, 1]), ints([-1, 1000])]), [1, 3], [2, 3, 4]);
    const v = tensor([10], range(10));
    expectTensor(op1('Slice', {}, [v, ints([-1]), ints([-100]), ints([0]), ints([-2])]), [5], [9, 7, 5, 3, 1]);
    expectTensor(op1('Slice', {}, [v, ints([8]), ints([2]), ints([0]), ints([-3])]), [2], [8, 5]);
    expectTensor(op1('Slice', {}, [v, ints([100]), ints([-100]), ints([0]), ints([-4])]), [3], [9, 5, 1]);
    expectTensor(op1('Slice', {}, [v, ints([2]), ints([1e10])]), [8], range(8, 2));
    expectTensor(op1('Slice', {}, [v, ints([5]), ints([2])]), [0], []);
    // Negative axis; 2-D reversal of the columns.
    expectTensor(op1('Slice', {}, [d, ints([-1]), ints([-1e10]), ints([-1]), ints([-1])]), [2, 4], [4, 3, 2, 1, 8, 7, 6, 5]);
    // Opset 1-9 attributes.
    expectTensor(op1('Slice', { starts: [1], ends: [3], axes: [1] }, [d], 9), [2, 2], [2, 3, 6, 7]);
  });

  it('Pad: constant, reflect and edge (ONNX examples), negative pads crop, optional axes', () => {
    const x = tensor([3, 2], [1.0, 1.2, 2.3, 3.4, 4.5, 5.7]);
    expectTensor(op1('Pad', { mode: 'reflect' }, [x, ints([0, 2, 0, 0])]), [3, 4], [1.0, 1.2, 1.0, 1.2, 2.3, 3.4, 2.3, 3.4, 4.5, 5.7, 4.5, 5.7]);
    expectTensor(op1('Pad', { mode: 'edge' }, [x, ints([0, 2, 0, 0])]), [3, 4], [1.0, 1.0, 1.0, 1.2, 2.3, 2.3, 2.3, 3.4, 4.5, 4.5, 4.5, 5.7]);
    expectTensor(op1('Pad', {}, [x, ints([0, 2, 0, 0])]), [3, 4], [0, 0, 1.0, 1.2, 0, 0, 2.3, 3.4, 0, 0, 4.5, 5.7]);
    expectTensor(op1('Pad', {}, [x, ints([1, 0, 0, 1]), tensor([], [-7])]), [4, 3], [-7, -7, -7, 1.0, 1.2, -7, 2.3, 3.4, -7, 4.5, 5.7, -7]);
    const v = tensor([4], [1, 2, 3, 4]);
    expectTensor(op1('Pad', { mode: 'reflect' }, [v, ints([2, 3])]), [9], [3, 2, 1, 2, 3, 4, 3, 2, 1]);
    expectTensor(op1('Pad', { mode: 'edge' }, [v, ints([2, 1])]), [7], [1, 1, 1, 2, 3, 4, 4]);
    expectTensor(op1('Pad', {}, [v, ints([-1, 1])]), [4], [2, 3, 4, 0]);
    expectTensor(op1('Pad', {}, [x, ints([1, 1]), null, ints([-1])], 18), [3, 4], [0, 1.0, 1.2, 0, 0, 2.3, 3.4, 0, 0, 4.5, 5.7, 0]);
    expectTensor(op1('Pad', { pads: [0, 1, 0, 0], value: 9.5 }, [x], 2), [3, 3], [9.5, 1.0, 1.2, 9.5, 2.3, 3.4, 9.5, 4.5, 5.7]);
  });

  it('Reshape (0 copies, -1 infers), Flatten, Transpose, Squeeze, Unsqueeze', () => {
    const x = tensor([2, 3, 4], range(24));
    expect(op1('Reshape', {}, [x, ints([0, -1])])!.shape).toEqual([2, 12]);
    expect(op1('Reshape', {}, [x, ints([-1, 0, 2])])!.shape).toEqual([4, 3, 2]);
    expect(op1('Reshape', {}, [x, ints([4, 2, 3])])!.data).toEqual(x.data);
    expect(() => op1('Reshape', {}, [x, ints([5, -1])])).toThrow(/Reshape/);
    expect(op1('Flatten', {}, [x])!.shape).toEqual([2, 12]);
    expect(op1('Flatten', { axis: 0 }, [x])!.shape).toEqual([1, 24]);
    expect(op1('Flatten', { axis: -1 }, [x])!.shape).toEqual([6, 4]);
    expect(op1('Flatten', { axis: 3 }, [x])!.shape).toEqual([24, 1]);
    expectTensor(op1('Transpose', {}, [tensor([2, 3], range(6))]), [3, 2], [0, 3, 1, 4, 2, 5]);
    // NCHW [1, 2, 2, 2] → NHWC: channel values interleave.
    expectTensor(op1('Transpose', { perm: [0, 2, 3, 1] }, [tensor([1, 2, 2, 2], range(8))]), [1, 2, 2, 2], [0, 4, 1, 5, 2, 6, 3, 7]);
    const t = op1('Transpose', { perm: [1, 2, 0] }, [x])!;
    expect(t.shape).toEqual([3, 4, 2]);
    expect(Array.from(t.data.subarray(0, 4))).toEqual([0, 12, 1, 13]);
    const s = tensor([1, 3, 1, 2], range(6));
    expect(op1('Squeeze', {}, [s])!.shape).toEqual([3, 2]);
    expect(op1('Squeeze', {}, [s, ints([-2])])!.shape).toEqual([1, 3, 2]);
    expect(op1('Squeeze', { axes: [0] }, [s], 11)!.shape).toEqual([3, 1, 2]);
    expect(() => op1('Squeeze', {}, [s, ints([1])])).toThrow(/Squeeze/);
    expect(op1('Unsqueeze', {}, [tensor([3, 4], range(12)), ints([0, -1])])!.shape).toEqual([1, 3, 4, 1]);
    expect(op1('Unsqueeze', {}, [tensor([3, 4], range(12)), ints([1, 3])])!.shape).toEqual([3, 1, 4, 1]);
    expect(op1('Unsqueeze', { axes: [0] }, [tensor([3], range(3))], 11)!.shape).toEqual([1, 3]);
  });

  it('Gather on axis 0 and 1 (ONNX examples), negative indices', () => {
    const d = tensor([3, 2], [1.0, 1.2, 2.3, 3.4, 4.5, 5.7]);
    expectTensor(op1('Gather', {}, [d, tensor([2, 2], [0, 1, 1, 2])]), [2, 2, 2], [1.0, 1.2, 2.3, 3.4, 2.3, 3.4, 4.5, 5.7]);
    const e = tensor([3, 3], [1.0, 1.2, 1.9, 2.3, 3.4, 3.9, 4.5, 5.7, 5.9]);
    expectTensor(op1('Gather', { axis: 1 }, [e, tensor([1, 2], [0, 2])]), [3, 1, 2], [1.0, 1.9, 2.3, 3.9, 4.5, 5.9]);
    expectTensor(op1('Gather', { axis: -1 }, [e, tensor([], [-1])]), [3], [1.9, 3.9, 5.9]);
  });

  it('Dropout and Identity pass through', () => {
    const x = tensor([2], [1, -2]);
    expectTensor(op1('Dropout', { ratio: 0.5 }, [x]), [2], [1, -2]);
    expectTensor(op1('Identity', {}, [x]), [2], [1, -2]);
  });

  it('Resize nearest: half_pixel up and down (ONNX examples), asymmetric, Upsample', () => {
    const x = tensor([1, 1, 2, 2], [1, 2, 3, 4]);
    expectTensor(op1('Resize', {}, [x, null, tensor([4], [1, 1, 2, 3])]), [1, 1, 4, 6], [
      1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4,
    ]);
    expectTensor(op1('Resize', {}, [tensor([1, 1, 2, 4], range(8, 1)), null, tensor([4], [1, 1, 0.6, 0.6])]), [1, 1, 1, 2], [1, 3]);
    // asymmetric + floor: out[i] = x[floor(i / 2)].
    const a = { coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' };
    expectTensor(op1('Resize', a, [tensor([1, 1, 1, 3], [1, 2, 3]), null, null, ints([1, 1, 1, 6])]), [1, 1, 1, 6], [1, 1, 2, 2, 3, 3]);
    expectTensor(op1('Upsample', {}, [x, tensor([4], [1, 1, 2, 2])], 9), [1, 1, 4, 4], [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  });
});

describe('evaluateGraph and the dispatcher', () => {
  it('chains nodes and skips omitted optional inputs', () => {
    const env = evaluateGraph(
      [
        { op: 'Conv', inputs: ['x', 'w', ''], outputs: ['c'] },
        { op: 'Relu', inputs: ['c'], outputs: ['r'] },
        { op: 'Add', inputs: ['r', 'x'], outputs: ['y'] },
      ],
      { x: tensor([1, 1, 1, 3], [1, -2, 3]), w: tensor([1, 1, 1, 1], [2]) },
    );
    expectTensor(env['y'], [1, 1, 1, 3], [3, -2, 9]);
  });

  it('refuses an operator it does not know', () => {
    expect(() => referenceOp('NonMaxSuppression', {}, [])).toThrow(/NonMaxSuppression/);
  });
});
