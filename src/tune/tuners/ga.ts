import { type Point, pointKey } from '../../base/search-space.js';
import { TunerBase } from '../tuner.js';
import { randomUnvisited } from './unvisited.js';

export interface GaOptions {
  /** Parents are drawn from the best `populationSize` points measured so far. */
  populationSize: number; // AutoTVM's GATuner: 100
  /** The best few are always kept as parents. */
  eliteCount: number; // 3
  /** Chance that a child's knob is redrawn at random. */
  mutationProbability: number; // 0.1
}

export const GA_DEFAULTS: GaOptions = { populationSize: 64, eliteCount: 3, mutationProbability: 0.1 };

/**
 * A genetic algorithm over knob indices: fitness-proportional parents from the measured
 * population, uniform crossover, per-knob mutation. The population is derived from the
 * measurements, so replaying a log restores it.
 */
export class GeneticTuner extends TunerBase {
  readonly name = 'ga';
  readonly options: GaOptions;

  constructor(space: ConstructorParameters<typeof TunerBase>[0], seed: number, options: Partial<GaOptions> = {}) {
    super(space, seed);
    this.options = { ...GA_DEFAULTS, ...options };
  }

  nextBatch(n: number): Point[] {
    const random = this.batchRandom();
    const population = this.measured
      .filter((m) => Number.isFinite(m.cost))
      .sort((a, b) => a.cost - b.cost)
      .slice(0, this.options.populationSize);
    if (population.length < 2) return randomUnvisited(this.space, random, n, this.visited);

    // Fitness = best cost / cost ∈ (0, 1]; elites get the largest share by construction.
    const fitness = population.map((m) => population[0]!.cost / m.cost);
    const total = fitness.reduce((s, f) => s + f, 0);
    const parent = (): Point => {
      let r = random.float() * total;
      for (let i = 0; i < population.length; i++) {
        r -= fitness[i]!;
        if (r <= 0) return population[i]!.point;
      }
      return population[population.length - 1]!.point;
    };
    const batch = new Map<string, Point>();
    for (let attempt = 0; batch.size < n && attempt < 20 * n; attempt++) {
      const [mother, father] = attempt < this.options.eliteCount ? [population[attempt % population.length]!.point, parent()] : [parent(), parent()];
      const child = mother.map((gene, i) => {
        if (random.float() < this.options.mutationProbability) return random.int(this.space.cardinalities[i]!);
        return random.float() < 0.5 ? gene : father[i]!;
      });
      const key = pointKey(child);
      if (!this.visited.has(key)) batch.set(key, child);
    }
    if (batch.size < n) {
      const taken = new Set([...this.visited, ...batch.keys()]);
      for (const point of randomUnvisited(this.space, random, n - batch.size, taken)) batch.set(pointKey(point), point);
    }
    return [...batch.values()];
  }
}
