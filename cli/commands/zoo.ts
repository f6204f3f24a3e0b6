import type { CommandParts } from './lazy.js';
import { totals } from '../../src/graph/analysis.js';
import { ZOO } from '../../src/graph/zoo/index.js';
import { report, table } from '../output.js';

interface ZooArgs {
  json?: boolean;
}

export const zooCommand: CommandParts<ZooArgs> = {
  handler: (argv) => {
    const models = ZOO.map((e) => {
      const t = totals(e.build());
      return {
        name: e.name,
        description: e.description,
        nodes: t.nodes,
        params: t.params,
        paramBytes: t.paramBytes,
        macs: t.macs,
        peakActivationBytes: t.peakActivationBytes,
        publishedParams: e.params,
        publishedMacs: e.macs ?? null,
        source: e.source,
      };
    });
    report(argv, { models }, (r) =>
      table(
        ['name', 'nodes', 'params', 'GMACs', 'published GMACs', 'description'],
        r.models.map((m) => [m.name, m.nodes, m.params, (m.macs / 1e9).toFixed(3), m.publishedMacs === null ? '-' : (m.publishedMacs / 1e9).toFixed(3), m.description]),
      ),
    );
  },
};
