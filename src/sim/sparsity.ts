// SCALE-Sim v3's layer-wise N:M sparsity (commit fab89b7, operand_matrix.py, compression.py,
// systolic_compute_ws.py), apart from what the wasm core simulates (the pruned operands): the
// filter's storage in each representation, its metadata, and the ifmap SRAM reads v3 counts in WS.
//
// A layer N:M keeps window element k iff k mod M < N: the ifmap matrix keeps those columns and the
// filter, condensed block by block, those rows, so every dataflow runs the dense layer's pipeline
// over K' = ⌊K/M⌋·N + min(K mod M, N) elements, while the MACs stay M·N·K.
import type { ConvLayer, Dataflow, LayerGemm, SparseFigures, SparsityConfig, SystolicConfig } from './types.js';

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

/** compression.py's storages of the layer's filter (K × N words before pruning). */
export function sparseFigures(representation: SparseFigures['representation'], dataflow: Dataflow, g: LayerGemm, ratio: { n: number; m: number }, totalCycles: number): SparseFigures {
  const kept = keptWindow(g.k, ratio) * g.n; // non-zeros
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
    metadata = (kept * indexBits(ratio.m)) / 32; // log2(M) bits per kept entry, 32-bit words
    stored = kept + metadata;
  }
  return {
    representation, originalFilterStorage: original, newStorage: stored, metadataStorage: metadata,
    metadataSramBandwidth: metadata / totalCycles, storageIsFloat: representation === 'ellpack_block', ifmapSramReadsIsFloat: dataflow === 'ws',
  };
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
  if (sparsity.optimizedMapping) throw fail(`layer '${layer.name}': row-wise N:M sparsity (OptimizedMapping) is not simulated; layer-wise N:M (OptimizedMapping false) is`);
  if (config.filterOffset === 0 && layerRatio(layer).n < layerRatio(layer).m) {
    throw fail(`layer '${layer.name}': sparsity with FilterOffset 0: SCALE-Sim v3 takes the filter word at address 0 for a pruned zero; give a positive FilterOffset`);
  }
  return sparsity;
}
