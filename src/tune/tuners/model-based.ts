// What the AutoTVM-style tuner and Chameleon share: a gradient-boosted cost model refitted on
// every measurement, candidates proposed by a search over the model, the best unmeasured
// candidates measured, and a few random points (epsilon-greedy) so the model keeps learning.
import type { Random } from '../../helpers/random.js';
import { GBT_DEFAULTS, type GbtOptions, GradientBoostedTrees } from '../cost-model/gbt.js';
import type { MeasureResult } from '../result.js';
import { type Point, pointFeatures, pointKey, randomPoint, type SearchSpace } from '../search-space.js';
import { TunerBase } from '../tuner.js';
import { randomUnvisited } from './unvisited.js';

export interface ModelBasedOptions {
  costModel: GbtOptions;
  /** Share of each batch drawn at random (AutoTVM: the last 5%). */
  randomShare: number;
}

export abstract class ModelBasedTuner extends TunerBase {
  readonly model: GradientBoostedTrees;
  protected readonly randomShare: number;
  private readonly featureCache = new Map<string, number[]>();

  constructor(space: SearchSpace, seed: number, options: Partial<ModelBasedOptions> = {}) {
    super(space, seed);
    this.model = new GradientBoostedTrees(options.costModel ?? GBT_DEFAULTS);
    this.randomShare = options.randomShare ?? 0.05;
  }

  /** Ranked candidates (best first) found by searching the cost model. */
  protected abstract propose(n: number, random: Random): Point[];

  /**
   * The best unmeasured proposals, then random points for the random share. A tuner whose
   * proposals are deliberately few (adaptive sampling) sets `fillBatch` false: its batch is
   * then its proposals plus their random share, not topped up to `n`.
   */
  nextBatch(n: number): Point[] {
    const random = this.batchRandom();
    if (!this.model.fitted) return randomUnvisited(this.space, random, n, this.visited);
    const greedy = n - Math.floor(n * this.randomShare);
    const batch = new Map<string, Point>();
    for (const point of this.propose(greedy, random)) {
      if (batch.size >= greedy) break;
      const key = pointKey(point);
      if (!this.visited.has(key)) batch.set(key, point);
    }
    const wanted = this.fillBatch ? n : Math.min(n, batch.size + Math.max(1, Math.ceil(batch.size * this.randomShare)));
    const taken = new Set([...this.visited, ...batch.keys()]);
    for (const point of randomUnvisited(this.space, random, wanted - batch.size, taken)) batch.set(pointKey(point), point);
    return [...batch.values()];
  }

  protected fillBatch = true;

  /** Predicted quality of a point: higher is better (1 ≈ as good as the best measured). */
  predictScore = (point: Point): number => this.model.predict(this.features(point));

  protected features(point: Point): number[] {
    const key = pointKey(point);
    let features = this.featureCache.get(key);
    if (!features) {
      features = pointFeatures(this.space, point);
      this.featureCache.set(key, features);
    }
    return features;
  }

  /** Starting points for a model search: the best measured points, then random ones. */
  protected startPoints(count: number, random: Random): Point[] {
    const elite = this.measured
      .filter((m) => Number.isFinite(m.cost))
      .sort((a, b) => a.cost - b.cost)
      .slice(0, Math.floor(count / 2))
      .map((m) => m.point);
    while (elite.length < count) elite.push(randomPoint(this.space, random));
    return elite;
  }

  protected override learn(_points: readonly Point[], _results: readonly MeasureResult[]): void {
    const best = this.best?.cost;
    if (best === undefined || !Number.isFinite(best)) return;
    // Target: normalised throughput, best/cost ∈ (0, 1]; failed configurations score 0.
    const rows = this.measured.map((m) => this.features(m.point));
    const targets = this.measured.map((m) => (Number.isFinite(m.cost) ? best / m.cost : 0));
    this.model.fit(rows, targets);
  }
}
