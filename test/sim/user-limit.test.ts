// InterfaceBandwidth USER walks a layer word by word: huge layers are refused with an error naming
// the layer and the limit instead of running for minutes or exhausting memory.
import { afterAll, describe, expect, it } from 'vitest';
import { getCore } from '../../src/core/load.js';
import { SYSTOLIC_PRESETS } from '../../src/hw/systolic.js';
import { SimulationError, Simulator, USER_MODE_WORK_LIMIT, userModeCost } from '../../src/sim/simulate.js';
import type { ConvLayer, SystolicConfig } from '../../src/sim/types.js';

const sim = new Simulator(await getCore());
afterAll(() => sim.free());

const conv = (name: string, h: number, f: number, s: number, ch: number, n: number): ConvLayer =>
  ({ name, ifmapHeight: h, ifmapWidth: h, filterHeight: f, filterWidth: f, channels: ch, numFilters: n, strideHeight: s, strideWidth: s });
const user: SystolicConfig = { ...SYSTOLIC_PRESETS.scale, interfaceBandwidth: 'USER', bandwidthWordsPerCycle: 10 };

describe('USER-mode limits', () => {
  it('estimates the walk as the demanded words plus the demand lines the simulator reports', () => {
    for (const dataflow of ['os', 'ws', 'is'] as const) {
      const config = { ...user, rows: 8, cols: 4, dataflow };
      const layer = conv('small', 12, 3, 1, 6, 20);
      const r = sim.layer(config, layer);
      const lines = r.totalCycles - r.stallCycles + 1; // Total Cycles = lines − 1 + stalls
      expect(userModeCost(config, layer).work).toBe(r.sramReads.ifmap + r.sramReads.filter + lines);
    }
  });

  it('refuses a layer beyond the work limit, naming it and the limit', () => {
    const vgg = conv('big', 226, 3, 1, 256, 256); // 224×224 outputs, K = 2304, 256 filters: ~1e9 demanded words on a 32×32 array
    expect(userModeCost(user, vgg).work).toBeGreaterThan(USER_MODE_WORK_LIMIT);
    expect(() => sim.layer(user, vgg)).toThrow(SimulationError);
    expect(() => sim.layer(user, vgg)).toThrow(/layer 'big': InterfaceBandwidth USER walks every demanded word .* more than the limit of 3\.00e\+8 \(SimulatorOptions\.userModeWorkLimit/);
  });

  it('takes a lower limit as an option', () => {
    const layer = conv('tiny', 8, 3, 1, 2, 4);
    expect(sim.layer(user, layer).totalCycles).toBeGreaterThan(0);
    expect(() => sim.layer(user, layer, { userModeWorkLimit: 100 })).toThrow(/layer 'tiny': .* more than the limit of 1\.00e\+2/);
  });

  it('refuses a layer whose prefetch tables would pass 1 GiB, however little it computes', () => {
    const sparse = conv('wide', 8192, 1, 8192, 8, 1); // one output, 537 M ifmap words to index
    expect(userModeCost(user, sparse).work).toBeLessThan(1000);
    expect(() => sim.layer(user, sparse)).toThrow(/layer 'wide': InterfaceBandwidth USER needs 4096 MiB of prefetch tables, more than the limit of 1024 MiB/);
  });
});
