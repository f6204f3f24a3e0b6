// Graph IR → scheduling problem. Parameters and activations are counted in elements and
// re-sized by the target's bytes per weight (int8 on an Edge TPU), whatever dtype the model
// file stored them in. The graph's own input tensors are not nodes and are not charged.
import type { Graph } from '../graph/index.js';
import { elementCount } from '../graph/index.js';
import type { PipelineTarget } from '../hw/pipeline.js';
import { buildProblem, type ScheduleNode, type ScheduleProblem } from './problem.js';

export function scheduleNodesOf(graph: Graph): ScheduleNode[] {
  const preds: Set<number>[] = graph.nodes.map(() => new Set<number>());
  for (const edge of graph.edges) preds[edge.to]!.add(edge.from);
  return graph.nodes.map((node, v) => ({
    name: node.name,
    macs: node.macs,
    paramCount: node.params,
    outputElements: node.outputs.reduce((sum, o) => sum + elementCount(o.shape), 0),
    preds: [...preds[v]!].sort((a, b) => a - b),
  }));
}

export function problemFromGraph(graph: Graph, target: PipelineTarget): ScheduleProblem {
  return buildProblem(scheduleNodesOf(graph), target);
}
