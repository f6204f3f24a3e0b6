// SCALE-Sim .cfg and topology readers: the bundled files load, and bad input is a clear error
// naming the file, the line or key and what was expected.
import { describe, expect, it } from 'vitest';
import { formatConfig, parseConfig, validateConfig } from '../../src/sim/config.js';
import { formatTopology, parseTopology } from '../../src/sim/topology.js';
import { SYSTOLIC_PRESETS, systolicTarget, parseSystolicTargetSpec } from '../../src/hw/systolic.js';
import { validateLayer } from '../../src/sim/simulate.js';
import { layerGemm } from '../../src/sim/types.js';

const SCALE_CFG = `[general]
run_name = scale_example_run_32x32_os

[architecture_presets]
ArrayHeight:    32
ArrayWidth:     32
IfmapSramSzkB:   64 
FilterSramSzkB:  64 
OfmapSramSzkB:   64 
IfmapOffset:    0
FilterOffset:   10000000
OfmapOffset:    20000000
Bandwidth : 10
Dataflow : os
MemoryBanks:   1

[run_presets]
InterfaceBandwidth: CALC 
`;

describe('parseConfig', () => {
  it('reads SCALE-Sim\'s scale.cfg (trailing spaces, colon syntax) into the scale preset', () => {
    expect(parseConfig(SCALE_CFG, 'scale.cfg')).toEqual(SYSTOLIC_PRESETS.scale);
  });

  it('round-trips through formatConfig, keys case-insensitively', () => {
    const cfg = { ...SYSTOLIC_PRESETS.eyeriss, interfaceBandwidth: 'USER' as const, bandwidthWordsPerCycle: 7 };
    expect(parseConfig(formatConfig(cfg))).toEqual(cfg);
    expect(parseConfig(SCALE_CFG.replace('ArrayHeight', 'arrayheight')).rows).toBe(32);
  });

  it('takes the first value of a USER bandwidth list', () => {
    const text = SCALE_CFG.replace('Bandwidth : 10', 'Bandwidth : 12, 3, 4').replace('InterfaceBandwidth: CALC', 'InterfaceBandwidth: USER');
    expect(parseConfig(text).bandwidthWordsPerCycle).toBe(12);
  });

  const bad: [string, string, RegExp][] = [
    ['missing key', SCALE_CFG.replace(/^IfmapSramSzkB.*$/m, ''), /x\.cfg: missing key 'IfmapSramSzkB' in \[architecture_presets\]/],
    ['zero size', SCALE_CFG.replace('IfmapSramSzkB:   64', 'IfmapSramSzkB: 0'), /x\.cfg:7: IfmapSramSzkB must be a positive integer, got 0/],
    ['negative rows', SCALE_CFG.replace('ArrayHeight:    32', 'ArrayHeight: -4'), /x\.cfg:5: ArrayHeight must be a positive integer, got -4/],
    ['not a number', SCALE_CFG.replace('ArrayWidth:     32', 'ArrayWidth: 32x'), /x\.cfg:6: ArrayWidth must be an integer, got '32x'/],
    ['unknown dataflow', SCALE_CFG.replace('Dataflow : os', 'Dataflow : rs'), /x\.cfg:14: Dataflow must be os, ws or is, got 'rs'/],
    ['unknown bandwidth mode', SCALE_CFG.replace('InterfaceBandwidth: CALC', 'InterfaceBandwidth: AUTO'), /x\.cfg:18: InterfaceBandwidth must be CALC or USER, got 'AUTO'/],
    ['unknown key', SCALE_CFG.replace('MemoryBanks', 'MemoryBankz'), /x\.cfg:15: unknown key 'MemoryBankz' in \[architecture_presets\]/],
    ['buffer beyond the core\'s 32-bit word count', SCALE_CFG.replace('FilterSramSzkB:  64', 'FilterSramSzkB: 2097152'), /x\.cfg:8: FilterSramSzkB must be at most 2097151, got 2097152/],
    ['huge array', SCALE_CFG.replace('ArrayWidth:     32', 'ArrayWidth: 100000'), /x\.cfg:6: ArrayWidth must be at most 65536, got 100000/],
    ['huge USER bandwidth', SCALE_CFG.replace('Bandwidth : 10', 'Bandwidth : 8589934592').replace('InterfaceBandwidth: CALC', 'InterfaceBandwidth: USER'), /x\.cfg:\d+: Bandwidth must be a positive integer \(words per cycle\) of at most 2147483647, got '8589934592'/],
    ['USER without Bandwidth', SCALE_CFG.replace(/^Bandwidth.*$/m, '').replace('InterfaceBandwidth: CALC', 'InterfaceBandwidth: USER'), /missing key 'Bandwidth'/],
  ];
  it.each(bad)('rejects a config with a %s', (_what, text, error) => {
    expect(() => parseConfig(text, 'x.cfg')).toThrow(error);
  });
});

describe('parseTopology', () => {
  it('reads conv rows with trailing commas, blank rows, empty and extra columns', () => {
    const text = [
      'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,,,Eh,Ew,e2',
      ',,,,,,,,,,,,',
      'Conv1,224,224,7,7,3,64,2,,,110,110,12100,',
      '',
      'CB2a_1,56,56,1,1,64,64,1,,,,,',
      'Row, 10, 12, 1, 3, 5, 6, 1, 2,',
    ].join('\n');
    const layers = parseTopology(text, 't.csv');
    expect(layers.map((l) => [l.name, l.strideHeight, l.strideWidth])).toEqual([['Conv1', 2, 2], ['CB2a_1', 1, 1], ['Row', 1, 2]]);
    expect(layers[0]).toMatchObject({ ifmapHeight: 224, filterWidth: 7, channels: 3, numFilters: 64 });
  });

  it('maps GEMM rows to SCALE-Sim\'s conv [M, K, 1, K, 1, N, 1, 1]', () => {
    const [l] = parseTopology('Layer, M, N, K,\nQKT,1024,512,64,\n', 'g.csv', { gemm: true });
    expect(layerGemm(l!)).toEqual({ ofmapHeight: 1024, ofmapWidth: 1, m: 1024, n: 512, k: 64 });
  });

  it('expands a DP row into one-channel layers as SCALE-Sim does, unless asked not to', () => {
    const text = 'h,\nConvDP1, 8, 8, 3, 3, 4, 1, 1,\n';
    expect(parseTopology(text).map((l) => [l.name, l.channels])).toEqual([0, 1, 2, 3].map((c) => [`ConvDP1Channel_${c}`, 1]));
    expect(parseTopology(text, 't', { expandDepthwise: false })).toHaveLength(1);
  });

  it('applies the ceil output-size rule', () => {
    const [l] = parseTopology('h,\nConv1, 224, 224, 11, 11, 3, 96, 4,\n');
    expect(layerGemm(l!).ofmapHeight).toBe(55); // a valid convolution gives 54
  });

  it('round-trips through formatTopology', () => {
    const layers = parseTopology('h,\nA, 10, 12, 1, 3, 5, 6, 1, 2,\nB, 9, 9, 3, 3, 2, 4, 2,\n');
    expect(parseTopology(formatTopology(layers))).toEqual(layers);
  });

  const bad: [string, string, RegExp][] = [
    ['too few columns', 'h,\nConv1, 224, 224, 11, 11, 3,\n', /t\.csv:2: a conv row needs at least 8 columns/],
    ['a filter larger than its input', 'h,\nConv1, 5, 5, 7, 3, 3, 8, 1,\n', /t\.csv:2: filter height 7 is larger than the IFMAP height 5 in layer 'Conv1'/],
    ['a non-integer', 'h,\nConv1, 5, 5, 3, x, 3, 8, 1,\n', /t\.csv:2: filter width \(column 5\) must be an integer, got 'x'/],
    ['a zero stride', 'h,\nConv1, 5, 5, 3, 3, 3, 8, 0,\n', /t\.csv:2: stride height \(column 8\) must be positive, got 0/],
    ['no trailing comma', 'h,\nConv1, 5, 5, 3, 3, 3, 8, 1\n', /t\.csv:2: row must end with a comma/],
    ['no layers', 'h,\n\n', /t\.csv: no layers/],
    ['zero channels', 'h,\nConv1, 5, 5, 3, 3, 0, 8, 1,\n', /t\.csv:2: channels \(column 6\) must be positive, got 0/],
    ['a filter wider than its input', 'h,\nConv1, 5, 5, 3, 7, 2, 8, 1,\n', /t\.csv:2: filter width 7 is larger than the IFMAP width 5 in layer 'Conv1'/],
    ['an empty layer name', 'h,\n, 5, 5, 3, 3, 2, 8, 1,\n', /t\.csv:2: the layer name \(first column\) is empty/],
  ];
  it.each(bad)('rejects %s', (_what, text, error) => {
    expect(() => parseTopology(text, 't.csv')).toThrow(error);
  });
  it('rejects a GEMM row with too few columns', () => {
    expect(() => parseTopology('h,\nA, 4, 5,\n', 'g.csv', { gemm: true })).toThrow(/g\.csv:2: a GEMM row needs 4 columns/);
  });
  it('rejects a GEMM row with a zero or negative size', () => {
    expect(() => parseTopology('h,\nA, 0, 5, 6,\n', 'g.csv', { gemm: true })).toThrow(/g\.csv:2: M \(column 2\) must be positive, got 0/);
    expect(() => parseTopology('h,\nA, 4, 5, -6,\n', 'g.csv', { gemm: true })).toThrow(/g\.csv:2: K \(column 4\) must be positive, got -6/);
  });
});

describe('validateLayer (layers built in code)', () => {
  const layer = { name: 'L', ifmapHeight: 5, ifmapWidth: 5, filterHeight: 3, filterWidth: 3, channels: 1, numFilters: 4, strideHeight: 1, strideWidth: 1 };
  it.each([
    [{ numFilters: 0 }, /layer 'L': numFilters must be a positive integer, got 0/],
    [{ strideWidth: 1.5 }, /layer 'L': strideWidth must be a positive integer, got 1.5/],
    [{ filterWidth: 6 }, /layer 'L': filter 3×6 is larger than its input 5×5/],
    [{ ifmapHeight: 60000, ifmapWidth: 60000, channels: 1024 }, /layer 'L': an operand of \d+ words is beyond the simulator's 2\^31 address range/],
  ])('rejects %o', (change, error) => expect(() => validateLayer({ ...layer, ...change })).toThrow(error));
});

describe('systolic target', () => {
  it('parses systolic[:preset] and overrides a preset field by field', () => {
    expect(parseSystolicTargetSpec('systolic')).toBe('scale');
    expect(parseSystolicTargetSpec('systolic:google')).toBe('google');
    expect(() => parseSystolicTargetSpec('systolic:tpu9')).toThrow(/unknown systolic preset 'tpu9'/);
    const t = systolicTarget({ rows: 16, dataflow: 'is' }, 'eyeriss');
    expect(t).toMatchObject({ kind: 'systolic', rows: 16, cols: 14, dataflow: 'is', ifmapSramKiB: 36 });
    expect(() => systolicTarget({ rows: 0 })).toThrow(/rows must be a positive integer, got 0/);
    // a size the core would wrap around in 32 bits (2^33 words per cycle would have read as 0: CALC mode)
    expect(() => validateConfig({ ...SYSTOLIC_PRESETS.scale, interfaceBandwidth: 'USER', bandwidthWordsPerCycle: 2 ** 33 })).toThrow(/bandwidthWordsPerCycle must be at most 2147483647, got 8589934592/);
    expect(() => validateConfig({ ...SYSTOLIC_PRESETS.scale, ofmapSramKiB: 2 ** 21 })).toThrow(/ofmapSramKiB must be at most 2097151/);
    expect(() => systolicTarget({ rowz: 3 } as never)).toThrow(/unknown field 'rowz'/);
  });
});
