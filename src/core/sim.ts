// Typed wrapper over the systolic simulator export of the wasm core (assembly/sim/systolic.ts).
// Part of the one layer that touches wasm memory: one f64 block for the results, allocated once
// per SystolicSim and reused by every call.
//
//   heap: [out f64 · SIM_FIELDS.length]
import type { Core } from './core.js';

// Result slots, dataflow numbers and trace logs are generated with the core's (scripts/gen-shared.js).
import { DRAM_LOGS, SIM_DATAFLOW, SIM_FIELDS } from './generated/shared.js';

export { DRAM_LOGS, SIM_DATAFLOW, SIM_FIELDS };
export type SimField = (typeof SIM_FIELDS)[number];
export type SimFigures = Record<SimField, number>;

export type DramLogs = Record<(typeof DRAM_LOGS)[number], Float64Array>;

/** Flat arguments of one layer run: the array, its buffers in words, and the conv. */
export interface SimLayerArgs {
  rows: number;
  cols: number;
  ifmapWords: number;
  filterWords: number;
  ofmapWords: number;
  dataflow: keyof typeof SIM_DATAFLOW;
  ifmapHeight: number;
  ifmapWidth: number;
  filterHeight: number;
  filterWidth: number;
  channels: number;
  numFilters: number;
  strideHeight: number;
  strideWidth: number;
  /** 0 for SCALE-Sim's CALC interface bandwidth, else USER mode with the ofmap written at this many words per cycle. */
  userBandwidth: number;
  /** USER mode: the ifmap and filter DRAM read rates, words per cycle (v2: userBandwidth; v3: the [layout] bank bandwidths). Default userBandwidth. */
  ifmapBandwidth?: number;
  filterBandwidth?: number;
  /** SCALE-Sim v3's memory model (its USER-mode stall rule, the latest drain as the DRAM OFMAP stop) instead of v2's. */
  v3?: boolean;
  /** SCALE-Sim v3's layer-wise N:M sparsity: window elements k with k mod m < n are kept (default dense). */
  sparsity?: { n: number; m: number };
  /** SCALE-Sim v3's row-wise N:M (WS): the block size and each filter column's N. */
  rowWise?: { blockSize: number; ratios: readonly number[] };
  /** SCALE-Sim v3's custom layouts (USER mode): per operand with one, its banks, ports and layout; the filter's addresses hash with filterOffset. */
  layouts?: { ifmap?: SimOperandLayout; filter?: SimOperandLayout; filterOffset: number };
  /** Only the ofmap pixels [start, start + count) (rows of the ifmap operand matrix), as krittika gives a core its share (dense only). */
  ofmapRows?: { start: number; count: number };
  /** CALC mode's DRAM rates, words per cycle: the first ifmap and filter prefetch (default 10) and the ofmap drain (default cols). */
  calcBandwidth?: { ifmap: number; filter: number; ofmap: number };
  /** How many times over the per-fold mapping efficiency and utilisation lists are averaged (krittika: 2; default 1). */
  metricCopies?: number;
  /**
   * SCALE-Sim v3 with negative base offsets: per operand, how many of its first words lie below
   * address 0 (−offset, capped at its words + 1). The one on -1, v3's padding marker, is never
   * fetched, demanded or written (dense layers only); CALC reads start at the first line demanding
   * a word above -1.
   */
  negativeWords?: { ifmap: number; filter: number; ofmap: number };
  /** SCALE-Sim v3 USER mode with UseRamulatorTrace: the request queues' entries and each port's latencies, one per request line. */
  ramulator?: SimRamulator;
}

export interface SimRamulator {
  readRequestBuffer: number;
  writeRequestBuffer: number;
  ifmap: ArrayLike<number>;
  filter: ArrayLike<number>;
  ofmap: ArrayLike<number>;
}

/** The core's Ramulator spec (assembly/sim/ramulator.ts, simRamulator): f64s [read queue, write queue, three counts, the latencies]. */
function ramulatorSpec(r: SimRamulator): Float64Array {
  const out = new Float64Array(5 + r.ifmap.length + r.filter.length + r.ofmap.length);
  out.set([r.readRequestBuffer, r.writeRequestBuffer, r.ifmap.length, r.filter.length, r.ofmap.length]);
  out.set(r.ifmap, 5);
  out.set(r.filter, 5 + r.ifmap.length);
  out.set(r.ofmap, 5 + r.ifmap.length + r.filter.length);
  return out;
}

/** What the demand lines and prefetch orders depend on: the array, the conv and its sparsity (layer-wise: the filter condensed, numbered n·K + k over the K kept rows). */
export type TraceArgs = Omit<SimLayerArgs, 'ifmapWords' | 'filterWords' | 'ofmapWords' | 'userBandwidth' | 'ifmapBandwidth' | 'filterBandwidth' | 'v3' | 'layouts' | 'ofmapRows' | 'calcBandwidth' | 'metricCopies' | 'negativeWords'>;

/** One operand's custom layout: `factors` (ifmap X, Y, C; filter K, C, R, S) and `order` (a permutation of twice as many axes). */
export interface SimOperandLayout {
  banks: number;
  ports: number;
  factors: readonly number[];
  order: readonly number[];
}

// The core's layout spec (assembly/sim/systolic.ts, LAYOUT_OP): per operand, 16 i32s from 0 (ifmap) and 16 (filter):
//   [on, banks, ports, factors (3 | 4), order (6 | 8)]
const LAYOUT_OP = 16;

function layoutSpec(l: NonNullable<SimLayerArgs['layouts']>): Int32Array {
  const out = new Int32Array(2 * LAYOUT_OP);
  [l.ifmap, l.filter].forEach((op, i) => {
    if (op) out.set([1, op.banks, op.ports, ...op.factors, ...op.order], i * LAYOUT_OP);
  });
  return out;
}

export class SystolicSim {
  private readonly out: number;

  constructor(private readonly core: Core) {
    const count = core.exports.simFieldCount();
    if (count !== SIM_FIELDS.length) throw new Error(`mapwise: the wasm core reports ${count} simulator fields, this build expects ${SIM_FIELDS.length}`);
    this.out = core.exports.alloc(count * 8);
  }

  /** Runs one layer; throws on arguments the core rejects (they are validated before this). */
  layer(a: SimLayerArgs): SimFigures {
    const ratios = this.rowRatios(a);
    const layouts = a.layouts ? this.core.exports.alloc(2 * LAYOUT_OP * 4) : 0;
    if (a.layouts) new Int32Array(this.core.exports.memory.buffer, layouts, 2 * LAYOUT_OP).set(layoutSpec(a.layouts));
    const spec = a.ramulator && ramulatorSpec(a.ramulator);
    const ramulator = spec ? this.core.exports.alloc(spec.length * 8) : 0;
    if (spec) {
      new Float64Array(this.core.exports.memory.buffer, ramulator, spec.length).set(spec);
      this.core.exports.simRamulator(ramulator);
    }
    let code: number;
    try {
      code = this.core.exports.simLayer(
        this.out, a.rows, a.cols, a.ifmapWords, a.filterWords, a.ofmapWords, SIM_DATAFLOW[a.dataflow],
        a.ifmapHeight, a.ifmapWidth, a.filterHeight, a.filterWidth, a.channels, a.numFilters, a.strideHeight, a.strideWidth,
        a.userBandwidth, a.ifmapBandwidth ?? a.userBandwidth, a.filterBandwidth ?? a.userBandwidth, a.v3 ? 1 : 0, a.sparsity?.n ?? 1, a.sparsity?.m ?? 1, a.rowWise?.blockSize ?? 0, ratios,
        layouts, a.layouts?.filterOffset ?? 0, a.ofmapRows?.start ?? 0, a.ofmapRows?.count ?? 0,
        a.calcBandwidth?.ifmap ?? 0, a.calcBandwidth?.filter ?? 0, a.calcBandwidth?.ofmap ?? 0, a.metricCopies ?? 1,
        a.negativeWords?.ifmap ?? 0, a.negativeWords?.filter ?? 0, a.negativeWords?.ofmap ?? 0,
      );
    } finally {
      // the ports stay on until turned off: no later layer may read these latencies
      if (ramulator) {
        this.core.exports.simRamulator(0);
        this.core.exports.free(ramulator);
      }
    }
    if (ratios) this.core.exports.free(ratios);
    if (layouts) this.core.exports.free(layouts);
    if (code !== 0) throw new RangeError(`mapwise: the systolic simulator rejected its arguments (code ${code}): ${JSON.stringify(a)}`);
    const view = new Float64Array(this.core.exports.memory.buffer, this.out, SIM_FIELDS.length);
    const figures = {} as SimFigures;
    SIM_FIELDS.forEach((field, i) => (figures[field] = view[i]!));
    return figures;
  }

  /** Row-wise N:M: each filter column's N copied into the core (free it after the call), else 0. */
  private rowRatios(a: TraceArgs): number {
    if (!a.rowWise) return 0;
    const ratios = this.core.exports.alloc(Math.max(a.rowWise.ratios.length, 1) * 4);
    new Int32Array(this.core.exports.memory.buffer, ratios, a.rowWise.ratios.length).set(a.rowWise.ratios);
    return ratios;
  }

  /** simTraceBegin over `a`; throws on arguments the core rejects. The caller ends with simTraceEnd. */
  private traceBegin(a: TraceArgs): void {
    const e = this.core.exports;
    const ratios = this.rowRatios(a);
    const code = e.simTraceBegin(a.rows, a.cols, SIM_DATAFLOW[a.dataflow], a.ifmapHeight, a.ifmapWidth, a.filterHeight, a.filterWidth, a.channels, a.numFilters, a.strideHeight, a.strideWidth, a.sparsity?.n ?? 1, a.sparsity?.m ?? 1, a.rowWise?.blockSize ?? 0, ratios);
    if (ratios) e.free(ratios);
    if (code !== 0) throw new RangeError(`mapwise: the systolic simulator rejected its arguments (code ${code}): ${JSON.stringify(a)}`);
  }

  /**
   * Runs one layer with the core's DRAM trace logs on (read operands walked without shortcuts:
   * small layers only) and returns the figures with copies of the logs.
   */
  layerWithDramLogs(a: SimLayerArgs): { figures: SimFigures; logs: DramLogs } {
    const e = this.core.exports;
    e.simDramLog(1);
    try {
      const figures = this.layer(a);
      const logs = {} as DramLogs;
      DRAM_LOGS.forEach((kind, i) => (logs[kind] = new Float64Array(e.memory.buffer, e.simDramLogData(i), e.simDramLogLength(i)).slice()));
      return { figures, logs };
    } finally {
      e.simDramLog(0);
    }
  }

  /**
   * The demand lines of a layer's three operands, as SCALE-Sim's SRAM traces hold them (addresses
   * without base offsets, -1 where nothing is demanded), line by line: `visit(line, ifmap, filter, ofmap)`.
   * The arrays are reused between calls.
   */
  traceLines(a: TraceArgs, visit: (line: number, ifmap: Int32Array, filter: Int32Array, ofmap: Int32Array) => void): void {
    const e = this.core.exports;
    this.traceBegin(a);
    const width = Math.max(a.rows, a.cols, a.rows * (a.rowWise?.blockSize ?? 0));
    const buffer = e.alloc(width * 4);
    try {
      const lines = e.simTraceLines();
      const rows = [new Int32Array(0), new Int32Array(0), new Int32Array(0)];
      for (let line = 0; line < lines; line++) {
        for (let op = 0; op < 3; op++) {
          const n = e.simTraceLine(buffer, op, line);
          rows[op] = new Int32Array(e.memory.buffer, buffer, n).slice();
        }
        visit(line, rows[0]!, rows[1]!, rows[2]!);
      }
    } finally {
      e.free(buffer);
      e.simTraceEnd();
    }
  }

  /** The ifmap and filter prefetch orders (USER mode's DRAM fetch order, addresses without base offsets, -1 for padding). */
  prefetchOrders(a: TraceArgs): { ifmap: Int32Array; filter: Int32Array } {
    const e = this.core.exports;
    this.traceBegin(a);
    try {
      const order = (op: number): Int32Array => {
        const n = e.simPrefetchLength(op);
        const buffer = e.alloc(Math.max(n, 1) * 4);
        try {
          e.simPrefetchOrder(buffer, op);
          return new Int32Array(e.memory.buffer, buffer, n).slice();
        } finally {
          e.free(buffer);
        }
      };
      return { ifmap: order(0), filter: order(1) };
    } finally {
      e.simTraceEnd();
    }
  }

  free(): void {
    this.core.exports.free(this.out);
  }
}
