// The learned scheduler at inference: decode with the policy (greedy, then sampled
// schedules), re-cut each decoded node order exactly with the contiguous DP, keep the best by
// the simulator, and finish with a local improvement pass. `refineCuts: false` and
// `improvePasses: 0` leave the policy's own output (the benchmark reports both).
import type { Core } from '../core/core.js';
import { Random } from '../helpers/random.js';
import { POLICY_WEIGHTS } from './policy-weights.js';
import { SchedulerPolicy, type PolicyWeights } from './policy.js';
import { assignmentFromCuts, reorderProblem, type Assignment, type ScheduleProblem } from './problem.js';
import { PipelineSimulator } from './simulate.js';

export interface LearnedOptions {
  /**
   * Sampled schedules besides the greedy one (default 0: after the exact re-cutting and the
   * local pass, samples rarely help and each costs a full decode).
   */
  samples?: number;
  /** Softmax temperature of the samples (default 1). */
  temperature?: number;
  /** Re-cut the policy's node order optimally with the contiguous DP (default true). */
  refineCuts?: boolean;
  /** Local-improvement passes (default 20; 0 turns it off). */
  improvePasses?: number;
  /** Rounds of re-cutting after local moves, while they improve (default 4). */
  rounds?: number;
  seed?: number;
  /** Policy weights (default: the checkpoint shipped in the repository). */
  weights?: PolicyWeights;
}

export function learnedSchedule(core: Core, problem: ScheduleProblem, options: LearnedOptions = {}): Assignment {
  const policy = new SchedulerPolicy(core, options.weights ?? POLICY_WEIGHTS);
  const sim = new PipelineSimulator(core, problem);
  try {
    const random = new Random(options.seed ?? 1);
    const refine = options.refineCuts ?? true;
    let best: Assignment | undefined;
    let bestCost = Infinity;
    for (let i = 0; i <= (options.samples ?? 0); i++) {
      const decoded = i === 0
        ? policy.decode(problem, 'greedy').assignment
        : policy.decode(problem, 'sample', { random, temperature: options.temperature, record: false }).assignment;
      const candidate = refine ? refineCuts(core, sim, problem, decoded) : decoded;
      const cost = sim.bottleneck(candidate);
      if (cost < bestCost) {
        best = candidate;
        bestCost = cost;
      }
    }
    // Alternate local moves and exact re-cutting: a move changes the (stage, index) order,
    // and the DP may find better cuts of the new order.
    const passes = options.improvePasses ?? 20;
    const improve = (x: Assignment): Assignment => localImprove(sim, problem, x, passes);
    let current = improve(best!);
    let cost = sim.bottleneck(current);
    for (let round = 0; refine && round < (options.rounds ?? 4); round++) {
      const next = improve(refineCuts(core, sim, problem, current));
      const nextCost = sim.bottleneck(next);
      if (!(nextCost < cost * (1 - 1e-12))) break;
      current = next;
      cost = nextCost;
    }
    return current;
  } finally {
    sim.free();
    policy.dispose();
  }
}

/**
 * Keeps the policy's grouping of nodes but places the cuts exactly: lists the nodes by
 * (stage, index) — a topological order, since no edge goes to an earlier stage — and runs the
 * contiguous DP on that order. The policy's own schedule is one of the DP's candidates, so the
 * result is never worse.
 */
export function refineCuts(core: Core, sim: PipelineSimulator, problem: ScheduleProblem, assignment: Assignment): Assignment {
  const order = Array.from({ length: problem.n }, (_, v) => v).sort((a, b) => assignment[a]! - assignment[b]! || a - b);
  const reordered = reorderProblem(problem, order);
  const inner = new PipelineSimulator(core, reordered);
  try {
    const byPosition = assignmentFromCuts(problem.n, inner.contiguousDp().cuts);
    const out = new Int32Array(problem.n);
    for (let i = 0; i < problem.n; i++) out[order[i]!] = byPosition[i]!;
    return sim.bottleneck(out) <= sim.bottleneck(assignment) ? out : assignment;
  } finally {
    inner.free();
  }
}

function scoreOf(sim: PipelineSimulator, x: Assignment): [number, number] {
  const times = sim.stageTimes(x);
  if (!times) return [Infinity, Infinity];
  let worst = 0;
  let sq = 0;
  for (const t of times) {
    worst = Math.max(worst, t);
    sq += t * t;
  }
  return [worst, sq];
}

/**
 * Moves single nodes to other stages allowed by their neighbours (between the largest
 * predecessor stage and the smallest successor stage) while that lowers the bottleneck, or
 * keeps it and lowers the sum of squared stage times (which lets later moves unblock it).
 */
export function localImprove(sim: PipelineSimulator, problem: ScheduleProblem, start: Assignment, maxPasses: number): Assignment {
  const a = start.slice();
  const { n, cores: k } = problem;
  const score = (x: Assignment): [number, number] => scoreOf(sim, x);
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
