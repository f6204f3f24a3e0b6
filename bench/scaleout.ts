// `npm run bench -- scaleout [--json] [--network resnet18] [--tune-model resnet18convs] [--tuner autotvm] [--trials 512] [--batch-size 64] [--kills 10] [--skip codesign,tune,arco,synthetic,faults]`
// Scale-out on Redis (issue 18), against a private redis-server and `mapwise worker` processes:
//   codesign   the exact co-design optimum (a SCALE-Sim network, the default area budget) here, on
//              1 and on 2 workers: the same optimum, the speed-up of 2 over 1, and the overhead of
//              going through Redis (1 worker against the local search);
//   tune       a simulated-target tuning run (ResNet-18's convolutions with `tune`'s default
//              tuner, AutoTVM's, through the library's `tune`: whole layers searched on the workers
//              side by side) the same way: each layer's records as here; and, as this machine's own
//              ceiling for 2 workers, the same run in one `mapwise tune` process and in two at once
//              (no Redis; each process from cold, so a little below the ceiling of warm workers);
//   arco       ARCO co-designing the same network (default area budget and call budget) here and
//              with its layer simulations on 1 and 2 workers: the same records, and what the trips
//              through Redis cost a search whose simulations take microseconds to milliseconds;
//   synthetic  measurement-bound work, a device of 50 ms per measurement, on 1 and on 8 workers;
//   faults     one tuning run (1,024 trials) during which 10 workers are killed mid-job (SIGKILL) and replaced:
//              every trial recorded exactly once, the records of a local run.
// Redis restarts (fresh, empty) before each configuration, so no run sees another's jobs or
// shared incumbent. Wall times on a shared machine move with the neighbours: say so with them.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { CodesignProblem, codesignCeiling, DEFAULT_CODESIGN_BUDGET, networkFromLayers, runStrategy, userBudgetTarget, type Ceiling } from '../src/codesign/index.js';
import { getCore } from '../src/core/load.js';
import type { Core } from '../src/core/core.js';
import type { Graph } from '../src/graph/types.js';
import { remoteCeiling } from '../src/node/dist/codesign.js';
import { remoteLayerSimulator } from '../src/node/dist/remote-layers.js';
import { Coordinator, type CoordinatorOptions } from '../src/node/dist/coordinator.js';
import { startRedis, startWorker, type RedisServer, type WorkerProcess } from '../src/node/dist/local.js';
import { MAPPING_QUEUE, QUEUE_PREFIX } from '../src/node/dist/queues.js';
import { loadModel } from '../src/node/models.js';
import { workerTuningJobs } from '../src/node/tuning-jobs.js';
import { MappingModel } from '../src/sim/mapping.js';
import { scalesimNetwork } from '../src/sim/networks.js';
import { Simulator } from '../src/sim/simulate.js';
import { type TuningJob, tuneJob } from '../src/tune/jobs.js';
import type { TuningRecord } from '../src/tune/records.js';
import type { TunerName } from '../src/tune/tuners/index.js';
import { pointKey } from '../src/base/search-space.js';
import { tune } from '../src/api/tune.js';
import type { Bench, BenchOptions, Row } from './harness.js';

const bin = fileURLToPath(new URL('../../bin/mapwise.js', import.meta.url));
const TARGETS = { deterministicSpeedup2: 1.8, coordinatorOverhead: 0.05, syntheticSpeedup8: 7 };
const round = (x: number, digits = 3): number => Number(x.toFixed(digits));
const seconds = (start: number): number => (performance.now() - start) / 1000;

/** CPU seconds (user + system, every thread) a live process has used, from Linux's /proc; NaN elsewhere. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, USER_HZ = 100
  } catch {
    return Number.NaN;
  }
}

/**
 * Fresh Redis and `count` workers for one configuration; stops them after. `workerCpu`: the CPU
 * seconds the workers spent in `run` (their start-up excluded), which a loaded machine moves far
 * less than wall time.
 */
async function withWorkers<T>(redis: RedisServer, count: number, args: string[], run: (workers: WorkerProcess[]) => Promise<T>): Promise<T & { workerCpu: number }> {
  await redis.restart(50);
  const workers = await Promise.all(Array.from({ length: count }, () => startWorker(bin, redis.url, ...args)));
  const before = workers.reduce((sum, w) => sum + cpuSeconds(w.child.pid), 0);
  try {
    const value = await run(workers);
    return { ...value, workerCpu: round(workers.reduce((sum, w) => sum + cpuSeconds(w.child.pid), 0) - before, 2) };
  } finally {
    await Promise.all(workers.map((w) => w.kill()));
  }
}

async function withCoordinator<T>(options: CoordinatorOptions, run: (c: Coordinator) => Promise<T>): Promise<T> {
  const coordinator = await Coordinator.connect(options);
  try {
    return await run(coordinator);
  } finally {
    await coordinator.close();
  }
}

/** CPU seconds this process spends in `run`, beside its wall seconds. */
async function measured<T>(run: () => Promise<T>): Promise<{ value: T; wall: number; cpu: number }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = await run();
  const used = process.cpuUsage(cpu);
  return { value, wall: seconds(start), cpu: (used.user + used.system) / 1e6 };
}

async function tuneRecords(core: Core, jobs: TuningJob[], trials: number, batchSize: number): Promise<TuningRecord[]> {
  const records: TuningRecord[] = [];
  for (const job of jobs) await tuneJob(core, job, { tuner: 'random', seed: 3, trials, batchSize, onRecords: (batch) => void records.push(...batch) });
  return records;
}

const sameRecords = (a: TuningRecord[], b: TuningRecord[]): boolean => {
  const strip = (records: TuningRecord[]): string => JSON.stringify(records.map((r) => ({ ...r, result: { ...r.result, timestamp: 0 } })));
  return strip(a) === strip(b);
};

/** The same records of every workload, in the same order within each (layers tuned side by side interleave). */
const samePerWorkload = (a: TuningRecord[], b: TuningRecord[]): boolean => {
  const byWorkload = (records: TuningRecord[]): TuningRecord[] => [...records].sort((x, y) => (x.workload < y.workload ? -1 : x.workload > y.workload ? 1 : 0));
  return sameRecords(byWorkload(a), byWorkload(b));
};

/** A SCALE-Sim network's co-design problem within the default area budget. */
function scalesimProblem(core: Core, network: string): CodesignProblem {
  return new CodesignProblem(new MappingModel(new Simulator(core)), networkFromLayers(`scalesim:${network}`, scalesimNetwork(network).map((layer) => ({ layer }))), userBudgetTarget({}).target);
}

async function codesignRows(core: Core, redis: RedisServer, network: string, log: BenchOptions['log']): Promise<Row[]> {
  const problem = (): CodesignProblem => scalesimProblem(core, network);
  log(`codesign: the exact optimum of scalesim:${network} here`);
  const local = await measured(async () => codesignCeiling(problem()));
  const rows: Row[] = [];
  const same = (c: Ceiling): boolean => JSON.stringify([c.best, c.defaultOptimum]) === JSON.stringify([local.value.best, local.value.defaultOptimum]);
  const runs: { workers: number; wall: number; cpu: number; workerCpu: number; same: boolean; exactlyEvaluated: number }[] = [];
  for (const count of [1, 2]) {
    log(`codesign: on ${count} worker${count > 1 ? 's' : ''}`);
    const remote = await withWorkers(redis, count, [], () => withCoordinator({ redis: redis.url }, (c) => measured(() => remoteCeiling(c, problem()))));
    runs.push({ workers: count, wall: remote.wall, cpu: remote.cpu, workerCpu: remote.workerCpu, same: same(remote.value), exactlyEvaluated: remote.value.exactlyEvaluated });
  }
  rows.push({ case: 'codesign', workers: 0, seconds: round(local.wall), sameAsLocal: true, exactlyEvaluated: local.value.exactlyEvaluated, note: `scalesim:${network}, here in one thread` });
  for (const r of runs) {
    rows.push({
      case: 'codesign', workers: r.workers, seconds: round(r.wall), workerCpuSeconds: r.workerCpu, sameAsLocal: r.same, exactlyEvaluated: r.exactlyEvaluated,
      ...(r.workers === 1 ? { overheadVsLocal: round(r.wall / local.wall - 1), coordinatorCpuShare: round(r.cpu / r.wall), target: `overhead < ${TARGETS.coordinatorOverhead}` } : {}),
      ...(r.workers === 2 ? { speedupVs1: round(runs[0]!.wall / r.wall), target: `>= ${TARGETS.deterministicSpeedup2}` } : {}),
    });
  }
  return rows;
}

async function arcoRows(core: Core, redis: RedisServer, network: string, log: BenchOptions['log']): Promise<Row[]> {
  const problem = (): CodesignProblem => scalesimProblem(core, network);
  const search = async (simulateOn?: Coordinator): Promise<TuningRecord[]> => {
    const records: TuningRecord[] = [];
    const p = problem();
    const simulateLayers = simulateOn && remoteLayerSimulator(simulateOn, p, { tuner: 'arco', seed: 1 });
    await runStrategy('arco', core, p, { budget: DEFAULT_CODESIGN_BUDGET, seed: 1, onRecords: (r) => void records.push(...r), ...(simulateLayers ? { simulateLayers } : {}) });
    return records;
  };
  log(`arco: scalesim:${network}, ${DEFAULT_CODESIGN_BUDGET} simulator calls, here`);
  const local = await measured(() => search());
  const rows: Row[] = [{ case: 'arco', workers: 0, seconds: round(local.wall), sameAsLocal: true, note: `scalesim:${network}, ${local.value.length} configurations here` }];
  for (const count of [1, 2]) {
    log(`arco: layer simulations on ${count} worker${count > 1 ? 's' : ''}`);
    const remote = await withWorkers(redis, count, [], () => withCoordinator({ redis: redis.url }, (c) => measured(() => search(c))));
    rows.push({ case: 'arco', workers: count, seconds: round(remote.wall), workerCpuSeconds: remote.workerCpu, sameAsLocal: sameRecords(remote.value, local.value), overheadVsLocal: round(remote.wall / local.wall - 1) });
  }
  return rows;
}

interface TuneRun {
  tuner: TunerName;
  trials: number;
  batchSize: number;
}

/** The library's `tune` as `mapwise tune` runs it, here or (with `redis`) with its layers searched side by side on workers. */
async function tuneRun(graph: Graph, run: TuneRun, redis?: string): Promise<TuningRecord[]> {
  return (await tune(graph, { target: 'systolic:eyeriss', seed: 3, ...run, ...(redis ? { redis } : {}) })).records;
}

/** Seconds `mapwise tune` spends tuning (its layers' own, start-up aside) in each of `count` processes run at once, here. */
async function localTuneSeconds(model: string, run: TuneRun, count: number): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'mapwise-scaleout-'));
  try {
    const args = (i: number): string[] => [bin, 'tune', model, '--target', 'systolic:eyeriss', '--tuner', run.tuner, '--trials', String(run.trials), '--batch-size', String(run.batchSize), '--seed', '3', '--log', join(dir, `${i}.jsonl`), '--json'];
    const outputs = await Promise.all(Array.from({ length: count }, (_, i) => promisify(execFile)('node', args(i), { maxBuffer: 1 << 26 })));
    return outputs.map(({ stdout }) => (JSON.parse(stdout) as { layers: { seconds: number }[] }).layers.reduce((sum, layer) => sum + layer.seconds, 0));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What two processes at once get from this machine on this run: one alone's seconds over theirs, times 2. */
async function ceilingRow(model: string, run: TuneRun, log: BenchOptions['log']): Promise<Row> {
  log('tune: the same run in one `mapwise tune` process, then in two at once (no Redis): about the most 2 workers can gain here');
  const [alone] = await localTuneSeconds(model, run, 1);
  const pair = await localTuneSeconds(model, run, 2);
  const mean = (pair[0]! + pair[1]!) / 2;
  const slower = Math.round((mean / alone! - 1) * 100);
  return { case: 'tune', workers: 2, seconds: round(mean), note: `two local processes at once, each ${slower}% slower than one alone (${round(alone!)} s)`, ceilingVs1: round((2 * alone!) / mean) };
}

async function tuneRows(redis: RedisServer, graph: Graph, run: TuneRun, log: BenchOptions['log']): Promise<Row[]> {
  log(`tune: ${graph.name} on systolic:eyeriss, ${run.tuner} tuner, ${run.trials} trials a layer in batches of ${run.batchSize}, here`);
  const local = await measured(() => tuneRun(graph, run));
  const runs: Row[] = [{ case: 'tune', workers: 0, seconds: round(local.wall), sameAsLocal: true, note: `${graph.name} on systolic:eyeriss, ${run.tuner}, ${local.value.length} trials here` }];
  let one = 0;
  for (const count of [1, 2]) {
    log(`tune: on ${count} worker${count > 1 ? 's' : ''}`);
    const remote = await withWorkers(redis, count, [], () => measured(() => tuneRun(graph, run, redis.url)));
    if (count === 1) one = remote.wall;
    runs.push({
      case: 'tune', workers: count, seconds: round(remote.wall), workerCpuSeconds: remote.workerCpu, sameAsLocal: samePerWorkload(remote.value, local.value),
      ...(count === 1 ? { overheadVsLocal: round(remote.wall / local.wall - 1), coordinatorCpuShare: round(remote.cpu / remote.wall), target: `overhead < ${TARGETS.coordinatorOverhead}` } : { speedupVs1: round(one / remote.wall), target: `>= ${TARGETS.deterministicSpeedup2}` }),
    });
  }
  return runs;
}

async function syntheticRows(core: Core, redis: RedisServer, graph: Graph, log: BenchOptions['log']): Promise<Row[]> {
  const trials = 128;
  const rows: Row[] = [];
  let one = 0;
  for (const count of [1, 8]) {
    log(`synthetic: ${trials} measurements of 50 ms on ${count} worker${count > 1 ? 's' : ''}`);
    const run = await withWorkers(redis, count, ['--synthetic-ms', '50'], () =>
      withCoordinator({ redis: redis.url, mappingPointsPerJob: 8 }, (c) => measured(() => tuneRecords(core, c.distribute(workerTuningJobs(core, graph, 'systolic:eyeriss').slice(0, 1), { tuner: 'random', seed: 3 }), trials, 64))),
    );
    if (count === 1) one = run.wall;
    rows.push({ case: 'synthetic 50 ms', workers: count, seconds: round(run.wall), workerCpuSeconds: run.workerCpu, trials: run.value.length, ...(count === 8 ? { speedupVs1: round(one / run.wall), target: `>= ${TARGETS.syntheticSpeedup8}` } : {}) });
  }
  return rows;
}

async function faultRows(core: Core, redis: RedisServer, graph: Graph, kills: number, log: BenchOptions['log']): Promise<Row[]> {
  const trials = 1024;
  const jobs = (): TuningJob[] => workerTuningJobs(core, graph, 'systolic:eyeriss').slice(1, 2);
  const local = await tuneRecords(core, jobs(), trials, 32);
  const args = ['--synthetic-ms', '20', '--stall-timeout', '1'];
  log(`faults: ${trials} trials on 3 workers (20 ms a measurement, 1 s stall timeout), ${kills} of them killed mid-job and replaced`);
  const { rows } = await withWorkers(redis, 3, args, async (workers) => {
    const { Queue } = await import('bullmq');
    const queue = new Queue(MAPPING_QUEUE, { connection: { url: redis.url }, prefix: QUEUE_PREFIX });
    let killed = 0;
    let done = false;
    // Every 300 ms or so, while every worker holds a job, kills one (in turn) and starts another in its place.
    const killer = (async () => {
      while (!done && killed < kills) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        if ((await queue.getActiveCount()) < workers.length) continue;
        const holder = workers[killed % workers.length]!;
        await holder.kill();
        killed++;
        workers.splice(workers.indexOf(holder), 1, await startWorker(bin, redis.url, ...args));
      }
    })();
    try {
      const run = await withCoordinator({ redis: redis.url, mappingPointsPerJob: 4 }, (c) => measured(() => tuneRecords(core, c.distribute(jobs(), { tuner: 'random', seed: 3 }), trials, 32)));
      done = true;
      await killer;
      const distinct = new Set(run.value.map((r) => pointKey(r.config.point))).size;
      const row: Row = { case: 'faults', workers: 3, seconds: round(run.wall), trials: run.value.length, workerKills: killed, recordedExactlyOnce: run.value.length === trials && distinct === trials, sameAsLocal: sameRecords(run.value, local), target: `${kills} kills, every trial once` };
      return { rows: [row] };
    } finally {
      done = true;
      await queue.close();
    }
  });
  return rows;
}

export const scaleoutBench: Bench = {
  describe: 'scale-out on a private redis-server: deterministic work on 1 and 2 workers, a 50 ms/measurement device on 1 and 8, a tuning run with worker kills',
  async run({ args, log }) {
    const skip = new Set(String(args.skip ?? '').split(',').filter(Boolean));
    const core = await getCore();
    const graph = await loadModel('alexnetconvs');
    const redis = await startRedis();
    log(`machine: ${availableParallelism()} cores, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} (wall times move with the neighbours)`);
    const rows: Row[] = [];
    try {
      if (!skip.has('codesign')) rows.push(...(await codesignRows(core, redis, String(args.network ?? 'resnet18'), log)));
      if (!skip.has('arco')) rows.push(...(await arcoRows(core, redis, String(args.network ?? 'resnet18'), log)));
      if (!skip.has('tune')) {
        const run: TuneRun = { tuner: String(args.tuner ?? 'autotvm') as TunerName, trials: Number(args.trials ?? 512), batchSize: Number(args['batch-size'] ?? 64) };
        const model = String(args['tune-model'] ?? 'resnet18convs');
        rows.push(...(await tuneRows(redis, await loadModel(model), run, log)), await ceilingRow(model, run, log));
      }
      if (!skip.has('synthetic')) rows.push(...(await syntheticRows(core, redis, graph, log)));
      if (!skip.has('faults')) rows.push(...(await faultRows(core, redis, graph, Number(args.kills ?? 10), log)));
    } finally {
      await redis.stop();
    }
    log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    return rows;
  },
};

