// A cost model with an uncertainty estimate: an ensemble of the gradient-boosted trees of the
// AutoTVM-style tuner (src/tune/cost-model/gbt.ts), each member fitted on its own bootstrap
// resample of the data with its own random subset of features. Their mean is the prediction; the
// doubt is their spread plus a novelty term. Tree ensembles extrapolate flat — far from the data
// every member repeats its edge leaf, so their spread alone can shrink there — so the distance
// from a row to its nearest training row (standardised features), in units of the typical
// nearest-neighbour distance within the data, adds `noveltyWeight` × (target spread) per unit
// beyond 1.
import type { Core } from '../core/core.js';
import { Random } from '../helpers/random.js';
import { GBT_DEFAULTS, type GbtOptions, GradientBoostedTrees } from '../tune/cost-model/gbt.js';

export interface EnsembleOptions {
  members: number; // 5: models in the ensemble
  featureShare: number; // 0.8: share of the features each member sees
  gbt: GbtOptions; // each member's trees
  noveltyWeight: number; // 0.25: doubt added per typical-spacing unit of distance from the data
  noveltyRows: number; // 256: training rows kept for the nearest-neighbour distance
}

export const ENSEMBLE_DEFAULTS: EnsembleOptions = { members: 5, featureShare: 0.8, gbt: { ...GBT_DEFAULTS, rounds: 25 }, noveltyWeight: 0.25, noveltyRows: 256 };

export class GbtEnsemble {
  readonly options: EnsembleOptions;
  private members: { model: GradientBoostedTrees; features: number[] }[] = [];
  private centre: number[] = [];
  private scale: number[] = [];
  private anchors: number[][] = [];
  private spacing = 1;
  private targetSpread = 0;

  constructor(
    private readonly core: Core,
    private readonly seed: number,
    options: Partial<EnsembleOptions> = {},
  ) {
    this.options = { ...ENSEMBLE_DEFAULTS, ...options };
  }

  get fitted(): boolean {
    return this.members.length > 0;
  }

  /** Refits every member; the resamples are a function of the seed and the data size only. */
  fit(rows: readonly (readonly number[])[], targets: readonly number[]): void {
    const n = rows.length;
    if (n === 0) throw new RangeError('ensemble: no samples to fit');
    const d = rows[0]!.length;
    const random = new Random((this.seed ^ Math.imul(n, 0x9e3779b1)) >>> 0);
    this.members = [];
    for (let m = 0; m < this.options.members; m++) {
      const picks = Array.from({ length: n }, () => random.int(n));
      const all = Array.from({ length: d }, (_, i) => i);
      const features = random.shuffle(all).slice(0, Math.max(1, Math.round(d * this.options.featureShare))).sort((a, b) => a - b);
      const model = new GradientBoostedTrees(this.core, this.options.gbt);
      model.fit(picks.map((i) => features.map((f) => rows[i]![f]!)), picks.map((i) => targets[i]!));
      this.members.push({ model, features });
    }
    // Novelty: standardised anchors and their typical nearest-neighbour spacing.
    this.centre = Array.from({ length: d }, (_, f) => rows.reduce((s, r) => s + r[f]!, 0) / n);
    this.scale = Array.from({ length: d }, (_, f) => Math.sqrt(rows.reduce((s, r) => s + (r[f]! - this.centre[f]!) ** 2, 0) / n) || 1);
    const keep = random.shuffle(Array.from({ length: n }, (_, i) => i)).slice(0, this.options.noveltyRows);
    this.anchors = keep.map((i) => this.standardise(rows[i]!));
    const gaps = this.anchors.map((a, i) => this.nearest(a, i)).filter((g) => Number.isFinite(g)).sort((a, b) => a - b);
    this.spacing = Math.max(1e-9, gaps.length > 0 ? gaps[gaps.length >> 1]! : 1);
    this.targetSpread = meanStd(targets).std;
  }

  private standardise(row: readonly number[]): number[] {
    return row.map((v, f) => (v - this.centre[f]!) / this.scale[f]!);
  }

  /** Distance from a standardised row to its nearest anchor (skipping anchor `skip`). */
  private nearest(x: readonly number[], skip = -1): number {
    let best = Number.POSITIVE_INFINITY;
    this.anchors.forEach((a, i) => {
      if (i === skip) return;
      let d = 0;
      for (let f = 0; f < a.length && d < best; f++) d += (a[f]! - x[f]!) ** 2;
      if (d < best) best = d;
    });
    return Math.sqrt(best);
  }

  /** How far a row lies from the data, in typical spacings beyond the first (0 inside the data). */
  novelty(row: readonly number[]): number {
    return Math.max(0, this.nearest(this.standardise(row)) / this.spacing - 1);
  }

  /** Every member's prediction of one row. */
  predictMembers(row: readonly number[]): number[] {
    return this.members.map(({ model, features }) => model.predict(features.map((f) => row[f]!)));
  }

  /** The novelty part of the doubt of a row, in target units. */
  noveltySpread(row: readonly number[]): number {
    return this.options.noveltyWeight * this.targetSpread * this.novelty(row);
  }

  /** Mean over the members; spread = their standard deviation combined with the novelty term. */
  predict(row: readonly number[]): { mean: number; std: number } {
    const { mean, std } = meanStd(this.predictMembers(row));
    const extra = this.noveltySpread(row);
    return { mean, std: Math.sqrt(std * std + extra * extra) };
  }
}

export function meanStd(values: readonly number[]): { mean: number; std: number } {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
  return { mean, std };
}
