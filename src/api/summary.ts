// `modelSummary(graph)`: a graph's totals and one row per node, what `mapwise import` prints.
// Apart from the facades so that the command loads no more than the graph it reads.
import { totals } from '../graph/analysis.js';
import type { Graph } from '../graph/types.js';

/** One node of a model summary: its op, shapes and figures. */
export interface LayerRow {
  name: string;
  op: string;
  inputShapes: number[][];
  outputShape: number[];
  params: number;
  paramBytes: number;
  macs: number;
  outputBytes: number;
}

export function modelSummary(graph: Graph) {
  const t = totals(graph);
  const layers: LayerRow[] = graph.nodes.map((n) => ({
    name: n.name,
    op: n.op,
    inputShapes: n.inputs.filter((i) => i?.kind === 'activation').map((i) => [...i!.shape]),
    outputShape: [...n.outputs[0]!.shape],
    params: n.params,
    paramBytes: n.paramBytes,
    macs: n.macs,
    outputBytes: n.outputBytes,
  }));
  return {
    name: graph.name,
    nodes: t.nodes,
    edges: t.edges,
    opCounts: t.opCounts,
    params: t.params,
    paramBytes: t.paramBytes,
    macs: t.macs,
    peakActivationBytes: t.peakActivationBytes,
    inputs: graph.inputs.map((i) => ({ name: i.name, shape: [...i.shape], dtype: i.dtype })),
    outputs: [...graph.outputs],
    layers,
  };
}
