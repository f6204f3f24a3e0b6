// SCALE-Sim v3's N:M sparsity (commit fab89b7, operand_matrix.py, compression.py,
// systolic_compute_ws.py), apart from what the wasm core simulates (the pruned operands): the
// filter's storage in each representation, its metadata, and the ifmap SRAM reads v3 counts in WS.
//
// Layer-wise (OptimizedMapping false): a layer N:M keeps window element k iff k mod M < N: the
// ifmap matrix keeps those columns and the filter, condensed block by block, those rows, so every
// dataflow runs the dense layer's pipeline over K' = ⌊K/M⌋·N + min(K mod M, N) elements, while the
// MACs stay M·N·K. Row-wise (OptimizedMapping true, WS only): filter column n keeps N_n of every
// BlockSize rows (N_n from numpy's seeded RNG, rowWiseRatios), and every 2·BlockSize rows condense
// to BlockSize; the ifmap stays whole, each fold streaming 2R of its columns.
import type { ConvLayer, LayerGemm, SparseFigures, SparsityConfig, SystolicConfig } from './types.js';

/** The layer's N:M (1:1 when its topology row has none, as v3 reads it). */
export function layerRatio(layer: ConvLayer): { n: number; m: number } {
  return layer.sparsity ?? { n: 1, m: 1 };
}

/** Window elements a layer-wise N:M layer keeps. */
export function keptWindow(k: number, { n, m }: { n: number; m: number }): number {
  return Math.floor(k / m) * n + Math.min(k % m, n);
}

/** ⌈log2 m⌉, the metadata bits of one blocked-ELLPACK entry. */
function indexBits(m: number): number {
  let bits = 0;
  while (2 ** bits < m) bits++;
  return bits;
}

/** The filter after pruning: its non-zeros and the rows of its condensed matrix. */
export interface PrunedFilter {
  nonzeros: number;
  condensedRows: number;
}

export function layerWiseFilter(g: LayerGemm, ratio: { n: number; m: number }): PrunedFilter {
  const rows = keptWindow(g.k, ratio);
  return { nonzeros: rows * g.n, condensedRows: rows };
}

export function rowWiseFilter(g: LayerGemm, blockSize: number, ratios: readonly number[]): PrunedFilter {
  let nonzeros = 0;
  for (const n of ratios) nonzeros += keptWindow(g.k, { n, m: blockSize });
  return { nonzeros, condensedRows: Math.ceil(g.k / (2 * blockSize)) * blockSize };
}

/** compression.py's storages of the layer's filter (K × N words before pruning); ELLPACK's metadata takes log2 of the layer's own M. */
export function sparseFigures(representation: SparseFigures['representation'], ifmapReadsFloat: boolean, g: LayerGemm, pruned: PrunedFilter, layerM: number, totalCycles: number): SparseFigures {
  const kept = pruned.nonzeros;
  const original = g.k * g.n;
  let metadata: number;
  let stored: number;
  if (representation === 'csr') {
    metadata = kept + g.k + 1; // column ids and row pointers
    stored = kept + metadata;
  } else if (representation === 'csc') {
    metadata = kept + g.n + 1;
    stored = kept + metadata;
  } else {
    const entries = pruned.condensedRows * g.n;
    metadata = (entries * indexBits(layerM)) / 32; // log2(M) bits per condensed entry, 32-bit words
    stored = entries + metadata;
  }
  return {
    representation, originalFilterStorage: original, newStorage: stored, metadataStorage: metadata,
    metadataSramBandwidth: metadata / totalCycles, storageIsFloat: representation === 'ellpack_block', ifmapSramReadsIsFloat: ifmapReadsFloat,
  };
}

/** Row-wise WS ifmap SRAM reads: every fold's fanned-out demand, T + R − 1 lines of R·BlockSize words. */
export function rowWiseIfmapReads(config: SystolicConfig, g: LayerGemm, blockSize: number): number {
  const folds = Math.ceil(Math.ceil(g.k / (2 * blockSize)) * blockSize / config.rows) * Math.ceil(g.n / config.cols);
  return folds * (g.m + config.rows - 1) * config.rows * blockSize;
}

/**
 * WS ifmap SRAM reads as v3 counts them with sparsity on: each fold's block (M rows × its columns)
 * times M/N of the layer's ratio (a block of inputs is read once per row sharing it), summed in
 * v3's fold order as floats.
 */
export function wsSparseIfmapReads(config: SystolicConfig, g: LayerGemm, ratio: { n: number; m: number }): number {
  const kept = keptWindow(g.k, ratio);
  const rowFolds = Math.ceil(kept / config.rows);
  const colFolds = Math.ceil(g.n / config.cols);
  let reads = 0;
  for (let fc = 0; fc < colFolds; fc++) {
    for (let fr = 0; fr < rowFolds; fr++) reads += g.m * Math.min(config.rows, kept - fr * config.rows) * (ratio.m / ratio.n);
  }
  return reads;
}

/** The sparsity a run simulates: none when support is off. Throws for what v3 does that is not simulated. */
export function checkSparsity(sparsity: SparsityConfig | undefined, config: SystolicConfig, layer: ConvLayer, fail: (message: string) => Error): SparsityConfig | undefined {
  if (!sparsity?.support) return undefined;
  if (sparsity.optimizedMapping) {
    const b = sparsity.blockSize!;
    if (config.dataflow !== 'ws') throw fail(`layer '${layer.name}': row-wise N:M sparsity (OptimizedMapping) is mapped in WS only: SCALE-Sim v3's ${config.dataflow.toUpperCase()} stops at its operands' dimension mismatch`);
    if (b % 2 !== 0 || b > config.rows || (2 * config.rows) % b !== 0) {
      throw fail(`layer '${layer.name}': row-wise N:M needs an even BlockSize of at most ArrayHeight (${config.rows}) dividing ${2 * config.rows}, got ${b}: SCALE-Sim v3 fans blocks of it out to BlockSize/2 rows`);
    }
  }
  if (config.filterOffset === 0 && (sparsity.optimizedMapping || layerRatio(layer).n < layerRatio(layer).m)) {
    throw fail(`layer '${layer.name}': sparsity with FilterOffset 0: SCALE-Sim v3 takes the filter word at address 0 for a pruned zero; give a positive FilterOffset`);
  }
  return sparsity;
}

/**
 * The N of each filter column under v3's row-wise N:M (OptimizedMapping): numpy's legacy
 * `np.random.seed(seed)` then one `np.random.randint(1, blockSize // 2 + 1)` per column, i.e.
 * MT19937 32-bit draws masked to the range's bits and redrawn until in range (none when the range
 * holds one value). v3 reseeds for every layer, so every layer draws the same sequence.
 */
export function rowWiseRatios(seed: number, blockSize: number, columns: number): number[] {
  const range = Math.floor(blockSize / 2) - 1; // randint's high − 1 − low
  let mask = 0;
  while (mask < range) mask = mask * 2 + 1;
  const next = mt19937(seed);
  return Array.from({ length: columns }, () => {
    if (range === 0) return 1;
    let v: number;
    do v = next() & mask; while (v > range);
    return 1 + v;
  });
}

/** MT19937 seeded as numpy's mt19937_seed (init_genrand), giving genrand_int32's draws. */
function mt19937(seed: number): () => number {
  const mt = new Uint32Array(624);
  mt[0] = seed >>> 0;
  for (let i = 1; i < 624; i++) {
    const x = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
    mt[i] = (Math.imul(1812433253, x) + i) >>> 0;
  }
  let index = 624;
  return () => {
    if (index >= 624) {
      for (let i = 0; i < 624; i++) {
        const y = (mt[i]! & 0x80000000) | (mt[(i + 1) % 624]! & 0x7fffffff);
        mt[i] = mt[(i + 397) % 624]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      index = 0;
    }
    let y = mt[index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  };
}
