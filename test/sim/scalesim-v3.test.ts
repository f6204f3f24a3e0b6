// SCALE-Sim v3 configs and topologies: recognised by their contents (or forced), read into typed,
// validated config; v2 files read exactly as before; malformed v3 fields are errors naming the
// file, the line, the field and what was expected. v3's own example files are in
// test/golden/scalesim-v3 (see its README).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { getCore } from '../../src/core/load.js';
import { parseConfig, parseScalesimConfig, scalesimNotModelled } from '../../src/sim/config.js';
import { Simulator } from '../../src/sim/simulate.js';
import { detectTopologyVersion, parseScalesimTopology, parseTopology } from '../../src/sim/topology.js';
import { scalesimReports } from '../../src/sim/report.js';
import { rowWiseRatios } from '../../src/sim/sparsity.js';
import { parseScalesimLayout } from '../../src/sim/layout.js';
import type { ScalesimConfigFile } from '../../src/sim/config.js';
import type { ScalesimLayout } from '../../src/sim/types.js';
import { simulate } from '../../src/api/simulate.js';
import { SYSTOLIC_PRESETS } from '../../src/hw/systolic.js';
import { GOLDEN_DIR } from './golden.js';
import { referenceLayer, type V3Options } from './reference.js';

const sim = new Simulator(await getCore());
afterAll(() => sim.free());
const V3_DIR = fileURLToPath(new URL('../golden/scalesim-v3/', import.meta.url));
const cfg = (name: string) => readFileSync(join(V3_DIR, 'configs', name), 'utf8');
const topo = (name: string) => readFileSync(join(V3_DIR, 'topologies', name), 'utf8');
const REPORTS = ['COMPUTE_REPORT.csv', 'BANDWIDTH_REPORT.csv', 'DETAILED_ACCESS_REPORT.csv'] as const;

describe('SCALE-Sim v3 configs', () => {
  it('reads v3\'s scale.cfg: the v2 keys as before, plus request buffers, [layout] and [sparsity]', () => {
    const f = parseScalesimConfig(cfg('scale.cfg'), 'scale.cfg');
    expect(f.version).toBe(3);
    expect(f.config).toMatchObject({ rows: 32, cols: 32, ifmapSramKiB: 64, dataflow: 'ws', interfaceBandwidth: 'CALC' });
    expect(f.v3).toEqual({
      readRequestBuffer: 32, writeRequestBuffer: 32, useRamulatorTrace: false,
      layout: {
        ifmap: { customLayout: false, bankBandwidth: 10, banks: 10, ports: 2 },
        filter: { customLayout: false, bankBandwidth: 10, banks: 10, ports: 2 },
      },
      sparsity: { support: false, optimizedMapping: false },
      defaulted: [],
    });
    expect(Object.isFrozen(f.v3)).toBe(true);
    expect(parseConfig(cfg('scale.cfg'))).toEqual(f.config);
  });

  it('reads v3\'s sparsity.cfg (row-wise N:M, blocked ELLPACK) and google_ramulator.cfg', () => {
    const s = parseScalesimConfig(cfg('sparsity.cfg'), 'sparsity.cfg');
    expect(s.v3!.sparsity).toEqual({ support: true, representation: 'ellpack_block', optimizedMapping: true, blockSize: 8, randomSeed: 40 });
    expect(s.v3!.layout.ifmap.bankBandwidth).toBe(50);
    expect(s.config).toMatchObject({ rows: 128, interfaceBandwidth: 'USER', bandwidthWordsPerCycle: 50 });
    const r = parseScalesimConfig(cfg('google_ramulator.cfg'), 'google_ramulator.cfg');
    expect(r.v3).toMatchObject({ useRamulatorTrace: true, readRequestBuffer: 512 });
  });

  it('takes v3\'s defaults for the v3 keys a v3 file leaves out, and names them', () => {
    // v3's scale_layout.cfg as it stands: 10 banks do not divide 64 words per cycle (v3 asserts too).
    expect(() => parseScalesimConfig(cfg('scale_layout.cfg'), 'scale_layout.cfg')).toThrow(/scale_layout\.cfg:20: IfmapSRAMBankNum \(10\) must divide IfmapSRAMBankBandwidth \(64\)/);
    const f = parseScalesimConfig(cfg('scale_layout.cfg').replace('IfmapSRAMBankNum: 10', 'IfmapSRAMBankNum: 8'), 'scale_layout.cfg');
    expect(f.version).toBe(3);
    expect(f.v3).toMatchObject({ readRequestBuffer: 60, writeRequestBuffer: 60, useRamulatorTrace: false, sparsity: { support: false } });
    expect(f.v3!.layout.filter).toEqual({ customLayout: false, bankBandwidth: 640, banks: 1, ports: 2 });
    expect(f.v3!.defaulted).toEqual(['[architecture_presets] ReadRequestBuffer', '[architecture_presets] WriteRequestBuffer', '[run_presets] UseRamulatorTrace', '[sparsity] SparsitySupport']);
  });

  it('lists the v3 features a run reads but does not simulate', () => {
    // v3's memory model and sparsity are simulated: the request buffers (which only pace Ramulator) are no note of their own
    expect(scalesimNotModelled(parseScalesimConfig(cfg('sparsity.cfg')), parseTopology(topo('sparsity_conv.csv')))).toEqual([]);
    expect(scalesimNotModelled(parseScalesimConfig(cfg('scale.cfg')))).toEqual([]);
    // UseRamulatorTrace in USER mode: what v3 would read, unless the latencies are given; v3 reads none in CALC mode
    const ramulator = parseScalesimConfig(cfg('google_ramulator.cfg'));
    const layer = parseTopology(topo('conv_test.csv'))[0]!;
    expect(scalesimNotModelled(ramulator, [layer, layer, layer])).toEqual([
      'UseRamulatorTrace: no Ramulator latencies given, simulated as with it False; SCALE-Sim v3 would read results/_ifmapFile0.npy, results/_filterFile0.npy, ' +
        'results/_ofmapFile0.npy, … for layers 0 to 2 under the directory it runs in (and stop without them): give that directory with simulate --ramulator-dir DIR, ' +
        'or the arrays as SimulateOptions.ramulatorLatencies',
    ]);
    expect(scalesimNotModelled(ramulator, [], true)).toEqual([]);
    expect(scalesimNotModelled(parseScalesimConfig(cfg('google_ramulator.cfg').replace('InterfaceBandwidth: USER', 'InterfaceBandwidth: CALC')))).toEqual([]);
    // custom layouts and bank conflicts are simulated (SimulatorOptions.layout)
    expect(scalesimNotModelled(parseScalesimConfig(cfg('scale.cfg').replace('IfmapCustomLayout: False', 'IfmapCustomLayout: True')))).toEqual([]);
  });

  it('reads every v2 golden config as v2, exactly as with the version forced', () => {
    const dirs = readdirSync(GOLDEN_DIR).filter((d) => existsSync(join(GOLDEN_DIR, d, 'config.cfg')));
    expect(dirs.length).toBeGreaterThan(30);
    for (const d of dirs) {
      const text = readFileSync(join(GOLDEN_DIR, d, 'config.cfg'), 'utf8');
      const f = parseScalesimConfig(text, d);
      expect(f.version).toBe(2);
      expect(f.v3).toBeUndefined();
      expect(f.config).toEqual(parseScalesimConfig(text, d, { version: 2 }).config);
    }
  });

  it('--scalesim-version 2 refuses v3 keys, naming them as v3\'s; 3 reads a v2 file with v3\'s defaults', () => {
    expect(() => parseScalesimConfig(cfg('scale.cfg'), 's.cfg', { version: 2 })).toThrow(
      /s\.cfg:16: unknown key 'ReadRequestBuffer' in \[architecture_presets\]; SCALE-Sim v2 reads .* \(a SCALE-Sim v3 key: read the file as v3\)/,
    );
    const v2 = readFileSync(join(GOLDEN_DIR, 'google-alexnet-os', 'config.cfg'), 'utf8');
    const f = parseScalesimConfig(v2, 'g.cfg', { version: 3 });
    expect(f.version).toBe(3);
    expect(f.config).toEqual(parseConfig(v2));
    expect(f.v3!.defaulted).toHaveLength(12);
  });

  const base = cfg('scale.cfg');
  const bad: [string, string, RegExp][] = [
    ['a zero ReadRequestBuffer', base.replace('ReadRequestBuffer: 32', 'ReadRequestBuffer: 0'), /x\.cfg:16: ReadRequestBuffer must be a positive integer, got 0/],
    ['a non-integer WriteRequestBuffer', base.replace('WriteRequestBuffer: 32', 'WriteRequestBuffer: 32k'), /x\.cfg:17: WriteRequestBuffer must be an integer, got '32k'/],
    ['a non-boolean custom layout', base.replace('IfmapCustomLayout: False', 'IfmapCustomLayout: maybe'), /x\.cfg:20: IfmapCustomLayout must be True or False .*got 'maybe'/],
    ['a zero bank count', base.replace('FilterSRAMBankNum: 10', 'FilterSRAMBankNum: 0'), /x\.cfg:26: FilterSRAMBankNum must be a positive integer, got 0/],
    ['an unknown [layout] key', base.replace('IfmapSRAMBankPort', 'IfmapSRAMBankPorts'), /x\.cfg:23: unknown key 'IfmapSRAMBankPorts' in \[layout\]; SCALE-Sim v3 reads/],
    ['SparsitySupport: yes', base.replace('SparsitySupport : false', 'SparsitySupport : yes'), /x\.cfg:30: SparsitySupport must be true or false \(SCALE-Sim v3 reads anything else as false\), got 'yes'/],
    ['an unknown representation', base.replace('SparsitySupport : false', 'SparsitySupport : true').replace('ellpack_block', 'coo'), /x\.cfg:31: SparseRep must be csr, csc or ellpack_block, got 'coo'/],
    ['a block larger than the array', base.replace('SparsitySupport : false', 'SparsitySupport : true').replace('OptimizedMapping : false', 'OptimizedMapping : true').replace('BlockSize : 8', 'BlockSize : 64'), /x\.cfg:33: BlockSize must be at most ArrayHeight \(32\), got 64/],
    ['a negative seed', base.replace('SparsitySupport : false', 'SparsitySupport : true').replace('Seed : 40', 'Seed : -1'), /x\.cfg:34: RandomNumberGeneratorSeed must be between 0 and 4294967295, got -1/],
    ['UseRamulatorTrace: true (v3 would read it as off)', base.replace('UseRamulatorTrace: False', 'UseRamulatorTrace: true'), /x\.cfg:38: UseRamulatorTrace must be True or False \(SCALE-Sim v3 reads only 'True' as on\), got 'true'/],
    ['banks that do not divide the CALC read bandwidth', base.replace('IfmapSRAMBankNum: 10', 'IfmapSRAMBankNum: 3'), /x\.cfg:22: IfmapSRAMBankNum \(3\) must divide the 10 words per cycle SCALE-Sim v3 reads at in CALC mode/],
    ['banks that do not divide the USER bank bandwidth', base.replace('InterfaceBandwidth: CALC', 'InterfaceBandwidth: USER').replace('FilterSRAMBankBandwidth: 10', 'FilterSRAMBankBandwidth: 15'), /x\.cfg:26: FilterSRAMBankNum \(10\) must divide FilterSRAMBankBandwidth \(15\)/],
    ['an unknown section', base.replace('[layout]', '[layouts]'), /x\.cfg:19: unknown section \[layouts\]/],
  ];
  it.each(bad)('rejects %s', (_what, text, error) => {
    expect(() => parseScalesimConfig(text, 'x.cfg')).toThrow(error);
  });

  it('ignores the sparsity keys v3 does not read when SparsitySupport is off', () => {
    expect(parseScalesimConfig(base.replace('ellpack_block', 'coo')).v3!.sparsity).toEqual({ support: false, optimizedMapping: false });
  });
});

describe('SCALE-Sim v3 layout files', () => {
  const HEADER = 'Layer name, IFMAP Height Intraline Factor, ..., Filter Width Interline Order,\n';
  it('reads the first row (v3 applies it to every layer): factors and the np.transpose axes', () => {
    const l = parseScalesimLayout(`${HEADER}Inc5b_3x3, 2, 2, 1, 1, 16, 4,     0, 1, 2,     4, 5, 3,     3, 2, 1, 0,     4, 5, 6, 7,\nL1, 1, 1, 1, 1, 1, 1, 0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5, 6, 7,\n`, 'test.csv');
    expect(l).toEqual({
      name: 'Inc5b_3x3', source: 'test.csv:2',
      ifmap: { factors: [2, 2, 16], order: [4, 5, 3, 0, 1, 2] },
      filter: { factors: [4, 16, 1, 1], order: [4, 5, 6, 7, 3, 2, 1, 0] },
    });
    // a 'DP' row is expanded per channel with channel factor 1, as v3 does
    expect(parseScalesimLayout(`${HEADER}ConvDP, 2, 2, 1, 1, 3, 4, 0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5, 6, 7,\n`).ifmap.factors).toEqual([2, 2, 1]);
  });
  const row = 'L, 2, 2, 1, 1, 2, 2, 3, 4, 5, 0, 1, 2, 4, 5, 6, 7, 0, 1, 2, 3,';
  const bad: [string, string, RegExp][] = [
    ['a row without its trailing comma', row.slice(0, -1), /l\.csv:2: row must end with a comma/],
    ['a missing column', row.replace('L, 2,', 'L,'), /l\.csv:2: a layout row has 21 columns \(the layer name, 20 integers\), got 20 in 'L'/],
    ['a zero factor', row.replace('L, 2, 2, 1', 'L, 2, 0, 1'), /l\.csv:2: IFMAP Width Intraline Factor \(column 3\) must be a positive integer, got 0 in 'L'/],
    ['a non-integer', row.replace('3, 4, 5', '3, x, 5'), /l\.csv:2: IFMAP Width Intraline Order \(column 9\) must be an integer, got 'x'/],
    ['an ifmap order that is no permutation', row.replace('3, 4, 5, 0, 1, 2', '3, 4, 5, 0, 1, 1'), /l\.csv:2: the ifmap interline and intraline orders \(columns 8–13\) must together be a permutation of 0–5, got 0, 1, 1, 3, 4, 5/],
    ['a filter axis out of range', row.replace('0, 1, 2, 3,', '0, 1, 2, 8,'), /the filter interline and intraline orders \(columns 14–21\) must together be a permutation of 0–7/],
    ['no row', '', /l\.csv: no layout row/],
  ];
  it.each(bad)('rejects %s, naming file, line and column', (_what, text, error) => {
    expect(() => parseScalesimLayout(`${HEADER}${text}\n`, 'l.csv')).toThrow(error);
  });

  it('refuses what v3 refuses: factors beyond the bank bandwidth, a missing layout file, an ifmap offset', () => {
    const file = parseScalesimConfig(cfg('scale.cfg').replace('IfmapCustomLayout: False', 'IfmapCustomLayout: True').replace('FilterCustomLayout: False', 'FilterCustomLayout: True').replace('InterfaceBandwidth: CALC', 'InterfaceBandwidth: USER'));
    const layer = parseTopology(topo('conv_test.csv'))[0]!;
    const layout = parseScalesimLayout(`${HEADER}${row}\n`, 'l.csv');
    expect(() => sim.layer(file.config, layer, { v3: file.v3 })).toThrow(/IfmapCustomLayout and FilterCustomLayout True needs SCALE-Sim v3's layout file \(SimulateOptions.scalesimLayout, simulate --layout FILE\)/);
    expect(() => sim.layer(file.config, layer, { v3: file.v3, layout })).toThrow(/l\.csv:2: the filter intraline factors \(2 × 2 × 1 × 1 = 4\) must equal FilterSRAMBankBandwidth \(10\)/);
    const wide = parseScalesimLayout(`${HEADER}${row.replace('L, 2, 2, 1, 1, 2, 2', 'L, 4, 2, 1, 1, 2, 5')}\n`, 'w.csv');
    expect(() => sim.layer(file.config, layer, { v3: file.v3, layout: wide })).toThrow(/w\.csv:2: the ifmap intraline factors \(4 × 2 × 2 = 16\) must not exceed IfmapSRAMBankBandwidth \(10\)/);
    const fits = parseScalesimLayout(`${HEADER}${row.replace('L, 2, 2, 1, 1, 2, 2', 'L, 2, 2, 1, 1, 2, 5')}\n`, 'f.csv');
    expect(() => sim.layer({ ...file.config, ifmapOffset: 7 }, layer, { v3: file.v3, layout: fits })).toThrow(/IfmapCustomLayout needs IfmapOffset 0, got 7/);
    expect(sim.layer(file.config, layer, { v3: file.v3, layout: fits }).totalCycles).toBeGreaterThan(0);
    expect(() => sim.layer(file.config, layer, { layout: fits })).toThrow(/a layout file is SCALE-Sim v3's/);
  });

  it('simulate() takes the layout as scalesimLayout, and only with a v3 config', async () => {
    const RUN = join(V3_DIR, 'runs', 'layout-user-os-conv');
    const read = (f: string) => ({ text: readFileSync(join(RUN, f), 'utf8'), source: f });
    const r = await simulate(read('topology.csv'), { scalesimConfig: read('config.cfg'), scalesimLayout: read('layout.csv') });
    expect(scalesimReports(r.layers, 3)['COMPUTE_REPORT.csv']).toBe(readFileSync(join(RUN, 'COMPUTE_REPORT.csv'), 'utf8'));
    await expect(simulate(read('topology.csv'), { scalesimConfig: read('config.cfg') })).rejects.toThrow(/needs SCALE-Sim v3's layout file/);
    await expect(simulate(read('topology.csv'), { scalesimLayout: read('layout.csv') })).rejects.toThrow(/option 'scalesimLayout' is SCALE-Sim v3's/);
  });
});

describe('SCALE-Sim v3 topologies', () => {
  it('reads v3\'s sparsity topologies: one stride, an N:M Sparsity column', () => {
    const conv = parseScalesimTopology(topo('sparsity_conv.csv'), 'conv.csv');
    expect(conv.version).toBe(3);
    expect(conv.layers).toEqual([{
      name: 'CONV_1', ifmapHeight: 5, ifmapWidth: 5, filterHeight: 3, filterWidth: 3, channels: 2, numFilters: 6,
      strideHeight: 1, strideWidth: 1, sparsity: { n: 2, m: 4 },
    }]);
    expect(parseTopology(topo('sparsity_alexnet_part.csv'))[0]).toMatchObject({ strideHeight: 4, strideWidth: 4, sparsity: { n: 1, m: 4 } });
    const gemm = parseScalesimTopology(topo('sparsity_gemm.csv'), 'gemm.csv', { gemm: true });
    expect(gemm.version).toBe(3);
    expect(gemm.layers.map((l) => [l.ifmapHeight, l.numFilters, l.filterWidth, l.sparsity])).toEqual([[3, 5, 16, { n: 3, m: 4 }], [1, 5, 16, { n: 1, m: 4 }]]);
  });

  it('recognises a Sparsity column by its values when the header does not name it', () => {
    expect(detectTopologyVersion('h,\nA, 8, 8, 3, 3, 2, 4, 1, 2:4,\n')).toBe(3);
    expect(detectTopologyVersion('h,\nA, 8, 8, 3, 3, 2, 4, 1, 2,\n')).toBe(2);
    expect(detectTopologyVersion('Layer, M, N, K,\nA, 4, 5, 6, 1:2,\n', true)).toBe(3);
    expect(detectTopologyVersion('Layer, M, N, K,\nA, 4, 5, 6,\n', true)).toBe(2);
  });

  it('reads 8-column files the same as v2 and v3; every v2 golden topology stays v2', () => {
    const text = topo('conv_test.csv');
    expect(parseScalesimTopology(text).version).toBe(2);
    expect(parseTopology(text, 't', { version: 3 })).toEqual(parseTopology(text, 't', { version: 2 }));
    expect(parseTopology(topo('test_mnk_input.csv'), 't', { gemm: true, version: 3 })).toEqual(parseTopology(topo('test_mnk_input.csv'), 't', { gemm: true }));
    for (const d of readdirSync(GOLDEN_DIR).filter((x) => existsSync(join(GOLDEN_DIR, x, 'topology.csv')))) {
      const gemm = JSON.parse(readFileSync(join(GOLDEN_DIR, d, 'meta.json'), 'utf8')).gemm;
      expect(detectTopologyVersion(readFileSync(join(GOLDEN_DIR, d, 'topology.csv'), 'utf8'), gemm), d).toBe(2);
    }
  });

  it('keeps the sparsity on each layer of a DP expansion', () => {
    const layers = parseTopology('h,\nConvDP1, 8, 8, 3, 3, 3, 1, 1, 1:2,\n');
    expect(layers.map((l) => [l.name, l.channels, l.sparsity])).toEqual([0, 1, 2].map((c) => [`ConvDP1Channel_${c}`, 1, { n: 1, m: 2 }]));
  });

  const bad: [string, string, 2 | 3 | undefined, RegExp][] = [
    ['N > M', 'h,\nA, 8, 8, 3, 3, 2, 4, 1, 5:4,\n', undefined, /t\.csv:2: Sparsity \(column 9\) must be N:M with 1 ≤ N ≤ M, got '5:4' in layer 'A'/],
    ['N = 0', 'h,\nA, 8, 8, 3, 3, 2, 4, 1, 0:4,\n', undefined, /t\.csv:2: Sparsity \(column 9\) must be N:M with 1 ≤ N ≤ M, got '0:4'/],
    ['a ratio with a slash', 'h, Sparsity,\nA, 8, 8, 3, 3, 2, 4, 1, 1/4,\n', undefined, /t\.csv:2: Sparsity \(column 9\) must be N:M .*got '1\/4'/],
    ['a v2 stride width read as v3', 'h,\nA, 8, 8, 3, 3, 2, 4, 1, 2,\n', 3, /t\.csv:2: Sparsity \(column 9\) must be N:M .*got '2' in layer 'A' \(v3 has one Strides column; a second stride is v2's stride width: read the file as v2\)/],
    ['a column after the sparsity', 'h,\nA, 8, 8, 3, 3, 2, 4, 1, 1:2, 7,\n', undefined, /t\.csv:2: a SCALE-Sim v3 conv row has at most 9 columns .*got '7' in column 10/],
    ['a v3 file read as v2', 'h,\nA, 8, 8, 3, 3, 2, 4, 1, 1:2,\n', 2, /t\.csv:2: stride width \(column 9\) must be an integer, got '1:2' \(an N:M Sparsity column is SCALE-Sim v3's: read the file as v3\)/],
    ['a zero stride (v3)', 'h,\nA, 8, 8, 3, 3, 2, 4, 0, 1:2,\n', undefined, /t\.csv:2: strides \(column 8\) must be positive, got 0/],
  ];
  it.each(bad)('rejects %s', (_what, text, version, error) => {
    expect(() => parseTopology(text, 't.csv', { version })).toThrow(error);
  });
  it('rejects a malformed GEMM sparsity', () => {
    expect(() => parseTopology('Layer, M, N, K, Sparsity,\nG, 3, 5, 16, 3:2,\n', 'g.csv', { gemm: true })).toThrow(/g\.csv:2: Sparsity \(column 5\) must be N:M with 1 ≤ N ≤ M, got '3:2' in layer 'G'/);
  });
});

describe('simulate() with sparsity', () => {
  const layers = parseTopology(topo('sparsity_conv.csv'));
  const target = { rows: 8, cols: 8, dataflow: 'ws' as const };
  it('gives the Simulator\'s sparse figures, with v3\'s defaults for row-wise', async () => {
    const config = { ...SYSTOLIC_PRESETS.scale, ...target };
    const layerWise = await simulate(layers, { target, sparsity: { support: true, representation: 'csc' } });
    expect(layerWise.layers.map(({ energy: _e, ...r }) => r)).toEqual(sim.network(config, layers, { sparsity: { support: true, representation: 'csc', optimizedMapping: false } }));
    expect(layerWise.layers[0]!.sparse!.representation).toBe('csc');
    const rowWise = await simulate(layers, { target, sparsity: { support: true, representation: 'csr', optimizedMapping: true } });
    expect(rowWise.layers.map(({ energy: _e, ...r }) => r)).toEqual(sim.network(config, layers, { sparsity: { support: true, representation: 'csr', optimizedMapping: true, blockSize: 4, randomSeed: 40 } }));
    expect((await simulate(layers, { target, sparsity: { support: false } })).layers[0]!.sparse).toBeUndefined();
  });
  it('refuses malformed sparsity options, naming the field', async () => {
    await expect(simulate(layers, { target, sparsity: { support: true } })).rejects.toThrow(/simulate: option sparsity: field 'representation' is required with support/);
    await expect(simulate(layers, { target, sparsity: { support: true, representation: 'coo' as never } })).rejects.toThrow(/simulate: option sparsity: field 'representation' must be one of 'csr', 'csc', 'ellpack_block', got 'coo'/);
    await expect(simulate(layers, { target, sparsity: { support: true, representation: 'csr', optimizedMapping: true, blockSize: 16 } })).rejects.toThrow(/BlockSize of at most ArrayHeight \(8\)/);
  });
});

describe('row-wise N:M ratios', () => {
  // numpy 1.24.2 (Debian 12): np.random.seed(s); [np.random.randint(1, B // 2 + 1) for _ in range(n)]
  it.each([
    [40, 4, [1, 2, 2, 2, 1, 1, 1, 2, 1, 2, 1, 2, 2, 1, 2, 2, 2, 2, 2, 1, 2, 2, 2, 1]],
    [40, 8, [3, 4, 4, 2, 1, 1, 3, 2, 1, 4, 3, 4, 4, 3, 4, 4]],
    [7, 16, [8, 5, 2, 7, 4, 4, 8, 8, 5, 2]],
    [40, 2, [1, 1, 1, 1, 1]],
    [123456789, 6, [1, 1, 3, 2, 3, 2, 1, 3, 1, 2, 1, 1]],
  ])('seed %i, BlockSize %i: what numpy draws', (seed, block, expected) => {
    expect(rowWiseRatios(seed, block, expected.length)).toEqual(expected);
  });
});

describe('v3 files run', () => {
  it('with sparsity support off, a sparse layer gives the dense layer\'s figures (v3 ignores the column)', () => {
    const file = parseScalesimConfig(cfg('sparsity.cfg').replace('SparsitySupport : true', 'SparsitySupport : false').replace('InterfaceBandwidth: USER', 'InterfaceBandwidth: CALC'));
    const layers = parseTopology(topo('sparsity_conv.csv'));
    const dense = layers.map(({ sparsity: _s, ...l }) => l);
    expect(sim.network(file.config, layers, { v3: file.v3 })).toEqual(sim.network(file.config, dense, { v3: file.v3 }));
    expect(sim.network(file.config, layers, { v3: file.v3 })[0]!.sparse).toBeUndefined();
  });

  it('runs v3\'s own row-wise example; refuses row-wise outside WS (v3 stops there), odd blocks, and sparsity with FilterOffset 0', () => {
    const file = parseScalesimConfig(cfg('sparsity.cfg'));
    const layers = parseTopology(topo('sparsity_conv.csv'));
    const [r] = sim.network(file.config, layers, { v3: file.v3 });
    expect(r!.sparse).toMatchObject({ representation: 'ellpack_block', originalFilterStorage: 18 * 6 });
    const os = { ...file.config, dataflow: 'os' as const };
    expect(() => sim.network(os, layers, { v3: file.v3 })).toThrow(/layer 'CONV_1': row-wise N:M sparsity \(OptimizedMapping\) is mapped in WS only: SCALE-Sim v3's OS stops/);
    expect(() => sim.network(file.config, layers, { v3: { ...file.v3!, sparsity: { ...file.v3!.sparsity, blockSize: 5 } } })).toThrow(/row-wise N:M needs an even BlockSize of at most ArrayHeight \(128\) dividing 256, got 5/);
    const layerWise = { support: true, representation: 'csr', optimizedMapping: false } as const;
    const zero = { ...file.config, filterOffset: 0 };
    expect(() => sim.layer(zero, layers[0]!, { sparsity: layerWise })).toThrow(/sparsity with FilterOffset 0: SCALE-Sim v3 takes the filter word at address 0 for a pruned zero/);
    expect(() => sim.layer(zero, { ...layers[0]!, sparsity: { n: 1, m: 1 } }, { sparsity: layerWise })).not.toThrow();
    expect(() => sim.layer(file.config, layers[0]!, { sparsity: layerWise, fixScalesimQuirks: true })).toThrow(/fixScalesimQuirks corrects SCALE-Sim's dense accounting; it does not apply with sparsity support on/);
  });

  it('mapwise simulate runs v3 files, writes SPARSE_REPORT.csv, and refuses v3 keys as v2 (needs npm run build)', () => {
    const run = join(V3_DIR, 'runs', 'sparse-user-os-csr-mnk');
    const out = mkdtempSync(join(tmpdir(), 'mapwise-v3-'));
    try {
      const cli = spawnSync('node', ['bin/mapwise.js', 'simulate', '--config', join(run, 'config.cfg'), '--topology', join(run, 'topology.csv'), '--gemm', '--out', out, '--json'], { encoding: 'utf8' });
      expect(cli.status, cli.stderr).toBe(0);
      const r = JSON.parse(cli.stdout);
      expect(r.layers).toHaveLength(2);
      expect(r.scalesim).toMatchObject({ version: 3, notModelled: [] });
      for (const report of [...REPORTS, 'SPARSE_REPORT.csv']) expect(readFileSync(join(out, report), 'utf8'), report).toBe(readFileSync(join(run, report), 'utf8'));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
    const layoutRun = join(V3_DIR, 'runs', 'layout-user-os-mnk');
    const withLayout = spawnSync('node', ['bin/mapwise.js', 'simulate', '--config', join(layoutRun, 'config.cfg'), '--topology', join(layoutRun, 'topology.csv'), '--gemm', '--layout', join(layoutRun, 'layout.csv'), '--json'], { encoding: 'utf8' });
    expect(withLayout.status, withLayout.stderr).toBe(0);
    expect(scalesimReports(JSON.parse(withLayout.stdout).layers, 3)['COMPUTE_REPORT.csv']).toBe(readFileSync(join(layoutRun, 'COMPUTE_REPORT.csv'), 'utf8'));
    const refused = spawnSync('node', [
      'bin/mapwise.js', 'simulate', '--config', join(V3_DIR, 'configs', 'sparsity.cfg'), '--topology', join(V3_DIR, 'topologies', 'sparsity_gemm.csv'), '--gemm', '--scalesim-version', '2',
    ], { encoding: 'utf8' });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/sparsity\.cfg:16: unknown key 'ReadRequestBuffer'/);
  });
});

// v3's own runs (scripts/scalesim-v3-golden.py): the wasm simulator and the TypeScript reference
// in v3 mode give v3's reports byte for byte (SPARSE_REPORT.csv too), USER and CALC, every
// dataflow, dense and layer-wise sparse.
/** The reference's v3 options for a v3 file (and its layout file). */
function referenceV3(file: ScalesimConfigFile, layout?: ScalesimLayout): V3Options {
  const { sparsity, layout: banks } = file.v3!;
  const custom = (op: 'ifmap' | 'filter') => (banks[op].customLayout && layout ? { banks: banks[op].banks, ports: banks[op].ports, ...layout[op] } : undefined);
  return {
    ifmapBandwidth: banks.ifmap.bankBandwidth, filterBandwidth: banks.filter.bankBandwidth,
    sparseRep: sparsity.support ? sparsity.representation : undefined,
    rowWise: sparsity.support && sparsity.optimizedMapping ? { blockSize: sparsity.blockSize!, seed: sparsity.randomSeed! } : undefined,
    layouts: { ifmap: custom('ifmap'), filter: custom('filter') },
  };
}

describe('SCALE-Sim v3 golden runs', () => {
  const RUNS = join(V3_DIR, 'runs');
  // the UseRamulatorTrace runs read their latencies: test/sim/ramulator.test.ts
  const runs = readdirSync(RUNS).filter((d) => existsSync(join(RUNS, d, 'meta.json')) && !JSON.parse(readFileSync(join(RUNS, d, 'meta.json'), 'utf8')).ramulator);
  const load = (d: string) => {
    const read = (f: string) => readFileSync(join(RUNS, d, f), 'utf8');
    const meta = JSON.parse(read('meta.json'));
    return {
      file: parseScalesimConfig(read('config.cfg'), join(d, 'config.cfg')),
      layers: parseTopology(read('topology.csv'), join(d, 'topology.csv'), { gemm: meta.gemm }),
      layout: existsSync(join(RUNS, d, 'layout.csv')) ? parseScalesimLayout(read('layout.csv'), join(d, 'layout.csv')) : undefined,
      reports: Object.fromEntries([...REPORTS, 'SPARSE_REPORT.csv'].filter((r) => existsSync(join(RUNS, d, r))).map((r) => [r, read(r)])),
    };
  };

  it('has CALC and USER runs in every dataflow, all read as v3', () => {
    const kinds = new Set(runs.map((d) => { const f = load(d).file; return `${f.config.interfaceBandwidth}-${f.config.dataflow}`; }));
    for (const mode of ['USER', 'CALC']) for (const df of ['os', 'ws', 'is']) expect(kinds, `${mode} ${df}`).toContain(`${mode}-${df}`);
    for (const d of runs) expect(load(d).file.version, d).toBe(3);
  });

  it.each(runs)('%s: its reports as v3 writes them (wasm simulator)', (d) => {
    const { file, layers, layout, reports } = load(d);
    expect(scalesimReports(sim.network(file.config, layers, { v3: file.v3, ...(layout ? { layout } : {}) }), 3)).toEqual(reports);
  });

  it.each(runs)('%s: its reports as v3 writes them (TypeScript reference)', (d) => {
    const { file, layers, layout, reports } = load(d);
    const v3 = referenceV3(file, layout);
    expect(scalesimReports(layers.map((l) => referenceLayer(file.config, l, v3)), 3)).toEqual(reports);
  });

  it('has layer-wise sparse runs in every dataflow and representation, CALC and USER, and row-wise ones', () => {
    const sparse = runs.map((d) => load(d).file).filter((f) => f.v3!.sparsity.support && !f.v3!.sparsity.optimizedMapping);
    const rowWise = runs.map((d) => load(d).file).filter((f) => f.v3!.sparsity.optimizedMapping);
    for (const mode of ['CALC', 'USER']) expect(rowWise.some((f) => f.config.interfaceBandwidth === mode), `row-wise ${mode}`).toBe(true);
    for (const df of ['os', 'ws', 'is']) for (const mode of ['CALC', 'USER']) expect(sparse.some((f) => f.config.dataflow === df && f.config.interfaceBandwidth === mode), `${mode} ${df}`).toBe(true);
    for (const rep of ['csr', 'csc', 'ellpack_block']) expect(sparse.some((f) => f.v3!.sparsity.representation === rep), rep).toBe(true);
  });

  it('has custom-layout runs in every dataflow, over several bank counts and ports, either operand or both, sparse too', () => {
    const withLayout = runs.map(load).filter((r) => r.layout);
    const files = withLayout.map((r) => r.file);
    for (const df of ['os', 'ws', 'is']) expect(files.some((f) => f.config.dataflow === df && f.config.interfaceBandwidth === 'USER'), df).toBe(true);
    expect(files.some((f) => f.config.interfaceBandwidth === 'CALC')).toBe(true);
    const custom = files.flatMap((f) => (['ifmap', 'filter'] as const).filter((op) => f.v3!.layout[op].customLayout).map((op) => f.v3!.layout[op]));
    expect(new Set(custom.map((b) => b.banks)).size).toBeGreaterThanOrEqual(5);
    expect(new Set(custom.map((b) => b.ports))).toEqual(new Set([1, 2, 3]));
    const which = files.map((f) => `${f.v3!.layout.ifmap.customLayout}-${f.v3!.layout.filter.customLayout}`);
    for (const w of ['true-true', 'true-false', 'false-true']) expect(which, w).toContain(w);
    expect(files.some((f) => f.v3!.sparsity.support && !f.v3!.sparsity.optimizedMapping)).toBe(true);
    expect(files.some((f) => f.v3!.sparsity.optimizedMapping)).toBe(true);
    // the layouts matter: without them (and their bank conflicts) every USER run gives other figures
    for (const { file, layers, reports } of withLayout.filter((r) => r.file.config.interfaceBandwidth === 'USER')) {
      const plain = { ...file.v3!, layout: { ifmap: { ...file.v3!.layout.ifmap, customLayout: false }, filter: { ...file.v3!.layout.filter, customLayout: false } } };
      expect(scalesimReports(sim.network(file.config, layers, { v3: plain }), 3)['COMPUTE_REPORT.csv']).not.toBe(reports['COMPUTE_REPORT.csv']);
    }
  });

  it('SimulatorOptions.sparsity gives a run the sparsity its config does not have', () => {
    const { file, layers, reports } = load('sparse-calc-ws-csc');
    const off = { ...file.v3!, sparsity: { support: false, optimizedMapping: false } };
    expect(scalesimReports(sim.network(file.config, layers, { v3: off, sparsity: file.v3!.sparsity }), 3)).toEqual(reports);
    expect(sim.network(file.config, layers, { v3: off })[0]!.totalCycles).not.toBe(sim.network(file.config, layers, { v3: file.v3 })[0]!.totalCycles);
  });

  it('read as v2, the USER runs differ from v3 (the stall rule and the bank bandwidths matter)', () => {
    const { file, layers, reports } = load('user-os-mnk');
    const v2 = sim.network(file.config, layers);
    expect(v2[0]!.totalCycles).toBe(50423);
    expect(reports['COMPUTE_REPORT.csv']).toMatch(/^0, 59000, 52447, 42272,/m);
  });
});
