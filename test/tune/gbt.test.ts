import { expect, it } from 'vitest';
import { Random } from '../../src/helpers/random.js';
import { GradientBoostedTrees } from '../../src/tune/cost-model/gbt.js';

it('one stump on a step function: the split and leaf weights computed by hand', () => {
  const model = new GradientBoostedTrees({ rounds: 1, maxDepth: 1, learningRate: 1, l2: 0, minSplitGain: 0 });
  model.fit([[0], [1], [2], [3]], [0, 0, 1, 1]);
  // base 0.5; gradients ±0.5; split at 1.5; leaves −(±1)/2 → predictions 0 and 1
  expect([0, 1, 1.4, 1.6, 2, 3].map((x) => model.predict([x]))).toEqual([0, 0, 0, 1, 1, 1]);
});

it('learns an interaction of two features far better than the mean does (held-out data)', () => {
  const random = new Random(4);
  const sample = () => {
    const x = [random.int(8), random.int(8), random.float()];
    return { x, y: Math.sin(x[0]! / 2) * (x[1]! > 3 ? 2 : 1) + 0.05 * x[2]! };
  };
  const train = Array.from({ length: 400 }, sample);
  const test = Array.from({ length: 200 }, sample);
  const model = new GradientBoostedTrees({ rounds: 80 });
  model.fit(train.map((s) => s.x), train.map((s) => s.y));
  const mean = train.reduce((s, t) => s + t.y, 0) / train.length;
  const mse = (predict: (x: number[]) => number) => test.reduce((s, t) => s + (predict(t.x) - t.y) ** 2, 0) / test.length;
  expect(mse((x) => model.predict(x))).toBeLessThan(0.05 * mse(() => mean));
});

it('rejects empty or mismatched training data', () => {
  expect(() => new GradientBoostedTrees().fit([], [])).toThrow(/no samples/);
  expect(() => new GradientBoostedTrees().fit([[1]], [1, 2])).toThrow(/1 feature rows but 2 targets/);
});
