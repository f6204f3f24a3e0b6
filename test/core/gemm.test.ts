import { describe, expect, it } from 'vitest';
import { FLAVOURS, getCore, detectFeatures } from '../../src/node/index.js';
import { maxRelativeError, referenceGemm } from '../../src/core/reference.js';
import { Random } from '../../src/helpers/random.js';

const available = FLAVOURS.filter((f) => f !== 'relaxed' || detectFeatures().relaxedSimd);

describe.each(available)('GEMM in the %s flavour', (flavour) => {
  it('matches the reference on 60 random shapes, most not multiples of the 4×8 block', async () => {
    const core = await getCore(flavour);
    const random = new Random(42);
    for (let s = 0; s < 60; s++) {
      const m = random.intBetween(1, 67);
      const n = random.intBetween(1, 67);
      const k = random.intBetween(1, 600); // past the 256-deep reduction slice
      const a = random.floats(m * k);
      const b = random.floats(k * n);
      const err = maxRelativeError(core.gemm(a, b, m, n, k), referenceGemm(a, b, m, n, k));
      expect(err, `shape ${m}×${n}×${k}`).toBeLessThan(1e-4);
    }
  });

  it('computes a hand-made 2×3×2 case exactly', async () => {
    const core = await getCore(flavour);
    // [1 2; 3 4; 5 6] is A (3×2), B = [1 0 2; 0 1 3] (2×3)
    const c = core.gemm([1, 2, 3, 4, 5, 6], [1, 0, 2, 0, 1, 3], 3, 3, 2);
    expect(Array.from(c)).toEqual([1, 2, 8, 3, 4, 18, 5, 6, 28]);
  });

  it('writes zeros when the reduction is empty and rejects bad shapes', async () => {
    const core = await getCore(flavour);
    expect(Array.from(core.gemm([], [], 2, 2, 0))).toEqual([0, 0, 0, 0]);
    expect(() => core.gemm([1, 2], [1, 2], 2, 2, 2)).toThrow(/A holds 2 floats, m×k needs 4/);
    expect(() => core.gemm([1], [1], 1, -1, 1)).toThrow(/n must be a non-negative integer/);
  });

  it('does not leak wasm memory over repeated calls', async () => {
    const core = await getCore(flavour);
    const random = new Random(7);
    const a = random.floats(96 * 96);
    core.gemm(a, a, 96, 96, 96);
    const before = core.memoryBytes;
    for (let i = 0; i < 200; i++) core.gemm(a, a, 96, 96, 96);
    expect(core.memoryBytes).toBe(before);
  });
});

describe('flavour choice', () => {
  it('picks relaxed SIMD exactly when the engine validates it', async () => {
    const core = await getCore();
    expect(core.flavour).toBe(detectFeatures().relaxedSimd ? 'relaxed' : 'simd');
    expect(core.fusedMultiplyAdd).toBe(core.flavour === 'relaxed');
  });
});
