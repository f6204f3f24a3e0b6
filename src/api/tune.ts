// `tune(model, options) → Promise<TuneReport>`: search the knobs of a model's layers, either
// the kernel schedules of the host (measured for real, in this thread) or the layer mappings
// of the simulated systolic array, with any of the tuners. Records come back with the report
// so a caller can store them and pass them as `previous` to resume.
import { getCore } from '../core/load.js';
import { SYSTOLIC_PRESETS } from '../hw/systolic.js';
import { InProcessMeasurer } from '../tune/measure.js';
import type { TuneJobReport } from '../tune/jobs.js';
import type { Core } from '../core/core.js';
import type { Measurer } from '../base/result.js';
import type { Space } from '../tune/space/space.js';
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
  /**
   * Node: tune on the `mapwise worker` processes of this Redis (redis://… or rediss://…). On the
   * host, workers measure and the search and records stay here. On a simulated target without
   * transfer, several layers are searched whole on the workers side by side (the same records as
   * here, each layer's coming back when its search is done); one layer, or layers with transfer,
   * send each batch to the workers to score.
   */
  redis?: string;
  /** With redis, host: the device key of the workers to measure on (default: this machine's). */
  device?: string;
  /** Stop a layer after this many trials without a better one. */
  earlyStopping?: number;
  /** host: how a candidate is timed (default in this thread; Node's CLI times it in a worker thread it can stop at a time limit). */
  hostMeasurer?: (core: Core, space: Space) => Measurer & { close?: () => void | Promise<void> };
  /** Each batch's records as they are measured (the CLI appends them to its log); the report holds them all too. */
  onRecords?: (records: TuningRecord[]) => void | Promise<void>;
  /** Asked between batches: true stops the run there, and the report says it was interrupted (Ctrl-C in the CLI). */
  stop?: () => boolean;
  /** Steps 'trials': done of all layers' trials, with the layer, its trials so far and its best figure (in its unit); no layer when simulated layers are searched side by side on workers. */
  onProgress?: (event: ProgressEvent) => void;
  signal?: AbortSignal;
}

/** One layer's result: default and best cost, best config, trials, time. */
export type TuneLayerReport = TuneJobReport;

export interface TuneReport {
  model: string;
  target: string;
  tuner: TunerName;
  seed: number;
  transfer: boolean;
  /** True when `stop` ended the run before every layer had its trials. */
  interrupted: boolean;
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
  layer: { type: 'number', integer: true },
  tuner: { type: 'string', oneOf: TUNER_NAMES },
  trials: { type: 'number', integer: true, min: 1, max: 1_000_000 },
  batchSize: { type: 'number', integer: true, min: 1, max: 4096 },
  seed: { type: 'number', integer: true },
  dramBytesPerCycle: { type: 'number', min: 1e-9 },
  previous: { type: 'array' },
  transfer: { type: 'boolean' },
  redis: { type: 'string' },
  device: { type: 'string' },
  earlyStopping: { type: 'number', integer: true, min: 1 },
  hostMeasurer: { type: 'function' },
  onRecords: { type: 'function' },
  stop: { type: 'function' },
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
  const jobs = tuningJobs(core, graph, target, { hostMeasurer: o.hostMeasurer ?? ((c, space) => new InProcessMeasurer(c, space)), dramBytesPerCycle: o.dramBytesPerCycle });
  if (jobs.length === 0) throw new OptionsError(`tune: ${graph.name} has no convolution or dense layer to tune`, { field: 'model' });
  if (o.layer !== undefined && (o.layer < 0 || o.layer >= jobs.length)) {
    const list = jobs.map((j, i) => `  ${i}: ${j.name} (${j.shape}, ${j.count} node${j.count > 1 ? 's' : ''})`).join('\n');
    throw new OptionsError(`tune: layer must be below ${jobs.length}, the distinct layers of ${graph.name}; got ${o.layer}. The layers:\n${list}`, { field: 'layer' });
  }
  if (o.transfer && tuner !== 'autotvm' && tuner !== 'chameleon') throw new OptionsError(`tune: transfer needs a tuner with a cost model (autotvm or chameleon), not ${tuner}`, { field: 'transfer' });
  if (o.device !== undefined && o.redis === undefined) throw new OptionsError('tune: device needs redis', { field: 'device' });
  const local = o.layer === undefined ? jobs : [jobs[o.layer]!];
  // Progress counts remote trials as each job comes back, not only when its batch is whole.
  const counts = local.map(() => ({ logged: 0, remote: 0 }));
  const layerOf = new Map(local.map((job, index) => [job.workload, index]));
  let latest = { index: 0, best: undefined as number | undefined };
  const layerDone = (index: number): number => Math.min(trials, counts[index]!.logged + counts[index]!.remote);
  // Without transfer, simulated layers are independent searches: several go to the workers whole,
  // side by side, and progress names no one layer. One layer alone sends its batches out, its
  // records logged batch by batch. Host layers go in turn: a worker keeps a measuring thread for
  // only a few recent layers, and each layer's batch is already spread over the device's workers.
  const sideBySide = o.redis !== undefined && !o.transfer && target !== 'host' && local.length > 1;
  const report = (): void => o.onProgress?.({
    step: 'trials', done: counts.reduce((sum, _, index) => sum + layerDone(index), 0), total: local.length * trials,
    ...(sideBySide ? {} : { layer: local[latest.index]!.name, layerDone: layerDone(latest.index), ...(latest.best === undefined ? {} : { best: latest.best, unit: local[latest.index]!.unit }) }),
  });
  const heard = (workload: string, points: number): void => {
    const index = layerOf.get(workload);
    if (index === undefined) return;
    counts[index]!.remote += points;
    if (latest.index !== index) latest = { index, best: undefined };
  };
  const remote = o.redis === undefined ? undefined : await (await loadDist('tune', 'coordinator')).Coordinator.connect({
    redis: o.redis,
    ...(o.device === undefined ? {} : { device: o.device }),
    onJob: (job) => {
      if (job.kind === 'measure-host') heard(job.workload, job.points.length);
      else if (job.kind === 'measure-mapping') for (const group of job.groups) heard(group.workload, group.points.length);
      report();
    },
  });
  const chosen = remote && !sideBySide ? remote.distribute(local, { tuner, seed }) : local;
  const transfer = o.transfer ? new TransferPool() : undefined;
  const records: TuningRecord[] = [];
  const stopped = (): boolean => (o.stop?.() ?? false) || (o.signal?.aborted ?? false);
  const tuneLayer = (index: number): Promise<TuneLayerReport> => {
    const job = chosen[index]!;
    return tuneJob(core, job, {
      tuner,
      trials,
      batchSize: o.batchSize ?? 32,
      ...(o.earlyStopping === undefined ? {} : { earlyStopping: o.earlyStopping }),
      seed,
      previous: o.previous,
      transfer,
      onRecords: async (batch) => {
        records.push(...batch);
        await o.onRecords?.(batch);
      },
      onProgress: (p) => {
        counts[index] = { logged: p.trials, remote: 0 };
        latest = { index, best: Number.isFinite(p.bestCost) ? job.figure(p.bestCost) : undefined };
        report();
      },
      shouldStop: stopped,
    });
  };
  const layers: TuneLayerReport[] = [];
  try {
    throwIfAborted(o.signal);
    if (sideBySide) {
      const { largestFirst, remoteMappingSearch } = await loadDist('tune', 'tune-layer');
      const options = { tuner, seed, trials, batchSize: o.batchSize ?? 32, previous: o.previous, ...(o.earlyStopping === undefined ? {} : { earlyStopping: o.earlyStopping }) };
      // A stop ends the wait: searches still running are not recorded (queued again with the same
      // records, a resumed run attaches to them), those done are.
      let poll: ReturnType<typeof setInterval> | undefined;
      const stopping = new Promise<undefined>((resolve) => (poll = setInterval(() => stopped() && resolve(undefined), 100)));
      const searchElsewhere = async (index: number): Promise<TuneLayerReport | undefined> => {
        const job = chosen[index]!;
        // A layer the log has finished replays here: there is nothing left to measure.
        if ((o.previous ?? []).filter((r) => r.workload === job.workload).length >= trials) return tuneLayer(index);
        const search = remoteMappingSearch(remote!, job, options, (trials) => {
          counts[index] = { logged: 0, remote: trials };
          report();
        });
        search.catch(() => {}); // abandoned by a stop, it may fail as the coordinator closes
        const searched = await Promise.race([search, stopping]);
        await job.close();
        if (!searched) return undefined;
        records.push(...searched.records);
        await o.onRecords?.(searched.records);
        counts[index] = { logged: searched.report.trials, remote: 0 };
        report();
        return searched.report;
      };
      try {
        const order = largestFirst(chosen);
        const settled = await Promise.allSettled(order.map((index) => searchElsewhere(index)));
        for (const outcome of settled) if (outcome.status === 'rejected') throw outcome.reason;
        const byIndex = new Map(order.map((index, k) => [index, (settled[k] as PromiseFulfilledResult<TuneLayerReport | undefined>).value]));
        layers.push(...chosen.flatMap((_, index) => byIndex.get(index) ?? []));
      } finally {
        clearInterval(poll);
      }
    } else {
      for (const index of chosen.keys()) {
        throwIfAborted(o.signal);
        if (stopped()) break;
        latest = { index, best: undefined };
        layers.push(await tuneLayer(index));
      }
    }
  } finally {
    await remote?.close();
  }
  throwIfAborted(o.signal);
  const interrupted = o.stop?.() ?? false;
  return { model: graph.name, target, tuner, seed, transfer: o.transfer ?? false, interrupted, layers, records };
}
