// k-means (Lloyd's algorithm with k-means++ seeding) on small point sets: the clustering
// behind Chameleon's adaptive sampling.
import type { Random } from '../../helpers/random.js';

export interface Clustering {
  centroids: number[][];
  /** Cluster of each point. */
  labels: number[];
  /** Sum of squared distances of the points to their centroids (inertia). */
  loss: number;
}

function squaredDistance(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i]! - b[i]!) ** 2;
  return sum;
}

export function kmeans(points: readonly (readonly number[])[], k: number, random: Random, maxIterations = 50): Clustering {
  if (k < 1 || k > points.length) throw new RangeError(`k = ${k} for ${points.length} points`);
  // k-means++: each next centre drawn with probability proportional to squared distance.
  const centroids: number[][] = [[...points[random.int(points.length)]!]];
  const nearest = points.map((p) => squaredDistance(p, centroids[0]!));
  while (centroids.length < k) {
    const total = nearest.reduce((s, d) => s + d, 0);
    let pick = 0;
    if (total > 0) {
      let r = random.float() * total;
      while (pick < points.length - 1 && (r -= nearest[pick]!) > 0) pick++;
    } else {
      pick = random.int(points.length);
    }
    centroids.push([...points[pick]!]);
    points.forEach((p, i) => (nearest[i] = Math.min(nearest[i]!, squaredDistance(p, centroids[centroids.length - 1]!))));
  }
  let labels = new Array<number>(points.length).fill(0);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const next = points.map((p) => {
      let best = 0;
      for (let c = 1; c < k; c++) if (squaredDistance(p, centroids[c]!) < squaredDistance(p, centroids[best]!)) best = c;
      return best;
    });
    const changed = iteration === 0 || next.some((label, i) => label !== labels[i]);
    labels = next;
    if (!changed) break;
    for (let c = 0; c < k; c++) {
      const members = points.filter((_, i) => labels[i] === c);
      if (members.length === 0) continue; // an empty cluster keeps its centre
      centroids[c] = members[0]!.map((_, d) => members.reduce((s, m) => s + m[d]!, 0) / members.length);
    }
  }
  const loss = points.reduce((s, p, i) => s + squaredDistance(p, centroids[labels[i]!]!), 0);
  return { centroids, labels, loss };
}

/**
 * Chameleon's knee rule: given the losses for increasing k, keep increasing while each loss
 * falls below the previous one divided by `factor`; return the index of the last k kept.
 */
export function kneeIndex(losses: readonly number[], factor = 2.5): number {
  let kept = 0;
  for (let i = 1; i < losses.length; i++) {
    if (!(losses[i]! < losses[i - 1]! / factor)) break;
    kept = i;
  }
  return kept;
}
