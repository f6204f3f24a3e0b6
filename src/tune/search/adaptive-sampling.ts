// Chameleon's adaptive sampling: rather than measuring every candidate a search proposes,
// cluster the candidates and measure one representative per cluster.
//
// The candidates are projected onto the knobs with the most values; k-means runs for
// k = 8, 16, 32, 64 and the knee rule picks k. Each cluster yields one synthesised config:
// clustered knobs from the centroid, every other knob the most frequent value among the
// cluster's members. A synthesised config already measured or already chosen is re-drawn.
import type { Random } from '../../helpers/random.js';
import { type Point, pointKey, type SearchSpace } from '../../base/search-space.js';
import { randomUnvisited } from '../tuners/unvisited.js';
import { type Clustering, kmeans, kneeIndex } from './kmeans.js';

export interface AdaptiveSamplingOptions {
  /** How many of the widest knobs the clustering looks at. */
  clusteredKnobs: number; // 2
  /** The k tried, in order. */
  ks: readonly number[]; // 8, 16, 32, 64
  /** Stop increasing k once the loss no longer falls by this factor. */
  kneeFactor: number; // 2.5
}

export const ADAPTIVE_SAMPLING_DEFAULTS: AdaptiveSamplingOptions = { clusteredKnobs: 2, ks: [8, 16, 32, 64], kneeFactor: 2.5 };

export interface Sampling {
  samples: Point[];
  k: number;
  losses: number[];
}

function widestKnobs(space: SearchSpace, count: number): number[] {
  return space.cardinalities
    .map((n, i) => [n, i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, count)
    .map(([, i]) => i);
}

function mostFrequent(values: readonly number[]): number {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = values[0]!;
  for (const [v, c] of counts) if (c > counts.get(best)! || (c === counts.get(best)! && v < best)) best = v;
  return best;
}

export function adaptiveSample(
  space: SearchSpace,
  candidates: readonly Point[],
  visited: ReadonlySet<string>,
  random: Random,
  options: AdaptiveSamplingOptions = ADAPTIVE_SAMPLING_DEFAULTS,
): Sampling {
  // Repeats stay in: how often the search met a config is part of what the clusters weigh.
  if (candidates.length === 0) return { samples: [], k: 0, losses: [] };
  const knobs = widestKnobs(space, options.clusteredKnobs);
  const projected = candidates.map((p) => knobs.map((k) => p[k]!));
  const distinct = new Set(projected.map((p) => p.join(','))).size;
  const ks = options.ks.filter((k) => k <= distinct);
  if (ks.length === 0) ks.push(distinct);

  const clusterings: Clustering[] = ks.map((k) => kmeans(projected, k, random));
  const chosen = kneeIndex(clusterings.map((c) => c.loss), options.kneeFactor);
  const { centroids, labels } = clusterings[chosen]!;

  const taken = new Set(visited);
  const samples: Point[] = [];
  centroids.forEach((centroid, c) => {
    const members = candidates.filter((_, i) => labels[i] === c);
    if (members.length === 0) return;
    const sample = space.cardinalities.map((n, knob) => {
      const slot = knobs.indexOf(knob);
      if (slot >= 0) return Math.min(n - 1, Math.max(0, Math.round(centroid[slot]!)));
      return mostFrequent(members.map((m) => m[knob]!));
    });
    let pick: Point | undefined = sample;
    if (taken.has(pointKey(pick))) pick = random.shuffle([...members]).find((m) => !taken.has(pointKey(m)));
    pick ??= randomUnvisited(space, random, 1, taken)[0];
    if (!pick) return;
    taken.add(pointKey(pick));
    samples.push(pick);
  });
  return { samples, k: ks[chosen]!, losses: clusterings.map((c) => c.loss) };
}
