import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandParts } from './lazy.js';
import type { ProgressEvent } from '../../src/api/check.js';
import { compile, type CompileResult } from '../../src/api/compile.js';
import { DEFAULT_CODESIGN_BUDGET, DEFAULT_DRAM_BYTES_PER_CYCLE, QUICK_CODESIGN_BUDGET, STRATEGIES, type Strategy } from '../../src/codesign/index.js';
import { type CompileTarget, parseTargetSpec, targetFromJson } from '../../src/compile/target-spec.js';
import { GRAPH_SPEC_KINDS, modelSpecHelp } from '../../src/graph/model-spec.js';
import { readCheckpointWeights } from '../../src/node/checkpoint.js';
import { WorkerMeasurer } from '../../src/node/measurer.js';
import { loadModel } from '../../src/node/models.js';
import { appendRecords, readRecords } from '../../src/node/records-file.js';
import { writeReportFolder } from '../../src/node/report-folder.js';
import type { PipelineCompilation } from '../../src/compile/pipeline.js';
import { TUNER_NAMES, type TunerName } from '../../src/tune/tuners/index.js';
import { message, report } from '../output.js';
import { listenForInterrupt } from '../interrupt.js';
import { progressBar } from '../progress.js';

interface CompileArgs {
  model: string;
  target: string;
  out?: string;
  quick?: boolean;
  'time-limit'?: number;
  tuner: TunerName;
  strategy: Strategy;
  budget?: number;
  trials?: number;
  layers?: number;
  transfer: boolean;
  seed: number;
  resume?: boolean;
  'max-pes'?: number;
  'max-sram-kib'?: number;
  'max-area-mm2'?: number;
  'dram-bytes-per-cycle': number;
  checkpoint?: string;
  png?: boolean;
  redis?: string;
  device?: string;
  json?: boolean;
}

function resolveTarget(spec: string): CompileTarget {
  if (spec.endsWith('.json')) {
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(spec, 'utf8'));
    } catch (error) {
      throw new Error(`${spec}: cannot read the target file: ${(error as Error).message}`);
    }
    return targetFromJson(value, spec);
  }
  return parseTargetSpec(spec);
}

export const compileCommand: CommandParts<CompileArgs> = {
  builder: (y) =>
    y
      .positional('model', { type: 'string', demandOption: true, describe: modelSpecHelp(GRAPH_SPEC_KINDS) })
      .option('target', { type: 'string', default: 'edgetpu:4', describe: "edgetpu:K (K-core pipeline), systolic[:scale|google|eyeriss] (co-design within the preset's silicon area), host (this machine's WebAssembly kernels), or a target .json" })
      .option('out', { type: 'string', describe: 'output folder (default mapwise-out/<model>-<target>)' })
      .option('png', { type: 'boolean', describe: 'also write every plot as PNG (twice the SVG\'s size) beside its SVG' })
      .option('quick', { type: 'boolean', describe: 'a fast run (under half a minute on a zoo model): short solver limit, few trials' })
      .option('time-limit', { type: 'number', describe: 'seconds the exact scheduler may take (default 60, 10 with --quick)' })
      .option('checkpoint', { type: 'string', describe: 'edgetpu target: the learned scheduler\'s weights from this train-scheduler checkpoint instead of the shipped ones' })
      .option('tuner', { choices: TUNER_NAMES, default: 'chameleon' as TunerName, describe: 'host target: search strategy' })
      .option('strategy', { choices: STRATEGIES, default: 'arco' as Strategy, describe: 'systolic target: co-design strategy' })
      .option('budget', { type: 'number', describe: `systolic target: simulator calls (default ${DEFAULT_CODESIGN_BUDGET}, ${QUICK_CODESIGN_BUDGET} with --quick)` })
      .option('max-pes', { type: 'number', describe: 'systolic target: cap on processing elements (then no area budget unless --max-area-mm2)' })
      .option('max-sram-kib', { type: 'number', describe: 'systolic target: cap on KiB of SRAM over the three buffers (then no area budget unless --max-area-mm2)' })
      .option('max-area-mm2', { type: 'number', describe: "systolic target: silicon for PEs and SRAM (default: the preset array's, so PEs and SRAM trade)" })
      .option('dram-bytes-per-cycle', { type: 'number', default: DEFAULT_DRAM_BYTES_PER_CYCLE, describe: 'systolic target: DRAM bandwidth (the same default as codesign)' })
      .option('trials', { type: 'number', describe: 'host target: measurements per layer (default 128, 12 with --quick)' })
      .option('transfer', { type: 'boolean', default: true, describe: 'host target, autotvm and chameleon: start each layer\'s cost model from the layers tuned before it (--no-transfer: every layer from scratch)' })
      .option('layers', { type: 'number', describe: 'host target: how many of the heaviest distinct layers to tune (default all, 2 with --quick)' })
      .option('seed', { type: 'number', default: 1 })
      .option('redis', { type: 'string', describe: 'host: measure on the workers (`mapwise worker`) of this Redis, every worker of the device at once; systolic: simulate the co-design on them (the same run)' })
      .option('device', { type: 'string', describe: 'host, with --redis: the device key of the workers to measure on (default: this machine\'s); several, comma-separated, tune side by side, each into <out>/<device>/' })
      .option('resume', { type: 'boolean', describe: 'continue from the records in the output folder (host, and systolic with arco, ga or random: replayed into the search, which goes on from there; other systolic strategies: the run is repeated deterministically and the logged records are not written again)' })
      .example('$0 compile resnet50 --target edgetpu:4 --quick', 'schedule ResNet-50 on four Edge-TPU-like cores')
      .example('$0 compile test/fixtures/models/mobilenet_v2.onnx --target host --out mbv2-host', "tune MobileNetV2's kernels on this machine")
      .example('$0 compile resnet18 --target systolic:scale --strategy arco', 'co-design a 32×32-class array and the mappings') as never,
  handler: async (argv) => {
    const target = resolveTarget(argv.target);
    const devices = argv.device === undefined ? [] : argv.device.split(',');
    if (devices.length > 0 && !argv.redis) throw new Error('--device needs --redis URL');
    if (devices.length > 1 && target.kind !== 'host') throw new Error(`--device: several devices tune the host target; ${target.label} has none`);
    if (new Set(devices).size !== devices.length || devices.some((d) => d === '')) throw new Error(`--device '${argv.device}': expected distinct device keys separated by commas`);
    const graph = await loadModel(argv.model);
    const out = argv.out ?? join('mapwise-out', `${graph.name}-${target.label.replace(/[^\w.-]/g, '_')}`);
    const interrupt = target.kind === 'host' ? listenForInterrupt() : undefined;
    const budget = argv.budget ?? (argv.quick ? QUICK_CODESIGN_BUDGET : DEFAULT_CODESIGN_BUDGET);
    const bar = target.kind === 'edgetpu-pipeline' ? progressBar(`scheduling ${graph.name}`, 4, '{step}')
      : target.kind === 'host' ? progressBar(`tuning ${graph.name}${devices.length > 1 ? ` on ${devices.length} devices` : ''}`, 1, '{layer}')
      : progressBar(`co-design ${graph.name} (${argv.strategy})`, budget, 'best {best}/s');
    // Several devices tune side by side, each into its own folder; one bar counts their trials.
    const progress = new Map<string, { done: number; total: number }>();
    const onProgress = (device: string | undefined) => (e: ProgressEvent): void => {
      if (target.kind !== 'host' || device === undefined) {
        if (target.kind === 'host' && e.done === 0) bar.setTotal(e.total);
        bar.update(e.done, { step: e.step, layer: e.layer ?? '', best: e.best === undefined ? '-' : e.best.toFixed(1) });
        return;
      }
      progress.set(device, { done: e.done, total: e.total });
      const sum = (key: 'done' | 'total'): number => [...progress.values()].reduce((s, p) => s + p[key], 0);
      if (progress.size === devices.length) bar.setTotal(sum('total'));
      bar.update(sum('done'), { layer: `${device}: ${e.layer ?? ''}` });
    };
    const compileInto = async (folder: string, device: string | undefined): Promise<{ out: string; files: string[]; result: CompileResult }> => {
      const recordsPath = join(folder, 'records.jsonl');
      mkdirSync(folder, { recursive: true });
      // host: the folder's records replay into the tuner; systolic: the run repeats and only what the file lacks is appended.
      const logged = argv.resume && target.kind !== 'edgetpu-pipeline' ? readRecords(recordsPath) : { records: [], warnings: [] };
      logged.warnings.forEach(message);
      if (target.kind === 'systolic' && !argv.resume) writeFileSync(recordsPath, '');
      const result = await compile(graph, {
        target,
        quick: argv.quick ?? false,
        seed: argv.seed,
        ...(argv['time-limit'] === undefined ? {} : { timeLimitSeconds: argv['time-limit'] }),
        ...(argv.checkpoint === undefined ? {} : { weights: readCheckpointWeights(argv.checkpoint) }),
        tuner: argv.tuner,
        ...(argv.trials === undefined ? {} : { trials: argv.trials }),
        ...(argv.layers === undefined ? {} : { layers: argv.layers }),
        transfer: argv.transfer,
        hostMeasurer: (_core, space) => new WorkerMeasurer(space, argv.quick ? { repeat: 3, warmup: 1 } : {}),
        strategy: argv.strategy,
        budget,
        ...(argv['max-pes'] === undefined ? {} : { maxPEs: argv['max-pes'] }),
        ...(argv['max-sram-kib'] === undefined ? {} : { maxSramKiB: argv['max-sram-kib'] }),
        ...(argv['max-area-mm2'] === undefined ? {} : { maxAreaMm2: argv['max-area-mm2'] }),
        dramBytesPerCycle: argv['dram-bytes-per-cycle'],
        previous: logged.records,
        onRecords: (records) => appendRecords(recordsPath, records),
        ...(argv.redis === undefined ? {} : { redis: argv.redis }),
        ...(device === undefined ? {} : { device }),
        ...(interrupt ? { stop: interrupt.requested } : {}),
        onProgress: onProgress(devices.length > 1 ? device : undefined),
      });
      if (target.kind === 'edgetpu-pipeline') {
        const { outcomes } = result.report as unknown as PipelineCompilation;
        for (const outcome of outcomes) if (outcome.error) message(`${outcome.scheduler} scheduler failed: ${outcome.error}`);
        writeFileSync(recordsPath, outcomes.map((o) => JSON.stringify({ v: 1, kind: 'schedule', model: graph.name, target: target.target, scheduler: o.scheduler, result: o.result ?? null, error: o.error ?? null })).join('\n') + '\n');
      }
      const files = await writeReportFolder(folder, result.parts, result.report, { png: argv.png });
      if (!files.includes('records.jsonl')) files.push('records.jsonl');
      return { out: folder, files, result };
    };
    let compiled: Awaited<ReturnType<typeof compileInto>>[];
    try {
      compiled = devices.length > 1 ? await Promise.all(devices.map((device) => compileInto(join(out, device), device))) : [await compileInto(out, devices[0])];
      if (target.kind === 'edgetpu-pipeline') bar.update(4, { step: 'done' });
    } finally {
      bar.stop();
      interrupt?.release();
    }
    const summary = ({ out: folder, files, result }: (typeof compiled)[number]): string => `${result.parts.markdown.split('\n').slice(0, 3).join('\n')}\n\nreport written to ${folder}/ (${files.join(', ')})`;
    if (devices.length > 1) {
      report(argv, { out, devices: compiled.map(({ out: folder, files, result }, i) => ({ device: devices[i]!, out: folder, files, ...result.report })) }, () => compiled.map((c, i) => `${devices[i]}:\n${summary(c)}`).join('\n\n'));
    } else {
      const [only] = compiled as [(typeof compiled)[number]];
      report(argv, { out, files: only.files, ...only.result.report }, () => summary(only));
    }
  },
};
