// `compile` for a pipeline of Edge-TPU-like cores: schedule the model with the learned
// scheduler, check it against the exact solver within a time limit, compare with the two
// partitioners users have (the compiler's --num_segments split and Coral's profiling-based
// partitioner) and the contiguous DP, and keep the best valid schedule.
import type { Core } from '../core/core.js';
import type { Graph } from '../graph/types.js';
import type { PipelineTarget } from '../hw/pipeline.js';
import { problemFromGraph } from '../sched/from-graph.js';
import { learnedSchedule } from '../sched/learned.js';
import type { PolicyWeights } from '../sched/policy.js';
import { runScheduler, type SchedulerName, type ScheduleResult } from '../sched/schedule.js';

export interface PipelineCompileOptions {
  /** Seconds the exact solver may take before it returns its best schedule and gap. */
  exactTimeLimitSeconds: number;
  /** The learned scheduler's weights (default: the shipped checkpoint). */
  weights?: PolicyWeights;
  /** Called before each scheduler runs (for progress). */
  onStep?: (scheduler: SchedulerName, index: number, total: number) => void;
}

export interface SchedulerOutcome {
  scheduler: SchedulerName;
  result?: ScheduleResult;
  /** Why the scheduler gave no schedule, when it failed. */
  error?: string;
}

export interface PipelineCompilation {
  kind: 'edgetpu-pipeline';
  target: PipelineTarget;
  outcomes: SchedulerOutcome[];
  /** The scheduler whose schedule is kept: the lowest bottleneck. */
  chosen: SchedulerName;
  comparison: {
    /** Throughput of the kept schedule over the compiler baseline's. */
    speedupVsCompiler: number | null;
    /** Throughput of the kept schedule over the profiling-based partitioner's. */
    speedupVsProfiling: number | null;
    /** (learned − exact) / exact bottleneck; against the exact solver's bound when it timed out. */
    learnedGapToExact: number | null;
    /** The exact solver's solve time over the learned scheduler's. */
    learnedSpeedupVsExact: number | null;
  };
}

// Order matters: the learned schedule is what users get fast; exact checks it.
const ORDER: SchedulerName[] = ['learned', 'exact', 'compiler', 'profiling', 'dp'];

export async function compilePipeline(core: Core, graph: Graph, target: PipelineTarget, options: PipelineCompileOptions): Promise<PipelineCompilation> {
  const problem = problemFromGraph(graph, target);
  const outcomes: SchedulerOutcome[] = [];
  for (const [index, scheduler] of ORDER.entries()) {
    options.onStep?.(scheduler, index, ORDER.length);
    try {
      outcomes.push({ scheduler, result: await runScheduler(core, problem, { scheduler, timeLimitSeconds: options.exactTimeLimitSeconds, learned: (c, p) => learnedSchedule(c, p, { weights: options.weights }) }) });
    } catch (error) {
      outcomes.push({ scheduler, error: error instanceof Error ? error.message : String(error) });
    }
  }
  const byName = (name: SchedulerName): ScheduleResult | undefined => outcomes.find((o) => o.scheduler === name)?.result;
  const succeeded = outcomes.filter((o) => o.result);
  if (succeeded.length === 0) throw new Error(`no scheduler produced a schedule: ${outcomes.map((o) => `${o.scheduler}: ${o.error}`).join('; ')}`);
  const best = succeeded.reduce((a, b) => (b.result!.bottleneckSeconds < a.result!.bottleneckSeconds ? b : a));
  const [learned, exact, compiler, profiling] = [byName('learned'), byName('exact'), byName('compiler'), byName('profiling')];
  const exactReference = exact ? (exact.status === 'optimal' ? exact.bottleneckSeconds : (exact.lowerBoundSeconds ?? exact.bottleneckSeconds)) : undefined;
  return {
    kind: 'edgetpu-pipeline',
    target,
    outcomes,
    chosen: best.scheduler,
    comparison: {
      speedupVsCompiler: compiler ? compiler.bottleneckSeconds / best.result!.bottleneckSeconds : null,
      speedupVsProfiling: profiling ? profiling.bottleneckSeconds / best.result!.bottleneckSeconds : null,
      learnedGapToExact: learned && exactReference ? learned.bottleneckSeconds / exactReference - 1 : null,
      learnedSpeedupVsExact: learned && exact ? exact.solveSeconds / Math.max(learned.solveSeconds, 1e-9) : null,
    },
  };
}
