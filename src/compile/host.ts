// `compile` for the host: tune the kernels of a model's heaviest layers for real on this
// machine, starting from (and compared with) each layer's default schedule.
import type { Core } from '../core/core.js';
import type { Graph } from '../graph/types.js';
import { endToEndLatency, type EndToEnd } from './end-to-end.js';
import { type TuningJob, tuneJob, tuningJobs } from '../tune/jobs.js';
import type { Measurer } from '../base/result.js';
import type { HistoryPoint } from '../tune/loop.js';
import type { TuningRecord } from '../tune/records.js';
import { TransferPool } from '../tune/transfer.js';
import type { Space } from '../tune/space/space.js';
import type { TunerName } from '../tune/tuners/index.js';

export interface HostCompileOptions {
  tuner: TunerName;
  /** Warm-start each layer's cost model from the layers tuned before it (autotvm, chameleon). */
  transfer: boolean;
  /** Layers tuned: the distinct layers with the most FLOPs (counting repeats). */
  layers: number;
  trialsPerLayer: number;
  batchSize: number;
  seed: number;
  /** Runs candidates of one layer; Node gives a worker-thread measurer. */
  measurerFor: (space: Space) => Measurer & { close?: () => void | Promise<void> };
  previous?: readonly TuningRecord[];
  /** Start each layer's search from the tuner's own points, without the untuned schedule (as the tuning papers do). */
  coldStart?: boolean;
  onRecords?: (records: TuningRecord[]) => void | Promise<void>;
  onLayer?: (layer: string, index: number, total: number) => void;
  onTrials?: (done: number) => void;
  shouldStop?: () => boolean;
}

export interface HostLayerResult {
  layer: string;
  nodes: number;
  shape: string;
  workload: string;
  flops: number;
  defaultSeconds: number | null;
  bestSeconds: number | null;
  bestConfig: Record<string, number | string> | null;
  trials: number;
  tuningSeconds: number;
  history: HistoryPoint[];
}

export interface HostCompilation {
  kind: 'host';
  tuner: TunerName;
  transfer: boolean;
  layers: HostLayerResult[];
  /** Time of the tuned layers (each × its node count) with default and with tuned schedules. */
  defaultSeconds: number;
  tunedSeconds: number;
  interrupted: boolean;
  /** The whole network run by the runtime with default and with the log's tuned kernels; the error when it cannot run. */
  endToEnd: EndToEnd | { error: string };
}

export async function compileHost(core: Core, graph: Graph, options: HostCompileOptions): Promise<HostCompilation> {
  const heaviest = (job: TuningJob): number => (job.flops ?? 0) * job.count;
  const chosen = tuningJobs(core, graph, 'host', { hostMeasurer: (_core, space) => options.measurerFor(space) })
    .sort((a, b) => heaviest(b) - heaviest(a))
    .slice(0, options.layers);
  const layers: HostLayerResult[] = [];
  // Every record of the log, to run the tuned network at the end.
  const log: TuningRecord[] = [...(options.previous ?? [])];
  const onRecords = async (records: TuningRecord[]): Promise<void> => {
    log.push(...records);
    await options.onRecords?.(records);
  };
  const transfer = options.transfer ? new TransferPool() : undefined;
  let interrupted = false;
  for (const [index, job] of chosen.entries()) {
    if (options.shouldStop?.()) {
      interrupted = true;
      break;
    }
    options.onLayer?.(job.name, index, chosen.length);
    let history: readonly HistoryPoint[] = [];
    const report = await tuneJob(core, job, {
      tuner: options.tuner,
      trials: options.trialsPerLayer,
      batchSize: options.batchSize,
      seed: options.seed,
      previous: options.previous,
      fromDefault: !options.coldStart,
      transfer,
      onRecords,
      onProgress: (p) => options.onTrials?.(index * options.trialsPerLayer + p.trials),
      shouldStop: options.shouldStop,
      onHistory: (h) => (history = h),
    });
    layers.push({
      layer: report.layer,
      nodes: job.count,
      shape: report.shape,
      workload: report.workload,
      flops: job.flops!,
      defaultSeconds: report.defaultCost,
      bestSeconds: report.bestCost,
      bestConfig: report.bestConfig,
      trials: report.trials,
      tuningSeconds: report.seconds,
      history: [...history],
    });
  }
  let endToEnd: HostCompilation['endToEnd'];
  try {
    endToEnd = await endToEndLatency(graph, log);
  } catch (e) {
    endToEnd = { error: (e as Error).message };
  }
  const total = (pick: (l: HostLayerResult) => number | null): number => layers.reduce((s, l) => s + (pick(l) ?? 0) * l.nodes, 0);
  return {
    kind: 'host',
    tuner: options.tuner,
    transfer: options.transfer,
    layers,
    defaultSeconds: total((l) => l.defaultSeconds),
    tunedSeconds: total((l) => (l.bestSeconds === null ? l.defaultSeconds : Math.min(l.bestSeconds, l.defaultSeconds ?? Number.POSITIVE_INFINITY))),
    interrupted: interrupted || (options.shouldStop?.() ?? false),
    endToEnd,
  };
}
