// Energy and area estimates beside the simulator's cycles, from per-access energies and
// per-unit areas. The table is data, overridable field by field; the defaults are published
// 45 nm figures scaled to SCALE-Sim's one-byte words.
import { anyValues, checkOptions, OptionsError } from '../base/options.js';
import type { LayerResult, SystolicConfig } from './types.js';

export interface EnergyTable {
  readonly source: string; // where the numbers come from
  readonly macPJ: number; // one 8-bit multiply-accumulate
  readonly sramReadPJPerWord: number; // one-byte word read from an on-chip scratchpad
  readonly sramWritePJPerWord: number;
  readonly dramPJPerWord: number; // one-byte word moved to or from DRAM
  readonly macAreaUm2: number; // one PE's multiply-accumulate unit
  readonly sramAreaUm2PerKiB: number; // scratchpad area per KiB
}

/**
 * M. Horowitz, "Computing's energy problem (and what we can do about it)", ISSCC 2014, 45 nm:
 * 8-bit multiply 0.2 pJ + 8-bit add 0.03 pJ; 64-bit read from a 32 KB SRAM 20 pJ → 2.5 pJ per byte
 * (writes taken equal); DRAM 1.3–2.6 nJ per 64 bits → 2 nJ/8 = 250 pJ per byte; areas 282 µm²
 * (8-bit multiplier) + 36 µm² (8-bit adder). SRAM area per KiB: 6T cell of about 0.35 µm² at
 * 45 nm with ~2× array overhead → 8192 bits × 0.7 µm² ≈ 5700 µm² (an estimate, not a measured macro).
 */
export const HOROWITZ_45NM: EnergyTable = Object.freeze({
  source: 'Horowitz, ISSCC 2014 (45 nm), 8-bit words',
  macPJ: 0.23,
  sramReadPJPerWord: 2.5,
  sramWritePJPerWord: 2.5,
  dramPJPerWord: 250,
  macAreaUm2: 318,
  sramAreaUm2PerKiB: 5700,
});

/**
 * Eyeriss's normalised access costs (Chen, Emer, Sze, ISCA 2016, Fig. 5): ALU 1×, global buffer 6×,
 * DRAM 200×, expressed here in units of HOROWITZ_45NM's MAC energy; areas as HOROWITZ_45NM.
 */
export const EYERISS_RATIOS: EnergyTable = Object.freeze({
  source: 'Eyeriss normalised costs (ISCA 2016): MAC 1, buffer 6, DRAM 200 × 0.23 pJ',
  macPJ: 0.23,
  sramReadPJPerWord: 6 * 0.23,
  sramWritePJPerWord: 6 * 0.23,
  dramPJPerWord: 200 * 0.23,
  macAreaUm2: 318,
  sramAreaUm2PerKiB: 5700,
});

export const ENERGY_TABLES: Readonly<Record<string, EnergyTable>> = Object.freeze({ horowitz45nm: HOROWITZ_45NM, eyeriss: EYERISS_RATIOS });

const NUMERIC = ['macPJ', 'sramReadPJPerWord', 'sramWritePJPerWord', 'dramPJPerWord', 'macAreaUm2', 'sramAreaUm2PerKiB'] as const;

/** `overrides` on top of a named table; unknown keys and negative values throw naming the key. */
export function energyTable(overrides: Partial<EnergyTable> = {}, base: EnergyTable = HOROWITZ_45NM): EnergyTable {
  checkOptions('energy table', overrides, anyValues([...NUMERIC, 'source']), 'field');
  for (const [key, value] of Object.entries(overrides)) {
    if (key === 'source') continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new OptionsError(`energy table: ${key} must be a non-negative number, got ${String(value)}`, { field: key });
  }
  return Object.freeze({ ...base, ...overrides, source: overrides.source ?? (Object.keys(overrides).length ? `${base.source}, overridden` : base.source) });
}

export interface EnergyEstimate {
  macPJ: number;
  sramPJ: number;
  dramPJ: number;
  totalPJ: number;
}

/** Energy of one simulated layer: MACs (SCALE-Sim's count) + every SRAM and DRAM word moved. */
export function layerEnergy(r: LayerResult, table: EnergyTable = HOROWITZ_45NM): EnergyEstimate {
  const macPJ = r.macs * table.macPJ;
  const sramPJ =
    (r.sramReads.ifmap + r.sramReads.filter + r.sramReads.ofmap) * table.sramReadPJPerWord +
    (r.sramWrites.ifmap + r.sramWrites.filter + r.sramWrites.ofmap) * table.sramWritePJPerWord;
  const dramPJ = (r.dramReads.ifmap + r.dramReads.filter + r.dramReads.ofmap + r.dramWrites.ifmap + r.dramWrites.filter + r.dramWrites.ofmap) * table.dramPJPerWord;
  return { macPJ, sramPJ, dramPJ, totalPJ: macPJ + sramPJ + dramPJ };
}

export interface AreaEstimate {
  peUm2: number;
  sramUm2: number;
  totalMm2: number;
}

export function arrayArea(config: SystolicConfig, table: EnergyTable = HOROWITZ_45NM): AreaEstimate {
  const peUm2 = config.rows * config.cols * table.macAreaUm2;
  const sramUm2 = (config.ifmapSramKiB + config.filterSramKiB + config.ofmapSramKiB) * table.sramAreaUm2PerKiB;
  return { peUm2, sramUm2, totalMm2: (peUm2 + sramUm2) / 1e6 };
}
