// SCALE-Sim-style SRAM traces ({IFMAP,FILTER,OFMAP}_SRAM_TRACE.csv: the service cycle, then one
// address per array row or column, -1 where nothing is demanded) for small layers, CALC mode.
// Reads are served one cycle after they are issued; ofmap writes in their cycle (CALC never
// stalls on reads). DRAM traces are not written: SCALE-Sim's list the prefetched sets in Python's
// set iteration order.
import type { Core } from '../core/core.js';
import { SystolicSim } from '../core/sim.js';
import { SimulationError, validateLayer } from './simulate.js';
import { type ConvLayer, layerGemm, type SystolicConfig } from './types.js';

export interface SramTraces {
  ifmap: string;
  filter: string;
  ofmap: string;
}

/** Demand lines of a layer: folds × fold length. */
export function demandLines(config: SystolicConfig, layer: ConvLayer): number {
  const g = layerGemm(layer);
  const [sr, sc, t] = config.dataflow === 'os' ? [g.m, g.n, g.k] : config.dataflow === 'ws' ? [g.k, g.n, g.m] : [g.k, g.m, g.n];
  const foldLength = config.dataflow === 'os' ? t + config.rows + config.cols - 2 : 2 * config.rows + config.cols + t - 2;
  return Math.ceil(sr / config.rows) * Math.ceil(sc / config.cols) * foldLength;
}

export function sramTraces(core: Core, config: SystolicConfig, layer: ConvLayer, maxLines = 1_000_000): SramTraces {
  if (config.interfaceBandwidth !== 'CALC') throw new SimulationError('traces are written for InterfaceBandwidth CALC only');
  validateLayer(layer);
  const lines = demandLines(config, layer);
  if (lines > maxLines) throw new SimulationError(`layer '${layer.name}': ${lines} demand lines is more than the trace limit of ${maxLines}`);
  const sim = new SystolicSim(core);
  const out: Record<keyof SramTraces, string[]> = { ifmap: [], filter: [], ofmap: [] };
  const row = (cycle: number, addresses: Int32Array, offset: number): string => `${cycle},${Array.from(addresses, (a) => (a < 0 ? -1 : a + offset)).join(',')}`;
  try {
    sim.traceLines({ ...layer, rows: config.rows, cols: config.cols, dataflow: config.dataflow }, (line, ifmap, filter, ofmap) => {
      out.ifmap.push(row(line + 1, ifmap, config.ifmapOffset));
      out.filter.push(row(line + 1, filter, config.filterOffset));
      out.ofmap.push(row(line, ofmap, config.ofmapOffset));
    });
  } finally {
    sim.free();
  }
  return { ifmap: `${out.ifmap.join('\n')}\n`, filter: `${out.filter.join('\n')}\n`, ofmap: `${out.ofmap.join('\n')}\n` };
}
