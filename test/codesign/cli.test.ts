// `mapwise codesign` as a user runs it (needs `npm run build`).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { codesign } from '../../src/api/codesign.js';
import { parseRecords, type TuningRecord } from '../../src/tune/records.js';

it('codesign --json prints one object with the best accelerator and mapping, logs every evaluation, and draws the trade-off', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mapwise-codesign-'));
  try {
    const log = join(dir, 'cd.jsonl');
    const svg = join(dir, 'cd.svg');
    const run = spawnSync('node', ['bin/mapwise.js', 'codesign', 'alexnetconvs', '--strategy', 'ga', '--budget', '60', '--seed', '2', '--log', log, '--svg', svg, '--json'], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    const r = JSON.parse(run.stdout);
    expect(r.strategy).toBe('ga');
    expect(r.simulatorCalls).toBeLessThanOrEqual(60); // never more than the budget
    expect(r.simulatorCalls).toBeGreaterThan(50);
    expect(r.best.layers).toHaveLength(5);
    const h = r.best.hardware; // within the default budget: the default 32×32 array's silicon
    expect(h.rows * h.cols * 318 + (h.ifmapSramKiB + h.filterSramKiB + h.ofmapSramKiB) * 5700).toBeLessThanOrEqual(1024 * 318 + 192 * 5700);
    expect(r.best.speedupOverReference).toBeGreaterThanOrEqual(1); // SCALE-Sim's mapping on the default array is kept unless beaten
    expect(r.accelerators.length).toBeGreaterThan(1);
    const { records, warnings } = parseRecords(readFileSync(log, 'utf8'), log);
    expect(warnings).toEqual([]);
    expect(records.length).toBeGreaterThan(3);
    expect(records.every((rec) => rec.workload === records[0]!.workload && rec.tuner === 'ga')).toBe(true);
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg/);
    const bad = spawnSync('node', ['bin/mapwise.js', 'codesign', 'alexnetconvs', '--strategy', 'nope'], { encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('codesign and compile --target systolic share one default budget (the default array\'s silicon) and one DRAM bandwidth, state both, and so agree', () => {
  const codesign = spawnSync('node', ['bin/mapwise.js', 'codesign', 'alexnetconvs', '--budget', '60', '--json'], { encoding: 'utf8' });
  expect(codesign.status, codesign.stderr).toBe(0);
  const dir = mkdtempSync(join(tmpdir(), 'mapwise-codesign-'));
  try {
    const compile = spawnSync('node', ['bin/mapwise.js', 'compile', 'alexnetconvs', '--target', 'systolic', '--budget', '60', '--out', dir, '--json'], { encoding: 'utf8' });
    expect(compile.status, compile.stderr).toBe(0);
    const [c, k] = [JSON.parse(codesign.stdout), JSON.parse(compile.stdout)];
    // 32×32 PEs at 318 µm² and 192 KiB at 5700 µm²/KiB.
    const budget = { maxPEs: null, maxSramKiB: null, maxAreaMm2: (1024 * 318 + 192 * 5700) / 1e6, fromDefaultArray: true, dramBytesPerCycle: 16, freqMHz: 1000 };
    expect(c.budget).toEqual(budget);
    expect(k.budget).toEqual(budget);
    expect(k.reference.throughputPerSecond).toBe(c.reference.throughputPerSecond);
    expect(k.best.throughputPerSecond).toBe(c.best.throughputPerSecond);
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toContain('within 1.420 mm² of PEs and SRAM, the silicon of the systolic:scale array, the default budget; DRAM 16 B/cycle');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const text = spawnSync('node', ['bin/mapwise.js', 'codesign', 'alexnetconvs', '--budget', '30', '--max-pes', '256'], { encoding: 'utf8' });
  expect(text.status, text.stderr).toBe(0);
  expect(text.stdout).toContain('budget: 256 PEs; DRAM 16 B/cycle at 1000 MHz');
});

it('codesign never spends more simulator calls than its budget, whatever the strategy', () => {
  // Before: grid spent 29,177 calls of 300 on ResNet-18, autotvm 414 of 301 on EfficientNet-B0 (8 calls per layer at least).
  for (const [model, strategies] of [['efficientnetb0', ['ga', 'random', 'grid', 'autotvm', 'chameleon']], ['alexnetconvs', ['arco', 'arco-no-cs']]] as const) {
    for (const strategy of strategies) {
      const run = spawnSync('node', ['bin/mapwise.js', 'codesign', model, '--strategy', strategy, '--budget', '301', '--json'], { encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      const r = JSON.parse(run.stdout);
      expect(r.simulatorCalls, `${model} ${strategy}`).toBeLessThanOrEqual(301);
      expect(r.simulatorCalls, `${model} ${strategy}`).toBeGreaterThan(200);
    }
  }
}, 300_000);

it('codesign --max-area-mm2 trades PEs against SRAM within one silicon budget', () => {
  const run = spawnSync('node', ['bin/mapwise.js', 'codesign', 'alexnetconvs', '--strategy', 'random', '--budget', '40', '--seed', '3', '--max-area-mm2', '1.42', '--json'], { encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  const r = JSON.parse(run.stdout);
  expect(r.budget).toMatchObject({ maxPEs: null, maxSramKiB: null, maxAreaMm2: 1.42 });
  const h = r.best.hardware;
  expect(h.rows * h.cols * 318 + (h.ifmapSramKiB + h.filterSramKiB + h.ofmapSramKiB) * 5700).toBeLessThanOrEqual(1.42e6);
  const bad = spawnSync('node', ['bin/mapwise.js', 'codesign', 'alexnetconvs', '--max-area-mm2', '0'], { encoding: 'utf8' });
  expect(bad.status).not.toBe(0);
  expect(bad.stderr).toMatch(/--max-area-mm2 must be positive/);
});

it('codesign --strategy exhaustive finds the exact optimum: no search at any budget does better', () => {
  const args = ['bin/mapwise.js', 'codesign', 'alexnetconvs', '--max-pes', '64', '--max-sram-kib', '24', '--json'];
  const exact = spawnSync('node', [...args, '--strategy', 'exhaustive'], { encoding: 'utf8' });
  expect(exact.status, exact.stderr).toBe(0);
  const r = JSON.parse(exact.stdout);
  expect(r.strategy).toBe('exhaustive');
  // The default 32×32 array is outside this budget, yet still the yardstick.
  expect(r.reference.withinBudget).toBe(false);
  expect(r.reference.throughputPerSecond).toBeGreaterThan(0);
  expect(r.kept).toBe('search');
  expect(r.best.speedupOverReference).toBeCloseTo(r.best.throughputPerSecond / r.reference.throughputPerSecond, 9);
  expect(r.best.hardware.rows * r.best.hardware.cols).toBeLessThanOrEqual(64);
  expect(r.best.hardware.ifmapSramKiB + r.best.hardware.filterSramKiB + r.best.hardware.ofmapSramKiB).toBeLessThanOrEqual(24);
  for (const strategy of ['ga', 'random']) {
    const search = JSON.parse(spawnSync('node', [...args, '--strategy', strategy, '--budget', '300', '--seed', '4'], { encoding: 'utf8' }).stdout);
    expect(search.best.throughputPerSecond).toBeLessThanOrEqual(r.best.throughputPerSecond * (1 + 1e-12));
  }
});

it('codesign --json is the codesign() facade\'s report, and --log its records, for a graph and for a SCALE-Sim topology', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mapwise-codesign-'));
  try {
    for (const model of ['alexnetconvs', 'scalesim:alexnet']) {
      const log = join(dir, `${model.replace(':', '-')}.jsonl`);
      const run = spawnSync('node', ['bin/mapwise.js', 'codesign', model, '--strategy', 'ga', '--budget', '80', '--seed', '5', '--max-pes', '512', '--log', log, '--json'], { encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      const records: TuningRecord[] = [];
      const report = await codesign(model, { strategy: 'ga', budget: 80, seed: 5, maxPEs: 512, onRecords: (batch) => void records.push(...batch) });
      const strip = (r: Record<string, unknown>): unknown => ({ ...r, seconds: 0, history: (r['history'] as { seconds: number }[]).map((h) => ({ ...h, seconds: 0 })) });
      expect(strip(JSON.parse(run.stdout)), model).toEqual(strip(JSON.parse(JSON.stringify(report))));
      const logged = parseRecords(readFileSync(log, 'utf8'), log).records;
      const untimed = (rs: TuningRecord[]): unknown => rs.map((rec) => ({ ...rec, result: { ...rec.result, timestamp: 0 } }));
      expect(untimed(logged), model).toEqual(untimed(records));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
