// A worker: takes jobs from Redis (BullMQ) and runs them with the code local runs use: the
// isolated kernel measurer for host jobs, the mapping model for simulated ones, the exact
// co-design search for codesign slices, the tuning loop for layer searches, the teacher MILP for
// training labels. It serves the shared queues of the deterministic kinds and its own device's
// host queue.
//
// A worker killed mid-job loses nothing: its lock on the job lapses after `stallTimeoutMs`, and
// any other worker's stall check puts the job back in its queue (same id, so one result).
import { type Job as BullJob, type RedisClient, UnrecoverableError, Worker } from 'bullmq';
import type { Core } from '../../core/core.js';
import { MappingModel } from '../../sim/mapping.js';
import { mappingMeasureResult, MappingSpace } from '../../sim/mapping-space.js';
import { Simulator } from '../../sim/simulate.js';
import type { MeasureResult } from '../../base/result.js';
import { spaceFor } from '../../tune/space/space.js';
import { taskKey } from '../../tune/space/task.js';
import { WorkerMeasurer } from '../measurer.js';
import { type CodesignSliceJob, incumbentKey } from './codesign.js';
import { type HostMeasureJob, type Job, JOB_KINDS, jobPoints, jobWorkload, type MappingGroup, type MappingMeasureJob, mappingTarget, parseJob, PayloadError } from './jobs.js';
import { checkDeviceKey, connectionOptions, defaultDeviceKey, QUEUE_PREFIX, queueName, within } from './queues.js';
import { workerName } from './status.js';
import { JobThread, type ThreadJob } from './thread.js';
import { warmUpMappings } from './tune-layer.js';

export interface WorkerOptions {
  /** redis:// or rediss:// URL, with user and password where the server wants them. */
  redis: string;
  /** Jobs run at once, over all its queues (host measurements at once share this machine's cores). */
  concurrency?: number;
  /** What host measurements run on; the default is derived from runtime, CPU model and flavour. */
  device?: string;
  /** How long a job's lock lasts unrenewed: a dead worker's job is taken over after about 1.5× this. */
  stallTimeoutMs?: number;
  /** Times a job may be taken over from dead workers before it fails (a failed measurement). */
  maxStalls?: number;
  /** Benchmarks and tests: wait this long per point, a synthetic device of known speed. */
  syntheticMsPerPoint?: number;
  /** Tests: a broken device, whose every measurement job throws this. */
  syntheticError?: string;
  /** One line per finished job (or failure), for the worker's log. */
  onJob?: (event: JobEvent) => void;
  /** Connection trouble and other errors that do not fail a job. */
  onError?: (message: string) => void;
}

export interface JobEvent {
  id: string;
  kind: string;
  workload: string;
  points: number;
  ms: number;
  /** 'done', or the failure's message. */
  outcome: string;
}

export interface RunningWorker {
  device: string;
  queues: string[];
  /** Finishes the jobs in hand, then disconnects. */
  close(): Promise<void>;
}

/** Sets KEYS[1] to ARGV[1] unless it holds a lower number already (a day's expiry). */
const LOWER_SCRIPT = "local v = redis.call('GET', KEYS[1]) if (not v) or tonumber(ARGV[1]) < tonumber(v) then redis.call('SET', KEYS[1], ARGV[1], 'EX', 86400) end return 0";

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Measures validated jobs; keeps the spaces and measurers of recent workloads. */
class JobRunner {
  private model: MappingModel;
  private readonly mappingSpaces = new Map<string, MappingSpace>();
  private readonly hostMeasurers = new Map<string, WorkerMeasurer>();
  private readonly idleThreads: JobThread[] = [];

  constructor(
    private readonly core: Core,
    private readonly syntheticMsPerPoint: number,
    private readonly syntheticError: string | undefined,
    /** A connection for what jobs share beside the queues (the slices' incumbent). */
    private readonly redis: () => Promise<RedisClient>,
  ) {
    this.model = new MappingModel(new Simulator(core));
  }

  /**
   * Warms the mapping model up before the first job (see warmUpMappings), and starts a job
   * thread, which warms its own up, so a worker's first layer search waits for neither.
   * Resolves when the thread is ready.
   */
  warmUp(): Promise<void> {
    const thread = new JobThread();
    this.idleThreads.push(thread);
    warmUpMappings(this.model);
    return thread.ready;
  }

  /**
   * A codesign slice in its thread, sharing its best cycles with the other slices of the same
   * problem through Redis (kept lower only, by a script), and reading theirs four times a second.
   */
  private async codesignSlice(job: CodesignSliceJob): Promise<unknown> {
    const key = incumbentKey(job);
    const shared = new SharedArrayBuffer(8);
    const incumbent = new Float64Array(shared).fill(Number.POSITIVE_INFINITY);
    const client = await this.redis();
    client.defineCommand('mapwiseLower', { numberOfKeys: 1, lua: LOWER_SCRIPT });
    const read = async (): Promise<void> => {
      const value = await client.get(key);
      if (value !== null && Number(value) < incumbent[0]!) incumbent[0] = Number(value);
    };
    await read().catch(() => {});
    const poll = setInterval(() => void read().catch(() => {}), 250);
    try {
      return await this.inThread(job, {
        incumbent: shared,
        onBest: (cycles) => {
          if (cycles < incumbent[0]!) incumbent[0] = cycles;
          void client.runCommand('mapwiseLower', [key, String(cycles)]).catch(() => {});
        },
      });
    } finally {
      clearInterval(poll);
    }
  }

  /** Runs `job`; a layer search reports its trials so far to `onTrials`. */
  async run(job: Job, onTrials?: (trials: number) => void): Promise<unknown> {
    switch (job.kind) {
      case 'codesign-slice':
        return this.codesignSlice(job);
      case 'teacher-label':
        return this.inThread(job);
      case 'tune-mapping':
        return this.inThread(job, { msPerPoint: this.syntheticMsPerPoint, onTrials });
      default: {
        if (this.syntheticError) throw new Error(this.syntheticError);
        const results = job.kind === 'measure-host' ? await this.host(job) : this.mapping(job);
        if (this.syntheticMsPerPoint > 0) await sleep(this.syntheticMsPerPoint * jobPoints(job));
        return results;
      }
    }
  }

  /** One list of results per group. */
  private mapping(job: MappingMeasureJob): MeasureResult[][] {
    return job.groups.map((group) => {
      const space = this.mappingSpace(group);
      return group.points.map((point) => {
        const result = space.evaluate(point);
        return group.detail ? { ...mappingMeasureResult(result), mapping: result } : mappingMeasureResult(result);
      });
    });
  }

  private mappingSpace(group: MappingGroup): MappingSpace {
    const target = mappingTarget(group);
    const key = JSON.stringify([group.layer, group.config, target.dramBytesPerCycle, group.sparseRep]);
    let space = this.mappingSpaces.get(key);
    if (!space) {
      // The model caches per layer object; start afresh now and then so a long-lived worker stays small.
      if (this.mappingSpaces.size >= 256) {
        this.mappingSpaces.clear();
        this.model = new MappingModel(new Simulator(this.core));
      }
      space = new MappingSpace(this.model, target, group.layer);
      this.mappingSpaces.set(key, space);
    }
    return space;
  }

  private async host(job: HostMeasureJob): Promise<MeasureResult[]> {
    const key = taskKey(job.task);
    let measurer = this.hostMeasurers.get(key);
    if (!measurer) {
      // One measuring thread at a time per recent layer; the oldest goes when a fifth arrives.
      if (this.hostMeasurers.size >= 4) {
        const [oldestKey, oldest] = this.hostMeasurers.entries().next().value!;
        this.hostMeasurers.delete(oldestKey);
        await oldest.close();
      }
      measurer = new WorkerMeasurer(spaceFor(job.task));
      this.hostMeasurers.set(key, measurer);
    }
    return measurer.measure(job.points);
  }

  /** Runs a job on an idle thread (or a new one); a thread whose job failed is dropped. */
  private async inThread(job: ThreadJob, options?: Parameters<JobThread['run']>[1]): Promise<unknown> {
    const thread = this.idleThreads.pop() ?? new JobThread();
    try {
      const value = await thread.run(job, options);
      this.idleThreads.push(thread);
      return value;
    } catch (error) {
      void thread.terminate();
      throw error;
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.hostMeasurers.values()].map((m) => m.close()));
    this.hostMeasurers.clear();
    await Promise.all(this.idleThreads.splice(0).map((t) => t.terminate()));
  }
}

/**
 * At most `n` jobs run at once over all the worker's queues (BullMQ's concurrency counts per
 * queue), so a host timing never shares the cores with a codesign slice or a MILP. A job waiting
 * for a slot keeps its lock renewed.
 */
class Slots {
  private readonly waiting: (() => void)[] = [];

  constructor(private free: number) {}

  async take(): Promise<void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

/** How much a job holds, for the log: points, array shapes, trials or instances (`points` of its JobEvent). */
function size(job: Job): number {
  if (job.kind === 'codesign-slice') return job.shapes.length;
  if (job.kind === 'tune-mapping') return job.trials;
  return job.kind === 'teacher-label' ? 1 : jobPoints(job);
}

/** What a job is about, for the log. */
function about(job: Job): string {
  if (job.kind === 'tune-mapping') return job.group.workload;
  return job.kind === 'codesign-slice' || job.kind === 'teacher-label' ? job.workload : jobWorkload(job);
}

export async function startWorker(core: Core, options: WorkerOptions): Promise<RunningWorker> {
  const connection = connectionOptions(options.redis);
  const device = checkDeviceKey(options.device ?? defaultDeviceKey());
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  const lockDuration = options.stallTimeoutMs ?? 30_000;
  let workers: Worker[] = [];
  const runner = new JobRunner(core, options.syntheticMsPerPoint ?? 0, options.syntheticError, () => workers[0]!.client);
  const queues = JOB_KINDS.map((kind) => queueName(kind, device));

  const slots = new Slots(concurrency);
  const handle = async (bull: BullJob): Promise<unknown> => {
    let started = performance.now();
    const report = (outcome: string, points = 0, workload = ''): void =>
      options.onJob?.({ id: bull.id ?? '?', kind: bull.name, workload, points, ms: Math.round(performance.now() - started), outcome });
    let job: Job;
    try {
      job = parseJob(bull.name, bull.data);
      if (queueName(job.kind, device) !== bull.queueName) throw new PayloadError(`job kind '${job.kind}' does not belong in queue '${bull.queueName}'`);
    } catch (error) {
      report((error as Error).message);
      // A payload that is wrong now is wrong on every retry: fail the job at once.
      throw error instanceof PayloadError ? new UnrecoverableError(error.message) : error;
    }
    await slots.take();
    started = performance.now();
    try {
      // A layer search's trials so far, at most every 250 ms, as the job's progress (the coordinator's bar).
      let reported = 0;
      const results = await runner.run(job, (trials) => {
        if (performance.now() - reported < 250) return;
        reported = performance.now();
        void bull.updateProgress(trials).catch(() => {});
      });
      report('done', size(job), about(job));
      return results;
    } catch (error) {
      report(String((error as Error).message ?? error), size(job), about(job));
      throw error;
    } finally {
      slots.give();
    }
  };

  workers = queues.map((name) => {
    const worker = new Worker(name, handle, {
      connection,
      prefix: QUEUE_PREFIX,
      concurrency,
      lockDuration,
      stalledInterval: Math.max(500, Math.floor(lockDuration / 2)),
      maxStalledCount: options.maxStalls ?? 3,
      name: workerName(device, concurrency),
      autorun: false,
    });
    worker.on('error', (error) => options.onError?.(`${name}: ${error.message}`));
    return worker;
  });
  const warm = runner.warmUp();
  try {
    await Promise.all([warm, within(Promise.all(workers.map((w) => w.waitUntilReady())), 15_000, options.redis, workers[0])]);
  } catch (error) {
    await Promise.all(workers.map((w) => w.close(true)));
    throw error;
  }
  for (const worker of workers) void worker.run().catch((error: Error) => options.onError?.(error.message));
  return {
    device,
    queues,
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await runner.close();
    },
  };
}
