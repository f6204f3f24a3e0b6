// Traces against SCALE-Sim v2's own (test/golden/sim/<case>/traces): all six byte for byte (CALC
// reads list their sets in CPython's set order). Then against the TypeScript reference on random
// seeded layers in both modes, whose CALC reads are compared as equal cycles, equal words per row
// and equal address multisets per prefetch. v3's traces: test/sim/trace-v3.test.ts.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getCore } from '../../src/core/load.js';
import { Random } from '../../src/helpers/random.js';
import { SYSTOLIC_PRESETS } from '../../src/hw/systolic.js';
import { Simulator } from '../../src/sim/simulate.js';
import { type DramTrace, dramTraceCsv, dramTraces, sramTraces } from '../../src/sim/trace.js';
import { type ConvLayer, type Dataflow, sramWords, type SystolicConfig } from '../../src/sim/types.js';
import { SystolicSim } from '../../src/core/sim.js';
import { loadGolden } from './golden.js';
import { referenceRun } from './reference.js';

const cases = loadGolden().filter((c) => existsSync(join(c.dir, 'traces')));
const core = await getCore();
const sim = new Simulator(core);
afterAll(() => sim.free());

/** SCALE-Sim's trace CSV as rows of numbers: the cycle, then the row. */
const parse = (text: string): number[][] => text.trim().split('\n').map((line) => line.split(',').map(Number));
const valid = (row: readonly number[]): number[] => row.filter((a) => a !== -1);
const sorted = (xs: number[]): number[] => xs.sort((a, b) => a - b);

/**
 * Seeded small square conv layers, `perDataflow` for each dataflow, each with its config: height
 * heights[0] + int(heights[1]), a filter of 1 + int(min(h, filters)), stride 1–2, then channels and
 * filters, then whatever `config` draws.
 */
function randomCases(
  seed: number, name: string, perDataflow: number, draw: { heights: [number, number]; filters: number; channels: number; numFilters: number },
  config: (dataflow: Dataflow, rng: Random, pick: <T>(xs: readonly T[]) => T) => SystolicConfig,
): [string, SystolicConfig, ConvLayer][] {
  const rng = new Random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)]!;
  const cases: [string, SystolicConfig, ConvLayer][] = [];
  for (const dataflow of ['os', 'ws', 'is'] as Dataflow[]) {
    for (let i = 0; i < perDataflow; i++) {
      const h = draw.heights[0] + rng.int(draw.heights[1]);
      const f = 1 + rng.int(Math.min(h, draw.filters));
      const s = 1 + rng.int(2);
      const layer: ConvLayer = { name, ifmapHeight: h, ifmapWidth: h, filterHeight: f, filterWidth: f, channels: 1 + rng.int(draw.channels), numFilters: 2 + rng.int(draw.numFilters), strideHeight: s, strideWidth: s };
      cases.push([`${dataflow} #${i}`, config(dataflow, rng, pick), layer]);
    }
  }
  return cases;
}

/** A read trace agrees with another's rows (cycle, address columns): same cycles, same words per row, same addresses per prefetch. */
function expectSameReads(ours: DramTrace, theirs: number[][], label: string): void {
  expect(ours.rows.map((r) => r.cycle), label).toEqual(theirs.map((r) => r[0]));
  for (const p of ours.prefetches) {
    const mine = ours.rows.slice(p.firstRow, p.firstRow + p.rows).map((r) => r.addresses);
    const other = theirs.slice(p.firstRow, p.firstRow + p.rows).map((r) => r.slice(1, 1 + p.width));
    expect(mine.map((r) => valid(r).length), label).toEqual(other.map((r) => valid(r).length));
    expect(sorted(mine.flatMap(valid)), label).toEqual(sorted(other.flatMap(valid)));
  }
}

describe('traces agree with SCALE-Sim v2', () => {
  it('has traced cases for the three dataflows in both modes', () => {
    for (const mode of ['CALC', 'USER']) expect(new Set(cases.filter((c) => c.config.interfaceBandwidth === mode).map((c) => c.config.dataflow)).size).toBe(3);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s: SRAM traces byte for byte', (_name, golden) => {
    const traces = sramTraces(core, golden.config, golden.layers[0]!);
    expect(traces.ifmap).toBe(readFileSync(join(golden.dir, 'traces', 'IFMAP_SRAM_TRACE.csv'), 'utf8'));
    expect(traces.filter).toBe(readFileSync(join(golden.dir, 'traces', 'FILTER_SRAM_TRACE.csv'), 'utf8'));
    expect(traces.ofmap).toBe(readFileSync(join(golden.dir, 'traces', 'OFMAP_SRAM_TRACE.csv'), 'utf8'));
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s: DRAM traces byte for byte', (_name, golden) => {
    const traces = dramTraces(core, golden.config, golden.layers[0]!);
    const read = (f: string): string => readFileSync(join(golden.dir, 'traces', f), 'utf8');
    for (const op of ['ifmap', 'filter', 'ofmap'] as const) expect(dramTraceCsv(traces[op]), op).toBe(read(`${op.toUpperCase()}_DRAM_TRACE.csv`));
    if (golden.config.interfaceBandwidth === 'USER') return;
    // The maximum bandwidth demand is the most words one cycle of SCALE-Sim's own trace moves.
    const peak = sim.layer(golden.config, golden.layers[0]!).maxDramBandwidth;
    for (const op of ['ifmap', 'filter'] as const) {
      const theirs = parse(read(`${op.toUpperCase()}_DRAM_TRACE.csv`));
      const words = traces[op].prefetches.flatMap((p) => theirs.slice(p.firstRow, p.firstRow + p.rows).map((r) => valid(r.slice(1, 1 + p.width)).length));
      expect(peak[op]).toBe(Math.max(...words));
    }
  });
});

describe('trace limits', () => {
  it('refuses a layer whose traces would be too long or too wide, naming it', () => {
    const google = { ...SYSTOLIC_PRESETS.google, dataflow: 'os' as const };
    // OS on 256×256: ceil(50176 / 256) = 196 folds of 64 + 256 + 256 − 2 = 574 lines: 112504 lines × 256
    const wide: ConvLayer = { name: 'pw', ifmapHeight: 224, ifmapWidth: 224, filterHeight: 1, filterWidth: 1, channels: 64, numFilters: 256, strideHeight: 1, strideWidth: 1 };
    expect(() => sramTraces(core, google, wide)).toThrow(/layer 'pw': its traces would hold 28801024 addresses \(112504 lines × 256\), more than the trace limit of 20000000/);
    expect(() => dramTraces(core, google, wide, {}, 1000)).toThrow(/layer 'pw': 112504 demand lines is more than the trace limit of 1000/);
  });
});

describe('USER-mode traces = the TypeScript reference\'s', () => {
  const layers = randomCases(99, 'u', 8, { heights: [5, 12], filters: 4, channels: 6, numFilters: 24 }, (dataflow, rng, pick) => ({
    ...SYSTOLIC_PRESETS.scale, dataflow, rows: pick([2, 4, 8, 16]), cols: pick([2, 4, 7, 16]),
    ifmapSramKiB: pick([1, 2]), filterSramKiB: pick([1, 2]), ofmapSramKiB: pick([1, 2]), interfaceBandwidth: 'USER', bandwidthWordsPerCycle: 1 + rng.int(12),
  }));
  it.each(layers)('%s: service cycles of every line, drains and prefetch cycles', (_name, config, layer) => {
    const reference = referenceRun(config, layer);
    const sram = sramTraces(core, config, layer);
    const cycles = (text: string): number[] => text.trim().split('\n').map((line) => Number(line.slice(0, line.indexOf(','))));
    expect(cycles(sram.ifmap)).toEqual(reference.served.ifmap);
    expect(cycles(sram.filter)).toEqual(reference.served.filter);
    expect(cycles(sram.ofmap)).toEqual(reference.served.ofmap);
    const dram = dramTraces(core, config, layer);
    expect(dram.ofmap.rows).toEqual(reference.dramTraces.ofmap.map((r) => ({ cycle: r.cycle, addresses: r.addresses })));
    // The reference does not model USER read addresses: their cycles and widths.
    for (const op of ['ifmap', 'filter'] as const) {
      expect(dram[op].rows.map((r) => [r.cycle, r.addresses.length])).toEqual(reference.dramTraces[op].map((r) => [r.cycle, r.words]));
    }
  });
});

describe('DRAM traces = the TypeScript reference\'s', () => {
  const layers = randomCases(77, 't', 6, { heights: [4, 10], filters: 3, channels: 8, numFilters: 30 }, (dataflow, _rng, pick) => ({
    ...SYSTOLIC_PRESETS.scale, dataflow, rows: pick([2, 4, 8]), cols: pick([1, 2, 5, 8]), ifmapSramKiB: pick([1, 2]), filterSramKiB: pick([1, 2]), ofmapSramKiB: pick([1, 2]),
  }));
  it.each(layers)('%s', (_name, config, layer) => {
    // The logged run walks the reads without shortcuts; its figures are the same.
    const args = { ...layer, rows: config.rows, cols: config.cols, dataflow: config.dataflow, ifmapWords: sramWords(config.ifmapSramKiB), filterWords: sramWords(config.filterSramKiB), ofmapWords: sramWords(config.ofmapSramKiB), userBandwidth: 0 };
    const raw = new SystolicSim(core);
    try {
      expect(raw.layerWithDramLogs(args).figures).toEqual(raw.layer(args));
    } finally {
      raw.free();
    }
    const ours = dramTraces(core, config, layer);
    const { dramTraces: reference } = referenceRun(config, layer);
    expect(ours.ofmap.rows).toEqual(reference.ofmap.map((r) => ({ cycle: r.cycle, addresses: r.addresses })));
    for (const op of ['ifmap', 'filter'] as const) expectSameReads(ours[op], reference[op].map((r) => [r.cycle, ...r.addresses]), op);
  });
});
