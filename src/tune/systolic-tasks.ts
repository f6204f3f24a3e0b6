// Tuning tasks of a model on the simulated systolic accelerator: the mapping of each distinct
// layer (tile splits, loop order, double buffering), judged by the simulator in cycles.
import type { Core } from '../core/core.js';
import type { Graph } from '../graph/types.js';
import type { SystolicConfig } from '../sim/types.js';
import { graphTopology } from '../sim/from-graph.js';
import { MappingModel, type MappingTarget } from '../sim/mapping.js';
import { MappingMeasurer, MappingSpace } from '../sim/mapping-space.js';
import { Simulator } from '../sim/simulate.js';

export interface SystolicTask {
  name: string;
  shape: string;
  /** Nodes of the model with this layer shape. */
  count: number;
  workload: string;
  space: MappingSpace;
  measurer: MappingMeasurer;
}

export function systolicTasks(core: Core, graph: Graph, config: SystolicConfig, dramBytesPerCycle: number): SystolicTask[] {
  const model = new MappingModel(new Simulator(core));
  const target: MappingTarget = { config, dramBytesPerCycle };
  const byShape = new Map<string, SystolicTask>();
  for (const layer of graphTopology(graph).layers) {
    const shape = `${layer.channels}x${layer.ifmapHeight}x${layer.ifmapWidth} k${layer.filterHeight}x${layer.filterWidth} s${layer.strideHeight} -> ${layer.numFilters}`;
    const existing = byShape.get(shape);
    if (existing) {
      existing.count++;
      continue;
    }
    const space = new MappingSpace(model, target, layer);
    const array = `${config.rows}x${config.cols}:${config.ifmapSramKiB}/${config.filterSramKiB}/${config.ofmapSramKiB}KiB:${config.dataflow}:bw${dramBytesPerCycle}`;
    byShape.set(shape, { name: layer.name, shape, count: 1, workload: `mapping:${shape.replace(/ /g, '')}@systolic:${array}`, space, measurer: new MappingMeasurer(space) });
  }
  return [...byShape.values()];
}
