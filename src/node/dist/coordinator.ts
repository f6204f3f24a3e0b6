// The coordinator's side of scale-out: the tuning loop runs here as always, with a Measurer that
// splits each batch into jobs on Redis (BullMQ), waits for the workers' results and hands them
// back in order. Search, records and resume stay in this process; workers only measure.
//
// A job's id derives from its kind, workload, tuner, seed and points (./jobs.ts), so a job taken
// over from a dead worker, or queued again by a restarted coordinator, is still one job whose
// result arrives once. A job that fails for good (a worker error after every attempt, too many
// stalls) comes back as failed measurements with the reason, never as a hang or a throw.
import { Queue, QueueEvents } from 'bullmq';
import { MappingSpace } from '../../sim/mapping-space.js';
import type { TuningJob } from '../../tune/jobs.js';
import { failedResult } from '../../tune/measure.js';
import { ErrorCode, type Measurer, type MeasureResult } from '../../base/result.js';
import type { Point } from '../../base/search-space.js';
import { Space } from '../../tune/space/space.js';
import { configFields, type HostMeasureJob, type Job, jobId, type MappingMeasureJob, MAX_POINTS_PER_JOB, reviveResult } from './jobs.js';
import { checkDeviceKey, connectionOptions, defaultDeviceKey, QUEUE_PREFIX, queueName, within } from './queues.js';

export interface CoordinatorOptions {
  redis: string;
  /** The device host measurements must run on; the default is this machine's key. */
  device?: string;
  /** Tries of a job that fails on a worker (not counting take-overs from dead workers). */
  attempts?: number;
  /** Points per job: host measurements spread one by one by default, simulated ones go 8 at a time. */
  hostPointsPerJob?: number;
  mappingPointsPerJob?: number;
}

/** A job without its points: what one workload's measurements share. */
export type JobTemplate = Omit<HostMeasureJob, 'points'> | Omit<MappingMeasureJob, 'points'>;

interface QueuePair {
  queue: Queue;
  events: QueueEvents;
  /** Both connected: a job added before its events stream is read could finish unseen. */
  ready: Promise<unknown>;
}

export class Coordinator {
  readonly device: string;
  private readonly queues = new Map<string, QueuePair>();
  private readonly connection: ReturnType<typeof connectionOptions>;

  private constructor(private readonly options: CoordinatorOptions) {
    this.connection = connectionOptions(options.redis);
    this.device = checkDeviceKey(options.device ?? defaultDeviceKey());
  }

  /** Connects (within 15 s, or throws naming the server without its password). */
  static async connect(options: CoordinatorOptions): Promise<Coordinator> {
    const coordinator = new Coordinator(options);
    try {
      await within(coordinator.pair('measure-mapping').queue.waitUntilReady(), 15_000, options.redis);
    } catch (error) {
      await coordinator.close();
      throw error;
    }
    return coordinator;
  }

  /** A measurer of one workload whose points run as jobs; `tuner` and `seed` name the run in job ids. */
  measurer(template: JobTemplate, run: { tuner: string; seed: number }): RemoteMeasurer {
    const per = template.kind === 'measure-host' ? this.options.hostPointsPerJob ?? 1 : this.options.mappingPointsPerJob ?? 8;
    if (!Number.isInteger(per) || per < 1 || per > MAX_POINTS_PER_JOB) throw new RangeError(`points per job must be an integer from 1 to ${MAX_POINTS_PER_JOB}, got ${per}`);
    return new RemoteMeasurer(this.pair(template.kind), template, run, per, this.options.attempts ?? 2);
  }

  /**
   * Tuning jobs (as src/tune/jobs.ts builds them) with every measurement sent to the workers:
   * host kernels to this coordinator's device key, mappings to any worker.
   */
  distribute(jobs: readonly TuningJob[], run: { tuner: string; seed: number }): TuningJob[] {
    return jobs.map((job) => ({ ...job, measurer: this.measurer(templateOf(job), run) }));
  }

  /** Workers listening for a job kind (for host jobs: on this coordinator's device). */
  async workers(kind: Job['kind']): Promise<number> {
    return (await this.pair(kind).queue.getWorkersCount());
  }

  async close(): Promise<void> {
    const pairs = [...this.queues.values()];
    this.queues.clear();
    await Promise.all(pairs.flatMap(({ queue, events }) => [events.close(), queue.close()]));
  }

  private pair(kind: Job['kind']): QueuePair {
    const name = queueName(kind, this.device);
    let pair = this.queues.get(name);
    if (!pair) {
      const options = { connection: this.connection, prefix: QUEUE_PREFIX };
      const queue = new Queue(name, options);
      const events = new QueueEvents(name, options);
      const ready = Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
      ready.catch(() => {}); // awaited where jobs are added; connection errors surface there
      pair = { queue, events, ready };
      // Connection trouble is retried by ioredis; the jobs wait meanwhile.
      pair.queue.on('error', () => {});
      pair.events.on('error', () => {});
      this.queues.set(name, pair);
    }
    return pair;
  }
}

function templateOf(job: TuningJob): JobTemplate {
  if (job.space instanceof Space) return { kind: 'measure-host', workload: job.workload, task: job.space.task };
  if (job.space instanceof MappingSpace) {
    const dram = job.space.target.dramBytesPerCycle;
    return {
      kind: 'measure-mapping',
      workload: job.workload,
      layer: job.space.layer,
      config: configFields(job.space.target.config),
      dramBytesPerCycle: Number.isFinite(dram) ? dram : 'infinite',
    };
  }
  throw new Error(`${job.workload}: no job kind measures this space`);
}

/** Splits each batch into jobs of at most `perJob` points and returns their results in order. */
export class RemoteMeasurer implements Measurer {
  constructor(
    private readonly pair: QueuePair,
    readonly template: JobTemplate,
    readonly run: { tuner: string; seed: number },
    readonly perJob: number,
    private readonly attempts: number,
  ) {}

  async measure(points: readonly Point[]): Promise<MeasureResult[]> {
    const chunks: Point[][] = [];
    for (let i = 0; i < points.length; i += this.perJob) chunks.push(points.slice(i, i + this.perJob));
    const results = await Promise.all(chunks.map((chunk) => this.measureChunk(chunk)));
    return results.flat();
  }

  private async measureChunk(points: readonly Point[]): Promise<MeasureResult[]> {
    const job = { ...this.template, points: points.map((p) => [...p]) } as Job;
    const id = jobId(job, this.run.tuner, this.run.seed);
    const failed = (text: string): MeasureResult[] =>
      points.map(() => (job.kind === 'measure-host' ? failedResult(ErrorCode.runtimeError, text) : { costs: [], errorCode: ErrorCode.runtimeError, errorText: text, timestamp: Date.now() }));
    const { queue, events, ready } = this.pair;
    await ready;
    // Same id, same job: adding it again (a retry, a restarted coordinator) attaches to the one queued.
    const bull = await queue.add(job.kind, job, {
      jobId: id,
      attempts: this.attempts,
      backoff: { type: 'fixed', delay: 1000 },
      removeOnComplete: { age: 24 * 3600 },
      removeOnFail: { age: 24 * 3600 },
    });
    let value: unknown;
    try {
      value = await bull.waitUntilFinished(events);
    } catch (error) {
      return failed(`job ${id} failed: ${(error as Error).message}`);
    } finally {
      // Read once: a later run with the same seed measures afresh.
      await queue.remove(id).catch(() => 0);
    }
    if (!Array.isArray(value) || value.length !== points.length) return failed(`job ${id}: expected ${points.length} results, got ${JSON.stringify(value)?.slice(0, 80)}`);
    return value.map(reviveResult);
  }
}
