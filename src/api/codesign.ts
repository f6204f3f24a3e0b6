// `codesign(model, options) → Promise<CodesignReport>`: choose a systolic array within a silicon
// area (by default the default array's) or PE and SRAM caps and every layer's mapping onto it (ARCO or a baseline strategy), compared with
// SCALE-Sim's own mapping on the budget's default array. `mapwise codesign` is a shell over it.
import type { SystolicCompilation } from '../compile/systolic.js';
import type { HistoryEntry, Network, Strategy, TradeoffRun } from '../codesign/index.js';
import { getCore } from '../core/load.js';
import { checkOptions, OptionsError } from '../base/options.js';
import type { TuningRecord } from '../tune/records.js';
import { modelSpecOf, type ProgressEvent, throwIfAborted } from './check.js';
import { type ModelInput, resolveModel } from './model.js';
import { loadDist } from './redis.js';

export interface CodesignOptions {
  /** Budget: processing elements, rows × cols. */
  maxPEs?: number;
  /** Budget: KiB of SRAM over the three buffers. */
  maxSramKiB?: number;
  /**
   * Budget: mm² of PEs and SRAM together, which then trade against each other. Caps not given
   * are not caps; with none given the budget is the default 32×32 array's silicon, 1.42 mm².
   */
  maxAreaMm2?: number;
  /** DRAM bandwidth in bytes per cycle (default 16). */
  dramBytesPerCycle?: number;
  /** Clock, for throughput (default 1000). */
  freqMHz?: number;
  /**
   * Every layer's weights pruned N:M ('2:4'), as SCALE-Sim v3's layer-wise sparsity: the search may
   * then choose an array with v3's sparsity support (CSR, CSC or blocked ELLPACK storage), which
   * skips the pruned weights and pays for their metadata. Default: dense.
   */
  sparsity?: string;
  /** Search strategy (default 'arco'). */
  strategy?: Strategy;
  /** Simulator calls the search may spend (default DEFAULT_CODESIGN_BUDGET, 2000). */
  budget?: number;
  seed?: number;
  /** Every evaluated configuration, as tuning records (the CLI's --log appends them). */
  onRecords?: (records: TuningRecord[]) => void;
  /**
   * The records of an interrupted run of the same search (model, budget, strategy, seed), to resume
   * it: arco, ga and random replay them and go on, simulating nothing twice; the other strategies
   * repeat the run and hand `onRecords` only what the records lack.
   */
  previous?: readonly TuningRecord[];
  /**
   * Node: simulate on the `mapwise worker` processes of this Redis (redis://… or rediss://…), the
   * same run: the exhaustive strategy splits its array shapes, the others send out the layers each
   * batch simulates.
   */
  redis?: string;
  onProgress?: (event: ProgressEvent) => void;
  signal?: AbortSignal;
}

export type CodesignReport = Omit<SystolicCompilation, 'run' | 'kind'> & {
  model: string;
  seed: number;
  /** The search's best throughput as its simulator calls went. */
  history: HistoryEntry[];
  /** Every accelerator evaluated with its best throughput (the trade-off plot's points: tradeoffSpec). */
  accelerators: TradeoffRun['accelerators'];
};

/** Co-design loads on the first call, so importing the library stays cheap. */
const loadCodesign = async () => {
  const [systolic, codesignParts, sim] = await Promise.all([import('../compile/systolic.js'), import('../codesign/index.js'), import('../sim/networks.js')]);
  return { codesignNetwork: systolic.codesignNetwork, codesignParts, scalesimNetwork: sim.scalesimNetwork, spec: specOf(codesignParts.STRATEGIES) };
};

const specOf = (STRATEGIES: readonly string[]) => ({
  maxPEs: { type: 'number', integer: true, min: 16 },
  maxSramKiB: { type: 'number', min: 12 },
  maxAreaMm2: { type: 'number', min: 1e-9 },
  dramBytesPerCycle: { type: 'number', min: 1e-9 },
  freqMHz: { type: 'number', min: 1e-9 },
  sparsity: { type: 'string' },
  strategy: { type: 'string', oneOf: STRATEGIES },
  budget: { type: 'number', integer: true, min: 1 },
  seed: { type: 'number', integer: true },
  redis: { type: 'string' },
  onRecords: { type: 'function' },
  previous: { type: 'array' },
  onProgress: { type: 'function' },
  signal: { type: 'signal' },
}) as const;

/**
 * `model`: a Graph, a zoo or generator spec, or `scalesim:NETWORK` (one of SCALE-Sim's topologies,
 * its conv layers without a graph).
 */
export async function codesign(model: ModelInput, options?: CodesignOptions): Promise<CodesignReport> {
  const { codesignNetwork, codesignParts, scalesimNetwork, spec } = await loadCodesign();
  const o = checkOptions<CodesignOptions>('codesign', options, spec);
  const dense = networkFor(model, codesignParts, scalesimNetwork);
  const network = o.sparsity === undefined ? dense : codesignParts.prunedNetwork(dense, nmRatio(o.sparsity));
  throwIfAborted(o.signal);
  const { target, fromDefaultArray } = codesignParts.userBudgetTarget({ maxPEs: o.maxPEs, maxSramKiB: o.maxSramKiB, maxAreaMm2: o.maxAreaMm2 }, { dramBytesPerCycle: o.dramBytesPerCycle, freqMHz: o.freqMHz });
  const budget = o.budget ?? codesignParts.DEFAULT_CODESIGN_BUDGET;
  const strategy = o.strategy ?? 'arco';
  const seed = o.seed ?? 1;
  const dist = o.redis === undefined ? undefined : await loadDist('codesign', 'codesign');
  const core = await getCore();
  const { run, kind: _kind, ...report } = await codesignNetwork(core, network, target, 'custom', {
    strategy,
    budget,
    seed,
    onRecords: o.onRecords,
    ...(o.previous === undefined ? {} : { previous: o.previous }),
    onProgress: (calls, _budget, best) => o.onProgress?.({ step: 'simulator calls', done: Math.min(calls, budget), total: budget, best, unit: 'inferences/s' }),
    search: dist && ((problem, options) => dist.distributedSearch(o.redis!, strategy, core, problem, options)),
  }, fromDefaultArray);
  throwIfAborted(o.signal);
  return { model: network.name, seed, ...report, history: run.history, accelerators: codesignParts.tradeoffOf(run).accelerators };
}

/** An 'N:M' ratio, 1 ≤ N ≤ M. */
function nmRatio(text: string): { n: number; m: number } {
  const match = /^(\d+):(\d+)$/.exec(text);
  const [n, m] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
  if (!(n >= 1 && n <= m)) throw new OptionsError(`codesign: sparsity must be N:M with 1 ≤ N ≤ M (such as 2:4), got '${text}'`, { field: 'sparsity' });
  return { n, m };
}

/** The layers to co-design for: a graph's convolutions and dense layers, or a SCALE-Sim topology's. */
function networkFor(model: ModelInput, parts: typeof import('../codesign/index.js'), scalesimNetwork: typeof import('../sim/networks.js').scalesimNetwork): Network {
  if (typeof model === 'string' && model.startsWith('scalesim:')) {
    const spec = modelSpecOf('codesign', model, ['scalesim']);
    if (spec.kind === 'scalesim') return parts.networkFromLayers(`scalesim:${spec.network}`, scalesimNetwork(spec.network).map((layer) => ({ layer })));
  }
  return parts.networkOf(resolveModel('codesign', model));
}
