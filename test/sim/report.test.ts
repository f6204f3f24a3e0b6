// Python's float printing, which SCALE-Sim's reports use, reproduced for the CSV writers.
import { describe, expect, it } from 'vitest';
import { mapwiseBandwidthReport, pythonFloat } from '../../src/sim/report.js';
import type { LayerResult } from '../../src/sim/types.js';

describe('pythonFloat', () => {
  // Expected strings are Python 3.11's str(float(x)).
  const cases: [number, string][] = [
    [33, '33.0'], [-3243, '-3243.0'], [0, '0.0'], [94.53125, '94.53125'], [0.31035864734643714, '0.31035864734643714'],
    [1e-5, '1e-05'], [1.5e-5, '1.5e-05'], [0.0001, '0.0001'], [0.00012345, '0.00012345'], [1e16, '1e+16'],
    [123456789012345680, '1.2345678901234568e+17'], [9999999999999998, '9999999999999998.0'], [1e22, '1e+22'],
    [-2.5e-7, '-2.5e-07'], [100, '100.0'], [1 / 3, '0.3333333333333333'],
  ];
  it.each(cases)('%s', (x, text) => expect(pythonFloat(x)).toBe(text));
});

describe('mapwise DRAM bandwidth report', () => {
  it('puts each operand\'s average beside its maximum, in SCALE-Sim\'s CSV style', () => {
    const layer = { dramBandwidth: { ifmap: 2.5, filter: 10, ofmap: 1 / 3 }, maxDramBandwidth: { ifmap: 10, filter: 12, ofmap: 32 } } as LayerResult;
    expect(mapwiseBandwidthReport([layer, layer])).toBe(
      'LayerID, Avg IFMAP DRAM BW, Max IFMAP DRAM BW, Avg FILTER DRAM BW, Max FILTER DRAM BW, Avg OFMAP DRAM BW, Max OFMAP DRAM BW,\n' +
        '0, 2.5, 10, 10.0, 12, 0.3333333333333333, 32,\n1, 2.5, 10, 10.0, 12, 0.3333333333333333, 32,\n',
    );
  });
});
