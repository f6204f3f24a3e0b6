// Memory per layer does not grow with the number of cycles, and repeated runs do not leak.
import { afterAll, describe, expect, it } from 'vitest';
import { getCore } from '../../src/core/load.js';
import { Simulator } from '../../src/sim/simulate.js';
import { SYSTOLIC_PRESETS } from '../../src/hw/systolic.js';

const core = await getCore();
const sim = new Simulator(core);
afterAll(() => sim.free());

describe('simulator memory', () => {
  it('stays flat while the cycles grow 16× and over repeated runs', () => {
    const layer = { name: 'c', ifmapHeight: 30, ifmapWidth: 30, filterHeight: 3, filterWidth: 3, channels: 32, numFilters: 48, strideHeight: 1, strideWidth: 1 };
    const base = { ...SYSTOLIC_PRESETS.scale, ifmapSramKiB: 2, filterSramKiB: 2, ofmapSramKiB: 2 };
    sim.layer({ ...base, rows: 8, cols: 8 }, layer); // warm the allocator
    const before = core.memoryBytes;
    const small = sim.layer({ ...base, rows: 8, cols: 8 }, layer);
    const tiny = sim.layer({ ...base, rows: 2, cols: 2 }, layer);
    expect(tiny.totalCycles).toBeGreaterThan(10 * small.totalCycles);
    for (let i = 0; i < 20; i++) sim.layer({ ...base, rows: 2 + (i % 3), cols: 2, dataflow: (['os', 'ws', 'is'] as const)[i % 3] }, layer);
    expect(core.memoryBytes).toBe(before);
  });
});
