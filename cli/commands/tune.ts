import type { CommandModule } from 'yargs';
import { getCore } from '../../src/core/load.js';
import { loadModel } from '../../src/node/models.js';
import { WorkerMeasurer } from '../../src/node/measurer.js';
import { appendRecords, readRecords } from '../../src/node/records-file.js';
import { modelTasks } from '../../src/tune/graph-tasks.js';
import { tune, type TuneResult } from '../../src/tune/loop.js';
import { spaceFor } from '../../src/tune/space/space.js';
import { describeShape, taskKey } from '../../src/tune/space/task.js';
import { createTuner, TUNER_NAMES, type TunerName } from '../../src/tune/tuners/index.js';
import { message, report, table } from '../output.js';
import { progressBar } from '../progress.js';

interface TuneArgs {
  model: string;
  layer?: number;
  all?: boolean;
  target: string;
  tuner: TunerName;
  trials: number;
  batchSize: number;
  earlyStopping?: number;
  log?: string;
  seed: number;
  resume?: boolean;
  json?: boolean;
}

export const tuneCommand: CommandModule<object, TuneArgs> = {
  command: 'tune <model>',
  describe: "Tune the kernels of a model's layers with a search strategy, logging every trial",
  builder: (y) =>
    y
      .positional('model', { type: 'string', demandOption: true, describe: 'zoo name or ONNX file' })
      .option('layer', { type: 'number', describe: 'index of the one layer to tune (see `mapwise tune MODEL --layer -1` for the list)' })
      .option('all', { type: 'boolean', describe: 'tune every distinct layer (the default when --layer is not given)' })
      .option('target', { type: 'string', default: 'host', describe: 'host: real kernels in WebAssembly on this machine' })
      .option('tuner', { choices: TUNER_NAMES, default: 'autotvm' as TunerName, describe: 'search strategy' })
      .option('trials', { type: 'number', default: 256, describe: 'measurements per layer (counting resumed ones)' })
      .option('batch-size', { type: 'number', default: 64, describe: 'measurements per batch' })
      .option('early-stopping', { type: 'number', describe: 'stop a layer after this many trials without a better one' })
      .option('log', { type: 'string', describe: 'append every trial to this JSON-lines file' })
      .option('seed', { type: 'number', default: 1 })
      .option('resume', { type: 'boolean', describe: 'replay --log first and continue where it stopped' })
      .conflicts('layer', 'all')
      .check((argv) => {
        if (argv.resume && !argv.log) throw new Error('--resume needs --log FILE');
        if (!Number.isInteger(argv.trials) || argv.trials < 1) throw new Error(`--trials must be a positive integer, got ${argv.trials}`);
        const batchSize = argv['batch-size'];
        if (!Number.isInteger(batchSize) || Number(batchSize) < 1) throw new Error(`--batch-size must be a positive integer, got ${batchSize}`);
        return true;
      })
      .example('$0 tune resnet18convs --layer 0 --tuner chameleon --trials 128 --log r18.jsonl', 'tune one layer with Chameleon')
      .example('$0 tune resnet18convs --all --log r18.jsonl --resume', 'continue an interrupted run') as never, // yargs' types miss the camelCase aliases
  handler: async (argv) => {
    if (argv.target !== 'host') throw new Error(`--target ${argv.target}: only 'host' is tunable with \`mapwise tune\` so far (the systolic mapping space is in progress)`);
    const graph = await loadModel(argv.model);
    const tasks = modelTasks(graph);
    if (tasks.length === 0) throw new Error(`${argv.model}: no convolution or dense layer to tune`);
    if (argv.layer !== undefined && (!Number.isInteger(argv.layer) || argv.layer < 0 || argv.layer >= tasks.length)) {
      const list = tasks.map((t, i) => `  ${i}: ${t.task.name} (${describeShape(t.task.shape)}, ${t.nodes.length} node${t.nodes.length > 1 ? 's' : ''})`).join('\n');
      throw new Error(`--layer ${argv.layer}: choose one of the ${tasks.length} distinct layers of ${graph.name}:\n${list}`);
    }
    const chosen = argv.layer === undefined ? tasks : [tasks[argv.layer]!];
    const previous = argv.resume && argv.log ? readRecords(argv.log) : { records: [], warnings: [] };
    previous.warnings.forEach(message);
    const core = await getCore();

    let interrupted = false;
    const onSigint = (): void => {
      interrupted = true;
      message('stopping after the current batch; the log can be resumed with --resume');
    };
    process.once('SIGINT', onSigint);
    const results: (TuneResult & { layer: string; shape: string; gflops: number })[] = [];
    try {
      for (const { task } of chosen) {
        if (interrupted) break;
        const space = spaceFor(task);
        const measurer = new WorkerMeasurer(space);
        const bar = progressBar(`${task.name} ${argv.tuner}`, argv.trials, 'best {best} GFLOP/s');
        try {
          const result = await tune({
            workload: `${taskKey(task)}@host`,
            space,
            measurer,
            tuner: createTuner(argv.tuner, space, argv.seed, core),
            trials: argv.trials,
            batchSize: argv.batchSize,
            earlyStopping: argv.earlyStopping,
            seed: argv.seed,
            previous: previous.records,
            onRecords: argv.log ? (records) => appendRecords(argv.log!, records) : undefined,
            onProgress: (p) => bar.update(p.trials, { best: Number.isFinite(p.bestCost) ? (task.flops / p.bestCost / 1e9).toFixed(2) : '-' }),
            shouldStop: () => interrupted,
          });
          results.push({ ...result, layer: task.name, shape: describeShape(task.shape), gflops: result.best ? task.flops / result.best.cost / 1e9 : 0 });
        } finally {
          bar.stop();
          await measurer.close();
        }
      }
    } finally {
      process.off('SIGINT', onSigint);
    }
    const summary = {
      model: graph.name,
      target: 'host',
      tuner: argv.tuner,
      seed: argv.seed,
      log: argv.log ?? null,
      interrupted,
      layers: results.map((r) => ({
        layer: r.layer,
        workload: r.workload,
        shape: r.shape,
        trials: r.trials,
        replayed: r.replayed,
        bestSeconds: r.best?.cost ?? null,
        bestGflops: r.gflops,
        bestConfig: r.best?.knobs ?? null,
        seconds: r.seconds,
      })),
    };
    report(argv, summary, (s) =>
      table(
        ['layer', 'shape', 'trials', 'best ms', 'GFLOP/s', 'tuning s'],
        s.layers.map((l) => [l.layer, l.shape, l.trials, l.bestSeconds === null ? '-' : l.bestSeconds * 1000, l.bestGflops, l.seconds]),
      ),
    );
  },
};
