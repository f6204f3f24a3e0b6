// krittika's run (simulator.py, single_layer_sim.py at 2cf6c8e): every conv or GEMM layer is cut
// into input parts × filter parts, one per core, and each core runs SCALE-Sim's pipeline on its
// share of the operand matrices; an activation runs on the SIMD units of every core. Each core's
// share here is mapwise's own SCALE-Sim simulation (Simulator.layer with SimulatorOptions.krittikaCore
// and the core's filters), so no second simulator exists. krittika's quirks, kept:
//  1. a core's share is ceil(rows / parts) rows of the ifmap operand matrix (ofmap pixels, which
//     cut ofmap rows anywhere) and ceil(filters / parts) filters, the last ones shorter; a part left
//     empty stops krittika, and here is an error;
//  2. scalesim is run as of v3's tree at d78b477 (krittika stops on v3's scalesim from af2dc5d),
//     whose CALC memory model is v2's, in CALC mode (krittika's USER mode stops), its
//     first prefetch windows and ofmap drains at the per-core interface bandwidths instead of
//     SCALE-Sim's 10 words per cycle and ArrayWidth;
//  3. an activation reads the ofmap of the latest conv or GEMM layer, whatever lies between, split by
//     rows over all cores (ceil(rows / cores) each), and costs 1 cycle per SIMD pass whatever the
//     function (krittika compares the op with 'RELU' but is handed the layer id); its compute rows
//     report ceil(values / SIMD length) cycles, no stalls, and the lanes' use as every utilisation;
//  4. the vector unit never runs (its scalesim config lacks the bandwidth mode and stops);
//  5. krittika builds scalesim's demand matrices operand by operand, which leaves scalesim's
//     ready flag off, so the first read of one builds them all again: SRAM reads and writes count
//     twice, and mapping efficiency and compute util are the means of per-fold lists held twice
//     (the same value but for the float sums' rounding);
//  6. every core's three SRAMs hold 1 KB (1024 words), whatever the config's per-core sizes say:
//     krittika reads and checks them but never stores them, so its defaults stay.
import type { Core } from '../core/core.js';
import { SimulationError, Simulator } from './simulate.js';
import type { KrittikaConfig, KrittikaLayer, KrittikaPartition } from './krittika-files.js';
import { partitionTable } from './krittika-partition.js';
import { type LayerResult, layerGemm, type SystolicConfig } from './types.js';

/** One core's share of a conv or GEMM layer and SCALE-Sim's figures for it. */
export interface KrittikaCore extends LayerResult {
  ofmapRows: { start: number; count: number };
  filters: { start: number; count: number };
}

/** One core's share of an activation: `values` on `simdLength` lanes. */
export interface KrittikaSimdCore {
  rows: { start: number; count: number };
  values: number;
  totalCycles: number;
  overallUtilization: number; // percent
  mappingEfficiency: number; // percent
  computeUtilization: number; // percent
}

export type KrittikaLayerResult =
  | { kind: 'conv' | 'gemm'; source: string; partition: Omit<KrittikaPartition, 'source'> & { from: string }; cores: KrittikaCore[] }
  | { kind: 'activation'; source: string; cores: KrittikaSimdCore[] };

/** Contiguous shares of `total` in parts of ceil(total / parts), as numpy slices cut them; throws on an empty one. */
function shares(total: number, parts: number, what: (part: number, each: number) => string): { start: number; count: number }[] {
  const each = Math.ceil(total / parts);
  return Array.from({ length: parts }, (_, p) => {
    const start = p * each;
    if (start >= total) throw new SimulationError(what(p, each));
    return { start, count: Math.min(each, total - start) };
  });
}

/** The per-core SRAM size every run gets: krittika checks the config's sizes, then never stores them (its default of 1 KB stays). */
export const KRITTIKA_SRAM_KIB = 1;

function coreConfig(config: KrittikaConfig, dataflow: KrittikaPartition['dataflow']): SystolicConfig {
  return {
    runName: config.runName, rows: config.matmul!.rows, cols: config.matmul!.cols,
    ifmapSramKiB: KRITTIKA_SRAM_KIB, filterSramKiB: KRITTIKA_SRAM_KIB, ofmapSramKiB: KRITTIKA_SRAM_KIB, // quirk 6
    ifmapOffset: config.offsets.ifmap, filterOffset: config.offsets.filter, ofmapOffset: config.offsets.ofmap,
    dataflow, interfaceBandwidth: 'CALC', bandwidthWordsPerCycle: config.bandwidth.ifmap,
  };
}

function runLayer(sim: Simulator, config: KrittikaConfig, layer: Extract<KrittikaLayer, { kind: 'conv' | 'gemm' }>, row: KrittikaPartition): KrittikaCore[] {
  if (row.unit === 'vector') throw new SimulationError(`${layer.source}: partitioned onto the vector unit (${row.source}); krittika's vector units stop (their scalesim config has no bandwidth mode): use matmul`);
  if (!config.matmul) throw new SimulationError(`${layer.source}: partitioned onto the matmul unit (${row.source}), but matmul core present is False`);
  const g = layerGemm(layer.layer);
  const rowShares = shares(g.m, row.inputParts, (p, each) => `${layer.source}: ${row.inputParts} input parts of ${each} of its ${g.m} ofmap pixels leave part ${p} none; krittika stops on an empty share`);
  const filterShares = shares(g.n, row.filterParts, (p, each) => `${layer.source}: ${row.filterParts} filter parts of ${each} of its ${g.n} filters leave part ${p} none; krittika stops on an empty share`);
  const cfg = coreConfig(config, row.dataflow);
  const cores: KrittikaCore[] = [];
  // A share's figures depend on its ofmap rows and how many filters it has, not which: equal shares are simulated once.
  const byShare = new Map<string, LayerResult>();
  for (const ofmapRows of rowShares) {
    for (const filters of filterShares) {
      const key = `${ofmapRows.start} ${ofmapRows.count} ${filters.count}`;
      const r = byShare.get(key) ?? sim.layer(cfg, { ...layer.layer, numFilters: filters.count }, { krittikaCore: { ofmapRows, bandwidth: config.bandwidth } });
      byShare.set(key, r);
      // quirk 5: scalesim's demand matrices are built twice, and so are its SRAM counts
      const sramReads = { ...r.sramReads, ifmap: 2 * r.sramReads.ifmap, filter: 2 * r.sramReads.filter };
      const sramWrites = { ...r.sramWrites, ofmap: 2 * r.sramWrites.ofmap };
      const sramBandwidth = { ifmap: sramReads.ifmap / r.totalCycles, filter: sramReads.filter / r.totalCycles, ofmap: sramWrites.ofmap / r.totalCycles };
      cores.push({ ...r, sramReads, sramWrites, sramBandwidth, ofmapRows, filters });
    }
  }
  return cores;
}

function runActivation(config: KrittikaConfig, layer: KrittikaLayer, ofmap: { rows: number; cols: number }): KrittikaSimdCore[] {
  const lanes = config.simdLength;
  const parts = shares(ofmap.rows, config.cores, (p, each) => `${layer.source}: ${config.cores} cores of ${each} of the ${ofmap.rows} ofmap rows leave core ${p} none; krittika's SIMD unit stops on an empty share`);
  return parts.map((rows) => {
    const values = rows.count * ofmap.cols;
    const totalCycles = Math.ceil(values / lanes);
    const used = values / (totalCycles * lanes);
    return { rows, values, totalCycles, overallUtilization: (values * 100) / (totalCycles * lanes), mappingEfficiency: used * 100, computeUtilization: used * 100 };
  });
}

/** Every layer of a krittika topology, core by core. `partitions`: the partition file's rows (USER strategy). */
export function simulateKrittika(core: Core, config: KrittikaConfig, layers: readonly KrittikaLayer[], partitions?: readonly KrittikaPartition[]): KrittikaLayerResult[] {
  const table = partitionTable(config, layers, partitions);
  const sim = new Simulator(core);
  try {
    let ofmap: { rows: number; cols: number } | undefined;
    return layers.map((layer, i): KrittikaLayerResult => {
      if (layer.kind === 'activation') return { kind: 'activation', source: layer.source, cores: runActivation(config, layer, ofmap!) };
      const row = table[i];
      if (!row) throw new SimulationError(`${layer.source}: krittika looks layer ${i}'s partition up by position, and its ${config.partitionStrategy} table has ${table.length} rows${config.partitionStrategy === 'USER' ? '' : ' (none for activations)'}: krittika stops`);
      const g = layerGemm(layer.layer);
      ofmap = { rows: g.m, cols: g.n };
      const { source: from, ...partition } = row;
      return { kind: layer.kind, source: layer.source, partition: { ...partition, from }, cores: runLayer(sim, config, layer, row) };
    });
  } finally {
    sim.free();
  }
}
