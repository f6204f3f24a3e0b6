import type { CommandParts } from './lazy.js';
import { getCore } from '../../src/core/load.js';
import { GRAPH_SPEC_KINDS, modelSpecHelp } from '../../src/graph/model-spec.js';
import { loadModel } from '../../src/node/models.js';
import { appendRecords, readRecords } from '../../src/node/records-file.js';
import { tuningJobs } from '../../src/node/tuning-jobs.js';
import { type TuneJobReport, tuneJob } from '../../src/tune/jobs.js';
import { TransferPool } from '../../src/tune/transfer.js';
import { TUNER_NAMES, type TunerName } from '../../src/tune/tuners/index.js';
import { message, report, table } from '../output.js';
import { listenForInterrupt } from '../interrupt.js';
import { progressBar } from '../progress.js';

interface TuneArgs {
  model: string;
  layer?: number;
  all?: boolean;
  target: string;
  tuner: TunerName;
  trials: number;
  'batch-size': number;
  'early-stopping'?: number;
  log?: string;
  'dram-bytes-per-cycle'?: number;
  seed: number;
  resume?: boolean;
  redis?: string;
  device?: string;
  json?: boolean;
}

export const tuneCommand: CommandParts<TuneArgs> = {
  builder: (y) =>
    y
      .positional('model', { type: 'string', demandOption: true, describe: modelSpecHelp(GRAPH_SPEC_KINDS) })
      .option('layer', { type: 'number', describe: 'index of the one layer to tune (see `mapwise tune MODEL --layer -1` for the list)' })
      .option('all', { type: 'boolean', describe: 'tune every distinct layer (the default when --layer is not given)' })
      .option('target', { type: 'string', default: 'host', describe: 'host: real kernels in WebAssembly on this machine; systolic[:google|eyeriss|scale]: layer mappings on the simulated array' })
      .option('dram-bytes-per-cycle', { type: 'number', describe: 'systolic: DRAM bandwidth in bytes per cycle (default: the preset\'s Bandwidth)' })
      .option('tuner', { choices: TUNER_NAMES, default: 'autotvm' as TunerName, describe: 'search strategy' })
      .option('trials', { type: 'number', default: 256, describe: 'measurements per layer (counting resumed ones)' })
      .option('batch-size', { type: 'number', default: 64, describe: 'measurements per batch' })
      .option('early-stopping', { type: 'number', describe: 'stop a layer after this many trials without a better one' })
      .option('log', { type: 'string', describe: 'append every trial to this JSON-lines file' })
      .option('seed', { type: 'number', default: 1 })
      .option('resume', { type: 'boolean', describe: 'replay --log first and continue where it stopped' })
      .option('transfer', { type: 'boolean', describe: 'autotvm, chameleon: start each layer\'s cost model from the measurements of the layers tuned before it' })
      .option('redis', { type: 'string', describe: 'measure on the workers (`mapwise worker`) of this Redis, redis://… or rediss://…; search and records stay here' })
      .option('device', { type: 'string', describe: 'with --redis, host: the device key of the workers to measure on (default: this machine\'s)' })
      .conflicts('layer', 'all')
      .check((argv) => {
        if (argv.resume && !argv.log) throw new Error('--resume needs --log FILE');
        if (argv.device !== undefined && !argv.redis) throw new Error('--device needs --redis URL');
        if (argv.transfer && argv.tuner !== 'autotvm' && argv.tuner !== 'chameleon') throw new Error(`--transfer needs a tuner with a cost model (autotvm or chameleon), not ${argv.tuner}`);
        if (!Number.isInteger(argv.trials) || argv.trials < 1) throw new Error(`--trials must be a positive integer, got ${argv.trials}`);
        const batchSize = argv['batch-size'];
        if (!Number.isInteger(batchSize) || Number(batchSize) < 1) throw new Error(`--batch-size must be a positive integer, got ${batchSize}`);
        return true;
      })
      .example('$0 tune resnet18convs --layer 0 --tuner chameleon --trials 128 --log r18.jsonl', 'tune one layer with Chameleon')
      .example('$0 tune resnet18convs --all --log r18.jsonl --resume', 'continue an interrupted run')
      .example('$0 tune alexnetconvs --target systolic:eyeriss --tuner autotvm --trials 200', 'map AlexNet\'s layers onto an Eyeriss-like array') as never, // yargs' types miss the camelCase aliases
  handler: async (argv) => {
    const graph = await loadModel(argv.model);
    const core = await getCore();
    const jobs = tuningJobs(core, graph, argv.target, argv['dram-bytes-per-cycle']);
    if (jobs.length === 0) throw new Error(`${argv.model}: no convolution or dense layer to tune`);
    if (argv.layer !== undefined && (!Number.isInteger(argv.layer) || argv.layer < 0 || argv.layer >= jobs.length)) {
      const list = jobs.map((j, i) => `  ${i}: ${j.name} (${j.shape}, ${j.count} node${j.count > 1 ? 's' : ''})`).join('\n');
      throw new Error(`--layer ${argv.layer}: choose one of the ${jobs.length} distinct layers of ${graph.name}:\n${list}`);
    }
    const local = argv.layer === undefined ? jobs : [jobs[argv.layer]!];
    // BullMQ loads only for --redis runs.
    // The bar counts remote trials as each job comes back, not only when its batch is whole.
    let trials = { logged: 0, remote: 0, show: (_done: number): void => {} };
    const remote = argv.redis
      ? await (await import('../../src/node/dist/coordinator.js')).Coordinator.connect({
          redis: argv.redis,
          device: argv.device,
          onJob: (job) => trials.show(trials.logged + (trials.remote += 'points' in job ? job.points.length : 0)),
        })
      : undefined;
    const chosen = remote ? remote.distribute(local, { tuner: argv.tuner, seed: argv.seed }) : local;
    const previous = argv.resume && argv.log ? readRecords(argv.log) : { records: [], warnings: [] };
    previous.warnings.forEach(message);

    const interrupt = listenForInterrupt();
    const transfer = argv.transfer ? new TransferPool() : undefined;
    const layers: TuneJobReport[] = [];
    try {
      for (const job of chosen) {
        if (interrupt.requested()) break;
        const bar = progressBar(`${job.name} ${argv.tuner}`, argv.trials, `best {best} ${job.unit}`);
        trials = { logged: 0, remote: 0, show: (done) => bar.update(Math.min(done, argv.trials)) };
        try {
          layers.push(
            await tuneJob(core, job, {
              tuner: argv.tuner,
              trials: argv.trials,
              batchSize: argv['batch-size'],
              earlyStopping: argv['early-stopping'],
              seed: argv.seed,
              previous: previous.records,
              transfer,
              onRecords: argv.log ? (records) => appendRecords(argv.log!, records) : undefined,
              onProgress: (p) => {
                trials = { ...trials, logged: p.trials, remote: 0 };
                bar.update(p.trials, { best: Number.isFinite(p.bestCost) ? job.figure(p.bestCost).toPrecision(4) : '-' });
              },
              shouldStop: interrupt.requested,
            }),
          );
        } finally {
          bar.stop();
        }
      }
    } finally {
      interrupt.release();
      await remote?.close();
    }
    const summary = { model: graph.name, target: argv.target, tuner: argv.tuner, seed: argv.seed, transfer: argv.transfer ?? false, log: argv.log ?? null, interrupted: interrupt.requested(), layers };
    report(argv, summary, (s) =>
      table(
        ['layer', 'shape', 'trials', 'default cost', 'best cost', 'best', 'vs default', 'tuning s'],
        s.layers.map((l) => [l.layer, l.shape, l.trials, l.defaultCost ?? '-', l.bestCost ?? '-', l.bestFigure === null ? '-' : `${l.bestFigure.toPrecision(4)} ${l.unit}`, l.speedupVsDefault ?? '-', l.seconds]),
      ),
    );
  },
};
