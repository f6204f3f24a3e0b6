// Gradient-boosted regression trees in the wasm core (assembly/tune/gbt.ts): the fit and the
// batch prediction run there over flat f64 buffers. A fitted forest is copied back into small
// JS typed arrays (rounds × (2^(maxDepth+1) − 1) nodes, a few kB), so nothing stays allocated
// in the core between calls and a forest needs no dispose.
//
// Each call allocates its blocks from the core, copies in, runs, copies out and frees:
//   fit:     [columns f64·d·n][targets f64·n][weights f64·n] → [feature i32·N][threshold f64·N][left i32·N][value f64·N]
//   predict: [rows f64·count·d][the forest's four arrays] → [out f64·count]
import { type Core, withBlocks } from './core.js';

export interface GbtOptions {
  /** Boosting rounds (trees). */
  rounds: number;
  /** Depth of each tree (XGBoost max_depth). */
  maxDepth: number;
  /** Shrinkage of each tree's leaves (XGBoost eta). */
  learningRate: number;
  /** Minimum loss reduction to split (XGBoost gamma). */
  minSplitGain: number;
  /** L2 regularisation of leaf weights (XGBoost lambda). */
  l2: number;
  /** Minimum samples on each side of a split. */
  minChildSamples: number;
}

/**
 * Fitted trees as flat arrays; node j of tree t is at t·nodesPerTree + j and splits on
 * row[feature] < threshold → left, else left + 1; a leaf has feature −1 and its weight in `value`.
 */
export interface GbtForest {
  readonly trees: number;
  readonly nodesPerTree: number;
  /** Features per row. */
  readonly features: number;
  /** The prediction before any tree (the weighted mean target). */
  readonly base: number;
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly value: Float64Array;
}

/**
 * Fits a forest on n samples of d features given column by column (feature f of sample i at
 * columns[f·n + i]). The caller has checked n ≥ 1 and a positive total weight.
 */
export function fitForest(core: Core, columns: Float64Array, n: number, d: number, targets: Float64Array, weights: Float64Array, options: GbtOptions): GbtForest {
  if (columns.length !== n * d || targets.length !== n || weights.length !== n) throw new RangeError(`gbt: ${columns.length} column values, ${targets.length} targets and ${weights.length} weights for ${n} samples of ${d} features`);
  const e = core.exports;
  const nodesPerTree = e.gbtNodesPerTree(options.maxDepth);
  const size = options.rounds * nodesPerTree;
  return withBlocks(core, [8 * n * d, 8 * n, 8 * n, 4 * size, 8 * size, 4 * size, 8 * size], ([cols, tgt, wts, feature, threshold, left, value]) => {
    new Float64Array(e.memory.buffer, cols, n * d).set(columns);
    new Float64Array(e.memory.buffer, tgt, n).set(targets);
    new Float64Array(e.memory.buffer, wts, n).set(weights);
    const { rounds, maxDepth, learningRate, minSplitGain, l2, minChildSamples } = options;
    const base = e.gbtFit(n, d, cols, tgt, wts, rounds, maxDepth, learningRate, minSplitGain, l2, minChildSamples, feature, threshold, left, value);
    const buffer = e.memory.buffer; // fresh: the fit may have grown memory
    return {
      trees: rounds, nodesPerTree, features: d, base,
      feature: new Int32Array(buffer, feature, size).slice(),
      threshold: new Float64Array(buffer, threshold, size).slice(),
      left: new Int32Array(buffer, left, size).slice(),
      value: new Float64Array(buffer, value, size).slice(),
    };
  });
}

/** The forest's predictions of `count` rows given row by row (row r's feature f at rows[r·d + f]). */
export function predictForest(core: Core, forest: GbtForest, rows: Float64Array, count: number): Float64Array {
  const d = forest.features;
  if (rows.length !== count * d) throw new RangeError(`gbt: ${rows.length} values for ${count} rows of ${d} features`);
  if (count === 0) return new Float64Array(0);
  const e = core.exports;
  const size = forest.feature.length;
  return withBlocks(core, [8 * count * d, 4 * size, 8 * size, 4 * size, 8 * size, 8 * count], ([rws, feature, threshold, left, value, out]) => {
    const buffer = e.memory.buffer;
    new Float64Array(buffer, rws, count * d).set(rows);
    new Int32Array(buffer, feature, size).set(forest.feature);
    new Float64Array(buffer, threshold, size).set(forest.threshold);
    new Int32Array(buffer, left, size).set(forest.left);
    new Float64Array(buffer, value, size).set(forest.value);
    e.gbtPredict(rws, count, d, forest.trees, forest.nodesPerTree, forest.base, feature, threshold, left, value, out);
    return new Float64Array(e.memory.buffer, out, count).slice();
  });
}
