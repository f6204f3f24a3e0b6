// Co-design: the problem's evaluation against the simulator, invalid configurations penalised
// and never simulated, ARCO learning on a short fixed-seed run, the baselines end to end, and the
// ensemble's doubt growing away from its data.
import { afterAll, describe, expect, it } from 'vitest';
import { getCore } from '../../src/core/load.js';
import { Random } from '../../src/helpers/random.js';
import { zooModel } from '../../src/graph/zoo/index.js';
import {
  Arco, areaBudgetTarget, budgetError, CodesignProblem, codesignTarget, DEFAULT_HARDWARE, peCeiling, GbtEnsemble, hardwareOf, hardwarePoint, jointConfigOf, networkOf, repair, runJointTuner, runStrategy, STRATEGIES,
} from '../../src/codesign/index.js';
import { MappingModel } from '../../src/sim/mapping.js';
import { DEFAULT_MAPPING_POINT, mappingOf, mappingPoint } from '../../src/sim/mapping-space.js';
import { Simulator } from '../../src/sim/simulate.js';
import { parseRecords, formatRecord, type TuningRecord } from '../../src/tune/records.js';
import { ErrorCode } from '../../src/base/result.js';
import { SMALL_HW, small } from './small-network.js';

const core = await getCore();
const sim = new Simulator(core);
afterAll(() => sim.free());

const problemFor = (options = {}) => new CodesignProblem(new MappingModel(sim), small, codesignTarget({ maxPEs: 256, maxSramBytes: 48 * 1024, defaultHardware: SMALL_HW, ...options }));

describe('the co-design problem', () => {
  it('turns zoo graphs into simulator layers with their multiplicities', () => {
    const net = networkOf(zooModel('resnet18'));
    expect(net.layers.reduce((s, l) => s + l.count, 0)).toBe(21); // 20 convs (3 downsample 1×1) + fc
    // torchvision's 1.814 GMACs; SCALE-Sim's ceil rule and padding keep the count exact here.
    expect(net.macs).toBe(1_814_073_344);
    const mb = networkOf(zooModel('mobilenetv2'));
    const dw = mb.layers.find((l) => l.layer.channels === 1 && l.layer.numFilters === 1 && l.layer.filterHeight === 3);
    expect(dw?.count).toBeGreaterThanOrEqual(32); // a depthwise conv: one 3×3 filter per channel
  });

  it('the default configuration at a CALC interface is the simulator\'s network total', () => {
    const p = problemFor({ dramBytesPerCycle: Number.POSITIVE_INFINITY });
    const e = p.evaluate(p.defaultConfig());
    const c = { ...p.mappingTarget(p.defaultConfig().hardware).config };
    const expected = small.layers.reduce((s, l) => s + l.count * sim.layer(c, l.layer).totalCycles, 0);
    expect(e.valid).toBe(true);
    expect(e.cycles).toBe(expected);
    expect(e.throughputPerSecond).toBeCloseTo(1e9 / expected, 6);
    expect(p.simulatorCalls).toBe(small.layers.length);
    p.evaluate(p.defaultConfig());
    expect(p.simulatorCalls).toBe(small.layers.length); // cached
  });

  it('an over-budget accelerator or a tile that does not fit is invalid and never simulated', () => {
    const p = problemFor();
    const big = hardwarePoint({ rows: 32, cols: 16, ifmapSramKiB: 16, filterSramKiB: 16, ofmapSramKiB: 16, dataflow: 'ws' }); // 512 PEs > 256
    const e1 = p.evaluate({ hardware: big, mappings: small.layers.map(() => DEFAULT_MAPPING_POINT) });
    expect(e1.valid).toBe(false);
    expect(e1.reason).toMatch(/512 PEs exceed the budget of 256/);
    const hw = hardwarePoint({ rows: 16, cols: 16, ifmapSramKiB: 4, filterSramKiB: 4, ofmapSramKiB: 4, dataflow: 'os' });
    const tooBig = mappingPoint({ splitM: 2, splitN: 1, splitK: 1, order: 'nmk', doubleBuffer: true });
    const e2 = p.evaluate({ hardware: hw, mappings: small.layers.map(() => tooBig) });
    expect(e2.valid).toBe(false);
    expect(e2.reason).toMatch(/does not fit/);
    expect(p.simulatorCalls).toBe(0);
    // Repair moves every layer to the nearest mapping that fits.
    const fixed = repair(p, { hardware: hw, mappings: small.layers.map(() => tooBig) });
    expect(fixed.repaired).toBe(small.layers.length);
    expect(fixed.config.mappings.every((m, i) => p.fits(hw, i, m))).toBe(true);
    expect(p.evaluate(fixed.config).valid).toBe(true);
  });
});

describe('the area budget', () => {
  it('is the default accelerator\'s silicon, spent on PEs and SRAM as the search likes', () => {
    const target = areaBudgetTarget();
    // 32×32 PEs × 318 µm² + 192 KiB × 5700 µm² (HOROWITZ_45NM's areas).
    expect(target.maxAreaMm2).toBeCloseTo((1024 * 318 + 192 * 5700) / 1e6, 12);
    expect(budgetError(DEFAULT_HARDWARE, target)).toBeUndefined();
    // Twice the PEs for half the SRAM: 2048 × 318 + 96 × 5700 = 1.198 mm², over the PE cap of the default budget only;
    // with a 128 KiB ifmap buffer, 2048 × 318 + 192 × 5700 = 1.746 mm².
    const wide = { rows: 64, cols: 32, ifmapSramKiB: 32, filterSramKiB: 32, ofmapSramKiB: 32, dataflow: 'ws' } as const;
    expect(budgetError(wide, target)).toBeUndefined();
    expect(budgetError(wide, codesignTarget())).toMatch(/2048 PEs exceed the budget of 1024/);
    expect(budgetError({ ...wide, ifmapSramKiB: 128 }, target)).toMatch(/1\.746 mm² of PEs and SRAM exceed the area budget of 1\.420 mm²/);
    // All the area but the three smallest buffers on PEs: (1420032 − 12 × 5700) / 318.
    expect(peCeiling(target)).toBe(Math.floor((1_420_032 - 12 * 5700) / 318));
    expect(peCeiling(codesignTarget())).toBe(1024);
  });
});

describe('the evaluation cache', () => {
  it('charges one simulator call per distinct evaluation: same key, same figures from the model itself (fixed seed)', () => {
    const p = problemFor();
    const model = new MappingModel(sim);
    const random = new Random(21);
    const sides = [4, 8, 16];
    const srams = [4, 8, 16];
    let shared = 0;
    for (let trial = 0; trial < 400; trial++) {
      const pick = <T>(xs: readonly T[]): T => xs[random.int(xs.length)]!;
      const rows = pick(sides);
      const cols = pick(sides);
      const dataflow = pick(['os', 'ws', 'is'] as const);
      const hwA = hardwarePoint({ rows, cols, ifmapSramKiB: pick(srams), filterSramKiB: pick(srams), ofmapSramKiB: pick(srams), dataflow });
      const hwB = hardwarePoint({ rows, cols, ifmapSramKiB: pick(srams), filterSramKiB: pick(srams), ofmapSramKiB: pick(srams), dataflow });
      const layer = random.int(small.layers.length);
      const point = () => p.mappingCardinalities.map((n) => random.int(n));
      const a = point();
      const b = random.float() < 0.5 ? point() : [...a];
      if (random.float() < 0.5) b[1] = Math.min(7, b[1]! + 1); // a nearby split often rounds to the same tiles
      if (!p.fits(hwA, layer, a) || !p.fits(hwB, layer, b) || p.layerKey(hwA, layer, a) !== p.layerKey(hwB, layer, b)) continue;
      shared++;
      const direct = (hw: number[], m: number[]) => model.evaluate(p.mappingTarget(hw), small.layers[layer]!.layer, mappingOf(m));
      expect(direct(hwB, b)).toEqual(direct(hwA, a));
      const before = p.simulatorCalls;
      expect(p.layer(hwB, layer, b)).toEqual(p.layer(hwA, layer, a));
      expect(p.simulatorCalls - before).toBeLessThanOrEqual(1);
    }
    expect(shared).toBeGreaterThan(30);
  });

  it('runs SCALE-Sim\'s streaming point again on an accelerator that differs only in SRAM', () => {
    const p = problemFor();
    const a = hardwarePoint(SMALL_HW);
    const b = hardwarePoint({ ...SMALL_HW, ifmapSramKiB: 8 });
    p.layer(a, 0, DEFAULT_MAPPING_POINT);
    p.layer(b, 0, DEFAULT_MAPPING_POINT);
    expect(p.simulatorCalls).toBe(2);
    p.layer(a, 0, mappingPoint({ splitM: 1, splitN: 1, splitK: 1, order: 'kmn', doubleBuffer: true })); // the loop order is moot when nothing is tiled
    expect(p.simulatorCalls).toBe(2);
  });
});

describe('ARCO', () => {
  it('a short fixed-seed run improves on its first batch, learns the budget, and never simulates an invalid configuration', async () => {
    const p = problemFor();
    const records: TuningRecord[] = [];
    // Every episode goes to the hardware actor (none keeps or moves the incumbent): this is its learning curve.
    const arco = new Arco(core, p, 3, Number.POSITIVE_INFINITY, { episodes: 16, candidates: 4, simulatePerBatch: 3, warmupProposals: 6, incumbentShare: 0, hardwareMoves: 0, maxBatches: 30 });
    const invalidShare: number[] = [];
    let before = { invalid: 0, rounds: 0 };
    try {
      await runJointTuner(arco, {
        budget: Number.POSITIVE_INFINITY, seed: 3,
        onRecords: (r) => records.push(...r),
        // The share of over-budget accelerators in the rounds ended since the last batch measured.
        onProgress: () => {
          const rounds = arco.counts.batches - before.rounds;
          if (rounds > 0) invalidShare.push((arco.counts.invalidHardware - before.invalid) / (16 * rounds));
          before = { invalid: arco.counts.invalidHardware, rounds: arco.counts.batches };
        },
      });
    } finally {
      arco.dispose();
    }
    expect(arco.counts.batches).toBe(30);
    const r = arco.batchRewards;
    const first = r[0]!;
    const last = r.slice(-5).reduce((s, x) => s + x, 0) / 5;
    expect(last).toBeGreaterThan(first + 0.5);
    expect(invalidShare.slice(-5).reduce((s, x) => s + x, 0)).toBeLessThan(invalidShare.slice(0, 5).reduce((s, x) => s + x, 0));
    // Everything that reached the simulator was valid: in budget, every tile fitting.
    expect(records.length).toBeGreaterThan(20);
    for (const rec of records) {
      expect(rec.result.errorCode).toBe(ErrorCode.none);
      const joint = jointConfigOf(rec.config.point, small.layers.length);
      expect(p.hardwareError(joint.hardware)).toBeUndefined();
      joint.mappings.forEach((m, l) => expect(p.fits(joint.hardware, l, m)).toBe(true));
      // The record names its knobs: the accelerator's, and every layer's mapping as layer.knob.
      const names = Object.fromEntries(small.layers.flatMap(({ layer }, l) => Object.entries(mappingOf(joint.mappings[l]!)).map(([k, v]) => [`${layer.name}.${k}`, typeof v === 'boolean' ? Number(v) : v])));
      expect(rec.config.knobs).toEqual({ ...hardwareOf(joint.hardware), ...names });
    }
    expect(parseRecords(records.map(formatRecord).join('\n')).records.length).toBe(records.length);
    expect(arco.counts.modelScored).toBeGreaterThan(0);
  });
});

describe('ARCO\'s software choice', () => {
  it('keeps, on its best accelerator, the fastest measured mapping of every layer (fixed seed)', async () => {
    const p = problemFor();
    const records: TuningRecord[] = [];
    const run = await runStrategy('arco', core, p, { budget: 120, seed: 8, onRecords: (r) => records.push(...r) }, { episodes: 12 });
    const hw = run.best!.config.hardware;
    const L = small.layers.length;
    for (let l = 0; l < L; l++) {
      // Every mapping of layer l that the simulator measured on that accelerator, straight from the log.
      const measured = records.filter((r) => r.config.point.slice(0, 6).join(',') === hw.join(',')).map((r) => r.config.point.slice(6 + 5 * l, 11 + 5 * l));
      const fastest = Math.min(...measured.map((m) => p.layer(hw, l, m).totalCycles));
      expect(run.best!.evaluation.layers[l]!.totalCycles).toBe(fastest);
    }
  });
});

describe('baselines and ARCO end to end on the same budget', () => {
  // grid is tested below; exhaustive covers the whole space whatever the budget (ceiling.test.ts)
  it.each(STRATEGIES.filter((s) => s !== 'grid' && s !== 'exhaustive'))('%s spends its budget on valid configurations', async (strategy) => {
    const p = problemFor();
    const base = problemFor().evaluate(p.defaultConfig());
    const run = await runStrategy(strategy, core, p, { budget: 150, seed: 5 }, { episodes: 12 });
    // A simulator call is a distinct evaluation. The software-only tuners search the mapping space,
    // where many points round to the same tiles on these small layers (repeats are free), and stop a
    // layer after eight times its share of calls in trials: they end short of the budget here.
    expect(run.simulatorCalls).toBeGreaterThanOrEqual(['autotvm', 'chameleon'].includes(strategy) ? 90 : 135);
    expect(run.simulatorCalls).toBeLessThanOrEqual(150 + 2 * small.layers.length);
    expect(run.best?.evaluation.valid).toBe(true);
    expect(p.evaluate(run.best!.config).cycles).toBe(run.best!.evaluation.cycles);
    expect(run.history[run.history.length - 1]!.bestThroughput).toBe(run.best!.evaluation.throughputPerSecond);
    // Those that start from SCALE-Sim's mapping on the default accelerator never end below it.
    if (['autotvm', 'chameleon', 'ga', 'arco', 'arco-no-cs'].includes(strategy)) expect(run.best!.evaluation.throughputPerSecond).toBeGreaterThanOrEqual(base.throughputPerSecond);
  });
  it('grid covers full-PE arrays and tunes each point', async () => {
    const p = problemFor();
    const run = await runStrategy('grid', core, p, { budget: 100, seed: 5 });
    expect(run.stats.gridPoints).toBeGreaterThan(10);
    expect(run.best?.evaluation.valid).toBe(true);
  });
});

describe('the ensemble cost model', () => {
  it('is more uncertain away from its training data', () => {
    const random = new Random(9);
    const rows: number[][] = [];
    const targets: number[] = [];
    for (let i = 0; i < 300; i++) {
      const x = [random.float(), random.float(), random.float()];
      rows.push(x);
      targets.push(Math.sin(4 * x[0]!) + x[1]! * x[2]! + 0.05 * random.normal());
    }
    const ensemble = new GbtEnsemble(core, 4);
    ensemble.fit(rows, targets);
    const spread = (pts: number[][]): number => pts.reduce((s, x) => s + ensemble.predict(x).std, 0) / pts.length;
    const inside = Array.from({ length: 50 }, () => [0.2 + 0.6 * random.float(), 0.2 + 0.6 * random.float(), 0.2 + 0.6 * random.float()]);
    const outside = Array.from({ length: 50 }, () => [3 + random.float(), -2 - random.float(), 3 + random.float()]);
    expect(spread(outside)).toBeGreaterThan(1.5 * spread(inside));
    // The mean still fits the data where there is data.
    const err = inside.reduce((s, x) => s + Math.abs(ensemble.predict(x).mean - (Math.sin(4 * x[0]!) + x[1]! * x[2]!)), 0) / inside.length;
    expect(err).toBeLessThan(0.25);
  });
});
