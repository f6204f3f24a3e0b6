// `codesign(model, options) → Promise<CodesignReport>`: choose a systolic array within a silicon
// area (by default the default array's) or PE and SRAM caps and every layer's mapping onto it (ARCO or a baseline strategy), compared with
// SCALE-Sim's own mapping on the budget's default array.
import type { SystolicCompilation } from '../compile/systolic.js';
import type { Strategy } from '../codesign/index.js';
import { getCore } from '../core/load.js';
import { checkOptions, OptionsError } from '../base/options.js';
import { type ProgressEvent, throwIfAborted } from './check.js';
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
  /** Search strategy (default 'arco'). */
  strategy?: Strategy;
  /** Simulator calls the search may spend (default 2000). */
  budget?: number;
  seed?: number;
  /** Node, strategy 'exhaustive': split the search over the `mapwise worker` processes of this Redis (redis://… or rediss://…); the same optimum. */
  redis?: string;
  onProgress?: (event: ProgressEvent) => void;
  signal?: AbortSignal;
}

export type CodesignReport = Omit<SystolicCompilation, 'run' | 'kind'> & { model: string };

/** Co-design loads on the first call, so importing the library stays cheap. */
const loadCodesign = async () => {
  const [systolic, strategies, problem] = await Promise.all([import('../compile/systolic.js'), import('../codesign/index.js'), import('../codesign/problem.js')]);
  return { codesignNetwork: systolic.codesignNetwork, userBudgetTarget: problem.userBudgetTarget, spec: specOf(strategies.STRATEGIES) };
};

const specOf = (STRATEGIES: readonly string[]) => ({
  maxPEs: { type: 'number', integer: true, min: 16 },
  maxSramKiB: { type: 'number', min: 12 },
  maxAreaMm2: { type: 'number', min: 1e-9 },
  dramBytesPerCycle: { type: 'number', min: 1e-9 },
  freqMHz: { type: 'number', min: 1e-9 },
  strategy: { type: 'string', oneOf: STRATEGIES },
  budget: { type: 'number', integer: true, min: 1 },
  seed: { type: 'number', integer: true },
  redis: { type: 'string' },
  onProgress: { type: 'function' },
  signal: { type: 'signal' },
}) as const;

export async function codesign(model: ModelInput, options?: CodesignOptions): Promise<CodesignReport> {
  const { codesignNetwork, userBudgetTarget, spec } = await loadCodesign();
  const o = checkOptions<CodesignOptions>('codesign', options, spec);
  const graph = resolveModel('codesign', model);
  throwIfAborted(o.signal);
  const { target, fromDefaultArray } = userBudgetTarget({ maxPEs: o.maxPEs, maxSramKiB: o.maxSramKiB, maxAreaMm2: o.maxAreaMm2 }, { dramBytesPerCycle: o.dramBytesPerCycle, freqMHz: o.freqMHz });
  const budget = o.budget ?? 2000;
  const strategy = o.strategy ?? 'arco';
  if (o.redis !== undefined && strategy !== 'exhaustive') throw new OptionsError(`codesign: redis splits the exhaustive search only; strategy '${strategy}' runs here`, { field: 'redis' });
  const dist = o.redis === undefined ? undefined : await loadDist('codesign', 'codesign');
  const { run: _run, kind: _kind, ...report } = await codesignNetwork(await getCore(), graph, target, 'custom', {
    strategy,
    budget,
    seed: o.seed ?? 1,
    onProgress: (calls) => o.onProgress?.({ step: 'simulator calls', done: Math.min(calls, budget), total: budget }),
    search: dist && ((problem, options) => dist.distributedExhaustive(o.redis!, problem, options)),
  }, fromDefaultArray);
  throwIfAborted(o.signal);
  return { model: graph.name, ...report };
}
