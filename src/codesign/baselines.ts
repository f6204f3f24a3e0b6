// The strategies ARCO is measured against, on the same problem and simulator-call budget:
//   * software-only: the default accelerator, every layer's mapping tuned by a tuner of
//     src/tune (AutoTVM-style or Chameleon) through `runTuning()`, the simulator-call budget split
//     over the layers;
//   * random: random accelerators with random mappings;
//   * ga: a genetic algorithm over accelerator and mappings together;
//   * grid: a grid over accelerators that spend the whole budget, random mapping tuning per point
//     (the slow reference).
// Joint strategies evaluate the repaired configuration (layers that do not fit run SCALE-Sim's
// streaming mapping); accelerators that break the budget are invalid and never simulated.
import type { Core } from '../core/core.js';
import { Random } from '../helpers/random.js';
import { DEFAULT_MAPPING_POINT, MappingSpace, mappingMeasureResult } from '../sim/mapping-space.js';
import type { TuningRecord } from '../tune/records.js';
import type { Measurer } from '../base/result.js';
import { runTuning } from '../tune/loop.js';
import { type Point, randomPoint, type SearchSpace } from '../base/search-space.js';
import type { Tuner } from '../tune/tuner.js';
import { AutoTvmTuner } from '../tune/tuners/autotvm.js';
import { ChameleonTuner } from '../tune/tuners/chameleon.js';
import { RandomTuner } from '../tune/tuners/random.js';
import {
  ARRAY_SIDES, budgetKey, type CodesignProblem, gridHardware, hardwareOf, type JointConfig, jointKey, type LayerSimulator, peCeiling, SPARSITY_CHOICES, SRAM_KIB,
} from './problem.js';
import { JointTuner, type JointMeasurement, runJointTuner } from './joint-tuner.js';
import { type CodesignRun, repair, type StrategyOptions, Tracker } from './run.js';
import { DATAFLOWS } from '../sim/types.js';


function tracker(problem: CodesignProblem, strategy: string, options: StrategyOptions): Tracker {
  return new Tracker(problem, { strategy, seed: options.seed, workload: budgetKey(problem), onRecords: options.onRecords });
}

/**
 * Tunes every layer's mapping on a fixed accelerator with `runTuning()`, one layer after another, each
 * until it has spent `callsPerLayer` simulator calls (points the cache already holds, or that do
 * not fit, are free) or tried eight times as many points; offers the network (tuned layers so far,
 * SCALE-Sim's mapping on the rest) after each batch.
 */
/** How `tuneLayers` spends its calls. */
interface LayerTuning {
  /** Simulator calls per layer, cumulative: a batch that overshoots one layer's share is taken from the next. */
  callsPerLayer: number;
  makeTuner: (space: SearchSpace, seed: number) => Tuner;
  seed: number;
  batchSize: number;
  onRecords?: (records: TuningRecord[]) => void;
  /** Simulator calls (the problem's total) after which no batch starts. */
  limit?: number;
  /** Simulate each batch's uncached mappings elsewhere (Redis workers) first; the same run. */
  simulateLayers?: LayerSimulator;
}

/**
 * Tunes every layer's mapping on one accelerator, one layer after another, each with its own
 * tuner of the layer's MappingSpace; the best mappings so far are offered to the tracker.
 */
export async function tuneLayers(problem: CodesignProblem, t: Tracker, hardware: Point, o: LayerTuning): Promise<Point[]> {
  const target = problem.mappingTarget(hardware);
  const best: Point[] = problem.network.layers.map(() => DEFAULT_MAPPING_POINT);
  const bestCycles = problem.network.layers.map((_, i) => problem.layer(hardware, i, DEFAULT_MAPPING_POINT).totalCycles);
  t.offer({ hardware, mappings: [...best] }, problem.evaluate({ hardware, mappings: [...best] }));
  const started = problem.simulatorCalls;
  for (let i = 0; i < problem.layerCount; i++) {
    const layer = problem.network.layers[i]!.layer;
    const space = new MappingSpace(problem.model, target, layer);
    const measurer: Measurer = {
      measure: async (points) => {
        if (o.simulateLayers) await problem.simulateElsewhere(points.map((mapping) => ({ hardware, layer: i, mapping })), o.simulateLayers);
        return points.map((p) => {
          const r = problem.layer(hardware, i, p);
          if (r.valid && r.totalCycles < bestCycles[i]!) {
            bestCycles[i] = r.totalCycles;
            best[i] = p;
          }
          return mappingMeasureResult(r);
        });
      },
    };
    const tuner = o.makeTuner(space, o.seed + i);
    const stopAt = Math.min(o.limit ?? Number.POSITIVE_INFINITY, started + (i + 1) * o.callsPerLayer);
    try {
      await runTuning({
        workload: `${problem.network.name}:${layer.name}@${hardware.join(',')}`,
        space, measurer, tuner, trials: 8 * o.callsPerLayer, batchSize: o.batchSize, seed: o.seed,
        shouldStop: () => problem.simulatorCalls >= stopAt,
        onRecords: o.onRecords,
        onProgress: () => t.offer({ hardware, mappings: [...best] }, problem.evaluate({ hardware, mappings: [...best] })),
      });
    } finally {
      tuner.dispose?.(); // tuners may hold wasm memory (Chameleon's agent)
    }
  }
  return best;
}

/** Software-only tuning at the default accelerator with the AutoTVM-style tuner or Chameleon. */
export async function softwareOnly(problem: CodesignProblem, tuner: 'autotvm' | 'chameleon', core: Core, options: StrategyOptions): Promise<CodesignRun> {
  const t = tracker(problem, tuner, options);
  const hardware = problem.hardwarePoint(gridHardware(problem.target.defaultHardware));
  const calls = Math.max(1, Math.floor((options.budget - problem.layerCount) / problem.layerCount));
  const batch = Math.max(1, Math.min(32, Math.ceil(calls / 4)));
  const make = (space: SearchSpace, seed: number): Tuner =>
    tuner === 'autotvm' ? new AutoTvmTuner(core, space, seed) : new ChameleonTuner(core, space, seed, { episodes: 32, steps: 20, iterations: 2 });
  await tuneLayers(problem, t, hardware, {
    callsPerLayer: calls, makeTuner: make, seed: options.seed, batchSize: batch, onRecords: options.onRecords, limit: options.budget - (batch - 1), simulateLayers: options.simulateLayers,
  });
  return t.result({ callsPerLayer: calls });
}

function randomMappings(problem: CodesignProblem, random: Random): Point[] {
  return problem.network.layers.map(() => problem.mappingCardinalities.map((n) => random.int(n)));
}

/** Random accelerators and mappings until the budget is spent, as a tuner of the joint space. */
export class RandomJointTuner extends JointTuner {
  readonly name = 'random';
  private readonly random: Random;
  private draws = 0;
  private invalid = 0;
  private ended = false;
  private readonly evaluated = new Set<string>();

  constructor(problem: CodesignProblem, seed: number, budget: number) {
    super(problem, 'random', seed, budget);
    this.random = new Random(seed);
  }

  protected get finished(): boolean {
    return this.ended || this.problem.simulatorCalls >= this.budget || this.draws >= 100 * this.budget;
  }

  /** Draws until sixteen draws have passed with an evaluation ending them, the budget is planned away or a draw would overshoot it. */
  protected propose(): JointConfig[] {
    const round: JointConfig[] = [];
    const planned = new Set<string>();
    while (!this.ended && this.problem.simulatorCalls + planned.size < this.budget && this.draws < 100 * this.budget) {
      const draw = this.draws++;
      const hardware = this.problem.hardwareCardinalities.map((n) => this.random.int(n));
      const proposal = { hardware, mappings: randomMappings(this.problem, this.random) };
      if (this.problem.hardwareError(hardware) !== undefined) {
        this.invalid++;
        continue;
      }
      const config = repair(this.problem, proposal).config;
      if (!this.problem.affordable(config, this.budget, planned)) {
        this.ended = true; // its new layer evaluations would overshoot the budget
        break;
      }
      const key = jointKey(config);
      if (this.evaluated.has(key)) continue; // measured before: nothing to learn twice
      this.evaluated.add(key);
      for (const k of this.problem.newLayerKeys(config, planned)) planned.add(k);
      round.push(config);
      if (draw % 16 === 15) break;
    }
    return round;
  }

  protected learn(): void {}

  protected stats(): Record<string, number> {
    return { invalidHardware: this.invalid };
  }
}

/** Random search on a problem, as the other strategies are called. */
export async function randomSearch(problem: CodesignProblem, options: StrategyOptions): Promise<CodesignRun> {
  return runJointTuner(new RandomJointTuner(problem, options.seed, options.budget), options);
}

export interface GeneticOptions {
  population: number; // 24: configurations per generation
  elites: number; // 2: best kept unchanged
  tournament: number; // 3: contestants per parent draw
  hardwareMutation: number; // 0.15: chance each hardware knob moves by ±1
  layerMutation: number; // 2: expected layers per child whose mapping gets one knob redrawn
}

export const GENETIC_DEFAULTS: GeneticOptions = { population: 24, elites: 2, tournament: 3, hardwareMutation: 0.15, layerMutation: 2 };

/** A member of the GA's population; its fitness is known once its round is measured. */
interface Member {
  config: JointConfig;
  fitness: number;
  /** Set while its evaluation is in the round being measured. */
  awaiting?: string;
}

/**
 * A genetic algorithm over accelerator and mappings together, as a tuner of the joint space: the
 * first round is the initial population (the default configuration, then random ones), each
 * further round a generation (elites kept, tournament parents, uniform crossover, mutation).
 * Children are repaired to fit; over-budget accelerators score 0 unsimulated, and a child whose new
 * layer evaluations would overshoot the budget ends the run after its generation.
 */
export class GeneticJointTuner extends JointTuner {
  readonly name = 'ga';
  readonly options: GeneticOptions;
  private readonly random: Random;
  /** Fitness of every repaired configuration scored, by key. */
  private readonly seen = new Map<string, number>();
  private population: Member[] = [];
  private started = false;
  private generations = 0;
  private invalid = 0;
  private spent = false;
  private stalled = false;

  constructor(problem: CodesignProblem, seed: number, budget: number, options: Partial<GeneticOptions> = {}) {
    super(problem, 'ga', seed, budget);
    this.options = { ...GENETIC_DEFAULTS, ...options };
    this.random = new Random(seed);
  }

  protected get finished(): boolean {
    return this.spent || this.stalled || this.problem.simulatorCalls >= this.budget;
  }

  protected propose(): JointConfig[] {
    // A generation of children all scored before (or all over budget) costs nothing; the next one
    // is drawn at once, up to a bound only a space with no affordable accelerator reaches.
    for (let idle = 0; !this.finished; idle++) {
      const round: JointConfig[] = [];
      const planned = new Set<string>();
      const score = (config: JointConfig): Member => this.plan(config, round, planned);
      const room = (): boolean => this.problem.simulatorCalls + planned.size < this.budget && !this.spent;
      if (!this.started) {
        // Round 0: the initial population.
        this.started = true;
        this.population.push(score(this.problem.defaultConfig()));
        while (this.population.length < this.options.population && room()) this.population.push(score({ hardware: this.problem.hardwareCardinalities.map((n) => this.random.int(n)), mappings: randomMappings(this.problem, this.random) }));
      } else {
        this.breed(score, room);
      }
      if (round.length > 0) return round;
      this.settle();
      if (idle >= 1_000_000) this.stalled = true;
    }
    return [];
  }

  /** One generation from the current population, its children scored through `score`. */
  private breed(score: (config: JointConfig) => Member, room: () => boolean): void {
    const o = this.options;
    const random = this.random;
    const L = this.problem.layerCount;
    this.settle();
    const population = this.population;
    population.sort((a, b) => b.fitness - a.fitness);
    const pick = (): Member => {
      let best: Member | undefined;
      for (let i = 0; i < o.tournament; i++) {
        const m = population[random.int(population.length)]!;
        if (!best || m.fitness > best.fitness) best = m;
      }
      return best!;
    };
    const next = population.slice(0, o.elites);
    let attempts = 0;
    while (next.length < o.population && room() && attempts++ < 20 * o.population) {
      const a = pick().config;
      const b = pick().config;
      const hardware = a.hardware.map((g, i) => {
        const gene = random.float() < 0.5 ? g : b.hardware[i]!;
        if (random.float() >= o.hardwareMutation) return gene;
        return Math.min(this.problem.hardwareCardinalities[i]! - 1, Math.max(0, gene + (random.float() < 0.5 ? -1 : 1)));
      });
      const mappings = a.mappings.map((m, l) => {
        const gene = [...(random.float() < 0.5 ? m : b.mappings[l]!)];
        if (random.float() < o.layerMutation / L) {
          const knob = random.int(gene.length);
          gene[knob] = random.int(this.problem.mappingCardinalities[knob]!);
        }
        return gene;
      });
      next.push(score({ hardware, mappings }));
    }
    this.population = next;
    this.generations++;
    if (attempts >= 20 * o.population) this.stalled = true;
  }

  /** Scores a configuration: known fitness, 0 for an invalid or unaffordable one, or a place in the round. */
  private plan(config: JointConfig, round: JointConfig[], planned: Set<string>): Member {
    const fixed = repair(this.problem, config).config;
    const key = jointKey(fixed);
    const known = this.seen.get(key);
    if (known !== undefined) return { config: fixed, fitness: known };
    if (round.some((c) => jointKey(c) === key)) return { config: fixed, fitness: 0, awaiting: key };
    if (this.problem.hardwareError(fixed.hardware) !== undefined) {
      this.invalid++;
      this.seen.set(key, 0);
      return { config: fixed, fitness: 0 };
    }
    if (!this.problem.affordable(fixed, this.budget, planned)) {
      this.spent = true;
      return { config: fixed, fitness: 0 };
    }
    for (const k of this.problem.newLayerKeys(fixed, planned)) planned.add(k);
    round.push(fixed);
    return { config: fixed, fitness: 0, awaiting: key };
  }

  /** Gives the members awaiting their round's evaluation their fitness. */
  private settle(): void {
    for (const m of this.population) {
      if (m.awaiting === undefined) continue;
      m.fitness = this.seen.get(m.awaiting) ?? 0;
      m.awaiting = undefined;
    }
  }

  protected learn(measured: JointMeasurement[]): void {
    for (const { config, evaluation } of measured) this.seen.set(jointKey(config), evaluation.throughputPerSecond);
    this.settle();
  }

  protected stats(): Record<string, number> {
    return { generations: this.generations, invalidHardware: this.invalid };
  }
}

/** The GA on a problem, as the other strategies are called. */
export async function geneticSearch(problem: CodesignProblem, options: StrategyOptions, ga: Partial<GeneticOptions> = {}): Promise<CodesignRun> {
  return runJointTuner(new GeneticJointTuner(problem, options.seed, options.budget, ga), options);
}

/**
 * The accelerators of the grid: every array shape of the largest power-of-two PE count in budget
 * (under an area budget, also of half and a quarter of it), SRAM splits that spend at least 3/4 of
 * what the budget leaves for SRAM (of the largest buffers when SRAM is not capped), every dataflow (and for a pruned network, every sparsity support).
 */
export function hardwareGrid(problem: CodesignProblem): Point[] {
  const { target } = problem;
  let pes = 1;
  while (pes * 2 <= peCeiling(target)) pes *= 2;
  const counts = Number.isFinite(target.maxAreaMm2) ? [pes, pes / 2, pes / 4] : [pes];
  const grid: Point[] = [];
  for (const count of counts) {
    const shapes = ARRAY_SIDES.filter((r) => count % r === 0 && ARRAY_SIDES.includes(count / r)).map((r) => [r, count / r] as const);
    const areaLeftKiB = (target.maxAreaMm2 * 1e6 - count * target.energy.macAreaUm2) / target.energy.sramAreaUm2PerKiB;
    const kib = Math.min(target.maxSramBytes / 1024, areaLeftKiB, 3 * SRAM_KIB[SRAM_KIB.length - 1]!);
    const srams: [number, number, number][] = [];
    for (const i of SRAM_KIB) for (const f of SRAM_KIB) for (const o of SRAM_KIB) if (i + f + o <= kib && i + f + o >= 0.75 * kib) srams.push([i, f, o]);
    for (const [rows, cols] of shapes) {
      for (const [i, f, o] of srams) {
        for (const dataflow of DATAFLOWS) {
          for (const sparse of problem.sparse ? SPARSITY_CHOICES : ['dense' as const]) {
            grid.push(problem.hardwarePoint({ rows, cols, ifmapSramKiB: i, filterSramKiB: f, ofmapSramKiB: o, dataflow, ...(sparse === 'dense' ? {} : { sparseRep: sparse }) }));
          }
        }
      }
    }
  }
  return grid;
}

/** The slow reference: every grid accelerator, each layer's mapping tuned by random search. */
export async function gridSearch(problem: CodesignProblem, options: StrategyOptions): Promise<CodesignRun> {
  const t = tracker(problem, 'grid', options);
  const grid = hardwareGrid(problem);
  const calls = Math.max(1, Math.floor(options.budget / (grid.length * problem.layerCount)) - 1);
  for (const hardware of grid) {
    // A budget too small for the whole grid covers its first points.
    if (!problem.affordable({ hardware, mappings: problem.network.layers.map(() => DEFAULT_MAPPING_POINT) }, options.budget - problem.layerCount * calls)) break;
    await tuneLayers(problem, t, hardware, {
      callsPerLayer: calls, makeTuner: (space, seed) => new RandomTuner(space, seed), seed: options.seed, batchSize: calls, limit: options.budget - (calls - 1), simulateLayers: options.simulateLayers,
    });
    t.flush();
    options.onProgress?.(problem.simulatorCalls, options.budget, t.best?.evaluation.throughputPerSecond ?? 0);
  }
  return t.result({ gridPoints: grid.length, callsPerLayer: calls });
}

export { hardwareOf, randomPoint };
export type { StrategyOptions };
