// The per-layer mapping of a conv/GEMM layer onto the systolic array: how the layer's GEMM
// (M output pixels × N filters × K reduction, SCALE-Sim's ceil rule) is cut into tiles that fit
// the three scratchpads, in which order the tile loops run (which operand stays resident, hence
// how often each operand is re-read from DRAM), and whether transfers are double-buffered.
//
// The knobs (a `SearchSpace`, see MappingSpace below):
//   splitM, splitN, splitK ∈ SPLITS: about how many tiles each dimension is cut into. A tile is
//     ceil(D / split) rounded up to a multiple of the array side the dimension is laid on (rows or
//     columns; a dimension streamed in time needs no alignment), so tiling never leaves PEs idle
//     beyond the layer's own last fold.
//   order ∈ LOOP_ORDERS: the tile loops, outermost first.
//   doubleBuffer ∈ {off, on}: on halves every usable buffer and overlaps the next tile's transfer
//     with the current tile's compute; off moves data and computes one after the other.
//
// The point whose three splits are all 1 is SCALE-Sim's own mapping: no explicit tiling, the
// operands stream through SCALE-Sim's prefetch buffers fold by fold. That point is evaluated by
// the simulator of src/sim (its cycles, utilisations and DRAM counts), so at the default point
// (splits 1, order 0, double buffering on) and a CALC interface every figure is SCALE-Sim's.
//
// Every other point is the tiled model, evaluated in closed form:
//   * compute: every tile runs as a sub-GEMM with SCALE-Sim's fold formulas (folds strictly one
//     after another, every fold its full length); the layer's cycles keep SCALE-Sim's −1;
//   * DRAM: an operand's tile is fetched again whenever its tile index changes between two
//     consecutive tile steps; the ofmap tile is written back once per visit and its partial
//     sums read back on every visit after the first reduction tile; the ifmap tile moves its
//     input footprint (rows and columns of the input the tile's windows cover, a share of the
//     channels), not its im2col expansion;
//   * time: a step moves its bytes at `dramBytesPerCycle`; with double buffering a step costs
//     max(compute, transfer) (the first step cannot overlap), without it compute + transfer;
//   * fit: ifmap footprint, filter tile (tk × tn) and ofmap tile (tm × tn partial sums) must each
//     fit their buffer (half of it with double buffering); a point that does not fit is invalid.
// Steps are aggregated by class (which loop advanced × whether each dimension's tile is the first,
// a middle or the last one), so a point costs O(1) however many tiles it has; a step-by-step
// reference in test/sim/mapping-reference.ts checks the aggregation.
//
// A sparse array (MappingTarget.sparseRep: SCALE-Sim v3's CSR, CSC or blocked ELLPACK) runs a layer
// pruned N:M (its `sparsity`) as v3 does layer-wise: the reduction shrinks to the K' window elements
// kept, the MACs stay M·N·K. Its filter is stored condensed with v3's metadata (compression.py's
// storage), which mapwise charges where v3 only reports it: every filter word moved or read carries
// its share of the metadata, in DRAM traffic, in SRAM reads and in the filter buffer a tile needs.
// A dense layer runs on a sparse array as on a dense one.
import type { EnergyTable } from './energy.js';
import { HOROWITZ_45NM } from './energy.js';
import type { Simulator } from './simulate.js';
import { keptWindow, layerRatio, layerWiseFilter, sparseFigures } from './sparsity.js';
import { type ConvLayer, type Dataflow, type LayerGemm, type LayerResult, layerGemm, type SparseFigures, sramWords, type SystolicConfig } from './types.js';

/** Tile counts a split knob may ask for. */
export const SPLITS: readonly number[] = [1, 2, 4, 8, 16, 32, 64, 128];

/** Tile loops, outermost first: m (output pixels), n (filters), k (reduction). */
export const LOOP_ORDERS = ['nmk', 'mnk', 'nkm', 'mkn', 'knm', 'kmn'] as const;
export type LoopOrder = (typeof LOOP_ORDERS)[number];

export const MAPPING_KNOBS = ['splitM', 'splitN', 'splitK', 'order', 'doubleBuffer'] as const;
/** Each mapping knob's position in a mapping point. */
export const MAPPING_KNOB = Object.freeze(Object.fromEntries(MAPPING_KNOBS.map((name, i) => [name, i]))) as { readonly [K in (typeof MAPPING_KNOBS)[number]]: number };

/** One mapping of one layer. */
export interface Mapping {
  readonly splitM: number;
  readonly splitN: number;
  readonly splitK: number;
  readonly order: LoopOrder;
  readonly doubleBuffer: boolean;
}

/** SCALE-Sim's fixed mapping: no tiling, its fold order, its double-buffered scratchpads. */
export const DEFAULT_MAPPING: Mapping = Object.freeze({ splitM: 1, splitN: 1, splitK: 1, order: 'nmk', doubleBuffer: true });

export function isScalesimMapping(m: Mapping): boolean {
  return m.splitM === 1 && m.splitN === 1 && m.splitK === 1;
}

/** How a sparse array stores pruned filters: SCALE-Sim v3's SparseRep. */
export type SparseRepresentation = SparseFigures['representation'];

/** The array the layers run on, and its DRAM interface. */
export interface MappingTarget {
  readonly config: SystolicConfig;
  /** DRAM bytes (one-byte words) per cycle; Infinity is SCALE-Sim's CALC mode (transfers never stall). */
  readonly dramBytesPerCycle: number;
  /** The array's sparsity support and filter representation; absent: a dense array. */
  readonly sparseRep?: SparseRepresentation;
}

export interface MappingResult {
  readonly valid: boolean;
  /** Why an invalid mapping is invalid (which buffer it overflows). */
  readonly reason?: string;
  /** 'simulator' for SCALE-Sim's own mapping, 'model' for the tiled closed form. */
  readonly source: 'simulator' | 'model';
  /** Compute plus DRAM stalls; SCALE-Sim's off-by-one (−1) kept. */
  readonly totalCycles: number;
  /** Cycles of the array's demand lines alone (SCALE-Sim's Total − Stall). */
  readonly computeCycles: number;
  readonly stallCycles: number;
  readonly macs: number;
  /** Percent: MACs / (totalCycles · R · C), SCALE-Sim's Overall Util %. */
  readonly utilization: number;
  readonly dramReads: { readonly ifmap: number; readonly filter: number; readonly ofmap: number };
  readonly dramWrites: { readonly ofmap: number };
  readonly sramReads: { readonly ifmap: number; readonly filter: number };
  readonly sramWrites: { readonly ofmap: number };
  /** Tile sizes and counts per dimension. */
  readonly tiles: { readonly m: number; readonly n: number; readonly k: number; readonly countM: number; readonly countN: number; readonly countK: number };
}

// ---- geometry -------------------------------------------------------------------------------------

const M_ = 0;
const N_ = 1;
const K_ = 2;
const DIM_INDEX: Readonly<Record<string, number>> = { m: M_, n: N_, k: K_ };

/** Array side each GEMM dimension is laid on (0: streamed in time), per dataflow (SCALE-Sim's Sr/Sc/T). */
function alignments(dataflow: Dataflow, rows: number, cols: number): [number, number, number] {
  if (dataflow === 'os') return [rows, cols, 1]; // Sr = M, Sc = N, T = K
  if (dataflow === 'ws') return [1, cols, rows]; // Sr = K, Sc = N, T = M
  return [cols, 1, rows]; // is: Sr = K, Sc = M, T = N
}

/** Demand lines of an m×n×k GEMM on the array: folds × fold length (SCALE-Sim §4.3). */
export function gemmLines(dataflow: Dataflow, rows: number, cols: number, m: number, n: number, k: number): number {
  const [sr, sc, t] = dataflow === 'os' ? [m, n, k] : dataflow === 'ws' ? [k, n, m] : [k, m, n];
  const folds = Math.ceil(sr / rows) * Math.ceil(sc / cols);
  return folds * (dataflow === 'os' ? t + rows + cols - 2 : 2 * rows + cols + t - 2);
}

/** SCALE-Sim's SRAM counts of an m×n×k GEMM (shape counts; OS keeps its +(R+C) per fold, issue #166). */
export function gemmSramCounts(dataflow: Dataflow, rows: number, cols: number, m: number, n: number, k: number): { ifmap: number; filter: number; ofmap: number } {
  if (dataflow === 'os') {
    const folds = Math.ceil(m / rows) * Math.ceil(n / cols);
    return { ifmap: m * k * Math.ceil(n / cols), filter: k * n * Math.ceil(m / rows), ofmap: m * n + folds * (rows + cols) };
  }
  if (dataflow === 'ws') return { ifmap: m * k * Math.ceil(n / cols), filter: k * n, ofmap: m * n * Math.ceil(k / rows) };
  return { ifmap: k * m, filter: k * n * Math.ceil(m / cols), ofmap: m * n * Math.ceil(k / rows) };
}

/** Input indices covered by `outputs` windows of size f and stride s over an axis of `size` (the sim's rule). */
function covered(size: number, f: number, s: number, outputs: number): number {
  let count = 0;
  let reach = 0;
  for (let o = 0; o < outputs; o++) {
    const lo = Math.max(o * s, reach);
    const hi = Math.min(o * s + f, size);
    if (hi > lo) {
      count += hi - lo;
      reach = hi;
    }
  }
  return count;
}

/** One dimension cut into tiles: full tile size, count, and the last tile's size. */
interface Cut {
  size: number;
  count: number;
  last: number;
}

function cut(extent: number, split: number, align: number): Cut {
  const size = Math.min(extent, Math.ceil(Math.ceil(extent / split) / align) * align);
  const count = Math.ceil(extent / size);
  return { size, count, last: extent - (count - 1) * size };
}

/** Whether a layer runs sparse on an array: the array supports sparsity and the layer is pruned. */
export function runsSparse(layer: ConvLayer, sparseRep: SparseRepresentation | undefined): sparseRep is SparseRepresentation {
  const { n, m } = layerRatio(layer);
  return sparseRep !== undefined && n < m;
}

/** Precomputed per-layer facts the tiled model needs, on a dense array or (`sparseRep`) a sparse one. */
export class LayerShape {
  /** The GEMM the array runs: K is the kept window elements when the layer runs sparse. */
  readonly gemm: LayerGemm;
  /** M·N·K of the dense layer, as v3 counts them sparse or not. */
  readonly macs: number;
  /** Whether the layer runs sparse (pruned N:M, on an array with sparsity support). */
  readonly sparse: boolean;
  /** Metadata words per stored filter word (0 when dense). */
  readonly metadataPerWord: number;
  private readonly denseK: number;
  private readonly footprintCache = new Map<number, number>();

  constructor(readonly layer: ConvLayer, sparseRep?: SparseRepresentation) {
    const dense = layerGemm(layer);
    this.denseK = dense.k;
    this.macs = dense.m * dense.n * dense.k;
    this.sparse = runsSparse(layer, sparseRep);
    if (this.sparse) {
      const ratio = layerRatio(layer);
      const pruned = layerWiseFilter(dense, ratio);
      this.gemm = { ...dense, k: keptWindow(dense.k, ratio) };
      this.metadataPerWord = sparseFigures(sparseRep!, false, dense, pruned, ratio.m, 1).metadataStorage / pruned.nonzeros;
    } else {
      this.gemm = dense;
      this.metadataPerWord = 0;
    }
  }

  /** Words a tk × tn block of the (condensed) filter takes with its metadata. */
  filterWords(tk: number, tn: number): number {
    return Math.ceil(tk * tn * (1 + this.metadataPerWord));
  }

  /**
   * Input words a tile of `tm` output pixels and `tk` reduction elements reads from DRAM: the input
   * rows and columns its windows cover (tiles start at an output row), times the tile's share of
   * the window (channels), never more than its im2col size. At tm = M, tk = K: the distinct input
   * (on a sparse array, the share of it the kept window elements read).
   */
  ifmapFootprint(tm: number, tk: number): number {
    let plane = this.footprintCache.get(tm);
    if (plane === undefined) {
      const l = this.layer;
      const ow = this.gemm.ofmapWidth;
      plane = tm >= ow
        ? covered(l.ifmapHeight, l.filterHeight, l.strideHeight, Math.ceil(tm / ow)) * covered(l.ifmapWidth, l.filterWidth, l.strideWidth, ow)
        : covered(l.ifmapHeight, l.filterHeight, l.strideHeight, 1) * covered(l.ifmapWidth, l.filterWidth, l.strideWidth, tm);
      this.footprintCache.set(tm, plane);
    }
    return Math.min(tm * tk, Math.ceil((plane * this.layer.channels * tk) / this.denseK));
  }
}

// ---- the tiled model ----------------------------------------------------------------------------

/** The tiles of a mapping on a target. */
export function mappingTiles(shape: LayerShape, config: SystolicConfig, mapping: Mapping): [Cut, Cut, Cut] {
  const align = alignments(config.dataflow, config.rows, config.cols);
  const g = shape.gemm;
  return [cut(g.m, mapping.splitM, align[M_]), cut(g.n, mapping.splitN, align[N_]), cut(g.k, mapping.splitK, align[K_])];
}

/** Why a tiled mapping does not fit the buffers, or undefined when it fits. */
export function mappingFitError(shape: LayerShape, config: SystolicConfig, mapping: Mapping): string | undefined {
  if (isScalesimMapping(mapping)) return undefined;
  const [cm, cn, ck] = mappingTiles(shape, config, mapping);
  const share = mapping.doubleBuffer ? 0.5 : 1;
  const need = [
    ['ifmap', shape.ifmapFootprint(cm.size, ck.size), config.ifmapSramKiB],
    ['filter', shape.filterWords(ck.size, cn.size), config.filterSramKiB],
    ['ofmap', cm.size * cn.size, config.ofmapSramKiB],
  ] as const;
  for (const [name, words, kib] of need) {
    const usable = Math.floor(sramWords(kib) * share);
    if (words > usable) return `${name} tile of ${words} words does not fit the ${usable} usable words of the ${kib} KiB ${name} buffer${mapping.doubleBuffer ? ' (double-buffered)' : ''}`;
  }
  return undefined;
}

// Index states of one dimension within a step class: its first tile, a middle tile, its last tile (≥ 2nd).
const ZERO = 0;
const MID = 1;
const LAST = 2;

/**
 * The tiled model of a mapping (splits not all 1). Throws on the SCALE-Sim point, which only the
 * simulator evaluates. An invalid mapping returns `valid: false` with its reason and no figures.
 */
export function tiledMapping(shape: LayerShape, target: MappingTarget, mapping: Mapping): MappingResult {
  if (isScalesimMapping(mapping)) throw new RangeError('tiledMapping: splits 1×1×1 is SCALE-Sim\'s own mapping; evaluate it with the simulator (MappingModel)');
  const { config, dramBytesPerCycle: bw } = target;
  const { rows, cols, dataflow } = config;
  const cuts = mappingTiles(shape, config, mapping);
  const [cm, cn, ck] = cuts;
  const tiles = { m: cm.size, n: cn.size, k: ck.size, countM: cm.count, countN: cn.count, countK: ck.count };
  const reason = mappingFitError(shape, config, mapping);
  if (reason !== undefined) {
    return {
      valid: false, reason, source: 'model', totalCycles: Number.POSITIVE_INFINITY, computeCycles: 0, stallCycles: 0, macs: shape.macs, utilization: 0,
      dramReads: { ifmap: 0, filter: 0, ofmap: 0 }, dramWrites: { ofmap: 0 }, sramReads: { ifmap: 0, filter: 0 }, sramWrites: { ofmap: 0 }, tiles,
    };
  }
  const order = mapping.order.split('').map((d) => DIM_INDEX[d]!);
  const counts = [cm.count, cn.count, ck.count];
  const sizeOf = (dim: number, state: number): number => {
    const c = cuts[dim]!;
    if (state === LAST || (state === ZERO && c.count === 1)) return c.last;
    return c.size;
  };
  // How many indices of a dimension are in each state, given a constraint on the index.
  const stateCount = (dim: number, state: number, constraint: 'zero' | 'positive' | 'free'): number => {
    const t = counts[dim]!;
    if (state === ZERO) return constraint === 'positive' ? 0 : 1;
    if (constraint === 'zero') return 0;
    if (state === MID) return Math.max(0, t - 2);
    return t >= 2 ? 1 : 0;
  };
  // Operand → the dimensions it is indexed by.
  const dependsOn = [[M_, K_], [K_, N_], [M_, N_]]; // ifmap, filter, ofmap

  let computeLines = 0;
  let total = 0;
  let ifmapReads = 0;
  let filterReads = 0;
  let ofmapReads = 0;
  let ofmapWrites = 0;
  const sram = { ifmap: 0, filter: 0, ofmap: 0 };
  const transferCycles = (bytes: number): number => (Number.isFinite(bw) ? Math.ceil(bytes / bw) : 0);

  // Step classes: the first step (every index 0), then for each level L the steps where loop
  // order[L] advanced (its index ≥ 1), the loops inside it wrapped to 0 and the outer ones are free.
  for (let level = -1; level < 3; level++) {
    const constraint = (dim: number): 'zero' | 'positive' | 'free' => {
      if (level < 0) return 'zero';
      const at = order.indexOf(dim);
      return at < level ? 'free' : at === level ? 'positive' : 'zero';
    };
    // Which operands are fetched in such a step: those indexed by a loop whose index changed.
    const changed = (dim: number): boolean => {
      if (level < 0) return true;
      const at = order.indexOf(dim);
      return at === level || (at > level && counts[dim]! > 1);
    };
    const fetched = dependsOn.map((dims) => dims.some(changed));
    for (let sm = 0; sm < 3; sm++) {
      for (let sn = 0; sn < 3; sn++) {
        for (let sk = 0; sk < 3; sk++) {
          const states = [sm, sn, sk];
          let count = 1;
          for (let d = 0; d < 3 && count > 0; d++) count *= stateCount(d, states[d]!, constraint(d));
          if (count === 0) continue;
          const tm = sizeOf(M_, sm);
          const tn = sizeOf(N_, sn);
          const tk = sizeOf(K_, sk);
          const lines = gemmLines(dataflow, rows, cols, tm, tn, tk);
          const s = gemmSramCounts(dataflow, rows, cols, tm, tn, tk);
          sram.ifmap += count * s.ifmap;
          sram.filter += count * s.filter * (1 + shape.metadataPerWord);
          sram.ofmap += count * s.ofmap;
          let bytes = 0;
          if (fetched[0]) {
            const w = shape.ifmapFootprint(tm, tk);
            ifmapReads += count * w;
            bytes += w;
          }
          if (fetched[1]) {
            const w = shape.filterWords(tk, tn);
            filterReads += count * w;
            bytes += w;
          }
          if (fetched[2]) {
            // Written back once per visit; partial sums come back on visits after the first k tile.
            ofmapWrites += count * tm * tn;
            bytes += tm * tn;
            if (sk !== ZERO) {
              ofmapReads += count * tm * tn;
              bytes += tm * tn;
            }
          }
          const transfer = transferCycles(bytes);
          const step = !mapping.doubleBuffer || level < 0 ? lines + transfer : Math.max(lines, transfer);
          computeLines += count * lines;
          total += count * step;
        }
      }
    }
  }
  const totalCycles = total - 1; // SCALE-Sim's off-by-one (issue #125), once per layer
  const computeCycles = computeLines - 1;
  return {
    valid: true,
    source: 'model',
    totalCycles,
    computeCycles,
    stallCycles: totalCycles - computeCycles,
    macs: shape.macs,
    utilization: (shape.macs * 100) / (totalCycles * rows * cols),
    dramReads: { ifmap: ifmapReads, filter: filterReads, ofmap: ofmapReads },
    dramWrites: { ofmap: ofmapWrites },
    sramReads: { ifmap: sram.ifmap, filter: sram.filter },
    sramWrites: { ofmap: sram.ofmap },
    tiles,
  };
}

/**
 * SCALE-Sim's own mapping: the simulator's figures, plus DRAM stalls at a finite bandwidth (and on a
 * sparse array the filter's metadata, read with every filter word, in the DRAM and SRAM counts).
 */
export function scalesimMapping(sim: LayerResult, target: MappingTarget, mapping: Mapping, shape: LayerShape): MappingResult {
  const { config, dramBytesPerCycle: bw } = target;
  const filterDram = Math.ceil(sim.dramReads.filter * (1 + shape.metadataPerWord));
  const bytes = sim.dramReads.ifmap + filterDram + sim.dramWrites.ofmap;
  const transfer = Number.isFinite(bw) ? Math.ceil(bytes / bw) : 0;
  const compute = sim.totalCycles; // CALC: SCALE-Sim's total (its own write stalls included)
  const totalCycles = mapping.doubleBuffer ? Math.max(compute, transfer) : compute + transfer;
  const [cm, cn, ck] = mappingTiles(shape, config, mapping);
  return {
    valid: true,
    source: 'simulator',
    totalCycles,
    computeCycles: sim.totalCycles - sim.stallCycles,
    stallCycles: totalCycles - (sim.totalCycles - sim.stallCycles),
    macs: sim.macs,
    utilization: (sim.macs * 100) / (totalCycles * config.rows * config.cols),
    dramReads: { ifmap: sim.dramReads.ifmap, filter: filterDram, ofmap: 0 },
    dramWrites: { ofmap: sim.dramWrites.ofmap },
    sramReads: { ifmap: sim.sramReads.ifmap, filter: sim.sramReads.filter + (sim.sparse?.metadataStorage ?? 0) },
    sramWrites: { ofmap: sim.sramWrites.ofmap },
    tiles: { m: cm.size, n: cn.size, k: ck.size, countM: cm.count, countN: cn.count, countK: ck.count },
  };
}

/** Energy of a mapped layer with the same accounting as src/sim/energy.ts's layerEnergy. */
export function mappingEnergyPJ(r: MappingResult, table: EnergyTable = HOROWITZ_45NM): number {
  if (!r.valid) return Number.POSITIVE_INFINITY;
  const sram = (r.sramReads.ifmap + r.sramReads.filter) * table.sramReadPJPerWord + r.sramWrites.ofmap * table.sramWritePJPerWord;
  const dram = (r.dramReads.ifmap + r.dramReads.filter + r.dramReads.ofmap + r.dramWrites.ofmap) * table.dramPJPerWord;
  return r.macs * table.macPJ + sram + dram;
}

/**
 * Evaluates mappings: the tiled closed form, or the simulator for SCALE-Sim's own mapping
 * (memoised per array and layer, since its DRAM walk is the expensive part).
 */
export class MappingModel {
  private readonly simCache = new Map<string, LayerResult>();
  private readonly shapes = new Map<ConvLayer, Map<SparseRepresentation | 'dense', LayerShape>>();
  /** Simulator runs (cache misses) so far. */
  simulatorRuns = 0;

  constructor(private readonly simulator: Simulator) {}

  /** The layer's shape on a dense array, or on one with `sparseRep`'s sparsity support. */
  shape(layer: ConvLayer, sparseRep?: SparseRepresentation): LayerShape {
    const rep = runsSparse(layer, sparseRep) ? sparseRep : 'dense';
    let byRep = this.shapes.get(layer);
    if (!byRep) this.shapes.set(layer, (byRep = new Map()));
    let shape = byRep.get(rep);
    if (!shape) {
      shape = new LayerShape(layer, rep === 'dense' ? undefined : rep);
      byRep.set(rep, shape);
    }
    return shape;
  }

  evaluate(target: MappingTarget, layer: ConvLayer, mapping: Mapping): MappingResult {
    const shape = this.shape(layer, target.sparseRep);
    if (!isScalesimMapping(mapping)) return tiledMapping(shape, target, mapping);
    const c = target.config;
    const { sparse } = shape;
    const ratio = layerRatio(layer);
    const key = `${c.rows}x${c.cols}:${c.ifmapSramKiB}/${c.filterSramKiB}/${c.ofmapSramKiB}:${c.dataflow}|${layer.ifmapHeight},${layer.ifmapWidth},${layer.filterHeight},${layer.filterWidth},${layer.channels},${layer.numFilters},${layer.strideHeight},${layer.strideWidth}${sparse ? `|${target.sparseRep}:${ratio.n}:${ratio.m}` : ''}`;
    let sim = this.simCache.get(key);
    if (!sim) {
      const sparsity = sparse ? { sparsity: { support: true, representation: target.sparseRep, optimizedMapping: false, randomSeed: 0 } } : {};
      sim = this.simulator.layer({ ...c, interfaceBandwidth: 'CALC' }, layer, sparsity);
      this.simulatorRuns++;
      this.simCache.set(key, sim);
    }
    return scalesimMapping(sim, target, mapping, shape);
  }
}
