// Co-design strategies as tuners of the joint space (ARCO, the GA, random search), run by the one
// tuning loop. Each proposes a whole round at a time from its own state (its generator, its
// population, its agents); the loop measures the round's points with the simulator and hands the
// results back through `update`, which is where the strategy learns. A resumed run replays its
// log through `update` alone: the strategy proposes the round again from the state the log has
// rebuilt so far (the same proposal the live run made, which is checked), the simulator's cache is
// refilled from the records, and nothing is simulated twice.
import { UserError } from '../base/errors.js';
import type { MeasureResult } from '../base/result.js';
import { type Point, pointKey } from '../base/search-space.js';
import type { NetworkEvaluation } from './problem.js';
import { runTuning } from '../tune/loop.js';
import type { Tuner } from '../tune/tuner.js';
import type { StrategyOptions } from './run.js';
import { JointMeasurer, type JointMeasureResult, jointPoint, JointSpace, type SimulatedLayer } from './joint-space.js';
import { budgetKey, type CodesignProblem, type JointConfig } from './problem.js';
import { type CodesignRun, Tracker } from './run.js';

/** One evaluated configuration of a round, as `learn` receives it. */
export interface JointMeasurement {
  config: JointConfig;
  evaluation: NetworkEvaluation;
  /** The layers its evaluation simulated for the first time. */
  simulated: readonly SimulatedLayer[];
}

export abstract class JointTuner implements Tuner {
  abstract readonly name: string;
  readonly space: JointSpace;
  readonly tracker: Tracker;
  /** The round proposed and not yet measured (nextBatch may be asked again before update). */
  private pending: Point[] | undefined;

  constructor(
    readonly problem: CodesignProblem,
    strategy: string,
    readonly seed: number,
    /** Simulator calls the search may spend. */
    readonly budget: number,
  ) {
    this.space = new JointSpace(problem);
    this.tracker = new Tracker(problem, { strategy, seed, workload: budgetKey(problem) });
  }

  /** Whether the strategy has ended (its budget spent, or its own end); a round already proposed is still measured. */
  protected abstract get finished(): boolean;
  /** The configurations of the next round to evaluate, in order; none once the search has ended. */
  protected abstract propose(): JointConfig[];
  /** Learns from a round's evaluations; may name the configurations of the round that follows (ARCO's composites). */
  protected abstract learn(measured: JointMeasurement[]): JointConfig[] | void;
  /** Strategy counters for the run's report. */
  protected abstract stats(): Record<string, number>;

  get done(): boolean {
    return this.pending === undefined && this.finished;
  }

  nextBatch(_n: number): Point[] {
    this.pending ??= this.propose().map(jointPoint);
    return this.pending;
  }

  update(points: readonly Point[], results: readonly MeasureResult[]): void {
    // Replaying a log, nothing was proposed: propose now, from the state the earlier rounds rebuilt.
    const proposed = this.pending ?? this.propose().map(jointPoint);
    this.pending = undefined;
    if (proposed.length !== points.length || proposed.some((p, i) => pointKey(p) !== pointKey(points[i]!))) {
      throw new UserError(`cannot resume: a batch of the log is not what ${this.name} proposes here (another model, budget, seed or version of mapwise); start over without --resume`, { field: 'resume' });
    }
    const configs = points.map((p) => this.space.configOf(p));
    const simulated = results.map((r) => (r as JointMeasureResult).simulated ?? []);
    configs.forEach((config, i) => this.problem.absorb(config, simulated[i]!));
    let calls = this.problem.simulatorCalls - simulated.reduce((s, layers) => s + layers.length, 0);
    const measured = configs.map((config, i) => {
      const evaluation = this.problem.evaluate(config); // every layer cached: free
      calls += simulated[i]!.length;
      this.tracker.observe(config, evaluation, calls);
      return { config, evaluation, simulated: simulated[i]! };
    });
    const next = this.learn(measured);
    if (next && next.length > 0) this.pending = next.map(jointPoint);
  }

  result(): CodesignRun {
    return this.tracker.result(this.stats());
  }
}

/** Runs a joint tuner with the tuning loop until it ends: the records are the loop's, a resume its replay. */
export async function runJointTuner(tuner: JointTuner, options: StrategyOptions): Promise<CodesignRun> {
  const { problem } = tuner;
  await runTuning({
    workload: budgetKey(problem),
    space: tuner.space,
    measurer: new JointMeasurer(tuner.space, options.simulateLayers),
    tuner,
    // The strategy ends the run (its simulator-call budget), not a trial count.
    trials: Number.MAX_SAFE_INTEGER,
    batchSize: Number.MAX_SAFE_INTEGER,
    seed: tuner.seed,
    previous: options.previous,
    onRecords: options.onRecords,
    shouldStop: () => tuner.done,
    onProgress: () => options.onProgress?.(problem.simulatorCalls, options.budget, tuner.tracker.best?.evaluation.throughputPerSecond ?? 0),
  });
  return tuner.result();
}
