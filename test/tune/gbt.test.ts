import { expect, it } from 'vitest';
import { getCore } from '../../src/core/load.js';
import { Random } from '../../src/helpers/random.js';
import { type GbtOptions, GradientBoostedTrees } from '../../src/tune/cost-model/gbt.js';
import { ReferenceGbt } from '../../src/tune/cost-model/gbt-reference.js';

const core = await getCore();

it('one stump on a step function: the split and leaf weights computed by hand', () => {
  const model = new GradientBoostedTrees(core, { rounds: 1, maxDepth: 1, learningRate: 1, l2: 0, minSplitGain: 0 });
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
  const model = new GradientBoostedTrees(core, { rounds: 80 });
  model.fit(train.map((s) => s.x), train.map((s) => s.y));
  const mean = train.reduce((s, t) => s + t.y, 0) / train.length;
  const mse = (predict: (x: number[]) => number) => test.reduce((s, t) => s + (predict(t.x) - t.y) ** 2, 0) / test.length;
  expect(mse((x) => model.predict(x))).toBeLessThan(0.05 * mse(() => mean));
});

it('rejects empty or mismatched training data', () => {
  expect(() => new GradientBoostedTrees(core).fit([], [])).toThrow(/no samples/);
  expect(() => new GradientBoostedTrees(core).fit([[1]], [1, 2])).toThrow(/1 feature rows but 2 targets/);
});

it('a sample of weight 2 fits as that sample given twice', () => {
  const random = new Random(7);
  const rows = Array.from({ length: 60 }, () => [random.int(6), random.float()]);
  const targets = rows.map(([a, b]) => Math.cos(a!) + b!);
  const weights = rows.map((_, i) => (i % 3 === 0 ? 2 : 1));
  const weighted = new GradientBoostedTrees(core, { rounds: 20 });
  weighted.fit(rows, targets, weights);
  const duplicated = new GradientBoostedTrees(core, { rounds: 20 });
  const twice = rows.flatMap((row, i) => (i % 3 === 0 ? [row, row] : [row]));
  duplicated.fit(twice, rows.flatMap((_, i) => (i % 3 === 0 ? [targets[i]!, targets[i]!] : [targets[i]!])));
  for (const row of rows) expect(weighted.predict(row)).toBeCloseTo(duplicated.predict(row), 9);
  // and the weights matter: the unweighted fit differs
  const plain = new GradientBoostedTrees(core, { rounds: 20 });
  plain.fit(rows, targets);
  expect(rows.some((row) => Math.abs(plain.predict(row) - weighted.predict(row)) > 1e-6)).toBe(true);
});

it('rejects weights that do not match the rows or sum to zero', () => {
  expect(() => new GradientBoostedTrees(core).fit([[1], [2]], [1, 2], [1])).toThrow(/2 feature rows but 1 weights/);
  expect(() => new GradientBoostedTrees(core).fit([[1], [2]], [1, 2], [0, 0])).toThrow(/total weight 0/);
});

// The wasm model against the plain reference (src/tune/cost-model/gbt-reference.ts): the same trees, node
// for node, and the same predictions to the last bit.

interface DataSet {
  rows: number[][];
  targets: number[];
  weights?: number[];
}

/** n rows of d features, each feature drawn from `levels` values (few levels: many ties), a noisy target. */
function dataSet(seed: number, n: number, d: number, levels: number, weighted: boolean): DataSet {
  const random = new Random(seed);
  const rows = Array.from({ length: n }, () => Array.from({ length: d }, () => (levels > 0 ? random.int(levels) * 0.5 : random.normal())));
  const targets = rows.map((row) => Math.sin(row[0]!) * (row[d - 1]! > 0.5 ? 2 : 1) + row.reduce((s, x) => s + x, 0) * 0.1 + 0.1 * random.normal());
  // Some zero weights: a sample that counts for the split counts but adds nothing to the sums.
  const weights = weighted ? rows.map(() => (random.float() < 0.1 ? 0 : 0.25 + 2 * random.float())) : undefined;
  return { rows, targets, weights };
}

function expectSameTrees(model: GradientBoostedTrees, reference: ReferenceGbt): void {
  const forest = model.forest!;
  expect(forest.base).toBe(reference.base);
  expect(forest.trees).toBe(reference.trees.length);
  const nodes = forest.nodesPerTree;
  const flat = (pick: (tree: ReferenceGbt['trees'][number], j: number) => number): number[] => reference.trees.flatMap((tree) => Array.from({ length: nodes }, (_, j) => pick(tree, j)));
  const internal = (j: number, tree: ReferenceGbt['trees'][number]): boolean => tree.feature[j]! >= 0;
  expect(Array.from(forest.feature)).toEqual(flat((tree, j) => tree.feature[j]!));
  expect(Array.from(forest.threshold)).toEqual(flat((tree, j) => tree.threshold[j]!));
  expect(Array.from(forest.left, (l, i) => (forest.feature[i]! >= 0 ? l : 0))).toEqual(flat((tree, j) => (internal(j, tree) ? tree.left[j]! : 0)));
  expect(reference.trees.every((tree) => tree.feature.every((f, j) => f < 0 || tree.right[j] === tree.left[j]! + 1))).toBe(true);
  expect(Array.from(forest.value)).toEqual(flat((tree, j) => tree.value[j]!));
}

function expectSamePredictions(model: GradientBoostedTrees, reference: ReferenceGbt, rows: readonly number[][]): void {
  const expected = rows.map((row) => reference.predict(row));
  const many = Array.from(model.predictMany(rows));
  const one = rows.map((row) => model.predict(row));
  // Bit for bit: Object.is also tells −0 from 0.
  expect(many.every((p, i) => Object.is(p, expected[i]))).toBe(true);
  expect(one.every((p, i) => Object.is(p, expected[i]))).toBe(true);
}

it.each([
  // n, d, levels (0: continuous), weighted, options
  [1, 3, 4, false, { maxDepth: 3 }],
  [2, 1, 0, false, { maxDepth: 2, l2: 0, minSplitGain: 0 }],
  [7, 3, 2, true, { maxDepth: 1 }],
  [64, 19, 3, false, { maxDepth: 2, minChildSamples: 3 }],
  [128, 19, 0, true, { maxDepth: 3 }],
  [300, 5, 5, true, { maxDepth: 4, minChildSamples: 10 }],
  [500, 19, 4, false, { maxDepth: 5, learningRate: 1, l2: 0.5 }],
  [1000, 8, 0, true, { maxDepth: 6, minChildSamples: 2 }],
] as const)('n=%i, d=%i, %i levels, weighted %s, %o: the same trees and predictions as the reference', (n, d, levels, weighted, options) => {
  const { rows, targets, weights } = dataSet(n * 31 + d, n, d, levels, weighted);
  const settings: Partial<GbtOptions> = { rounds: 12, ...options };
  const model = new GradientBoostedTrees(core, settings);
  const reference = new ReferenceGbt(settings);
  model.fit(rows, targets, weights);
  reference.fit(rows, targets, weights);
  expectSameTrees(model, reference);
  const fresh = dataSet(n + 5, 50, d, levels, false).rows;
  expectSamePredictions(model, reference, [...rows, ...fresh]);
});

it('refits replace the trees, and fitting and predicting leave no memory behind in the core', () => {
  const first = dataSet(3, 400, 19, 6, true);
  const second = dataSet(4, 300, 19, 0, false);
  const model = new GradientBoostedTrees(core, { rounds: 30 });
  const reference = new ReferenceGbt({ rounds: 30 });
  model.fit(first.rows, first.targets, first.weights);
  model.predictMany(first.rows);
  const bytes = core.memoryBytes;
  for (let i = 0; i < 20; i++) {
    model.fit(second.rows, second.targets);
    model.predictMany(first.rows);
  }
  expect(core.memoryBytes).toBe(bytes);
  reference.fit(second.rows, second.targets);
  expectSameTrees(model, reference);
});

it('predicts 0 before a fit and rejects rows of the wrong width', () => {
  const model = new GradientBoostedTrees(core);
  expect(model.fitted).toBe(false);
  expect(model.predict([1, 2])).toBe(0);
  expect(Array.from(model.predictMany([[1, 2], [3, 4]]))).toEqual([0, 0]);
  model.fit([[0, 1], [1, 0], [2, 2]], [1, 2, 3]);
  expect(model.fitted).toBe(true);
  expect(() => model.predictMany([[1, 2], [3]])).toThrow(/row 1 has 1 features, the model was fitted on 2/);
  expect(model.predictMany([]).length).toBe(0);
});
