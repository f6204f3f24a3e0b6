// Parallel simulated annealing over a knob space, scored by a cost model: AutoTVM's
// SimulatedAnnealingOptimizer (128 chains, up to 500 steps, temperature 1 → 0, early stop
// after 50 steps without a better top-k).
import type { Random } from '../../helpers/random.js';
import { type Point, pointKey, type SearchSpace } from '../../base/search-space.js';

export interface AnnealingOptions {
  /** Chains walked in parallel. */
  chains: number; // 128
  /** Maximum steps of every chain. */
  steps: number; // 500
  /** Stop once the kept top-k has not improved for this many steps. */
  earlyStop: number; // 50
  startTemperature: number; // 1
  endTemperature: number; // 0
}

export const ANNEALING_DEFAULTS: AnnealingOptions = { chains: 128, steps: 500, earlyStop: 50, startTemperature: 1, endTemperature: 0 };

/** One step of a chain: one knob moved to another of its values. */
function neighbour(space: SearchSpace, point: Point, random: Random): Point {
  const movable = space.cardinalities.map((n, i) => (n > 1 ? i : -1)).filter((i) => i >= 0);
  if (movable.length === 0) return point;
  const knob = random.pick(movable);
  const n = space.cardinalities[knob]!;
  const next = [...point];
  next[knob] = (point[knob]! + 1 + random.int(n - 1)) % n;
  return next;
}

/**
 * The `keep` best-scoring points (higher score is better) met by the chains, none of them
 * in `exclude`, best first. `score` rates a batch of points (every chain's step at once).
 */
export function anneal(
  space: SearchSpace,
  score: (points: readonly Point[]) => number[],
  starts: readonly Point[],
  keep: number,
  exclude: ReadonlySet<string>,
  random: Random,
  options: AnnealingOptions = ANNEALING_DEFAULTS,
): { point: Point; score: number }[] {
  let points = [...starts];
  let scores = score(points);
  const top = new Map<string, { point: Point; score: number }>();
  let floor = Number.NEGATIVE_INFINITY; // the worst score in a full top-k
  const offer = (point: Point, value: number): boolean => {
    const key = pointKey(point);
    if (exclude.has(key) || top.has(key)) return false;
    if (top.size >= keep && value <= floor) return false;
    top.set(key, { point, score: value });
    if (top.size > keep) {
      let worstKey = '';
      let worst = Number.POSITIVE_INFINITY;
      for (const [k, entry] of top) if (entry.score < worst) [worst, worstKey] = [entry.score, k];
      top.delete(worstKey);
    }
    if (top.size >= keep) floor = Math.min(...[...top.values()].map((e) => e.score));
    return true;
  };
  points.forEach((point, i) => offer(point, scores[i]!));

  const cooling = (options.startTemperature - options.endTemperature) / options.steps;
  let temperature = options.startTemperature;
  let lastImprovement = 0;
  for (let step = 0; step < options.steps; step++) {
    const candidates = points.map((point) => neighbour(space, point, random));
    const candidateScores = score(candidates);
    let improved = false;
    candidates.forEach((candidate, i) => {
      const delta = candidateScores[i]! - scores[i]!;
      const accept = delta >= 0 || random.float() < Math.exp(delta / (temperature + 1e-5));
      if (!accept) return;
      points[i] = candidate;
      scores[i] = candidateScores[i]!;
      if (offer(candidate, candidateScores[i]!)) improved = true;
    });
    if (improved) lastImprovement = step;
    else if (step - lastImprovement >= options.earlyStop) break;
    temperature -= cooling;
  }
  return [...top.values()].sort((a, b) => b.score - a.score);
}
