// `mapwise tune` and `mapwise best` as a user runs them (needs the build, which `npm test` does first).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { parseRecords } from '../../src/tune/records.js';
import { resultCost } from '../../src/base/result.js';
import { tune } from '../../src/api/tune.js';

const dir = mkdtempSync(join(tmpdir(), 'mapwise-tune-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function mapwise(...args: string[]) {
  const run = spawnSync('node', ['bin/mapwise.js', ...args], { encoding: 'utf8' });
  return { ...run, json: run.status === 0 && run.stdout.trim() ? JSON.parse(run.stdout) : undefined };
}

it('tunes a layer into an append-only log, resumes it without re-measuring, and reports the best', () => {
  const log = join(dir, 'run.jsonl');
  const common = ['tune', 'resnet18convs', '--layer', '2', '--tuner', 'random', '--batch-size', '4', '--log', log, '--json'];
  const first = mapwise(...common, '--trials', '8');
  expect(first.status, first.stderr).toBe(0);
  expect(first.json.layers[0]).toMatchObject({ layer: 'resnet18.c3', trials: 8, replayed: 0 });

  const resumed = mapwise(...common, '--trials', '12', '--resume');
  expect(resumed.status, resumed.stderr).toBe(0);
  expect(resumed.json.layers[0]).toMatchObject({ trials: 12, replayed: 8 });

  for (const [flag, value, what] of [['--tuner', 'grid', 'tuner grid with seed 1'], ['--seed', '2', 'tuner random with seed 2']] as const) {
    const conflicting = mapwise(...common.map((a) => (a === 'random' && flag === '--tuner' ? value : a)), ...(flag === '--seed' ? [flag, value] : []), '--trials', '16', '--resume');
    expect(conflicting.status).toBe(1);
    expect(conflicting.stderr).toContain(`the log's trials come from tuner random with seed 1, this run is ${what}`);
  }

  const { records } = parseRecords(readFileSync(log, 'utf8'));
  expect(records).toHaveLength(12);
  expect(new Set(records.map((r) => r.config.point.join())).size).toBe(12);
  const best = mapwise('best', log, '--json');
  expect(best.status, best.stderr).toBe(0);
  expect(best.json.workloads).toHaveLength(1);
  expect(best.json.workloads[0].cost).toBe(Math.min(...records.map((r) => resultCost(r.result))));
  expect(best.json.workloads[0].cost).toBe(resumed.json.layers[0].bestCost);
}, 180_000);

it('tunes layer mappings on the simulated array, starting from SCALE-Sim\'s own mapping', () => {
  // With unlimited DRAM bandwidth SCALE-Sim's mapping costs what the simulator reports (CALC mode).
  const run = mapwise('tune', 'alexnetconvs', '--target', 'systolic:eyeriss', '--layer', '2', '--tuner', 'autotvm', '--trials', '96', '--dram-bytes-per-cycle', '1e12', '--json');
  expect(run.status, run.stderr).toBe(0);
  const simulated = mapwise('simulate', 'alexnetconvs', '--target', 'systolic:eyeriss', '--json');
  expect(simulated.status, simulated.stderr).toBe(0);
  const layer = run.json.layers[0];
  expect(layer.defaultCost).toBe(simulated.json.layers[2].totalCycles);
  expect(layer.bestCost).toBeLessThanOrEqual(layer.defaultCost);
  expect(layer.trials).toBe(96);
}, 180_000);

it('Ctrl-C stops after the current batch and leaves a whole, resumable log', async () => {
  const log = join(dir, 'interrupted.jsonl');
  const args = ['bin/mapwise.js', 'tune', 'resnet18convs', '--layer', '2', '--tuner', 'random', '--batch-size', '2', '--trials', '16', '--log', log, '--json'];
  const child = spawn('node', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  const lines = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).length : 0);
  while (lines() < 2) await new Promise((r) => setTimeout(r, 100));
  child.kill('SIGINT');
  const code = await new Promise((resolve) => child.on('close', resolve));
  expect(code).toBe(0);
  const result = JSON.parse(stdout);
  expect(result.interrupted).toBe(true);
  const done = parseRecords(readFileSync(log, 'utf8'));
  expect(done.warnings).toEqual([]);
  expect(done.records.length).toBeLessThan(16);
  expect(done.records.length % 2).toBe(0); // whole batches only
  const resumed = mapwise(...args.slice(1), '--resume');
  expect(resumed.status, resumed.stderr).toBe(0);
  expect(resumed.json.layers[0]).toMatchObject({ trials: 16, replayed: done.records.length });
}, 240_000);

it('--transfer warm-starts each layer from the ones before; a run cut between batches resumes to the same log', () => {
  const args = (log: string, ...more: string[]) => ['tune', 'alexnetconvs', '--target', 'systolic:eyeriss', '--tuner', 'chameleon', '--trials', '24', '--batch-size', '12', '--transfer', '--log', log, '--json', ...more];
  const full = join(dir, 'transfer.jsonl');
  const live = mapwise(...args(full));
  expect(live.status, live.stderr).toBe(0);
  expect(live.json.transfer).toBe(true);
  expect(live.json.layers).toHaveLength(5);
  const text = readFileSync(full, 'utf8');
  const { records } = parseRecords(text);
  // Cut after the first batch of the third layer, as a crash between two flushes would.
  const third = records.findIndex((r) => r.workload === live.json.layers[2].workload);
  const cut = third + records.slice(third).findIndex((r) => r.batch !== records[third]!.batch);
  const partial = join(dir, 'transfer-cut.jsonl');
  writeFileSync(partial, `${text.trim().split('\n').slice(0, cut).join('\n')}\n`);
  const resumed = mapwise(...args(partial, '--resume'));
  expect(resumed.status, resumed.stderr).toBe(0);
  const strip = (t: string) => parseRecords(t).records.map((r) => [r.workload, r.batch, r.config.point.join()]);
  expect(strip(readFileSync(partial, 'utf8'))).toEqual(strip(text));
  expect(resumed.json.layers.map((l: { bestCost: number }) => l.bestCost)).toEqual(live.json.layers.map((l: { bestCost: number }) => l.bestCost));
  // Without transfer the first layer is tuned alike and the later ones differ from their first batch on.
  const plainLog = join(dir, 'plain.jsonl');
  expect(mapwise(...args(plainLog).filter((a) => a !== '--transfer')).status).toBe(0);
  const plain = parseRecords(readFileSync(plainLog, 'utf8')).records;
  const firstBatch = (rs: typeof records, workload: string) => rs.filter((r) => r.workload === workload && r.batch === rs.find((x) => x.workload === workload)!.batch).map((r) => r.config.point.join());
  expect(firstBatch(plain, live.json.layers[0].workload)).toEqual(firstBatch(records, live.json.layers[0].workload));
  expect(firstBatch(plain, live.json.layers[1].workload)).not.toEqual(firstBatch(records, live.json.layers[1].workload));
}, 180_000);

it('is a shell over the library: --json is tune()\'s report (its timings and records aside) for a simulated target', async () => {
  const log = join(dir, 'shell.jsonl');
  const run = mapwise('tune', 'alexnetconvs', '--layer', '1', '--target', 'systolic:eyeriss', '--tuner', 'autotvm', '--trials', '32', '--batch-size', '16', '--seed', '5', '--log', log, '--json');
  expect(run.status, run.stderr).toBe(0);
  const library = await tune('alexnetconvs', { layer: 1, target: 'systolic:eyeriss', tuner: 'autotvm', trials: 32, batchSize: 16, seed: 5 });
  const untimed = (layers: { seconds: number }[]) => layers.map(({ seconds: _, ...rest }) => rest);
  const { records, layers, ...rest } = library;
  expect(run.json).toEqual({ ...rest, layers: run.json.layers, log });
  expect(untimed(run.json.layers)).toEqual(untimed(layers));
  const untimedRecords = (rs: readonly { timestamp?: number; result: object }[]) => rs.map((r) => ({ ...r, timestamp: 0, result: { ...r.result, timestamp: 0 } }));
  expect(untimedRecords(parseRecords(readFileSync(log, 'utf8')).records)).toEqual(untimedRecords(records));
});

it('names the problem for bad options', () => {
  const noLog = mapwise('tune', 'resnet18convs', '--resume');
  expect(noLog.status).not.toBe(0);
  expect(noLog.stderr).toMatch(/--resume needs --log FILE/);
  const badLayer = mapwise('tune', 'resnet18convs', '--layer', '40');
  expect(badLayer.stderr).toMatch(/tune: layer must be below 12, the distinct layers of resnet18convs; got 40. The layers:\n  0: /);
  expect(mapwise('best', join(dir, 'none.jsonl')).stderr).toMatch(/no records/);
  expect(mapwise('tune', 'resnet18convs', '--tuner', 'ga', '--transfer').stderr).toMatch(/--transfer needs a tuner with a cost model \(autotvm or chameleon\), not ga/);
});
