// A plain TypeScript port of SCALE-Sim v2 (commit 22f88b1), used only by tests. It builds the
// per-cycle demand matrices and walks them through the buffer models line by line exactly as the
// Python does, so it is slow and only meant for small layers. The fast simulator in assembly/sim
// must agree with it figure for figure.
import type { RamulatorLatencies } from '../../src/sim/ramulator.js';
import { rowWiseRatios } from '../../src/sim/sparsity.js';
import { type ConvLayer, type Dataflow, type LayerResult, layerGemm, type SparseFigures, sramWords, type SystolicConfig } from '../../src/sim/types.js';

type Mat = number[][];

/** One row of a DRAM trace: the response cycle, the addresses (-1 padding), and the words SCALE-Sim's access counts give it. */
export interface DramRow {
  cycle: number;
  addresses: number[];
  words: number;
}

/** The most words any one cycle of a trace moves (rows of one cycle add up). */
export function peakWords(rows: readonly DramRow[]): number {
  const perCycle = new Map<number, number>();
  for (const r of rows) perCycle.set(r.cycle, (perCycle.get(r.cycle) ?? 0) + r.words);
  let peak = 0;
  for (const words of perCycle.values()) peak = Math.max(peak, words);
  return peak;
}

const full = (rows: number, cols: number, value = -1): Mat => Array.from({ length: rows }, () => new Array<number>(cols).fill(value));
const rowsOf = (m: Mat, r0: number, r1: number, c0: number, c1: number): Mat => m.slice(r0, r1).map((row) => row.slice(c0, c1));
const transpose = (m: Mat, rows: number, cols: number): Mat => Array.from({ length: cols }, (_, c) => Array.from({ length: rows }, (_, r) => m[r]![c]!));
const padCols = (m: Mat, width: number): Mat => m.map((row) => [...row, ...new Array<number>(width - row.length).fill(-1)]);
const padRows = (m: Mat, height: number, width: number): Mat => [...m, ...full(height - m.length, width)];

function skew(m: Mat, cols: number): Mat {
  const rows = m.length;
  const out = full(rows + cols - 1, cols);
  for (let c = 0; c < cols; c++) for (let r = 0; r < rows; r++) out[c + r]![c] = m[r]![c]!;
  return out;
}

/** The anti-diagonal roll-out of create_*_prefetch_mat (its "fixing issue #15, #16"). */
function diagonals(m: Mat): number[] {
  const rows = m.length;
  const cols = rows > 0 ? m[0]!.length : 0;
  const out: number[] = [];
  for (let d = 0; d < rows + cols; d++) {
    const maxRow = Math.min(d, rows - 1);
    const minRow = Math.max(0, d - cols + 1);
    for (let r = maxRow; r >= minRow; r--) out.push(m[r]![d - r]!);
  }
  return out;
}

/**
 * The operand address matrices of operand_matrix.py (offsets included). With layer-wise N:M
 * sparsity, v3 multiplies both by the 0/1 pattern (N ones in every M window elements) and drops
 * what became zero: the ifmap's pruned columns, the filter's pruned rows (condensed per block).
 */
function operandMatrices(config: SystolicConfig, layer: ConvLayer, pattern?: number[]) {
  const dense = layerGemm(layer);
  const kept = pattern ? [...pattern.keys()].filter((k) => pattern[k] === 1) : [...Array(dense.k).keys()];
  const g = { ...dense, k: kept.length };
  const ifmap = full(g.m, g.k);
  for (let i = 0; i < g.m; i++) {
    const oh = Math.floor(i / g.ofmapWidth);
    const ow = i % g.ofmapWidth;
    const iRow = oh * layer.strideHeight;
    const iCol = ow * layer.strideWidth;
    for (let jj = 0; jj < g.k; jj++) {
      const j = kept[jj]!;
      const cRow = Math.floor(j / (layer.filterWidth * layer.channels));
      const rest = j % (layer.filterWidth * layer.channels);
      const cCol = Math.floor(rest / layer.channels);
      const ch = rest % layer.channels;
      if (cRow + iRow < layer.ifmapHeight && cCol + iCol < layer.ifmapWidth) {
        ifmap[i]![jj] = ((iRow + cRow) * layer.ifmapWidth + iCol + cCol) * layer.channels + ch + config.ifmapOffset;
      }
    }
  }
  const filter = kept.map((k) => Array.from({ length: g.n }, (_, n) => n * dense.k + k + config.filterOffset));
  const ofmap = Array.from({ length: g.m }, (_, m) => Array.from({ length: g.n }, (_, n) => g.n * m + n + config.ofmapOffset));
  return { g, dense, ifmap, filter, ofmap };
}

interface Demand {
  ifmapPrefetch: number[]; // the order read_buffer.py prefetches the operand in (USER mode)
  filterPrefetch: number[];
  ifmap: Mat;
  filter: Mat;
  ofmap: Mat;
  ifmapReads: number;
  filterReads: number;
  ofmapWrites: number;
  mappingEff: number[];
  computeUtil: number[];
}

/** systolic_compute_{os,ws,is}.py: the demand matrices and the per-fold metrics. */
/** `ifmapReadScale`: v3 with sparsity counts each WS ifmap fold's reads × M/N of the layer. */
/** `v3`: WS mapping efficiency counts the fold's filter entries that are not -1 (a word a negative offset puts on -1 is an idle PE), as v3 does. */
function demandMatrices(dataflow: Dataflow, R: number, C: number, ifmapOp: Mat, filterOp: Mat, ofmapOp: Mat, M: number, N: number, K: number, ifmapReadScale?: number, v3 = false): Demand {
  const d: Demand = { ifmapPrefetch: [], filterPrefetch: [], ifmap: [], filter: [], ofmap: [], ifmapReads: 0, filterReads: 0, ofmapWrites: 0, mappingEff: [], computeUtil: [] };
  const [Sr, Sc, T] = dataflow === 'os' ? [M, N, K] : dataflow === 'ws' ? [K, N, M] : [K, M, N];
  const rowFolds = Math.ceil(Sr / R);
  const colFolds = Math.ceil(Sc / C);
  const ifmapT = transpose(ifmapOp, M, K); // K × M
  // create_{ifmap,filter}_prefetch_mat: fold blocks stacked, then (mostly) rolled out along anti-diagonals.
  const stack = (blocks: Mat[]): Mat => blocks.flat();
  const frs = Array.from({ length: rowFolds }, (_, fr) => [fr * R, Math.min(fr * R + R, Sr)] as const);
  const fcs = Array.from({ length: colFolds }, (_, fc) => [fc * C, Math.min(fc * C + C, Sc)] as const);
  if (dataflow === 'os') {
    d.ifmapPrefetch = diagonals(stack(frs.map(([a, b]) => padCols(rowsOf(ifmapT, 0, T, a, b), R))));
    d.filterPrefetch = diagonals(stack(fcs.map(([a, b]) => padCols(rowsOf(filterOp, 0, T, a, b), C))));
  } else if (dataflow === 'ws') {
    d.ifmapPrefetch = diagonals(stack(frs.map(([a, b]) => padCols(rowsOf(ifmapOp, 0, M, a, b), R))));
    d.filterPrefetch = stack(fcs.map(([a, b]) => padCols(rowsOf(filterOp, 0, Sr, a, b), C))).flat();
  } else {
    d.ifmapPrefetch = stack(fcs.map(([a, b]) => padCols(rowsOf(ifmapT, 0, Sr, a, b), C))).flat();
    d.filterPrefetch = diagonals(stack(frs.map(([a, b]) => padCols(transpose(rowsOf(filterOp, a, b, 0, N), b - a, N), R))));
  }
  for (let fc = 0; fc < colFolds; fc++) {
    for (let fr = 0; fr < rowFolds; fr++) {
      const r0 = fr * R;
      const r1 = Math.min(r0 + R, Sr);
      const c0 = fc * C;
      const c1 = Math.min(c0 + C, Sc);
      const macUsed = (r1 - r0) * (c1 - c0);
      let mapped = macUsed;
      let ifmapFold: Mat;
      let filterFold: Mat;
      let ofmapFold: Mat;
      let cyclesThisFold: number;
      if (dataflow === 'os') {
        let b = rowsOf(ifmapT, 0, T, r0, r1);
        d.ifmapReads += T * (r1 - r0);
        ifmapFold = skew([...padCols(b, R), ...full(C - 1, R)], R);
        b = rowsOf(filterOp, 0, T, c0, c1);
        d.filterReads += T * (c1 - c0);
        filterFold = skew([...padCols(b, C), ...full(R - 1, C)], C);
        b = rowsOf(ofmapOp, r0, r1, c0, c1);
        d.ofmapWrites += (r1 - r0) * (c1 - c0);
        b = padRows(padCols(b, C), R, C).reverse();
        d.ofmapWrites += R + C; // SCALE-Sim issue #166: counts the padded fold's shape once more
        const withPrefix = [...full(T - 1, C), ...b];
        cyclesThisFold = withPrefix.length + C - 1;
        ofmapFold = skew(withPrefix, C);
      } else if (dataflow === 'ws') {
        let b = rowsOf(ifmapOp, 0, M, r0, r1);
        d.ifmapReads += ifmapReadScale === undefined ? M * (r1 - r0) : M * (r1 - r0) * ifmapReadScale;
        ifmapFold = skew([...full(R, R), ...padCols(b, R), ...full(C - 1, R)], R);
        b = rowsOf(filterOp, r0, r1, c0, c1);
        d.filterReads += (r1 - r0) * (c1 - c0);
        b = padRows(padCols(b, C), R, C).reverse();
        if (v3) mapped = R * C - b.flat().filter((a) => a === -1).length;
        filterFold = [...b, ...full(R + C + T - 2, C)];
        cyclesThisFold = filterFold.length + C - 1;
        b = rowsOf(ofmapOp, 0, M, c0, c1);
        d.ofmapWrites += M * (c1 - c0);
        ofmapFold = skew([...full(2 * R - 1, C), ...padCols(b, C)], C);
      } else {
        let b = rowsOf(ifmapT, r0, r1, c0, c1);
        d.ifmapReads += (r1 - r0) * (c1 - c0);
        b = padRows(padCols(b, C), R, C).reverse();
        ifmapFold = [...b, ...full(R + C + T - 2, C)];
        cyclesThisFold = ifmapFold.length + C - 1;
        b = transpose(rowsOf(filterOp, r0, r1, 0, N), r1 - r0, N);
        d.filterReads += (r1 - r0) * N;
        filterFold = skew([...full(R, R), ...padCols(b, R), ...full(C - 1, R)], R);
        b = transpose(rowsOf(ofmapOp, c0, c1, 0, N), c1 - c0, N);
        d.ofmapWrites += (c1 - c0) * N;
        ofmapFold = skew([...full(2 * R - 1, C), ...padCols(b, C)], C);
      }
      d.mappingEff.push(mapped / (R * C));
      d.computeUtil.push((macUsed * T) / (R * C * cyclesThisFold));
      d.ifmap.push(...ifmapFold);
      d.filter.push(...filterFold);
      d.ofmap.push(...ofmapFold);
    }
  }
  return d;
}

/** read_buffer_estimate_bw.py: CALC mode. Never stalls; counts DRAM reads by a flush-when-full cache. */
class ReadBufferEstimateBw {
  readonly itemsPerSet: number;
  numAccess = 0;
  private currentSet = new Set<number>();
  private sets: (Set<number> | null)[] = [];
  private currentSetId = 0;
  private readStart = 0;
  private readEnd = 49;
  private prefetchStart = -1;
  private lastPrefetchStart = -2;
  private lastPrefetchEnd = -1;
  private firstRequestCycle = 0;
  private firstSeen = false;
  private done = false;
  /** Response cycles of the DRAM trace rows: first and last. */
  traceFirst: number | undefined;
  traceLast: number | undefined;

  constructor(words: number, private readonly bandwidth = 10) {
    this.itemsPerSet = Math.floor(words / 100);
  }

  serviceLine(addresses: number[], cycle: number): number {
    if (!this.firstSeen && Math.max(...addresses) > -1) {
      this.firstRequestCycle = cycle;
      this.firstSeen = true;
    }
    for (const addr of addresses) if (addr !== -1) this.manage(cycle, addr);
    return cycle + 1;
  }

  private hit(addr: number): boolean {
    const end = Math.min(this.currentSetId, this.readEnd + 1);
    for (let i = this.readStart; i < end; i++) if (this.sets[i]!.has(addr)) return true;
    return false;
  }

  private manage(cycle: number, addr: number): void {
    if (this.hit(addr) || this.currentSet.has(addr)) return;
    this.currentSet.add(addr);
    if (this.currentSet.size < this.itemsPerSet) return;
    this.sets.push(this.currentSet);
    this.currentSet = new Set();
    this.currentSetId++;
    if (this.currentSetId !== this.readEnd + 1) return;
    if (!this.done) {
      this.lastPrefetchEnd = this.firstRequestCycle - 1 - 1;
      const cycles = Math.ceil((50 * this.itemsPerSet) / this.bandwidth);
      this.lastPrefetchStart = this.lastPrefetchEnd - cycles + 1;
      this.prefetch(0, 49);
      this.prefetchStart = this.readEnd + 1;
      this.done = true;
    } else {
      this.prefetch(this.prefetchStart, this.prefetchStart + 49);
      this.prefetchStart += 50;
    }
    for (let j = 0; j < 50; j++) this.sets[this.readStart + j] = null;
    this.readStart += 50;
    this.readEnd += 50;
    this.lastPrefetchStart = this.lastPrefetchEnd + 1;
    this.lastPrefetchEnd = cycle;
  }

  completeAll(): void {
    if (this.currentSet.size > 0) this.sets.push(this.currentSet);
    else this.currentSetId--;
    if (!this.done) {
      this.lastPrefetchEnd = -1 - 1;
      const sets = this.currentSetId + 1;
      const cycles = Math.ceil((sets * this.itemsPerSet) / this.bandwidth);
      this.lastPrefetchStart = this.lastPrefetchEnd - cycles + 1;
      this.prefetch(0, sets - 1);
      this.done = true;
    } else {
      this.prefetch(this.prefetchStart, this.currentSetId);
    }
  }

  /** Words per row of each prefetch: 10 for the first, else the words to move over the cycles since the flush before. */
  private prefetch(from: number, to: number, words = (to - from + 1) * this.itemsPerSet): void {
    const addresses: number[] = [];
    for (let i = from; i <= to; i++) addresses.push(...this.sets[i]!);
    this.numAccess += addresses.length;
    const rows = this.lastPrefetchEnd - this.lastPrefetchStart + 1;
    if (rows <= 0) return;
    const bandwidth = this.firstPrefetchDone ? Math.ceil(words / rows) : this.bandwidth;
    this.firstPrefetchDone = true;
    for (let r = 0; r < rows; r++) {
      const row = addresses.slice(r * bandwidth, (r + 1) * bandwidth);
      this.trace.push({ cycle: this.lastPrefetchStart + r + 1, addresses: [...row, ...new Array<number>(bandwidth - row.length).fill(-1)], words: row.length });
    }
    this.traceFirst ??= this.lastPrefetchStart + 1;
    this.traceLast = this.lastPrefetchEnd + 1;
  }

  private firstPrefetchDone = false;
  readonly trace: DramRow[] = [];
}

/**
 * The iteration order of a CPython 3.11 set built by adding `keys` in order (integer keys: hash =
 * key), as Objects/setobject.c lays out its table: linear probes of 10 slots while they fit, then
 * perturbed jumps; the table grows to the next power of two above 4 × used at 60% fill.
 */
export function cpythonSetList(keys: readonly number[]): number[] {
  let table: (number | null)[] = new Array<number | null>(8).fill(null);
  let fill = 0;
  const place = (t: (number | null)[], key: number, stopAtEqual: boolean): boolean => {
    const mask = BigInt(t.length - 1);
    let perturb = BigInt(key);
    let i = BigInt(key) & mask;
    for (;;) {
      const probes = i + 9n <= mask ? 9 : 0;
      for (let j = 0; j <= probes; j++) {
        const at = Number(i) + j;
        if (t[at] === null) { t[at] = key; return true; }
        if (stopAtEqual && t[at] === key) return false;
      }
      perturb >>= 5n;
      i = (i * 5n + 1n + perturb) & mask;
    }
  };
  for (const key of keys) {
    if (!place(table, key, true)) continue;
    fill++;
    if (fill * 5 >= (table.length - 1) * 3) {
      let size = 8;
      while (size <= (fill > 50000 ? fill * 2 : fill * 4)) size *= 2;
      const grown = new Array<number | null>(size).fill(null);
      for (const k of table) if (k !== null) place(grown, k, false);
      table = grown;
    }
  }
  return table.filter((k): k is number => k !== null);
}

/** Row-major transpose of a flat array of `shape` by `perm` (numpy's transpose, then reshape(-1)). */
function transposeFlat(data: number[], shape: number[], perm: readonly number[]): { data: number[]; shape: number[] } {
  const outShape = perm.map((a) => shape[a]!);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const out: number[] = [];
  const idx = new Array<number>(shape.length).fill(0);
  for (let n = 0; n < data.length; n++) {
    out.push(data[perm.reduce((at, a, j) => at + idx[j]! * strides[a]!, 0)]!);
    for (let j = idx.length - 1; j >= 0; j--) {
      if (++idx[j]! < outShape[j]!) break;
      idx[j] = 0;
    }
  }
  return { data: out, shape: outShape };
}

/** One operand's custom layout for the reference: its banks, ports, intraline factors and axis order (SimOperandLayout). */
export interface ReferenceLayout {
  banks: number;
  ports: number;
  factors: readonly number[];
  order: readonly number[];
}

/**
 * operand_matrix.py's get_{ifmap,filter}_prefetch_matrix_custom_layout: np.arange over the
 * operand's dims (+ offset), padded with -1 to multiples of the factors, reshaped to (lines,
 * factor) per dimension, transposed to lines first, then by the layout's order.
 */
function customLayoutOrder(dims: number[], layout: ReferenceLayout, offset: number): number[] {
  const padded = dims.map((d, i) => Math.ceil(d / layout.factors[i]!) * layout.factors[i]!);
  const data: number[] = [];
  const idx = new Array<number>(dims.length).fill(0);
  const total = padded.reduce((a, b) => a * b, 1);
  for (let n = 0; n < total; n++) {
    data.push(idx.every((x, i) => x < dims[i]!) ? idx.reduce((a, x, i) => a * dims[i]! + x, 0) + offset : -1);
    for (let j = idx.length - 1; j >= 0; j--) {
      if (++idx[j]! < padded[j]!) break;
      idx[j] = 0;
    }
  }
  const split = padded.flatMap((p, i) => [p / layout.factors[i]!, layout.factors[i]!]);
  const nd = dims.length;
  const linesFirst = transposeFlat(data, split, [...Array(nd).keys()].map((i) => 2 * i).concat([...Array(nd).keys()].map((i) => 2 * i + 1)));
  return transposeFlat(linesFirst.data, linesFirst.shape, layout.order).data;
}

/**
 * read_port.py / write_port.py with UseRamulatorTrace: each request takes the next latency (past
 * the array, or above 10000, `fallback`), returns at request + stall + latency, and waits in a
 * request list of `queueSize` entries, sorted and trimmed as v3 does whenever it is full.
 */
class RamulatorPortReference {
  private count = 0;
  private requests: number[] = [];

  constructor(private readonly latencies: ArrayLike<number>, private readonly fallback: number, private readonly queueSize: number) {}

  private findLatency(): number {
    const latency = this.count < this.latencies.length ? this.latencies[this.count++]! : this.fallback;
    return latency > 10000 ? this.fallback : latency;
  }

  /** The return cycles of requests made at `cycles` (one service_reads or service_writes call). */
  serve(cycles: number[]): number[] {
    let stall = 0;
    return cycles.map((cycle) => {
      const out = cycle + stall + this.findLatency();
      this.requests.push(out);
      if (this.requests.length === this.queueSize) {
        const now = cycle + stall;
        this.requests.sort((a, b) => a - b);
        if (this.requests[0]! >= now) {
          stall += this.requests[0]! - now;
          this.requests.shift();
        } else {
          const index = this.requests.findIndex((r) => r >= now); // bisect_left
          this.requests = index < 0 ? [] : this.requests.slice(index);
        }
      }
      return out;
    });
  }
}

const consecutive = (first: number, count: number): number[] => Array.from({ length: count }, (_, i) => first + i);
const maxOf = (xs: readonly number[]): number => xs.reduce((a, b) => Math.max(a, b), -Infinity);
const minOf = (xs: readonly number[]): number => xs.reduce((a, b) => Math.min(a, b), Infinity);

/** read_buffer.py: USER mode. Prefetches the operand in its prefetch order, `bandwidth` words a line. */
class ReadBufferUser {
  readonly total: number;
  readonly activeSize: number;
  readonly prefetchSize: number;
  numAccess = 0;
  private sets: Set<number>[] = [];
  private lists: number[][] = []; // with a layout: each set as list(set) iterates it
  private numSets = 0;
  private numActive = 0;
  private numPrefetch = 0;
  private activeStart = 0;
  private activeEnd = 0;
  private ready = false;
  lastPrefetchCycle = -1;

  /**
   * `v3`: SCALE-Sim v3's read_buffer.py, whose stall rule adds a prefetch's wait twice and a
   * negative one once; `layout`: its layout evaluation (a custom layout: sets of `bandwidth`
   * entries in CPython's set order, bank conflicts, a wait counted once).
   */
  constructor(words: number, private readonly bandwidth: number, prefetchOrder: number[], private readonly v3 = false, private readonly layout?: ReferenceLayout, private readonly port?: RamulatorPortReference) {
    this.total = words;
    this.activeSize = Math.ceil(words * 0.5);
    this.prefetchSize = words - this.activeSize;
    this.fetchLines = Math.ceil(prefetchOrder.length / bandwidth);
    // prepare_hashed_buffer: sets of ceil(words/100) valid entries (duplicates count, sets dedupe).
    const perSet = layout ? bandwidth : Math.ceil(words / 100);
    let current: number[] = [];
    let count = 0;
    for (const elem of prefetchOrder) {
      if (elem !== -1) {
        current.push(elem);
        count++;
      }
      if (!(count < perSet)) {
        this.addSet(current);
        current = [];
        count = 0;
      }
    }
    this.addSet(current);
    this.numSets = this.sets.length;
    this.numActive = Math.min(this.numSets, Math.ceil(this.activeSize / perSet));
    this.numPrefetch = Math.min(this.numSets - this.numActive, Math.ceil(this.prefetchSize / perSet));
  }

  private readonly fetchLines: number;

  private addSet(entries: number[]): void {
    this.sets.push(new Set(entries));
    if (this.layout) this.lists.push(cpythonSetList(entries));
  }

  /** active_buffer_hit: the first active set holding addr and addr's position in it, or undefined. */
  private find(addr: number): [number, number] | undefined {
    const [s, e] = [this.activeStart, this.activeEnd];
    const at = (line: number): [number, number] | undefined => (this.sets[line]!.has(addr) ? [line, this.layout ? this.lists[line]!.indexOf(addr) : 0] : undefined);
    let found: [number, number] | undefined;
    if (s < e) {
      for (let line = s; line < e && !found; line++) found = at(line);
    } else {
      for (let line = s; line < this.numSets && !found; line++) found = at(line);
      for (let line = 0; line < e && !found; line++) found = at(line);
    }
    return found;
  }

  /** Prefetch lines, each counted as `bandwidth` words; their addresses are not modelled here. */
  readonly trace: DramRow[] = [];

  /** Requests `count` lines from `first` on; returns the latest return (the port's, else one cycle after each request). */
  private request(first: number, count: number): number {
    const returns = this.port ? this.port.serve(consecutive(first, count)) : consecutive(first + 1, count);
    for (const cycle of returns) this.trace.push({ cycle, addresses: [], words: this.bandwidth });
    return maxOf(returns);
  }

  /** DRAM start and stop: the earliest and latest return of the trace. */
  dramStartStop(): [number, number] {
    const cycles = this.trace.map((r) => r.cycle);
    return [minOf(cycles), maxOf(cycles)];
  }

  serviceLine(addresses: number[], cycle: number): number {
    let dramStall = 0;
    if (!this.ready) {
      const lines = Math.min(Math.ceil(this.activeSize / this.bandwidth), this.fetchLines);
      this.numAccess += lines * this.bandwidth;
      // prefetch_active_buffer: requests at cycle − lines − 1 + i; with Ramulator's latencies, v3
      // adds the wait for the latest return to this first line
      this.lastPrefetchCycle = this.request(cycle - lines - 1, lines);
      if (this.port) dramStall = this.lastPrefetchCycle - (cycle - 2) - 1;
      this.activeStart = 0;
      this.activeEnd = this.numActive;
      this.ready = true;
    }
    let offset = 1;
    const concurrent = Array.from({ length: this.layout?.banks ?? 0 }, () => new Set<number>());
    for (const addr of addresses) {
      if (addr === -1) continue;
      let found = this.find(addr);
      while (!found) {
        this.activeStart = (this.activeStart + this.numPrefetch) % this.numSets;
        this.activeEnd = (this.activeStart + this.numActive) % this.numSets;
        const lines = Math.ceil(this.prefetchSize / this.bandwidth);
        this.numAccess += lines * this.bandwidth;
        this.lastPrefetchCycle = this.request(this.lastPrefetchCycle + 1, lines);
        const stall = this.lastPrefetchCycle - (cycle + offset);
        if (this.v3 && !this.layout) offset += stall;
        if (stall > 0) offset += stall;
        found = this.find(addr);
      }
      if (this.layout) concurrent[Math.floor(found[1] / (this.bandwidth / this.layout.banks))]!.add(found[0]);
    }
    if (this.layout) offset += Math.ceil(Math.max(0, ...concurrent.map((c) => c.size)) / this.layout.ports) - 1;
    return cycle + offset + dramStall;
  }
}

/** write_buffer.py: stages ofmap words and drains them to DRAM `bandwidth` words per line. */
class WriteBuffer {
  readonly total: number;
  readonly active: number;
  readonly drainSize: number;
  numAccess = 0;
  private free: number;
  private lines: number[][] = []; // the trace matrix; -1 pads partial lines
  private current: number[] = [];
  private drainStartLine = 0;
  drainEndCycle = 0;
  readonly trace: DramRow[] = [];
  traceFirst: number | undefined;
  traceLast: number | undefined;
  traceMax = -Infinity;

  constructor(words: number, private readonly bandwidth: number, private readonly port?: RamulatorPortReference) {
    this.total = words;
    this.active = Math.ceil(words * 0.5);
    this.drainSize = words - this.active;
    this.free = words;
  }

  private store(elem: number): void {
    this.current.push(elem);
    this.free--;
    if (this.current.length === this.bandwidth) {
      this.lines.push(this.current);
      this.current = [];
    }
  }

  private flushPartial(): void {
    if (this.current.length === 0) return;
    this.lines.push([...this.current, ...new Array<number>(this.bandwidth - this.current.length).fill(-1)]);
    this.current = [];
  }

  serviceLine(row: number[], cycle: number): number {
    let current = cycle;
    for (const elem of row) {
      if (elem === -1) continue;
      this.store(elem);
      if (current < this.drainEndCycle) {
        if (!(this.free > 0)) current = this.drainEndCycle;
      } else if (this.free < this.total - this.drainSize) {
        this.flushPartial();
        this.drainEndCycle = this.drain(current);
      }
    }
    return current;
  }

  private drain(start: number): number {
    const want = Math.ceil(this.drainSize / this.bandwidth);
    const end = Math.min(this.drainStartLine + want, this.lines.length);
    const chunk = this.lines.slice(this.drainStartLine, end);
    let data = chunk.length * this.bandwidth;
    for (const elem of chunk[chunk.length - 1]!) if (elem === -1) data--;
    // Every drained line counts whole, padding included, but the last: SCALE-Sim's phantom words.
    const requests = consecutive(start, chunk.length);
    const returns = this.port ? this.port.serve(requests) : requests;
    chunk.forEach((addresses, i) => this.trace.push({ cycle: returns[i]!, addresses, words: i === chunk.length - 1 ? data - i * this.bandwidth : this.bandwidth }));
    this.numAccess += data;
    this.free += data;
    this.traceFirst = Math.min(this.traceFirst ?? Infinity, minOf(returns));
    const last = maxOf(returns);
    this.traceLast = last;
    this.traceMax = Math.max(this.traceMax, last);
    this.drainStartLine = end;
    return last;
  }

  emptyAll(cycle: number): void {
    this.flushPartial();
    while (this.drainStartLine < this.lines.length) {
      this.drainEndCycle = this.drain(cycle);
      cycle = this.drainEndCycle + 1;
    }
  }
}

function firstLastValid(lines: Mat, serviced: number[]): [number, number] {
  let first = 0;
  let last = 0;
  for (let i = 0; i < lines.length; i++) if (lines[i]!.some((a) => a !== -1)) { first = serviced[i]!; break; }
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i]!.some((a) => a !== -1)) { last = serviced[i]!; break; }
  return [first, last];
}

/**
 * SCALE-Sim v3's memory model (its commit fab89b7), where it differs from v2's: in USER mode the
 * ifmap and filter are read at their [layout] bank bandwidths and a prefetch's wait counts twice (a
 * negative one once, so a line can be served early); Total Cycles is the latest ofmap service
 * cycle and the DRAM OFMAP stop cycle the latest drain's end.
 */
export interface V3Options {
  ifmapBandwidth: number;
  filterBandwidth: number;
  /** Sparsity support on (layer-wise N:M from each layer's `sparsity`), in this representation. */
  sparseRep?: SparseFigures['representation'];
  /** With sparseRep: row-wise N:M (OptimizedMapping), WS only: BlockSize and RandomNumberGeneratorSeed. */
  rowWise?: { blockSize: number; seed: number };
  /** USER mode: custom layouts ([layout] {Ifmap,Filter}CustomLayout and the layout file's first row). */
  layouts?: { ifmap?: ReferenceLayout; filter?: ReferenceLayout };
  /** USER mode with UseRamulatorTrace: the layer's DRAM latencies and the request queues' sizes. */
  ramulator?: RamulatorLatencies & { readRequestBuffer: number; writeRequestBuffer: number };
}

/**
 * compression.py on the K × N 0/1 pattern (column n kept where keep(k, n)): storages and metadata,
 * in words; blocked ELLPACK counts the condensed filter's rows and log2 of the layer's M.
 */
function compressedFilter(rep: SparseFigures['representation'], ifmapReadsFloat: boolean, keep: (k: number, n: number) => boolean, k: number, n: number, condensedRows: number, m: number, totalCycles: number): SparseFigures {
  let nonzeros = 0;
  for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) if (keep(i, j)) nonzeros++;
  const metadata = rep === 'csr' ? nonzeros + k + 1 : rep === 'csc' ? nonzeros + n + 1 : (condensedRows * n * Math.ceil(Math.log2(m))) / 32;
  const stored = rep === 'ellpack_block' ? condensedRows * n + metadata : 2 * nonzeros + (rep === 'csr' ? k + 1 : n + 1);
  return {
    representation: rep, originalFilterStorage: k * n, newStorage: stored, metadataStorage: metadata, metadataSramBandwidth: metadata / totalCycles,
    storageIsFloat: rep === 'ellpack_block', ifmapSramReadsIsFloat: ifmapReadsFloat,
  };
}

/**
 * v3's row-wise N:M (WS only): filter column n keeps N_n of every BlockSize rows (N_n drawn by
 * numpy's seeded RNG), and every 2·BlockSize rows condense to BlockSize (each block's kept rows,
 * padded to BlockSize/2 with -1). The ifmap stays whole: a fold streams 2R of its columns, each
 * BlockSize-wide block fanned out to BlockSize/2 array rows (skew_matrix_row_sparsity).
 */
function rowWiseFilter(filter: Mat, K: number, N: number, B: number, ratios: number[]): Mat {
  const groups = Math.ceil(K / (2 * B));
  const out = full(groups * B, N);
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < 2 * groups; g++) {
      const kept = [];
      for (let k = g * B; k < Math.min(g * B + B, K); k++) if (k % B < ratios[n]!) kept.push(filter[k]![n]!);
      kept.forEach((addr, i) => (out[g * (B / 2) + i]![n] = addr));
    }
  }
  return out;
}

function rowWiseDemand(R: number, C: number, B: number, ifmapOp: Mat, filterOp: Mat, ofmapOp: Mat, M: number, N: number, K: number): Demand {
  const d: Demand = { ifmapPrefetch: [], filterPrefetch: [], ifmap: [], filter: [], ofmap: [], ifmapReads: 0, filterReads: 0, ofmapWrites: 0, mappingEff: [], computeUtil: [] };
  const T = M;
  const Kc = filterOp.length;
  const frs = Array.from({ length: Math.ceil(K / R) }, (_, fr) => [fr * R, Math.min(fr * R + R, K)] as const);
  const fcs = Array.from({ length: Math.ceil(N / C) }, (_, fc) => [fc * C, Math.min(fc * C + C, N)] as const);
  d.ifmapPrefetch = diagonals(frs.flatMap(([a, b]) => padCols(rowsOf(ifmapOp, 0, M, a, b), R)));
  d.filterPrefetch = fcs.flatMap(([a, b]) => padCols(rowsOf(filterOp, 0, Kc, a, b), C)).flat();
  const width = R * B;
  for (const [c0, c1] of fcs) {
    for (let fr = 0; fr < Math.ceil(Kc / R); fr++) {
      const slice = padCols(rowsOf(ifmapOp, 0, M, fr * 2 * R, Math.min(fr * 2 * R + 2 * R, K)), 2 * R);
      const skewed: Mat = [];
      for (let i = 0; i < T + R - 1; i++) {
        const line: number[] = [];
        for (let j = 0; j < R; j++) {
          const row = i - j;
          const block = Math.floor(j / (B / 2));
          line.push(...(row >= 0 && row < T ? slice[row]!.slice(block * B, block * B + B) : new Array<number>(B).fill(-1)));
        }
        skewed.push(line);
      }
      d.ifmapReads += skewed.length * width;
      d.ifmap.push(...full(R, width), ...skewed, ...full(C - 1, width));
      const r0 = fr * R;
      const r1 = Math.min(r0 + R, Kc);
      let b = rowsOf(filterOp, r0, r1, c0, c1);
      d.filterReads += (r1 - r0) * (c1 - c0);
      b = padRows(padCols(b, C), R, C).reverse();
      const holes = b.flat().filter((a) => a === -1).length;
      const filterFold = [...b, ...full(R + C + T - 2, C)];
      d.filter.push(...filterFold);
      d.mappingEff.push((R * C - holes) / (R * C));
      d.computeUtil.push(((r1 - r0) * (c1 - c0) * T) / (R * C * (filterFold.length + C - 1)));
      d.ofmapWrites += M * (c1 - c0);
      d.ofmap.push(...skew([...full(2 * R - 1, C), ...padCols(rowsOf(ofmapOp, 0, M, c0, c1), C)], C));
    }
  }
  return d;
}

/** One layer through SCALE-Sim v2's pipeline (or v3's with `v3`), in CALC or USER interface-bandwidth mode. */
export function referenceLayer(config: SystolicConfig, layer: ConvLayer, v3?: V3Options, share?: KrittikaShare): LayerResult {
  return referenceRun(config, layer, v3, share).result;
}

/**
 * krittika's share of a layer for one core (SimulatorOptions.krittikaCore): the ofmap pixels
 * `ofmapRows` sliced from the operand matrices, CALC rates at `bandwidth`, the per-fold lists twice.
 */
export interface KrittikaShare {
  ofmapRows: { start: number; count: number };
  bandwidth: { ifmap: number; filter: number; ofmap: number };
}

/** The figures and the three DRAM traces (CALC read addresses in the order of its JS sets, USER read addresses not modelled). */
export function referenceRun(config: SystolicConfig, layer: ConvLayer, v3?: V3Options, share?: KrittikaShare): {
  result: LayerResult;
  dramTraces: { ifmap: DramRow[]; filter: DramRow[]; ofmap: DramRow[] };
  /** The service cycle of every demand line, per operand (the SRAM traces' first column). */
  served: { ifmap: number[]; filter: number[]; ofmap: number[] };
} {
  const R = config.rows;
  const C = config.cols;
  const ratio = v3?.sparseRep ? layer.sparsity ?? { n: 1, m: 1 } : undefined;
  const rowWise = ratio && v3!.rowWise;
  if (rowWise && config.dataflow !== 'ws') throw new Error('row-wise N:M is WS only in v3');
  const pattern = ratio && !rowWise ? Array.from({ length: layerGemm(layer).k }, (_, k) => (k % ratio.m < ratio.n ? 1 : 0)) : undefined;
  const whole = operandMatrices(config, layer, pattern);
  const { dense, filter: denseFilter } = whole;
  const rows = share?.ofmapRows ?? { start: 0, count: whole.g.m };
  const g = { ...whole.g, m: rows.count };
  const ifmap = whole.ifmap.slice(rows.start, rows.start + rows.count);
  const ofmap = whole.ofmap.slice(rows.start, rows.start + rows.count);
  const ratios = rowWise ? rowWiseRatios(rowWise.seed, rowWise.blockSize, g.n) : [];
  const filter = rowWise ? rowWiseFilter(denseFilter, g.k, g.n, rowWise.blockSize, ratios) : denseFilter;
  const d = rowWise
    ? rowWiseDemand(R, C, rowWise.blockSize, ifmap, filter, ofmap, g.m, g.n, g.k)
    : demandMatrices(config.dataflow, R, C, ifmap, filter, ofmap, g.m, g.n, g.k, ratio && ratio.m / ratio.n, !!v3);
  const user = config.interfaceBandwidth === 'USER';
  const bw = config.bandwidthWordsPerCycle;
  // custom layouts: the ifmap's words without IfmapOffset (v3 adds none), the filter's with FilterOffset
  const il = v3?.layouts?.ifmap;
  const fl = v3?.layouts?.filter;
  const ifmapPrefetch = il ? customLayoutOrder([layer.ifmapHeight, layer.ifmapWidth, layer.channels], il, 0) : d.ifmapPrefetch;
  const filterPrefetch = fl ? customLayoutOrder([layer.numFilters, layer.channels, layer.filterHeight, layer.filterWidth], fl, config.filterOffset) : d.filterPrefetch;
  // Ramulator's latencies pace the USER-mode ports: reads default to 1 cycle, writes to 0
  const r = user ? v3?.ramulator : undefined;
  const port = (op: keyof RamulatorLatencies) => r && new RamulatorPortReference(r[op], op === 'ofmap' ? 0 : 1, op === 'ofmap' ? r.writeRequestBuffer : r.readRequestBuffer);
  const ifmapBuf = user ? new ReadBufferUser(sramWords(config.ifmapSramKiB), v3?.ifmapBandwidth ?? bw, ifmapPrefetch, !!v3, il, port('ifmap')) : new ReadBufferEstimateBw(sramWords(config.ifmapSramKiB), share?.bandwidth.ifmap);
  const filterBuf = user ? new ReadBufferUser(sramWords(config.filterSramKiB), v3?.filterBandwidth ?? bw, filterPrefetch, !!v3, fl, port('filter')) : new ReadBufferEstimateBw(sramWords(config.filterSramKiB), share?.bandwidth.filter);
  const ofmapBuf = new WriteBuffer(sramWords(config.ofmapSramKiB), user ? bw : share?.bandwidth.ofmap ?? C, port('ofmap'));
  if (share) {
    // built twice over, as krittika has them built
    d.mappingEff.push(...d.mappingEff);
    d.computeUtil.push(...d.computeUtil);
  }
  let stalls = 0;
  const ifmapServiced: number[] = [];
  const filterServiced: number[] = [];
  const ofmapServiced: number[] = [];
  for (let i = 0; i < d.ofmap.length; i++) {
    const cycle = i + stalls;
    const ifmapOut = ifmapBuf.serviceLine(d.ifmap[i]!, cycle);
    const filterOut = filterBuf.serviceLine(d.filter[i]!, cycle);
    ifmapServiced.push(ifmapOut);
    filterServiced.push(filterOut);
    const out = ofmapBuf.serviceLine(d.ofmap[i]!, cycle);
    ofmapServiced.push(out);
    stalls += Math.max(ifmapOut - cycle - 1, filterOut - cycle - 1, out - cycle);
  }
  if (ifmapBuf instanceof ReadBufferEstimateBw) ifmapBuf.completeAll();
  if (filterBuf instanceof ReadBufferEstimateBw) filterBuf.completeAll();
  const lastServiced = ofmapServiced[ofmapServiced.length - 1]!;
  const totalCycles = v3 ? ofmapServiced.reduce((a, b) => Math.max(a, b)) : lastServiced;
  ofmapBuf.emptyAll(lastServiced);
  const macs = g.m * g.n * dense.k;
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  const [ifmapSramStart, ifmapSramStop] = firstLastValid(d.ifmap, ifmapServiced);
  const [filterSramStart, filterSramStop] = firstLastValid(d.filter, filterServiced);
  const [ofmapSramStart, ofmapSramStop] = firstLastValid(d.ofmap, ofmapServiced);
  const startStop = (b: ReadBufferEstimateBw | ReadBufferUser): [number, number] => (b instanceof ReadBufferUser ? b.dramStartStop() : [b.traceFirst!, b.traceLast!]);
  const [[ifmapStart, ifmapStop], [filterStart, filterStop]] = [startStop(ifmapBuf), startStop(filterBuf)];
  const dramStart = { ifmap: ifmapStart, filter: filterStart, ofmap: ofmapBuf.traceFirst! };
  const dramStop = { ifmap: ifmapStop, filter: filterStop, ofmap: v3 ? ofmapBuf.traceMax : ofmapBuf.traceLast! };
  const dramReads = { ifmap: ifmapBuf.numAccess, filter: filterBuf.numAccess, ofmap: 0 };
  const dramWrites = { ifmap: 0, filter: 0, ofmap: ofmapBuf.numAccess };
  const dramTraces = { ifmap: ifmapBuf.trace, filter: filterBuf.trace, ofmap: ofmapBuf.trace };
  const result: LayerResult = {
    name: layer.name,
    totalCycles,
    stallCycles: stalls,
    overallUtilization: (macs * 100) / (totalCycles * R * C),
    mappingEfficiency: (sum(d.mappingEff) / d.mappingEff.length) * 100,
    computeUtilization: (sum(d.computeUtil) / d.computeUtil.length) * 100,
    macs,
    sramReads: { ifmap: d.ifmapReads, filter: d.filterReads, ofmap: 0 },
    sramWrites: { ifmap: 0, filter: 0, ofmap: d.ofmapWrites },
    dramReads,
    dramWrites,
    sramStart: { ifmap: ifmapSramStart, filter: filterSramStart, ofmap: ofmapSramStart },
    sramStop: { ifmap: ifmapSramStop, filter: filterSramStop, ofmap: ofmapSramStop },
    dramStart,
    dramStop,
    sramBandwidth: { ifmap: d.ifmapReads / totalCycles, filter: d.filterReads / totalCycles, ofmap: d.ofmapWrites / totalCycles },
    dramBandwidth: {
      ifmap: dramReads.ifmap / (dramStop.ifmap - dramStart.ifmap + 1),
      filter: dramReads.filter / (dramStop.filter - dramStart.filter + 1),
      ofmap: dramWrites.ofmap / (dramStop.ofmap - dramStart.ofmap + 1),
    },
    maxDramBandwidth: { ifmap: peakWords(dramTraces.ifmap), filter: peakWords(dramTraces.filter), ofmap: peakWords(dramTraces.ofmap) },
  };
  if (v3) result.totalCyclesWithPrefetch = dramStop.ofmap - Math.min(dramStart.ifmap, dramStart.filter);
  if (pattern) result.sparse = compressedFilter(v3!.sparseRep!, config.dataflow === 'ws', (k) => pattern[k] === 1, dense.k, g.n, g.k, ratio!.m, totalCycles);
  if (rowWise) result.sparse = compressedFilter(v3!.sparseRep!, false, (k, n) => k % rowWise.blockSize < ratios[n]!, dense.k, g.n, filter.length, ratio!.m, totalCycles);
  return { result, dramTraces, served: { ifmap: ifmapServiced, filter: filterServiced, ofmap: ofmapServiced } };
}
