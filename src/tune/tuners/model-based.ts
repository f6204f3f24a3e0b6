// What the AutoTVM-style tuner and Chameleon share: a gradient-boosted cost model refitted on
// every measurement, candidates proposed by a search over the model, the best unmeasured
// candidates measured, and a few random points (epsilon-greedy) so the model keeps learning.
//
// Transfer (not in AutoTVM's or Chameleon's published tuners, off by default): the cost model
// can start from the measurements of other workloads in the same feature space, so that even
// the first batch is chosen by the model rather than at random. Their targets are normalised
// within their own workload, as ours are, so the model learns which configurations are
// relatively good; each transferred sample weighs less than one of our own measurements.
import type { Core } from '../../core/core.js';
import type { Random } from '../../helpers/random.js';
import { GBT_DEFAULTS, type GbtOptions, GradientBoostedTrees } from '../cost-model/gbt.js';
import type { MeasureResult } from '../../base/result.js';
import { featureCount, type Point, pointFeatures, pointKey, randomPoint, type SearchSpace } from '../../base/search-space.js';
import { TunerBase } from '../tuner.js';
import { randomUnvisited } from './unvisited.js';

/** Measured samples of other workloads, for a warm start of the cost model. */
export interface TransferSamples {
  features: readonly (readonly number[])[];
  /** Normalised throughput within their own workload: best cost / cost ∈ (0, 1], 0 for failures. */
  targets: readonly number[];
}

export interface ModelBasedOptions {
  costModel: GbtOptions;
  /** Share of each batch drawn at random (AutoTVM: the last 5%). */
  randomShare: number;
  /** Samples of other workloads the cost model starts from (none: the first batch is random). */
  transfer?: TransferSamples;
  /** Weight of one transferred sample against one of this workload's measurements. */
  transferWeight: number;
}

export abstract class ModelBasedTuner extends TunerBase {
  readonly model: GradientBoostedTrees;
  protected readonly randomShare: number;
  private readonly transfer: TransferSamples | undefined;
  private readonly transferWeight: number;
  private warmStarted = false;
  private readonly featureCache = new Map<string, number[]>();

  constructor(
    protected readonly core: Core,
    space: SearchSpace,
    seed: number,
    options: Partial<ModelBasedOptions> = {},
  ) {
    super(space, seed);
    this.model = new GradientBoostedTrees(core, options.costModel ?? GBT_DEFAULTS);
    this.randomShare = options.randomShare ?? 0.05;
    this.transferWeight = options.transferWeight ?? 0.5;
    const transfer = options.transfer;
    if (transfer && transfer.features.length > 0) {
      if (transfer.targets.length !== transfer.features.length) throw new RangeError(`transfer: ${transfer.features.length} feature rows but ${transfer.targets.length} targets`);
      const own = featureCount(space);
      const bad = transfer.features.findIndex((row) => row.length !== own);
      if (bad >= 0) throw new RangeError(`transfer: sample ${bad} has ${transfer.features[bad]!.length} features, this space's cost model takes ${own}`);
      this.transfer = transfer;
    }
  }

  /** This workload's measurements as the model's training samples (and as transfer samples for the next workload). */
  measuredSamples(): TransferSamples {
    const best = this.best?.cost;
    const usable = best !== undefined && Number.isFinite(best);
    return {
      features: usable ? this.measured.map((m) => this.features(m.point)) : [],
      targets: usable ? this.measured.map((m) => (Number.isFinite(m.cost) ? best / m.cost : 0)) : [],
    };
  }

  override update(points: readonly Point[], results: readonly MeasureResult[]): void {
    this.warmStart();
    super.update(points, results);
  }

  /** Ranked candidates (best first) found by searching the cost model. */
  protected abstract propose(n: number, random: Random): Point[];

  /**
   * The best unmeasured proposals, then random points for the random share. A tuner whose
   * proposals are deliberately few (adaptive sampling) sets `fillBatch` false: its batch is
   * then its proposals plus their random share, not topped up to `n`.
   */
  nextBatch(n: number): Point[] {
    this.warmStart();
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

  /** Predicted quality of points, in one call into the core: higher is better (1 ≈ as good as the best measured). */
  predictScores = (points: readonly Point[]): number[] => Array.from(this.model.predictMany(points.map((point) => this.features(point))));

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
    // Target: normalised throughput, best/cost ∈ (0, 1]; failed configurations score 0.
    const own = this.measuredSamples();
    if (own.features.length === 0) return;
    const prior = this.transfer ?? { features: [], targets: [] };
    const weights = [...prior.targets.map(() => this.transferWeight), ...own.targets.map(() => 1)];
    this.model.fit([...prior.features, ...own.features], [...prior.targets, ...own.targets], weights);
    this.modelFitted();
  }

  /** Hook run after every fit of the cost model (Chameleon trains its agent here). */
  protected modelFitted(): void {}

  /**
   * Fits the model on the transferred samples alone, once, before the first batch is chosen or
   * replayed (both call this first), so that a live run and a replayed one pass through the
   * same states.
   */
  private warmStart(): void {
    if (this.warmStarted) return;
    this.warmStarted = true;
    if (!this.transfer) return;
    this.model.fit(this.transfer.features, this.transfer.targets);
    this.modelFitted();
  }
}
