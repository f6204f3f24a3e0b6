import type { CommandParts } from './lazy.js';
import { modelSummary } from '../../src/api/summary.js';
import { GRAPH_SPEC_KINDS, modelSpecHelp } from '../../src/graph/model-spec.js';
import { loadModel } from '../../src/node/models.js';
import { formatNumber, report, table } from '../output.js';

interface ImportArgs {
  model: string;
  json?: boolean;
}

export const importCommand: CommandParts<ImportArgs> = {
  builder: (y) => y.positional('model', { type: 'string', demandOption: true, describe: modelSpecHelp(GRAPH_SPEC_KINDS) }) as never,
  handler: async (argv) => {
    const start = performance.now();
    const graph = await loadModel(argv.model);
    const summary = { ...modelSummary(graph), loadMs: Math.round((performance.now() - start) * 10) / 10 };
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
