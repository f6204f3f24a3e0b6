// `tune(model, options) → Promise<TuneReport>`: search the knobs of a model's layers, either
// the kernel schedules of the host (measured for real, in this thread) or the layer mappings
// of the simulated systolic array, with any of the tuners. Records come back with the report
// so a caller can store them and pass them as `previous` to resume.
import { getCore } from '../core/load.js';
import { SYSTOLIC_PRESETS } from '../hw/systolic.js';
import { InProcessMeasurer } from '../tune/measure.js';
import type { TuneJobReport } from '../tune/jobs.js';
import type { TuningRecord } from '../tune/records.js';
import type { TunerName } from '../tune/tuners/index.js';
import { checkOptions, OptionsError } from '../base/options.js';
import { type ProgressEvent, throwIfAborted } from './check.js';
import { type ModelInput, resolveModel } from './model.js';
import { loadDist } from './redis.js';

export interface TuneOptions {
  /** 'host' (this machine's wasm kernels) or 'systolic[:google|eyeriss|scale]' (default 'systolic:scale'). */
  target?: string;
  /** Index of the one distinct layer to tune; all of them by default. */
  layer?: number;
  /** Search strategy (default 'autotvm'). */
  tuner?: TunerName;
  /** Measurements per layer, counting replayed ones (default 64). */
  trials?: number;
  /** Measurements per batch (default 32). */
  batchSize?: number;
  seed?: number;
  /** systolic: DRAM bandwidth in bytes per cycle (default: the preset's). */
  dramBytesPerCycle?: number;
  /** Records of an earlier run to resume from. */
  previous?: readonly TuningRecord[];
  /** autotvm, chameleon: start each layer's cost model from the layers tuned before it (default false). */
  transfer?: boolean;
  /** Node: measure on the `mapwise worker` processes of this Redis (redis://… or rediss://…); search and records stay here. */
  redis?: string;
  onProgress?: (event: ProgressEvent) => void;
  signal?: AbortSignal;
}

/** One layer's result: default and best cost, best config, trials, time. */
export type TuneLayerReport = TuneJobReport;

export interface TuneReport {
  model: string;
  target: string;
  tuner: TunerName;
  layers: TuneLayerReport[];
  records: TuningRecord[];
}

const TARGETS = ['host', 'systolic', ...Object.keys(SYSTOLIC_PRESETS).map((p) => `systolic:${p}`)];

/** The tuners load on the first call, so importing the library stays cheap. */
const loadTuners = async () => {
  const [jobs, transfer, tuners] = await Promise.all([import('../tune/jobs.js'), import('../tune/transfer.js'), import('../tune/tuners/index.js')]);
  return { tuneJob: jobs.tuneJob, tuningJobs: jobs.tuningJobs, TransferPool: transfer.TransferPool, spec: specOf(tuners.TUNER_NAMES) };
};

const specOf = (TUNER_NAMES: readonly string[]) => ({
  target: { type: 'string', oneOf: TARGETS },
  layer: { type: 'number', integer: true, min: 0 },
  tuner: { type: 'string', oneOf: TUNER_NAMES },
  trials: { type: 'number', integer: true, min: 1, max: 1_000_000 },
  batchSize: { type: 'number', integer: true, min: 1, max: 4096 },
  seed: { type: 'number', integer: true },
  dramBytesPerCycle: { type: 'number', min: 1e-9 },
  previous: { type: 'array' },
  transfer: { type: 'boolean' },
  redis: { type: 'string' },
  onProgress: { type: 'function' },
  signal: { type: 'signal' },
}) as const;

export async function tune(model: ModelInput, options?: TuneOptions): Promise<TuneReport> {
  const { tuneJob, tuningJobs, TransferPool, spec } = await loadTuners();
  const o = checkOptions<TuneOptions>('tune', options, spec);
  const graph = resolveModel('tune', model);
  const core = await getCore();
  const target = o.target ?? 'systolic:scale';
  const tuner = o.tuner ?? 'autotvm';
  const trials = o.trials ?? 64;
  const seed = o.seed ?? 1;
  const jobs = tuningJobs(core, graph, target, { hostMeasurer: (c, space) => new InProcessMeasurer(c, space), dramBytesPerCycle: o.dramBytesPerCycle });
  if (o.layer !== undefined && o.layer >= jobs.length) throw new OptionsError(`tune: layer must be below ${jobs.length}, the distinct layers of ${graph.name}; got ${o.layer}`, { field: 'layer' });
  if (o.transfer && tuner !== 'autotvm' && tuner !== 'chameleon') throw new OptionsError(`tune: transfer needs a tuner with a cost model (autotvm or chameleon), not ${tuner}`, { field: 'transfer' });
  const local = o.layer === undefined ? jobs : [jobs[o.layer]!];
  const remote = o.redis === undefined ? undefined : await (await loadDist('tune', 'coordinator')).Coordinator.connect({ redis: o.redis });
  const chosen = remote ? remote.distribute(local, { tuner, seed }) : local;
  const transfer = o.transfer ? new TransferPool() : undefined;
  const records: TuningRecord[] = [];
  const layers: TuneLayerReport[] = [];
  try {
    for (const [index, job] of chosen.entries()) {
      throwIfAborted(o.signal);
      layers.push(
        await tuneJob(core, job, {
          tuner,
          trials,
          batchSize: o.batchSize ?? 32,
          seed,
          previous: o.previous,
          transfer,
          onRecords: (batch) => void records.push(...batch),
          onProgress: (p) => o.onProgress?.({ step: 'trials', done: index * trials + p.trials, total: chosen.length * trials }),
          shouldStop: () => o.signal?.aborted ?? false,
        }),
      );
    }
  } finally {
    await remote?.close();
  }
  throwIfAborted(o.signal);
  return { model: graph.name, target, tuner, layers, records };
}
