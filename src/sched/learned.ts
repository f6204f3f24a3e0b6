// The learned scheduler at inference: decode with the policy (greedy, then sampled
// schedules), keep the best by the simulator, and finish with a local improvement pass.
import type { Core } from '../core/core.js';
import { Random } from '../helpers/random.js';
import { POLICY_WEIGHTS } from './policy-weights.js';
import { SchedulerPolicy, type PolicyWeights } from './policy.js';
import type { Assignment, ScheduleProblem } from './problem.js';
import { PipelineSimulator } from './simulate.js';

export interface LearnedOptions {
  /** Sampled schedules besides the greedy one (default 8). */
  samples?: number;
  /** Softmax temperature of the samples (default 1). */
  temperature?: number;
  /** Local-improvement passes (default 20; 0 turns it off). */
  improvePasses?: number;
  seed?: number;
  /** Policy weights (default: the checkpoint shipped in the repository). */
  weights?: PolicyWeights;
}

export function learnedSchedule(core: Core, problem: ScheduleProblem, options: LearnedOptions = {}): Assignment {
  const policy = new SchedulerPolicy(core, options.weights ?? POLICY_WEIGHTS);
  const sim = new PipelineSimulator(core, problem);
  try {
    const random = new Random(options.seed ?? 1);
    let best = policy.decode(problem, 'greedy').assignment;
    let bestCost = sim.bottleneck(best);
    for (let i = 0; i < (options.samples ?? 8); i++) {
      const a = policy.decode(problem, 'sample', { random, temperature: options.temperature, record: false }).assignment;
      const cost = sim.bottleneck(a);
      if (cost < bestCost) {
        best = a;
        bestCost = cost;
      }
    }
    return localImprove(sim, problem, best, options.improvePasses ?? 20);
  } finally {
    sim.free();
    policy.dispose();
  }
}

/**
 * Moves single nodes to other stages allowed by their neighbours (between the largest
 * predecessor stage and the smallest successor stage) while that lowers the bottleneck, or
 * keeps it and lowers the sum of squared stage times (which lets later moves unblock it).
 */
export function localImprove(sim: PipelineSimulator, problem: ScheduleProblem, start: Assignment, maxPasses: number): Assignment {
  const a = start.slice();
  const { n, cores: k } = problem;
  const score = (x: Assignment): [number, number] => {
    const times = sim.stageTimes(x);
    if (!times) return [Infinity, Infinity];
    let worst = 0;
    let sq = 0;
    for (const t of times) {
      worst = Math.max(worst, t);
      sq += t * t;
    }
    return [worst, sq];
  };
  let [bottleneck, squares] = score(a);
  for (let pass = 0; pass < maxPasses; pass++) {
    let improved = false;
    for (let v = 0; v < n; v++) {
      let lo = 0;
      let hi = k - 1;
      for (let e = problem.predStart[v]!; e < problem.predStart[v + 1]!; e++) lo = Math.max(lo, a[problem.preds[e]!]!);
      for (let e = problem.succStart[v]!; e < problem.succStart[v + 1]!; e++) hi = Math.min(hi, a[problem.succs[e]!]!);
      const home = a[v]!;
      for (let s = lo; s <= hi; s++) {
        if (s === home) continue;
        a[v] = s;
        const [b, q] = score(a);
        if (b < bottleneck * (1 - 1e-12) || (b <= bottleneck * (1 + 1e-12) && q < squares * (1 - 1e-9))) {
          bottleneck = b;
          squares = q;
          improved = true;
          break;
        }
        a[v] = home;
      }
    }
    if (!improved) break;
  }
  return a;
}
