// The plain TypeScript gradient-boosted trees that the wasm core's (assembly/tune/gbt.ts, driven
// by src/tune/cost-model/gbt.ts) must equal split for split and bit for bit; used only by tests
// and the gbt benchmark. Squared loss, exact greedy splits found level by level with one pass
// per feature over samples presorted by that feature; samples may carry weights (XGBoost's
// instance weights: gradient and hessian scaled by the weight).
import { GBT_DEFAULTS, type GbtOptions } from './gbt.js';

// A tree as flat arrays; node i splits on feature[i] < threshold[i] → left[i] else right[i];
// a leaf has feature -1 and its weight in `value`.
export interface Tree {
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
}

interface Split {
  gain: number;
  feature: number;
  threshold: number;
}

export class ReferenceGbt {
  readonly options: GbtOptions;
  /** The fitted trees and the prediction before them, for tests that compare structure. */
  trees: Tree[] = [];
  base = 0;

  constructor(options: Partial<GbtOptions> = {}) {
    this.options = { ...GBT_DEFAULTS, ...options };
  }

  get fitted(): boolean {
    return this.trees.length > 0;
  }

  /**
   * Fits on rows and targets; `weights` (default all 1) scale each sample's loss. Inputs are the
   * tests' own, valid by construction: checking them is the real model's job.
   */
  fit(features: readonly (readonly number[])[], targets: readonly number[], weights?: readonly number[]): void {
    const n = features.length;
    const weight = weights ? Float64Array.from(weights) : new Float64Array(n).fill(1);
    const totalWeight = weight.reduce((s, w) => s + w, 0);
    const d = features[0]!.length;
    const columns = Array.from({ length: d }, (_, f) => Float64Array.from(features, (row) => row[f]!));
    const order = columns.map((column) => Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => column[a]! - column[b]!));
    this.base = targets.reduce((s, y, i) => s + weight[i]! * y, 0) / totalWeight;
    const prediction = new Float64Array(n).fill(this.base);
    this.trees = [];
    for (let round = 0; round < this.options.rounds; round++) {
      const gradient = Float64Array.from(prediction, (p, i) => weight[i]! * (p - targets[i]!)); // squared loss; hessian = weight
      const tree = this.growTree(columns, order, gradient, weight);
      const row = new Float64Array(d);
      for (let i = 0; i < n; i++) {
        for (let f = 0; f < d; f++) row[f] = columns[f]![i]!;
        prediction[i]! += evaluateTree(tree, row, 0);
      }
      this.trees.push(tree);
    }
  }

  predict(row: ArrayLike<number>): number {
    let sum = this.base;
    for (const tree of this.trees) sum += evaluateTree(tree, row, 0);
    return sum;
  }

  private growTree(columns: Float64Array[], order: Uint32Array[], gradient: Float64Array, hessian: Float64Array): Tree {
    const n = gradient.length;
    const { maxDepth, l2, learningRate } = this.options;
    const capacity = 2 ** (maxDepth + 1) - 1;
    const tree: Tree = {
      feature: new Int32Array(capacity).fill(-1),
      threshold: new Float64Array(capacity),
      left: new Int32Array(capacity),
      right: new Int32Array(capacity),
      value: new Float64Array(capacity),
    };
    const nodeOf = new Int32Array(n); // every sample starts at the root
    let frontier = [0];
    let nodes = 1;
    for (let depth = 0; depth < maxDepth && frontier.length > 0; depth++) {
      const splits = this.bestSplits(columns, order, gradient, hessian, nodeOf, frontier);
      const next: number[] = [];
      frontier.forEach((node, k) => {
        const split = splits[k];
        if (!split) return;
        tree.feature[node] = split.feature;
        tree.threshold[node] = split.threshold;
        tree.left[node] = nodes++;
        tree.right[node] = nodes++;
        next.push(tree.left[node]!, tree.right[node]!);
      });
      for (let i = 0; i < n; i++) {
        const node = nodeOf[i]!;
        if (tree.feature[node]! >= 0) nodeOf[i] = columns[tree.feature[node]!]![i]! < tree.threshold[node]! ? tree.left[node]! : tree.right[node]!;
      }
      frontier = next;
    }
    const sum = new Float64Array(nodes);
    const hessianSum = new Float64Array(nodes);
    const count = new Float64Array(nodes);
    for (let i = 0; i < n; i++) {
      sum[nodeOf[i]!]! += gradient[i]!;
      hessianSum[nodeOf[i]!]! += hessian[i]!;
      count[nodeOf[i]!]! += 1;
    }
    for (let node = 0; node < nodes; node++) if (tree.feature[node]! < 0 && count[node]! > 0) tree.value[node] = (-sum[node]! / (hessianSum[node]! + l2)) * learningRate;
    return tree;
  }

  /** The best split of each frontier node, found in one presorted pass per feature. */
  private bestSplits(columns: Float64Array[], order: Uint32Array[], gradient: Float64Array, hessian: Float64Array, nodeOf: Int32Array, frontier: number[]): (Split | undefined)[] {
    const { l2, minSplitGain, minChildSamples } = this.options;
    const width = frontier.length;
    const n = gradient.length;
    // Frontier slot of every tree node (-1: not on the frontier); trees have at most 2^(depth+1) nodes.
    const slotOfNode = new Int32Array(2 ** (this.options.maxDepth + 1)).fill(-1);
    frontier.forEach((node, k) => (slotOfNode[node] = k));
    const slot = Int32Array.from(nodeOf, (node) => slotOfNode[node]!);
    const total = new Float64Array(width);
    const totalHessian = new Float64Array(width);
    const totalCount = new Float64Array(width);
    for (let i = 0; i < n; i++) {
      const k = slot[i]!;
      if (k < 0) continue;
      total[k]! += gradient[i]!;
      totalHessian[k]! += hessian[i]!;
      totalCount[k]! += 1;
    }
    const parentScore = Float64Array.from(total, (g, k) => (g * g) / (totalHessian[k]! + l2));
    const bestGain = new Float64Array(width);
    const bestFeature = new Int32Array(width).fill(-1);
    const bestThreshold = new Float64Array(width);
    const leftSum = new Float64Array(width);
    const leftHessian = new Float64Array(width);
    const leftCount = new Float64Array(width);
    const lastValue = new Float64Array(width);
    for (let f = 0; f < columns.length; f++) {
      const column = columns[f]!;
      const sorted = order[f]!;
      leftSum.fill(0);
      leftHessian.fill(0);
      leftCount.fill(0);
      lastValue.fill(Number.NaN);
      for (let r = 0; r < n; r++) {
        const i = sorted[r]!;
        const k = slot[i]!;
        if (k < 0) continue;
        const value = column[i]!;
        const last = lastValue[k]!;
        const left = leftCount[k]!;
        if (left >= minChildSamples && value !== last && totalCount[k]! - left >= minChildSamples) {
          const gl = leftSum[k]!;
          const hl = leftHessian[k]!;
          const gr = total[k]! - gl;
          const hr = totalHessian[k]! - hl;
          const gain = 0.5 * ((gl * gl) / (hl + l2) + (gr * gr) / (hr + l2) - parentScore[k]!) - minSplitGain;
          if (gain > 0 && gain > bestGain[k]!) {
            bestGain[k] = gain;
            bestFeature[k] = f;
            bestThreshold[k] = (last + value) / 2;
          }
        }
        leftSum[k]! += gradient[i]!;
        leftHessian[k]! += hessian[i]!;
        leftCount[k] = left + 1;
        lastValue[k] = value;
      }
    }
    return frontier.map((_, k) => (bestFeature[k]! >= 0 ? { gain: bestGain[k]!, feature: bestFeature[k]!, threshold: bestThreshold[k]! } : undefined));
  }
}

function evaluateTree(tree: Tree, row: ArrayLike<number>, root: number): number {
  let node = root;
  let feature = tree.feature[node]!;
  while (feature >= 0) {
    node = row[feature]! < tree.threshold[node]! ? tree.left[node]! : tree.right[node]!;
    feature = tree.feature[node]!;
  }
  return tree.value[node]!;
}
