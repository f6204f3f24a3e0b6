// SCALE-Sim's traces for small layers, in CALC and USER mode, under SCALE-Sim's file names, as v2
// writes them or, with SimulatorOptions.v3, as v3 does (the same files: v3's USER reads come at
// the [layout] bank bandwidths, with its stall rule, N:M sparsity and custom layouts).
//  * SRAM ({IFMAP,FILTER,OFMAP}_SRAM_TRACE.csv): the service cycle, then one address per array row
//    or column, -1 where nothing is demanded. In CALC mode reads are served one cycle after they
//    are issued, ofmap writes in their cycle; in USER mode each line's service cycles come from the
//    core's walk (stalls and bank conflicts included). A sparse layer's filter is condensed: row k
//    of column n holds the k-th kept window element's address n·K + k_dense (operand_matrix.py);
//    row-wise N:M's ifmap lines are R blocks of BlockSize words (skew_matrix_row_sparsity).
//  * DRAM ({IFMAP,FILTER,OFMAP}_DRAM_TRACE.csv): the response cycle, then the words moved in that
//    cycle, printed as SCALE-Sim prints them (numpy floats: 12.0, -1.0). Writes: one drained line per
//    row. USER reads: lines of the read bandwidth's words of the operand's fetch order (a custom
//    layout's order with one), reproduced with read_buffer.py's line bookkeeping (its rows after
//    the first prefetch restart from the same fetch line each time, and blanked columns of a
//    prefetch stay blank in later ones). CALC reads: each prefetch of a window is cut into rows of
//    its rate (10 words for the first, else the window over the cycles between the two flushes
//    before it), its addresses listed set by set in CPython's set order, rows narrower than the
//    widest prefetch padded with 1.0 (numpy.ones), as read_buffer_estimate_bw.py does.
// All of it byte for byte SCALE-Sim's (test/sim/trace.test.ts, test/sim/trace-v3.test.ts).
import type { Core } from '../core/core.js';
import { type DramLogs, type SimLayerArgs, SystolicSim } from '../core/sim.js';
import { layoutPrefetchOrder } from './layout.js';
import { pythonSetOrder } from './python-set.js';
import { pythonFloat } from './report.js';
import { layerRamulator } from './ramulator.js';
import { coreArgs, SimulationError, type SimulatorOptions, validateLayer } from './simulate.js';
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

/** Demand lines a layer's traces may have (simulate --trace): beyond, the walk without shortcuts takes minutes. */
export const TRACE_LINE_LIMIT = 1_000_000;

/** The core's arguments for layer `index` (its Ramulator latencies) whose traces can be written, or an error naming what is too big. */
function traceableArgs(config: SystolicConfig, layer: ConvLayer, options: SimulatorOptions, maxLines: number, index: number): SimLayerArgs {
  validateLayer(layer);
  const lines = demandLines(config, layer);
  if (lines > maxLines) throw new SimulationError(`layer '${layer.name}': ${lines} demand lines is more than the trace limit of ${maxLines}`);
  const cells = lines * Math.max(config.rows, config.cols);
  if (cells > TRACE_CELL_LIMIT) {
    throw new SimulationError(`layer '${layer.name}': its traces would hold ${cells} addresses (${lines} lines × ${Math.max(config.rows, config.cols)}), more than the trace limit of ${TRACE_CELL_LIMIT}`);
  }
  const ramulator = layerRamulator(config, layer, options.v3, options.ramulator, index, (m) => new SimulationError(m));
  return { ...coreArgs(config, layer, options), ...(ramulator ? { ramulator } : {}) };
}

/**
 * The filter address of SCALE-Sim v3's condensed sparse filter: the core numbers condensed row k of
 * column n as n·K + k over the K kept rows; v3 keeps the dense address n·K_dense + (the k-th kept
 * window element, k mod M < N).
 */
function denseFilterAddress(args: SimLayerArgs): (address: number) => number {
  const { n, m } = args.sparsity ?? { n: 1, m: 1 };
  if (n === m) return (a) => a;
  const kDense = args.filterHeight * args.filterWidth * args.channels;
  const kept = Math.floor(kDense / m) * n + Math.min(kDense % m, n);
  return (a) => {
    const k = a % kept;
    return Math.floor(a / kept) * kDense + Math.floor(k / n) * m + (k % n);
  };
}

/** The operands' addresses as SCALE-Sim writes them: -1 stays the padding, others get the base offset (the filter's densely numbered). */
function addressers(config: SystolicConfig, args: SimLayerArgs): Record<'ifmap' | 'filter' | 'ofmap', (a: number) => number> {
  const filter = denseFilterAddress(args);
  return {
    ifmap: (a) => (a < 0 ? -1 : a + config.ifmapOffset),
    filter: (a) => (a < 0 ? -1 : filter(a) + config.filterOffset),
    ofmap: (a) => (a < 0 ? -1 : a + config.ofmapOffset),
  };
}

/** The demand lines of the three operands, as SCALE-Sim writes their addresses (-1 where nothing is demanded). */
function demand(core: Core, config: SystolicConfig, args: SimLayerArgs, visit: (line: number, ifmap: number[], filter: number[], ofmap: number[]) => void): void {
  const sim = new SystolicSim(core);
  const address = addressers(config, args);
  try {
    sim.traceLines(args, (line, ifmap, filter, ofmap) => visit(line, Array.from(ifmap, address.ifmap), Array.from(filter, address.filter), Array.from(ofmap, address.ofmap)));
  } finally {
    sim.free();
  }
}

/** One run of the core with its DRAM trace logs. */
function loggedRun(core: Core, args: SimLayerArgs): ReturnType<SystolicSim['layerWithDramLogs']> {
  const sim = new SystolicSim(core);
  try {
    return sim.layerWithDramLogs(args);
  } finally {
    sim.free();
  }
}

/** `index`: the layer's position in the topology, whose Ramulator latencies (SimulatorOptions.ramulator) it takes. */
export function sramTraces(core: Core, config: SystolicConfig, layer: ConvLayer, options: SimulatorOptions = {}, maxLines = TRACE_LINE_LIMIT, index = 0): SramTraces {
  const args = traceableArgs(config, layer, options, maxLines, index);
  const served = config.interfaceBandwidth === 'USER' ? loggedRun(core, args).logs : undefined;
  const out: Record<keyof SramTraces, string[]> = { ifmap: [], filter: [], ofmap: [] };
  demand(core, config, args, (line, ifmap, filter, ofmap) => {
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
  /** Reads: the rows of each prefetch and their width (its words per cycle). */
  prefetches: { firstRow: number; rows: number; width: number }[];
}

export type DramTraces = Record<'ifmap' | 'filter' | 'ofmap', DramTrace>;

/**
 * read_buffer_estimate_bw.py's prefetches, from the addresses the core inserted into its sets and
 * its flush cycles c_1 … c_n: with c_0 = (first request cycle) − 2, the first window arrives at 10
 * words per cycle just before c_0 + 1, window j ≥ 2 over (c_{j−2}, c_{j−1}], and what is left over
 * (c_{n−1}, c_n]; responses come one cycle after the request. Without a flush all of it arrives
 * before cycle 0. A prefetch lists its sets one after another, each in CPython's set order.
 */
function readTrace(inserted: number[], flushes: Float64Array, words: number, dramStart: number): DramTrace {
  const perSet = Math.floor(words / 100);
  const cap = 50 * perSet;
  const inserts: number[] = [];
  for (let s = 0; s < inserted.length; s += perSet) inserts.push(...pythonSetOrder(inserted.slice(s, s + perSet)));
  const trace: DramTrace = { rows: [], prefetches: [] };
  const prefetch = (from: number, to: number, firstRequest: number, rows: number, width: number): void => {
    // rows requested from cycle `firstRequest` on, answered a cycle later
    const addresses = inserts.slice(from, to);
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
  const rows = Math.ceil(cap / 10);
  // the first window's prefetch starts `rows` cycles before the first request (its DRAM start)
  const c = [dramStart + rows - 2, ...flushes];
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
 * read_buffer.py's prefetch lines: the fetch order (addresses as written, -1 for padding) cut into
 * lines of `bandwidth` words; first the
 * active half (from cycle −lines), then, for each of the `slides` prefetches the walk made, the
 * prefetch half from SCALE-Sim's next-line index, one cycle after the previous prefetch ended.
 */
function userReadTrace(order: readonly number[], words: number, bandwidth: number, reads: number, name: string): DramTrace {
  const active = Math.ceil(words * 0.5);
  const prefetchLines = Math.ceil((words - active) / bandwidth);
  const fetchRows = Math.ceil(order.length / bandwidth);
  const fetch = Array.from({ length: fetchRows }, (_, r) =>
    Array.from({ length: bandwidth }, (_, c) => {
      const a = order[r * bandwidth + c];
      return a === undefined ? -1 : a;
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

/** With Ramulator's latencies, a USER-mode row's cycle is its port's return of that request line (read_port.py, write_port.py), in request order. */
function portCycles(trace: DramTrace, returns: Float64Array, op: string): void {
  if (returns.length !== trace.rows.length) throw new Error(`mapwise: ${trace.rows.length} ${op} DRAM lines but ${returns.length} port returns`);
  trace.rows.forEach((row, i) => (row.cycle = returns[i]!));
}

/** The USER-mode fetch orders of the ifmap and filter, as SCALE-Sim v3 or v2 builds them: a custom layout's, else the core's. */
function fetchOrders(core: Core, config: SystolicConfig, args: SimLayerArgs): Record<'ifmap' | 'filter', number[]> {
  const sim = new SystolicSim(core);
  let orders: { ifmap: Int32Array; filter: Int32Array };
  try {
    orders = sim.prefetchOrders(args);
  } finally {
    sim.free();
  }
  const address = addressers(config, args);
  const layouts = args.layouts;
  // v3 lays a custom layout's ifmap out without IfmapOffset (refused unless 0) and its filter as
  // arange + FilterOffset in K·C·R·S order: both already addresses, -1 the padding
  return {
    ifmap: layouts?.ifmap ? layoutPrefetchOrder([args.ifmapHeight, args.ifmapWidth, args.channels], layouts.ifmap) : Array.from(orders.ifmap, address.ifmap),
    filter: layouts?.filter
      ? layoutPrefetchOrder([args.numFilters, args.channels, args.filterHeight, args.filterWidth], layouts.filter).map((a) => (a < 0 ? -1 : a + config.filterOffset))
      : Array.from(orders.filter, address.filter),
  };
}

/** The three DRAM traces of a layer (see the head of this file). */
export function dramTraces(core: Core, config: SystolicConfig, layer: ConvLayer, options: SimulatorOptions = {}, maxLines = TRACE_LINE_LIMIT, index = 0): DramTraces {
  const args = traceableArgs(config, layer, options, maxLines, index);
  const { figures: f, logs } = loggedRun(core, args);
  const ofmapWords: number[] = [];
  demand(core, config, args, (_line, _ifmap, _filter, ofmap) => {
    for (const a of ofmap) if (a !== -1) ofmapWords.push(a); // a negative offset gives words below -1
  });
  if (config.interfaceBandwidth === 'USER') {
    const orders = fetchOrders(core, config, args);
    const traces = {
      ifmap: userReadTrace(orders.ifmap, sramWords(config.ifmapSramKiB), args.ifmapBandwidth ?? args.userBandwidth, f.dramReadsIfmap, layer.name),
      filter: userReadTrace(orders.filter, sramWords(config.filterSramKiB), args.filterBandwidth ?? args.userBandwidth, f.dramReadsFilter, layer.name),
      ofmap: ofmapTrace(ofmapWords, logs, args.userBandwidth),
    };
    if (args.ramulator) {
      for (const op of ['ifmap', 'filter', 'ofmap'] as const) portCycles(traces[op], logs[`${op}Returns`], op);
    }
    return traces;
  }
  const address = addressers(config, args);
  return {
    ifmap: readTrace(Array.from(logs.ifmapInserts, address.ifmap), logs.ifmapFlushes, sramWords(config.ifmapSramKiB), f.dramStartIfmap),
    filter: readTrace(Array.from(logs.filterInserts, address.filter), logs.filterFlushes, sramWords(config.filterSramKiB), f.dramStartFilter),
    ofmap: ofmapTrace(ofmapWords, logs, config.cols),
  };
}

/** A DRAM trace as SCALE-Sim's CSV: numpy floats, rows narrower than the widest padded with 1.0 (read_buffer_estimate_bw.py's numpy.ones). */
export function dramTraceCsv(trace: DramTrace): string {
  const width = Math.max(0, ...trace.rows.map((r) => r.addresses.length));
  const lines = trace.rows.map((r) => [r.cycle, ...r.addresses, ...new Array<number>(width - r.addresses.length).fill(1)].map(pythonFloat).join(','));
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
