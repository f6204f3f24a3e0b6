// Runs layers through the wasm systolic simulator and shapes the figures as SCALE-Sim v2 reports
// them. simulateLayer is a pure function of (array config, layer); the mapping is SCALE-Sim's
// default (its fold order, no double-buffering of array state between folds).
import type { Core } from '../core/core.js';
import { SystolicSim, type SimFigures } from '../core/sim.js';
import { validateConfig } from './config.js';
import { type ConvLayer, type LayerResult, layerGemm, sramWords, type SystolicConfig } from './types.js';

export class SimulationError extends Error {
  override name = 'SimulationError';
}

/** Checks a layer built in code; parsed topologies are already checked with file and line. */
export function validateLayer(layer: ConvLayer): void {
  for (const key of ['ifmapHeight', 'ifmapWidth', 'filterHeight', 'filterWidth', 'channels', 'numFilters', 'strideHeight', 'strideWidth'] as const) {
    const v = layer[key];
    if (!Number.isInteger(v) || v <= 0) throw new SimulationError(`layer '${layer.name}': ${key} must be a positive integer, got ${v}`);
  }
  if (layer.filterHeight > layer.ifmapHeight || layer.filterWidth > layer.ifmapWidth) {
    throw new SimulationError(`layer '${layer.name}': filter ${layer.filterHeight}×${layer.filterWidth} is larger than its input ${layer.ifmapHeight}×${layer.ifmapWidth}`);
  }
  const g = layerGemm(layer);
  const biggest = Math.max(layer.ifmapHeight * layer.ifmapWidth * layer.channels, g.k * g.n, g.m * g.n);
  if (biggest >= 2 ** 31) throw new SimulationError(`layer '${layer.name}': an operand of ${biggest} words is beyond the simulator's 2^31 address range`);
}

export class Simulator {
  private readonly sim: SystolicSim;

  constructor(core: Core) {
    this.sim = new SystolicSim(core);
  }

  /** One layer, as one row of SCALE-Sim's three reports. */
  layer(config: SystolicConfig, layer: ConvLayer): LayerResult {
    validateLayer(layer);
    const f = this.sim.layer({
      rows: config.rows, cols: config.cols,
      ifmapWords: sramWords(config.ifmapSramKiB), filterWords: sramWords(config.filterSramKiB), ofmapWords: sramWords(config.ofmapSramKiB),
      dataflow: config.dataflow, ...layer,
      userBandwidth: config.interfaceBandwidth === 'USER' ? config.bandwidthWordsPerCycle : 0,
    });
    return toResult(layer.name, f);
  }

  network(config: SystolicConfig, layers: readonly ConvLayer[]): LayerResult[] {
    const checked = validateConfig(config);
    return layers.map((layer) => this.layer(checked, layer));
  }

  free(): void {
    this.sim.free();
  }
}

function toResult(name: string, f: SimFigures): LayerResult {
  const dramReads = { ifmap: f.dramReadsIfmap, filter: f.dramReadsFilter, ofmap: 0 };
  const dramWrites = { ifmap: 0, filter: 0, ofmap: f.dramWritesOfmap };
  const dramStart = { ifmap: f.dramStartIfmap, filter: f.dramStartFilter, ofmap: f.dramStartOfmap };
  const dramStop = { ifmap: f.dramStopIfmap, filter: f.dramStopFilter, ofmap: f.dramStopOfmap };
  return {
    name,
    totalCycles: f.totalCycles,
    stallCycles: f.stallCycles,
    overallUtilization: f.overallUtilization,
    mappingEfficiency: f.mappingEfficiency,
    computeUtilization: f.computeUtilization,
    macs: f.macs,
    sramReads: { ifmap: f.sramReadsIfmap, filter: f.sramReadsFilter, ofmap: 0 },
    sramWrites: { ifmap: 0, filter: 0, ofmap: f.sramWritesOfmap },
    dramReads,
    dramWrites,
    sramStart: { ifmap: f.sramStartIfmap, filter: f.sramStartFilter, ofmap: f.sramStartOfmap },
    sramStop: { ifmap: f.sramStopIfmap, filter: f.sramStopFilter, ofmap: f.sramStopOfmap },
    dramStart,
    dramStop,
    sramBandwidth: {
      ifmap: f.sramReadsIfmap / f.totalCycles,
      filter: f.sramReadsFilter / f.totalCycles,
      ofmap: f.sramWritesOfmap / f.totalCycles,
    },
    dramBandwidth: {
      ifmap: dramReads.ifmap / (dramStop.ifmap - dramStart.ifmap + 1),
      filter: dramReads.filter / (dramStop.filter - dramStart.filter + 1),
      ofmap: dramWrites.ofmap / (dramStop.ofmap - dramStart.ofmap + 1),
    },
  };
}
