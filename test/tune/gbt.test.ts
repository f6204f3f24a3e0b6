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

it('a sample of weight 2 fits as that sample given twice', () => {
  const random = new Random(7);
  const rows = Array.from({ length: 60 }, () => [random.int(6), random.float()]);
  const targets = rows.map(([a, b]) => Math.cos(a!) + b!);
  const weights = rows.map((_, i) => (i % 3 === 0 ? 2 : 1));
  const weighted = new GradientBoostedTrees({ rounds: 20 });
  weighted.fit(rows, targets, weights);
  const duplicated = new GradientBoostedTrees({ rounds: 20 });
  const twice = rows.flatMap((row, i) => (i % 3 === 0 ? [row, row] : [row]));
  duplicated.fit(twice, rows.flatMap((_, i) => (i % 3 === 0 ? [targets[i]!, targets[i]!] : [targets[i]!])));
  for (const row of rows) expect(weighted.predict(row)).toBeCloseTo(duplicated.predict(row), 9);
  // and the weights matter: the unweighted fit differs
  const plain = new GradientBoostedTrees({ rounds: 20 });
  plain.fit(rows, targets);
  expect(rows.some((row) => Math.abs(plain.predict(row) - weighted.predict(row)) > 1e-6)).toBe(true);
});

it('rejects weights that do not match the rows or sum to zero', () => {
  expect(() => new GradientBoostedTrees().fit([[1], [2]], [1, 2], [1])).toThrow(/2 feature rows but 1 weights/);
  expect(() => new GradientBoostedTrees().fit([[1], [2]], [1, 2], [0, 0])).toThrow(/total weight 0/);
});
