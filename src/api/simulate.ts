// `simulate(model, options) → Promise<SimulateReport>`: a network on a systolic array, layer by
// layer through the wasm simulator (figures as SCALE-Sim v2 reports them), with energy and area.
// The model is a Graph or zoo name (its conv and GEMM nodes become SCALE-Sim rows),
// `scalesim:<network>` (SCALE-Sim's bundled topologies), or a list of ConvLayer rows.
import { getCore } from '../core/load.js';
import { parseSystolicTargetSpec, SYSTOLIC_PRESETS, systolicTarget, type SystolicTarget } from '../hw/systolic.js';
import { ENERGY_TABLES } from '../sim/energy.js';
import { graphTopology } from '../sim/from-graph.js';
import { type NetworkResult, networkResult } from '../sim/network.js';
import { scalesimNetwork } from '../sim/networks.js';
import { Simulator } from '../sim/simulate.js';
import { type ConvLayer, DATAFLOWS, type Dataflow, type LayerResult, type SparsityConfig } from '../sim/types.js';
import { checkOptions, isPlainObject, OptionsError } from '../base/options.js';
import { type ProgressEvent, throwIfAborted, yieldToEventLoop } from './check.js';
import { type ModelInput, modelSpecOf, resolveModel } from './model.js';

export interface SimulateOptions {
  /** 'systolic', 'systolic:<google|eyeriss|scale>', or fields overriding the scale preset (default 'systolic:scale'). */
  target?: string | Partial<SystolicTarget>;
  /** Overrides the target's dataflow. */
  dataflow?: Dataflow;
  /** Per-access energies and areas: 'horowitz45nm' (default) or 'eyeriss'. */
  energyTable?: string;
  /**
   * SCALE-Sim v3's N:M sparsity: `{ support: true, representation: 'csr' | 'csc' | 'ellpack_block' }`
   * prunes each layer by its own `sparsity` (N:M, dense without one) layer-wise; with
   * `optimizedMapping: true`, row-wise (WS only) with `blockSize` (default 4) and `randomSeed`
   * (default 40), as v3 does. Layers then carry `sparse`, v3's SPARSE_REPORT.csv row.
   */
  sparsity?: Partial<SparsityConfig>;
  onProgress?: (event: ProgressEvent) => void;
  signal?: AbortSignal;
}

export interface SimulateReport extends NetworkResult {
  model: string;
  /** Nodes with MACs that have no SCALE-Sim row (e.g. ConvTranspose), by name and op. */
  skipped: { name: string; op: string; macs: number }[];
}

const TARGETS = ['systolic', ...Object.keys(SYSTOLIC_PRESETS).map((p) => `systolic:${p}`)];

const SPEC = {
  target: { type: 'string|object', oneOf: TARGETS },
  dataflow: { type: 'string', oneOf: DATAFLOWS },
  energyTable: { type: 'string', oneOf: Object.keys(ENERGY_TABLES) },
  sparsity: { type: 'object' },
  onProgress: { type: 'function' },
  signal: { type: 'signal' },
} as const;

const SPARSITY_SPEC = {
  support: { type: 'boolean' },
  representation: { type: 'string', oneOf: ['csr', 'csc', 'ellpack_block'] },
  optimizedMapping: { type: 'boolean' },
  blockSize: { type: 'number', integer: true, min: 2 },
  randomSeed: { type: 'number', integer: true, min: 0, max: 2 ** 32 - 1 },
} as const;

/** The sparsity option with v3's defaults; undefined when support is off. */
function sparsityOf(option: unknown): SparsityConfig | undefined {
  const s = checkOptions<Partial<SparsityConfig>>('simulate: option sparsity', option, SPARSITY_SPEC, 'field');
  if (!s.support) return undefined;
  if (!s.representation) throw new OptionsError("simulate: option sparsity: field 'representation' is required with support: 'csr', 'csc' or 'ellpack_block'", { field: 'sparsity' });
  const optimizedMapping = s.optimizedMapping ?? false;
  return { support: true, representation: s.representation, optimizedMapping, ...(optimizedMapping ? { blockSize: s.blockSize ?? 4, randomSeed: s.randomSeed ?? 40 } : {}) };
}

/** Layers simulated between two yields to the event loop when a signal can cancel the call. */
const LAYERS_PER_YIELD = 8;

function layersOf(model: ModelInput | readonly ConvLayer[]): { name: string; layers: ConvLayer[]; skipped: SimulateReport['skipped'] } {
  if (Array.isArray(model)) {
    model.forEach((layer, i) => {
      if (!isPlainObject(layer)) throw new OptionsError(`simulate: layer ${i} must be a plain object (a ConvLayer)`, { field: 'model' });
    });
    return { name: 'layers', layers: model.slice(), skipped: [] };
  }
  if (typeof model === 'string') {
    const spec = modelSpecOf('simulate', model, ['zoo', 'synthetic', 'dnnlike', 'scalesim']);
    if (spec.kind === 'scalesim') return { name: `scalesim:${spec.network}`, layers: scalesimNetwork(spec.network), skipped: [] };
  }
  const graph = resolveModel('simulate', model);
  return { name: graph.name, ...graphTopology(graph) };
}

export async function simulate(model: ModelInput | readonly ConvLayer[], options?: SimulateOptions): Promise<SimulateReport> {
  const o = checkOptions<SimulateOptions>('simulate', options, SPEC);
  let target: SystolicTarget =
    typeof o.target === 'object' ? systolicTarget(o.target) : systolicTarget({}, parseSystolicTargetSpec(o.target ?? 'systolic:scale'));
  if (o.dataflow) target = systolicTarget({ ...target, dataflow: o.dataflow });
  const table = ENERGY_TABLES[o.energyTable ?? 'horowitz45nm']!;
  const sparsity = sparsityOf(o.sparsity);
  const { name, layers, skipped } = layersOf(model);
  const sim = new Simulator(await getCore());
  const results: LayerResult[] = [];
  let cycles = 0;
  try {
    for (let i = 0; i < layers.length; i++) {
      throwIfAborted(o.signal);
      o.onProgress?.({ step: 'layers', done: i, total: layers.length, cycles });
      const result = sim.layer(target, layers[i]!, { sparsity });
      cycles += result.totalCycles;
      results.push(result);
      if (o.signal && i % LAYERS_PER_YIELD === LAYERS_PER_YIELD - 1) await yieldToEventLoop();
    }
  } finally {
    sim.free();
  }
  o.onProgress?.({ step: 'layers', done: layers.length, total: layers.length, cycles });
  return { model: name, skipped, ...networkResult(target, results, table) };
}
