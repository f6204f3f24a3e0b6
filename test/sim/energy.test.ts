// Energy and area estimates: hand-computed from the documented table.
import { describe, expect, it } from 'vitest';
import { arrayArea, energyTable, EYERISS_RATIOS, HOROWITZ_45NM, layerEnergy } from '../../src/sim/energy.js';
import { SYSTOLIC_PRESETS } from '../../src/hw/systolic.js';
import type { LayerResult } from '../../src/sim/types.js';

const zero = { ifmap: 0, filter: 0, ofmap: 0 };
const layer = {
  name: 'l', macs: 1000, totalCycles: 1, stallCycles: 0, overallUtilization: 0, mappingEfficiency: 0, computeUtilization: 0,
  sramReads: { ifmap: 300, filter: 200, ofmap: 0 }, sramWrites: { ifmap: 0, filter: 0, ofmap: 100 },
  dramReads: { ifmap: 30, filter: 20, ofmap: 0 }, dramWrites: { ifmap: 0, filter: 0, ofmap: 10 },
  sramStart: zero, sramStop: zero, dramStart: zero, dramStop: zero, sramBandwidth: zero, dramBandwidth: zero,
  maxDramBandwidth: zero,
} satisfies LayerResult;

describe('energy and area', () => {
  it('sums MACs, SRAM and DRAM words at the table\'s per-access energies', () => {
    const e = layerEnergy(layer, HOROWITZ_45NM);
    expect(e.macPJ).toBeCloseTo(1000 * 0.23, 9);
    expect(e.sramPJ).toBeCloseTo(500 * 2.5 + 100 * 2.5, 9);
    expect(e.dramPJ).toBeCloseTo(60 * 250, 9);
    expect(e.totalPJ).toBeCloseTo(230 + 1500 + 15000, 9);
    expect(layerEnergy(layer, EYERISS_RATIOS).dramPJ).toBeCloseTo(60 * 200 * 0.23, 9);
  });

  it('overrides entries by name and rejects unknown or negative ones', () => {
    const t = energyTable({ dramPJPerWord: 100 });
    expect(layerEnergy(layer, t).dramPJ).toBe(6000);
    expect(t.macPJ).toBe(HOROWITZ_45NM.macPJ);
    expect(() => energyTable({ dramPJ: 1 } as never)).toThrow(/energy table: unknown field 'dramPJ'; expected one of: macPJ/);
    expect(() => energyTable({ macPJ: -1 })).toThrow(/macPJ must be a non-negative number/);
  });

  it('estimates area from PEs and scratchpad KiB', () => {
    const a = arrayArea(SYSTOLIC_PRESETS.scale, HOROWITZ_45NM);
    expect(a.peUm2).toBe(32 * 32 * 318);
    expect(a.sramUm2).toBe(192 * 5700);
    expect(a.totalMm2).toBeCloseTo((32 * 32 * 318 + 192 * 5700) / 1e6, 12);
  });
});
