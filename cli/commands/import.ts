import type { CommandParts } from './lazy.js';
import { totals } from '../../src/graph/analysis.js';
import type { Graph } from '../../src/graph/types.js';
import { GRAPH_SPEC_KINDS, modelSpecHelp } from '../../src/graph/model-spec.js';
import { loadModel } from '../../src/node/models.js';
import { formatNumber, report, table } from '../output.js';

interface ImportArgs {
  model: string;
  json?: boolean;
}

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

/** The summary `mapwise import` prints: totals and one row per node. */
export function modelSummary(graph: Graph, loadMs: number) {
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
    loadMs: Math.round(loadMs * 10) / 10,
    layers,
  };
}

export const importCommand: CommandParts<ImportArgs> = {
  builder: (y) => y.positional('model', { type: 'string', demandOption: true, describe: modelSpecHelp(GRAPH_SPEC_KINDS) }) as never,
  handler: async (argv) => {
    const start = performance.now();
    const graph = await loadModel(argv.model);
    const summary = modelSummary(graph, performance.now() - start);
    report(argv, summary, (s) =>
      [
        `${s.name}: ${formatNumber(s.nodes)} nodes, ${formatNumber(s.edges)} edges (read in ${s.loadMs} ms)`,
        table(
          ['total', 'value'],
          [
            ['parameters', s.params],
            ['parameter bytes', s.paramBytes],
            ['MACs', s.macs],
            ['peak activation bytes', s.peakActivationBytes],
            ['ops', Object.entries(s.opCounts).map(([op, n]) => `${op} ${n}`).join(', ')],
          ],
        ),
        '',
        table(
          ['#', 'layer', 'op', 'inputs', 'output', 'params', 'MACs'],
          s.layers.map((l, i) => [i, l.name, l.op, l.inputShapes.map((sh) => sh.join('x')).join(' '), l.outputShape.join('x'), l.params, l.macs]),
        ),
      ].join('\n'),
    );
  },
};
