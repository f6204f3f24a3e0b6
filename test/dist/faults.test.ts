// Faults of a tune --redis run on a simulated target, each against the records of a local run
// with the same seed: a coordinator killed mid-run and resumed (it re-attaches to the jobs it had
// queued: none runs twice), Redis restarted mid-run (lost jobs are queued again), a worker killed
// while it searches a whole layer (another takes the search over), and a device whose every job
// fails (failed measurements carrying the error, not a hang).
import { type ChildProcess, execFile, spawn, type StdioOptions } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/base/result.js';
import { getCore } from '../../src/core/load.js';
import { Coordinator } from '../../src/node/dist/coordinator.js';
import { MAPPING_QUEUE, QUEUE_PREFIX } from '../../src/node/dist/queues.js';
import { loadModel } from '../../src/node/models.js';
import { workerTuningJobs } from '../../src/node/tuning-jobs.js';
import { tuneJob } from '../../src/tune/jobs.js';
import { tune } from '../../src/api/tune.js';
import type { TuningRecord } from '../../src/tune/records.js';
import { startRedis, startWorker, type RedisServer, type WorkerProcess } from '../helpers/redis.js';

const TUNE = ['bin/mapwise.js', 'tune', 'alexnetconvs', '--layer', '1', '--target', 'systolic:eyeriss', '--trials', '64', '--batch-size', '16', '--seed', '5', '--json'];

let redis: RedisServer;
let dir: string;
let workers: WorkerProcess[] = [];
beforeAll(async () => {
  redis = await startRedis();
  dir = mkdtempSync(join(tmpdir(), 'mapwise-faults-'));
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.kill()));
});
afterAll(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const logLines = (file: string): TuningRecord[] => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line)) : []);
const withoutTimestamps = (records: TuningRecord[]): unknown[] => records.map((r) => ({ ...r, result: { ...r.result, timestamp: 0 } }));
const exited = (child: ChildProcess): Promise<number | null> => new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));

async function until(what: string, test: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function localLog(name: string): Promise<TuningRecord[]> {
  const log = join(dir, `${name}.jsonl`);
  await promisify(execFile)('node', [...TUNE, '--log', log], { timeout: 60_000 });
  return logLines(log);
}

/** Each job id a worker finished, with how many times. */
function finished(...logs: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [, id] of logs.join('\n').matchAll(/^(measure-mapping-[0-9a-f]+) .*, done$/gm)) counts.set(id!, (counts.get(id!) ?? 0) + 1);
  return counts;
}

/** `mapwise tune` of AlexNet's five conv layers, 32 trials each: with --redis, whole layers searched on the workers. */
const wholeLayers = (seed: number): string[] => ['bin/mapwise.js', 'tune', 'alexnetconvs', '--target', 'systolic:eyeriss', '--tuner', 'random', '--trials', '32', '--batch-size', '8', '--seed', String(seed), '--json'];

/** Records grouped by workload, each layer's in its order (layers searched side by side finish in any order). */
const byWorkload = (records: TuningRecord[]): unknown[] => withoutTimestamps([...records].sort((a, b) => (a.workload < b.workload ? -1 : a.workload > b.workload ? 1 : 0)));

/**
 * The local run's log of `wholeLayers(seed)`, then the same run with --redis on a worker of 10 ms a
 * point (a search takes 320 ms or more, one at a time), once its first layer is logged.
 */
async function searchingOnAWorker(name: string, seed: number, stdio: StdioOptions): Promise<{ localLog: string; log: string; run: ChildProcess }> {
  const localLog = join(dir, `${name}-local.jsonl`);
  await promisify(execFile)('node', [...wholeLayers(seed), '--log', localLog], { timeout: 60_000 });
  workers.push(await startWorker(redis.url, '--synthetic-ms', '10'));
  const log = join(dir, `${name}.jsonl`);
  const run = spawn('node', [...wholeLayers(seed), '--log', log, '--redis', redis.url], { stdio });
  await until('a layer logged', () => logLines(log).length >= 32);
  return { localLog, log, run };
}

describe('faults of tune --redis', () => {
  it('a coordinator killed mid-run resumes with --resume, re-attaches to the jobs it had queued, and writes the local records', async () => {
    const local = await localLog('local-resume');
    workers.push(await startWorker(redis.url, '--synthetic-ms', '40', '--concurrency', '2'));
    const log = join(dir, 'killed.jsonl');
    const queue = new Queue(MAPPING_QUEUE, { connection: { url: redis.url }, prefix: QUEUE_PREFIX });
    try {
      const first = spawn('node', [...TUNE, '--log', log, '--redis', redis.url], { stdio: 'ignore' });
      // Killed once a batch is logged and the next one's jobs are queued or running.
      await until('a batch logged and the next queued', async () => logLines(log).length >= 16 && (await queue.count()) + (await queue.getActiveCount()) > 0);
      first.kill('SIGKILL');
      await exited(first);
      expect(logLines(log).length).toBeLessThan(64);
      const { stdout } = await promisify(execFile)('node', [...TUNE, '--log', log, '--resume', '--redis', redis.url], { timeout: 60_000 });
      expect(JSON.parse(stdout).layers[0].trials).toBe(64);
    } finally {
      await queue.close();
    }
    expect(withoutTimestamps(logLines(log))).toEqual(withoutTimestamps(local));
    const counts = finished(workers[0]!.log());
    expect(counts.size).toBe(64 / 8); // 8 points a job
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });

  it('a Redis restarted mid-run pauses the run, which then continues to the local records', async () => {
    const local = await localLog('local-restart');
    workers.push(await startWorker(redis.url, '--synthetic-ms', '30'));
    const log = join(dir, 'restart.jsonl');
    const run = promisify(execFile)('node', [...TUNE, '--log', log, '--redis', redis.url], { timeout: 90_000 });
    await until('a batch logged', () => logLines(log).length >= 16);
    await redis.restart(1500);
    const { stdout } = await run;
    expect(JSON.parse(stdout).layers[0].trials).toBe(64);
    expect(withoutTimestamps(logLines(log))).toEqual(withoutTimestamps(local));
  });

  it('a coordinator killed while whole layers are searched resumes with --resume, re-attached to their searches: the local records, no search run twice', async () => {
    const { localLog, log, run: first } = await searchingOnAWorker('layers-killed', 7, 'ignore');
    first.kill('SIGKILL');
    await exited(first);
    expect(logLines(log).length).toBeLessThan(5 * 32);
    const { stdout } = await promisify(execFile)('node', [...wholeLayers(7), '--log', log, '--resume', '--redis', redis.url], { timeout: 60_000 });
    expect(JSON.parse(stdout).layers.map((l: { trials: number }) => l.trials)).toEqual([32, 32, 32, 32, 32]);
    expect(byWorkload(logLines(log))).toEqual(byWorkload(logLines(localLog)));
    const searches = [...workers[0]!.log().matchAll(/^(tune-mapping-[0-9a-f]+) .*, done$/gm)].map((m) => m[1]);
    expect(searches).toHaveLength(5);
    expect(new Set(searches).size).toBe(5);
  });

  it('tune --redis stopped by Ctrl-C while whole layers are searched exits at once with the layers done, and --resume ends with the local records', async () => {
    const { localLog, log, run: first } = await searchingOnAWorker('stopped', 8, ['ignore', 'pipe', 'ignore']);
    let stdout = '';
    first.stdout!.on('data', (chunk) => (stdout += chunk));
    first.kill('SIGINT');
    // The searches still running are given up on: nothing keeps the process alive.
    const code = await Promise.race([exited(first), new Promise((resolve) => setTimeout(() => resolve('still running'), 10_000))]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).interrupted).toBe(true);
    expect(logLines(log).length).toBeLessThan(5 * 32);
    await promisify(execFile)('node', [...wholeLayers(8), '--log', log, '--resume', '--redis', redis.url], { timeout: 60_000 });
    expect(byWorkload(logLines(log))).toEqual(byWorkload(logLines(localLog)));
  });

  it('a worker killed while it searches a layer: another takes the search over, and every layer\'s records are the local run\'s, once; progress counts trials as they come', async () => {
    const options = { target: 'systolic:eyeriss', tuner: 'random', trials: 32, batchSize: 8, seed: 4 } as const;
    const local = await tune('alexnetconvs', options);
    // An empty Redis: the earlier tests' workers ran the stall check with a 15 s interval, and
    // BullMQ skips the check while the key the last one left has not expired.
    await redis.restart(50);
    // 5 ms a point: each search takes 160 ms or more, so a worker dies holding one.
    const args = ['--synthetic-ms', '5', '--stall-timeout', '1'];
    workers.push(await startWorker(redis.url, ...args), await startWorker(redis.url, ...args));
    const queue = new Queue('tune-mapping', { connection: { url: redis.url }, prefix: QUEUE_PREFIX });
    try {
      const progress: number[] = [];
      const run = tune('alexnetconvs', { ...options, redis: redis.url, onProgress: (e) => progress.push(e.done) });
      await until('both workers searching', async () => (await queue.getActiveCount()) === 2);
      await workers[0]!.kill();
      const remote = await run;
      expect(remote.records).toHaveLength(32 * 5);
      // The searches reported their trials as they went, not only when done.
      expect(progress.some((done) => done % 32 !== 0)).toBe(true);
      expect(progress.at(-1)).toBe(32 * 5);
      expect(byWorkload(remote.records)).toEqual(byWorkload(local.records));
    } finally {
      await queue.close();
    }
    // The survivor finished the killed worker's search as well as its own share.
    const done = [...workers[1]!.log().matchAll(/^tune-mapping-[0-9a-f]+ .*: 32 trials in \d+ ms, done$/gm)].length;
    expect(done).toBeGreaterThanOrEqual(5 - [...workers[0]!.log().matchAll(/, done$/gm)].length);
  });

  it('a job that fails on every attempt becomes failed measurements carrying the error', async () => {
    workers.push(await startWorker(redis.url, '--synthetic-error', 'the device is on fire'));
    const core = await getCore();
    const graph = await loadModel('alexnetconvs');
    const coordinator = await Coordinator.connect({ redis: redis.url, attempts: 2, mappingPointsPerJob: 8 });
    const records: TuningRecord[] = [];
    try {
      const [job] = coordinator.distribute(workerTuningJobs(core, graph, 'systolic:eyeriss').slice(0, 1), { tuner: 'random', seed: 9 });
      const report = await tuneJob(core, job!, { tuner: 'random', seed: 9, trials: 16, batchSize: 16, onRecords: (batch) => void records.push(...batch) });
      expect(report.trials).toBe(16);
    } finally {
      await coordinator.close();
    }
    expect(records).toHaveLength(16);
    for (const r of records) {
      expect(r.result.errorCode).toBe(ErrorCode.runtimeError);
      expect(r.result.errorText).toMatch(/job measure-mapping-[0-9a-f]+ failed: the device is on fire/);
    }
    // Two attempts of each of the two jobs, then no more. The worker's log comes through a pipe,
    // which may deliver its last line after Redis has told the coordinator of the failure.
    const failures = (): number => workers[0]!.log().match(/the device is on fire$/gm)?.length ?? 0;
    await until('the last failure logged', () => failures() >= 4, 5_000);
    expect(failures()).toBe(4);
  });
});
