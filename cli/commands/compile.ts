import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandParts } from './lazy.js';
import { compileHost, type HostCompilation } from '../../src/compile/host.js';
import { compilePipeline, type PipelineCompilation } from '../../src/compile/pipeline.js';
import { skipLogged } from '../../src/compile/resume.js';
import { compileSystolic, type SystolicCompilation } from '../../src/compile/systolic.js';
import { DEFAULT_CODESIGN_BUDGET, DEFAULT_DRAM_BYTES_PER_CYCLE, QUICK_CODESIGN_BUDGET, STRATEGIES, type Strategy } from '../../src/codesign/index.js';
import { type CompileTarget, parseTargetSpec, targetFromJson } from '../../src/compile/target-spec.js';
import { getCore } from '../../src/core/load.js';
import { totals } from '../../src/graph/analysis.js';
import { WorkerMeasurer } from '../../src/node/measurer.js';
import { readCheckpointWeights } from '../../src/node/checkpoint.js';
import { GRAPH_SPEC_KINDS, modelSpecHelp } from '../../src/graph/model-spec.js';
import { loadModel } from '../../src/node/models.js';
import { appendRecords, readRecords } from '../../src/node/records-file.js';
import { writeReportFolder } from '../../src/node/report-folder.js';
import { hostReport } from '../../src/report/host.js';
import { pipelineReport } from '../../src/report/pipeline.js';
import { systolicReport } from '../../src/report/systolic.js';
import { TUNER_NAMES, type TunerName } from '../../src/tune/tuners/index.js';
import { VERSION } from '../../src/version.js';
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
      .option('budget', { type: 'number', describe: 'systolic target: simulator calls (default 2000, 300 with --quick)' })
      .option('max-pes', { type: 'number', describe: 'systolic target: cap on processing elements (then no area budget unless --max-area-mm2)' })
      .option('max-sram-kib', { type: 'number', describe: 'systolic target: cap on KiB of SRAM over the three buffers (then no area budget unless --max-area-mm2)' })
      .option('max-area-mm2', { type: 'number', describe: "systolic target: silicon for PEs and SRAM (default: the preset array's, so PEs and SRAM trade)" })
      .option('dram-bytes-per-cycle', { type: 'number', default: DEFAULT_DRAM_BYTES_PER_CYCLE, describe: 'systolic target: DRAM bandwidth (the same default as codesign)' })
      .option('trials', { type: 'number', describe: 'host target: measurements per layer (default 128, 12 with --quick)' })
      .option('transfer', { type: 'boolean', default: true, describe: 'host target, autotvm and chameleon: start each layer\'s cost model from the layers tuned before it (--no-transfer: every layer from scratch)' })
      .option('layers', { type: 'number', describe: 'host target: how many of the heaviest distinct layers to tune (default all, 2 with --quick)' })
      .option('seed', { type: 'number', default: 1 })
      .option('redis', { type: 'string', describe: 'host: measure on the workers (`mapwise worker`) of this Redis, every worker of the device at once; systolic with --strategy exhaustive: split the search over them' })
      .option('device', { type: 'string', describe: 'host, with --redis: the device key of the workers to measure on (default: this machine\'s)' })
      .option('resume', { type: 'boolean', describe: 'continue from the records in the output folder (host: replayed into the tuner; systolic: the run is repeated deterministically and the logged records are not written again)' })
      .example('$0 compile resnet50 --target edgetpu:4 --quick', 'schedule ResNet-50 on four Edge-TPU-like cores')
      .example('$0 compile test/fixtures/models/mobilenet_v2.onnx --target host --out mbv2-host', "tune MobileNetV2's kernels on this machine")
      .example('$0 compile resnet18 --target systolic:scale --strategy arco', 'co-design a 32×32-class array and the mappings') as never,
  handler: async (argv) => {
    const target = resolveTarget(argv.target);
    if (argv.device !== undefined && !argv.redis) throw new Error('--device needs --redis URL');
    if (argv.redis && !(target.kind === 'host' || (target.kind !== 'edgetpu-pipeline' && argv.strategy === 'exhaustive'))) {
      throw new Error(`--redis: ${target.label} runs here; it spreads host tuning and the systolic target's --strategy exhaustive`);
    }
    // BullMQ loads only for --redis runs.
    const dist = argv.redis ? { coordinator: await import('../../src/node/dist/coordinator.js'), codesign: await import('../../src/node/dist/codesign.js') } : undefined;
    const graph = await loadModel(argv.model);
    const out = argv.out ?? join('mapwise-out', `${graph.name}-${target.label.replace(/[^\w.-]/g, '_')}`);
    const core = await getCore();
    const recordsPath = join(out, 'records.jsonl');
    const started = performance.now();
    let compilation: PipelineCompilation | HostCompilation | SystolicCompilation;
    let parts;

    if (target.kind === 'edgetpu-pipeline') {
      const bar = progressBar(`scheduling ${graph.name}`, 4, '{step}');
      compilation = await compilePipeline(core, graph, target.target, {
        exactTimeLimitSeconds: argv['time-limit'] ?? (argv.quick ? 10 : 60),
        weights: argv.checkpoint === undefined ? undefined : readCheckpointWeights(argv.checkpoint),
        onStep: (scheduler, index) => bar.update(index, { step: scheduler }),
      });
      bar.update(4, { step: 'done' });
      bar.stop();
      for (const outcome of compilation.outcomes) if (outcome.error) message(`${outcome.scheduler} scheduler failed: ${outcome.error}`);
      parts = pipelineReport(graph, compilation);
      const { mkdirSync, writeFileSync } = await import('node:fs');
      mkdirSync(out, { recursive: true });
      writeFileSync(recordsPath, compilation.outcomes.map((o) => JSON.stringify({ v: 1, kind: 'schedule', model: graph.name, target: target.target, scheduler: o.scheduler, result: o.result ?? null, error: o.error ?? null })).join('\n') + '\n');
    } else if (target.kind === 'host') {
      const layers = argv.layers ?? (argv.quick ? 2 : Number.POSITIVE_INFINITY);
      const trialsPerLayer = argv.trials ?? (argv.quick ? 12 : 128);
      const previous = argv.resume ? readRecords(recordsPath) : { records: [], warnings: [] };
      previous.warnings.forEach(message);
      const interrupt = listenForInterrupt();
      const { mkdirSync } = await import('node:fs');
      mkdirSync(out, { recursive: true });
      const bar = progressBar(`tuning ${graph.name}`, 1, '{layer}');
      const remote = dist && (await dist.coordinator.Coordinator.connect({ redis: argv.redis!, device: argv.device }));
      try {
        compilation = await compileHost(core, graph, {
          tuner: argv.tuner,
          transfer: argv.transfer && (argv.tuner === 'autotvm' || argv.tuner === 'chameleon'),
          layers,
          trialsPerLayer,
          batchSize: argv.quick ? 6 : 32,
          seed: argv.seed,
          measurerFor: (space) => remote?.spaceMeasurer(space, { tuner: argv.tuner, seed: argv.seed }) ?? new WorkerMeasurer(space, argv.quick ? { repeat: 3, warmup: 1 } : {}),
          previous: previous.records,
          onRecords: (records) => appendRecords(recordsPath, records),
          onLayer: (layer, index, total) => {
            bar.setTotal(total * trialsPerLayer);
            bar.update(index * trialsPerLayer, { layer });
          },
          onTrials: (done) => bar.update(done),
          shouldStop: interrupt.requested,
        });
      } finally {
        bar.stop();
        interrupt.release();
        await remote?.close();
      }
      parts = hostReport(graph, compilation);
    } else {
      const budget = argv.budget ?? (argv.quick ? QUICK_CODESIGN_BUDGET : DEFAULT_CODESIGN_BUDGET);
      const { mkdirSync, writeFileSync } = await import('node:fs');
      mkdirSync(out, { recursive: true });
      const logged = argv.resume ? readRecords(recordsPath) : { records: [], warnings: [] };
      logged.warnings.forEach(message);
      if (!argv.resume) writeFileSync(recordsPath, '');
      const bar = progressBar(`co-design ${graph.name} (${argv.strategy})`, budget, 'best {best}/s');
      try {
        compilation = await compileSystolic(core, graph, target.label, {
          strategy: argv.strategy,
          budget,
          seed: argv.seed,
          caps: { maxPEs: argv['max-pes'], maxSramKiB: argv['max-sram-kib'], maxAreaMm2: argv['max-area-mm2'] },
          dramBytesPerCycle: argv['dram-bytes-per-cycle'],
          onRecords: skipLogged(logged.records, (records) => appendRecords(recordsPath, records)),
          onProgress: (calls, total, best) => bar.update(Math.min(calls, total), { best: best.toFixed(1) }),
          search: dist && ((problem, options) => dist.codesign.distributedExhaustive(argv.redis!, problem, options)),
        });
      } finally {
        bar.stop();
      }
      parts = systolicReport(graph, compilation);
    }

    // The co-design run's full history stays in records.jsonl; the report keeps its figures.
    const { run: _run, ...figures } = compilation as SystolicCompilation;
    const json = { tool: 'mapwise', version: VERSION, createdAt: new Date().toISOString(), seconds: (performance.now() - started) / 1000, model: { name: graph.name, ...totals(graph) }, target: target.label, ...(compilation.kind === 'systolic' ? figures : compilation) };
    const files = await writeReportFolder(out, parts, json, { png: argv.png });
    if (!files.includes('records.jsonl')) files.push('records.jsonl');
    report(argv, { out, files, ...json }, () => `${parts.markdown.split('\n').slice(0, 3).join('\n')}\n\nreport written to ${out}/ (${files.join(', ')})`);
  },
};
