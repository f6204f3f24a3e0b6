// The cheap ops (bias, ReLU/ReLU6, add, pooling) against plain loops, with SIMD tails.
import { describe, expect, it } from 'vitest';
import { detectFeatures, FLAVOURS, getCore } from '../../src/node/index.js';
import { Random } from '../../src/helpers/random.js';
import { convShape, inputLength, Kernels, outputLength } from '../../src/core/kernels.js';
import { referencePool } from '../../src/core/kernels-reference.js';
import { tensorOps } from '../../src/core/tensor-ops.js';

const available = FLAVOURS.filter((f) => f !== 'relaxed' || detectFeatures().relaxedSimd);

describe.each(available)('cheap ops in the %s flavour', (flavour) => {
  it('bias, ReLU, ReLU6 and add agree with plain loops on odd lengths', async () => {
    const k = new Kernels(await getCore(flavour));
    const random = new Random(11);
    for (const [pixels, channels] of [[7, 5], [3, 16], [1, 1], [10, 19]] as const) {
      const x = random.floats(pixels * channels, -8, 8);
      const bias = random.floats(channels);
      const other = random.floats(pixels * channels);
      const [withBias, relu, relu6, sum] = k.withBuffers([x, bias, other], ([xb, bb, ob]) => {
        k.biasAddInto(xb!, bb!, channels);
        const afterBias = k.core.read(xb!);
        const r = k.core.f32From(afterBias);
        const r6 = k.core.f32From(afterBias);
        k.reluInto(r);
        k.reluInto(r6, 6);
        k.addInto(xb!, ob!, xb!);
        const out = [afterBias, k.core.read(r), k.core.read(r6), k.core.read(xb!)];
        k.core.free(r, r6);
        return out;
      });
      for (let i = 0; i < x.length; i++) {
        const b = Math.fround(x[i]! + bias[i % channels]!);
        expect(withBias![i]).toBe(b);
        expect(relu![i]).toBe(Math.max(b, 0));
        expect(relu6![i]).toBe(Math.min(Math.max(b, 0), 6));
        expect(sum![i]).toBe(Math.fround(b + other[i]!));
      }
    }
  });

  it('max and average pooling match the reference, padding excluded from averages', async () => {
    const k = new Kernels(await getCore(flavour));
    const random = new Random(12);
    const shapes = [
      convShape({ n: 2, h: 7, w: 9, c: 6, oc: 6, k: 3, stride: 2, pad: 1 }),
      convShape({ h: 8, w: 8, c: 16, oc: 16, k: 2, stride: 2 }),
      convShape({ h: 7, w: 7, c: 5, oc: 5, k: 7 }), // global average pool
    ];
    for (const shape of shapes) {
      const x = random.floats(inputLength(shape));
      for (const kind of ['max', 'avg'] as const) {
        const got = k.withBuffers([x, new Float32Array(outputLength(shape))], ([xb, yb]) => {
          k.poolInto(shape, xb!, yb!, kind);
          return k.core.read(yb!);
        });
        const expected = referencePool(shape, x, kind);
        for (let i = 0; i < expected.length; i++) expect(got[i]).toBeCloseTo(expected[i]!, 5);
      }
    }
  });

  it('channels-last sums and means add the pixels of each channel in order in float32, bit for bit', async () => {
    const core = await getCore(flavour);
    const ops = tensorOps(core);
    const random = new Random(13);
    const f = Math.fround;
    for (const [outer, n, inner] of [[1, 49, 1280], [2, 7, 6], [1, 300, 33], [3, 1, 4]] as const) {
      const x = random.floats(outer * n * inner, -4, 4);
      for (const kind of ['sum', 'mean'] as const) {
        const [xb, yb] = [core.f32From(x), core.allocF32(outer * inner)];
        ops.reduce(xb.ptr, yb.ptr, outer, n, inner, kind);
        const got = core.read(yb);
        core.free(xb, yb);
        const expected = Float32Array.from({ length: outer * inner }, (_, j) => {
          const [o, i] = [Math.floor(j / inner), j % inner];
          let acc = 0;
          for (let r = 0; r < n; r++) acc = f(acc + x[(o * n + r) * inner + i]!);
          return kind === 'mean' ? f(acc * f(1 / n)) : acc;
        });
        expect(Buffer.from(got.buffer).equals(Buffer.from(expected.buffer)), `${kind} over [${outer}, ${n}, ${inner}]`).toBe(true);
      }
    }
  });
});
