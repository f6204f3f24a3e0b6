// SCALE-Sim-style traces for small layers, CALC mode, under SCALE-Sim's file names.
//  * SRAM ({IFMAP,FILTER,OFMAP}_SRAM_TRACE.csv): the service cycle, then one address per array row
//    or column, -1 where nothing is demanded; byte for byte SCALE-Sim's. Reads are served one cycle
//    after they are issued, ofmap writes in their cycle (CALC never stalls on reads).
//  * DRAM ({IFMAP,FILTER,OFMAP}_DRAM_TRACE.csv): the response cycle, then the words moved in that
//    cycle, printed as SCALE-Sim prints them (numpy floats: 12.0, -1.0). Reads: each prefetch of a
//    window is cut into rows of its rate (10 words for the first, else the window over the cycles
//    between the two flushes before it); writes: one drained line per row. Two departures, both
//    unavoidable or deliberate: SCALE-Sim lists a prefetch's addresses in Python's set order, here
//    they are sorted (so rows agree with SCALE-Sim's as sets per prefetch, not per row); and where a
//    prefetch's rate is below the trace's widest, SCALE-Sim pads the row with 1.0 (numpy.ones), here
//    with -1.0. The ofmap DRAM trace is byte for byte SCALE-Sim's.
import type { Core } from '../core/core.js';
import { type DramLogs, SystolicSim } from '../core/sim.js';
import { pythonFloat } from './report.js';
import { SimulationError, validateLayer } from './simulate.js';
import { type ConvLayer, layerGemm, sramWords, type SystolicConfig } from './types.js';

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

function checkTraceable(config: SystolicConfig, layer: ConvLayer, maxLines: number): void {
  if (config.interfaceBandwidth !== 'CALC') throw new SimulationError('traces are written for InterfaceBandwidth CALC only');
  validateLayer(layer);
  const lines = demandLines(config, layer);
  if (lines > maxLines) throw new SimulationError(`layer '${layer.name}': ${lines} demand lines is more than the trace limit of ${maxLines}`);
}

/** The demand lines of the three operands, with offsets (-1 where nothing is demanded). */
function demand(core: Core, config: SystolicConfig, layer: ConvLayer, visit: (line: number, ifmap: number[], filter: number[], ofmap: number[]) => void): void {
  const sim = new SystolicSim(core);
  const withOffset = (addresses: Int32Array, offset: number): number[] => Array.from(addresses, (a) => (a < 0 ? -1 : a + offset));
  try {
    sim.traceLines({ ...layer, rows: config.rows, cols: config.cols, dataflow: config.dataflow }, (line, ifmap, filter, ofmap) =>
      visit(line, withOffset(ifmap, config.ifmapOffset), withOffset(filter, config.filterOffset), withOffset(ofmap, config.ofmapOffset)),
    );
  } finally {
    sim.free();
  }
}

export function sramTraces(core: Core, config: SystolicConfig, layer: ConvLayer, maxLines = 1_000_000): SramTraces {
  checkTraceable(config, layer, maxLines);
  const out: Record<keyof SramTraces, string[]> = { ifmap: [], filter: [], ofmap: [] };
  demand(core, config, layer, (line, ifmap, filter, ofmap) => {
    out.ifmap.push(`${line + 1},${ifmap.join(',')}`);
    out.filter.push(`${line + 1},${filter.join(',')}`);
    out.ofmap.push(`${line},${ofmap.join(',')}`);
  });
  return { ifmap: `${out.ifmap.join('\n')}\n`, filter: `${out.filter.join('\n')}\n`, ofmap: `${out.ofmap.join('\n')}\n` };
}

export interface DramTraceRow {
  cycle: number;
  addresses: number[]; // -1 pads
}

export interface DramTrace {
  rows: DramTraceRow[];
  /** Reads: the rows of each prefetch and their width (its words per cycle); the addresses within a prefetch are sorted. */
  prefetches: { firstRow: number; rows: number; width: number }[];
}

export type DramTraces = Record<'ifmap' | 'filter' | 'ofmap', DramTrace>;

/**
 * read_buffer_estimate_bw.py's prefetches, from the addresses the core inserted into its sets and
 * its flush cycles c_1 … c_n: with c_0 = (first demand cycle) − 2, the first window arrives at 10
 * words per cycle just before c_0 + 1, window j ≥ 2 over (c_{j−2}, c_{j−1}], and what is left over
 * (c_{n−1}, c_n]; responses come one cycle after the request. Without a flush all of it arrives
 * before cycle 0.
 */
function readTrace(inserts: Float64Array, flushes: Float64Array, words: number, firstDemandCycle: number, offset: number): DramTrace {
  const perSet = Math.floor(words / 100);
  const cap = 50 * perSet;
  const trace: DramTrace = { rows: [], prefetches: [] };
  const prefetch = (from: number, to: number, firstRequest: number, rows: number, width: number): void => {
    // rows requested from cycle `firstRequest` on, answered a cycle later
    const addresses = Array.from(inserts.subarray(from, to), (a) => a + offset).sort((a, b) => a - b);
    trace.prefetches.push({ firstRow: trace.rows.length, rows, width });
    for (let r = 0; r < rows; r++) {
      const row = addresses.slice(r * width, (r + 1) * width);
      trace.rows.push({ cycle: firstRequest + r + 1, addresses: [...row, ...new Array<number>(width - row.length).fill(-1)] });
    }
  };
  const wholeSets = (n: number): number => Math.ceil(n / perSet) * perSet;
  if (flushes.length === 0) {
    const rows = Math.ceil(wholeSets(inserts.length) / 10);
    prefetch(0, inserts.length, -1 - rows, rows, 10);
    return trace;
  }
  const c = [firstDemandCycle - 2, ...flushes];
  const rows = Math.ceil(cap / 10);
  prefetch(0, cap, c[0]! - rows + 1, rows, 10);
  for (let j = 2; j <= flushes.length; j++) {
    const gap = c[j - 1]! - c[j - 2]!;
    if (gap > 0) prefetch((j - 1) * cap, j * cap, c[j - 2]! + 1, gap, Math.ceil(cap / gap));
  }
  const n = flushes.length;
  const gap = c[n]! - c[n - 1]!;
  if (gap > 0) prefetch(n * cap, inserts.length, c[n - 1]! + 1, gap, Math.ceil(wholeSets(inserts.length - n * cap) / gap));
  return trace;
}

/** write_buffer.py's drains: the ofmap words in demand order, cut into lines of `bandwidth` (partial lines closed where the core closed them), one line per cycle of each drain. */
function ofmapTrace(words: number[], logs: DramLogs, bandwidth: number): DramTrace {
  const lines: number[][] = [];
  let current: number[] = [];
  let close = 0;
  const closeLine = (): void => {
    lines.push([...current, ...new Array<number>(bandwidth - current.length).fill(-1)]);
    current = [];
  };
  words.forEach((word, i) => {
    current.push(word);
    if (current.length === bandwidth) closeLine();
    for (; close < logs.ofmapCloses.length && logs.ofmapCloses[close] === i + 1; close++) if (current.length > 0) closeLine();
  });
  const rows: DramTraceRow[] = [];
  logs.drainStarts.forEach((start, d) => {
    for (let i = 0; i < logs.drainLines[d]!; i++) rows.push({ cycle: start + i, addresses: lines[rows.length]! });
  });
  if (rows.length !== lines.length) throw new Error(`mapwise: ${lines.length} ofmap lines staged but ${rows.length} drained`);
  return { rows, prefetches: [] };
}

/** The three DRAM traces of a layer in CALC mode (see the head of this file). */
export function dramTraces(core: Core, config: SystolicConfig, layer: ConvLayer, maxLines = 1_000_000): DramTraces {
  checkTraceable(config, layer, maxLines);
  const sim = new SystolicSim(core);
  let run: ReturnType<SystolicSim['layerWithDramLogs']>;
  try {
    run = sim.layerWithDramLogs({
      rows: config.rows, cols: config.cols, dataflow: config.dataflow, ...layer,
      ifmapWords: sramWords(config.ifmapSramKiB), filterWords: sramWords(config.filterSramKiB), ofmapWords: sramWords(config.ofmapSramKiB),
      userBandwidth: 0,
    });
  } finally {
    sim.free();
  }
  const { figures: f, logs } = run;
  const ofmapWords: number[] = [];
  demand(core, config, layer, (_line, _ifmap, _filter, ofmap) => {
    for (const a of ofmap) if (a >= 0) ofmapWords.push(a);
  });
  return {
    ifmap: readTrace(logs.ifmapInserts, logs.ifmapFlushes, sramWords(config.ifmapSramKiB), f.sramStartIfmap - 1, config.ifmapOffset),
    filter: readTrace(logs.filterInserts, logs.filterFlushes, sramWords(config.filterSramKiB), f.sramStartFilter - 1, config.filterOffset),
    ofmap: ofmapTrace(ofmapWords, logs, config.cols),
  };
}

/** A DRAM trace as SCALE-Sim's CSV: numpy floats, every row padded with -1.0 to the widest. */
export function dramTraceCsv(trace: DramTrace): string {
  const width = Math.max(0, ...trace.prefetches.map((p) => p.width), ...trace.rows.map((r) => r.addresses.length));
  const lines = trace.rows.map((r) => [r.cycle, ...r.addresses, ...new Array<number>(width - r.addresses.length).fill(-1)].map(pythonFloat).join(','));
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
