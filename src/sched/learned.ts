// The learned scheduler at inference: decode with the policy (greedy, sampled or beam
// search), re-cut each decoded node order exactly with the contiguous DP, add the DP's cuts of
// the level order and the last-branch-first order (see orders.ts), keep the best by the
// simulator, and finish with local moves alternating with re-cutting, then moves of two nodes
// at once and of whole branches. `refineCuts: false` and
// `improvePasses: 0` leave the policy's own output (the benchmark reports both).
import type { Core } from '../core/core.js';
import { Random } from '../helpers/random.js';
import { POLICY_WEIGHTS } from './policy-weights.js';
import { DECODE_MODES, SchedulerPolicy, type DecodeMode, type PolicyWeights } from './policy.js';
import { cutOrder, lastBranchFirstOrder, levelOrder } from './orders.js';
import type { Assignment, ScheduleProblem } from './problem.js';
import { PipelineSimulator } from './simulate.js';

export interface LearnedOptions {
  /**
   * How the policy's schedules are drawn: 'greedy' (one, the default), 'sample' (greedy plus
   * `samples` sampled ones) or 'beam' (the final beam of a `beamWidth`-wide beam search). Every
   * decoded schedule is re-cut and the best is kept. Default: 'sample' when `samples` > 0.
   */
  decode?: DecodeMode;
  /** 'sample': sampled schedules besides the greedy one (default 8). */
  samples?: number;
  /** 'beam': schedules kept per step (default 4). */
  beamWidth?: number;
  /** Softmax temperature of sampling and beam search (default 1). */
  temperature?: number;
  /**
   * Re-cut the policy's node order, the level order and the last-branch-first order optimally
   * with the contiguous DP (default true).
   */
  refineCuts?: boolean;
  /** Local-improvement passes (default 20; 0 turns it off). */
  improvePasses?: number;
  /** Rounds of re-cutting after local moves, while they improve (default 4). */
  rounds?: number;
  /**
   * Simulations the two-node moves may spend per round (default 5 per node; 0 turns them
   * off, as does improvePasses 0). A count, not a time, so results are the same everywhere.
   * On the benchmark's synthetic graphs they take the mean gap to exact from 2.6% to 1.8%.
   */
  pairEvaluations?: number;
  seed?: number;
  /** Policy weights (default: the checkpoint shipped in the repository). */
  weights?: PolicyWeights;
}

/** The policy's schedules for `options.decode`, most likely (or greedy) first. */
function decoded(policy: SchedulerPolicy, problem: ScheduleProblem, options: LearnedOptions): Assignment[] {
  const mode = options.decode ?? ((options.samples ?? 0) > 0 ? 'sample' : 'greedy');
  if (!(DECODE_MODES as readonly string[]).includes(mode)) throw new RangeError(`learned scheduler: decode must be one of ${DECODE_MODES.join(', ')}, got '${mode}'`);
  if (mode === 'beam') return policy.beamSearch(problem, options.beamWidth ?? 4, { temperature: options.temperature }).map((b) => b.assignment);
  const out = [policy.decode(problem, 'greedy').assignment];
  if (mode === 'sample') {
    const random = new Random(options.seed ?? 1);
    for (let i = 0; i < (options.samples ?? 8); i++) out.push(policy.decode(problem, 'sample', { random, temperature: options.temperature, record: false }).assignment);
  }
  return out;
}

export function learnedSchedule(core: Core, problem: ScheduleProblem, options: LearnedOptions = {}): Assignment {
  const policy = new SchedulerPolicy(core, options.weights ?? POLICY_WEIGHTS);
  const sim = new PipelineSimulator(core, problem);
  try {
    const refine = options.refineCuts ?? true;
    let best: Assignment | undefined;
    let bestCost = Infinity;
    const consider = (candidate: Assignment | undefined): void => {
      const cost = candidate ? sim.bottleneck(candidate) : Infinity;
      if (cost < bestCost) {
        best = candidate;
        bestCost = cost;
      }
    };
    for (const a of decoded(policy, problem, options)) consider(refine ? refineCuts(core, sim, problem, a) : a);
    // Bounded by the best so far, the DP only explores cuts that could beat it.
    if (refine) consider(cutOrder(core, problem, levelOrder(problem), bestCost));
    if (refine) consider(cutOrder(core, problem, lastBranchFirstOrder(problem), bestCost));
    const passes = options.improvePasses ?? 20;
    const improve = (x: Assignment): Assignment => localImprove(sim, problem, x, passes);
    // Alternate local moves and exact re-cutting while the bottleneck falls: a move changes the
    // (stage, index) order, and the DP may find better cuts of the new order.
    const polish = (start: Assignment): Assignment => {
      let current = improve(start);
      let cost = sim.bottleneck(current);
      for (let round = 0; refine && round < (options.rounds ?? 4); round++) {
        const next = improve(refineCuts(core, sim, problem, current));
        const nextCost = sim.bottleneck(next);
        if (!(nextCost < cost * (1 - 1e-12))) break;
        current = next;
        cost = nextCost;
      }
      return current;
    };
    let current = polish(best!);
    // Where single moves are stuck, moves of two nodes at once and of whole branches, then polish again.
    const budget = passes > 0 ? (options.pairEvaluations ?? 5 * problem.n) : 0;
    for (let round = 0; budget > 0 && round < 3; round++) {
      const moved = closureImprove(sim, problem, pairImprove(sim, problem, current, budget), budget);
      if (!lexLess(scoreOf(sim, moved), scoreOf(sim, current))) break;
      current = polish(moved);
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
  const cut = cutOrder(core, problem, order, sim.bottleneck(assignment));
  return cut && sim.bottleneck(cut) <= sim.bottleneck(assignment) ? cut : assignment;
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

/** (bottleneck, Σ squares) strictly smaller, with the tolerances of the local moves. */
function lexLess([b, q]: [number, number], [bottleneck, squares]: [number, number]): boolean {
  return b < bottleneck * (1 - 1e-12) || (b <= bottleneck * (1 + 1e-12) && q < squares * (1 - 1e-9));
}

/** Stages node v may take given its neighbours' stages in `a`: [largest predecessor stage, smallest successor stage]. */
function allowedStages(problem: ScheduleProblem, a: Assignment, v: number): [number, number] {
  let lo = 0;
  let hi = problem.cores - 1;
  for (let e = problem.predStart[v]!; e < problem.predStart[v + 1]!; e++) lo = Math.max(lo, a[problem.preds[e]!]!);
  for (let e = problem.succStart[v]!; e < problem.succStart[v + 1]!; e++) hi = Math.min(hi, a[problem.succs[e]!]!);
  return [lo, hi];
}

/**
 * Moves two nodes at once — the first out of a bottleneck stage, the second out of that
 * stage or of the first's new one, wherever its neighbours then allow — taking the first pair
 * that lowers the score of
 * localImprove, until none does or `maxEvaluations` simulations are spent. Finds what single
 * moves cannot when each move alone raises some stage (a node and the consumer of its
 * tensor leaving a stage together).
 */
export function pairImprove(sim: PipelineSimulator, problem: ScheduleProblem, start: Assignment, maxEvaluations: number): Assignment {
  const a = start.slice();
  let score = scoreOf(sim, a);
  let evaluations = 0;
  for (let improved = true; improved && evaluations < maxEvaluations; ) {
    improved = false;
    const times = sim.stageTimes(a);
    if (!times) break;
    const worst = Math.max(...times);
    const movable: number[] = [];
    for (let v = 0; v < problem.n; v++) {
      const [lo, hi] = allowedStages(problem, a, v);
      if (hi > lo) movable.push(v);
    }
    search: for (const v of movable) {
      const home = a[v]!;
      if (times[home]! < worst * (1 - 1e-12)) continue;
      const [lo, hi] = allowedStages(problem, a, v);
      for (let s = lo; s <= hi; s++) {
        if (s === home) continue;
        a[v] = s;
        for (const w of movable) {
          if (w === v || (a[w] !== home && a[w] !== s)) continue;
          const wHome = a[w]!;
          const [wLo, wHi] = allowedStages(problem, a, w);
          for (let t = wLo; t <= wHi; t++) {
            if (t === wHome) continue;
            a[w] = t;
            const next = scoreOf(sim, a);
            evaluations++;
            if (lexLess(next, score)) {
              score = next;
              improved = true;
              break search;
            }
            if (evaluations >= maxEvaluations) {
              a[w] = wHome;
              a[v] = home;
              break search;
            }
          }
          a[w] = wHome;
        }
        a[v] = home;
      }
    }
  }
  return a;
}

/**
 * Moves a node of a bottleneck stage together with its ancestors in that stage to the stage
 * before, or with its descendants in that stage to the stage after — always valid, since what
 * the set reads comes from earlier stages and what reads it sits in later ones — taking the
 * first move that lowers the score of localImprove, until none does or `maxEvaluations`
 * simulations are spent. Moves a whole branch of an Inception block across a cut, which single
 * and pair moves cannot when every step of the way sends more tensors over the link.
 */
export function closureImprove(sim: PipelineSimulator, problem: ScheduleProblem, start: Assignment, maxEvaluations: number): Assignment {
  const a = start.slice();
  let score = scoreOf(sim, a);
  let evaluations = 0;
  const closure = (v: number, stage: number, up: boolean): number[] => {
    const set = [v];
    const seen = new Set(set);
    for (let i = 0; i < set.length; i++) {
      const u = set[i]!;
      const [from, to, list] = up ? [problem.predStart[u]!, problem.predStart[u + 1]!, problem.preds] : [problem.succStart[u]!, problem.succStart[u + 1]!, problem.succs];
      for (let e = from; e < to; e++) {
        const w = list[e]!;
        if (a[w] === stage && !seen.has(w)) {
          seen.add(w);
          set.push(w);
        }
      }
    }
    return set;
  };
  // The nodes of `stage` that read a tensor v reads from an earlier stage and read nothing from
  // `stage` itself (the first layer of an Inception block, say): movable together to stage − 1.
  const readersOfInputs = (v: number, stage: number): number[] => {
    const set = new Set<number>();
    const early = (w: number): boolean => {
      for (let e = problem.predStart[w]!; e < problem.predStart[w + 1]!; e++) if (a[problem.preds[e]!]! >= stage) return false;
      return true;
    };
    if (!early(v)) return [];
    for (let e = problem.predStart[v]!; e < problem.predStart[v + 1]!; e++) {
      const u = problem.preds[e]!;
      for (let f = problem.succStart[u]!; f < problem.succStart[u + 1]!; f++) {
        const w = problem.succs[f]!;
        if (a[w] === stage && early(w)) set.add(w);
      }
    }
    return [...set];
  };
  for (let improved = true; improved && evaluations < maxEvaluations; ) {
    improved = false;
    const times = sim.stageTimes(a);
    if (!times) break;
    const worst = Math.max(...times);
    search: for (let v = 0; v < problem.n; v++) {
      const home = a[v]!;
      if (times[home]! < worst * (1 - 1e-12)) continue;
      for (const [up, set] of [[true, closure(v, home, true)], [true, readersOfInputs(v, home)], [false, closure(v, home, false)]] as const) {
        const to = up ? home - 1 : home + 1;
        if (to < 0 || to >= problem.cores || set.length === 0) continue;
        for (const w of set) a[w] = to;
        let next = scoreOf(sim, a);
        evaluations++;
        if (up) {
          // Then each consumer of the moved nodes that may follow them, where that helps (the
          // 1×1 conv after a moved pooling, whose smaller output then crosses instead).
          for (const u of [...set]) {
            for (let e = problem.succStart[u]!; e < problem.succStart[u + 1]!; e++) {
              const w = problem.succs[e]!;
              if (a[w] !== home || allowedStages(problem, a, w)[0] > to) continue;
              a[w] = to;
              const tried = scoreOf(sim, a);
              evaluations++;
              if (lexLess(tried, next)) {
                next = tried;
                set.push(w);
              } else a[w] = home;
            }
          }
        }
        if (lexLess(next, score)) {
          score = next;
          improved = true;
          break search;
        }
        for (const w of set) a[w] = home;
        if (evaluations >= maxEvaluations) break search;
      }
    }
  }
  return a;
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
