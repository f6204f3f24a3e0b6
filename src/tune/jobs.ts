// Tuning jobs: each distinct layer of a model with its knob space and a measurer, on the host
// (real kernels) or on the simulated systolic array (layer mappings). Shared by the CLI, the
// benchmarks and the library's `tune`.
import type { Core } from '../core/core.js';
import type { Graph } from '../graph/types.js';
import { parseSystolicTargetSpec, systolicTarget } from '../hw/systolic.js';
import { modelTasks } from './graph-tasks.js';
import type { Measurer } from '../base/result.js';
import { type HistoryPoint, type TuneProgress, runTuning } from './loop.js';
import type { TuningRecord } from './records.js';
import { pointKey, type SearchSpace } from '../base/search-space.js';
import { type Space, spaceFor } from './space/space.js';
import { describeShape, taskKey } from './space/task.js';
import { untunedConfig } from './space/untuned.js';
import { systolicTasks } from './systolic-tasks.js';
import type { TransferPool } from './transfer.js';
import { createTuner, type TunerName } from './tuners/index.js';

export interface TuningJob {
  name: string;
  shape: string;
  count: number;
  workload: string;
  space: SearchSpace;
  measurer: Measurer;
  /** SCALE-Sim's mapping, or the kernel's default schedule: what tuning is compared with. */
  defaultPoint: readonly number[];
  /** host: floating-point operations of one node of this layer (what `compile` ranks layers by). */
  flops?: number;
  /** The figure users read for a cost (GFLOP/s for seconds, cycles as they are). */
  figure: (cost: number) => number;
  unit: string;
  close: () => Promise<void>;
}

export interface TuningJobOptions {
  /** How the host's kernels are measured: in a worker (Node, browsers) or in this thread. */
  hostMeasurer: (core: Core, space: Space) => Measurer & { close?: () => void | Promise<void> };
  /** systolic: DRAM bandwidth in bytes per cycle (default: the preset's Bandwidth). */
  dramBytesPerCycle?: number;
}

/** The distinct layers of a model as tuning jobs on `host` or `systolic[:preset]`. */
export function tuningJobs(core: Core, graph: Graph, target: string, options: TuningJobOptions): TuningJob[] {
  if (target === 'host') {
    return modelTasks(graph).map(({ task, nodes }) => {
      const space = spaceFor(task);
      const measurer = options.hostMeasurer(core, space);
      return {
        name: task.name,
        shape: describeShape(task.shape),
        count: nodes.length,
        workload: `${taskKey(task)}@host`,
        space,
        measurer,
        defaultPoint: space.point(untunedConfig(space)),
        flops: task.flops,
        figure: (seconds) => task.flops / seconds / 1e9,
        unit: 'GFLOP/s',
        close: async () => measurer.close?.(),
      };
    });
  }
  if (target.startsWith('systolic')) {
    const config = systolicTarget({}, parseSystolicTargetSpec(target));
    return systolicTasks(core, graph, config, options.dramBytesPerCycle ?? config.bandwidthWordsPerCycle).map((t) => ({
      ...t,
      defaultPoint: t.space.defaultPoint,
      figure: (cycles) => cycles,
      unit: 'cycles',
      close: async () => {},
    }));
  }
  throw new Error(`target '${target}': expected host or systolic[:google|eyeriss|scale]`);
}

export interface TuneJobOptions {
  tuner: TunerName;
  trials: number;
  batchSize: number;
  earlyStopping?: number;
  seed: number;
  /** Records of an earlier run to resume from. */
  previous?: readonly TuningRecord[];
  /**
   * The first batch measures the job's default point (the default): the run is then never worse
   * than the untuned schedule. False starts from the tuner's own points, as the tuning papers do.
   */
  fromDefault?: boolean;
  /**
   * Warm start from the layers tuned before (autotvm, chameleon): the cost model starts from
   * the pool's samples, and this layer's measurements join the pool when it is done.
   */
  transfer?: TransferPool;
  onRecords?: (records: TuningRecord[]) => void | Promise<void>;
  onProgress?: (progress: TuneProgress) => void;
  shouldStop?: () => boolean;
  /** Receives every trial with its time (kept out of the report, which runtimes compare). */
  onHistory?: (history: readonly HistoryPoint[]) => void;
}

export interface TuneJobReport {
  layer: string;
  shape: string;
  workload: string;
  trials: number;
  /** Trials replayed from `previous` rather than measured. */
  replayed: number;
  unit: string;
  /** Cost of the default point (measured first), or null when it failed or was not reached. */
  defaultCost: number | null;
  bestCost: number | null;
  /** Best cost as users read it: GFLOP/s on the host, cycles on the array. */
  bestFigure: number | null;
  speedupVsDefault: number | null;
  bestConfig: Record<string, number | string> | null;
  seconds: number;
}

/**
 * Tunes one job with a fresh tuner (from its default point unless told not to), then frees the
 * tuner and closes the job's measurer.
 */
export async function tuneJob(core: Core, job: TuningJob, options: TuneJobOptions): Promise<TuneJobReport> {
  const tuner = createTuner(options.tuner, job.space, options.seed, core, { transfer: options.transfer?.samplesFor(job.space) });
  try {
    const result = await runTuning({
      workload: job.workload,
      space: job.space,
      measurer: job.measurer,
      tuner,
      trials: options.trials,
      batchSize: options.batchSize,
      earlyStopping: options.earlyStopping,
      seed: options.seed,
      initialPoints: options.fromDefault === false ? [] : [job.defaultPoint],
      previous: options.previous,
      onRecords: options.onRecords,
      onProgress: options.onProgress,
      shouldStop: options.shouldStop,
    });
    options.transfer?.add(tuner);
    options.onHistory?.(result.history);
    const defaultKey = pointKey(job.defaultPoint);
    const defaultCost = result.history.find((h) => pointKey(h.point) === defaultKey)?.cost ?? Number.NaN;
    const known = Number.isFinite(defaultCost);
    return {
      layer: job.name,
      shape: job.shape,
      workload: job.workload,
      trials: result.trials,
      replayed: result.replayed,
      unit: job.unit,
      defaultCost: known ? defaultCost : null,
      bestCost: result.best?.cost ?? null,
      bestFigure: result.best ? job.figure(result.best.cost) : null,
      speedupVsDefault: result.best && known ? defaultCost / result.best.cost : null,
      bestConfig: result.best?.knobs ?? null,
      seconds: result.seconds,
    };
  } finally {
    tuner.dispose?.();
    await job.close();
  }
}
