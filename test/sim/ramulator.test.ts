// SCALE-Sim v3 with UseRamulatorTrace: the DRAM latencies v3 reads (results/_{ifmap,filter,ofmap}File{layer}.npy)
// through its request-buffered ports, against v3's own runs (scripts/scalesim-v3-golden.py, seeded
// synthetic latencies stored with the reports) and the TypeScript reference.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCore } from '../../src/core/load.js';
import { Random } from '../../src/helpers/random.js';
import { SYSTOLIC_PRESETS } from '../../src/hw/systolic.js';
import { parseScalesimConfig } from '../../src/sim/config.js';
import { parseScalesimLayout } from '../../src/sim/layout.js';
import { simulate, simulateTraces } from '../../src/api/simulate.js';
import { readNpyNumbers, writeNpy } from '../../src/run/npy.js';
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
const REPORTS = ['COMPUTE_REPORT.csv', 'BANDWIDTH_REPORT.csv', 'DETAILED_ACCESS_REPORT.csv', 'SPARSE_REPORT.csv'] as const;
const runs = readdirSync(RUNS).filter((d) => existsSync(join(RUNS, d, 'meta.json')) && JSON.parse(readFileSync(join(RUNS, d, 'meta.json'), 'utf8')).ramulator);

function load(d: string) {
  const read = (f: string) => readFileSync(join(RUNS, d, f), 'utf8');
  const meta = JSON.parse(read('meta.json'));
  const file = parseScalesimConfig(read('config.cfg'), join(d, 'config.cfg'));
  const layers = parseTopology(read('topology.csv'), join(d, 'topology.csv'), { gemm: meta.gemm });
  const latencies: RamulatorLatencies[] = layers.map((_, i) =>
    Object.fromEntries(RAMULATOR_OPERANDS.map((op) => [op, readNpyNumbers(new Uint8Array(readFileSync(join(RUNS, d, ramulatorFile(op, i))))).data])) as RamulatorLatencies,
  );
  const layout = existsSync(join(RUNS, d, 'layout.csv')) ? parseScalesimLayout(read('layout.csv'), join(d, 'layout.csv')) : undefined;
  return { file, layers, latencies, ...(layout ? { layout } : {}), reports: Object.fromEntries(REPORTS.filter((r) => existsSync(join(RUNS, d, r))).map((r) => [r, read(r)])) };
}

describe('SCALE-Sim v3 golden runs with UseRamulatorTrace', () => {
  it('has runs in every dataflow, conv and GEMM, with custom layouts, N:M sparsity and latencies past 10000, in USER mode', () => {
    const loaded = runs.map(load);
    for (const df of ['os', 'ws', 'is']) expect(loaded.some((r) => r.file.config.dataflow === df), df).toBe(true);
    expect(loaded.every((r) => r.file.config.interfaceBandwidth === 'USER' && r.file.v3!.useRamulatorTrace)).toBe(true);
    expect(loaded.some((r) => r.layout)).toBe(true);
    expect(loaded.some((r) => r.file.v3!.sparsity.support)).toBe(true);
    expect(loaded.filter((r) => r.latencies.some((l) => RAMULATOR_OPERANDS.some((op) => Array.from(l[op]).some((x) => x > 10000)))).length).toBeGreaterThanOrEqual(2); // v3's cutoff
    expect(new Set(runs.map((d) => JSON.parse(readFileSync(join(RUNS, d, 'meta.json'), 'utf8')).gemm))).toEqual(new Set([true, false]));
  });

  it.each(runs)('%s: its reports as v3 writes them (wasm simulator)', (d) => {
    const { file, layers, latencies, layout, reports } = load(d);
    expect(scalesimReports(sim.network(file.config, layers, { v3: file.v3, ramulator: latencies, ...(layout ? { layout } : {}) }), 3)).toEqual(reports);
  });

  it.each(runs)('%s: its reports as v3 writes them (TypeScript reference)', (d) => {
    const { file, layers, latencies, layout, reports } = load(d);
    const { layout: banks, sparsity, readRequestBuffer, writeRequestBuffer } = file.v3!;
    const custom = (op: 'ifmap' | 'filter') => (banks[op].customLayout && layout ? { banks: banks[op].banks, ports: banks[op].ports, ...layout[op] } : undefined);
    const results = layers.map((l, i) => referenceLayer(file.config, l, {
      ifmapBandwidth: banks.ifmap.bankBandwidth, filterBandwidth: banks.filter.bankBandwidth, ...(sparsity.support ? { sparseRep: sparsity.representation } : {}),
      layouts: { ifmap: custom('ifmap'), filter: custom('filter') }, ramulator: { ...latencies[i]!, readRequestBuffer, writeRequestBuffer },
    }));
    expect(scalesimReports(results, 3)).toEqual(reports);
  });

  it('the latencies matter in every run; the request buffers where the queues fill (small buffers, long latencies)', () => {
    const compute = (d: string, v3: object, ramulator?: RamulatorLatencies[]) => {
      const { file, layers, layout } = load(d);
      return scalesimReports(sim.network(file.config, layers, { v3: { ...file.v3!, ...v3 }, ...(ramulator ? { ramulator } : {}), ...(layout ? { layout } : {}) }), 3)['COMPUTE_REPORT.csv'];
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
  const pick = <T>(xs: readonly T[]): T => rng.pick(xs);
  const shuffle = (n: number): number[] => rng.shuffle([...Array(n).keys()]);
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

describe('simulate() and mapwise simulate --ramulator-dir', () => {
  const d = 'ramulator-os-mnk';
  const read = (f: string) => ({ text: readFileSync(join(RUNS, d, f), 'utf8'), source: f });
  const topology = { ...read('topology.csv'), gemm: true };
  const { latencies, reports } = load(d);

  it('the facade takes each layer\'s latencies as numbers; without them, notModelled says what v3 would read', async () => {
    const r = await simulate(topology, { scalesimConfig: read('config.cfg'), ramulatorLatencies: latencies.map((l) => ({ ifmap: [...l.ifmap], filter: [...l.filter], ofmap: [...l.ofmap] })) });
    expect(scalesimReports(r.layers, 3)).toEqual(reports);
    expect(r.scalesim!.notModelled).toEqual([]);
    const without = await simulate(topology, { scalesimConfig: read('config.cfg') });
    expect(scalesimReports(without.layers, 3)['COMPUTE_REPORT.csv']).not.toBe(reports['COMPUTE_REPORT.csv']);
    expect(without.scalesim!.notModelled).toEqual([expect.stringMatching(/^UseRamulatorTrace: no Ramulator latencies given, simulated as with it False; SCALE-Sim v3 would read results\/_ifmapFile0\.npy, results\/_filterFile0\.npy, results\/_ofmapFile0\.npy, … for layers 0 to 1 under the directory it runs in/)]);
  });

  it('refuses latencies v3 would not read, a layer without its own, and what are no latencies', async () => {
    const config = read('config.cfg');
    const run = (text: string, ramulatorLatencies: readonly RamulatorLatencies[] = latencies) => simulate(topology, { scalesimConfig: { ...config, text }, ramulatorLatencies });
    await expect(simulate(topology, { ramulatorLatencies: latencies })).rejects.toThrow(/option 'ramulatorLatencies' is SCALE-Sim v3's \(UseRamulatorTrace\): give a v3 'scalesimConfig'/);
    await expect(run(config.text.replace('UseRamulatorTrace: True', 'UseRamulatorTrace: False'))).rejects.toThrow(/Ramulator latencies are read by SCALE-Sim v3 with UseRamulatorTrace = True only/);
    await expect(run(config.text.replace('InterfaceBandwidth: USER', 'InterfaceBandwidth: CALC'))).rejects.toThrow(/InterfaceBandwidth CALC: SCALE-Sim v3 reads Ramulator latencies in USER mode only/);
    await expect(run(config.text, latencies.slice(0, 1))).rejects.toThrow(/option 'ramulatorLatencies' has 1 layers' latencies, the model 2 layers/);
    const bad = (ofmap: number[]) => [latencies[0]!, { ...latencies[1]!, ofmap }];
    await expect(run(config.text, bad([3, -1]))).rejects.toThrow(/layer 1 \('G2'\), ofmap latencies \(v3's _ofmapFile1\.npy\): entry 1 is -1; latencies are whole cycles, at least 0/);
    await expect(run(config.text, bad([2.5]))).rejects.toThrow(/entry 0 is 2\.5; latencies are whole cycles/);
    await expect(run(config.text, [latencies[0]!, { ...latencies[1]!, filter: undefined as never }])).rejects.toThrow(/layer 1 \('G2'\), filter latencies .*: no array of numbers/);
    await expect(simulateTraces(topology, { scalesimConfig: config, ramulatorLatencies: bad([3, -1]) })).rejects.toThrow(/layer 1 \('G2'\), ofmap latencies .*entry 1 is -1/);
  });

  it('traces take each layer\'s own latencies (byte for byte against v3: test/sim/trace-v3.test.ts)', async () => {
    const scalesimConfig = read('config.cfg');
    const traces = await simulateTraces(topology, { scalesimConfig, ramulatorLatencies: latencies });
    const swapped = await simulateTraces(topology, { scalesimConfig, ramulatorLatencies: [latencies[1]!, latencies[0]!] });
    const without = await simulateTraces(topology, { scalesimConfig });
    for (const layer of [0, 1]) {
      expect(swapped[layer]!['IFMAP_DRAM_TRACE.csv']).not.toBe(traces[layer]!['IFMAP_DRAM_TRACE.csv']);
      expect(without[layer]!['OFMAP_DRAM_TRACE.csv']).not.toBe(traces[layer]!['OFMAP_DRAM_TRACE.csv']);
    }
  });

  const bigEndian = (npy: Uint8Array): Uint8Array => {
    const at = Buffer.from(npy).indexOf("'<f4'");
    return npy.map((b, i) => (i === at + 1 ? '>'.charCodeAt(0) : b));
  };
  const mapwise = (...args: string[]) => spawnSync('node', ['bin/mapwise.js', 'simulate', ...args], { encoding: 'utf8' });
  const args = (dir: string) => ['--config', join(RUNS, d, 'config.cfg'), '--topology', join(RUNS, d, 'topology.csv'), '--gemm', '--ramulator-dir', dir];

  let traces: Record<string, string>[] = [];
  beforeAll(async () => {
    traces = await simulateTraces(topology, { scalesimConfig: read('config.cfg'), ramulatorLatencies: latencies });
  });

  it('--ramulator-dir reads _ifmapFile<N>.npy … as v3 names them: v3\'s reports byte for byte, --trace the traces (needs npm run build)', () => {
    const out = mkdtempSync(join(tmpdir(), 'mapwise-ramulator-'));
    try {
      const cli = mapwise(...args(join(RUNS, d)), '--out', out, '--json', '--trace');
      expect(cli.status, cli.stderr).toBe(0);
      for (const [report, text] of Object.entries(reports)) expect(readFileSync(join(out, report), 'utf8'), report).toBe(text);
      expect(JSON.parse(cli.stdout).scalesim.notModelled).toEqual([]);
      // --trace with the latencies: the ports' return cycles (v3's own traces: test/sim/trace-v3.test.ts)
      expect(readFileSync(join(out, 'layer1', 'FILTER_DRAM_TRACE.csv'), 'utf8')).toBe(traces[1]!['FILTER_DRAM_TRACE.csv']);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('--ramulator-dir names the missing file, a wrong shape or dtype, and latencies that are no whole cycles', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mapwise-ramulator-'));
    try {
      for (const f of readdirSync(join(RUNS, d)).filter((f) => f.endsWith('.npy') && f !== '_filterFile1.npy')) copyFileSync(join(RUNS, d, f), join(dir, f));
      const missing = mapwise(...args(dir));
      expect(missing.status).not.toBe(0);
      expect(missing.stderr).toContain(`--ramulator-dir: ${join(dir, '_filterFile1.npy')} is missing: SCALE-Sim v3 reads layer 1's ('G2') filter latencies from results/_filterFile1.npy where it runs`);
      const cases: [Uint8Array, string][] = [
        [writeNpy(new Float32Array(6), [2, 3]), 'Ramulator latencies are one per DRAM request line, a 1-D array (or an n × 1 column), got shape [2, 3]'],
        [writeNpy(new Float32Array(1), []), 'Ramulator latencies are one per DRAM request line, a 1-D array (or an n × 1 column), got shape []'],
        [writeNpy(new Float32Array([4, 0.5]), [2]), 'entry 1 is 0.5; latencies are whole cycles, at least 0'],
        [bigEndian(writeNpy(new Float32Array(2), [2])), "dtype '>f4' is not a little-endian float, int or uint"],
      ];
      for (const [bytes, error] of cases) {
        writeFileSync(join(dir, '_filterFile1.npy'), bytes);
        const run = mapwise(...args(dir));
        expect(run.status).not.toBe(0);
        expect(run.stderr).toContain(`${join(dir, '_filterFile1.npy')}: ${error}`);
      }
      // a column (n × 1), which v3 indexes row by row as it does a 1-D array (checked with v3: the same reports)
      writeFileSync(join(dir, '_filterFile1.npy'), writeNpy(Float32Array.from(latencies[1]!.filter), [latencies[1]!.filter.length, 1]));
      const column = mapwise(...args(dir), '--out', join(dir, 'out'));
      expect(column.status, column.stderr).toBe(0);
      expect(readFileSync(join(dir, 'out', 'COMPUTE_REPORT.csv'), 'utf8')).toBe(reports['COMPUTE_REPORT.csv']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
