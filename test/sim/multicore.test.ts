// krittika reproduced (src/sim/krittika*.ts): random runs against a plain reference that slices
// SCALE-Sim's operand matrices per core (test/sim/reference.ts), hand-computed partitions and
// means, and the readers' errors.
import { describe, expect, it } from 'vitest';
import { getCore } from '../../src/core/load.js';
import { Random } from '../../src/helpers/random.js';
import { simulateKrittika, type KrittikaCore, type KrittikaLayerResult } from '../../src/sim/krittika.js';
import { type KrittikaConfig, type KrittikaLayer, type KrittikaPartition, parseKrittikaConfig, parseKrittikaPartition, parseKrittikaTopology } from '../../src/sim/krittika-files.js';
import { analyticalRuntime, factorPairs, partitionTable } from '../../src/sim/krittika-partition.js';
import { krittikaReports, pythonMean } from '../../src/sim/krittika-report.js';
import { layerGemm } from '../../src/sim/types.js';
import { referenceLayer } from './reference.js';

const CFG = (o: { cores?: number; strategy?: string; vector?: string; mode?: string; extra?: string } = {}) => `[GENERAL]
run name = t

[COMPUTE]
num compute cores = ${o.cores ?? 4}
matmul core present = True
vector core present = ${o.vector ?? 'False'}
matmul arrrow = 4
matmul arrcol = 8
matmul default dataflow = ws
vector dim = 4
vector default dataflow = ws
simd length = 3
partition strategy = ${o.strategy ?? 'USER'}
${o.extra ?? ''}
[MEMORY]
ifmap offset = 0
filter offset = 10000000
ofmap offset = 20000000
per core ifmap sram size kb = 1
per core filter sram size kb = 1
per core ofmap sram size kb = 1

[INTERFACE]
bandwidth mode = ${o.mode ?? 'CALC'}
per core user ifmap buf interface bw (words/cycle) = 7
per core user filter buf interface bw (words/cycle) = 12
per core user ofmap buf interface bw (words/cycle) = 5
`;

/** krittika's per-core figures from the plain reference: each core's share of the operand matrices through SCALE-Sim's pipeline. */
function referenceKrittika(config: KrittikaConfig, layers: readonly KrittikaLayer[], table: readonly KrittikaPartition[]): KrittikaLayerResult[] {
  let ofmap = { rows: 0, cols: 0 };
  return layers.map((layer, i): KrittikaLayerResult => {
    if (layer.kind === 'activation') {
      const each = Math.ceil(ofmap.rows / config.cores);
      const cores = Array.from({ length: config.cores }, (_, c) => {
        const count = Math.min(each, ofmap.rows - c * each);
        const values = count * ofmap.cols;
        const cycles = Math.ceil(values / config.simdLength);
        const used = (values / (cycles * config.simdLength)) * 100;
        const overall = (values * 100) / (cycles * config.simdLength);
        return { rows: { start: c * each, count }, values, totalCycles: cycles, overallUtilization: overall, mappingEfficiency: used, computeUtilization: used };
      });
      return { kind: 'activation', source: layer.source, cores };
    }
    const row = table[i]!;
    const g = layerGemm(layer.layer);
    ofmap = { rows: g.m, cols: g.n };
    const rowsEach = Math.ceil(g.m / row.inputParts);
    const filtersEach = Math.ceil(g.n / row.filterParts);
    const cores: KrittikaCore[] = [];
    for (let ip = 0; ip < row.inputParts; ip++) {
      for (let fp = 0; fp < row.filterParts; fp++) {
        const ofmapRows = { start: ip * rowsEach, count: Math.min(rowsEach, g.m - ip * rowsEach) };
        const filters = { start: fp * filtersEach, count: Math.min(filtersEach, g.n - fp * filtersEach) };
        const array = {
          runName: 't', rows: config.matmul!.rows, cols: config.matmul!.cols, ifmapSramKiB: 1, filterSramKiB: 1, ofmapSramKiB: 1,
          ifmapOffset: 0, filterOffset: 10000000, ofmapOffset: 20000000, dataflow: row.dataflow, interfaceBandwidth: 'CALC' as const, bandwidthWordsPerCycle: 10,
        };
        const r = referenceLayer(array, { ...layer.layer, numFilters: filters.count }, undefined, { ofmapRows, bandwidth: config.bandwidth });
        const sramReads = { ...r.sramReads, ifmap: 2 * r.sramReads.ifmap, filter: 2 * r.sramReads.filter };
        const sramWrites = { ...r.sramWrites, ofmap: 2 * r.sramWrites.ofmap };
        const sramBandwidth = { ifmap: sramReads.ifmap / r.totalCycles, filter: sramReads.filter / r.totalCycles, ofmap: sramWrites.ofmap / r.totalCycles };
        cores.push({ ...r, sramReads, sramWrites, sramBandwidth, ofmapRows, filters });
      }
    }
    const { source: from, ...partition } = row;
    return { kind: layer.kind, source: layer.source, partition: { ...partition, from }, cores };
  });
}

describe('krittika against the plain reference', () => {
  it.each([1, 2, 3, 4, 5, 6])('random run, seed %i: every figure of every report', async (seed) => {
    const rnd = new Random(seed);
    const rows: string[] = [];
    const parts: string[] = ['layer id, input parts, filter parts, unit, dataflow'];
    for (let i = 0; i < 3; i++) {
      const df = ['os', 'ws', 'is'][rnd.int(3)];
      if (i > 0 && rnd.int(3) === 0) {
        rows.push('activation, relu');
        parts.push(`${i}, 1, 1, matmul, os`);
        continue;
      }
      if (rnd.int(2) === 0) {
        rows.push(`gemm, ${8 + rnd.int(30)}, ${4 + rnd.int(20)}, ${3 + rnd.int(30)}`);
      } else {
        const f = 1 + rnd.int(3);
        const s = 1 + rnd.int(2);
        rows.push(`conv, ${f + 4 + rnd.int(8)}, ${f + 4 + rnd.int(8)}, ${f}, ${f}, ${1 + rnd.int(4)}, ${4 + rnd.int(12)}, ${s}`);
      }
      parts.push(`${i}, ${1 + rnd.int(3)}, ${1 + rnd.int(3)}, matmul, ${df}`);
    }
    rows.push('activation, tanh');
    const config = parseKrittikaConfig(CFG({ cores: 2 + rnd.int(3) }));
    const layers = parseKrittikaTopology(rows.join('\n'));
    const table = parseKrittikaPartition(parts.join('\n'));
    const ours = simulateKrittika(await getCore(), config, layers, table);
    const reference = referenceKrittika(config, layers, partitionTable(config, layers, table));
    expect(ours.map((l) => l.cores.length)).toEqual(reference.map((l) => l.cores.length));
    expect(krittikaReports(ours)).toEqual(krittikaReports(reference));
  });
});

describe('krittika by hand', () => {
  it('means as Python: exact, rounded once, ints kept when whole', () => {
    expect(pythonMean([1, 2], true)).toEqual({ value: 1.5, int: false });
    expect(pythonMean([2, 4, 6], true)).toEqual({ value: 4, int: true });
    expect(pythonMean([1, 1, 2], true).value).toBe(4 / 3);
    // statistics.mean, where summing in doubles then dividing differs (Python 3.11's values)
    expect((0.1 + 0.2 + 0.3) / 3).toBe(0.20000000000000004);
    expect(pythonMean([0.1, 0.2, 0.3], false)).toEqual({ value: 0.2, int: false });
    expect(pythonMean([0.1, 0.2, 0.4], false)).toEqual({ value: 0.23333333333333334, int: false });
    expect(pythonMean([1e16, 1, -1e16], false)).toEqual({ value: 0.3333333333333333, int: false });
    expect(pythonMean([-10, -27], false)).toEqual({ value: -18.5, int: false });
  });

  it('factor pairs and the analytical runtime, as partition_manager.py computes them', () => {
    expect(factorPairs(6)).toEqual([[1, 6], [2, 3], [3, 2], [6, 1]]);
    expect(factorPairs(4)).toEqual([[1, 4], [2, 2], [4, 1]]);
    // OS, M = 100, N = 20, K = 9 on 4×8 in 2 × 2 parts: M' = 50, N' = 10; (2·4 + 8 + 9 − 2) · 13 · 2
    expect(analyticalRuntime(100, 20, 9, 'os', 4, 8, 2, 2)).toBe(23 * 13 * 2);
    // WS clamps filter parts to floor(N / C) = 2: N' = 10; (8 + 8 + 50 − 2) · ceil(9/4) · ceil(10/8)
    expect(analyticalRuntime(100, 20, 9, 'ws', 4, 8, 2, 4)).toBe(64 * 3 * 2);
    expect(analyticalRuntime(100, 7, 9, 'os', 4, 8, 1, 1)).toBeUndefined(); // floor(7 / 8) = 0 parts: krittika divides by zero
  });

  it('AUTO picks the least runtime over factor pairs and dataflows; IFMAP repeats a row for an activation', () => {
    const layers = parseKrittikaTopology('gemm, 64, 32, 16\nactivation, relu\n');
    const auto = partitionTable(parseKrittikaConfig(CFG({ strategy: 'AUTO' })), layers);
    // M = 64 · 32 (pixels times filters, krittika's search), N = 32, K = 16 on 4×8, 4 cores
    let best = { runtime: 10 ** 10, row: '' };
    for (const [ip, fp] of [[1, 4], [2, 2], [4, 1]]) {
      for (const df of ['os', 'is', 'ws'] as const) {
        const runtime = analyticalRuntime(64 * 32, 32, 16, df, 4, 8, ip!, fp!)!;
        if (runtime < best.runtime) best = { runtime, row: `${ip}×${fp} ${df}` };
      }
    }
    expect(auto.map((r) => `${r.inputParts}×${r.filterParts} ${r.dataflow}`)).toEqual([best.row]);
    const ifmap = partitionTable(parseKrittikaConfig(CFG({ strategy: 'IFMAP', vector: 'True' })), layers);
    expect(ifmap.map((r) => [r.inputParts, r.filterParts, r.unit, r.dataflow])).toEqual([[4, 1, 'matmul', 'ws'], [4, 1, 'matmul', 'ws']]);
  });

  it('an activation after a conv in AUTO leaves the layers after it without a row: krittika stops', async () => {
    const core = await getCore();
    const config = parseKrittikaConfig(CFG({ strategy: 'AUTO' }));
    const layers = parseKrittikaTopology('gemm, 64, 32, 16\nactivation, relu\ngemm, 64, 32, 16\n');
    expect(() => simulateKrittika(core, config, layers)).toThrow(/topology.csv:3: krittika looks layer 2's partition up by position, and its AUTO table has 2 rows \(none for activations\)/);
  });

  it('the SIMD unit: ceil(values / lanes) cycles, 1 per pass whatever the function', async () => {
    const config = parseKrittikaConfig(CFG({ cores: 3 }));
    const layers = parseKrittikaTopology('gemm, 10, 7, 4\nactivation, softmax\n');
    const [, act] = simulateKrittika(await getCore(), config, layers, parseKrittikaPartition('h\n0, 1, 1, matmul, os\n'));
    // 10 rows over 3 cores: 4, 4, 2 rows of 7 values on 3 lanes
    expect(act!.cores.map((c) => [c.values, c.totalCycles])).toEqual([[28, 10], [28, 10], [14, 5]]);
    expect(act!.cores[0]!.mappingEfficiency).toBe((28 / 30) * 100);
  });
});

describe('krittika files: errors name the file, line and field', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['USER bandwidth mode', () => parseKrittikaConfig(CFG({ mode: 'USER' }), 'k.cfg'), /^k\.cfg:25: bandwidth mode USER: krittika 2cf6c8e stops in it/],
    ['a missing key', () => parseKrittikaConfig(CFG().replace('simd length = 3\n', ''), 'k.cfg'), /^k\.cfg: missing key 'simd length' in \[COMPUTE\]/],
    ['an unknown key', () => parseKrittikaConfig(CFG({ extra: 'num cores = 4' }), 'k.cfg'), /^k\.cfg:15: unknown key 'num cores' in \[COMPUTE\]; krittika reads num compute cores/],
    ['a bad flag', () => parseKrittikaConfig(CFG({ vector: 'yes' }), 'k.cfg'), /^k\.cfg:7: vector core present must be True or False .*got 'yes'/],
    ['a bad strategy', () => parseKrittikaConfig(CFG({ strategy: 'SPATIAL' }), 'k.cfg'), /^k\.cfg:14: partition strategy must be one of USER, IFMAP, FILTER, CONST_DF, AUTO, got 'SPATIAL'/],
    ['a header row', () => parseKrittikaTopology('Layer name, M, N, K\ngemm, 1, 2, 3\n', 't.csv'), /^t\.csv:1: a row must begin with 'conv, ', 'gemm, ' or 'activation, '/],
    ['a trailing comma', () => parseKrittikaTopology('conv, 8, 8, 3, 3, 1, 4, 1,\n', 't.csv'), /^t\.csv:1: Stride Width is empty \(krittika's rows end without a comma\)/],
    ['a blank line', () => parseKrittikaTopology('gemm, 1, 2, 3\n\ngemm, 1, 2, 3\n', 't.csv'), /^t\.csv:2: a row must begin/],
    ['a filter wider than its input', () => parseKrittikaTopology('conv, 8, 2, 3, 3, 1, 4, 1\n', 't.csv'), /^t\.csv:1: filter 3×3 is larger than the ifmap 8×2/],
    ['a zero', () => parseKrittikaTopology('gemm, 0, 2, 3\n', 't.csv'), /^t\.csv:1: M must be a positive integer, got '0'/],
    ['an unknown activation', () => parseKrittikaTopology('gemm, 1, 2, 3\nactivation, gelu\n', 't.csv'), /^t\.csv:2: unsupported activation 'gelu'/],
    ['an activation first', () => parseKrittikaTopology('activation, relu\n', 't.csv'), /^t\.csv:1: an activation applies to the ofmap of the conv or GEMM before it/],
    ['a partition unit', () => parseKrittikaPartition('h\n0, 1, 2, systolic, ws\n', 'p.csv'), /^p\.csv:2: unit must be matmul or vector, got 'systolic'/],
    ['zero parts', () => parseKrittikaPartition('h\n0, 0, 2, matmul, ws\n', 'p.csv'), /^p\.csv:2: input parts must be at least 1/],
    ['a short partition row', () => parseKrittikaPartition('h\n0, 1, matmul, ws\n', 'p.csv'), /^p\.csv:2: a partition row is .* got 4 fields/],
  ];
  it.each(cases)('%s', (_, run, message) => {
    expect(run).toThrow(message);
  });

  it('an empty share, the vector unit and a divide by zero in the search are refused as krittika stops on them', async () => {
    const core = await getCore();
    const gemm = parseKrittikaTopology('gemm, 5, 16, 4\n', 't.csv');
    expect(() => simulateKrittika(core, parseKrittikaConfig(CFG()), gemm, parseKrittikaPartition('h\n0, 4, 1, matmul, os\n', 'p.csv'))).toThrow(/t\.csv:1: 4 input parts of 2 of its 5 ofmap pixels leave part 3 none/);
    expect(() => simulateKrittika(core, parseKrittikaConfig(CFG()), gemm, parseKrittikaPartition('h\n0, 1, 1, vector, os\n', 'p.csv'))).toThrow(/partitioned onto the vector unit \(p\.csv:2\); krittika's vector units stop/);
    expect(() => simulateKrittika(core, parseKrittikaConfig(CFG({ strategy: 'AUTO' })), parseKrittikaTopology('gemm, 50, 6, 4\n', 't.csv'))).toThrow(/t\.csv:1: krittika's partition search divides by zero on this layer \(6 filters/);
  });
});
