// Runs layers through the wasm systolic simulator and shapes the figures as SCALE-Sim v2 reports
// them. Simulator.layer is a pure function of (array config, layer); the mapping is SCALE-Sim's
// default (its fold order, no double-buffering of array state between folds).
//
// SCALE-Sim v2 (22f88b1) quirks matched by default (`fixScalesimQuirks` corrects the first five):
//  1. output size ceil((H − F + S)/S), one more than a valid conv when (H − F) mod S ≠ 0; the extra
//     windows run off the ifmap (address −1) but count in M, the MACs and the SRAM read counts;
//  2. OS fold length T + R + C − 2 (its papers: 2R + C + T − 2); WS and IS 2R + C + T − 2;
//  3. Total Cycles = demand lines − 1 + stalls (issue #125), the last line's ofmap service cycle
//     (so without a read stall of the last line itself, USER mode);
//  4. OS SRAM OFMAP writes M·N + folds·(R + C) (issue #166), also in Avg OFMAP SRAM BW;
//  5. Compute Util of WS and IS divides by 2R + 2C + T − 3, one C − 1 more than the fold;
//     mapping efficiency and compute util are unweighted means over folds;
//  6. DRAM counts come from its buffer models: in CALC mode a "flush when full" window of 50 sets of
//     floor(words/100) addresses, prefetched at 10 words/cycle before cycle 0 (negative start
//     cycles), never stalling; in USER mode whole request lines of Bandwidth words, padding counted;
//  7. ofmap DRAM writes count the −1 padding of partial lines closed in the middle of a drain
//     (phantom words), and drain at ArrayWidth words/cycle in CALC mode;
//  8. USER-mode stalls as of 22f88b1 (after the fixes of issues #100 and #130): pip scalesim 2.0.2
//     gives different stall counts;
//  9. topology parsing: the header line is always skipped, a row's last field is dropped (so rows
//     must end in a comma: we reject rows without one rather than drop a field), a 9th column is the
//     stride width, a name containing 'DP' expands into one-channel layers.
// SCALE-Sim v3 (commit fab89b7): SimulatorOptions.v3 (its memory model), .sparsity (layer-wise and row-wise N:M)
// and .ramulator (the DRAM latencies v3 reads with UseRamulatorTrace).
// Not copied: SCALE-Sim's silent fallbacks (unknown dataflow → OS, unknown InterfaceBandwidth →
// defaults, missing keys): those are errors here.
import { UserError } from '../base/errors.js';
import type { Core } from '../core/core.js';
import { type SimFigures, type SimLayerArgs, SystolicSim } from '../core/sim.js';
import { validateConfig } from './config.js';
import { layoutMismatch } from './layout.js';
import { layerRamulator, type RamulatorLatencies } from './ramulator.js';
import { checkSparsity, layerRatio, layerWiseFilter, rowWiseFilter, rowWiseIfmapReads, rowWiseRatios, sparseFigures, wsSparseIfmapReads } from './sparsity.js';
import { type ConvLayer, type LayerResult, layerGemm, type ScalesimLayout, type ScalesimV3Config, type SparsityConfig, sramWords, type SystolicConfig } from './types.js';

/** A layer or config the simulator cannot run: the caller's input. */
export class SimulationError extends UserError {
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

/**
 * USER mode walks every demanded word of a layer through its prefetch windows (stalls depend on
 * each one), at some 10–40 M words per second: layers whose walk (demanded words plus demand lines)
 * exceeds this are refused with an error rather than left running for minutes. CALC mode has
 * closed forms and no such limit.
 */
export const USER_MODE_WORK_LIMIT = 3e8;
/** The USER-mode walk keeps, per read operand, set ids per address and per prefetched entry: at most this many bytes. */
export const USER_MODE_TABLE_LIMIT_BYTES = 2 ** 30;

/** What the USER-mode walk of a layer costs: demanded words plus lines, and the bytes of its tables. */
export function userModeCost(config: SystolicConfig, layer: ConvLayer): { work: number; tableBytes: number } {
  const g = layerGemm(layer);
  const { rows: R, cols: C, dataflow } = config;
  const [sr, sc, t] = dataflow === 'os' ? [g.m, g.n, g.k] : dataflow === 'ws' ? [g.k, g.n, g.m] : [g.k, g.m, g.n];
  const rowFolds = Math.ceil(sr / R);
  const colFolds = Math.ceil(sc / C);
  const lines = rowFolds * colFolds * (dataflow === 'os' ? t + R + C - 2 : 2 * R + C + t - 2);
  const ifmapReads = dataflow === 'is' ? g.m * g.k : g.m * g.k * colFolds;
  const filterReads = dataflow === 'os' ? g.k * g.n * rowFolds : dataflow === 'ws' ? g.k * g.n : g.k * g.n * colFolds;
  // offsets and fill (4 bytes per address) and ids (4 bytes per prefetched entry, at most M·K or K·N)
  const ifmapSpace = layer.ifmapHeight * layer.ifmapWidth * layer.channels;
  const tableBytes = 4 * (2 * ifmapSpace + g.m * g.k) + 4 * (3 * g.k * g.n);
  return { work: ifmapReads + filterReads + lines, tableBytes };
}

export interface SimulatorOptions {
  /**
   * Correct SCALE-Sim's accounting instead of matching it: output size floor((H − F)/S) + 1 (the
   * input is trimmed to the windows a valid convolution reads), the OS fold length 2R + C + T − 2
   * of its papers, Total Cycles = demand lines (no −1, issue #125), OS SRAM OFMAP writes M·N (no
   * + (R + C) per fold, issue #166), and Compute Util over each fold's own length. DRAM counts and
   * start/stop cycles stay SCALE-Sim's buffer models.
   */
  fixScalesimQuirks?: boolean;
  /** InterfaceBandwidth USER: refuse layers whose walk exceeds this many words and lines (default USER_MODE_WORK_LIMIT). */
  userModeWorkLimit?: number;
  /**
   * Simulate as SCALE-Sim v3 (commit fab89b7) with a v3 file's additions (parseScalesimConfig's
   * `v3`): in USER mode the ifmap and filter are read at the [layout] bank bandwidths and v3's
   * stall rule applies (a prefetch's wait counts twice, an early arrival serves a line early); the
   * DRAM OFMAP stop cycle is the latest drain's end; results carry totalCyclesWithPrefetch. The
   * request buffers only pace Ramulator's latencies (`ramulator`): without them they change nothing.
   */
  v3?: ScalesimV3Config;
  /**
   * SCALE-Sim v3 with UseRamulatorTrace True in USER mode: each layer's DRAM latencies, in topology
   * order (v3's results/_{ifmap,filter,ofmap}File{i}.npy: src/sim/ramulator.ts); `layer` takes entry
   * `index`. Each prefetch or drain line returns after its latency, paced by the ReadRequestBuffer
   * and WriteRequestBuffer queues, as v3's read and write ports do.
   */
  ramulator?: readonly RamulatorLatencies[];
  /**
   * SCALE-Sim v3's N:M sparsity (default: the v3 file's [sparsity], else none). With support on, a
   * layer's `sparsity` (1:1 without one) prunes its operands layer-wise (window element k kept iff
   * k mod M < N) in every dataflow, or with optimizedMapping row-wise (WS only: each filter column
   * N_n of every blockSize, N_n drawn from randomSeed as v3's numpy does), and results carry
   * `sparse`, v3's SPARSE_REPORT.csv row.
   */
  sparsity?: SparsityConfig;
  /**
   * SCALE-Sim v3's layout file (parseScalesimLayout: its first row, which v3 applies to every
   * layer), required when the v3 file turns on IfmapCustomLayout or FilterCustomLayout. In USER
   * mode such an operand is prefetched in the layout's order, a set is one bank row, and each
   * demand line waits ceil(most distinct rows one bank serves / ports) − 1 cycles more (bank
   * conflicts); in CALC mode v3 checks the layout and simulates as without.
   */
  layout?: ScalesimLayout;
  /**
   * Run as krittika runs one core's share of a layer (src/sim/krittika.ts; dense, CALC, v2's memory
   * model): only the ofmap pixels `ofmapRows` (the rows krittika slices from the ifmap operand
   * matrix), the first prefetch windows and the ofmap drain at the core's `bandwidth` (SCALE-Sim:
   * 10 words per cycle and ArrayWidth), and mapping efficiency and compute util averaged over
   * scalesim's per-fold lists built twice over, as krittika has them built.
   */
  krittikaCore?: { ofmapRows: { start: number; count: number }; bandwidth: { ifmap: number; filter: number; ofmap: number } };
}

/** The core's custom layouts for a v3 run, or undefined; refuses what v3 refuses (or would never finish). */
function coreLayouts(config: SystolicConfig, layer: ConvLayer, options: SimulatorOptions): SimLayerArgs['layouts'] {
  const v3 = options.v3;
  if (options.layout && !v3) throw new SimulationError(`layer '${layer.name}': a layout file is SCALE-Sim v3's: simulate with a v3 config (SimulatorOptions.v3)`);
  if (!v3 || (!v3.layout.ifmap.customLayout && !v3.layout.filter.customLayout)) return undefined;
  const on = [v3.layout.ifmap.customLayout && 'IfmapCustomLayout', v3.layout.filter.customLayout && 'FilterCustomLayout'].filter(Boolean).join(' and ');
  const layout = options.layout;
  if (!layout) throw new SimulationError(`${on} True needs SCALE-Sim v3's layout file (SimulateOptions.scalesimLayout, simulate --layout FILE); v3 reads layouts/conv_nets/test.csv relative to where it runs when none is given`);
  const mismatch = layoutMismatch(layout, v3, config);
  if (mismatch) throw new SimulationError(mismatch);
  const g = layerGemm(layer);
  const padded = (dims: number[], factors: readonly number[]): number => dims.reduce((a, d, i) => a * Math.ceil(d / factors[i]!) * factors[i]!, 1);
  const words = Math.max(padded([layer.ifmapHeight, layer.ifmapWidth, layer.channels], layout.ifmap.factors), padded([g.n, layer.channels, layer.filterHeight, layer.filterWidth], layout.filter.factors));
  if (words >= 2 ** 31) throw new SimulationError(`layer '${layer.name}': its operands padded to the layout's intraline factors (${layout.source}) hold ${words} words, beyond the simulator's 2^31 address range`);
  if (config.interfaceBandwidth !== 'USER') return undefined; // v3's CALC buffers do not read layouts
  const op = (o: 'ifmap' | 'filter') => (v3.layout[o].customLayout ? { banks: v3.layout[o].banks, ports: v3.layout[o].ports, factors: layout[o].factors, order: layout[o].order } : undefined);
  return { ifmap: op('ifmap'), filter: op('filter'), filterOffset: config.filterOffset };
}

/** A layer's sparsity checked: the config, row-wise ratios (optimizedMapping) or the layer-wise N:M (1:1 when dense). */
function layerSparsity(config: SystolicConfig, layer: ConvLayer, options: SimulatorOptions): { sparsity?: SparsityConfig; rowWise?: { blockSize: number; ratios: number[] }; ratio: { n: number; m: number } } {
  const sparsity = checkSparsity(options.sparsity ?? options.v3?.sparsity, config, layer, (m) => new SimulationError(m));
  const rowWise = sparsity?.optimizedMapping ? { blockSize: sparsity.blockSize!, ratios: rowWiseRatios(sparsity.randomSeed!, sparsity.blockSize!, layer.numFilters) } : undefined;
  return { sparsity, rowWise, ratio: sparsity && !rowWise ? layerRatio(layer) : { n: 1, m: 1 } };
}

/**
 * How many words of each operand a negative base offset puts below address 0, for v3 runs. The one
 * on -1, SCALE-Sim's padding marker, v3 (fab89b7) never fetches, demands or writes: its DRAM
 * counts, prefetch sets, bank rows and stalls shift by it, and WS mapping efficiency counts it as
 * an idle PE; the core does the same for dense layers. Such a word is refused where that was not
 * checked against SCALE-Sim: v2 runs and v3's N:M sparsity.
 */
function negativeWords(config: SystolicConfig, layer: ConvLayer, options: SimulatorOptions): SimLayerArgs['negativeWords'] {
  const g = layerGemm(layer);
  const operands = [
    ['IfmapOffset', config.ifmapOffset, 'ifmap', layer.ifmapHeight * layer.ifmapWidth * layer.channels],
    ['FilterOffset', config.filterOffset, 'filter', g.n * layer.filterHeight * layer.filterWidth * layer.channels],
    ['OfmapOffset', config.ofmapOffset, 'ofmap', g.m * g.n],
  ] as const;
  const below = { ifmap: 0, filter: 0, ofmap: 0 };
  for (const [key, offset, operand, words] of operands) {
    if (offset >= 0) continue;
    below[operand] = Math.min(-offset, words + 1);
    if (offset < -words) continue;
    const what = `layer '${layer.name}': ${key} ${offset} puts ${operand} word ${-1 - offset} at address -1, SCALE-Sim's padding marker, so v3 (fab89b7) never fetches, demands or writes that word`;
    const give = `give ${key} ≥ 0 or < −${words} (the ${operand}'s ${words} words)`;
    if (!options.v3) throw new SimulationError(`${what}; mapwise reproduces that for SCALE-Sim v3 runs only (a v3 config); ${give}`);
    if (words === 1) throw new SimulationError(`${what}: its only word, so v3 writes nothing and fails (write_buffer.py: 'Traces not ready yet'); ${give}`);
    if (layerSparsity(config, layer, options).sparsity) throw new SimulationError(`${what}, and condenses its sparse operands around it, which mapwise does not model; ${give}, or turn sparsity support off`);
  }
  return options.v3 && below.ifmap + below.filter + below.ofmap > 0 ? below : undefined;
}

/** The core's arguments for a layer: what Simulator.layer runs and the traces (src/sim/trace.ts) replay. */
export function coreArgs(config: SystolicConfig, layer: ConvLayer, options: SimulatorOptions): SimLayerArgs {
  const below = negativeWords(config, layer, options);
  const { ratio: sparsity, rowWise } = layerSparsity(config, layer, options);
  const layouts = coreLayouts(config, layer, options);
  return {
    rows: config.rows, cols: config.cols,
    ifmapWords: sramWords(config.ifmapSramKiB), filterWords: sramWords(config.filterSramKiB), ofmapWords: sramWords(config.ofmapSramKiB),
    dataflow: config.dataflow, ...layer,
    userBandwidth: config.interfaceBandwidth === 'USER' ? config.bandwidthWordsPerCycle : 0,
    ...(options.v3 ? { ifmapBandwidth: options.v3.layout.ifmap.bankBandwidth, filterBandwidth: options.v3.layout.filter.bankBandwidth, v3: true } : {}),
    sparsity,
    rowWise,
    ...(layouts ? { layouts } : {}),
    ...(below ? { negativeWords: below } : {}),
  };
}

function checkUserModeCost(config: SystolicConfig, layer: ConvLayer, limit: number): void {
  const { work, tableBytes } = userModeCost(config, layer);
  const hint = 'InterfaceBandwidth CALC has no such limit';
  if (work > limit) {
    throw new SimulationError(
      `layer '${layer.name}': InterfaceBandwidth USER walks every demanded word through the prefetch windows, ` +
        `${work.toExponential(2)} words and lines, more than the limit of ${limit.toExponential(2)} (SimulatorOptions.userModeWorkLimit, simulate --user-work-limit); ${hint}`,
    );
  }
  if (tableBytes > USER_MODE_TABLE_LIMIT_BYTES) {
    throw new SimulationError(
      `layer '${layer.name}': InterfaceBandwidth USER needs ${(tableBytes / 2 ** 20).toFixed(0)} MiB of prefetch tables, ` +
        `more than the limit of ${USER_MODE_TABLE_LIMIT_BYTES / 2 ** 20} MiB; ${hint}`,
    );
  }
}

/** The layer a valid convolution computes, as SCALE-Sim reads it: the input trimmed to (out − 1)·S + F. */
export function trimToValidOutput(layer: ConvLayer): ConvLayer {
  const trim = (size: number, f: number, s: number): number => (Math.floor((size - f) / s)) * s + f;
  return { ...layer, ifmapHeight: trim(layer.ifmapHeight, layer.filterHeight, layer.strideHeight), ifmapWidth: trim(layer.ifmapWidth, layer.filterWidth, layer.strideWidth) };
}

/** The corrected cycle-level figures of SimulatorOptions.fixScalesimQuirks. */
function fixQuirks(config: SystolicConfig, layer: ConvLayer, r: LayerResult): LayerResult {
  const { rows: R, cols: C, dataflow } = config;
  const g = layerGemm(layer);
  const [sr, sc, t] = dataflow === 'os' ? [g.m, g.n, g.k] : dataflow === 'ws' ? [g.k, g.n, g.m] : [g.k, g.m, g.n];
  const rowFolds = Math.ceil(sr / R);
  const colFolds = Math.ceil(sc / C);
  const foldLength = 2 * R + C + t - 2;
  const totalCycles = rowFolds * colFolds * foldLength + r.stallCycles;
  let util = 0;
  for (let fc = 0; fc < colFolds; fc++) {
    for (let fr = 0; fr < rowFolds; fr++) util += (Math.min(R, sr - fr * R) * Math.min(C, sc - fc * C) * t) / (R * C * foldLength);
  }
  const ofmapWrites = dataflow === 'os' ? g.m * g.n : r.sramWrites.ofmap;
  return {
    ...r,
    totalCycles,
    overallUtilization: (r.macs * 100) / (totalCycles * R * C),
    computeUtilization: (util / (rowFolds * colFolds)) * 100,
    sramWrites: { ...r.sramWrites, ofmap: ofmapWrites },
    sramBandwidth: { ifmap: r.sramReads.ifmap / totalCycles, filter: r.sramReads.filter / totalCycles, ofmap: ofmapWrites / totalCycles },
  };
}

export class Simulator {
  private readonly sim: SystolicSim;

  constructor(core: Core) {
    this.sim = new SystolicSim(core);
  }

  /** One layer, as one row of SCALE-Sim's three reports; `index` is its position in the topology (Ramulator's latencies). */
  layer(config: SystolicConfig, original: ConvLayer, options: SimulatorOptions = {}, index = 0): LayerResult {
    validateLayer(original);
    const layer = options.fixScalesimQuirks ? trimToValidOutput(original) : original;
    const { sparsity, rowWise, ratio } = layerSparsity(config, layer, options);
    if (sparsity && options.fixScalesimQuirks) throw new SimulationError(`layer '${layer.name}': fixScalesimQuirks corrects SCALE-Sim's dense accounting; it does not apply with sparsity support on`);
    if (config.interfaceBandwidth === 'USER') checkUserModeCost(config, layer, options.userModeWorkLimit ?? USER_MODE_WORK_LIMIT);
    const krittika = options.krittikaCore;
    const rows = krittika?.ofmapRows;
    if (krittika && (sparsity || options.fixScalesimQuirks || options.v3 || config.interfaceBandwidth !== 'CALC')) throw new SimulationError(`layer '${layer.name}': krittikaCore runs dense CALC layers with SCALE-Sim v2's memory model only`);
    if (rows && (!Number.isInteger(rows.start) || !Number.isInteger(rows.count) || rows.start < 0 || rows.count < 1 || rows.start + rows.count > layerGemm(layer).m)) {
      throw new SimulationError(`layer '${layer.name}': krittikaCore.ofmapRows must be whole ofmap pixels within its ${layerGemm(layer).m}, got ${JSON.stringify(rows)}`);
    }
    const ramulator = layerRamulator(config, layer, options.v3, options.ramulator, index, (m) => new SimulationError(m));
    const f = this.sim.layer({
      ...coreArgs(config, layer, options),
      ...(krittika ? { ofmapRows: krittika.ofmapRows, calcBandwidth: krittika.bandwidth, metricCopies: 2 } : {}),
      ...(ramulator ? { ramulator } : {}),
    });
    const result = toResult(layer.name, f);
    if (sparsity) {
      const g = layerGemm(layer);
      if (config.dataflow === 'ws') {
        result.sramReads.ifmap = rowWise ? rowWiseIfmapReads(config, g, rowWise.blockSize) : wsSparseIfmapReads(config, g, ratio);
        result.sramBandwidth.ifmap = result.sramReads.ifmap / result.totalCycles;
      }
      const pruned = rowWise ? rowWiseFilter(g, rowWise.blockSize, rowWise.ratios) : layerWiseFilter(g, ratio);
      result.sparse = sparseFigures(sparsity.representation!, config.dataflow === 'ws' && !rowWise, g, pruned, layerRatio(layer).m, result.totalCycles);
    }
    if (options.v3) result.totalCyclesWithPrefetch = result.dramStop.ofmap - Math.min(result.dramStart.ifmap, result.dramStart.filter);
    return options.fixScalesimQuirks ? fixQuirks(config, layer, result) : result;
  }

  /**
   * Each layer's figures in order, simulating each distinct layer shape once: a layer's figures
   * are a pure function of the array and its shape (`layer`), and networks repeat their blocks
   * (ResNet-18's 21 layers have 12 shapes), so a copy takes the first one's figures under its own
   * name (`simulated` false: it cost no simulation). Identical figures, about half the time on ResNets.
   */
  *results(config: SystolicConfig, layers: readonly ConvLayer[], options: SimulatorOptions = {}): Generator<{ result: LayerResult; simulated: boolean }> {
    const checked = validateConfig(config);
    const byShape = new Map<string, LayerResult>();
    for (const [index, layer] of layers.entries()) {
      const { name: _, ...shape } = layer;
      // each layer reads its own Ramulator latencies
      const key = options.ramulator ? String(index) : JSON.stringify(shape);
      const first = byShape.get(key);
      if (first) {
        yield { result: { ...structuredClone(first), name: layer.name }, simulated: false };
      } else {
        const result = this.layer(checked, layer, options, index);
        byShape.set(key, result);
        yield { result, simulated: true };
      }
    }
  }

  /** Every layer simulated on its own (what `bench sim` times: the simulator's speed per layer). */
  network(config: SystolicConfig, layers: readonly ConvLayer[], options: SimulatorOptions = {}): LayerResult[] {
    const checked = validateConfig(config);
    return layers.map((layer, index) => this.layer(checked, layer, options, index));
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
    maxDramBandwidth: { ifmap: f.dramPeakIfmap, filter: f.dramPeakFilter, ofmap: f.dramPeakOfmap },
  };
}
