// The systolic mapping space: SCALE-Sim's own mapping reproduces the simulator; the tiled
// model's closed form against hand-computed cases and against a step-by-step reference.
import { afterAll, describe, expect, it } from 'vitest';
import { getCore } from '../../src/core/load.js';
import { Random } from '../../src/helpers/random.js';
import { validateConfig } from '../../src/sim/config.js';
import { layerEnergy } from '../../src/sim/energy.js';
import {
  DEFAULT_MAPPING, gemmLines, gemmSramCounts, LayerShape, LOOP_ORDERS, type Mapping, MappingModel, type MappingTarget, mappingEnergyPJ, SPLITS, tiledMapping,
} from '../../src/sim/mapping.js';
import { DEFAULT_MAPPING_POINT, MappingMeasurer, MappingSpace, mappingOf, mappingPoint } from '../../src/sim/mapping-space.js';
import { Simulator } from '../../src/sim/simulate.js';
import { type ConvLayer, type Dataflow, gemmLayer, layerGemm, type SystolicConfig } from '../../src/sim/types.js';
import { ErrorCode } from '../../src/base/result.js';
import { loadGolden } from './golden.js';
import { referenceTiled } from './mapping-reference.js';

const sim = new Simulator(await getCore());
afterAll(() => sim.free());
const model = new MappingModel(sim);

function config(rows: number, cols: number, dataflow: Dataflow, i = 64, f = 64, o = 64): SystolicConfig {
  return validateConfig({
    runName: 't', rows, cols, ifmapSramKiB: i, filterSramKiB: f, ofmapSramKiB: o, ifmapOffset: 0, filterOffset: 10000000, ofmapOffset: 20000000,
    dataflow, interfaceBandwidth: 'CALC', bandwidthWordsPerCycle: 10,
  });
}

const conv = (name: string, h: number, w: number, fh: number, fw: number, c: number, n: number, s: number): ConvLayer => ({
  name, ifmapHeight: h, ifmapWidth: w, filterHeight: fh, filterWidth: fw, channels: c, numFilters: n, strideHeight: s, strideWidth: s,
});

function randomLayer(random: Random, i: number): ConvLayer {
  if (random.float() < 0.2) return gemmLayer(`g${i}`, random.intBetween(1, 300), random.intBetween(1, 300), random.intBetween(1, 300));
  const f = random.pick([1, 1, 3, 3, 5, 7]);
  const h = random.intBetween(f, 40);
  return conv(`c${i}`, h, random.intBetween(f, 40), f, f, random.intBetween(1, 96), random.intBetween(1, 96), random.pick([1, 1, 2, 3]));
}

describe('SCALE-Sim\'s own mapping is a point of the space and reproduces the simulator', () => {
  const golden = loadGolden().filter((c) => c.config.interfaceBandwidth === 'CALC');
  it('on every CALC golden case (SCALE-Sim\'s own reports, every layer)', () => {
    let layers = 0;
    for (const g of golden) {
      const target: MappingTarget = { config: g.config, dramBytesPerCycle: Number.POSITIVE_INFINITY };
      g.layers.forEach((layer, i) => {
        const space = new MappingSpace(model, target, layer);
        const r = space.evaluate(DEFAULT_MAPPING_POINT);
        expect(r.source).toBe('simulator');
        expect(r.totalCycles).toBe(Number(g.compute[i]![0]));
        expect(r.stallCycles).toBe(Number(g.compute[i]![1]));
        expect(r.utilization).toBeCloseTo(Number(g.compute[i]![2]), 9);
        layers++;
      });
    }
    expect(layers).toBeGreaterThan(100);
  });

  it('on random layers, arrays and dataflows: cycles, utilisation, DRAM and SRAM counts, energy; closed forms agree', () => {
    const random = new Random(7);
    for (let i = 0; i < 120; i++) {
      const layer = randomLayer(random, i);
      const c = config(random.pick([4, 8, 16, 32]), random.pick([4, 8, 16, 32]), random.pick(['os', 'ws', 'is'] as const), random.pick([1, 4, 64]), random.pick([1, 4, 64]), random.pick([1, 4, 64]));
      const s = sim.layer(c, layer);
      const r = model.evaluate({ config: c, dramBytesPerCycle: Number.POSITIVE_INFINITY }, layer, DEFAULT_MAPPING);
      expect(r.totalCycles).toBe(s.totalCycles);
      expect(r.utilization).toBe(s.overallUtilization);
      expect([r.dramReads.ifmap, r.dramReads.filter, r.dramWrites.ofmap]).toEqual([s.dramReads.ifmap, s.dramReads.filter, s.dramWrites.ofmap]);
      expect(mappingEnergyPJ(r)).toBeCloseTo(layerEnergy(s).totalPJ, 3);
      // The tiled model's building blocks are SCALE-Sim's closed forms.
      const g = layerGemm(layer);
      expect(gemmLines(c.dataflow, c.rows, c.cols, g.m, g.n, g.k) - 1).toBe(s.totalCycles - s.stallCycles);
      const counts = gemmSramCounts(c.dataflow, c.rows, c.cols, g.m, g.n, g.k);
      expect([counts.ifmap, counts.filter, counts.ofmap]).toEqual([s.sramReads.ifmap, s.sramReads.filter, s.sramWrites.ofmap]);
    }
  });

  it('a tiled point with one tile per dimension that fits SCALE-Sim\'s cache agrees with the simulator', () => {
    // splitM = 2 on M ≤ R keeps one tile; everything fits, so both read each operand once.
    const layer = conv('small', 10, 10, 3, 3, 8, 8, 1); // M = 64, N = 8, K = 72
    const c = config(64, 8, 'os', 64, 64, 64);
    const s = sim.layer(c, layer);
    const r = tiledMapping(new LayerShape(layer), { config: c, dramBytesPerCycle: Number.POSITIVE_INFINITY }, { ...DEFAULT_MAPPING, splitM: 2 });
    expect(r.tiles).toMatchObject({ countM: 1, countN: 1, countK: 1 });
    expect(r.totalCycles).toBe(s.totalCycles);
    expect([r.dramReads.ifmap, r.dramReads.filter, r.dramWrites.ofmap]).toEqual([s.dramReads.ifmap, s.dramReads.filter, s.dramWrites.ofmap]);
  });

  it('with a finite DRAM bandwidth SCALE-Sim\'s mapping stalls on what it moves', () => {
    const layer = conv('big', 56, 56, 3, 3, 64, 64, 1);
    const c = config(32, 32, 'os');
    const s = sim.layer(c, layer);
    const bytes = s.dramReads.ifmap + s.dramReads.filter + s.dramWrites.ofmap;
    const on = model.evaluate({ config: c, dramBytesPerCycle: 1 }, layer, DEFAULT_MAPPING);
    expect(on.totalCycles).toBe(Math.max(s.totalCycles, bytes));
    const off = model.evaluate({ config: c, dramBytesPerCycle: 4 }, layer, { ...DEFAULT_MAPPING, doubleBuffer: false });
    expect(off.totalCycles).toBe(s.totalCycles + Math.ceil(bytes / 4));
  });
});

describe('tiled model: hand-computed cases', () => {
  // GEMM M=8, N=8, K=8 on a 4×4 OS array (M on rows, N on columns: tiles align to 4).
  const c = config(4, 4, 'os', 1, 1, 1);
  const layer = gemmLayer('g', 8, 8, 8);
  const shape = new LayerShape(layer);
  it('2×2 output tiles, m-n-k, no double buffering, 4 B/cycle', () => {
    // Four steps of a 4×4×8 tile, 14 lines each (K + R + C − 2).
    // (0,0): ifmap 32 + filter 32 + ofmap 16 = 80 B → 20 cycles; (0,1): filter 32 + ofmap 16 = 48 → 12;
    // (1,0): 80 → 20; (1,1): 48 → 12. Total 4·14 + 64 − 1 = 119.
    const r = tiledMapping(shape, { config: c, dramBytesPerCycle: 4 }, { splitM: 2, splitN: 2, splitK: 1, order: 'mnk', doubleBuffer: false });
    expect(r.valid).toBe(true);
    expect(r.totalCycles).toBe(119);
    expect(r.computeCycles).toBe(55);
    expect(r.dramReads).toEqual({ ifmap: 64, filter: 128, ofmap: 0 });
    expect(r.dramWrites.ofmap).toBe(64);
  });
  it('the same with double buffering: the first step does not overlap, then max(compute, transfer)', () => {
    // 14 + 20 + max(14, 12) + max(14, 20) + max(14, 12) − 1 = 34 + 14 + 20 + 14 − 1 = 81
    const r = tiledMapping(shape, { config: c, dramBytesPerCycle: 4 }, { splitM: 2, splitN: 2, splitK: 1, order: 'mnk', doubleBuffer: true });
    expect(r.totalCycles).toBe(81);
  });
  it('split reduction with k outermost reads partial sums back', () => {
    // M=4, N=8, K=8: tiles 4×4×4, two of N, two of K, order k-m-n.
    // steps (k,n): (0,0) ifmap 16 + filter 16 + ofmap 16 = 48; (0,1) filter 16 + ofmap 16 = 32;
    // (1,0) ifmap 16 + filter 16 + ofmap 16 + psum read 16 = 64; (1,1) filter 16 + ofmap 16 + read 16 = 48.
    // Compute 4 × (4 + 4 + 4 − 2) = 40 lines. At 8 B/cycle without double buffering:
    // 10+6 + 10+4 + 10+8 + 10+6 − 1 = 63; with it: 16 + 10 + 10 + 10 − 1 = 45.
    const g = new LayerShape(gemmLayer('g', 4, 8, 8));
    const m: Mapping = { splitM: 1, splitN: 2, splitK: 2, order: 'kmn', doubleBuffer: false };
    const r = tiledMapping(g, { config: c, dramBytesPerCycle: 8 }, m);
    expect(r.dramReads).toEqual({ ifmap: 32, filter: 64, ofmap: 32 });
    expect(r.dramWrites.ofmap).toBe(64);
    expect(r.totalCycles).toBe(63);
    expect(tiledMapping(g, { config: c, dramBytesPerCycle: 8 }, { ...m, doubleBuffer: true }).totalCycles).toBe(45);
    // With k innermost the ofmap tile stays resident: no partial sums travel.
    const inner = tiledMapping(g, { config: c, dramBytesPerCycle: 8 }, { ...m, order: 'mnk' });
    expect(inner.dramReads.ofmap).toBe(0);
    expect(inner.dramWrites.ofmap).toBe(32);
  });
  it('a conv ifmap tile moves its input footprint, not its im2col size', () => {
    // 3×3 conv, 10×10×4 input, 8×8 outputs: a tile of 2 output rows (16 pixels) covers 4 input rows × 10 columns × 4 channels.
    const s = new LayerShape(conv('c', 10, 10, 3, 3, 4, 8, 1));
    expect(s.ifmapFootprint(16, 36)).toBe(160);
    expect(s.ifmapFootprint(64, 36)).toBe(400); // the whole input
    expect(s.ifmapFootprint(16, 12)).toBe(Math.ceil(160 / 3)); // a third of the window: a third of the channels' share
  });
});

describe('tiled model: fit and invalid points', () => {
  it('a tile that overflows its buffer is invalid, and double buffering halves the buffer', () => {
    const layer = gemmLayer('g', 64, 64, 64);
    const c = config(8, 8, 'os', 4, 4, 4); // 4096 words each
    const shape = new LayerShape(layer);
    const base: Mapping = { splitM: 2, splitN: 1, splitK: 1, order: 'nmk', doubleBuffer: false };
    // ifmap tile 32×64 = 2048 words, filter 64×64 = 4096, ofmap 32×64 = 2048: fits single-buffered.
    expect(tiledMapping(shape, { config: c, dramBytesPerCycle: 8 }, base).valid).toBe(true);
    const db = tiledMapping(shape, { config: c, dramBytesPerCycle: 8 }, { ...base, doubleBuffer: true });
    expect(db.valid).toBe(false);
    expect(db.reason).toMatch(/filter tile of 4096 words does not fit the 2048 usable words/);
  });
  it('the measurer returns invalidConfig for points that do not fit, cycles for the others', async () => {
    const layer = conv('c', 58, 58, 3, 3, 64, 64, 1);
    const space = new MappingSpace(model, { config: config(32, 32, 'os', 8, 8, 8), dramBytesPerCycle: 16 }, layer);
    const measurer = new MappingMeasurer(space);
    const big = mappingPoint({ splitM: 2, splitN: 1, splitK: 1, order: 'nmk', doubleBuffer: true });
    const small = mappingPoint({ splitM: 64, splitN: 2, splitK: 8, order: 'nmk', doubleBuffer: true });
    const [bad, good, dflt] = await measurer.measure([big, small, DEFAULT_MAPPING_POINT]);
    expect(bad!.errorCode).toBe(ErrorCode.invalidConfig);
    expect(bad!.costs).toEqual([]);
    expect(space.fits(big)).toBe(false);
    expect(good!.errorCode).toBe(ErrorCode.none);
    expect(good!.costs[0]).toBe(space.evaluate(small).totalCycles);
    expect(dflt!.errorCode).toBe(ErrorCode.none); // SCALE-Sim streams: always valid
    expect(measurer.calls).toBe(3);
  });
  it('points and mappings round-trip; the default point is SCALE-Sim\'s mapping', () => {
    expect(mappingOf(DEFAULT_MAPPING_POINT)).toEqual(DEFAULT_MAPPING);
    expect(mappingPoint(mappingOf([3, 1, 4, 5, 0]))).toEqual([3, 1, 4, 5, 0]);
  });
});

describe('tiled model: the class aggregation equals a step-by-step walk', () => {
  it('on random layers, arrays, mappings and bandwidths', () => {
    const random = new Random(11);
    let checked = 0;
    for (let i = 0; i < 300; i++) {
      const layer = randomLayer(random, i);
      const c = config(random.pick([2, 4, 8, 16]), random.pick([2, 4, 8, 16]), random.pick(['os', 'ws', 'is'] as const), 512, 512, 512);
      const m: Mapping = {
        splitM: random.pick(SPLITS), splitN: random.pick(SPLITS), splitK: random.pick(SPLITS.slice(1)),
        order: random.pick(LOOP_ORDERS), doubleBuffer: random.float() < 0.5,
      };
      const target: MappingTarget = { config: c, dramBytesPerCycle: random.pick([1, 3, 16, Number.POSITIVE_INFINITY]) };
      const shape = new LayerShape(layer);
      const fast = tiledMapping(shape, target, m);
      if (!fast.valid) continue;
      const ref = referenceTiled(shape, target, m);
      expect(fast.totalCycles).toBe(ref.totalCycles);
      expect(fast.computeCycles).toBe(ref.computeCycles);
      expect([fast.dramReads.ifmap, fast.dramReads.filter, fast.dramReads.ofmap, fast.dramWrites.ofmap]).toEqual([ref.dram.ifmap, ref.dram.filter, ref.dram.ofmapReads, ref.dram.ofmapWrites]);
      expect([fast.sramReads.ifmap, fast.sramReads.filter, fast.sramWrites.ofmap]).toEqual([ref.sram.ifmap, ref.sram.filter, ref.sram.ofmap]);
      checked++;
    }
    expect(checked).toBeGreaterThan(150);
  });
});
