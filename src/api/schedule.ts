// `schedule(model, options) → Promise<ScheduleReport>`: a model cut into pipeline stages on a
// multi-core Edge-TPU-like target, by any of the schedulers of src/sched, with the pipeline
// simulator's cost breakdown. The same call and seed give the same report in every runtime
// (solveSeconds aside).
import { getCore } from '../core/load.js';
import { MAX_PIPELINE_CORES, PIPELINE_PRESETS, pipelineTarget, type PipelineTarget, type PipelineTargetOptions } from '../hw/pipeline.js';
import type { DecodeMode, PolicyWeights } from '../sched/policy.js';
import type { SchedulerName, ScheduleResult } from '../sched/schedule.js';
import { checkOptions, OptionsError } from '../base/options.js';
import { type ProgressEvent, throwIfAborted } from './check.js';
import { type ModelInput, resolveModel } from './model.js';

export interface ScheduleOptions {
  /** Pipeline stages, one per core (1–8); default: the target's (4 for edgetpu). */
  cores?: number;
  /** 'edgetpu' or 'edgetpu:K' (K cores, as `mapwise compile --target`), or fields overriding the edgetpu preset (see PipelineTarget). */
  target?: string | PipelineTargetOptions;
  /** 'auto' (default: the better of learned and dp, then the exact MILP for 5 s to improve it and prove its gap), 'exact' (HiGHS MILP), 'compiler' (the Edge TPU compiler's parameter-balanced split), 'profiling' (libcoral's profiling partitioner, the simulator as profiler), 'dp' or 'learned'. */
  scheduler?: SchedulerName;
  /** Seconds the exact solver may take; then it returns its best schedule and gap (default 5 with 'auto', 60 with 'exact'). */
  timeLimitSeconds?: number;
  /** Branch-and-bound node limit of the exact solver (deterministic, unlike the time limit). */
  maxNodes?: number;
  /** Seed of the learned scheduler's sampling (default 1). */
  seed?: number;
  /** How the learned scheduler decodes: 'greedy' (default), 'sample' or 'beam' (see src/sched/learned.ts). */
  decode?: DecodeMode;
  /** Sampled schedules of the learned scheduler besides the greedy one (default 0; with decode 'sample', 8). */
  samples?: number;
  /** Beam width of the learned scheduler's decode 'beam' (default 4). */
  beamWidth?: number;
  /** Policy weights of the learned scheduler (and of auto's learned start), e.g. a train-scheduler checkpoint's; default: the shipped ones. */
  weights?: PolicyWeights;
  /** Steps 'model', 'problem', 'solve', 'cost'; while the exact solver runs, 'solve' events count its seconds and carry its best and proven bottleneck. */
  onProgress?: (event: ProgressEvent) => void;
  signal?: AbortSignal;
}

export interface ScheduleReport extends ScheduleResult {
  model: string;
  target: PipelineTarget;
  /** 'auto' and 'exact': the exact solver's time limit. */
  timeLimitSeconds?: number;
}

/** The schedulers load on the first call, so importing the library stays cheap. */
const loadSchedulers = async () => {
  const [fromGraph, policy, schedulers] = await Promise.all([import('../sched/from-graph.js'), import('../sched/policy.js'), import('../sched/schedule.js')]);
  return { problemFromGraph: fromGraph.problemFromGraph, runScheduler: schedulers.runScheduler, timeLimitFor: schedulers.timeLimitFor, spec: specOf(schedulers.SCHEDULERS, policy.DECODE_MODES) };
};

const specOf = (SCHEDULERS: readonly string[], DECODE_MODES: readonly string[]) => ({
  cores: { type: 'number', integer: true, min: 1, max: MAX_PIPELINE_CORES },
  target: { type: 'string|object' },
  scheduler: { type: 'string', oneOf: SCHEDULERS },
  timeLimitSeconds: { type: 'number', min: 0 },
  maxNodes: { type: 'number', integer: true, min: 1 },
  seed: { type: 'number', integer: true, min: 0 },
  decode: { type: 'string', oneOf: DECODE_MODES },
  samples: { type: 'number', integer: true, min: 0, max: 10_000 },
  beamWidth: { type: 'number', integer: true, min: 1, max: 1_000 },
  weights: { type: 'object' },
  onProgress: { type: 'function' },
  signal: { type: 'signal' },
}) as const;

/** The target of `target` and `cores`: a preset name with an optional core count, or preset overrides. */
function pipelineOf(target: ScheduleOptions['target'], cores: number | undefined): PipelineTarget {
  const withCores = (fields: PipelineTargetOptions): PipelineTargetOptions => (cores === undefined ? fields : { ...fields, cores });
  if (typeof target !== 'string') return pipelineTarget(withCores(target ?? {}));
  const m = /^([\w-]+)(?::(\d+))?$/.exec(target);
  if (!m || !Object.hasOwn(PIPELINE_PRESETS, m[1]!)) {
    throw new OptionsError(`schedule: option 'target' must be ${Object.keys(PIPELINE_PRESETS).map((p) => `'${p}' or '${p}:K'`).join(', ')} (K cores) or a plain object, got '${target}'`, { field: 'target' });
  }
  if (m[2] === undefined) return pipelineTarget(withCores({}), m[1]);
  if (cores !== undefined) throw new OptionsError(`schedule: give the cores in option 'target' ('${target}') or in 'cores', not both`, { field: 'cores' });
  return pipelineTarget({ cores: Number(m[2]) }, m[1]);
}

export async function schedule(model: ModelInput, options?: ScheduleOptions): Promise<ScheduleReport> {
  const { problemFromGraph, runScheduler, timeLimitFor, spec } = await loadSchedulers();
  const o = checkOptions<ScheduleOptions>('schedule', options, spec);
  const progress = (step: string, done: number, total = 1): void => o.onProgress?.({ step, done, total });
  const target = pipelineOf(o.target, o.cores);
  throwIfAborted(o.signal);
  progress('model', 0);
  const graph = resolveModel('schedule', model);
  progress('problem', 0);
  const problem = problemFromGraph(graph, target);
  throwIfAborted(o.signal);
  progress('solve', 0);
  const core = await getCore();
  const scheduler = o.scheduler ?? 'auto';
  const solves = scheduler === 'auto' || scheduler === 'exact';
  const timeLimitSeconds = timeLimitFor(scheduler, o.timeLimitSeconds);
  const result = await runScheduler(core, problem, {
    scheduler,
    timeLimitSeconds,
    ...(o.maxNodes === undefined ? {} : { maxNodes: o.maxNodes }),
    learned: async (c, p) =>
      (await import('../sched/learned.js')).learnedSchedule(c, p, {
        seed: o.seed ?? 1,
        ...(o.decode === undefined ? {} : { decode: o.decode }),
        ...(o.samples === undefined ? {} : { samples: o.samples }),
        ...(o.beamWidth === undefined ? {} : { beamWidth: o.beamWidth }),
        ...(o.weights === undefined ? {} : { weights: o.weights }),
      }),
    ...(o.onProgress ? {
      onProgress: (p) => o.onProgress!({
        step: 'solve', done: Math.min(Math.floor(p.seconds), Math.ceil(timeLimitSeconds)), total: Math.ceil(timeLimitSeconds),
        bestSeconds: p.bestSeconds, boundSeconds: p.boundSeconds,
      }),
    } : {}),
  });
  throwIfAborted(o.signal);
  progress('cost', 1);
  return { model: graph.name, target, ...(solves ? { timeLimitSeconds } : {}), ...result };
}
