// The fast wasm simulator against the plain TypeScript port of SCALE-Sim on random small layers,
// including shapes and buffer sizes the golden set does not cover (fixed seed).
import { afterAll, describe, expect, it } from 'vitest';
import { getCore } from '../../src/core/load.js';
import { Random } from '../../src/helpers/random.js';
import { Simulator } from '../../src/sim/simulate.js';
import { type ConvLayer, type Dataflow, layerGemm, type SystolicConfig } from '../../src/sim/types.js';
import { SYSTOLIC_PRESETS } from '../../src/hw/systolic.js';
import { layerFigures } from './figures.js';
import { referenceLayer, type V3Options } from './reference.js';
import type { ScalesimLayout, ScalesimV3Config } from '../../src/sim/types.js';

const sim = new Simulator(await getCore());
afterAll(() => sim.free());

function randomCase(rng: Random): { config: SystolicConfig; layer: ConvLayer } {
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)]!;
  const dataflow = pick<Dataflow>(['os', 'ws', 'is']);
  const rows = pick([1, 2, 3, 4, 5, 8, 13, 32, 64, 128]);
  const cols = pick([1, 2, 3, 4, 7, 16, 32, 100, 256]);
  const h = 1 + rng.int(20);
  const w = 1 + rng.int(20);
  const layer: ConvLayer = {
    name: 'L', ifmapHeight: h, ifmapWidth: w, filterHeight: 1 + rng.int(Math.min(h, 5)), filterWidth: 1 + rng.int(Math.min(w, 5)),
    channels: 1 + rng.int(12), numFilters: 1 + rng.int(40), strideHeight: 1 + rng.int(3), strideWidth: 1 + rng.int(3),
  };
  const config: SystolicConfig = {
    ...SYSTOLIC_PRESETS.scale, rows, cols, dataflow,
    ifmapSramKiB: pick([1, 1, 2, 5]), filterSramKiB: pick([1, 1, 2, 5]), ofmapSramKiB: pick([1, 1, 2, 64]),
    ...(rng.float() < 0.4 ? { interfaceBandwidth: 'USER' as const, bandwidthWordsPerCycle: 1 + rng.int(20) } : {}),
  };
  return { config, layer };
}

describe('wasm simulator = TypeScript reference of SCALE-Sim', () => {
  const rng = new Random(2024);
  const cases: { config: SystolicConfig; layer: ConvLayer }[] = [];
  while (cases.length < 200) {
    const c = randomCase(rng);
    const g = layerGemm(c.layer);
    const [sr, sc, t] = c.config.dataflow === 'os' ? [g.m, g.n, g.k] : c.config.dataflow === 'ws' ? [g.k, g.n, g.m] : [g.k, g.m, g.n];
    const lines = Math.ceil(sr / c.config.rows) * Math.ceil(sc / c.config.cols) * (t + 2 * c.config.rows + c.config.cols);
    if (lines * (c.config.rows + c.config.cols) < (c.config.interfaceBandwidth === 'USER' ? 3e4 : 2e5)) cases.push(c);
  }
  // Many column folds over a small window: the repeated-pass shortcuts of the read walk.
  const conv = (h: number, f: number, s: number, ch: number, n: number): ConvLayer =>
    ({ name: 'P', ifmapHeight: h, ifmapWidth: h, filterHeight: f, filterWidth: f, channels: ch, numFilters: n, strideHeight: s, strideWidth: s });
  for (const dataflow of ['os', 'ws', 'is'] as const) {
    for (const layer of [conv(12, 1, 1, 8, 40), conv(12, 3, 1, 8, 40), conv(13, 3, 2, 6, 33), conv(16, 2, 2, 5, 30)]) {
      cases.push({ config: { ...SYSTOLIC_PRESETS.scale, rows: 4, cols: 2, dataflow, ifmapSramKiB: 1, filterSramKiB: 1, ofmapSramKiB: 1 }, layer });
    }
  }
  // More than 255 windows in one walk: the one-byte marks wrap.
  cases.push({ config: { ...SYSTOLIC_PRESETS.scale, rows: 4, cols: 2, dataflow: 'is', ifmapSramKiB: 1, filterSramKiB: 1, ofmapSramKiB: 1 }, layer: conv(44, 2, 1, 32, 2) }); // 276 windows
  // The last demand line waits on a prefetch (1×1, USER): Total Cycles, its ofmap service, leaves that wait out.
  cases.push({ config: { ...SYSTOLIC_PRESETS.scale, rows: 1, cols: 1, dataflow: 'ws', ifmapSramKiB: 1, filterSramKiB: 1, ofmapSramKiB: 1, interfaceBandwidth: 'USER', bandwidthWordsPerCycle: 2 }, layer: { ...conv(6, 1, 1, 9, 3), filterHeight: 2 } });
  it.each(cases.map((c, i) => [i, c] as const))('case %i', (_i, { config, layer }) => {
    const fast = sim.layer(config, layer);
    const reference = referenceLayer(config, layer);
    expect(layerFigures(fast)).toEqual(layerFigures(reference));
    expect(fast.maxDramBandwidth).toEqual(reference.maxDramBandwidth);
  });
});

// SCALE-Sim v3's memory model: USER mode with the ifmap and filter read at their own bank
// bandwidths and v3's stall rule, CALC with the latest drain as the DRAM OFMAP stop; half the
// cases N:M sparse, layer-wise or (WS) row-wise (pruned operands, SPARSE_REPORT figures).
describe('wasm simulator = TypeScript reference of SCALE-Sim v3', () => {
  const rng = new Random(2026);
  const v3Of = (m: V3Options): ScalesimV3Config => {
    const bank = (bankBandwidth: number) => ({ customLayout: false, bankBandwidth, banks: 1, ports: 2 });
    const sparsity = m.sparseRep
      ? { support: true, representation: m.sparseRep, optimizedMapping: !!m.rowWise, ...(m.rowWise ? { blockSize: m.rowWise.blockSize, randomSeed: m.rowWise.seed } : {}) }
      : { support: false, optimizedMapping: false };
    return { readRequestBuffer: 32, writeRequestBuffer: 32, useRamulatorTrace: false, layout: { ifmap: bank(m.ifmapBandwidth), filter: bank(m.filterBandwidth) }, sparsity, defaulted: [] };
  };
  const cases: { config: SystolicConfig; layer: ConvLayer; memory: V3Options }[] = [];
  while (cases.length < 120) {
    const c = randomCase(rng);
    const config = rng.float() < 0.8 ? { ...c.config, interfaceBandwidth: 'USER' as const, bandwidthWordsPerCycle: 1 + rng.int(20) } : c.config;
    const slow = rng.float() < 0.5; // a few words per cycle: most of these stall
    const sparse = rng.float() < 0.5;
    const memory: V3Options = { ifmapBandwidth: 1 + rng.int(slow ? 4 : 24), filterBandwidth: 1 + rng.int(slow ? 4 : 24), ...(sparse ? { sparseRep: (['csr', 'csc', 'ellpack_block'] as const)[rng.int(3)] } : {}) };
    const m = 1 + rng.int(8);
    // row-wise N:M in WS: an even block dividing 2R, at most R (v3's limit)
    const blocks = [2, 4, 6, 8].filter((b) => b <= config.rows && (2 * config.rows) % b === 0);
    if (sparse && config.dataflow === 'ws' && blocks.length > 0 && rng.float() < 0.5) memory.rowWise = { blockSize: blocks[rng.int(blocks.length)]!, seed: rng.int(1000) };
    const layer = sparse && rng.float() < 0.9 ? { ...c.layer, sparsity: { n: 1 + rng.int(m), m } } : c.layer;
    const g = layerGemm(layer);
    const [sr, sc, t] = config.dataflow === 'os' ? [g.m, g.n, g.k] : config.dataflow === 'ws' ? [g.k, g.n, g.m] : [g.k, g.m, g.n];
    const lines = Math.ceil(sr / config.rows) * Math.ceil(sc / config.cols) * (t + 2 * config.rows + config.cols);
    if (lines * (config.rows + config.cols) < (config.interfaceBandwidth === 'USER' ? 3e4 : 2e5)) cases.push({ config, layer, memory });
  }
  it.each(cases.map((c, i) => [i, c] as const))('case %i', (_i, { config, layer, memory }) => {
    const fast = sim.layer(config, layer, { v3: v3Of(memory) });
    const reference = referenceLayer(config, layer, memory);
    expect(layerFigures(fast)).toEqual(layerFigures(reference));
    expect(fast.totalCyclesWithPrefetch).toBe(reference.totalCyclesWithPrefetch);
    expect(fast.sramReads.ifmap).toBe(reference.sramReads.ifmap); // v3's float WS count, exactly
    expect(fast.sparse).toEqual(reference.sparse);
    expect(fast.maxDramBandwidth).toEqual(reference.maxDramBandwidth);
  });
  it('some cases stall, v3\'s stall rule changes the figures of some, many are sparse', () => {
    const differs = cases.filter(({ config, layer, memory }) => config.interfaceBandwidth === 'USER' && memory.ifmapBandwidth === memory.filterBandwidth && !memory.sparseRep
      && referenceLayer({ ...config, bandwidthWordsPerCycle: memory.ifmapBandwidth }, layer).totalCycles !== referenceLayer({ ...config, bandwidthWordsPerCycle: memory.ifmapBandwidth }, layer, memory).totalCycles);
    expect(cases.filter((c) => sim.layer(c.config, c.layer, { v3: v3Of(c.memory) }).stallCycles > 0).length).toBeGreaterThan(8);
    expect(differs.length).toBeGreaterThan(0);
    expect(cases.filter((c) => c.memory.sparseRep && !c.memory.rowWise && c.layer.sparsity && c.layer.sparsity.n < c.layer.sparsity.m).length).toBeGreaterThan(25);
    expect(cases.filter((c) => c.memory.rowWise).length).toBeGreaterThan(5);
  });
});

// SCALE-Sim v3's custom layouts in USER mode: random intraline factors and axis orders, bank
// counts dividing the bank bandwidth, 1–3 ports, either operand or both, some layers N:M sparse.
describe('wasm simulator = TypeScript reference of SCALE-Sim v3 custom layouts', () => {
  const rng = new Random(2027);
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)]!;
  const shuffle = (n: number): number[] => {
    const a = [...Array(n).keys()];
    for (let i = n - 1; i > 0; i--) { const j = rng.int(i + 1); [a[i], a[j]] = [a[j]!, a[i]!]; }
    return a;
  };
  const divisors = (n: number): number[] => [...Array(n).keys()].map((i) => i + 1).filter((d) => n % d === 0);
  type Case = { config: SystolicConfig; layer: ConvLayer; v3: ScalesimV3Config; layout: ScalesimLayout; memory: V3Options };
  const cases: Case[] = [];
  while (cases.length < 60) {
    const c = randomCase(rng);
    const config = { ...c.config, interfaceBandwidth: 'USER' as const, bandwidthWordsPerCycle: 1 + rng.int(20), ifmapOffset: 0 };
    const fc = 1 + rng.int(3);
    const ifmapFactors = [1 + rng.int(4), 1 + rng.int(4), fc];
    const filterFactors = [1 + rng.int(3), fc, 1 + rng.int(3), 1 + rng.int(2)];
    const layout: ScalesimLayout = { name: 'L', source: 'random', ifmap: { factors: ifmapFactors, order: shuffle(6) }, filter: { factors: filterFactors, order: shuffle(8) } };
    const product = (xs: number[]) => xs.reduce((a, b) => a * b, 1);
    const ifmapBw = product(ifmapFactors) + rng.int(6);
    const filterBw = product(filterFactors);
    const which = rng.int(3); // 0 both, 1 ifmap, 2 filter
    const bank = (custom: boolean, bankBandwidth: number) => ({ customLayout: custom, bankBandwidth, banks: pick(divisors(bankBandwidth)), ports: 1 + rng.int(3) });
    const sparse = rng.float() < 0.3;
    const v3: ScalesimV3Config = {
      readRequestBuffer: 32, writeRequestBuffer: 32, useRamulatorTrace: false, defaulted: [],
      layout: { ifmap: bank(which !== 2, ifmapBw), filter: bank(which !== 1, filterBw) },
      sparsity: sparse ? { support: true, representation: 'csr', optimizedMapping: false } : { support: false, optimizedMapping: false },
    };
    const m = 1 + rng.int(6);
    const layer = sparse ? { ...c.layer, sparsity: { n: 1 + rng.int(m), m } } : c.layer;
    const custom = (op: 'ifmap' | 'filter') => (v3.layout[op].customLayout ? { banks: v3.layout[op].banks, ports: v3.layout[op].ports, ...layout[op] } : undefined);
    const memory: V3Options = {
      ifmapBandwidth: ifmapBw, filterBandwidth: filterBw, ...(sparse ? { sparseRep: 'csr' as const } : {}), layouts: { ifmap: custom('ifmap'), filter: custom('filter') },
    };
    const g = layerGemm(layer);
    const [sr, sc, t] = config.dataflow === 'os' ? [g.m, g.n, g.k] : config.dataflow === 'ws' ? [g.k, g.n, g.m] : [g.k, g.m, g.n];
    const lines = Math.ceil(sr / config.rows) * Math.ceil(sc / config.cols) * (t + 2 * config.rows + config.cols);
    if (lines * (config.rows + config.cols) < 2e4) cases.push({ config, layer, v3, layout, memory });
  }
  it.each(cases.map((c, i) => [i, c] as const))('case %i', (_i, { config, layer, v3, layout, memory }) => {
    const fast = sim.layer(config, layer, { v3, layout });
    const reference = referenceLayer(config, layer, memory);
    expect(layerFigures(fast)).toEqual(layerFigures(reference));
    expect(fast.totalCyclesWithPrefetch).toBe(reference.totalCyclesWithPrefetch);
    expect(fast.sparse).toEqual(reference.sparse);
  });
  it('the layouts change the figures of most cases, and bank conflicts stall some', () => {
    const plain = (c: Case) => ({ ...c.v3, layout: { ifmap: { ...c.v3.layout.ifmap, customLayout: false }, filter: { ...c.v3.layout.filter, customLayout: false } } });
    const changed = cases.filter((c) => sim.layer(c.config, c.layer, { v3: c.v3, layout: c.layout }).totalCycles !== sim.layer(c.config, c.layer, { v3: plain(c) }).totalCycles);
    expect(changed.length).toBeGreaterThan(30);
    expect(cases.filter((c) => c.memory.sparseRep).length).toBeGreaterThan(10);
  });
});

// SCALE-Sim v3 with negative base offsets, dense: most put one word of an operand on address -1
// (v3's padding marker, never fetched, demanded or written), some put every word below it; CALC
// and USER, some with a custom filter layout (the ifmap's needs IfmapOffset 0).
describe('wasm simulator = TypeScript reference of SCALE-Sim v3 with negative offsets', () => {
  const rng = new Random(2028);
  const cases: { config: SystolicConfig; layer: ConvLayer; v3: ScalesimV3Config; layout?: ScalesimLayout; memory: V3Options }[] = [];
  while (cases.length < 60) {
    const { config: base, layer } = randomCase(rng);
    const g = layerGemm(layer);
    // a word on -1 (or, one time in five, every word below 0), or no negative offset
    const offset = (words: number) => (rng.float() < 0.3 ? 0 : rng.float() < 0.2 ? -words - 1 - rng.int(3) : -1 - rng.int(words));
    const layered = base.interfaceBandwidth === 'USER' && rng.float() < 0.3;
    const config = {
      ...base,
      ifmapOffset: layered ? 0 : offset(layer.ifmapHeight * layer.ifmapWidth * layer.channels),
      filterOffset: offset(g.k * g.n),
      ofmapOffset: offset(g.m * g.n),
    };
    if (g.m * g.n === 1) config.ofmapOffset = 0; // v3 fails with its only word on -1 (refused)
    const bandwidth = 1 + rng.int(12);
    const bank = (customLayout: boolean) => ({ customLayout, bankBandwidth: bandwidth, banks: 1, ports: 1 + rng.int(2) });
    const v3: ScalesimV3Config = { readRequestBuffer: 32, writeRequestBuffer: 32, useRamulatorTrace: false, defaulted: [], layout: { ifmap: bank(false), filter: bank(layered) }, sparsity: { support: false, optimizedMapping: false } };
    const layout: ScalesimLayout | undefined = layered ? { name: 'L', source: 'random', ifmap: { factors: [1, 1, 1], order: [0, 1, 2, 3, 4, 5] }, filter: { factors: [bandwidth, 1, 1, 1], order: [0, 1, 2, 3, 4, 5, 6, 7] } } : undefined;
    const memory: V3Options = { ifmapBandwidth: bandwidth, filterBandwidth: bandwidth, ...(layout ? { layouts: { filter: { banks: 1, ports: v3.layout.filter.ports, ...layout.filter } } } : {}) };
    const [sr, sc, t] = config.dataflow === 'os' ? [g.m, g.n, g.k] : config.dataflow === 'ws' ? [g.k, g.n, g.m] : [g.k, g.m, g.n];
    const lines = Math.ceil(sr / config.rows) * Math.ceil(sc / config.cols) * (t + 2 * config.rows + config.cols);
    if (lines * (config.rows + config.cols) < (config.interfaceBandwidth === 'USER' ? 2e4 : 1e5)) cases.push({ config, layer, v3, ...(layout ? { layout } : {}), memory });
  }
  it.each(cases.map((c, i) => [i, c] as const))('case %i', (_i, { config, layer, v3, layout, memory }) => {
    const fast = sim.layer(config, layer, { v3, ...(layout ? { layout } : {}) });
    const reference = referenceLayer(config, layer, memory);
    expect(layerFigures(fast)).toEqual(layerFigures(reference));
    expect(fast.totalCyclesWithPrefetch).toBe(reference.totalCyclesWithPrefetch);
    expect(fast.maxDramBandwidth).toEqual(reference.maxDramBandwidth);
  });
  it('the word on -1 changes the figures of many cases, in CALC and USER', () => {
    const shifted = (c: (typeof cases)[number]) => ({ ...c.config, ifmapOffset: 0, filterOffset: 10_000_000, ofmapOffset: 20_000_000 });
    const changed = cases.filter((c) => JSON.stringify(layerFigures(sim.layer(c.config, c.layer, { v3: c.v3, ...(c.layout ? { layout: c.layout } : {}) }))) !== JSON.stringify(layerFigures(sim.layer(shifted(c), c.layer, { v3: c.v3, ...(c.layout ? { layout: c.layout } : {}) }))));
    for (const mode of ['CALC', 'USER']) expect(changed.filter((c) => c.config.interfaceBandwidth === mode).length, mode).toBeGreaterThan(5);
    expect(cases.filter((c) => c.layout).length).toBeGreaterThanOrEqual(3);
  });
});
