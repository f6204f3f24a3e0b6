// Tuning jobs for the CLI and the benchmarks: each distinct layer of a model with its knob
// space and a measurer, on the host (real kernels in a worker thread) or the simulated array.
import type { Core } from '../core/core.js';
import type { Graph } from '../graph/types.js';
import { parseSystolicTargetSpec, systolicTarget } from '../hw/systolic.js';
import { modelTasks } from '../tune/graph-tasks.js';
import type { Measurer } from '../tune/loop.js';
import type { SearchSpace } from '../tune/search-space.js';
import { spaceFor } from '../tune/space/space.js';
import { describeShape, taskKey } from '../tune/space/task.js';
import { systolicTasks } from '../tune/systolic-tasks.js';
import { WorkerMeasurer } from './measurer.js';

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

/** The distinct layers of a model as tuning jobs on `host` or `systolic[:preset]`. */
export function tuningJobs(core: Core, graph: Graph, target: string, dramBytesPerCycle?: number): TuningJob[] {
  if (target === 'host') {
    return modelTasks(graph).map(({ task, nodes }) => {
      const space = spaceFor(task);
      const measurer = new WorkerMeasurer(space);
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
        close: () => measurer.close(),
      };
    });
  }
  if (target.startsWith('systolic')) {
    const config = systolicTarget({}, parseSystolicTargetSpec(target));
    return systolicTasks(core, graph, config, dramBytesPerCycle ?? config.bandwidthWordsPerCycle).map((t) => ({
      ...t,
      defaultPoint: t.space.defaultPoint,
      figure: (cycles) => cycles,
      unit: 'cycles',
      close: async () => {},
    }));
  }
  throw new Error(`--target ${target}: expected host or systolic[:google|eyeriss|scale]`);
}
