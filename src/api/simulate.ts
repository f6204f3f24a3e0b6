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
import { type ConvLayer, DATAFLOWS, type Dataflow, type LayerResult } from '../sim/types.js';
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
  onProgress: { type: 'function' },
  signal: { type: 'signal' },
} as const;

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
  const { name, layers, skipped } = layersOf(model);
  const sim = new Simulator(await getCore());
  const results: LayerResult[] = [];
  let cycles = 0;
  try {
    for (let i = 0; i < layers.length; i++) {
      throwIfAborted(o.signal);
      o.onProgress?.({ step: 'layers', done: i, total: layers.length, cycles });
      const result = sim.layer(target, layers[i]!);
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
