// `compile(model, options) → Promise<CompileResult>`: map a model onto a target end to end and
// report it: an Edge-TPU-like pipeline (every scheduler, the best kept), a systolic array
// (co-designed within the preset's silicon) or this machine's wasm kernels (tuned for real).
// The result is the report's JSON and its parts (markdown and plots); `mapwise compile` is a
// shell over it that writes them, with the records, to a folder.
import { checkOptions, OptionsError } from '../base/options.js';
import type { Measurer } from '../base/result.js';
import type { Core } from '../core/core.js';
import { getCore } from '../core/load.js';
import type { CompileTarget } from '../compile/target-spec.js';
import { totals } from '../graph/analysis.js';
import type { ReportParts } from '../report/pipeline.js';
import type { PolicyWeights } from '../sched/policy.js';
import type { Space } from '../tune/space/space.js';
import type { TuningRecord } from '../tune/records.js';
import type { TunerName } from '../tune/tuners/index.js';
import type { Strategy } from '../codesign/index.js';
import { VERSION } from '../version.js';
import { type ProgressEvent, throwIfAborted } from './check.js';
import { type ModelInput, resolveModel } from './model.js';
import { loadDist } from './redis.js';

export interface CompileOptions {
  /** 'edgetpu:K' (default 'edgetpu:4'), 'systolic[:preset]', 'host', or a target already parsed (targetFromJson). */
  target?: string | CompileTarget;
  /** A fast run: short solver limit, few trials, a small co-design budget. */
  quick?: boolean;
  seed?: number;
  /** edgetpu: seconds the exact scheduler may take (default 60, 10 when quick). */
  timeLimitSeconds?: number;
  /** edgetpu: the learned scheduler's weights (default the shipped ones). */
  weights?: PolicyWeights;
  /** host: search strategy (default 'chameleon'), measurements per layer (default 128, 12 when quick), heaviest distinct layers tuned (default all, 2 when quick). */
  tuner?: TunerName;
  trials?: number;
  layers?: number;
  /** host, autotvm and chameleon: start each layer's cost model from the layers before it (default true). */
  transfer?: boolean;
  /** host: how a candidate is timed (default in this thread; the CLI times it in a worker thread). */
  hostMeasurer?: (core: Core, space: Space) => Measurer & { close?: () => void | Promise<void> };
  /** systolic: co-design strategy (default 'arco') and simulator calls (default DEFAULT_CODESIGN_BUDGET, QUICK_CODESIGN_BUDGET when quick). */
  strategy?: Strategy;
  budget?: number;
  /** systolic: caps instead of the preset's silicon, and the DRAM bandwidth (default DEFAULT_DRAM_BYTES_PER_CYCLE). */
  maxPEs?: number;
  maxSramKiB?: number;
  maxAreaMm2?: number;
  dramBytesPerCycle?: number;
  /** host and systolic: records of an interrupted run to resume (as tune's and codesign's `previous`). */
  previous?: readonly TuningRecord[];
  /** host and systolic: the records as they come (the CLI appends them to the folder's records.jsonl). */
  onRecords?: (records: TuningRecord[]) => void | Promise<void>;
  /** Node: host measurements on the `mapwise worker` processes of this Redis (with `device`, theirs), or the systolic exhaustive search split over them. */
  redis?: string;
  device?: string;
  /** host: asked between batches; true stops there (Ctrl-C in the CLI). */
  stop?: () => boolean;
  /** edgetpu: step = the scheduler running; host: 'trials' with the layer; systolic: 'simulator calls' with the best throughput. */
  onProgress?: (event: ProgressEvent) => void;
  signal?: AbortSignal;
}

export interface CompileResult {
  /** report.json: tool, version, time, the model's totals, the target and the compilation's figures. */
  report: Record<string, unknown> & { model: { name: string }; target: string };
  /** report.md and the plots (Vega-Lite specs, file name → spec). */
  parts: ReportParts;
}

const specOf = (tuners: readonly string[], strategies: readonly string[]) => ({
  target: { type: 'string|object' },
  quick: { type: 'boolean' },
  seed: { type: 'number', integer: true },
  timeLimitSeconds: { type: 'number', min: 1e-3 },
  weights: { type: 'object' },
  tuner: { type: 'string', oneOf: tuners },
  trials: { type: 'number', integer: true, min: 1 },
  layers: { type: 'number', integer: true, min: 1 },
  transfer: { type: 'boolean' },
  hostMeasurer: { type: 'function' },
  strategy: { type: 'string', oneOf: strategies },
  budget: { type: 'number', integer: true, min: 1 },
  maxPEs: { type: 'number', min: 1e-9 },
  maxSramKiB: { type: 'number', min: 1e-9 },
  maxAreaMm2: { type: 'number', min: 1e-9 },
  dramBytesPerCycle: { type: 'number', min: 1e-9 },
  previous: { type: 'array' },
  onRecords: { type: 'function' },
  redis: { type: 'string' },
  device: { type: 'string' },
  stop: { type: 'function' },
  onProgress: { type: 'function' },
  signal: { type: 'signal' },
}) as const;

export async function compile(model: ModelInput, options?: CompileOptions): Promise<CompileResult> {
  const [{ TUNER_NAMES }, { STRATEGIES }] = await Promise.all([import('../tune/tuners/index.js'), import('../codesign/index.js')]);
  const o = checkOptions<CompileOptions>('compile', options, specOf(TUNER_NAMES, STRATEGIES));
  const graph = resolveModel('compile', model);
  const { parseTargetSpec } = await import('../compile/target-spec.js');
  const target = typeof o.target === 'object' ? o.target : parseTargetSpec(o.target ?? 'edgetpu:4', 'target');
  if (o.device !== undefined && o.redis === undefined) throw new OptionsError('compile: device needs redis', { field: 'device' });
  if (o.redis !== undefined && target.kind !== 'host' && target.kind !== 'systolic') {
    throw new OptionsError(`compile: redis: ${target.label} runs here; it spreads host tuning and the systolic target's co-design`, { field: 'redis' });
  }
  const core = await getCore();
  const started = performance.now();
  const progress = o.onProgress ?? (() => {});
  let figures: object;
  let parts: ReportParts;
  if (target.kind === 'edgetpu-pipeline') {
    const [{ compilePipeline }, { pipelineReport }] = await Promise.all([import('../compile/pipeline.js'), import('../report/pipeline.js')]);
    const compilation = await compilePipeline(core, graph, target.target, {
      exactTimeLimitSeconds: o.timeLimitSeconds ?? (o.quick ? 10 : 60),
      weights: o.weights,
      onStep: (scheduler, index, total) => progress({ step: scheduler, done: index, total }),
    });
    figures = compilation;
    parts = pipelineReport(graph, compilation);
  } else if (target.kind === 'host') {
    const [{ compileHost }, { hostReport }, { InProcessMeasurer }] = await Promise.all([import('../compile/host.js'), import('../report/host.js'), import('../tune/measure.js')]);
    const tuner = o.tuner ?? 'chameleon';
    const seed = o.seed ?? 1;
    const trialsPerLayer = o.trials ?? (o.quick ? 12 : 128);
    const remote = o.redis === undefined ? undefined : await (await loadDist('compile', 'coordinator')).Coordinator.connect({ redis: o.redis, ...(o.device === undefined ? {} : { device: o.device }) });
    let layer = '';
    let total = 0;
    try {
      const compilation = await compileHost(core, graph, {
        tuner,
        transfer: (o.transfer ?? true) && (tuner === 'autotvm' || tuner === 'chameleon'),
        layers: o.layers ?? (o.quick ? 2 : Number.POSITIVE_INFINITY),
        trialsPerLayer,
        batchSize: o.quick ? 6 : 32,
        seed,
        measurerFor: (space) => remote?.spaceMeasurer(space, { tuner, seed }) ?? o.hostMeasurer?.(core, space) ?? new InProcessMeasurer(core, space),
        previous: o.previous,
        onRecords: o.onRecords,
        onLayer: (name, index, layers) => {
          [layer, total] = [name, layers * trialsPerLayer];
          progress({ step: 'trials', done: index * trialsPerLayer, total, layer });
        },
        onTrials: (done) => progress({ step: 'trials', done, total, layer }),
        shouldStop: () => (o.stop?.() ?? false) || (o.signal?.aborted ?? false),
      });
      figures = compilation;
      parts = hostReport(graph, compilation);
    } finally {
      await remote?.close();
    }
  } else {
    const [{ compileSystolic }, { systolicReport }, { DEFAULT_CODESIGN_BUDGET, QUICK_CODESIGN_BUDGET }] = await Promise.all([import('../compile/systolic.js'), import('../report/systolic.js'), import('../codesign/index.js')]);
    const budget = o.budget ?? (o.quick ? QUICK_CODESIGN_BUDGET : DEFAULT_CODESIGN_BUDGET);
    const dist = o.redis === undefined ? undefined : await loadDist('compile', 'codesign');
    const compilation = await compileSystolic(core, graph, target.label, {
      strategy: o.strategy ?? 'arco',
      budget,
      seed: o.seed ?? 1,
      caps: { maxPEs: o.maxPEs, maxSramKiB: o.maxSramKiB, maxAreaMm2: o.maxAreaMm2 },
      ...(o.dramBytesPerCycle === undefined ? {} : { dramBytesPerCycle: o.dramBytesPerCycle }),
      ...(o.previous === undefined ? {} : { previous: o.previous }),
      onRecords: o.onRecords,
      onProgress: (calls, calls0, best) => progress({ step: 'simulator calls', done: Math.min(calls, calls0), total: calls0, best, unit: 'inferences/s' }),
      search: dist && ((problem, strategyOptions) => dist.distributedSearch(o.redis!, o.strategy ?? 'arco', core, problem, strategyOptions)),
    });
    // The co-design run's full history goes to the records; the report keeps its figures.
    const { run: _run, ...rest } = compilation;
    figures = rest;
    parts = systolicReport(graph, compilation);
  }
  throwIfAborted(o.signal);
  const report = { tool: 'mapwise', version: VERSION, createdAt: new Date().toISOString(), seconds: (performance.now() - started) / 1000, model: { name: graph.name, ...totals(graph) }, target: target.label, ...figures };
  return { report, parts };
}
