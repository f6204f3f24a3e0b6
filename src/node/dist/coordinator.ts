// The coordinator's side of scale-out: `run(job)` queues one job on Redis (BullMQ) and waits for
// its result. The tuning loop runs here as always, with a Measurer that splits each batch into
// jobs and hands the results back in order; the exact co-design search (./codesign.ts) and the
// teacher labels (./teacher.ts) queue theirs through `run` too. Search, records and resume stay
// in this process; workers only compute.
//
// A job's id is a digest of its payload and run (./jobs.ts), so a job taken over from a dead
// worker, or queued again by a restarted coordinator, is still one job whose result arrives once.
// A measurement job that fails for good (a worker error after every attempt, too many stalls)
// comes back as failed measurements with the reason, never as a hang or a throw.
import { type Job as BullJob, Queue, QueueEvents, type QueueEventsOptions } from 'bullmq';
import { MappingSpace } from '../../sim/mapping-space.js';
import type { TuningJob } from '../../tune/jobs.js';
import { failedResult } from '../../tune/measure.js';
import { ErrorCode, type Measurer, type MeasureResult } from '../../base/result.js';
import type { Point, SearchSpace } from '../../base/search-space.js';
import { Space } from '../../tune/space/space.js';
import { taskKey } from '../../tune/space/task.js';
import { type HostMeasureJob, type Job, JobFailedError, jobId, mappingGroupTemplate, type MappingGroup, MAX_POINTS_PER_JOB, reviveResult } from './jobs.js';
import { MappingBatcher, type Run } from './mapping-batcher.js';
import { checkDeviceKey, connectionOptions, defaultDeviceKey, MAPPING_QUEUE, QUEUE_PREFIX, queueName, within } from './queues.js';
import { parseWorker } from './status.js';

export interface CoordinatorOptions {
  redis: string;
  /** The device host measurements must run on; the default is this machine's key. */
  device?: string;
  /** Tries of a job that fails on a worker (not counting take-overs from dead workers). */
  attempts?: number;
  /** Points per host job (1 by default: host measurements spread one by one). */
  hostPointsPerJob?: number;
  /** Points per mapping job at most (1,024 by default); the groups of a round fill one job per worker slot. */
  mappingPointsPerJob?: number;
  /** How often a waiting job is checked for having vanished (a Redis restarted without its data), ms. */
  watchMs?: number;
  /** Called as each job finishes (done or failed), for progress finer than a batch. */
  onJob?: (job: Job) => void;
}

/** A job without its points: what one workload's measurements share. */
export type JobTemplate = Omit<HostMeasureJob, 'points'> | Omit<MappingGroup, 'points'>;

/** A host job's template (a mapping group names no job kind: the batcher puts it in one). */
const isHost = (template: JobTemplate): template is Omit<HostMeasureJob, 'points'> => 'kind' in template;

interface QueuePair {
  queue: Queue;
  /** The queue's events from before any job of ours was added (see queueEventsFrom), connected. */
  events: Promise<QueueEvents>;
}

const LAST_STREAM_ID = 'mapwiseLastStreamId';
/** The id of a stream's last entry, '0-0' when it has none. */
const LAST_STREAM_ID_LUA = "local e = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1) if e[1] then return e[1][1] end return '0-0'";

/**
 * The events of `queue` from now on. BullMQ's QueueEvents reads from '$', the stream's end as of
 * its first XREAD, which reaches Redis a round trip after waitUntilReady() resolves, and from '$'
 * again after every empty blocking read until an event has arrived: a job finishing in such a gap,
 * after Job.waitUntilFinished has polled its state, is never reported, and its waiter hangs.
 * Starting at the stream's last entry as of this call delivers every later event however late the
 * reading starts.
 */
export async function queueEventsFrom(queue: Queue, options: Omit<QueueEventsOptions, 'lastEventId'>): Promise<QueueEvents> {
  const client = await queue.client;
  // BullMQ's client interface has no XREVRANGE; a script has (and works through every adapter).
  client.defineCommand(LAST_STREAM_ID, { numberOfKeys: 1, lua: LAST_STREAM_ID_LUA, readOnly: true });
  const last = (await client.runCommand(LAST_STREAM_ID, [queue.keys.events])) as string;
  const events = new QueueEvents(queue.name, { ...options, lastEventId: last });
  await events.waitUntilReady();
  return events;
}

const perJob = (value: number, what: string): number => {
  if (!Number.isInteger(value) || value < 1 || value > MAX_POINTS_PER_JOB) throw new RangeError(`${what} must be an integer from 1 to ${MAX_POINTS_PER_JOB}, got ${value}`);
  return value;
};

export class Coordinator {
  readonly device: string;
  /** Mapping groups asked for together go out in a few jobs (./mapping-batcher.ts). */
  readonly mappings: MappingBatcher;
  private readonly queues = new Map<string, QueuePair>();
  /** Ends each job still awaited: `close` gives up on them (their watches would keep the process alive). */
  private readonly awaited = new Set<(error: Error) => void>();
  private closing = false;
  private readonly connection: ReturnType<typeof connectionOptions>;
  private slots?: { count: Promise<number>; at: number };

  private constructor(private readonly options: CoordinatorOptions) {
    this.connection = connectionOptions(options.redis);
    this.device = checkDeviceKey(options.device ?? defaultDeviceKey());
    this.mappings = new MappingBatcher(this, perJob(options.mappingPointsPerJob ?? 1024, 'mappingPointsPerJob'));
    perJob(options.hostPointsPerJob ?? 1, 'hostPointsPerJob');
  }

  /** Connects (within 15 s, or throws naming the server without its password). */
  static async connect(options: CoordinatorOptions): Promise<Coordinator> {
    const coordinator = new Coordinator(options);
    // A bare queue first: BullMQ's QueueEvents cannot be closed before it has connected once.
    const probe = new Queue(MAPPING_QUEUE, { connection: coordinator.connection, prefix: QUEUE_PREFIX });
    probe.on('error', () => {});
    try {
      await within(probe.waitUntilReady(), 15_000, options.redis, probe);
    } finally {
      await probe.close();
    }
    return coordinator;
  }

  /** A measurer of one workload whose points run as jobs; `tuner` and `seed` name the run in job ids. */
  measurer(template: JobTemplate, run: Run): RemoteMeasurer {
    return new RemoteMeasurer(this, template, run, this.options.hostPointsPerJob ?? 1);
  }

  /** Worker slots (workers × their concurrency) live on the mapping queue, at least 1; read at most once a second. */
  mappingSlots(): Promise<number> {
    if (!this.slots || performance.now() - this.slots.at > 1000) {
      const count = this.pair('measure-mapping').queue.getWorkers().then((clients) => Math.max(1, clients.reduce((sum, c) => sum + (parseWorker(c)?.concurrency ?? 1), 0)));
      this.slots = { count, at: performance.now() };
    }
    return this.slots.count;
  }

  /**
   * Tuning jobs (as src/tune/jobs.ts builds them) with every measurement sent to the workers:
   * host kernels to this coordinator's device key, mappings to any worker.
   */
  distribute(jobs: readonly TuningJob[], run: { tuner: string; seed: number }): TuningJob[] {
    return jobs.map((job) => ({ ...job, measurer: this.measurer(templateOf(job), run) }));
  }

  /**
   * Runs one job on the workers and returns its result; throws JobFailedError when it failed for
   * good. `run` (tuner, seed) joins the payload in its id. Adding a job whose id is queued already
   * attaches to it, which is how a restarted coordinator picks up the jobs it had queued.
   */
  async run(job: Job, ...run: (string | number)[]): Promise<unknown> {
    const id = jobId(job, ...run);
    const { queue, events: eventsReady } = this.pair(job.kind);
    const events = await eventsReady;
    const add = (): Promise<BullJob> =>
      queue.add(job.kind, job, {
        jobId: id,
        attempts: this.options.attempts ?? 2,
        backoff: { type: 'fixed', delay: 1000 },
        removeOnComplete: { age: 24 * 3600 },
        removeOnFail: { age: 24 * 3600 },
      });
    // A job that failed in an earlier run is tried afresh; one queued, running or done is attached to.
    const earlier = await queue.getJob(id);
    if (earlier && (await earlier.isFailed())) await earlier.remove().catch(() => {});
    const bull = await add();
    // The job's state is also read every watchMs: a Redis that restarted without persistence has
    // lost the queue, so a job that vanished is put back (same id, still one job); and a job that
    // finished while the events stream was not yet read by its listener sends no event that
    // arrives, so a finished state ends the wait too.
    let watch: ReturnType<typeof setInterval> | undefined;
    const polled = new Promise<unknown>((resolve, reject) => {
      watch = setInterval(() => {
        void queue.getJobState(id).then(async (state) => {
          if (state === 'unknown') await add();
          if (state !== 'completed' && state !== 'failed') return;
          const done = await queue.getJob(id);
          if (state === 'completed') resolve(done?.returnvalue);
          else reject(new Error(done?.failedReason ?? 'failed'));
        }).catch(() => {});
      }, this.options.watchMs ?? 2000);
    });
    // A Redis that restarts as the wait begins has lost the job before BullMQ reads its state
    // ('Missing key for job'): that is not the job failing, and the watch puts it back.
    const signalled = bull.waitUntilFinished(events).catch((error: Error) => {
      if (/^Missing key for job/.test(error.message)) return polled;
      throw error;
    });
    let giveUp!: (error: Error) => void;
    const closed = new Promise<never>((_, reject) => (giveUp = reject));
    this.awaited.add(giveUp);
    polled.catch(() => {});
    signalled.catch(() => {});
    try {
      return await Promise.race([signalled, polled, closed]);
    } catch (error) {
      throw new JobFailedError(`job ${id} failed: ${(error as Error).message}`);
    } finally {
      this.awaited.delete(giveUp);
      clearInterval(watch);
      // Read once: a later run with the same seed computes afresh. A job given up on stays queued.
      if (!this.closing) {
        await queue.remove(id).catch(() => 0);
        this.options.onJob?.(job);
      }
    }
  }

  /** As `run`, with `onProgress` hearing what the job reports as it goes (BullMQ's progress events). */
  async runReporting(job: Job, onProgress: (data: unknown) => void): Promise<unknown> {
    const id = jobId(job);
    const events = await this.pair(job.kind).events;
    const listener = ({ jobId: from, data }: { jobId: string; data: unknown }): void => {
      if (from === id) onProgress(data);
    };
    events.on('progress', listener);
    try {
      return await this.run(job);
    } finally {
      events.off('progress', listener);
    }
  }

  /** A measurer of one search space (a host kernel's or a layer mapping's), as `distribute` gives its jobs. */
  spaceMeasurer(space: SearchSpace, run: { tuner: string; seed: number }): RemoteMeasurer {
    const workload = space instanceof Space ? `${taskKey(space.task)}@host` : space instanceof MappingSpace ? space.layer.name : '';
    return this.measurer(templateOf({ space, workload }), run);
  }

  /** Workers listening for a job kind (for host jobs: on this coordinator's device). */
  async workers(kind: Job['kind']): Promise<number> {
    return (await this.pair(kind).queue.getWorkersCount());
  }

  /** Gives up on the jobs still awaited (they stay queued, for a resumed run to attach to) and disconnects. */
  async close(): Promise<void> {
    this.closing = true;
    for (const giveUp of this.awaited) giveUp(new Error('the coordinator closed before its result came'));
    const pairs = [...this.queues.values()];
    this.queues.clear();
    await Promise.all(pairs.flatMap(({ queue, events }) => [events.then((e) => e.close(), () => {}), queue.close()]));
  }

  private pair(kind: Job['kind']): QueuePair {
    const name = queueName(kind, this.device);
    let pair = this.queues.get(name);
    if (!pair) {
      const options = { connection: this.connection, prefix: QUEUE_PREFIX };
      const queue = new Queue(name, options);
      // Connection trouble is retried by ioredis; the jobs wait meanwhile. Every job waiting listens on both.
      queue.on('error', () => {});
      queue.setMaxListeners(0);
      const events = queueEventsFrom(queue, options).then((e) => {
        e.on('error', () => {});
        e.setMaxListeners(0);
        return e;
      });
      events.catch(() => {}); // awaited where jobs are added; connection errors surface there
      pair = { queue, events };
      this.queues.set(name, pair);
    }
    return pair;
  }
}

function templateOf(job: Pick<TuningJob, 'space' | 'workload'>): JobTemplate {
  if (job.space instanceof Space) return { kind: 'measure-host', workload: job.workload, task: job.space.task };
  if (job.space instanceof MappingSpace) return mappingGroupTemplate(job.workload, job.space.layer, job.space.target);
  throw new Error(`${job.workload}: no job kind measures this space`);
}

/**
 * Measures a batch on the workers and returns the results in order: host batches split into
 * jobs of `hostPerJob` points, mapping batches through the coordinator's batcher. A job that
 * fails for good gives failed measurements that say why.
 */
export class RemoteMeasurer implements Measurer {
  constructor(
    private readonly coordinator: Coordinator,
    readonly template: JobTemplate,
    readonly run: Run,
    readonly hostPerJob: number,
  ) {}

  async measure(points: readonly Point[]): Promise<MeasureResult[]> {
    const template = this.template;
    if (isHost(template)) {
      const chunks: Point[][] = [];
      for (let i = 0; i < points.length; i += this.hostPerJob) chunks.push(points.slice(i, i + this.hostPerJob));
      const results = await Promise.all(chunks.map((chunk) => this.checked(chunk.length, () => this.coordinator.run({ ...template, points: chunk.map((p) => [...p]) }, this.run.tuner, this.run.seed))));
      return results.flat();
    }
    return this.checked(points.length, () => this.coordinator.mappings.measure({ ...template, points: points.map((p) => [...p]) }, this.run));
  }

  private async checked(count: number, measure: () => Promise<unknown>): Promise<MeasureResult[]> {
    const host = isHost(this.template);
    const failed = (text: string): MeasureResult[] =>
      Array.from({ length: count }, () => (host ? failedResult(ErrorCode.runtimeError, text) : { costs: [], errorCode: ErrorCode.runtimeError, errorText: text, timestamp: Date.now() }));
    let value: unknown;
    try {
      value = await measure();
    } catch (error) {
      if (error instanceof JobFailedError) return failed(error.message);
      throw error;
    }
    if (!Array.isArray(value) || value.length !== count) return failed(`${this.template.workload}: expected ${count} results, got ${JSON.stringify(value)?.slice(0, 80)}`);
    return value.map(reviveResult);
  }
}
