// krittika's partition manager (partition_manager.py at 2cf6c8e): how each conv or GEMM layer is
// split over the cores — input parts (rows of the ifmap operand matrix, i.e. ofmap pixels) times
// filter parts (columns of the filter matrix) — and on which unit and dataflow. USER reads the
// partition file; AUTO, CONST_DF, IFMAP and FILTER pick the pair of factors of the core count and
// the dataflow with the least analytical runtime. krittika's quirks, kept:
//  1. the search's M is the ofmap's pixels times its filters (get_layer_num_ofmap_px), not its pixels;
//  2. the parts it returns are the candidate's, not the ones its runtime formula clamped them to;
//  3. a clamp of 0 parts (fewer filters than array columns in OS/WS, fewer ofmap values than the
//     array's side in OS/IS) divides by zero: krittika stops;
//  4. AUTO and CONST_DF tables hold rows for conv and GEMM layers only, IFMAP and FILTER also one for
//     each activation (a copy of the row before), and every table is looked up by layer position.
import { SimulationError } from './simulate.js';
import type { KrittikaConfig, KrittikaLayer, KrittikaPartition } from './krittika-files.js';
import { type Dataflow, layerGemm } from './types.js';

/** StaticUtilities.get_factors_as_pairs: (a, n/a) for a up to √n, then the same pairs swapped, largest a first. */
export function factorPairs(n: number): [number, number][] {
  const pairs: [number, number][] = [];
  for (let a = 1; a <= Math.floor(Math.sqrt(n)); a++) if (n % a === 0) pairs.push([a, n / a]);
  const swapped = pairs.filter(([a, b]) => a !== b).map(([a, b]): [number, number] => [b, a]).reverse();
  return [...pairs, ...swapped];
}

/** get_mat_mul_analytical_runtime: folds × (2R + C + T − 2); undefined where krittika divides by zero. */
export function analyticalRuntime(m: number, n: number, k: number, df: Dataflow, rows: number, cols: number, inputParts: number, filterParts: number): number | undefined {
  const [maxInput, maxFilter] = df === 'os' ? [Math.floor(m / rows), Math.floor(n / cols)] : df === 'ws' ? [m, Math.floor(n / cols)] : [Math.floor(m / cols), n];
  const input = Math.min(maxInput, inputParts);
  const filter = Math.min(maxFilter, filterParts);
  if (input === 0 || filter === 0) return undefined;
  const mp = Math.ceil(m / input);
  const np = Math.ceil(n / filter);
  const [sr, sc, t] = df === 'os' ? [mp, np, k] : df === 'ws' ? [k, np, mp] : [k, mp, np];
  return (2 * rows + cols + t - 2) * Math.ceil(sr / rows) * Math.ceil(sc / cols);
}

const NO_RUNTIME = 10 ** 10; // krittika's initial best: a search that never beats it keeps os, 1 × 1

function searchUnit(unit: 'matmul' | 'vector', dims: (df: Dataflow) => [number, number], pairs: [number, number][], dataflows: readonly Dataflow[], layer: Extract<KrittikaLayer, { kind: 'conv' | 'gemm' }>): { runtime: number; row: KrittikaPartition } {
  const g = layerGemm(layer.layer);
  const m = g.m * g.n; // quirk 1
  let best = { runtime: NO_RUNTIME, row: { inputParts: 1, filterParts: 1, unit, dataflow: 'os' as Dataflow, source: layer.source } };
  for (const [inputParts, filterParts] of pairs) {
    for (const df of dataflows) {
      const [rows, cols] = dims(df);
      const runtime = analyticalRuntime(m, g.n, g.k, df, rows, cols, inputParts, filterParts);
      if (runtime === undefined) {
        throw new SimulationError(`${layer.source}: krittika's partition search divides by zero on this layer (${g.n} filters, ${m} ofmap values) for ${inputParts} × ${filterParts} parts on a ${rows}×${cols} ${unit} ${df.toUpperCase()} array; give a USER partition file`);
      }
      if (runtime < best.runtime) best = { runtime, row: { inputParts, filterParts, unit, dataflow: df, source: layer.source } };
    }
  }
  return best;
}

/** The row krittika's search picks for one layer: the matmul unit's best unless the vector unit's is no slower. */
function searchLayer(config: KrittikaConfig, pairs: [number, number][], fixed: boolean, layer: Extract<KrittikaLayer, { kind: 'conv' | 'gemm' }>): KrittikaPartition {
  const all: readonly Dataflow[] = ['os', 'is', 'ws'];
  const matmul = config.matmul && searchUnit('matmul', () => [config.matmul!.rows, config.matmul!.cols], pairs, fixed ? [config.matmul.dataflow] : all, layer);
  const vector = config.vector && searchUnit('vector', (df) => (df === 'ws' ? [1, config.vector!.dim] : [config.vector!.dim, 1]), pairs, fixed ? [config.vector.dataflow] : all, layer);
  if (matmul && vector) return matmul.runtime < vector.runtime ? matmul.row : vector.row;
  return (matmul ?? vector)!.row;
}

/**
 * The partition table krittika looks layers up in, by position (quirk 4): the user's rows, or the
 * searched ones. `user` is the partition file's rows (USER).
 */
export function partitionTable(config: KrittikaConfig, layers: readonly KrittikaLayer[], user?: readonly KrittikaPartition[]): readonly KrittikaPartition[] {
  const strategy = config.partitionStrategy;
  if (strategy === 'USER') {
    if (!user) throw new SimulationError('partition strategy USER needs krittika\'s partition file (simulate --partition FILE)', { field: 'partition' });
    return user;
  }
  if (!config.matmul && !config.vector) throw new SimulationError(`partition strategy ${strategy} searches the matmul and vector units: the config has neither`, { field: 'partition strategy' });
  if (strategy !== 'AUTO' && (!config.matmul || !config.vector)) {
    // IFMAP, FILTER and CONST_DF read both units' default dataflows, and krittika asserts each is present
    throw new SimulationError(`partition strategy ${strategy} reads the default dataflows of both units: krittika stops unless matmul core present and vector core present are both True`, { field: 'partition strategy' });
  }
  const n = config.cores;
  const pairs = strategy === 'IFMAP' ? [[n, 1]] as [number, number][] : strategy === 'FILTER' ? [[1, n]] as [number, number][] : factorPairs(n);
  const table: KrittikaPartition[] = [];
  for (const layer of layers) {
    if (layer.kind !== 'activation') table.push(searchLayer(config, pairs, strategy !== 'AUTO', layer));
    else if (strategy === 'IFMAP' || strategy === 'FILTER') table.push(table.at(-1)!); // the row before, again (the first layer is never an activation)
  }
  return table;
}
