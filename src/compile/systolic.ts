// `compile` for a systolic-array accelerator: co-design the array (by default within the preset's
// silicon area) and every layer's mapping onto it, and compare with SCALE-Sim's own mapping on
// the preset's array.
import { type CodesignRun, CodesignProblem, defaultReference, hardwareOf, type Network, networkOf, runStrategy, type Strategy, type StrategyOptions } from '../codesign/index.js';
import { type BudgetCaps, type CodesignTarget, type Hardware, userBudgetTarget } from '../codesign/problem.js';
import type { Core } from '../core/core.js';
import type { Graph } from '../graph/types.js';
import { parseSystolicTargetSpec, SYSTOLIC_PRESETS } from '../hw/systolic.js';
import { MappingModel } from '../sim/mapping.js';
import { Simulator } from '../sim/simulate.js';
import type { TuningRecord } from '../tune/records.js';

export interface SystolicCompileOptions {
  strategy: Strategy;
  /** Simulator calls the search may spend. */
  budget: number;
  seed: number;
  onRecords?: (records: TuningRecord[]) => void;
  onProgress?: (calls: number, budget: number, bestThroughput: number) => void;
  /** Records of an interrupted run to resume (StrategyOptions.previous). */
  previous?: readonly TuningRecord[];
  /** Runs the search instead of runStrategy (Node: on Redis workers, src/node/dist/codesign.ts's distributedSearch). */
  search?: (problem: CodesignProblem, options: StrategyOptions) => Promise<CodesignRun>;
}

export interface SystolicTargetOptions {
  /** Caps on PEs, SRAM and silicon; none given: the preset's silicon area (see userBudgetTarget). */
  caps?: BudgetCaps;
  /** DRAM bandwidth, bytes per cycle (default DEFAULT_DRAM_BYTES_PER_CYCLE). */
  dramBytesPerCycle?: number;
}

export interface SystolicLayerResult {
  layer: string;
  count: number;
  mapping: { splitM: number; splitN: number; splitK: number; order: string; doubleBuffer: boolean };
  cycles: number;
  utilization: number;
  dramBytes: number;
}

export interface SystolicFigures {
  hardware: Hardware;
  throughputPerSecond: number;
  latencyMs: number;
  dramBytes: number;
  energyUJ: number;
}

export interface SystolicCompilation {
  kind: 'systolic';
  /** The preset the budget came from, or 'custom'. */
  preset: string;
  strategy: string;
  /**
   * Caps the search respected; null where there is none (an area budget leaves PEs and SRAM
   * uncapped). fromDefaultArray: no cap was given, so the budget is the default array's silicon.
   */
  budget: { maxPEs: number | null; maxSramKiB: number | null; maxAreaMm2: number | null; fromDefaultArray: boolean; dramBytesPerCycle: number; freqMHz: number };
  /** The preset's (or default) array with SCALE-Sim's own mapping of every layer; kept only when within the budget. */
  reference: SystolicFigures & { withinBudget: boolean };
  /** What compile keeps: the search's best, or the reference when the search did not beat it. */
  kept: 'search' | 'reference';
  best: SystolicFigures & { speedupOverReference: number; layers: SystolicLayerResult[] };
  simulatorCalls: number;
  seconds: number;
  stats: Record<string, number>;
  run: CodesignRun;
}

export async function compileSystolic(core: Core, graph: Graph, spec: string, options: SystolicCompileOptions & SystolicTargetOptions): Promise<SystolicCompilation> {
  const preset = parseSystolicTargetSpec(spec);
  const config = SYSTOLIC_PRESETS[preset];
  const defaultHardware: Hardware = { rows: config.rows, cols: config.cols, ifmapSramKiB: config.ifmapSramKiB, filterSramKiB: config.filterSramKiB, ofmapSramKiB: config.ofmapSramKiB, dataflow: config.dataflow };
  const { target, fromDefaultArray } = userBudgetTarget(options.caps ?? {}, { dramBytesPerCycle: options.dramBytesPerCycle, defaultHardware });
  return codesignNetwork(core, networkOf(graph), target, preset, options, fromDefaultArray);
}

/**
 * Co-designs within `target`'s budget and compares with SCALE-Sim's mapping on its default
 * hardware, which is kept when the search does not beat it.
 */
export async function codesignNetwork(core: Core, network: Network, target: CodesignTarget, preset: string, options: SystolicCompileOptions, fromDefaultArray: boolean): Promise<SystolicCompilation> {
  const defaultHardware = target.defaultHardware;
  const sim = new Simulator(core);
  try {
    const { evaluation: reference, withinBudget: referenceWithinBudget, mappings: referenceMappings } = defaultReference(new MappingModel(sim), network, target);
    const problem = new CodesignProblem(new MappingModel(sim), network, target);
    const strategyOptions = { budget: options.budget, seed: options.seed, onRecords: options.onRecords, onProgress: options.onProgress, previous: options.previous };
    const run = await (options.search ? options.search(problem, strategyOptions) : runStrategy(options.strategy, core, problem, strategyOptions));
    const figures = (hardware: Hardware, e: typeof reference): SystolicFigures => ({ hardware, throughputPerSecond: e.throughputPerSecond, latencyMs: e.latencyMs, dramBytes: e.dramBytes, energyUJ: e.energyUJ });
    const searchWins = run.best !== undefined && (!referenceWithinBudget || run.best.evaluation.throughputPerSecond > reference.throughputPerSecond);
    const keptEvaluation = searchWins ? run.best!.evaluation : reference;
    const keptHardware = searchWins ? hardwareOf(run.best!.config.hardware) : defaultHardware;
    const keptMappings = searchWins ? problem.describe(run.best!.config).mappings : referenceMappings;
    return {
      kind: 'systolic',
      preset,
      strategy: run.strategy,
      budget: {
        maxPEs: finiteOrNull(target.maxPEs),
        maxSramKiB: finiteOrNull(target.maxSramBytes / 1024),
        maxAreaMm2: finiteOrNull(target.maxAreaMm2),
        fromDefaultArray,
        dramBytesPerCycle: target.dramBytesPerCycle,
        freqMHz: target.freqMHz,
      },
      reference: { ...figures(defaultHardware, reference), withinBudget: referenceWithinBudget },
      kept: searchWins ? 'search' : 'reference',
      best: {
        ...figures(keptHardware, keptEvaluation),
        speedupOverReference: keptEvaluation.throughputPerSecond / reference.throughputPerSecond,
        layers: keptMappings.map((m, i) => {
          const r = keptEvaluation.layers[i]!;
          return { layer: m.layer, count: m.count, mapping: { ...m.mapping }, cycles: r.totalCycles, utilization: r.utilization, dramBytes: r.dramReads.ifmap + r.dramReads.filter + r.dramReads.ofmap + r.dramWrites.ofmap };
        }),
      },
      simulatorCalls: run.simulatorCalls,
      seconds: run.seconds,
      stats: run.stats,
      run,
    };
  } finally {
    sim.free();
  }
}

const finiteOrNull = (value: number): number | null => (Number.isFinite(value) ? value : null);
