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
import { type Point, pointKey, randomPoint, type SearchSpace } from '../base/search-space.js';
import type { Tuner } from '../tune/tuner.js';
import { AutoTvmTuner } from '../tune/tuners/autotvm.js';
import { ChameleonTuner } from '../tune/tuners/chameleon.js';
import { RandomTuner } from '../tune/tuners/random.js';
import {
  ARRAY_SIDES, budgetKey, type CodesignProblem, HARDWARE_CARDINALITIES, gridHardware, hardwareOf, hardwarePoint, type JointConfig, peCeiling, SRAM_KIB,
} from './problem.js';
import { type CodesignRun, repair, Tracker } from './run.js';
import { DATAFLOWS } from '../sim/types.js';

export interface StrategyOptions {
  /** Simulator calls (layer evaluations) the strategy may spend. */
  budget: number;
  seed: number;
  onRecords?: (records: TuningRecord[]) => void;
  onProgress?: (calls: number, budget: number, bestThroughput: number) => void;
}

function tracker(problem: CodesignProblem, strategy: string, options: StrategyOptions): Tracker {
  return new Tracker(problem, { strategy, seed: options.seed, workload: budgetKey(problem), onRecords: options.onRecords });
}

/**
 * Tunes every layer's mapping on a fixed accelerator with `runTuning()`, one layer after another, each
 * until it has spent `callsPerLayer` simulator calls (points the cache already holds, or that do
 * not fit, are free) or tried eight times as many points; offers the network (tuned layers so far,
 * SCALE-Sim's mapping on the rest) after each batch.
 */
export async function tuneLayers(
  problem: CodesignProblem, t: Tracker, hardware: Point, callsPerLayer: number,
  makeTuner: (space: SearchSpace, seed: number) => Tuner, seed: number, batchSize: number,
  onRecords?: (records: TuningRecord[]) => void,
  /** Simulator calls (the problem's total) after which no batch starts. */
  limit = Number.POSITIVE_INFINITY,
): Promise<Point[]> {
  const target = problem.mappingTarget(hardware);
  const best: Point[] = problem.network.layers.map(() => DEFAULT_MAPPING_POINT);
  const bestCycles = problem.network.layers.map((_, i) => problem.layer(hardware, i, DEFAULT_MAPPING_POINT).totalCycles);
  t.offer({ hardware, mappings: [...best] }, problem.evaluate({ hardware, mappings: [...best] }));
  const started = problem.simulatorCalls;
  for (let i = 0; i < problem.layerCount; i++) {
    const layer = problem.network.layers[i]!.layer;
    const space = new MappingSpace(problem.model, target, layer);
    const measurer: Measurer = {
      measure: async (points) =>
        points.map((p) => {
          const r = problem.layer(hardware, i, p);
          if (r.valid && r.totalCycles < bestCycles[i]!) {
            bestCycles[i] = r.totalCycles;
            best[i] = p;
          }
          return mappingMeasureResult(r);
        }),
    };
    const tuner = makeTuner(space, seed + i);
    const stopAt = Math.min(limit, started + (i + 1) * callsPerLayer); // cumulative, so a batch that overshoots one layer's share is taken from the next
    try {
      await runTuning({
        workload: `${problem.network.name}:${layer.name}@${hardware.join(',')}`,
        space, measurer, tuner, trials: 8 * callsPerLayer, batchSize, seed,
        shouldStop: () => problem.simulatorCalls >= stopAt,
        onRecords,
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
  const hardware = hardwarePoint(gridHardware(problem.target.defaultHardware));
  const calls = Math.max(1, Math.floor((options.budget - problem.layerCount) / problem.layerCount));
  const batch = Math.max(1, Math.min(32, Math.ceil(calls / 4)));
  const make = (space: SearchSpace, seed: number): Tuner =>
    tuner === 'autotvm' ? new AutoTvmTuner(core, space, seed) : new ChameleonTuner(core, space, seed, { episodes: 32, steps: 20, iterations: 2 });
  await tuneLayers(problem, t, hardware, calls, make, options.seed, batch, options.onRecords, options.budget - (batch - 1));
  return t.result({ callsPerLayer: calls });
}

function randomMappings(problem: CodesignProblem, random: Random): Point[] {
  return problem.network.layers.map(() => problem.mappingCardinalities.map((n) => random.int(n)));
}

/** Random accelerators and mappings until the budget is spent. */
export async function randomSearch(problem: CodesignProblem, options: StrategyOptions): Promise<CodesignRun> {
  const t = tracker(problem, 'random', options);
  const random = new Random(options.seed);
  let invalid = 0;
  for (let draws = 0; problem.simulatorCalls < options.budget && draws < 100 * options.budget; draws++) {
    const hardware = HARDWARE_CARDINALITIES.map((n) => random.int(n));
    const proposal = { hardware, mappings: randomMappings(problem, random) };
    if (problem.hardwareError(hardware) !== undefined) {
      invalid++;
      continue;
    }
    const config = repair(problem, proposal).config;
    if (!problem.affordable(config, options.budget)) break; // its new layer evaluations would overshoot the budget
    t.evaluate(config);
    if (draws % 16 === 15) t.flush();
    options.onProgress?.(problem.simulatorCalls, options.budget, t.best?.evaluation.throughputPerSecond ?? 0);
  }
  return t.result({ invalidHardware: invalid });
}

export interface GeneticOptions {
  population: number; // 24: configurations per generation
  elites: number; // 2: best kept unchanged
  tournament: number; // 3: contestants per parent draw
  hardwareMutation: number; // 0.15: chance each hardware knob moves by ±1
  layerMutation: number; // 2: expected layers per child whose mapping gets one knob redrawn
}

export const GENETIC_DEFAULTS: GeneticOptions = { population: 24, elites: 2, tournament: 3, hardwareMutation: 0.15, layerMutation: 2 };

/** A genetic algorithm over accelerator and mappings together; over-budget children score 0. */
export async function geneticSearch(problem: CodesignProblem, options: StrategyOptions, ga: Partial<GeneticOptions> = {}): Promise<CodesignRun> {
  const o = { ...GENETIC_DEFAULTS, ...ga };
  const t = tracker(problem, 'ga', options);
  const random = new Random(options.seed);
  const L = problem.layerCount;
  type Member = { config: JointConfig; fitness: number };
  const seen = new Map<string, number>();
  let invalid = 0;
  // Set when a child's new layer evaluations would overshoot the budget: the run ends there.
  let spent = false;
  const score = (config: JointConfig): Member => {
    const fixed = repair(problem, config).config;
    const key = `${fixed.hardware.join(',')}|${fixed.mappings.map(pointKey).join(';')}`;
    let fitness = seen.get(key);
    if (fitness === undefined) {
      if (problem.hardwareError(fixed.hardware) !== undefined) {
        invalid++;
        fitness = 0;
      } else if (!problem.affordable(fixed, options.budget)) {
        spent = true;
        return { config: fixed, fitness: 0 };
      } else {
        fitness = t.evaluate(fixed).throughputPerSecond;
      }
      seen.set(key, fitness);
    }
    return { config: fixed, fitness };
  };
  let population: Member[] = [];
  population.push(score(problem.defaultConfig()));
  while (population.length < o.population && problem.simulatorCalls < options.budget && !spent) {
    population.push(score({ hardware: HARDWARE_CARDINALITIES.map((n) => random.int(n)), mappings: randomMappings(problem, random) }));
  }
  const pick = (): Member => {
    let best: Member | undefined;
    for (let i = 0; i < o.tournament; i++) {
      const m = population[random.int(population.length)]!;
      if (!best || m.fitness > best.fitness) best = m;
    }
    return best!;
  };
  let generations = 0;
  while (problem.simulatorCalls < options.budget && !spent) {
    population.sort((a, b) => b.fitness - a.fitness);
    const next = population.slice(0, o.elites);
    let attempts = 0;
    while (next.length < o.population && problem.simulatorCalls < options.budget && !spent && attempts++ < 20 * o.population) {
      const a = pick().config;
      const b = pick().config;
      const hardware = a.hardware.map((g, i) => {
        const gene = random.float() < 0.5 ? g : b.hardware[i]!;
        if (random.float() >= o.hardwareMutation) return gene;
        return Math.min(HARDWARE_CARDINALITIES[i]! - 1, Math.max(0, gene + (random.float() < 0.5 ? -1 : 1)));
      });
      const mappings = a.mappings.map((m, l) => {
        const gene = [...(random.float() < 0.5 ? m : b.mappings[l]!)];
        if (random.float() < o.layerMutation / L) {
          const knob = random.int(gene.length);
          gene[knob] = random.int(problem.mappingCardinalities[knob]!);
        }
        return gene;
      });
      next.push(score({ hardware, mappings }));
    }
    population = next;
    generations++;
    t.flush();
    options.onProgress?.(problem.simulatorCalls, options.budget, t.best?.evaluation.throughputPerSecond ?? 0);
    if (attempts >= 20 * o.population) break;
  }
  return t.result({ generations, invalidHardware: invalid });
}

/**
 * The accelerators of the grid: every array shape of the largest power-of-two PE count in budget
 * (under an area budget, also of half and a quarter of it), SRAM splits that spend at least 3/4 of
 * what the budget leaves for SRAM, every dataflow.
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
    const kib = Math.min(target.maxSramBytes / 1024, areaLeftKiB);
    const srams: [number, number, number][] = [];
    for (const i of SRAM_KIB) for (const f of SRAM_KIB) for (const o of SRAM_KIB) if (i + f + o <= kib && i + f + o >= 0.75 * kib) srams.push([i, f, o]);
    for (const [rows, cols] of shapes) {
      for (const [i, f, o] of srams) {
        for (const dataflow of DATAFLOWS) grid.push(hardwarePoint({ rows, cols, ifmapSramKiB: i, filterSramKiB: f, ofmapSramKiB: o, dataflow }));
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
    await tuneLayers(problem, t, hardware, calls, (space, seed) => new RandomTuner(space, seed), options.seed, calls, undefined, options.budget - (calls - 1));
    t.flush();
    options.onProgress?.(problem.simulatorCalls, options.budget, t.best?.evaluation.throughputPerSecond ?? 0);
  }
  return t.result({ gridPoints: grid.length, callsPerLayer: calls });
}

export { hardwareOf, randomPoint };
