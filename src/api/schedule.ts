// `schedule(model, options) → Promise<ScheduleReport>`: a model cut into pipeline stages on a
// multi-core Edge-TPU-like target, by any of the schedulers of src/sched, with the pipeline
// simulator's cost breakdown. The same call and seed give the same report in every runtime
// (solveSeconds aside).
import { getCore } from '../core/load.js';
import { MAX_PIPELINE_CORES, PIPELINE_PRESETS, pipelineTarget, type PipelineTarget, type PipelineTargetOptions } from '../hw/pipeline.js';
import { problemFromGraph } from '../sched/from-graph.js';
import { schedule as runScheduler, SCHEDULERS, type SchedulerName, type ScheduleResult } from '../sched/schedule.js';
import { checkOptions, type ProgressEvent, throwIfAborted } from './check.js';
import { type ModelInput, resolveModel } from './model.js';

export interface ScheduleOptions {
  /** Pipeline stages, one per core (1–8); default: the target's (4 for edgetpu). */
  cores?: number;
  /** A preset name ('edgetpu') or fields overriding the edgetpu preset (see PipelineTarget). */
  target?: string | PipelineTargetOptions;
  /** 'exact' (HiGHS MILP, default), 'compiler', 'dp' or 'learned'. */
  scheduler?: SchedulerName;
  /** Seconds the exact solver may take; then it returns its best schedule and gap (default 60). */
  timeLimitSeconds?: number;
  /** Branch-and-bound node limit of the exact solver (deterministic, unlike the time limit). */
  maxNodes?: number;
  /** Seed of the learned scheduler's sampling (default 1). */
  seed?: number;
  /** Sampled schedules of the learned scheduler besides the greedy one (default 8). */
  samples?: number;
  onProgress?: (event: ProgressEvent) => void;
  signal?: AbortSignal;
}

export interface ScheduleReport extends ScheduleResult {
  model: string;
  target: PipelineTarget;
}

const SPEC = {
  cores: { type: 'number', integer: true, min: 1, max: MAX_PIPELINE_CORES },
  target: { type: 'string|object', oneOf: Object.keys(PIPELINE_PRESETS) },
  scheduler: { type: 'string', oneOf: SCHEDULERS },
  timeLimitSeconds: { type: 'number', min: 0 },
  maxNodes: { type: 'number', integer: true, min: 1 },
  seed: { type: 'number', integer: true, min: 0 },
  samples: { type: 'number', integer: true, min: 0, max: 10_000 },
  onProgress: { type: 'function' },
  signal: { type: 'signal' },
} as const;

export async function schedule(model: ModelInput, options?: ScheduleOptions): Promise<ScheduleReport> {
  const o = checkOptions<ScheduleOptions>('schedule', options, SPEC);
  const progress = (step: string, done: number, total = 1): void => o.onProgress?.({ step, done, total });
  const fields = typeof o.target === 'object' ? o.target : {};
  const preset = typeof o.target === 'string' ? o.target : 'edgetpu';
  const target = pipelineTarget({ ...fields, ...(o.cores === undefined ? {} : { cores: o.cores }) }, preset);
  throwIfAborted(o.signal);
  progress('model', 0);
  const graph = resolveModel('schedule', model);
  progress('problem', 0);
  const problem = problemFromGraph(graph, target);
  throwIfAborted(o.signal);
  progress('solve', 0);
  const core = await getCore();
  const result = await runScheduler(core, problem, {
    scheduler: o.scheduler ?? 'exact',
    ...(o.timeLimitSeconds === undefined ? {} : { timeLimitSeconds: o.timeLimitSeconds }),
    ...(o.maxNodes === undefined ? {} : { maxNodes: o.maxNodes }),
    learned: async (c, p) => (await import('../sched/learned.js')).learnedSchedule(c, p, { seed: o.seed ?? 1, ...(o.samples === undefined ? {} : { samples: o.samples }) }),
  });
  throwIfAborted(o.signal);
  progress('cost', 1);
  return { model: graph.name, target, ...result };
}
