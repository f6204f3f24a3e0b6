// Fan-out beyond tuning: the exact co-design search split into slices (merged, it must be the one
// search's optimum, checked first without Redis on random partitions), codesign --redis and
// train-scheduler --redis against local runs, compile --target host --redis measuring on a worker.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codesign, tune } from '../../src/api/index.js';
import { CEILING_SHAPES, ceilingSlice, codesignCeiling, CodesignProblem, mergeSlices, networkFromLayers, userBudgetTarget } from '../../src/codesign/index.js';
import type { Core } from '../../src/core/core.js';
import { getCore } from '../../src/core/load.js';
import { Random } from '../../src/helpers/random.js';
import { parseCodesignSlice } from '../../src/node/dist/codesign.js';
import { Coordinator } from '../../src/node/dist/coordinator.js';
import { type Job, jobPoints } from '../../src/node/dist/jobs.js';
import { workerTuningJobs } from '../../src/node/tuning-jobs.js';
import { loadModel } from '../../src/node/models.js';
import { tuneJob } from '../../src/tune/jobs.js';
import type { TuningRecord } from '../../src/tune/records.js';
import { MappingModel } from '../../src/sim/mapping.js';
import { scalesimNetwork } from '../../src/sim/networks.js';
import { Simulator } from '../../src/sim/simulate.js';
import { startRedis, startWorker, type RedisServer, type WorkerProcess } from '../helpers/redis.js';

let core: Core;
beforeAll(async () => {
  core = await getCore();
});

/** Two AlexNet layers within 64 PEs: every shape of the grid, a few seconds of search. */
function smallProblem(): CodesignProblem {
  const network = networkFromLayers('alexnet-2', scalesimNetwork('alexnet').slice(1, 3).map((layer) => ({ layer })));
  return new CodesignProblem(new MappingModel(new Simulator(core)), network, userBudgetTarget({ maxPEs: 64 }, { dramBytesPerCycle: 16 }).target);
}

describe('the exact co-design search in slices (no Redis)', () => {
  it('merges to the optimum of one search over every shape, on random partitions, with and without a shared incumbent', () => {
    const whole = codesignCeiling(smallProblem());
    const random = new Random(7);
    for (const parts of [2, 5, 13]) {
      const owner = CEILING_SHAPES.map(() => random.intBetween(0, parts - 1));
      let shared = Number.POSITIVE_INFINITY;
      const slices = Array.from({ length: parts }, (_, j) => {
        const shapes = CEILING_SHAPES.map((_, i) => i).filter((i) => owner[i] === j);
        const hooks = parts === 5 ? { incumbent: () => shared, onBest: (cycles: number) => (shared = Math.min(shared, cycles)) } : {};
        return ceilingSlice(smallProblem(), shapes, hooks);
      });
      const merged = mergeSlices(smallProblem(), slices, performance.now());
      expect(merged.best).toEqual(whole.best);
      expect(merged.defaultOptimum).toEqual(whole.defaultOptimum);
      expect(merged.hardwarePoints).toBe(whole.hardwarePoints);
      expect(merged.exactlyEvaluated).toBeGreaterThanOrEqual(whole.exactlyEvaluated);
    }
  });

  it('shares an upper bound before its first exact evaluation: the fewest cycles of its accelerators with tiled mappings, no fewer than its best', () => {
    const calls: string[] = [];
    let first = Number.NaN;
    const slice = ceilingSlice(smallProblem(), CEILING_SHAPES.map((_, i) => i), {
      incumbent: () => (calls.push('incumbent'), Number.POSITIVE_INFINITY),
      onBest: (cycles) => {
        if (calls.length === 0) first = cycles;
        calls.push('best');
      },
    });
    expect(calls[0]).toBe('best');
    expect(first).toBeGreaterThanOrEqual(slice.best!.cycles);
    // Candidates are evaluated in the order of their bounds until one exceeds it.
    expect(slice.exactlyEvaluated).toBeGreaterThan(0);
    expect(slice.exactlyEvaluated).toBeLessThan(slice.hardwarePoints);
  });

  it('refuses a slice payload naming the field', () => {
    const good = {
      kind: 'codesign-slice', workload: 'w', shapes: [0, 3],
      network: { name: 'n', layers: [{ layer: scalesimNetwork('alexnet')[1], count: 1 }] },
      target: { maxPEs: 64, maxSramBytes: 'infinite', maxAreaMm2: 'infinite', dramBytesPerCycle: 16, freqMHz: 1000, defaultHardware: { rows: 8, cols: 8, ifmapSramKiB: 8, filterSramKiB: 8, ofmapSramKiB: 8, dataflow: 'os' }, energy: { source: 's', macPJ: 1, sramReadPJPerWord: 1, sramWritePJPerWord: 1, dramPJPerWord: 1, macAreaUm2: 1, sramAreaUm2PerKiB: 1 } },
    };
    expect(parseCodesignSlice(JSON.parse(JSON.stringify(good))).target.maxSramBytes).toBe('infinite');
    expect(() => parseCodesignSlice({ ...good, shapes: [0, 0] })).toThrow(/field 'shapes' must be distinct integers from 0 to 146/);
    expect(() => parseCodesignSlice({ ...good, shapes: [147] })).toThrow(/field 'shapes'/);
    expect(() => parseCodesignSlice({ ...good, target: { ...good.target, maxPEs: -1 } })).toThrow(/field 'target.maxPEs' must be a positive number/);
    expect(() => parseCodesignSlice({ ...good, target: { ...good.target, defaultHardware: { ...good.target.defaultHardware, dataflow: 'xx' } } })).toThrow(/field 'target.defaultHardware.dataflow' must be one of os, ws, is/);
    expect(() => parseCodesignSlice({ ...good, network: { name: 'n', layers: [{ layer: { ...good.network.layers[0]!.layer, channels: 0 }, count: 1 }] } })).toThrow(/field 'network.layers\[0\].layer'.*channels must be a positive integer/);
  });
});

const run = async (...args: string[]): Promise<{ stdout: string; stderr: string }> => {
  try {
    return await promisify(execFile)('node', ['bin/mapwise.js', ...args], { timeout: 120_000 });
  } catch (error) {
    throw new Error(`mapwise ${args.join(' ')}: ${(error as { stderr?: string }).stderr}`);
  }
};

describe('codesign, train-scheduler and compile --redis', () => {
  let redis: RedisServer;
  let workers: WorkerProcess[] = [];
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mapwise-fanout-'));
    redis = await startRedis();
    workers = await Promise.all([startWorker(redis.url, '--stall-timeout', '5'), startWorker(redis.url, '--stall-timeout', '5')]);
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.kill()));
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('codesign --strategy exhaustive --redis finds the optimum a local run finds, its slices spread over both workers', async () => {
    const args = ['codesign', 'scalesim:alexnet', '--strategy', 'exhaustive', '--max-pes', '64', '--json'];
    const [local, remote] = await Promise.all([run(...args), run(...args, '--redis', redis.url)]);
    const strip = (text: string): unknown => {
      const { seconds: _s, simulatorCalls: _c, stats, history, ...rest } = JSON.parse(text);
      return { ...rest, hardwarePoints: stats.hardwarePoints, history: history.map((h: { bestThroughput: number }) => h.bestThroughput) };
    };
    expect(strip(remote.stdout)).toEqual(strip(local.stdout));
    for (const w of workers) expect(w.log()).toMatch(/codesign-slice-[0-9a-f]+ codesign:scalesim:alexnet:pe64:.*: [67] array shapes in \d+ ms, done/);
  });

  it('train-scheduler --redis writes the teacher labels of a local run', async () => {
    const small = ['--graphs', '4', '--min-nodes', '8', '--max-nodes', '12', '--imitation-epochs', '1', '--reinforce-epochs', '0', '--teacher-max-nodes', '50', '--json'];
    const [local, remote] = [join(dir, 'local.json'), join(dir, 'remote.json')];
    await Promise.all([run('train-scheduler', '--checkpoint', local, ...small), run('train-scheduler', '--checkpoint', remote, ...small, '--redis', redis.url)]);
    const labels = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8')).labels;
    expect(labels(remote)).toEqual(labels(local));
    expect((labels(remote) as unknown[]).length).toBe(4);
    expect(workers.map((w) => w.log()).join('\n')).toMatch(/teacher-label-[0-9a-f]+ teacher:1:3: 1 instance in \d+ ms, done/);
  });

  it('compile --target host --redis measures every trial on the workers', async () => {
    const out = join(dir, 'host');
    const { stdout } = await run('compile', 'alexnetconvs', '--target', 'host', '--quick', '--layers', '1', '--trials', '6', '--out', out, '--json', '--redis', redis.url);
    expect(JSON.parse(stdout).layers[0].trials).toBe(6);
    const records = readFileSync(join(out, 'records.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(records).toHaveLength(6);
    expect(records.filter((r) => r.result.errorCode === 0).length).toBeGreaterThan(0);
    expect(workers.map((w) => w.log()).join('\n')).toMatch(/measure-host-[0-9a-f]+ .*@host: 1 point in \d+ ms, done/);
  });
  it('compile --target host --redis --device A,B tunes on both devices side by side, each into its own folder, on its own workers', async () => {
    const devices = ['ci-device-a', 'ci-device-b'];
    const own = await Promise.all(devices.map((device) => startWorker(redis.url, '--device', device)));
    try {
      const out = join(dir, 'host-devices');
      const { stdout } = await run('compile', 'alexnetconvs', '--target', 'host', '--quick', '--layers', '1', '--trials', '4', '--out', out, '--json', '--redis', redis.url, '--device', devices.join(','));
      const result = JSON.parse(stdout);
      expect(result.out).toBe(out);
      expect(result.devices.map((d: { device: string }) => d.device)).toEqual(devices);
      devices.forEach((device, i) => {
        expect(result.devices[i].out).toBe(join(out, device));
        expect(result.devices[i].layers[0].trials).toBe(4);
        expect(readFileSync(join(out, device, 'records.jsonl'), 'utf8').trim().split('\n')).toHaveLength(4);
        expect(own[i]!.log()).toMatch(/measure-host-[0-9a-f]+ .*@host: 1 point in \d+ ms, done/);
      });
    } finally {
      await Promise.all(own.map((w) => w.kill()));
    }
  });

  it('the library\'s tune({ redis }) gives the records of tune() here', async () => {
    const options = { target: 'systolic:eyeriss', layer: 1, trials: 24, batchSize: 8, seed: 4 } as const;
    const [local, remote] = await Promise.all([tune('alexnetconvs', options), tune('alexnetconvs', { ...options, redis: redis.url })]);
    const strip = (records: typeof local.records): unknown => records.map((r) => ({ ...r, result: { ...r.result, timestamp: 0 } }));
    expect(remote.records).toHaveLength(24);
    expect(strip(remote.records)).toEqual(strip(local.records));
  });

  it('tune({ redis }) on a simulated array searches whole layers on the workers side by side: each layer\'s records and report as here', async () => {
    const options = { target: 'systolic:eyeriss', tuner: 'random', trials: 24, batchSize: 8, seed: 6 } as const;
    const progress: { done: number; total: number; layer?: string }[] = [];
    const [local, remote] = await Promise.all([tune('alexnetconvs', options), tune('alexnetconvs', { ...options, redis: redis.url, onProgress: (e) => progress.push(e) })]);
    const layers = local.layers.length;
    expect(layers).toBe(5);
    const perWorkload = (records: typeof local.records): Map<string, unknown[]> => {
      const groups = new Map<string, unknown[]>();
      for (const r of records) groups.set(r.workload, [...(groups.get(r.workload) ?? []), { ...r, result: { ...r.result, timestamp: 0 } }]);
      return groups;
    };
    expect(perWorkload(remote.records)).toEqual(perWorkload(local.records));
    const strip = (report: typeof local): unknown => report.layers.map(({ seconds: _, ...layer }) => layer);
    expect(strip(remote)).toEqual(strip(local));
    // Each layer's records arrive together, the largest layer's search queued first.
    const order = remote.records.map((r) => r.workload).filter((w, i, all) => i === 0 || w !== all[i - 1]);
    expect(new Set(order).size).toBe(order.length);
    expect(progress.at(-1)).toEqual({ step: 'trials', done: 24 * layers, total: 24 * layers });
    expect(progress.every((e) => e.layer === undefined)).toBe(true);
    expect(workers.map((w) => w.log()).join('\n')).toMatch(/tune-mapping-[0-9a-f]+ mapping:.*@systolic:.*: 24 trials in \d+ ms, done/);

    // Resumed from the first half of its log, each layer goes on where it stopped: the records of the whole run.
    const half = local.records.filter((r) => r.batch < 1);
    const kept: typeof local.records = [];
    const resumed = await tune('alexnetconvs', { ...options, redis: redis.url, previous: half, onRecords: (batch) => void kept.push(...batch) });
    expect(perWorkload([...half, ...kept])).toEqual(perWorkload(local.records));
    expect(strip(resumed)).toEqual(strip(local).map((layer) => ({ ...(layer as object), replayed: 8 })));
  });

  it('tune({ redis }) on the host tunes its layers in turn, as a worker keeps measuring threads for a few layers only', async () => {
    const progress: { layer?: string }[] = [];
    const report = await tune('alexnetconvs', { target: 'host', tuner: 'random', trials: 2, batchSize: 2, seed: 2, redis: redis.url, onProgress: (e) => progress.push(e) });
    const order = report.records.map((r) => r.workload).filter((w, i, all) => i === 0 || w !== all[i - 1]);
    expect(order).toEqual(report.layers.map((l) => l.workload));
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((e) => e.layer !== undefined)).toBe(true);
  });

  it('codesign({ redis }) with every other strategy simulates each batch\'s layers on the workers: the records, best and calls of a local run, pruned networks too', async () => {
    const cases = [
      ['arco', 'alexnetconvs', undefined], ['ga', 'scalesim:alexnet', '2:4'], ['random', 'alexnetconvs', '1:2'],
      ['grid', 'scalesim:alexnet', undefined], ['autotvm', 'alexnetconvs', undefined], ['chameleon', 'scalesim:alexnet', '2:4'],
    ] as const;
    const budgets: Record<string, number> = { grid: 400 }; // its small grid (64 PEs, uncapped SRAM) at a few calls a layer
    const strip = (records: TuningRecord[]): unknown => records.map((r) => ({ ...r, result: { ...r.result, timestamp: 0 } }));
    for (const [strategy, model, sparsity] of cases) {
      const options = { strategy, budget: budgets[strategy] ?? 120, seed: 5, maxPEs: strategy === 'grid' ? 64 : 256, ...(sparsity ? { sparsity } : {}) } as const;
      const logs: TuningRecord[][] = [[], []];
      const [local, remote] = await Promise.all([
        codesign(model, { ...options, onRecords: (r) => logs[0]!.push(...r) }),
        codesign(model, { ...options, redis: redis.url, onRecords: (r) => logs[1]!.push(...r) }),
      ]);
      expect(remote.simulatorCalls).toBeGreaterThan(20);
      expect(strip(logs[1]!)).toEqual(strip(logs[0]!)); // grid writes none: its layer tuning is internal
      expect(remote.best).toEqual(local.best);
      expect(remote.simulatorCalls).toBe(local.simulatorCalls);
      expect(remote.history.map((h) => [h.calls, h.bestThroughput])).toEqual(local.history.map((h) => [h.calls, h.bestThroughput]));
    }
    expect(workers.map((w) => w.log()).join('\n')).toMatch(/measure-mapping-[0-9a-f]+ codesign:scalesim:alexnet-2of4:pe256:.*\|Conv\d( and \d+ more)?: \d+ points? in \d+ ms, done/);
  });

  it('the coordinator reports each job as it comes back, with its points (what the progress bar counts)', async () => {
    const seen: Job[] = [];
    const coordinator = await Coordinator.connect({ redis: redis.url, mappingPointsPerJob: 4, onJob: (job) => seen.push(job) });
    const core = await getCore();
    try {
      const [job] = coordinator.distribute(workerTuningJobs(core, await loadModel('alexnetconvs'), 'systolic:eyeriss').slice(0, 1), { tuner: 'random', seed: 2 });
      let batches = 0;
      await tuneJob(core, job!, { tuner: 'random', seed: 2, trials: 32, batchSize: 16, onRecords: () => void batches++ });
      expect(batches).toBe(2);
    } finally {
      await coordinator.close();
    }
    // Jobs of at most 4 points, one share per worker slot.
    expect(seen.length).toBeGreaterThanOrEqual(8);
    expect(seen.every((job) => job.kind === 'measure-mapping' && jobPoints(job) <= 4)).toBe(true);
    expect(seen.reduce((sum, job) => sum + (job.kind === 'measure-mapping' ? jobPoints(job) : 0), 0)).toBe(32);
  });
});
