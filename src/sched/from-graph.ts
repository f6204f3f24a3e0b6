// Graph IR → scheduling problem. What is scheduled is the graph the device runs
// (deploymentGraph: BatchNorm folded, ReLU/ReLU6 fused, Identity and Dropout gone), so every form
// of one network — zoo, ONNX with or without folded BatchNorm — gives the same problem.
// Parameters and activations are counted in elements and re-sized by the target's bytes per
// weight (int8 on an Edge TPU), whatever dtype the model file stored them in. The graph's own
// inputs are sent by the host to the stage of their first reader (hostInputElements).
import type { Graph, GraphNode } from '../graph/index.js';
import { deploymentGraph, elementCount } from '../graph/index.js';
import type { PipelineTarget } from '../hw/pipeline.js';
import { buildProblem, type ScheduleNode, type ScheduleProblem } from './problem.js';

/** Width of the Edge TPU's MAC array: output channels map to its 64 columns. */
export const ARRAY_COLUMNS = 64;

/**
 * MACs the array spends on a node: a convolution's output channels are rounded up to a
 * multiple of the array's width (a 32-channel layer leaves half the columns idle); other ops
 * as counted.
 */
export function arrayMacsOf(node: GraphNode): number {
  const weight = node.inputs[1];
  if (node.op !== 'Conv' || !weight || weight.kind !== 'weight' || node.macs === 0) return node.macs;
  const channels = weight.shape[0]!;
  return (node.macs * Math.ceil(channels / ARRAY_COLUMNS) * ARRAY_COLUMNS) / channels;
}

/** Depthwise (grouped) convolutions and fully connected layers use each weight little. */
export function isLowReuse(node: GraphNode): boolean {
  if (node.op === 'Gemm' || node.op === 'MatMul') return true;
  const group = node.attributes['group'];
  return node.op === 'Conv' && typeof group === 'number' && group > 1;
}

export function scheduleNodesOf(graph: Graph): ScheduleNode[] {
  const preds: Set<number>[] = graph.nodes.map(() => new Set<number>());
  for (const edge of graph.edges) preds[edge.to]!.add(edge.from);
  const inputs = new Map(graph.inputs.map((t) => [t.name, elementCount(t.shape)]));
  const firstReader = new Map<string, number>();
  graph.nodes.forEach((node, v) => {
    for (const i of node.inputs) if (i?.kind === 'activation' && inputs.has(i.name) && !firstReader.has(i.name)) firstReader.set(i.name, v);
  });
  const hostInput = new Float64Array(graph.nodes.length);
  for (const [name, v] of firstReader) hostInput[v]! += inputs.get(name)!;
  return graph.nodes.map((node, v) => ({
    name: node.name,
    macs: node.macs,
    arrayMacs: arrayMacsOf(node),
    lowReuse: isLowReuse(node),
    hostInputElements: hostInput[v]!,
    paramCount: node.params,
    outputElements: node.outputs.reduce((sum, o) => sum + elementCount(o.shape), 0),
    preds: [...preds[v]!].sort((a, b) => a - b),
  }));
}

/** The problem of the graph's deployment form on `target`. */
export function problemFromGraph(graph: Graph, target: PipelineTarget): ScheduleProblem {
  return buildProblem(scheduleNodesOf(deploymentGraph(graph)), target);
}
