// SCALE-Sim v3 with UseRamulatorTrace: the DRAM latencies v3 reads (results/_{ifmap,filter,ofmap}File{layer}.npy)
// through its request-buffered ports, against v3's own runs (scripts/scalesim-v3-golden.py, seeded
// synthetic latencies stored with the reports) and the TypeScript reference.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { getCore } from '../../src/core/load.js';
import { Random } from '../../src/helpers/random.js';
import { SYSTOLIC_PRESETS } from '../../src/hw/systolic.js';
import { parseScalesimConfig } from '../../src/sim/config.js';
import { readNpyNumbers } from '../../src/run/npy.js';
import { RAMULATOR_OPERANDS, type RamulatorLatencies, ramulatorFile } from '../../src/sim/ramulator.js';
import { scalesimReports } from '../../src/sim/report.js';
import { Simulator } from '../../src/sim/simulate.js';
import { parseTopology } from '../../src/sim/topology.js';
import { type ConvLayer, type Dataflow, gemmLayer, layerGemm, type ScalesimLayout, type ScalesimV3Config, type SystolicConfig } from '../../src/sim/types.js';
import { layerFigures } from './figures.js';
import { referenceLayer, type V3Options } from './reference.js';

const sim = new Simulator(await getCore());
afterAll(() => sim.free());
const RUNS = fileURLToPath(new URL('../golden/scalesim-v3/runs/', import.meta.url));
const REPORTS = ['COMPUTE_REPORT.csv', 'BANDWIDTH_REPORT.csv', 'DETAILED_ACCESS_REPORT.csv'] as const;
const runs = readdirSync(RUNS).filter((d) => existsSync(join(RUNS, d, 'meta.json')) && JSON.parse(readFileSync(join(RUNS, d, 'meta.json'), 'utf8')).ramulator);

function load(d: string) {
  const read = (f: string) => readFileSync(join(RUNS, d, f), 'utf8');
  const meta = JSON.parse(read('meta.json'));
  const file = parseScalesimConfig(read('config.cfg'), join(d, 'config.cfg'));
  const layers = parseTopology(read('topology.csv'), join(d, 'topology.csv'), { gemm: meta.gemm });
  const latencies: RamulatorLatencies[] = layers.map((_, i) =>
    Object.fromEntries(RAMULATOR_OPERANDS.map((op) => [op, readNpyNumbers(new Uint8Array(readFileSync(join(RUNS, d, ramulatorFile(op, i))))).data])) as RamulatorLatencies,
  );
  return { file, layers, latencies, reports: Object.fromEntries(REPORTS.map((r) => [r, read(r)])) };
}

describe('SCALE-Sim v3 golden runs with UseRamulatorTrace', () => {
  it.each(runs)('%s: its reports as v3 writes them (wasm simulator)', (d) => {
    const { file, layers, latencies, reports } = load(d);
    expect(scalesimReports(sim.network(file.config, layers, { v3: file.v3, ramulator: latencies }), 3)).toEqual(reports);
  });

  it.each(runs)('%s: its reports as v3 writes them (TypeScript reference)', (d) => {
    const { file, layers, latencies, reports } = load(d);
    const { layout, readRequestBuffer, writeRequestBuffer } = file.v3!;
    const results = layers.map((l, i) => referenceLayer(file.config, l, {
      ifmapBandwidth: layout.ifmap.bankBandwidth, filterBandwidth: layout.filter.bankBandwidth, ramulator: { ...latencies[i]!, readRequestBuffer, writeRequestBuffer },
    }));
    expect(scalesimReports(results, 3)).toEqual(reports);
  });

  it('the latencies matter in every run; the request buffers where the queues fill (small buffers, long latencies)', () => {
    const compute = (d: string, v3: object, ramulator?: RamulatorLatencies[]) => {
      const { file, layers } = load(d);
      return scalesimReports(sim.network(file.config, layers, { v3: { ...file.v3!, ...v3 }, ...(ramulator ? { ramulator } : {}) }), 3)['COMPUTE_REPORT.csv'];
    };
    const unbounded = { readRequestBuffer: 1e9, writeRequestBuffer: 1e9 };
    for (const d of runs) {
      const { latencies, reports } = load(d);
      expect(compute(d, {}), d).not.toBe(reports['COMPUTE_REPORT.csv']);
      const paced = !['ramulator-ws-conv', 'ramulator-is-mnk'].includes(d); // buffers of 512 and 1000, latencies of 0–2 cycles
      expect(compute(d, unbounded, latencies) !== reports['COMPUTE_REPORT.csv'], d).toBe(paced);
    }
  });
});

// Random small layers (conv and GEMM, every dataflow, some N:M sparse, some with a custom layout)
// with random latencies (some past 10000, arrays of every length) and request buffers of 1 to 1000.
describe('wasm simulator = TypeScript reference with Ramulator latencies', () => {
  const rng = new Random(2028);
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)]!;
  const shuffle = (n: number): number[] => {
    const a = [...Array(n).keys()];
    for (let i = n - 1; i > 0; i--) { const j = rng.int(i + 1); [a[i], a[j]] = [a[j]!, a[i]!]; }
    return a;
  };
  const latencies = (): number[] => {
    const top = pick([3, 40, 300]);
    return Array.from({ length: pick([0, 5, 50, 400, 3000]) }, () => (rng.float() < 0.03 ? 10001 + rng.int(50000) : rng.int(top)));
  };
  type Case = { config: SystolicConfig; layer: ConvLayer; v3: ScalesimV3Config; layout?: ScalesimLayout; ramulator: RamulatorLatencies; memory: V3Options };
  const cases: Case[] = [];
  while (cases.length < 80) {
    const dataflow = pick<Dataflow>(['os', 'ws', 'is']);
    const config: SystolicConfig = {
      ...SYSTOLIC_PRESETS.scale, rows: pick([2, 3, 4, 8, 16]), cols: pick([1, 2, 4, 7, 16]), dataflow, ifmapOffset: 0,
      ifmapSramKiB: pick([1, 1, 2]), filterSramKiB: pick([1, 1, 2]), ofmapSramKiB: pick([1, 1, 2, 8]), interfaceBandwidth: 'USER', bandwidthWordsPerCycle: 1 + rng.int(12),
    };
    const h = 2 + rng.int(14);
    const conv: ConvLayer = {
      name: 'L', ifmapHeight: h, ifmapWidth: h, filterHeight: 1 + rng.int(Math.min(h, 3)), filterWidth: 1 + rng.int(Math.min(h, 3)), channels: 1 + rng.int(8), numFilters: 1 + rng.int(24), strideHeight: 1 + rng.int(2), strideWidth: 1 + rng.int(2),
    };
    const sparse = rng.float() < 0.25;
    const m = 1 + rng.int(4);
    const shape = rng.float() < 0.3 ? gemmLayer('G', 1 + rng.int(40), 1 + rng.int(30), 1 + rng.int(40)) : conv;
    const layer = sparse ? { ...shape, sparsity: { n: 1 + rng.int(m), m } } : shape;
    const custom = rng.float() < 0.25;
    const ifmapFactors = [1 + rng.int(3), 1 + rng.int(2), 1];
    const layout: ScalesimLayout = { name: 'L', source: 'random', ifmap: { factors: ifmapFactors, order: shuffle(6) }, filter: { factors: [1, 1, 1, 1], order: shuffle(8) } };
    const ifmapBw = custom ? ifmapFactors[0]! * ifmapFactors[1]! + rng.int(4) : 1 + rng.int(12);
    const filterBw = custom ? 1 : 1 + rng.int(12);
    const v3: ScalesimV3Config = {
      readRequestBuffer: pick([1, 2, 3, 8, 64, 1000]), writeRequestBuffer: pick([1, 2, 3, 8, 64, 1000]), useRamulatorTrace: true, defaulted: [],
      layout: { ifmap: { customLayout: custom, bankBandwidth: ifmapBw, banks: 1, ports: 1 + rng.int(2) }, filter: { customLayout: false, bankBandwidth: filterBw, banks: 1, ports: 2 } },
      sparsity: sparse ? { support: true, representation: 'csc', optimizedMapping: false } : { support: false, optimizedMapping: false },
    };
    const ramulator = { ifmap: latencies(), filter: latencies(), ofmap: latencies() };
    const memory: V3Options = {
      ifmapBandwidth: ifmapBw, filterBandwidth: filterBw, ...(sparse ? { sparseRep: 'csc' as const } : {}),
      layouts: { ifmap: custom ? { banks: 1, ports: v3.layout.ifmap.ports, ...layout.ifmap } : undefined },
      ramulator: { ...ramulator, readRequestBuffer: v3.readRequestBuffer, writeRequestBuffer: v3.writeRequestBuffer },
    };
    const g = layerGemm(layer);
    const [sr, sc, t] = dataflow === 'os' ? [g.m, g.n, g.k] : dataflow === 'ws' ? [g.k, g.n, g.m] : [g.k, g.m, g.n];
    const lines = Math.ceil(sr / config.rows) * Math.ceil(sc / config.cols) * (t + 2 * config.rows + config.cols);
    if (lines * (config.rows + config.cols) < 3e4) cases.push({ config, layer, v3, ...(custom ? { layout } : {}), ramulator, memory });
  }
  const fast = (c: Case, v3 = c.v3) => sim.layer(c.config, c.layer, { v3, ramulator: [c.ramulator], ...(c.layout ? { layout: c.layout } : {}) });

  it.each(cases.map((c, i) => [i, c] as const))('case %i', (_i, c) => {
    const result = fast(c);
    const reference = referenceLayer(c.config, c.layer, c.memory);
    expect(layerFigures(result)).toEqual(layerFigures(reference));
    expect(result.totalCyclesWithPrefetch).toBe(reference.totalCyclesWithPrefetch);
    expect(result.maxDramBandwidth).toEqual(reference.maxDramBandwidth);
  });

  it('the queues stall many cases, several latencies return in one cycle in many, some are sparse or laid out', () => {
    const unbounded = cases.filter((c) => fast(c).totalCycles !== fast(c, { ...c.v3, readRequestBuffer: 1e9, writeRequestBuffer: 1e9 }).totalCycles);
    expect(unbounded.length).toBeGreaterThan(20);
    expect(cases.filter((c) => { const r = fast(c); return r.maxDramBandwidth.ifmap > c.memory.ifmapBandwidth; }).length).toBeGreaterThan(10);
    expect(cases.filter((c) => c.layout).length).toBeGreaterThan(10);
    expect(cases.filter((c) => c.memory.sparseRep).length).toBeGreaterThan(10);
    expect(cases.filter((c) => c.layer.ifmapHeight !== c.layer.ifmapWidth).length).toBeGreaterThan(10); // GEMM
  });
});
