import type { CommandParts } from './lazy.js';
import { zooModels } from '../../src/api/zoo.js';
import { report, table } from '../output.js';

interface ZooArgs {
  json?: boolean;
}

export const zooCommand: CommandParts<ZooArgs> = {
  handler: (argv) => {
    const models = zooModels();
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
