// The plain data the systolic-array simulator works on: an array configuration, a layer, and the
// figures SCALE-Sim v2 reports for one layer. Imports nothing.


export type Dataflow = 'os' | 'ws' | 'is';
export const DATAFLOWS: readonly Dataflow[] = ['os', 'ws', 'is'];

/** A systolic array and its scratchpads, as SCALE-Sim's `.cfg` describes it. Immutable once built. */
export interface SystolicConfig {
  readonly runName: string;
  readonly rows: number; // ArrayHeight: PE rows (R)
  readonly cols: number; // ArrayWidth: PE columns (C)
  readonly ifmapSramKiB: number; // IfmapSramSzkB; one word is one byte, so words = 1024 × KiB
  readonly filterSramKiB: number; // FilterSramSzkB
  readonly ofmapSramKiB: number; // OfmapSramSzkB
  readonly ifmapOffset: number; // base address of the ifmap operand (traces only)
  readonly filterOffset: number;
  readonly ofmapOffset: number;
  readonly dataflow: Dataflow;
  /** CALC: SCALE-Sim estimates DRAM bandwidth (reads never stall); USER: DRAM moves `bandwidthWordsPerCycle`. */
  readonly interfaceBandwidth: 'CALC' | 'USER';
  readonly bandwidthWordsPerCycle: number; // Bandwidth (first value of the list); read in USER mode only
}

/** One convolution (a GEMM is the conv [M, K, 1, K, 1, N, 1, 1]); no padding, no batch, as in SCALE-Sim. */
export interface ConvLayer {
  readonly name: string;
  readonly ifmapHeight: number;
  readonly ifmapWidth: number;
  readonly filterHeight: number;
  readonly filterWidth: number;
  readonly channels: number;
  readonly numFilters: number;
  readonly strideHeight: number;
  readonly strideWidth: number;
  /**
   * SCALE-Sim v3's `Sparsity` column, N non-zeros in every M filter elements. Absent in v2 files and
   * in layers built in code (dense); simulated when sparsity support is on (SimulatorOptions.sparsity).
   */
  readonly sparsity?: NmSparsity;
}

/** An `N:M` ratio: N non-zero elements in every block of M (1 ≤ N ≤ M; `1:1` is dense). */
export interface NmSparsity {
  readonly n: number;
  readonly m: number;
}

/** Which SCALE-Sim release a config or topology file is written for. */
export type ScalesimVersion = 2 | 3;

/** One operand's scratchpad banks, SCALE-Sim v3's `[layout]` section. */
export interface SramBankLayout {
  readonly customLayout: boolean; // {Ifmap,Filter}CustomLayout: read the layout CSV instead of the default order
  readonly bankBandwidth: number; // {Ifmap,Filter}SRAMBankBandwidth, words per cycle; v3's DRAM read rate of the operand in USER mode
  readonly banks: number; // {Ifmap,Filter}SRAMBankNum
  readonly ports: number; // {Ifmap,Filter}SRAMBankPort
}

/**
 * How one operand is laid out in its SRAM lines: a row of a SCALE-Sim v3 layout file. v3 pads each
 * dimension to a multiple of its intraline factor, splits it into (lines, factor), puts the line
 * axes first and the factor axes after (ifmap: nX, nY, nC, fX, fY, fC; filter: nK, nC, nR, nS, fK,
 * fC, fR, fS) and transposes by `order` (its interline order, then its intraline order).
 */
export interface OperandLayout {
  readonly factors: readonly number[]; // intraline factors: ifmap [X (height), Y (width), C]; filter [K (filters), C, R (height), S (width)]
  readonly order: readonly number[]; // a permutation of the 6 (ifmap) or 8 (filter) axes above
}

/** The layout v3 applies to every layer: the first row of its layout file (`-l`), with where it was read. */
export interface ScalesimLayout {
  readonly name: string; // the row's layer name
  readonly source: string; // 'file:line', for messages
  readonly ifmap: OperandLayout;
  readonly filter: OperandLayout;
}

/** SCALE-Sim v3's `[sparsity]` section, as v3 reads it (the other keys only when SparsitySupport is on). */
export interface SparsityConfig {
  readonly support: boolean; // SparsitySupport
  readonly representation?: 'csr' | 'csc' | 'ellpack_block'; // SparseRep, when support
  readonly optimizedMapping: boolean; // OptimizedMapping: row-wise N:M instead of layer-wise
  readonly blockSize?: number; // BlockSize, M of row-wise N:M, when optimizedMapping (≤ ArrayHeight)
  readonly randomSeed?: number; // RandomNumberGeneratorSeed, when support
}

/** What a SCALE-Sim v3 `.cfg` adds to v2's keys. Immutable once built. */
export interface ScalesimV3Config {
  readonly readRequestBuffer: number; // [architecture_presets] ReadRequestBuffer, entries
  readonly writeRequestBuffer: number; // WriteRequestBuffer, entries
  readonly useRamulatorTrace: boolean; // [run_presets] UseRamulatorTrace
  readonly layout: { readonly ifmap: SramBankLayout; readonly filter: SramBankLayout };
  readonly sparsity: SparsityConfig;
  /** v3 keys the file leaves out (v3 itself stops at them), taken from v3's own defaults (scale_config's constructor). */
  readonly defaulted: readonly string[];
}

/** v3's SPARSE_REPORT.csv row, and which of its figures v3 holds as Python floats (printed with a '.'). */
export interface SparseFigures {
  representation: 'csr' | 'csc' | 'ellpack_block';
  originalFilterStorage: number; // K·N words
  newStorage: number; // condensed filter plus metadata
  metadataStorage: number; // words; also the metadata v3 reads from the filter SRAM
  metadataSramBandwidth: number; // metadata / Total Cycles
  storageIsFloat: boolean; // blocked ELLPACK counts metadata in fractions of a word
  ifmapSramReadsIsFloat: boolean; // WS: v3 counts the ifmap SRAM reads × M/N (wsSparseIfmapReads)
}

/** Per-operand counts: `ifmap`, `filter`, `ofmap`. */
export interface OperandCounts {
  ifmap: number;
  filter: number;
  ofmap: number;
}

/** Everything SCALE-Sim v2 reports for one layer (its three CSV reports), in words and cycles. */
export interface LayerResult {
  name: string;
  totalCycles: number;
  /** SCALE-Sim v3's 'Total Cycles (incl. prefetch)': DRAM OFMAP stop − the earlier of the DRAM IFMAP and Filter starts. v3 runs only. */
  totalCyclesWithPrefetch?: number;
  /** SCALE-Sim v3's sparse figures (its SPARSE_REPORT.csv row), when sparsity support is on. */
  sparse?: SparseFigures;
  stallCycles: number;
  overallUtilization: number; // percent, as SCALE-Sim's "Overall Util %"
  mappingEfficiency: number; // percent
  computeUtilization: number; // percent
  macs: number; // M·N·K, SCALE-Sim's num_compute
  sramReads: OperandCounts; // ofmap: always 0 (the array never reads partial sums back)
  sramWrites: OperandCounts; // ifmap and filter: 0
  dramReads: OperandCounts; // ofmap: 0
  dramWrites: OperandCounts; // ifmap and filter: 0
  /** First and last service cycles per operand, as DETAILED_ACCESS_REPORT.csv. */
  sramStart: OperandCounts;
  sramStop: OperandCounts;
  dramStart: OperandCounts;
  dramStop: OperandCounts;
  /** Average words per cycle, as BANDWIDTH_REPORT.csv. */
  sramBandwidth: OperandCounts;
  dramBandwidth: OperandCounts;
  /**
   * Maximum DRAM bandwidth demand (mapwise's, not in SCALE-Sim's reports), words per cycle: the most
   * words one cycle of the operand's DRAM trace moves (ifmap and filter reads, ofmap writes), counted
   * as the DRAM reads and writes count them (for reads never below `dramBandwidth`). CALC: the fastest rate
   * at which a prefetch window must arrive (SCALE-Sim spreads each window over the cycles between
   * the two flushes before it; the first at 10 words per cycle), i.e. the interface bandwidth its
   * schedule needs. USER: the configured Bandwidth (stall cycles show whether it suffices). Ofmap:
   * the drain rate, ArrayWidth (CALC) or Bandwidth (USER) words per cycle, summed where drains meet.
   */
  maxDramBandwidth: OperandCounts;
}

/** M (ofmap pixels per filter), N (filters), K (window) and the ofmap size, with SCALE-Sim's ceil rule. */
export interface LayerGemm {
  ofmapHeight: number;
  ofmapWidth: number;
  m: number;
  n: number;
  k: number;
}

/** SCALE-Sim's output size, ceil((H − F + S) / S): one more than a valid conv when (H − F) mod S ≠ 0. */
export function layerGemm(layer: ConvLayer): LayerGemm {
  const ofmapHeight = Math.ceil((layer.ifmapHeight - layer.filterHeight + layer.strideHeight) / layer.strideHeight);
  const ofmapWidth = Math.ceil((layer.ifmapWidth - layer.filterWidth + layer.strideWidth) / layer.strideWidth);
  return {
    ofmapHeight,
    ofmapWidth,
    m: ofmapHeight * ofmapWidth,
    n: layer.numFilters,
    k: layer.filterHeight * layer.filterWidth * layer.channels,
  };
}

/** A GEMM row `M, N, K` as SCALE-Sim maps it: ifmap M×K, filter 1×K, one channel, N filters. */
export function gemmLayer(name: string, m: number, n: number, k: number): ConvLayer {
  return { name, ifmapHeight: m, ifmapWidth: k, filterHeight: 1, filterWidth: k, channels: 1, numFilters: n, strideHeight: 1, strideWidth: 1 };
}

/** SCALE-Sim stores one byte per word; its buffers hold 1024 words per kB. */
export function sramWords(kib: number): number {
  return 1024 * kib;
}
