// `schedule(problem, options) → result`: one entry point over every scheduler, with the
// simulator's cost breakdown (seconds, bytes) of the schedule it returns.
import type { Core } from '../core/core.js';
import { compilerSchedule } from './compiler.js';
import { exactSchedule, type ExactOptions } from './exact.js';
import { assignmentFromCuts, assignmentToRecord, type Assignment, type ScheduleProblem } from './problem.js';
import { PipelineSimulator } from './simulate.js';

export const SCHEDULERS = ['exact', 'compiler', 'dp', 'learned'] as const;
export type SchedulerName = (typeof SCHEDULERS)[number];

export interface ScheduleOptions extends Omit<ExactOptions, 'warmStart'> {
  scheduler?: SchedulerName;
  /** For 'learned': runs the policy instead of the default; see learned.ts. */
  learned?: (core: Core, problem: ScheduleProblem) => Promise<Assignment> | Assignment;
}

export interface StageReport {
  nodes: string[];
  paramBytes: number;
  computeSeconds: number;
  streamSeconds: number;
  transferSeconds: number;
  totalSeconds: number;
}

export interface ScheduleResult {
  scheduler: SchedulerName;
  cores: number;
  nodes: number;
  stages: StageReport[];
  bottleneckSeconds: number;
  throughputPerSecond: number;
  latencySeconds: number;
  solveSeconds: number;
  /** Exact scheduler only: proven relative gap (0 = optimal). */
  optimalityGap?: number;
  /** Exact scheduler only: proven lower bound on the bottleneck, seconds. */
  lowerBoundSeconds?: number;
  /** Exact scheduler only: 'optimal' or 'time-limit'. */
  status?: string;
  assignment: Record<string, number>;
}

export async function schedule(core: Core, problem: ScheduleProblem, options: ScheduleOptions = {}): Promise<ScheduleResult> {
  const scheduler = options.scheduler ?? 'exact';
  if (!(SCHEDULERS as readonly string[]).includes(scheduler)) throw new RangeError(`unknown scheduler '${scheduler}'; choose one of: ${SCHEDULERS.join(', ')}`);
  const started = performance.now();
  let assignment: Assignment;
  let extra: Partial<ScheduleResult> = {};
  if (scheduler === 'compiler') {
    assignment = compilerSchedule(problem);
  } else if (scheduler === 'dp') {
    const sim = new PipelineSimulator(core, problem);
    try {
      assignment = assignmentFromCuts(problem.n, sim.contiguousDp().cuts);
    } finally {
      sim.free();
    }
  } else if (scheduler === 'exact') {
    const result = await exactSchedule(core, problem, options);
    assignment = result.assignment;
    extra = { optimalityGap: result.optimalityGap, lowerBoundSeconds: result.lowerBoundSeconds, status: result.status };
  } else {
    const run = options.learned ?? (await import('./learned.js')).learnedSchedule;
    assignment = await run(core, problem);
  }
  const solveSeconds = (performance.now() - started) / 1000;
  return describeSchedule(core, problem, scheduler, assignment, solveSeconds, extra);
}

export function describeSchedule(
  core: Core,
  problem: ScheduleProblem,
  scheduler: SchedulerName,
  assignment: Assignment,
  solveSeconds: number,
  extra: Partial<ScheduleResult> = {},
): ScheduleResult {
  const sim = new PipelineSimulator(core, problem);
  try {
    const cost = sim.simulate(assignment);
    return {
      scheduler,
      cores: problem.cores,
      nodes: problem.n,
      stages: cost.stages.map((s) => ({
        nodes: s.nodes.map((v) => problem.names[v]!),
        paramBytes: s.paramBytes,
        computeSeconds: s.computeSeconds,
        streamSeconds: s.streamSeconds,
        transferSeconds: s.transferSeconds,
        totalSeconds: s.totalSeconds,
      })),
      bottleneckSeconds: cost.bottleneckSeconds,
      throughputPerSecond: cost.throughputPerSecond,
      latencySeconds: cost.latencySeconds,
      solveSeconds,
      ...extra,
      assignment: assignmentToRecord(problem, assignment),
    };
  } finally {
    sim.free();
  }
}
