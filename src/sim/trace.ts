// SCALE-Sim-style traces for small layers, in CALC and USER mode, under SCALE-Sim's file names.
//  * SRAM ({IFMAP,FILTER,OFMAP}_SRAM_TRACE.csv): the service cycle, then one address per array row
//    or column, -1 where nothing is demanded; byte for byte SCALE-Sim's. In CALC mode reads are
//    served one cycle after they are issued, ofmap writes in their cycle; in USER mode each line's
//    service cycles come from the core's walk (stalls included).
//  * DRAM ({IFMAP,FILTER,OFMAP}_DRAM_TRACE.csv): the response cycle, then the words moved in that
//    cycle, printed as SCALE-Sim prints them (numpy floats: 12.0, -1.0). Writes: one drained line per
//    row, byte for byte SCALE-Sim's. USER reads: lines of Bandwidth words of the operand's fetch
//    order, reproduced with SCALE-Sim's read_buffer.py line bookkeeping, byte for byte (its rows
//    after the first prefetch restart from the same fetch line each time, and blanked columns of a
//    prefetch stay blank in later ones: both are SCALE-Sim's). CALC reads: each prefetch of a window
//    is cut into rows of its rate (10 words for the first, else the window over the cycles between
//    the two flushes before it), with two departures from SCALE-Sim: it lists a prefetch's
//    addresses in Python's set order, here they are sorted (rows agree with SCALE-Sim's as sets per
//    prefetch, not per row); and where a prefetch's rate is below the trace's widest, SCALE-Sim
//    pads the row with 1.0 (numpy.ones), here with -1.0.
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

/**
 * Addresses one trace may hold (demand lines × the array's wider side): beyond it the CSV text
 * passes what a JavaScript string can hold and the DRAM logs take hundreds of MB of wasm memory.
 */
export const TRACE_CELL_LIMIT = 20_000_000;

function checkTraceable(config: SystolicConfig, layer: ConvLayer, maxLines: number): void {
  validateLayer(layer);
  const lines = demandLines(config, layer);
  if (lines > maxLines) throw new SimulationError(`layer '${layer.name}': ${lines} demand lines is more than the trace limit of ${maxLines}`);
  const cells = lines * Math.max(config.rows, config.cols);
  if (cells > TRACE_CELL_LIMIT) {
    throw new SimulationError(`layer '${layer.name}': its traces would hold ${cells} addresses (${lines} lines × ${Math.max(config.rows, config.cols)}), more than the trace limit of ${TRACE_CELL_LIMIT}`);
  }
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

/** One run of the core with its DRAM trace logs. */
function loggedRun(core: Core, config: SystolicConfig, layer: ConvLayer): ReturnType<SystolicSim['layerWithDramLogs']> {
  const sim = new SystolicSim(core);
  try {
    return sim.layerWithDramLogs({
      rows: config.rows, cols: config.cols, dataflow: config.dataflow, ...layer,
      ifmapWords: sramWords(config.ifmapSramKiB), filterWords: sramWords(config.filterSramKiB), ofmapWords: sramWords(config.ofmapSramKiB),
      userBandwidth: config.interfaceBandwidth === 'USER' ? config.bandwidthWordsPerCycle : 0,
    });
  } finally {
    sim.free();
  }
}

export function sramTraces(core: Core, config: SystolicConfig, layer: ConvLayer, maxLines = 1_000_000): SramTraces {
  checkTraceable(config, layer, maxLines);
  const served = config.interfaceBandwidth === 'USER' ? loggedRun(core, config, layer).logs : undefined;
  const out: Record<keyof SramTraces, string[]> = { ifmap: [], filter: [], ofmap: [] };
  demand(core, config, layer, (line, ifmap, filter, ofmap) => {
    out.ifmap.push(`${served ? served.ifmapServed[line] : line + 1},${ifmap.join(',')}`);
    out.filter.push(`${served ? served.filterServed[line] : line + 1},${filter.join(',')}`);
    out.ofmap.push(`${served ? served.ofmapServed[line] : line},${ofmap.join(',')}`);
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

/**
 * read_buffer.py's prefetch lines: the fetch order cut into lines of `bandwidth` words; first the
 * active half (from cycle −lines), then, for each of the `slides` prefetches the walk made, the
 * prefetch half from SCALE-Sim's next-line index, one cycle after the previous prefetch ended.
 */
function userReadTrace(order: Int32Array, offset: number, words: number, bandwidth: number, reads: number, name: string): DramTrace {
  const active = Math.ceil(words * 0.5);
  const prefetchLines = Math.ceil((words - active) / bandwidth);
  const fetchRows = Math.ceil(order.length / bandwidth);
  const fetch = Array.from({ length: fetchRows }, (_, r) =>
    Array.from({ length: bandwidth }, (_, c) => {
      const a = order[r * bandwidth + c];
      return a === undefined || a < 0 ? -1 : a + offset;
    }),
  );
  const trace: DramTrace = { rows: [], prefetches: [] };
  // Rows sliced from the fetch matrix are numpy views: columns blanked in them stay blank.
  const blankTail = (row: number[], lines: number): void => {
    if (lines * bandwidth > active) row.fill(-1, active % bandwidth);
  };
  const initial = Math.min(Math.ceil(active / bandwidth), fetchRows);
  fetch.slice(0, initial).forEach((row, i) => {
    if (i === initial - 1) blankTail(row, initial);
    trace.rows.push({ cycle: i - initial, addresses: row.slice() });
  });
  const nextCol = initial * bandwidth > active ? active % bandwidth : 0;
  const nextLine = (lines: number): number => (lines * bandwidth > active ? lines : lines + 1) % fetchRows;
  let line = nextLine(initial);
  let last = -1;
  const slides = (reads - initial * bandwidth) / (prefetchLines * bandwidth);
  for (let s = 0; s < slides; s++) {
    const end = line + prefetchLines;
    // Past the end SCALE-Sim wraps to the start, on a copy.
    const rows = end > fetchRows ? [...fetch.slice(line), ...fetch.slice(0, Math.min(end - fetchRows, line))].map((r) => r.slice()) : fetch.slice(line, end);
    if (rows.length < prefetchLines) throw new SimulationError(`layer '${name}': the prefetch wraps around the whole fetch matrix, where SCALE-Sim's read_buffer.py fails; no USER trace`);
    rows[0]!.fill(-1, 0, nextCol);
    blankTail(rows[rows.length - 1]!, prefetchLines);
    rows.forEach((row, i) => trace.rows.push({ cycle: last + 2 + i, addresses: row.slice() }));
    last += prefetchLines + 1;
    line = nextLine(prefetchLines);
  }
  return trace;
}

/** The three DRAM traces of a layer (see the head of this file). */
export function dramTraces(core: Core, config: SystolicConfig, layer: ConvLayer, maxLines = 1_000_000): DramTraces {
  checkTraceable(config, layer, maxLines);
  const { figures: f, logs } = loggedRun(core, config, layer);
  const ofmapWords: number[] = [];
  demand(core, config, layer, (_line, _ifmap, _filter, ofmap) => {
    for (const a of ofmap) if (a >= 0) ofmapWords.push(a);
  });
  if (config.interfaceBandwidth === 'USER') {
    const sim = new SystolicSim(core);
    let orders: { ifmap: Int32Array; filter: Int32Array };
    try {
      orders = sim.prefetchOrders({ ...layer, rows: config.rows, cols: config.cols, dataflow: config.dataflow });
    } finally {
      sim.free();
    }
    const bw = config.bandwidthWordsPerCycle;
    return {
      ifmap: userReadTrace(orders.ifmap, config.ifmapOffset, sramWords(config.ifmapSramKiB), bw, f.dramReadsIfmap, layer.name),
      filter: userReadTrace(orders.filter, config.filterOffset, sramWords(config.filterSramKiB), bw, f.dramReadsFilter, layer.name),
      ofmap: ofmapTrace(ofmapWords, logs, bw),
    };
  }
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
