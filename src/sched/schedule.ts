// `runScheduler(problem, options) → result`: one entry point over every scheduler, with the
// simulator's cost breakdown (seconds, bytes) of the schedule it returns.
import { OptionsError } from '../base/options.js';
import type { Core } from '../core/core.js';
import { compilerSchedule } from './compiler.js';
import { profilingSchedule } from './profiling.js';
import { scheduleNotes } from './notes.js';
import { dpWarmStart, EXACT_TIME_LIMIT_SECONDS, exactSchedule, type ExactOptions } from './exact.js';
import { assignmentFromCuts, assignmentToRecord, type Assignment, type ScheduleProblem } from './problem.js';
import { PipelineSimulator } from './simulate.js';

export const SCHEDULERS = ['auto', 'exact', 'compiler', 'profiling', 'dp', 'learned'] as const;
export type SchedulerName = (typeof SCHEDULERS)[number];

/**
 * The default, 'auto': the better of the learned scheduler and the contiguous DP, then the exact
 * MILP started from it for this many seconds, to improve it and to prove how far from the optimum
 * it can be. 'exact' is the same solver with the full time limit (60 s).
 */
export const AUTO_TIME_LIMIT_SECONDS = 5;

/** The exact solver's time limit under `scheduler` ('auto' or 'exact'), given or by default. */
export function timeLimitFor(scheduler: SchedulerName, given?: number): number {
  return given ?? (scheduler === 'auto' ? AUTO_TIME_LIMIT_SECONDS : EXACT_TIME_LIMIT_SECONDS);
}

export interface RunSchedulerOptions extends Omit<ExactOptions, 'warmStart'> {
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
  /** Fixed cost of invoking the stage's core once per inference (0 for an unused stage). */
  invocationSeconds: number;
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
  /** Exact and auto only: proven relative gap (0 = optimal). */
  optimalityGap?: number;
  /** Exact and auto only: proven lower bound on the bottleneck, seconds. */
  lowerBoundSeconds?: number;
  /** Exact and auto only: 'optimal' or 'time-limit'. */
  status?: string;
  /** Auto only: the scheduler whose schedule the exact solver started from, and whether it improved it. */
  startedFrom?: 'learned' | 'dp';
  improvedByExact?: boolean;
  /** What the figures mean for a deployment, in plain words (see notes.ts). */
  notes: string[];
  assignment: Record<string, number>;
}

export async function runScheduler(core: Core, problem: ScheduleProblem, options: RunSchedulerOptions = {}): Promise<ScheduleResult> {
  const scheduler = options.scheduler ?? 'auto';
  if (!(SCHEDULERS as readonly string[]).includes(scheduler)) throw new OptionsError(`unknown scheduler '${scheduler}'; choose one of: ${SCHEDULERS.join(', ')}`, { field: 'scheduler' });
  const started = performance.now();
  let assignment: Assignment;
  let extra: Partial<ScheduleResult> = {};
  if (scheduler === 'compiler') {
    assignment = compilerSchedule(problem);
  } else if (scheduler === 'profiling') {
    assignment = profilingSchedule(problem);
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
  } else if (scheduler === 'auto') {
    const run = options.learned ?? (await import('./learned.js')).learnedSchedule;
    const learned = await run(core, problem);
    const sim = new PipelineSimulator(core, problem);
    let start: { from: 'learned' | 'dp'; assignment: Assignment; seconds: number };
    try {
      const dp = dpWarmStart(core, sim, problem);
      const [l, d] = [sim.bottleneck(learned), sim.bottleneck(dp)];
      start = l < d ? { from: 'learned', assignment: learned, seconds: l } : { from: 'dp', assignment: dp, seconds: d };
    } finally {
      sim.free();
    }
    const result = await exactSchedule(core, problem, { ...options, timeLimitSeconds: timeLimitFor('auto', options.timeLimitSeconds), warmStart: start.assignment });
    assignment = result.assignment;
    extra = {
      optimalityGap: result.optimalityGap, lowerBoundSeconds: result.lowerBoundSeconds, status: result.status,
      startedFrom: start.from, improvedByExact: result.bottleneckSeconds < start.seconds,
    };
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
        invocationSeconds: s.invocationSeconds,
        totalSeconds: s.totalSeconds,
      })),
      bottleneckSeconds: cost.bottleneckSeconds,
      throughputPerSecond: cost.throughputPerSecond,
      latencySeconds: cost.latencySeconds,
      solveSeconds,
      ...extra,
      notes: scheduleNotes(problem, cost),
      assignment: assignmentToRecord(problem, assignment),
    };
  } finally {
    sim.free();
  }
}
