// Gradient-boosted regression trees, the cost model of AutoTVM (XGBoost, max_depth 3,
// eta 0.3, gamma 1e-4): squared loss, exact greedy splits found level by level with one pass
// per feature over samples presorted by that feature. Samples may carry weights (XGBoost's
// instance weights: gradient and hessian scaled by the weight). The fit and batch prediction
// run in the wasm core (src/core/gbt.ts); ./gbt-reference.ts is the plain reference
// they equal bit for bit.
import type { Core } from '../../core/core.js';
import { fitForest, type GbtForest, type GbtOptions, predictForest } from '../../core/gbt.js';

export type { GbtOptions } from '../../core/gbt.js';

export const GBT_DEFAULTS: GbtOptions = { rounds: 60, maxDepth: 3, learningRate: 0.3, minSplitGain: 1e-4, l2: 1, minChildSamples: 1 };

export class GradientBoostedTrees {
  readonly options: GbtOptions;
  private fittedForest: GbtForest | undefined;

  constructor(
    private readonly core: Core,
    options: Partial<GbtOptions> = {},
  ) {
    this.options = { ...GBT_DEFAULTS, ...options };
  }

  get fitted(): boolean {
    return (this.fittedForest?.trees ?? 0) > 0;
  }

  /** The fitted trees (undefined before the first fit). */
  get forest(): GbtForest | undefined {
    return this.fittedForest;
  }

  /** Fits on rows and targets; `weights` (default all 1) scale each sample's loss. */
  fit(features: readonly (readonly number[])[], targets: readonly number[], weights?: readonly number[]): void {
    const n = features.length;
    if (n === 0) throw new RangeError('cannot fit a cost model on no samples');
    if (targets.length !== n) throw new RangeError(`${n} feature rows but ${targets.length} targets`);
    if (weights && weights.length !== n) throw new RangeError(`${n} feature rows but ${weights.length} weights`);
    const weight = weights ? Float64Array.from(weights) : new Float64Array(n).fill(1);
    const totalWeight = weight.reduce((s, w) => s + w, 0);
    if (!(totalWeight > 0)) throw new RangeError('cannot fit a cost model on samples of total weight 0');
    const d = features[0]!.length;
    const columns = new Float64Array(d * n);
    features.forEach((row, i) => {
      for (let f = 0; f < d; f++) columns[f * n + i] = row[f]!;
    });
    this.fittedForest = fitForest(this.core, columns, n, d, Float64Array.from(targets), weight, this.options);
  }

  /**
   * The prediction of one row. Evaluated here rather than in the core: a call would first copy
   * the whole forest in, which costs more than walking its few nodes.
   */
  predict(row: ArrayLike<number>): number {
    const forest = this.fittedForest;
    if (!forest) return 0;
    const { feature, threshold, left, value, nodesPerTree } = forest;
    let sum = forest.base;
    for (let offset = 0; offset < feature.length; offset += nodesPerTree) {
      let node = offset;
      while (feature[node]! >= 0) node = offset + (row[feature[node]!]! < threshold[node]! ? left[node]! : left[node]! + 1);
      sum += value[node]!;
    }
    return sum;
  }

  /** Predictions of many rows in one call into the core; every row has the fitted feature count. */
  predictMany(rows: readonly ArrayLike<number>[]): Float64Array {
    const forest = this.fittedForest;
    if (!forest) return new Float64Array(rows.length);
    const d = forest.features;
    const flat = new Float64Array(rows.length * d);
    let at = 0;
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      if (row.length !== d) throw new RangeError(`row ${r} has ${row.length} features, the model was fitted on ${d}`);
      for (let f = 0; f < d; f++) flat[at++] = row[f]!; // faster than set() from a plain array
    }
    return predictForest(this.core, forest, flat, rows.length);
  }
}
