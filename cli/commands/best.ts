import type { CommandParts } from './lazy.js';
import { readRecords } from '../../src/node/records-file.js';
import { bestPerWorkload } from '../../src/tune/records.js';
import { resultCost } from '../../src/base/result.js';
import { message, report, table } from '../output.js';

interface BestArgs {
  log: string;
  json?: boolean;
}

export const bestCommand: CommandParts<BestArgs> = {
  builder: (y) =>
    y
      .positional('log', { type: 'string', demandOption: true, describe: 'JSON-lines log written by `mapwise tune --log`' })
      .example('$0 best r18.jsonl --json', 'best config per layer as JSON'),
  handler: async (argv) => {
    const { records, warnings } = readRecords(argv.log);
    warnings.forEach(message);
    if (records.length === 0) throw new Error(`${argv.log}: no records (missing or empty file)`);
    const best = [...bestPerWorkload(records).values()].map((r) => ({
      workload: r.workload,
      tuner: r.tuner,
      cost: resultCost(r.result),
      config: r.config.knobs ?? null,
      point: r.config.point,
      trials: records.filter((x) => x.workload === r.workload).length,
    }));
    report(argv, { log: argv.log, records: records.length, workloads: best }, (result) =>
      table(
        ['workload', 'tuner', 'trials', 'best cost', 'config'],
        result.workloads.map((w) => [w.workload, w.tuner, w.trials, w.cost, JSON.stringify(w.config ?? w.point)]),
      ),
    );
  },
};
