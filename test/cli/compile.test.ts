// `mapwise compile`, the main job, as a user runs it; its plots opened in Chromium.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium.js';
import { compile } from '../../src/api/compile.js';
import { parseRecords, type TuningRecord } from '../../src/tune/records.js';

const dir = mkdtempSync(join(tmpdir(), 'mapwise-compile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function mapwise(...args: string[]) {
  const run = spawnSync('node', ['bin/mapwise.js', ...args], { encoding: 'utf8' });
  return { ...run, json: run.status === 0 && run.stdout.trim() ? JSON.parse(run.stdout) : undefined };
}

/** Dark pixels of an SVG drawn into a canvas in Chromium: zero means nothing was drawn. */
async function inkOf(svgFiles: string[]): Promise<number[]> {
  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    const inks: number[] = [];
    for (const file of svgFiles) {
      const svg = readFileSync(file, 'utf8');
      inks.push(
        await page.evaluate(async (source) => {
          const image = new Image();
          image.src = `data:image/svg+xml;base64,${btoa(unescape(encodeURIComponent(source)))}`;
          await image.decode();
          const canvas = document.createElement('canvas');
          canvas.width = image.naturalWidth;
          canvas.height = image.naturalHeight;
          const context = canvas.getContext('2d')!;
          context.drawImage(image, 0, 0);
          const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
          let ink = 0;
          for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 0 && data[i]! + data[i + 1]! + data[i + 2]! < 600) ink++;
          return ink;
        }, svg),
      );
    }
    return inks;
  } finally {
    await browser.close();
  }
}

describe('mapwise compile', () => {
  // These spawn the CLI and run real searches: generous limits for a loaded machine.
  it('schedules a zoo model on an Edge-TPU pipeline and writes a report whose plots draw', async () => {
    const out = join(dir, 'pipeline');
    const run = mapwise('compile', 'resnet18', '--target', 'edgetpu:4', '--quick', '--out', out, '--json');
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(run.json.files).toEqual(expect.arrayContaining(['report.md', 'report.json', 'records.jsonl', 'stages.svg', 'stage-memory.svg']));
    const results = report.outcomes.filter((o: { result?: unknown }) => o.result).map((o: { scheduler: string; result: { bottleneckSeconds: number } }) => [o.scheduler, o.result.bottleneckSeconds]);
    const kept = Object.fromEntries(results)[report.chosen];
    for (const [, bottleneck] of results) expect(kept).toBeLessThanOrEqual(bottleneck);
    const compiler = Object.fromEntries(results).compiler;
    expect(report.comparison.speedupVsCompiler).toBeCloseTo(compiler / kept, 12);
    // Both baselines users have are reported, and the notes say where the input image goes.
    expect(report.comparison.speedupVsProfiling).toBeCloseTo(Object.fromEntries(results).profiling / kept, 12);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/over Coral's profiling-based partitioner: [\d.]+×/);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/The host sends the input \(147 KiB, [\d.]+ ms\) to stage 0/);
    expect(report.model).toMatchObject({ name: 'resnet18', params: 11_689_512 });
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/## Schedulers compared/);
    expect(readFileSync(join(out, 'records.jsonl'), 'utf8').trim().split('\n')).toHaveLength(report.outcomes.length);
    const inks = await inkOf([join(out, 'stages.svg'), join(out, 'stage-memory.svg')]);
    inks.forEach((ink) => expect(ink).toBeGreaterThan(2000));
  }, 180_000);

  it('tunes the heaviest layer of a model on this machine, resumably', () => {
    const out = join(dir, 'host');
    const args = ['compile', 'resnet18convs', '--target', 'host', '--layers', '1', '--tuner', 'random', '--out', out, '--json'];
    const first = mapwise(...args, '--trials', '6');
    expect(first.status, first.stderr).toBe(0);
    const layer = first.json.layers[0];
    expect(layer.trials).toBe(6);
    expect(first.json.tunedSeconds).toBeLessThanOrEqual(first.json.defaultSeconds);
    expect(layer.bestSeconds).toBeGreaterThan(0);
    // The whole network in the runtime, default and with the log's best kernels: the tuned layer's nodes run tuned.
    expect(first.json.endToEnd.defaultMs).toBeGreaterThan(0);
    expect(first.json.endToEnd.tunedMs).toBeGreaterThan(0);
    expect(first.json.endToEnd.tunedLayers).toHaveLength(layer.nodes);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/The whole network .* takes \*\*[\d.]+ ms\*\* with default schedules/);
    const resumed = mapwise(...args, '--trials', '8', '--resume');
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(readFileSync(join(out, 'records.jsonl'), 'utf8').trim().split('\n')).toHaveLength(8);
    expect(existsSync(join(out, 'tuning-trials.svg'))).toBe(true);
  }, 180_000);

  it('co-designs a systolic array and keeps nothing worse than SCALE-Sim\'s mapping on the preset', async () => {
    const out = join(dir, 'systolic');
    const run = mapwise('compile', 'alexnetconvs', '--target', 'systolic:scale', '--budget', '120', '--out', out, '--json');
    expect(run.status, run.stderr).toBe(0);
    const r = run.json;
    expect(r.best.speedupOverReference).toBeGreaterThanOrEqual(1);
    expect(r.best.throughputPerSecond).toBeCloseTo(r.reference.throughputPerSecond * r.best.speedupOverReference, 6);
    expect(r.best.layers).toHaveLength(5);
    const h = r.best.hardware; // the default budget: the preset array's silicon (318 µm² per PE, 5700 µm² per KiB)
    expect(r.budget.fromDefaultArray).toBe(true);
    expect(h.rows * h.cols * 318 + (h.ifmapSramKiB + h.filterSramKiB + h.ofmapSramKiB) * 5700).toBeLessThanOrEqual(r.budget.maxAreaMm2 * 1e6 * (1 + 1e-12));
    const [ink] = await inkOf([join(out, 'utilization.svg')]);
    expect(ink).toBeGreaterThan(1000);
  }, 180_000);

  it('compiles onto every systolic preset, those off the co-design grid (Eyeriss 12×14, the TPU\'s 6144 KiB) included', () => {
    for (const preset of ['scale', 'google', 'eyeriss']) {
      const run = mapwise('compile', 'alexnetconvs', '--target', `systolic:${preset}`, '--budget', '60', '--out', join(dir, `preset-${preset}`), '--json');
      expect(run.status, run.stderr).toBe(0);
      const r = run.json;
      const sim = mapwise('simulate', 'alexnetconvs', '--target', `systolic:${preset}`, '--json').json;
      const { rows, cols, ifmapSramKiB, filterSramKiB, ofmapSramKiB, dataflow } = sim.config;
      expect(r.reference.hardware).toEqual({ rows, cols, ifmapSramKiB, filterSramKiB, ofmapSramKiB, dataflow });
      // SCALE-Sim's mapping, double-buffered: each layer takes its simulated cycles or its DRAM bytes at the budget's bandwidth, whichever is longer.
      const bw = r.budget.dramBytesPerCycle;
      const cycles = sim.layers.reduce((sum: number, l: { totalCycles: number; dramReads: Record<string, number>; dramWrites: Record<string, number> }) =>
        sum + Math.max(l.totalCycles, Math.ceil((l.dramReads.ifmap! + l.dramReads.filter! + l.dramWrites.ofmap!) / bw)), 0);
      expect(r.reference.throughputPerSecond).toBeCloseTo(1e9 / cycles, 6);
      expect(r.best.throughputPerSecond).toBeGreaterThanOrEqual(r.reference.throughputPerSecond);
    }
  }, 180_000);

  it('a co-design run killed mid-way resumes to the same log and result as an uninterrupted one', async () => {
    const args = (out: string) => ['compile', 'alexnetconvs', '--target', 'systolic:scale', '--budget', '300', '--out', out, '--json'];
    const whole = join(dir, 'whole');
    const crashed = join(dir, 'crashed');
    expect(mapwise(...args(whole)).status).toBe(0);
    const child = spawn('node', ['bin/mapwise.js', ...args(crashed)], { stdio: 'ignore' });
    const log = join(crashed, 'records.jsonl');
    while (!(existsSync(log) && readFileSync(log, 'utf8').length > 0)) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    const beforeResume = readFileSync(log, 'utf8').trim().split('\n').length;
    const resumed = mapwise(...args(crashed), '--resume');
    expect(resumed.status, resumed.stderr).toBe(0);
    const records = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((line) => ({ ...JSON.parse(line), result: { ...JSON.parse(line).result, timestamp: 0 } }));
    const expected = records(join(whole, 'records.jsonl'));
    expect(beforeResume).toBeLessThan(expected.length);
    expect(records(log)).toEqual(expected);
    const report = (folder: string) => JSON.parse(readFileSync(join(folder, 'report.json'), 'utf8')).best;
    expect(report(crashed)).toEqual(report(whole));
  }, 180_000);

  it('rejects an unknown target with the forms it accepts', () => {
    const run = mapwise('compile', 'resnet18', '--target', 'tpu9');
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/--target 'tpu9': unknown target; expected 'edgetpu:K'/);
    const cores = mapwise('compile', 'resnet18', '--target', 'edgetpu:9');
    expect(cores.stderr).toMatch(/cores must be an integer from 1 to 8, got 9/);
  });

  it('rejects a device list it cannot tune: without --redis, repeated, or on a target other than host', () => {
    expect(mapwise('compile', 'resnet18', '--target', 'host', '--device', 'a').stderr).toMatch(/--device needs --redis URL/);
    expect(mapwise('compile', 'resnet18', '--target', 'host', '--redis', 'redis://127.0.0.1:1', '--device', 'a,a').stderr).toMatch(/--device 'a,a': expected distinct device keys separated by commas/);
    expect(mapwise('compile', 'resnet18', '--target', 'systolic', '--redis', 'redis://127.0.0.1:1', '--device', 'a,b').stderr).toMatch(/--device: several devices tune the host target; systolic:\w+ has none/);
  });
});

describe('compile is a shell over the compile() facade', () => {
  // Wall times (and the learned scheduler's speed over the exact one, a ratio of them) differ between runs.
  const untimed = (r: Record<string, unknown>): unknown => JSON.parse(JSON.stringify(r, (key, value: unknown) => (key === 'createdAt' || /seconds|SpeedupVsExact/i.test(key) ? 0 : value)));

  it('--json and report.json are the facade\'s report, records.jsonl its records (edgetpu and systolic)', async () => {
    for (const [target, extra, options] of [
      ['edgetpu:3', ['--quick'], { target: 'edgetpu:3', quick: true }],
      ['systolic:eyeriss', ['--budget', '40', '--strategy', 'ga', '--seed', '2'], { target: 'systolic:eyeriss', budget: 40, strategy: 'ga' as const, seed: 2 }],
    ] as const) {
      const out = join(dir, `facade-${target.replace(':', '-')}`);
      const run = mapwise('compile', 'alexnetconvs', '--target', target, ...extra, '--out', out, '--json');
      expect(run.status, run.stderr).toBe(0);
      const records: TuningRecord[] = [];
      const { report, parts } = await compile('alexnetconvs', { ...options, onRecords: (batch) => void records.push(...batch) });
      const { out: _, files: __, ...cli } = run.json;
      expect(untimed(cli), target).toEqual(untimed(report));
      expect(untimed(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'))), target).toEqual(untimed(report));
      expect(Object.keys(parts.plots).every((file) => existsSync(join(out, file.replace(/\.json$/, '.svg'))) || existsSync(join(out, file))), target).toBe(true);
      if (target.startsWith('systolic')) {
        const logged = parseRecords(readFileSync(join(out, 'records.jsonl'), 'utf8'), 'records.jsonl').records;
        const stamp = (rs: TuningRecord[]): unknown => rs.map((rec) => ({ ...rec, result: { ...rec.result, timestamp: 0 } }));
        expect(stamp(logged)).toEqual(stamp(records));
      }
    }
  }, 120_000);

  it('refuses options it does not know and redis where the target runs here, naming the field', async () => {
    await expect(compile('alexnetconvs', { targt: 'host' } as never)).rejects.toThrow(/unknown option 'targt'/);
    await expect(compile('alexnetconvs', { target: 'edgetpu:2', redis: 'redis://127.0.0.1:1' })).rejects.toThrow(/redis: edgetpu:2 runs here/);
    await expect(compile('alexnetconvs', { target: 'warp:9' })).rejects.toThrow(/target 'warp:9'/);
  });
});
