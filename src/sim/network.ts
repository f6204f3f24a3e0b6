// A whole-network simulation result: the per-layer figures with their energy, totals, and the
// array's area. What `mapwise simulate --json` prints and what report files hold.
import { arrayArea, type AreaEstimate, type EnergyEstimate, type EnergyTable, HOROWITZ_45NM, layerEnergy } from './energy.js';
import type { LayerResult, SystolicConfig } from './types.js';

export interface NetworkTotals {
  layers: number;
  totalCycles: number;
  stallCycles: number;
  macs: number;
  overallUtilization: number; // percent, MAC-weighted over the network
  sramReads: number;
  sramWrites: number;
  dramReads: number;
  dramWrites: number;
  energyPJ: number;
}

export interface NetworkResult {
  config: SystolicConfig;
  layers: (LayerResult & { energy: EnergyEstimate })[];
  totals: NetworkTotals;
  area: AreaEstimate;
  energyTable: EnergyTable;
}

export function networkResult(config: SystolicConfig, layers: readonly LayerResult[], table: EnergyTable = HOROWITZ_45NM): NetworkResult {
  const withEnergy = layers.map((l) => ({ ...l, energy: layerEnergy(l, table) }));
  const sum = (f: (l: LayerResult & { energy: EnergyEstimate }) => number): number => withEnergy.reduce((a, l) => a + f(l), 0);
  const totalCycles = sum((l) => l.totalCycles);
  const macs = sum((l) => l.macs);
  return {
    config,
    layers: withEnergy,
    totals: {
      layers: layers.length,
      totalCycles,
      stallCycles: sum((l) => l.stallCycles),
      macs,
      overallUtilization: totalCycles > 0 ? (macs * 100) / (totalCycles * config.rows * config.cols) : 0,
      sramReads: sum((l) => l.sramReads.ifmap + l.sramReads.filter),
      sramWrites: sum((l) => l.sramWrites.ofmap),
      dramReads: sum((l) => l.dramReads.ifmap + l.dramReads.filter),
      dramWrites: sum((l) => l.dramWrites.ofmap),
      energyPJ: sum((l) => l.energy.totalPJ),
    },
    area: arrayArea(config, table),
    energyTable: table,
  };
}
