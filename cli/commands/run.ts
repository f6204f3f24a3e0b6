import { readFile, writeFile } from 'node:fs/promises';
import type { CommandParts } from './lazy.js';
import { infer, INFER_DEFAULTS } from '../../src/api/infer.js';
import { readModelFile } from '../../src/node/model-file.js';
import { readNpy, writeNpy } from '../../src/run/npy.js';
import type { Flavour } from '../../src/core/flavour.js';
import { message, report, table } from '../output.js';

interface RunArgs {
  model: string;
  input?: string;
  random?: boolean;
  seed?: number;
  output?: string;
  records?: string;
  repeat: number;
  threads: number;
  flavour?: Flavour;
  json?: boolean;
}

export const runCommand: CommandParts<RunArgs> = {
  builder: (y) =>
    y
      .positional('model', { type: 'string', demandOption: true, describe: 'path to an .onnx file with weights (initializers or external data beside it)' })
      .option('input', { type: 'string', describe: 'the input as a NumPy .npy file (float32, C order, the model input\'s shape)' })
      .option('random', { type: 'boolean', describe: 'a seeded random input in [-1, 1) (the default without --input)' })
      .option('seed', { type: 'number', describe: `seed of the random input (default ${INFER_DEFAULTS.seed})` })
      .option('output', { type: 'string', describe: 'write the first output as a NumPy .npy file' })
      .option('records', { type: 'string', describe: 'a tuning log (tune / compile --target host): matching layers run their best configuration' })
      .option('repeat', { type: 'number', default: 10, describe: `timed runs after one warm-up (the library's infer: ${INFER_DEFAULTS.repeat}; a command line times several)` })
      .option('threads', { type: 'number', default: 1, describe: 'threads the heavy kernels split across (the threaded build of the flavour)' })
      .option('flavour', { type: 'string', choices: ['relaxed', 'simd', 'debug'], describe: 'the core flavour (default: the best this engine accepts; with --threads > 1 its threaded build)' })
      .conflicts('input', 'random')
      .example('$0 run test/fixtures/runtime/shufflenet_v2_x0_5_external.onnx --repeat 20 --json', 'classify a random image, timing 20 runs')
      .check((a) => {
        if (!Number.isInteger(a.repeat) || a.repeat < 1) return `--repeat must be an integer ≥ 1, got ${a.repeat}`;
        if (!Number.isInteger(a.threads) || a.threads < 1) return `--threads must be an integer ≥ 1, got ${a.threads}`;
        return true;
      }) as never,
  handler: async (argv) => {
    const file = await readModelFile(argv.model);
    const records = argv.records === undefined ? undefined : await readFile(argv.records, 'utf8');
    // The session checks the array's shape against the model's input.
    const input = argv.input ? readNpy(new Uint8Array(await readFile(argv.input)), argv.input).data : undefined;
    const { report: result, data } = await infer(file.bytes, {
      source: file.source,
      readExternal: file.readExternal,
      ...(records !== undefined ? { records } : {}),
      ...(argv.flavour ? { flavour: argv.flavour } : {}),
      ...(input ? { input } : {}),
      ...(argv.seed !== undefined ? { seed: argv.seed } : {}),
      repeat: argv.repeat,
      threads: argv.threads,
    });
    if (result.threads < argv.threads) message(`--threads ${argv.threads}: this runtime has no shared memory for threads; ran on 1`);
    if (argv.output) {
      const first = result.outputs[0]!;
      await writeFile(argv.output, writeNpy(data[first.name]!.data, first.shape));
      message(`wrote ${argv.output} (${first.name}, [${first.shape.join(', ')}])`);
    }
    report(argv, result, (r) =>
      [
        `${r.model}: created in ${r.createMs} ms (${r.steps} steps, arena ${(r.peakArenaBytes / 2 ** 20).toFixed(1)} MiB, weights ${(r.weightBytes / 2 ** 20).toFixed(1)} MiB, ${r.flavour} core, ${r.threads} thread${r.threads > 1 ? 's' : ''})`,
        `median ${r.medianMs} ms, min ${r.minMs} ms over ${r.runs} runs; ${r.tunedLayers.length} tuned layers`,
        ...r.outputs.map((o) => `${o.name} [${o.shape.join(', ')}]\n${table(['rank', 'index', 'value'], o.top5.map((t, i) => [i + 1, t.index, t.value]))}`),
      ].join('\n'),
    );
  },
};

