// The wasm core's network building blocks (assembly/nn) against plain double-precision
// references and finite differences.
import { describe, expect, it } from 'vitest';
import { getCore } from '../../src/node/index.js';
import { groupCrossEntropy, groupSoftmax, maskedSoftmax, Mlp, type Activation } from '../../src/core/nn.js';
import { Random } from '../../src/helpers/random.js';

function referenceForward(params: ArrayLike<number>, sizes: number[], input: number[], activation: Activation): number[] {
  let x = input;
  let at = 0;
  for (let l = 1; l < sizes.length; l++) {
    const [nIn, nOut] = [sizes[l - 1]!, sizes[l]!];
    const y: number[] = [];
    for (let o = 0; o < nOut; o++) {
      let z = params[at + nIn * nOut + o]!; // W is in×out row-major, then b
      for (let i = 0; i < nIn; i++) z += params[at + i * nOut + o]! * x[i]!;
      const hidden = l < sizes.length - 1;
      y.push(hidden ? (activation === 'relu' ? Math.max(0, z) : Math.tanh(z)) : z);
    }
    at += nIn * nOut + nOut;
    x = y;
  }
  return x;
}

describe.each(['tanh', 'relu', 'fast-tanh'] as const)('MLP with %s hidden layers', (activation) => {
  const sizes = [5, 9, 6, 3];

  it('forward matches the reference on a batch', async () => {
    const net = new Mlp(await getCore(), sizes, new Random(1), activation);
    const random = new Random(2);
    const inputs = random.floats(7 * 5);
    const out = net.forward(inputs, 7);
    for (let b = 0; b < 7; b++) {
      const want = referenceForward(net.getParams(), sizes, Array.from(inputs.subarray(b * 5, b * 5 + 5)), activation);
      want.forEach((y, j) => expect(out[b * 3 + j]).toBeCloseTo(y, 5));
    }
    net.dispose();
  });

  it('backward matches central finite differences of the reference', async () => {
    const net = new Mlp(await getCore(), sizes, new Random(3), activation);
    const random = new Random(4);
    const batch = 4;
    const inputs = Array.from(random.floats(batch * 5));
    const coef = Array.from(random.floats(batch * 3)); // loss = Σ coef · outputs
    const loss = (params: ArrayLike<number>): number => {
      let sum = 0;
      for (let b = 0; b < batch; b++) referenceForward(params, sizes, inputs.slice(b * 5, b * 5 + 5), activation).forEach((y, j) => (sum += coef[b * 3 + j]! * y));
      return sum;
    };
    net.forward(Float32Array.from(inputs), batch);
    net.zeroGrad();
    net.backward(Float32Array.from(coef));
    const analytic = net.getGrads();
    const params = Float64Array.from(net.getParams());
    const h = 1e-4;
    for (let i = 0; i < params.length; i++) {
      const plus = Float64Array.from(params);
      const minus = Float64Array.from(params);
      plus[i] = params[i]! + h;
      minus[i] = params[i]! - h;
      const numeric = (loss(plus) - loss(minus)) / (2 * h);
      expect(Math.abs(analytic[i]! - numeric), `parameter ${i}`).toBeLessThan(1e-3 * Math.max(1, Math.abs(numeric)));
    }
    net.dispose();
  });
});

describe('fast tanh', () => {
  it('is within 5e-7 of Math.tanh (relative 1e-6 near 0), odd, and saturates near ±1', async () => {
    const core = await getCore();
    const xs = Float32Array.from({ length: 24_003 }, (_, i) => (i - 12_001) / 1000);
    xs.set([1e-8, -3e-5, 4e-4, 1e30, -1e30], 0);
    const ptr = core.exports.alloc(xs.byteLength);
    new Float32Array(core.exports.memory.buffer, ptr, xs.length).set(xs);
    core.exports.nnFastTanhForward(ptr, ptr, xs.length);
    const ys = new Float32Array(core.exports.memory.buffer, ptr, xs.length).slice();
    core.exports.free(ptr);
    for (let i = 0; i < xs.length; i++) {
      const want = Math.tanh(xs[i]!);
      expect(Math.abs(ys[i]! - want), `tanh(${xs[i]})`).toBeLessThan(Math.min(5e-7, 1e-6 * Math.abs(want) + 1e-12));
    }
    // xs[i] = −xs[24002 − i] for 5 ≤ i ≤ 23997.
    for (let i = 5; i <= 23_997; i++) expect(ys[i]! + ys[24_002 - i]!, `tanh(${xs[i]})`).toBe(0);
    expect(1 - ys[3]!).toBeLessThan(2e-7);
    expect(ys[4]).toBe(-ys[3]!);
  });
});

describe('Adam and training', () => {
  it('takes the textbook first step and fits a smooth target', async () => {
    const net = new Mlp(await getCore(), [2, 16, 1], new Random(5), 'tanh');
    const random = new Random(6);
    const xs = random.floats(64 * 2);
    const ys = Float32Array.from({ length: 64 }, (_, b) => Math.sin(3 * xs[2 * b]!) * xs[2 * b + 1]!);
    const mse = () => net.forward(xs, 64).reduce((s, y, b) => s + (y - ys[b]!) ** 2, 0) / 64;
    const before = mse();
    const out = net.forward(xs, 64);
    net.zeroGrad();
    net.backward(Float32Array.from(out, (y, b) => (2 * (y - ys[b]!)) / 64));
    const [p0, g0] = [net.getParams(), net.getGrads()];
    net.adamStep({ learningRate: 0.01 });
    const p1 = net.getParams();
    // First step: m̂ = g, v̂ = g², so Δ = −lr · g / (|g| + ε).
    p0.forEach((p, i) => expect(p1[i]).toBeCloseTo(g0[i] === 0 ? p : p - (0.01 * g0[i]!) / (Math.abs(g0[i]!) + 1e-8), 5));
    for (let step = 0; step < 300; step++) {
      const y = net.forward(xs, 64);
      net.zeroGrad();
      net.backward(Float32Array.from(y, (v, b) => (2 * (v - ys[b]!)) / 64));
      net.clipGradNorm(10);
      net.adamStep({ learningRate: 0.01 });
    }
    expect(mse()).toBeLessThan(0.3 * before);
    net.dispose();
  });

  it('does not leak wasm memory', async () => {
    const core = await getCore();
    const make = () => {
      const net = new Mlp(core, [4, 8, 1], new Random(1));
      net.forward(new Float32Array(4 * 40), 40);
      net.dispose();
    };
    make();
    const before = core.memoryBytes;
    for (let i = 0; i < 200; i++) make();
    expect(core.memoryBytes).toBe(before);
  });
});

describe('softmax heads', () => {
  it('grouped softmax and weighted cross-entropy match the reference and finite differences', async () => {
    const core = await getCore();
    const logits = Float32Array.from([0.3, -1.2, 2.0, 0.5, 0.1, -0.4]);
    const groupStart = Int32Array.from([0, 3, 4, 6]); // groups of 3, 1 and 2 actions
    const target = Int32Array.from([2, 0, 1]);
    const weight = Float32Array.from([1, 0.5, -2]);
    const probs = groupSoftmax(core, logits, groupStart);
    const refLoss = (z: ArrayLike<number>): number => {
      let loss = 0;
      for (let g = 0; g < 3; g++) {
        const [a, e] = [groupStart[g]!, groupStart[g + 1]!];
        let sum = 0;
        for (let i = a; i < e; i++) sum += Math.exp(z[i]!);
        loss -= weight[g]! * (z[a + target[g]!]! - Math.log(sum));
        for (let i = a; i < e; i++) expect(probs[i]).toBeCloseTo(Math.exp(logits[i]!) / [...logits.subarray(a, e)].reduce((s, v) => s + Math.exp(v), 0), 6);
      }
      return loss;
    };
    const { loss, gradLogits } = groupCrossEntropy(core, probs, groupStart, target, weight);
    expect(loss).toBeCloseTo(refLoss(logits), 5);
    expect(probs[3]).toBe(1);
    for (let i = 0; i < logits.length; i++) {
      const plus = Float64Array.from(logits);
      const minus = Float64Array.from(logits);
      plus[i] = logits[i]! + 1e-5;
      minus[i] = logits[i]! - 1e-5;
      expect(gradLogits[i]).toBeCloseTo((refLoss(plus) - refLoss(minus)) / 2e-5, 4);
    }
  });

  it('masked softmax gives forbidden actions probability zero', async () => {
    const core = await getCore();
    const p = maskedSoftmax(core, Float32Array.from([1, 2, 3, 0, 0, 5]), Uint8Array.from([1, 0, 1, 1, 1, 0]), 2, 3);
    expect(p[1]).toBe(0);
    expect(p[5]).toBe(0);
    expect(p[0]! + p[2]!).toBeCloseTo(1, 6);
    expect(p[2]! / p[0]!).toBeCloseTo(Math.exp(2), 4);
    expect(p[3]).toBeCloseTo(0.5, 6);
  });
});
