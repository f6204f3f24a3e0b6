// --fix-scalesim-quirks: the corrected figures follow the published formulas, computed by hand.
import { afterAll, describe, expect, it } from 'vitest';
import { getCore } from '../../src/core/load.js';
import { Simulator, trimToValidOutput } from '../../src/sim/simulate.js';
import { SYSTOLIC_PRESETS } from '../../src/hw/systolic.js';
import { gemmLayer, layerGemm } from '../../src/sim/types.js';

const sim = new Simulator(await getCore());
afterAll(() => sim.free());
const config = (dataflow: 'os' | 'ws' | 'is', rows = 4, cols = 4) => ({ ...SYSTOLIC_PRESETS.scale, rows, cols, dataflow });

describe('SCALE-Sim quirks: matched by default, corrected on request', () => {
  it('4×4 OS on a 4×4×4 GEMM: SCALE-Sim says T + R + C − 2 − 1 = 9 cycles, the papers 2R + C + T − 2 = 14', () => {
    const layer = gemmLayer('g', 4, 4, 4);
    const quirky = sim.layer(config('os'), layer);
    expect(quirky.totalCycles).toBe(9);
    expect(quirky.sramWrites.ofmap).toBe(16 + 8); // M·N + folds·(R + C), SCALE-Sim issue #166
    const fixed = sim.layer(config('os'), layer, { fixScalesimQuirks: true });
    expect(fixed.totalCycles).toBe(14);
    expect(fixed.sramWrites.ofmap).toBe(16);
    expect(fixed.overallUtilization).toBeCloseTo((64 * 100) / (14 * 16), 12);
    expect(fixed.computeUtilization).toBeCloseTo((16 * 4 * 100) / (16 * 14), 12);
  });

  it('WS folds: ceil(K/R)·ceil(N/C)·(2R + C + M − 2), minus one unless fixed', () => {
    const layer = gemmLayer('g', 10, 7, 9); // M, N, K
    const folds = Math.ceil(9 / 4) * Math.ceil(7 / 3);
    expect(sim.layer(config('ws', 4, 3), layer).totalCycles).toBe(folds * (8 + 3 + 10 - 2) - 1);
    expect(sim.layer(config('ws', 4, 3), layer, { fixScalesimQuirks: true }).totalCycles).toBe(folds * (8 + 3 + 10 - 2));
  });

  it('the output size uses floor((H − F)/S) + 1 once fixed', () => {
    const conv1 = { name: 'Conv1', ifmapHeight: 224, ifmapWidth: 224, filterHeight: 11, filterWidth: 11, channels: 3, numFilters: 96, strideHeight: 4, strideWidth: 4 };
    expect(layerGemm(conv1).ofmapHeight).toBe(55);
    expect(layerGemm(trimToValidOutput(conv1)).ofmapHeight).toBe(54);
    const fixed = sim.layer(config('os', 32, 32), conv1, { fixScalesimQuirks: true });
    expect(fixed.macs).toBe(54 * 54 * 11 * 11 * 3 * 96);
  });
});
