// Every command of the CLI, in the order `--help` lists them. A new command is one entry: its
// name, its description, and its module (options and handler), which loads only when it runs.
import type { CommandModule } from 'yargs';
import { lazyCommand } from './lazy.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<object, any>[] = [
  lazyCommand('compile <model>', 'The main job: map a model onto a target and write a report folder (report.md, report.json, records, SVG plots)', async () => (await import('./compile.js')).compileCommand),
  lazyCommand('run <model>', 'Run an ONNX model (with its weights) in the wasm core: outputs, top-5 and latency', async () => (await import('./run.js')).runCommand),
  lazyCommand('info', 'Show the runtime, the WebAssembly features and the core flavour loaded, and self-check its GEMM', async () => (await import('./info.js')).infoCommand),
  lazyCommand('schedule <model>', 'Split a model into pipeline stages on a multi-core Edge-TPU-like target', async () => (await import('./schedule.js')).scheduleCommand),
  lazyCommand('train-scheduler', 'Train the learned pipeline scheduler (labels by the exact MILP, imitation, then REINFORCE); resumes from its checkpoint', async () => (await import('./train-scheduler.js')).trainSchedulerCommand),
  lazyCommand(
    'simulate [model]',
    'Simulate a network on a systolic array, agreeing figure for figure with SCALE-Sim v2. Each layer also gets maxDramBandwidth ' +
      '(ifmap, filter, ofmap; words/cycle): the most words one cycle of the DRAM trace moves, counted as the DRAM reads/writes are. ' +
      'CALC: the fastest rate a prefetch window must arrive at (SCALE-Sim spreads each window over the cycles between the two flushes ' +
      'before it), i.e. the interface bandwidth its schedule needs; USER: the configured Bandwidth; ofmap: the drain rate, summed where drains meet',
    async () => (await import('./simulate.js')).simulateCommand,
  ),
  lazyCommand('tune <model>', "Tune the kernels of a model's layers with a search strategy, logging every trial", async () => (await import('./tune.js')).tuneCommand),
  lazyCommand('best <log>', 'The best configuration of every workload in a tuning log', async () => (await import('./best.js')).bestCommand),
  lazyCommand('codesign <model>', 'Choose a systolic accelerator within a silicon area (or PE/SRAM caps) and every layer\'s mapping onto it (ARCO and baselines)', async () => (await import('./codesign.js')).codesignCommand),
  lazyCommand('import <model>', 'Read a model (an ONNX file or a built-in name, see `mapwise zoo`) and summarise its graph', async () => (await import('./import.js')).importCommand),
  lazyCommand('zoo', 'List the built-in models with their totals and the published figures they match', async () => (await import('./zoo.js')).zooCommand),
  lazyCommand('worker', 'Take jobs from Redis for --redis runs of tune, compile, codesign and train-scheduler (host kernels on this device, simulated mappings, co-design slices, teacher MILPs)', async () => (await import('./worker.js')).workerCommand),
  lazyCommand('workers', 'List the live workers of a Redis (device keys, hosts) and the depth of each queue', async () => (await import('./workers.js')).workersCommand),
];
