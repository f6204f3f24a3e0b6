// `simulate(model, options) → Promise<SimulateReport>`: a network on a systolic array, layer by
// layer through the wasm simulator (figures as SCALE-Sim reports them), with energy and area,
// each distinct layer shape simulated once. The model is a Graph or zoo spec (its conv and GEMM
// nodes become SCALE-Sim rows), `scalesim:<network>` (SCALE-Sim's bundled topologies), a SCALE-Sim
// topology's text, or a list of ConvLayer rows; the array a target or a SCALE-Sim `.cfg`'s text.
// `mapwise simulate`, the edge's /simulate and the demo are shells over this.
import { getCore } from '../core/load.js';
import { parseSystolicTargetSpec, systolicTarget, type SystolicTarget } from '../hw/systolic.js';
import { parseScalesimConfig, type ScalesimConfigFile, scalesimNotModelled, V3_DEFAULTS, validateConfig } from '../sim/config.js';
import { arrayArea, type AreaEstimate, ENERGY_TABLES, type EnergyEstimate, type EnergyTable, energyTable, layerEnergy } from '../sim/energy.js';
import { scalesimNetwork } from '../sim/networks.js';
import { type SimulatorOptions as LayerOptions, Simulator, USER_MODE_WORK_LIMIT } from '../sim/simulate.js';
import { parseScalesimTopology } from '../sim/topology.js';
import { parseScalesimLayout } from '../sim/layout.js';
import type { RamulatorLatencies } from '../sim/ramulator.js';
import { type ConvLayer, DATAFLOWS, type Dataflow, type LayerResult, type ScalesimV3Config, type SparsityConfig, type SystolicConfig } from '../sim/types.js';
import { checkOptions, isPlainObject, OptionsError } from '../base/options.js';
import { modelSpecOf, type ProgressEvent, throwIfAborted, yieldToEventLoop } from './check.js';
import type { ModelInput } from './model.js';

/** The defaults of the options below, written once (the CLI's help shows them). */
export const SIMULATE_DEFAULTS = { target: 'systolic:scale', energyTable: 'horowitz45nm', userModeWorkLimit: USER_MODE_WORK_LIMIT } as const;

/** A SCALE-Sim file's text, and its name for errors (which give file:line). */
export interface ScalesimText {
  text: string;
  source?: string;
}

/** A SCALE-Sim topology CSV: conv rows, or `name, M, N, K` rows with `gemm`. */
export interface ScalesimTopology extends ScalesimText {
  gemm?: boolean;
}

export type SimulateModel = ModelInput | readonly ConvLayer[] | ScalesimTopology;

export interface SimulateOptions {
  /** 'systolic', 'systolic:<google|eyeriss|scale>', or fields overriding the scale preset (default SIMULATE_DEFAULTS.target). */
  target?: string | Partial<SystolicTarget>;
  /** A SCALE-Sim `.cfg` (v2, or v3 with its memory model and sparsity) instead of `target`. */
  scalesimConfig?: ScalesimText;
  /**
   * SCALE-Sim v3's layout file (its `-l`): needed when the v3 `scalesimConfig` turns on
   * IfmapCustomLayout or FilterCustomLayout; v3 applies its first row to every layer.
   */
  scalesimLayout?: ScalesimText;
  /** Read `scalesimConfig` and a topology as this SCALE-Sim release (default: by their contents). */
  scalesimVersion?: 2 | 3;
  /**
   * With a v3 `scalesimConfig` whose UseRamulatorTrace is True (USER mode): each layer's DRAM
   * latencies in cycles, in topology order, `{ ifmap, filter, ofmap }` arrays of numbers: what v3
   * reads from results/_ifmapFile{i}.npy, _filterFile{i}.npy and _ofmapFile{i}.npy (Ramulator's
   * output; mapwise runs no Ramulator). Without them such a run is simulated as with it False and
   * `scalesim.notModelled` says what v3 would read.
   */
  ramulatorLatencies?: readonly RamulatorLatencies[];
  /** Overrides the array's dataflow. */
  dataflow?: Dataflow;
  /** Per-access energies and areas: 'horowitz45nm' (default) or 'eyeriss'. */
  energyTable?: string;
  /** Entries of the energy table overridden, e.g. `{ macPJ: 0.5 }`. */
  energy?: Partial<EnergyTable>;
  /** Correct SCALE-Sim's cycle accounting instead of matching it (src/sim/simulate.ts lists what). */
  fixScalesimQuirks?: boolean;
  /** InterfaceBandwidth USER: refuse layers whose walk exceeds this many demanded words plus lines (default SIMULATE_DEFAULTS). */
  userModeWorkLimit?: number;
  /**
   * SCALE-Sim v3's N:M sparsity: `{ support: true, representation: 'csr' | 'csc' | 'ellpack_block' }`
   * prunes each layer by its own `sparsity` (N:M, dense without one) layer-wise; with
   * `optimizedMapping: true`, row-wise (WS only) with `blockSize` (default 4) and `randomSeed`
   * (default 40), as v3 does. Layers then carry `sparse`, v3's SPARSE_REPORT.csv row.
   * Default: a v3 `scalesimConfig`'s [sparsity], else none.
   */
  sparsity?: Partial<SparsityConfig>;
  /**
   * Before each layer: `done` layers of `total`, and `cycles`, the array cycles simulated so far
   * (the work: a repeated layer shape adds none). Throwing stops the call.
   */
  onProgress?: (event: ProgressEvent) => void;
  signal?: AbortSignal;
}

export interface NetworkTotals {
  layers: number;
  totalCycles: number;
  stallCycles: number;
  macs: number;
  overallUtilization: number; // percent, MAC-weighted over the network
  sramReads: number;
  sramWrites: number;
  dramReads: number;
  dramWrites: number;
  energyPJ: number;
}

export interface NetworkResult {
  config: SystolicConfig;
  layers: (LayerResult & { energy: EnergyEstimate })[];
  totals: NetworkTotals;
  area: AreaEstimate;
  energyTable: EnergyTable;
}

/** The per-layer figures with their energy, the network's totals, and the array's area. */
function networkResult(config: SystolicConfig, layers: readonly LayerResult[], table: EnergyTable): NetworkResult {
  const withEnergy = layers.map((l) => ({ ...l, energy: layerEnergy(l, table) }));
  const sum = (f: (l: LayerResult & { energy: EnergyEstimate }) => number): number => withEnergy.reduce((a, l) => a + f(l), 0);
  const totalCycles = sum((l) => l.totalCycles);
  const macs = sum((l) => l.macs);
  return {
    config,
    layers: withEnergy,
    totals: {
      layers: layers.length,
      totalCycles,
      stallCycles: sum((l) => l.stallCycles),
      macs,
      overallUtilization: totalCycles > 0 ? (macs * 100) / (totalCycles * config.rows * config.cols) : 0,
      sramReads: sum((l) => l.sramReads.ifmap + l.sramReads.filter),
      sramWrites: sum((l) => l.sramWrites.ofmap),
      dramReads: sum((l) => l.dramReads.ifmap + l.dramReads.filter),
      dramWrites: sum((l) => l.dramWrites.ofmap),
      energyPJ: sum((l) => l.energy.totalPJ),
    },
    area: arrayArea(config, table),
    energyTable: table,
  };
}

export interface SimulateReport extends NetworkResult {
  model: string;
  /** Nodes with MACs that have no SCALE-Sim row (e.g. ConvTranspose), by name and op. */
  skipped: { name: string; op: string; macs: number }[];
  /** With a v3 `scalesimConfig`: its additions, and what of them is not simulated (in words). */
  scalesim?: { version: 3; v3: ScalesimV3Config; notModelled: string[] };
  /** Seconds the layers took to simulate (the model read and the core loaded before). */
  simulatorSeconds: number;
}

const SPEC = {
  target: { type: 'string|object' }, // a bad preset name is refused by parseSystolicTargetSpec, naming the presets
  scalesimConfig: { type: 'object' },
  scalesimLayout: { type: 'object' },
  scalesimVersion: { type: 'number', integer: true, min: 2, max: 3 },
  ramulatorLatencies: { type: 'array' },
  dataflow: { type: 'string', oneOf: DATAFLOWS },
  energyTable: { type: 'string', oneOf: Object.keys(ENERGY_TABLES) },
  energy: { type: 'object' },
  fixScalesimQuirks: { type: 'boolean' },
  userModeWorkLimit: { type: 'number', min: 0 },
  sparsity: { type: 'object' },
  onProgress: { type: 'function' },
  signal: { type: 'signal' },
} as const;

const TEXT_SPEC = { text: { type: 'string' }, source: { type: 'string' } } as const;
const TOPOLOGY_SPEC = { ...TEXT_SPEC, gemm: { type: 'boolean' } } as const;

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
  return { support: true, representation: s.representation, optimizedMapping, ...(optimizedMapping ? { blockSize: s.blockSize ?? V3_DEFAULTS.blockSize, randomSeed: s.randomSeed ?? V3_DEFAULTS.randomSeed } : {}) };
}

/** A SCALE-Sim text option checked: its text, and the name errors give. */
function scalesimText(where: string, value: unknown, fallback: string, spec: typeof TEXT_SPEC = TEXT_SPEC): { text: string; source: string } {
  const t = checkOptions<ScalesimText>(`simulate: ${where}`, value, spec, 'field');
  if (t.text === undefined) throw new OptionsError(`simulate: ${where}: field 'text' is required (the file's contents)`, { field: where });
  return { text: t.text, source: t.source ?? fallback };
}

/** Layers simulated between two yields to the event loop when a signal can cancel the call. */
const LAYERS_PER_YIELD = 8;

/** What a call simulates: the array (with a v3 file's additions) and the layers, named. */
interface Simulation {
  config: SystolicConfig;
  file?: ScalesimConfigFile;
  name: string;
  layers: ConvLayer[];
  skipped: SimulateReport['skipped'];
  layerOptions: LayerOptions;
}

function configOf(o: SimulateOptions): { config: SystolicConfig; file?: ScalesimConfigFile } {
  if (o.scalesimConfig !== undefined) {
    if (o.target !== undefined) throw new OptionsError("simulate: give either option 'target' or 'scalesimConfig', not both", { field: 'target' });
    const { text, source } = scalesimText('option scalesimConfig', o.scalesimConfig, 'config.cfg');
    const file = parseScalesimConfig(text, source, { version: o.scalesimVersion });
    return { config: o.dataflow ? validateConfig({ ...file.config, dataflow: o.dataflow }) : file.config, file };
  }
  const target = typeof o.target === 'object' ? systolicTarget(o.target) : systolicTarget({}, parseSystolicTargetSpec(o.target ?? SIMULATE_DEFAULTS.target));
  return { config: o.dataflow ? systolicTarget({ ...target, dataflow: o.dataflow }) : target };
}

async function layersOf(model: SimulateModel, version: 2 | 3 | undefined): Promise<Pick<Simulation, 'name' | 'layers' | 'skipped'>> {
  if (Array.isArray(model)) {
    model.forEach((layer, i) => {
      if (!isPlainObject(layer)) throw new OptionsError(`simulate: layer ${i} must be a plain object (a ConvLayer)`, { field: 'model' });
    });
    return { name: 'layers', layers: model.slice(), skipped: [] };
  }
  if (isPlainObject(model) && 'text' in model) {
    const { text, source } = scalesimText('model', model, 'topology.csv', TOPOLOGY_SPEC);
    const name = source.split(/[\\/]/).pop()!.replace(/\.csv$/i, '');
    return { name, layers: parseScalesimTopology(text, source, { gemm: (model as ScalesimTopology).gemm, version }).layers, skipped: [] };
  }
  if (typeof model === 'string') {
    const spec = modelSpecOf('simulate', model, ['zoo', 'synthetic', 'dnnlike', 'scalesim']);
    if (spec.kind === 'scalesim') return { name: `scalesim:${spec.network}`, layers: scalesimNetwork(spec.network), skipped: [] };
  }
  // The graph builders and readers load only for a graph, not for SCALE-Sim's topologies.
  const [{ resolveModel }, { graphTopology }] = await Promise.all([import('./model.js'), import('../sim/from-graph.js')]);
  const graph = resolveModel('simulate', model);
  return { name: graph.name, ...graphTopology(graph) };
}

/** Options and model checked and resolved into what to simulate. */
async function simulation(model: SimulateModel, o: SimulateOptions): Promise<Simulation> {
  const { config, file } = configOf(o);
  const sparsity = sparsityOf(o.sparsity);
  if (o.userModeWorkLimit !== undefined && !(o.userModeWorkLimit > 0)) throw new OptionsError(`simulate: option 'userModeWorkLimit' must be a positive number, got ${o.userModeWorkLimit}`, { field: 'userModeWorkLimit' });
  if (o.scalesimLayout !== undefined && !file?.v3) throw new OptionsError("simulate: option 'scalesimLayout' is SCALE-Sim v3's: give a v3 'scalesimConfig'", { field: 'scalesimLayout' });
  if (o.ramulatorLatencies !== undefined && !file?.v3) throw new OptionsError("simulate: option 'ramulatorLatencies' is SCALE-Sim v3's (UseRamulatorTrace): give a v3 'scalesimConfig'", { field: 'ramulatorLatencies' });
  let layout;
  if (o.scalesimLayout !== undefined) {
    const { text, source } = scalesimText('option scalesimLayout', o.scalesimLayout, 'layout.csv');
    layout = parseScalesimLayout(text, source);
  }
  const layerOptions: LayerOptions = {
    ...(layout ? { layout } : {}),
    ...(o.fixScalesimQuirks ? { fixScalesimQuirks: true } : {}),
    ...(o.userModeWorkLimit !== undefined ? { userModeWorkLimit: o.userModeWorkLimit } : {}),
    ...(file?.v3 ? { v3: file.v3 } : {}),
    ...(sparsity ? { sparsity } : {}),
    ...(o.ramulatorLatencies ? { ramulator: o.ramulatorLatencies } : {}),
  };
  const layers = await layersOf(model, o.scalesimVersion);
  if (o.ramulatorLatencies && o.ramulatorLatencies.length !== layers.layers.length) {
    throw new OptionsError(`simulate: option 'ramulatorLatencies' has ${o.ramulatorLatencies.length} layers' latencies, the model ${layers.layers.length} layers`, { field: 'ramulatorLatencies' });
  }
  return { config, file, layerOptions, ...layers };
}

export async function simulate(model: SimulateModel, options?: SimulateOptions): Promise<SimulateReport> {
  const o = checkOptions<SimulateOptions>('simulate', options, SPEC);
  const table = energyTable(o.energy ?? {}, ENERGY_TABLES[o.energyTable ?? SIMULATE_DEFAULTS.energyTable]);
  const { config, file, name, layers, skipped, layerOptions } = await simulation(model, o);
  const sim = new Simulator(await getCore());
  const results: LayerResult[] = [];
  let cycles = 0;
  const start = performance.now();
  try {
    const each = sim.results(config, layers, layerOptions);
    for (let i = 0; i < layers.length; i++) {
      throwIfAborted(o.signal);
      o.onProgress?.({ step: 'layers', done: i, total: layers.length, cycles });
      const { result, simulated } = each.next().value as { result: LayerResult; simulated: boolean };
      if (simulated) cycles += result.totalCycles;
      results.push(result);
      if (o.signal && i % LAYERS_PER_YIELD === LAYERS_PER_YIELD - 1) await yieldToEventLoop();
    }
  } finally {
    sim.free();
  }
  const simulatorSeconds = (performance.now() - start) / 1e3;
  o.onProgress?.({ step: 'layers', done: layers.length, total: layers.length, cycles });
  const scalesim = file?.v3 ? { scalesim: { version: 3 as const, v3: file.v3, notModelled: scalesimNotModelled(file, layers, o.ramulatorLatencies !== undefined) } } : {};
  return { model: name, skipped, ...networkResult(config, results, table), ...scalesim, simulatorSeconds };
}

/**
 * SCALE-Sim's six traces of each layer ({IFMAP,FILTER,OFMAP}_{SRAM,DRAM}_TRACE.csv, small layers
 * only), as v2 writes them or, with a v3 `scalesimConfig`, as v3 does, for the model and options a
 * `simulate` call takes: the CSV texts by file name.
 */
export async function simulateTraces(model: SimulateModel, options?: SimulateOptions): Promise<Record<string, string>[]> {
  const o = checkOptions<SimulateOptions>('simulate', options, SPEC);
  const { config, layers, layerOptions } = await simulation(model, o);
  const [core, { dramTraceCsv, dramTraces, sramTraces, TRACE_LINE_LIMIT }] = await Promise.all([getCore(), import('../sim/trace.js')]);
  return layers.map((layer, index) => {
    const sram = sramTraces(core, config, layer, layerOptions, TRACE_LINE_LIMIT, index);
    const dram = dramTraces(core, config, layer, layerOptions, TRACE_LINE_LIMIT, index);
    const files: Record<string, string> = {};
    for (const op of ['ifmap', 'filter', 'ofmap'] as const) {
      files[`${op.toUpperCase()}_SRAM_TRACE.csv`] = sram[op];
      files[`${op.toUpperCase()}_DRAM_TRACE.csv`] = dramTraceCsv(dram[op]);
    }
    return files;
  });
}
