import type { CommandParts } from './lazy.js';
import { ZOO_ENTRIES } from '../../src/graph/zoo/entries.js';
import { ZOO_TOTALS } from '../../src/graph/zoo/generated/totals.js';
import { report, table } from '../output.js';

interface ZooArgs {
  json?: boolean;
}

// The graphs' totals come from the generated table (kept equal to the built graphs by
// test/graph/zoo.test.ts), so listing the zoo builds no graph.
export const zooCommand: CommandParts<ZooArgs> = {
  handler: (argv) => {
    const models = ZOO_ENTRIES.map((e) => ({
      name: e.name,
      description: e.description,
      size: e.size ?? null,
      minSize: e.minSize ?? null,
      ...ZOO_TOTALS[e.name]!,
      publishedParams: e.params,
      publishedMacs: e.macs ?? null,
      source: e.source,
    }));
    report(argv, { models }, (r) =>
      table(
        ['name', 'nodes', 'params', 'GMACs', 'published GMACs', 'size', 'min size', 'description'],
        r.models.map((m) => [
          m.name, m.nodes, m.params, (m.macs / 1e9).toFixed(3), m.publishedMacs === null ? '-' : (m.publishedMacs / 1e9).toFixed(3),
          m.size ?? 'fixed', m.minSize ?? '-', m.description,
        ]),
      ),
    );
  },
};
