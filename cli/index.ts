// `mapwise <command>`: the yargs shell over the library. Commands live in cli/commands.
// Registers how the wasm core is read from disk; each command loads the rest of the library it uses.
import '../src/node/runtime.js';
import { commands } from './commands/index.js';
import { loaderOf } from './commands/lazy.js';
import { VERSION } from '../src/version.js';

const YARGS_BUNDLE = '../vendor/yargs.js';

export async function main(args: string[]): Promise<void> {
  if (await withoutYargs(args)) return;
  // yargs as one module, bundled by `npm run build:ts` (vite.yargs.config.ts): its 50 files cost more to load than most commands' work.
  const { default: yargs } = (await import(YARGS_BUNDLE)) as typeof import('yargs');
  const parser = yargs(args)
    .scriptName('mapwise')
    .usage('$0 <command> [options]\n\nMaps deep neural networks onto hardware.')
    .option('json', { type: 'boolean', describe: 'Print exactly one JSON object on stdout (messages go to stderr)', global: true })
    .version(VERSION)
    .strict()
    .demandCommand(1, 'Name a command; see `mapwise --help`.')
    .recommendCommands()
    // One example per command, so `mapwise --help` shows how each is used.
    .example('$0 compile resnet50 --target edgetpu:4 --quick', 'the main job: map a model, write report.md/.json, records and plots')
    .example('$0 run model.onnx --input image.npy --output logits.npy', 'run an ONNX model with its weights: top-5 and latency')
    .example('$0 schedule mobilenetv2 --cores 4 --scheduler exact --json', 'pipeline stages on 4 Edge-TPU-like cores')
    .example('$0 train-scheduler --graphs 32 --checkpoint my-policy.json', 'retrain the learned scheduler (resumable)')
    .example('$0 simulate resnet50 --target systolic:google --out reports/', "SCALE-Sim's reports for a model")
    .example('$0 tune resnet18convs --layer 0 --tuner chameleon --trials 128 --log r18.jsonl', 'tune a kernel with Chameleon')
    .example('$0 worker --redis redis://10.0.0.5:6379', 'run the jobs of --redis runs (tune, compile, codesign, train-scheduler) on this machine')
    .example('$0 workers --redis redis://10.0.0.5:6379', 'the live workers, their devices and the queues\' depths')
    .example('$0 best r18.jsonl', 'the best configuration per workload in a log')
    .example('$0 codesign resnet18 --budget 2000', 'choose an accelerator within the default array\'s silicon, and the mappings (ARCO)')
    .example('$0 import test/fixtures/models/mobilenet_v2.onnx --json', 'summarise an ONNX file')
    .example('$0 zoo', 'list the built-in models')
    .example('$0 info', 'runtime, wasm flavour and a GEMM self-check')
    .wrap(Math.min(110, process.stdout.columns || 110))
    .fail((msg, err) => {
      if (err) throw err;
      process.stderr.write(`${msg}\nRun \`mapwise --help\` for usage.\n`);
      process.exit(2);
    });
  for (const command of commands) parser.command(command);
  skipHelpCache(parser);
  try {
    await parser.parseAsync();
  } catch (error) {
    process.stderr.write(`mapwise: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}

/**
 * yargs renders the running command's whole help text after starting its handler, in case the
 * handler shows it; laying it out (cliui, string-width) costs more than most commands' work
 * (some 150 ms for simulate's). Our handlers never show help, and help that is asked for
 * (--help, a usage error) is still rendered then. Left alone if yargs' internals change.
 */
function skipHelpCache(parser: object): void {
  type Internals = { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } };
  const usage = (parser as Internals).getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
}

/**
 * Runs a command that takes no options (info, zoo) given with nothing but `--json`, without
 * loading yargs: yargs and its text layout cost more than these commands' work. Anything else,
 * including a command with options or any other flag, goes through yargs. True when it ran.
 */
async function withoutYargs(args: string[]): Promise<boolean> {
  const [name, ...rest] = args;
  if (name === undefined || !rest.every((a) => a === '--json')) return false;
  const command = commands.find((c) => String(c.command).split(' ')[0] === name);
  const load = command && loaderOf(command);
  if (!load) return false;
  const parts = await load();
  if (parts.builder) return false;
  try {
    await parts.handler({ _: [name], $0: 'mapwise', json: rest.length > 0 });
  } catch (error) {
    process.stderr.write(`mapwise: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
  return true;
}
