// Whole layers tuned on workers ('tune-mapping'). On a simulated array without transfer, each
// layer's search is independent of the others and its measurements are deterministic, so a
// worker runs the search a local run does and sends back its trials, from which the coordinator
// rebuilds the records a local run writes. Sending
// the points out instead (measure-mapping jobs) cannot beat one process: a mapping scores in 6-8
// µs, less than the coordinator spends proposing, recording and queueing it (about 24 µs), and
// every worker would simulate each layer's SCALE-Sim mapping again.
import type { Core } from '../../core/core.js';
import { Random } from '../../helpers/random.js';
import { systolicTarget } from '../../hw/systolic.js';
import { MappingModel, type MappingTarget } from '../../sim/mapping.js';
import { MappingMeasurer, MappingSpace } from '../../sim/mapping-space.js';
import { Simulator } from '../../sim/simulate.js';
import { type ConvLayer, layerGemm } from '../../sim/types.js';
import type { Measurer, MeasureResult } from '../../base/result.js';
import type { Point } from '../../base/search-space.js';
import { type TuneJobReport, type TuningJob, tuneJob } from '../../tune/jobs.js';
import { trialRecord } from '../../tune/loop.js';
import { formatRecord, parseRecords, type TuningRecord } from '../../tune/records.js';
import type { TunerName } from '../../tune/tuners/index.js';
import type { Coordinator } from './coordinator.js';
import { mappingGroupTemplate, type MappingSearchJob, mappingTarget, reviveResult } from './jobs.js';

/** A layer's search as the coordinator takes it: its new records (not the replayed ones) and its report. */
export interface MappingSearchResult {
  records: TuningRecord[];
  report: TuneJobReport;
}

/** One trial as a worker sends it back: what its record holds beyond the run and the space. */
type Trial = [batch: number, point: Point, result: MeasureResult];

/** What a worker sends back: each new trial, the report. */
interface SearchOutcome {
  trials: Trial[];
  report: TuneJobReport;
}

export interface MappingSearchOptions {
  tuner: TunerName;
  seed: number;
  trials: number;
  batchSize: number;
  earlyStopping?: number;
  /** Records of an earlier run; the layer's own go with its job. */
  previous?: readonly TuningRecord[];
}

const WARM_UP_LAYER: ConvLayer = { name: 'warm-up', ifmapHeight: 58, ifmapWidth: 58, filterHeight: 3, filterWidth: 3, channels: 64, numFilters: 64, strideHeight: 1, strideWidth: 1 };

function warmUpTarget(): MappingTarget {
  const config = systolicTarget({}, 'eyeriss');
  return { config, dramBytesPerCycle: config.bandwidthWordsPerCycle };
}

/**
 * Scores a few hundred mappings of a ResNet-like layer: a fresh thread's first mappings run
 * 20-30× slower while V8 compiles the model and tiers the core up (1,024 points in 175 ms against
 * 6 ms warm), which a worker should pay once, before its first job.
 */
export function warmUpMappings(model: MappingModel): void {
  const space = new MappingSpace(model, warmUpTarget(), WARM_UP_LAYER);
  const random = new Random(1);
  for (let i = 0; i < 512; i++) space.evaluate(space.cardinalities.map((n) => random.int(n)));
}

/** Layers of the kinds a CNN has (3×3 and 1×1 at both strides, a 7×7 stem, deep and shallow), for warmUpSearch. */
const WARM_UP_LAYERS: readonly ConvLayer[] = [
  WARM_UP_LAYER,
  { ...WARM_UP_LAYER, ifmapHeight: 115, ifmapWidth: 115, filterHeight: 7, filterWidth: 7, channels: 3, strideHeight: 2, strideWidth: 2 },
  { ...WARM_UP_LAYER, filterHeight: 1, filterWidth: 1, numFilters: 128, strideHeight: 2, strideWidth: 2 },
  { ...WARM_UP_LAYER, ifmapHeight: 16, ifmapWidth: 16, filterHeight: 1, filterWidth: 1, channels: 256, numFilters: 256 },
  { ...WARM_UP_LAYER, ifmapHeight: 29, ifmapWidth: 29, channels: 128, numFilters: 256, strideHeight: 2, strideWidth: 2 },
  { ...WARM_UP_LAYER, ifmapHeight: 9, ifmapWidth: 9, channels: 512, numFilters: 512 },
];

/**
 * As warmUpMappings, through whole layer searches of each kind of layer: the tuning loop, the
 * tuner and the simulator's paths for each compile too (a thread warmed on one 3×3 layer still
 * searched ResNet-18's layers 40% slower the first time than the next), and a short AutoTVM
 * search, `tune`'s default, whose cost model's code does too.
 */
export async function warmUpSearch(core: Core): Promise<void> {
  const search = (layer: ConvLayer, tuner: TunerName, trials: number): Promise<SearchOutcome> =>
    runMappingSearch(core, { kind: 'tune-mapping', group: mappingGroupTemplate('warm-up', layer, warmUpTarget()), tuner, seed: 1, trials, batchSize: 64, previous: '' });
  for (const layer of WARM_UP_LAYERS) await search(layer, 'random', 512);
  await search(WARM_UP_LAYER, 'autotvm', 192);
}

/**
 * The worker's side (in its job thread): the layer's search, replaying its earlier records first;
 * `onTrials` hears its trials so far after each batch; `msPerPoint` slows each measurement down as
 * a worker's synthetic device does (tests, benchmarks).
 * Its trials go back without what the coordinator knows (workload, tuner, seed, the point's index
 * and knobs): a third of a record's bytes, which each process on the way serialises.
 */
export async function runMappingSearch(core: Core, job: MappingSearchJob, options: { msPerPoint?: number; onTrials?: (trials: number) => void } = {}): Promise<SearchOutcome> {
  const { group } = job;
  const sim = new Simulator(core);
  try {
    const space = new MappingSpace(new MappingModel(sim), mappingTarget(group), group.layer);
    const measurer = new MappingMeasurer(space);
    const slowed: Measurer = {
      async measure(points) {
        await new Promise((resolve) => setTimeout(resolve, options.msPerPoint! * points.length));
        return measurer.measure(points);
      },
    };
    const layer: TuningJob = {
      name: group.layer.name, shape: '', count: 1, workload: group.workload, space, measurer: options.msPerPoint ? slowed : measurer,
      defaultPoint: space.defaultPoint, figure: (cycles) => cycles, unit: 'cycles', close: async () => {},
    };
    const trials: Trial[] = [];
    const report = await tuneJob(core, layer, {
      tuner: job.tuner, seed: job.seed, trials: job.trials, batchSize: job.batchSize,
      ...(job.earlyStopping === undefined ? {} : { earlyStopping: job.earlyStopping }),
      previous: parseRecords(job.previous, 'previous').records,
      onProgress: (progress) => options.onTrials?.(progress.trials),
      onRecords: (batch) => void trials.push(...batch.map((r): Trial => [r.batch, r.config.point, r.result])),
    });
    return { trials, report };
  } finally {
    sim.free();
  }
}

/**
 * Indices of `layers` (mapping spaces), the most multiply-adds first: queued in this order, the
 * searches that finish last are short ones (a layer's first SCALE-Sim simulation, most of a short
 * search, grows with its size).
 */
export function largestFirst(layers: readonly TuningJob[]): number[] {
  const macs = layers.map((job) => {
    if (!(job.space instanceof MappingSpace)) return 0;
    const { m, n, k } = layerGemm(job.space.layer);
    return m * n * k;
  });
  return [...layers.keys()].sort((a, b) => macs[b]! - macs[a]! || a - b);
}

/**
 * The coordinator's side: `layer`'s whole search on a worker, its new records and its report as a
 * local run gives them; `onTrials` hears its trials so far (replayed ones counted) as the worker reports them.
 */
export async function remoteMappingSearch(coordinator: Coordinator, layer: TuningJob, options: MappingSearchOptions, onTrials?: (trials: number) => void): Promise<MappingSearchResult> {
  if (!(layer.space instanceof MappingSpace)) throw new Error(`${layer.workload}: only a layer mapping's search runs on a worker`);
  const job: MappingSearchJob = {
    kind: 'tune-mapping',
    group: mappingGroupTemplate(layer.workload, layer.space.layer, layer.space.target),
    tuner: options.tuner, seed: options.seed, trials: options.trials, batchSize: options.batchSize,
    ...(options.earlyStopping === undefined ? {} : { earlyStopping: options.earlyStopping }),
    previous: (options.previous ?? []).filter((r) => r.workload === layer.workload).map(formatRecord).join('\n'),
  };
  const reported = (data: unknown): void => {
    if (Number.isInteger(data)) onTrials?.(data as number);
  };
  const value = (await coordinator.runReporting(job, reported)) as Partial<SearchOutcome> | undefined;
  const wellFormed = (t: unknown): t is Trial => Array.isArray(t) && Number.isInteger(t[0]) && Array.isArray(t[1]) && typeof t[2] === 'object' && t[2] !== null;
  if (!Array.isArray(value?.trials) || !value.report || !value.trials.every(wellFormed)) {
    throw new Error(`${layer.workload}: a worker's search came back without its trials: ${JSON.stringify(value)?.slice(0, 120)}`);
  }
  // A tuner's records name it as createTuner names it: by its TunerName.
  const run = { workload: layer.workload, tuner: options.tuner, seed: options.seed };
  return {
    records: value.trials.map(([batch, point, result]) => trialRecord(layer.space, run, batch, point, reviveResult(result))),
    report: { ...value.report, layer: layer.name, shape: layer.shape, workload: layer.workload },
  };
}
