// What every co-design strategy shares: evaluating joint configurations through the problem
// (invalid ones are reported, never simulated), the best so far, a history of best throughput
// against simulator calls and seconds, and one tuning record per evaluated configuration.
import { RECORD_VERSION, type TuningRecord } from '../tune/records.js';
import { ErrorCode } from '../base/result.js';
import { MAPPING_KNOB } from '../sim/mapping.js';
import { DEFAULT_MAPPING_POINT, mappingOf } from '../sim/mapping-space.js';
import type { Point } from '../base/search-space.js';
import { type CodesignProblem, hardwareOf, type JointConfig, type LayerSimulator, type NetworkEvaluation } from './problem.js';

export interface HistoryEntry {
  calls: number;
  seconds: number;
  bestThroughput: number;
}

export interface CodesignRun {
  strategy: string;
  seed: number;
  best: { config: JointConfig; evaluation: NetworkEvaluation } | undefined;
  simulatorCalls: number;
  seconds: number;
  /** Joint configurations evaluated (by the simulator). */
  evaluations: number;
  history: HistoryEntry[];
  /** Best throughput per accelerator evaluated. */
  perHardware: { hardware: Point; throughputPerSecond: number }[];
  /** Strategy-specific counters (ARCO: proposals, model-scored, invalid…). */
  stats: Record<string, number>;
}

export interface StrategyOptions {
  /** Simulator calls (layer evaluations) the strategy may spend. */
  budget: number;
  seed: number;
  onRecords?: (records: TuningRecord[]) => void;
  onProgress?: (calls: number, budget: number, bestThroughput: number) => void;
  /**
   * Records of an interrupted run of the same search to resume from: ARCO, the GA and random
   * search replay them and go on; the other strategies repeat the run and hand on only what the
   * records lack (resumeByRepeating).
   */
  previous?: readonly TuningRecord[];
  /** ARCO, the GA and random search: simulate the layers a batch needs here (default) or elsewhere (Redis workers). */
  simulateLayers?: LayerSimulator;
}

export interface TrackerOptions {
  strategy: string;
  seed: number;
  /** Workload key of the records. */
  workload: string;
  onRecords?: (records: TuningRecord[]) => void;
}

/**
 * A joint configuration's knobs by name, as tuning records store them: the accelerator's, then
 * each layer's mapping as `layer.knob`.
 */
export function namedKnobs(problem: CodesignProblem, config: JointConfig): Record<string, number | string> {
  const knobs: Record<string, number | string> = { ...hardwareOf(config.hardware) };
  config.mappings.forEach((point, i) => {
    const m = mappingOf(point);
    const layer = problem.network.layers[i]!.layer.name;
    knobs[`${layer}.splitM`] = m.splitM;
    knobs[`${layer}.splitN`] = m.splitN;
    knobs[`${layer}.splitK`] = m.splitK;
    knobs[`${layer}.order`] = m.order;
    knobs[`${layer}.doubleBuffer`] = m.doubleBuffer ? 1 : 0;
  });
  return knobs;
}

/**
 * The nearest mapping that fits: the reduction, then the output-pixel, then the filter split is
 * raised one step at a time until the tiles fit; SCALE-Sim's streaming mapping (always valid)
 * when nothing does. Returns the point unchanged when it already fits.
 */
export function fitMapping(problem: CodesignProblem, hardware: Point, layer: number, mapping: Point): Point {
  if (problem.fits(hardware, layer, mapping)) return mapping;
  const p = [...mapping];
  const max = problem.mappingCardinalities;
  for (let round = 0; round < 3 * max[0]!; round++) {
    const knob = [MAPPING_KNOB.splitK, MAPPING_KNOB.splitM, MAPPING_KNOB.splitN][round % 3]!;
    if (p[knob]! + 1 < max[knob]!) p[knob]!++;
    if (problem.fits(hardware, layer, p)) return p;
  }
  return DEFAULT_MAPPING_POINT;
}

/**
 * Replaces the mapping of every layer that does not fit the buffers by the nearest one that does
 * (fitMapping). Strategies that search whole joint configurations evaluate the repaired
 * configuration; the learning agents are still penalised for the layers repaired.
 */
export function repair(problem: CodesignProblem, config: JointConfig): { config: JointConfig; repaired: number } {
  let repaired = 0;
  if (problem.hardwareError(config.hardware) !== undefined) return { config, repaired };
  const mappings = config.mappings.map((m, i) => {
    const fixed = fitMapping(problem, config.hardware, i, m);
    if (fixed !== m) repaired++;
    return fixed;
  });
  return { config: { hardware: config.hardware, mappings }, repaired };
}

export class Tracker {
  readonly started = performance.now();
  readonly history: HistoryEntry[] = [];
  best: CodesignRun['best'];
  evaluations = 0;
  /** Best throughput found on each accelerator evaluated (for the trade-off plot). */
  readonly perHardware = new Map<string, { hardware: Point; throughputPerSecond: number }>();
  private batch = 0;
  private pending: TuningRecord[] = [];

  constructor(
    readonly problem: CodesignProblem,
    readonly options: TrackerOptions,
  ) {}

  seconds(): number {
    return (performance.now() - this.started) / 1000;
  }

  /** Evaluates a joint configuration with the simulator and records it. */
  evaluate(config: JointConfig): NetworkEvaluation {
    const evaluation = this.problem.evaluate(config);
    this.observe(config, evaluation);
    this.pending.push({
      v: RECORD_VERSION,
      workload: this.options.workload,
      tuner: this.options.strategy,
      seed: this.options.seed,
      batch: this.batch,
      config: { point: [...config.hardware, ...config.mappings.flat()], index: -1, knobs: namedKnobs(this.problem, config) },
      result: evaluation.valid
        ? { costs: [evaluation.cycles], errorCode: ErrorCode.none, timestamp: Date.now() }
        : { costs: [], errorCode: ErrorCode.invalidConfig, errorText: evaluation.reason, timestamp: Date.now() },
    });
    return evaluation;
  }

  /**
   * Counts an evaluation made elsewhere (the tuning loop's measurer): the best, the accelerator's
   * best and a history point at `calls`, the simulator calls spent when it was made.
   */
  observe(config: JointConfig, evaluation: NetworkEvaluation, calls = this.problem.simulatorCalls): void {
    this.evaluations++;
    this.notePerHardware(config, evaluation);
    if (evaluation.valid && evaluation.throughputPerSecond > (this.best?.evaluation.throughputPerSecond ?? 0)) this.best = { config, evaluation };
    this.note(calls);
  }

  /** Adds a history point at `calls` simulator calls (by default, the problem's count now). */
  note(calls = this.problem.simulatorCalls): void {
    const bestThroughput = this.best?.evaluation.throughputPerSecond ?? 0;
    const last = this.history[this.history.length - 1];
    if (last && last.calls === calls && last.bestThroughput === bestThroughput) return;
    this.history.push({ calls, seconds: this.seconds(), bestThroughput });
  }

  private notePerHardware(config: JointConfig, evaluation: NetworkEvaluation): void {
    if (!evaluation.valid) return;
    const key = config.hardware.join(',');
    const seen = this.perHardware.get(key);
    if (!seen || evaluation.throughputPerSecond > seen.throughputPerSecond) this.perHardware.set(key, { hardware: config.hardware, throughputPerSecond: evaluation.throughputPerSecond });
  }

  /** Offers a configuration evaluated outside `evaluate` (software-only tuners evaluate layer by layer). */
  offer(config: JointConfig, evaluation: NetworkEvaluation): void {
    this.notePerHardware(config, evaluation);
    if (evaluation.valid && evaluation.throughputPerSecond > (this.best?.evaluation.throughputPerSecond ?? 0)) this.best = { config, evaluation };
    this.note();
  }

  /** Ends a batch: hands its records to the log. */
  flush(): void {
    if (this.pending.length > 0) this.options.onRecords?.(this.pending);
    this.pending = [];
    this.batch++;
  }

  result(stats: Record<string, number> = {}): CodesignRun {
    this.flush();
    this.note();
    return {
      strategy: this.options.strategy,
      seed: this.options.seed,
      best: this.best,
      simulatorCalls: this.problem.simulatorCalls,
      seconds: this.seconds(),
      evaluations: this.evaluations,
      history: this.history,
      perHardware: [...this.perHardware.values()],
      stats,
    };
  }
}

/** Seconds and simulator calls a run needed to first reach `throughput` (undefined if never). */
export function timeToReach(run: CodesignRun, throughput: number): HistoryEntry | undefined {
  return run.history.find((h) => h.bestThroughput >= throughput * (1 - 1e-12));
}
