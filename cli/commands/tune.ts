// `mapwise tune`: flags, the log file, Ctrl-C and progress bars over the library's tune()
// (src/api/tune.ts); host candidates are timed in a worker thread it can stop at a time limit.
import type { CommandParts } from './lazy.js';
import { tune } from '../../src/api/tune.js';
import { GRAPH_SPEC_KINDS, modelSpecHelp } from '../../src/graph/model-spec.js';
import { loadModel } from '../../src/node/models.js';
import { WorkerMeasurer } from '../../src/node/measurer.js';
import { appendRecords, readRecords } from '../../src/node/records-file.js';
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
  transfer?: boolean;
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
      .option('redis', { type: 'string', describe: 'tune on the workers (`mapwise worker`) of this Redis, redis://… or rediss://…: they measure (host), or search whole layers side by side (simulated, without --transfer); records stay here' })
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
    const previous = argv.resume && argv.log ? readRecords(argv.log) : { records: [], warnings: [] };
    previous.warnings.forEach(message);
    const interrupt = listenForInterrupt();
    // One bar per layer, started when the layer's first progress comes (one for all when they run side by side).
    let bar: { layer: string; bar: ReturnType<typeof progressBar> } | undefined;
    let result: Awaited<ReturnType<typeof tune>>;
    try {
      result = await tune(graph, {
        target: argv.target,
        ...(argv.layer === undefined ? {} : { layer: argv.layer }),
        tuner: argv.tuner,
        trials: argv.trials,
        batchSize: argv['batch-size'],
        ...(argv['early-stopping'] === undefined ? {} : { earlyStopping: argv['early-stopping'] }),
        seed: argv.seed,
        ...(argv['dram-bytes-per-cycle'] === undefined ? {} : { dramBytesPerCycle: argv['dram-bytes-per-cycle'] }),
        previous: previous.records,
        transfer: argv.transfer ?? false,
        ...(argv.redis === undefined ? {} : { redis: argv.redis }),
        ...(argv.device === undefined ? {} : { device: argv.device }),
        hostMeasurer: (_core, space) => new WorkerMeasurer(space),
        ...(argv.log ? { onRecords: (records) => appendRecords(argv.log!, records) } : {}),
        stop: interrupt.requested,
        onProgress: (e) => {
          // Layers tuned side by side on workers share one bar.
          const layer = e.layer ?? 'all layers';
          if (bar?.layer !== layer) {
            bar?.bar.stop();
            bar = { layer, bar: e.layer === undefined ? progressBar(`${layer} ${argv.tuner}`, e.total) : progressBar(`${layer} ${argv.tuner}`, argv.trials, `best {best} ${e.unit ?? ''}`) };
          }
          if (e.layer === undefined) bar.bar.update(e.done);
          else bar.bar.update(e.layerDone ?? 0, { best: e.best === undefined ? '-' : e.best.toPrecision(4) });
        },
      });
    } finally {
      bar?.bar.stop();
      interrupt.release();
    }
    const { records: _, ...summary } = { ...result, log: argv.log ?? null };
    report(argv, summary, (s) =>
      table(
        ['layer', 'shape', 'trials', 'default cost', 'best cost', 'best', 'vs default', 'tuning s'],
        s.layers.map((l) => [l.layer, l.shape, l.trials, l.defaultCost ?? '-', l.bestCost ?? '-', l.bestFigure === null ? '-' : `${l.bestFigure.toPrecision(4)} ${l.unit}`, l.speedupVsDefault ?? '-', l.seconds]),
      ),
    );
  },
};
