// Scale-out on Redis (BullMQ): a coordinator in this process runs the tuning loop, `mapwise
// worker` processes measure. On a simulated target the records must be those of a local run,
// also when a worker is killed mid-job; a bad payload is a failed job naming its field.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Queue, QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCore } from '../../src/core/load.js';
import type { Core } from '../../src/core/core.js';
import type { Graph } from '../../src/graph/types.js';
import { Coordinator, queueEventsFrom } from '../../src/node/dist/coordinator.js';
import { jobId, type MappingGroup, type MappingMeasureJob, type MappingSearchJob, parseJob } from '../../src/node/dist/jobs.js';
import { checkDeviceKey, defaultDeviceKey, QUEUE_PREFIX, MAPPING_QUEUE, redactUrl } from '../../src/node/dist/queues.js';
import { loadModel } from '../../src/node/models.js';
import { workerTuningJobs } from '../../src/node/tuning-jobs.js';
import { type TuningJob, tuneJob } from '../../src/tune/jobs.js';
import type { TuningRecord } from '../../src/tune/records.js';
import { pointKey } from '../../src/base/search-space.js';
import { startRedis, startWorker, type RedisServer, type WorkerProcess } from '../helpers/redis.js';

const TARGET = 'systolic:eyeriss';
const RUN = { tuner: 'autotvm', seed: 3 } as const;

let core: Core;
let graph: Graph;
beforeAll(async () => {
  core = await getCore();
  graph = await loadModel('alexnetconvs');
});

/** Tunes `jobs` one after another; returns every record in the order the loop wrote them. */
async function tuneAll(jobs: TuningJob[], trials: number, onBatch?: (records: TuningRecord[]) => void): Promise<TuningRecord[]> {
  const records: TuningRecord[] = [];
  for (const job of jobs) {
    await tuneJob(core, job, {
      tuner: RUN.tuner, seed: RUN.seed, trials, batchSize: 16,
      onRecords: (batch) => {
        records.push(...batch);
        onBatch?.(batch);
      },
    });
  }
  return records;
}

const withoutTimestamps = (records: TuningRecord[]): unknown[] => records.map((r) => ({ ...r, result: { ...r.result, timestamp: 0 } }));

function mappingJob(points: number[][]): MappingMeasureJob {
  const job = workerTuningJobs(core, graph, TARGET)[0]!;
  const space = job.space as unknown as { layer: MappingMeasureJob['layer']; target: { config: MappingMeasureJob['config'] } };
  const c = space.target.config;
  const group: MappingGroup = {
    workload: job.workload, layer: space.layer, points, dramBytesPerCycle: 10,
    config: {
      runName: c.runName, rows: c.rows, cols: c.cols, ifmapSramKiB: c.ifmapSramKiB, filterSramKiB: c.filterSramKiB, ofmapSramKiB: c.ofmapSramKiB,
      ifmapOffset: c.ifmapOffset, filterOffset: c.filterOffset, ofmapOffset: c.ofmapOffset, dataflow: c.dataflow,
      interfaceBandwidth: c.interfaceBandwidth, bandwidthWordsPerCycle: c.bandwidthWordsPerCycle,
    },
  };
  return { kind: 'measure-mapping', groups: [group] };
}

/** The job with its one group changed. */
const withGroup = (job: MappingMeasureJob, change: Record<string, unknown>): unknown => ({ ...job, groups: [{ ...job.groups[0]!, ...change }] });

describe('jobs (no Redis)', () => {
  it('accept the closed list of kinds and name the field of a bad payload', () => {
    const good = mappingJob([[0, 0, 0, 0, 1]]);
    const roundTrip = (job: unknown): unknown => JSON.parse(JSON.stringify(job));
    expect(parseJob('measure-mapping', roundTrip(good))).toEqual(good);
    expect(() => parseJob('run-shell', roundTrip(good))).toThrow(/job kind 'run-shell' is not one of measure-host, measure-mapping, tune-mapping/);
    expect(() => parseJob('measure-mapping', withGroup(good, { points: [[0, 0, 0, 0, 9]] }))).toThrow(/field 'groups\[0\]\.points\[0\]'.*doubleBuffer/);
    expect(() => parseJob('measure-mapping', withGroup(good, { config: { ...good.groups[0]!.config, rows: -4 } }))).toThrow(/field 'groups\[0\]\.config'.*rows must be a positive integer/);
    expect(() => parseJob('measure-mapping', { ...good, script: 'rm -rf /' })).toThrow(/field 'job.script' is not part of the job/);
    expect(() => parseJob('measure-mapping', withGroup(good, { script: 'rm -rf /' }))).toThrow(/field 'groups\[0\]\.script' is not part of the job/);
    expect(() => parseJob('measure-mapping', { ...good, groups: [] })).toThrow(/field 'groups' must be an array of 1 to 4096 groups/);
    // Groups of several workloads, but no more points in all than a job holds.
    const two = { ...good, groups: [good.groups[0]!, { ...good.groups[0]!, workload: 'other' }] };
    expect(parseJob('measure-mapping', roundTrip(two))).toEqual(two);
    const many = Array.from({ length: 4097 }, () => [0, 0, 0, 0, 1]);
    expect(() => parseJob('measure-mapping', { ...good, groups: [{ ...good.groups[0]!, points: many.slice(0, 2049) }, { ...good.groups[0]!, points: many.slice(0, 2048) }] })).toThrow(/field 'groups' holds 4097 points; a job holds at most 4096/);
    // Co-design's optional fields: a sparse array, and the whole result asked back.
    expect(parseJob('measure-mapping', roundTrip(withGroup(good, { sparseRep: 'csr', detail: true })))).toEqual(withGroup(good, { sparseRep: 'csr', detail: true }));
    expect(() => parseJob('measure-mapping', withGroup(good, { sparseRep: 'bitmap' }))).toThrow(/field 'groups\[0\]\.sparseRep' must be one of csr, csc, ellpack_block/);
    expect(() => parseJob('measure-mapping', withGroup(good, { detail: 1 }))).toThrow(/field 'groups\[0\]\.detail' must be true when given/);
    const { layer: _, ...noLayer } = good.groups[0]!;
    expect(() => parseJob('measure-mapping', { ...good, groups: [noLayer] })).toThrow(/field 'groups\[0\]\.layer' is missing/);
    expect(() => parseJob('measure-host', { kind: 'measure-host', workload: 'w', points: [[0]], task: { name: 't', kind: 'conv2d', shape: { n: 1 }, flops: 1 } })).toThrow(/field 'task.shape.h' is missing/);
  });

  it('check a whole layer\'s search: its array, tuner, trials and earlier records, which must be whole records of its layer', async () => {
    const { points: _, ...group } = mappingJob([[0, 0, 0, 0, 1]]).groups[0]!;
    const layer = workerTuningJobs(core, graph, TARGET)[0]!;
    const logged = await tuneAll([layer], 4);
    const previous = logged.map((r) => JSON.stringify(r)).join('\n');
    const good: MappingSearchJob = { kind: 'tune-mapping', group, tuner: 'autotvm', seed: 3, trials: 8, batchSize: 4, previous };
    expect(parseJob('tune-mapping', JSON.parse(JSON.stringify(good)))).toEqual(good);
    expect(parseJob('tune-mapping', { ...good, earlyStopping: 2 })).toEqual({ ...good, earlyStopping: 2 });
    expect(() => parseJob('tune-mapping', { ...good, tuner: 'eval' })).toThrow(/field 'tuner' must be one of random, grid, ga, autotvm, chameleon/);
    expect(() => parseJob('tune-mapping', { ...good, trials: 0 })).toThrow(/field 'trials' must be a positive integer/);
    expect(() => parseJob('tune-mapping', { ...good, group: { ...group, points: [[0, 0, 0, 0, 1]] } })).toThrow(/field 'group.points' is not part of the job/);
    expect(() => parseJob('tune-mapping', { ...good, group: { ...group, config: { ...group.config, cols: 0 } } })).toThrow(/field 'group.config'.*cols must be a positive integer/);
    expect(() => parseJob('tune-mapping', { ...good, previous: previous.replace(group.workload, 'conv2d:other') })).toThrow(/field 'previous' must hold whole records of workload .* only: conv2d:other/);
    expect(() => parseJob('tune-mapping', { ...good, previous: `${previous}\n{"v":1,` })).toThrow(/field 'previous' must hold whole records.*half-written/);
    expect(() => parseJob('tune-mapping', { ...good, previous: `{"v":2}\n${previous}` })).toThrow(/field 'previous': .*field 'v' must be 1/);
  });

  it('derive ids from workload, points, tuner and seed, in the characters BullMQ takes', () => {
    const job = mappingJob([[0, 0, 0, 0, 1], [1, 0, 0, 0, 1]]);
    expect(jobId(job, 'autotvm', 3)).toBe(jobId(structuredClone(job), 'autotvm', 3));
    expect(jobId(job, 'autotvm', 4)).not.toBe(jobId(job, 'autotvm', 3));
    expect(jobId(withGroup(job, { points: [[1, 0, 0, 0, 1]] }) as MappingMeasureJob, 'autotvm', 3)).not.toBe(jobId(job, 'autotvm', 3));
    expect(jobId(job, 'autotvm', 3)).toMatch(/^measure-mapping-[0-9a-f]{32}$/);
    expect(checkDeviceKey(defaultDeviceKey('simd'))).toMatch(/^node\d+-.*-simd$/);
    expect(() => checkDeviceKey('a:b')).toThrow(/device key/);
    expect(redactUrl('redis://user:s3cret@127.0.0.1:6379/0')).not.toContain('s3cret');
  });
});

/** Bare packages a built module loads statically, through its relative imports. */
function staticPackages(entry: string): Set<string> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file) || !existsSync(file)) return;
    seen.add(file);
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\s+(?:[\w$*{}\s,]+from\s*)?['"]([^'"]+)['"]/gm)) {
      if (spec!.startsWith('.')) visit(join(dirname(file), spec!));
      else packages.add(spec!);
    }
  };
  visit(entry);
  return packages;
}

it('BullMQ loads only in the handlers of worker and tune --redis', () => {
  for (const entry of ['dist/cli/index.js', 'dist/cli/commands/tune.js', 'dist/cli/commands/worker.js', 'dist/cli/commands/workers.js', 'dist/cli/commands/codesign.js', 'dist/cli/commands/compile.js', 'dist/cli/commands/train-scheduler.js', 'dist/src/node/index.js', 'dist/src/api/tune.js', 'dist/src/api/codesign.js']) {
    const packages = staticPackages(entry);
    expect(packages.has('bullmq') || packages.has('ioredis'), entry).toBe(false);
  }
  expect(staticPackages('dist/src/node/dist/worker.js').has('bullmq')).toBe(true); // the walker sees it where it is
});

describe('tune --redis on a simulated target', () => {
  let redis: RedisServer;
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.kill()));
    await redis?.stop();
  });

  it('gives the records of a local run with the same seed (two workers)', async () => {
    workers.push(...(await Promise.all([startWorker(redis.url, '--stall-timeout', '2'), startWorker(redis.url, '--stall-timeout', '2')])));
    const local = await tuneAll(workerTuningJobs(core, graph, TARGET).slice(0, 2), 48);
    const coordinator = await Coordinator.connect({ redis: redis.url, mappingPointsPerJob: 4 });
    try {
      expect(await coordinator.workers('measure-mapping')).toBe(2);
      const remote = await tuneAll(coordinator.distribute(workerTuningJobs(core, graph, TARGET).slice(0, 2), RUN), 48);
      expect(remote).toHaveLength(96);
      expect(withoutTimestamps(remote)).toEqual(withoutTimestamps(local));
    } finally {
      await coordinator.close();
    }
    // Both workers took part.
    for (const w of workers) expect(w.log()).toMatch(/measure-mapping-[0-9a-f]+ mapping:.*: 4 points in \d+ ms, done/);
  });

  it('mapwise tune --redis reports what a local tune does', async () => {
    const tune = async (...extra: string[]): Promise<{ layers: Record<string, unknown>[] }> => {
      const args = ['bin/mapwise.js', 'tune', 'alexnetconvs', '--layer', '1', '--target', TARGET, '--trials', '32', '--batch-size', '16', '--json', ...extra];
      try {
        const { stdout } = await promisify(execFile)('node', args, { timeout: 40_000 });
        return JSON.parse(stdout);
      } catch (error) {
        throw new Error(`${args.join(' ')}: ${(error as { stderr?: string }).stderr}\nworkers:\n${workers.map((w) => w.log()).join('\n')}`);
      }
    };
    const [local, remote] = await Promise.all([tune(), tune('--redis', redis.url)]);
    const strip = (r: { layers: Record<string, unknown>[] }): unknown => r.layers.map(({ seconds: _, ...layer }) => layer);
    expect(strip(remote)).toEqual(strip(local));
    expect(remote.layers[0]!.bestCost).toBeGreaterThan(0);
  });

  it('hears of a job that finished before its events were read', async () => {
    const options = { connection: { url: redis.url }, prefix: QUEUE_PREFIX };
    const queue = new Queue(MAPPING_QUEUE, options);
    // Neither reads the stream until run(): BullMQ's own starts at the stream's end as of its
    // first read, after the job's events; ours at its end as of its creation, before them.
    const bare = new QueueEvents(MAPPING_QUEUE, { ...options, autorun: false });
    const pinned = await queueEventsFrom(queue, { ...options, autorun: false });
    try {
      const job = await queue.add('measure-mapping', mappingJob([[0, 0, 0, 0, 1]]));
      for (let i = 0; i < 1000 && !(await job.isCompleted()); i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(await job.isCompleted()).toBe(true);
      const heard = (events: QueueEvents): Promise<boolean> => {
        const done = new Promise<boolean>((resolve) => events.once(`completed:${job.id}`, () => resolve(true)));
        void events.run().catch(() => {});
        return Promise.race([done, new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 1000))]);
      };
      expect(await heard(pinned)).toBe(true);
      expect(await heard(bare)).toBe(false);
    } finally {
      await Promise.all([bare.close(), pinned.close()]);
      await queue.close();
    }
  });

  it('ends a wait whose finish event never arrives, from the job state it reads', async () => {
    const coordinator = await Coordinator.connect({ redis: redis.url, watchMs: 50 });
    try {
      // Events that never come stand for a stream its listener read too late.
      const pair = (coordinator as unknown as { pair(kind: string): { events: unknown } }).pair('measure-mapping');
      await ((await pair.events) as QueueEvents).close();
      pair.events = Promise.resolve({ on: () => {}, removeListener: () => {}, waitUntilReady: async () => {}, close: async () => {} });
      const [[result]] = (await coordinator.run(mappingJob([[0, 0, 0, 0, 1]]), 'poll', 1)) as { costs: number[] }[][];
      expect(result!.costs[0]).toBeGreaterThan(0);
    } finally {
      await coordinator.close();
    }
  });

  it('fails a job with a bad payload naming the field, and the worker carries on', async () => {
    const queue = new Queue(MAPPING_QUEUE, { connection: { url: redis.url }, prefix: QUEUE_PREFIX });
    // The job's own state, polled: an event stream read after the job finished would never report it.
    const outcome = async (id: string): Promise<{ state: string; job: Awaited<ReturnType<typeof queue.getJob>> }> => {
      for (const until = Date.now() + 20_000; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) {
        const state = await queue.getJobState(id);
        if (state === 'completed' || state === 'failed') return { state, job: await queue.getJob(id) };
      }
      throw new Error(`job ${id} did not finish in 20 s`);
    };
    try {
      const bad = await queue.add('measure-mapping', withGroup(mappingJob([[0, 0, 0, 0, 1]]), { dramBytesPerCycle: -1 }), { attempts: 3 });
      const failed = await outcome(bad.id!);
      expect(failed.state).toBe('failed');
      expect(failed.job!.failedReason).toMatch(/field 'groups\[0\]\.dramBytesPerCycle' must be a positive number/);
      expect(failed.job!.attemptsMade).toBe(1); // not retried
      const unknown = await outcome((await queue.add('eval', { code: 'process.exit(1)' })).id!);
      expect(unknown.state).toBe('failed');
      expect(unknown.job!.failedReason).toMatch(/job kind 'eval' is not one of/);
      const good = await outcome((await queue.add('measure-mapping', mappingJob([[0, 0, 0, 0, 1]]))).id!);
      expect(good.state).toBe('completed');
      expect((good.job!.returnvalue as { costs: number[] }[][])[0]![0]!.costs[0]).toBeGreaterThan(0);
    } finally {
      await queue.close();
    }
    for (const w of workers) expect(w.child.exitCode).toBeNull();
  });

  it('loses nothing when a worker is killed mid-job: another takes it over, records as a local run', async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    const jobs = () => workerTuningJobs(core, graph, TARGET).slice(2, 3);
    const local = await tuneAll(jobs(), 48);

    // A slow synthetic device (40 ms a point), so the kill lands inside a job.
    const first = await startWorker(redis.url, '--stall-timeout', '1', '--synthetic-ms', '40');
    workers.push(first);
    const queue = new Queue(MAPPING_QUEUE, { connection: { url: redis.url }, prefix: QUEUE_PREFIX });
    const coordinator = await Coordinator.connect({ redis: redis.url, mappingPointsPerJob: 4 });
    let takenOver: string[] = [];
    let second: Promise<WorkerProcess> | undefined;
    const killMidJob = async (): Promise<void> => {
      for (let i = 0; i < 200; i++) {
        const active = await queue.getActive();
        if (active.length > 0) {
          takenOver = active.map((job) => job.id!);
          await first.kill();
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error('the worker never held a job');
    };
    try {
      const remote = await tuneAll(coordinator.distribute(jobs(), RUN), 48, (batch) => {
        if (batch[0]!.batch === 0) second = killMidJob().then(() => startWorker(redis.url, '--stall-timeout', '1'));
      });
      workers.push(await second!);
      expect(first.child.signalCode).toBe('SIGKILL');
      expect(takenOver.length).toBeGreaterThan(0);
      // The job the dead worker held was finished by the other one.
      for (const id of takenOver) expect(workers.at(-1)!.log()).toContain(`${id} `);
      expect(first.log()).not.toMatch(new RegExp(`${takenOver[0]} .*done`));
      expect(new Set(remote.map((r) => pointKey(r.config.point))).size).toBe(48);
      expect(withoutTimestamps(remote)).toEqual(withoutTimestamps(local));
    } finally {
      await coordinator.close();
      await queue.close();
    }
  });
});
