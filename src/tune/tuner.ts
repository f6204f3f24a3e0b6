// The one interface every search strategy implements (random, grid, GA, AutoTVM-style,
// Chameleon, ARCO's agents), so one loop runs them all and one benchmark compares them.
import { Random } from '../helpers/random.js';
import { type MeasureResult, resultCost } from '../base/result.js';
import { type Point, pointKey, type SearchSpace } from '../base/search-space.js';

export interface Tuner {
  readonly name: string;
  /** Up to `n` points never measured before; fewer, or none, once the space is exhausted. */
  nextBatch(n: number): Point[];
  /**
   * Takes measured points. Everything a tuner learns comes through here, so replaying a
   * log through `update` restores the state of the live run (which makes resume free).
   */
  update(points: readonly Point[], results: readonly MeasureResult[]): void;
  /** Frees what the tuner holds in the wasm core (Chameleon's networks); whoever created it calls this. */
  dispose?(): void;
}

/**
 * What every tuner keeps: the points measured, their costs, the best so far. Randomness for
 * a batch is derived from the seed and the number of trials seen, not from a running
 * generator, so a replayed tuner proposes exactly what the live one would have.
 */
export abstract class TunerBase implements Tuner {
  abstract readonly name: string;
  protected readonly visited = new Set<string>();
  protected readonly measured: { point: Point; cost: number }[] = [];
  best: { point: Point; cost: number } | undefined;

  constructor(
    readonly space: SearchSpace,
    readonly seed: number,
  ) {}

  abstract nextBatch(n: number): Point[];

  get trials(): number {
    return this.measured.length;
  }

  update(points: readonly Point[], results: readonly MeasureResult[]): void {
    points.forEach((point, i) => {
      const cost = resultCost(results[i]!);
      this.visited.add(pointKey(point));
      this.measured.push({ point, cost });
      if (cost < (this.best?.cost ?? Number.POSITIVE_INFINITY)) this.best = { point, cost };
    });
    this.learn(points, results);
  }

  /** Hook for tuners that learn from measurements beyond the bookkeeping above. */
  protected learn(_points: readonly Point[], _results: readonly MeasureResult[]): void {}

  /** The generator for the next batch: a pure function of (seed, trials seen). */
  protected batchRandom(): Random {
    return new Random((Math.imul(this.seed >>> 0, 0x9e3779b1) ^ Math.imul(this.trials + 1, 0x85ebca77)) >>> 0);
  }

  protected isVisited(point: Point): boolean {
    return this.visited.has(pointKey(point));
  }
}
