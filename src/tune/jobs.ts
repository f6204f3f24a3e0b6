// Tuning jobs: each distinct layer of a model with its knob space and a measurer, on the host
// (real kernels) or on the simulated systolic array (layer mappings). Shared by the CLI, the
// benchmarks and the library's `tune`.
import type { Core } from '../core/core.js';
import type { Graph } from '../graph/types.js';
import { parseSystolicTargetSpec, systolicTarget } from '../hw/systolic.js';
import { modelTasks } from './graph-tasks.js';
import type { Measurer } from './loop.js';
import type { SearchSpace } from './search-space.js';
import { type Space, spaceFor } from './space/space.js';
import { describeShape, taskKey } from './space/task.js';
import { systolicTasks } from './systolic-tasks.js';

export interface TuningJob {
  name: string;
  shape: string;
  count: number;
  workload: string;
  space: SearchSpace;
  measurer: Measurer;
  /** SCALE-Sim's mapping, or the kernel's default schedule: what tuning is compared with. */
  defaultPoint: readonly number[];
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
        defaultPoint: space.point(space.defaultConfig),
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
