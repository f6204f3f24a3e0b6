// `compile` for the host: tune the kernels of a model's heaviest layers for real on this
// machine, starting from (and compared with) each layer's default schedule.
import type { Core } from '../core/core.js';
import type { Graph } from '../graph/types.js';
import { modelTasks } from '../tune/graph-tasks.js';
import { type HistoryPoint, type Measurer, tune } from '../tune/loop.js';
import type { TuningRecord } from '../tune/records.js';
import { pointKey } from '../tune/search-space.js';
import { type Space, spaceFor } from '../tune/space/space.js';
import { describeShape, type Task, taskKey } from '../tune/space/task.js';
import { createTuner, type TunerName } from '../tune/tuners/index.js';

export interface HostCompileOptions {
  tuner: TunerName;
  /** Layers tuned: the distinct layers with the most FLOPs (counting repeats). */
  layers: number;
  trialsPerLayer: number;
  batchSize: number;
  seed: number;
  /** Runs candidates of one layer; Node gives a worker-thread measurer. */
  measurerFor: (space: Space) => Measurer & { close?: () => Promise<void> };
  previous?: readonly TuningRecord[];
  onRecords?: (records: TuningRecord[]) => void | Promise<void>;
  onLayer?: (task: Task, index: number, total: number) => void;
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
  layers: HostLayerResult[];
  /** Time of the tuned layers (each × its node count) with default and with tuned schedules. */
  defaultSeconds: number;
  tunedSeconds: number;
  interrupted: boolean;
}

export async function compileHost(core: Core, graph: Graph, options: HostCompileOptions): Promise<HostCompilation> {
  const chosen = modelTasks(graph)
    .sort((a, b) => b.task.flops * b.nodes.length - a.task.flops * a.nodes.length)
    .slice(0, options.layers);
  const layers: HostLayerResult[] = [];
  let interrupted = false;
  for (const [index, { task, nodes }] of chosen.entries()) {
    if (options.shouldStop?.()) {
      interrupted = true;
      break;
    }
    options.onLayer?.(task, index, chosen.length);
    const space = spaceFor(task);
    const measurer = options.measurerFor(space);
    const tuner = createTuner(options.tuner, space, options.seed, core);
    try {
      const defaultPoint = space.point(space.defaultConfig);
      const result = await tune({
        workload: `${taskKey(task)}@host`,
        space,
        measurer,
        tuner,
        trials: options.trialsPerLayer,
        batchSize: options.batchSize,
        seed: options.seed,
        initialPoints: [defaultPoint],
        previous: options.previous,
        onRecords: options.onRecords,
        onProgress: (p) => options.onTrials?.(index * options.trialsPerLayer + p.trials),
        shouldStop: options.shouldStop,
      });
      const defaultCost = result.history.find((h) => pointKey(h.point) === pointKey(defaultPoint))?.cost ?? Number.NaN;
      layers.push({
        layer: task.name,
        nodes: nodes.length,
        shape: describeShape(task.shape),
        workload: result.workload,
        flops: task.flops,
        defaultSeconds: Number.isFinite(defaultCost) ? defaultCost : null,
        bestSeconds: result.best?.cost ?? null,
        bestConfig: result.best?.knobs ?? null,
        trials: result.trials,
        tuningSeconds: result.seconds,
        history: result.history,
      });
    } finally {
      tuner.dispose?.();
      await measurer.close?.();
    }
  }
  const total = (pick: (l: HostLayerResult) => number | null): number => layers.reduce((s, l) => s + (pick(l) ?? 0) * l.nodes, 0);
  return {
    kind: 'host',
    tuner: options.tuner,
    layers,
    defaultSeconds: total((l) => l.defaultSeconds),
    tunedSeconds: total((l) => (l.bestSeconds === null ? l.defaultSeconds : Math.min(l.bestSeconds, l.defaultSeconds ?? Number.POSITIVE_INFINITY))),
    interrupted: interrupted || (options.shouldStop?.() ?? false),
  };
}
