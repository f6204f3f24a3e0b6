import { describe, expect, it } from 'vitest';
import { Random } from '../../src/helpers/random.js';
import { adaptiveSample } from '../../src/tune/search/adaptive-sampling.js';
import { kmeans, kneeIndex } from '../../src/tune/search/kmeans.js';
import { pointKey, type SearchSpace } from '../../src/base/search-space.js';

describe('k-means and the knee rule', () => {
  it('keeps increasing k while the loss falls by more than 2.5×', () => {
    expect(kneeIndex([100, 30, 5, 4])).toBe(2); // 30 < 40, 5 < 12, 4 ≥ 2 → keep k #2
    expect(kneeIndex([100, 50, 1, 0.1])).toBe(0); // 50 ≥ 40 at once
    expect(kneeIndex([9, 3, 1, 0.3])).toBe(3);
    expect(kneeIndex([7])).toBe(0);
  });

  it('finds three separated blobs exactly, with the loss computed by hand', () => {
    const points = [[0, 0], [0, 2], [10, 0], [10, 2], [20, 10], [22, 10]];
    const { labels, loss } = kmeans(points, 3, new Random(1));
    expect(labels[0]).toBe(labels[1]);
    expect(labels[2]).toBe(labels[3]);
    expect(labels[4]).toBe(labels[5]);
    expect(new Set(labels).size).toBe(3);
    expect(loss).toBeCloseTo(6); // each pair is 2 apart: 2 × 1² per pair
  });
});

describe('adaptive sampling', () => {
  // Knobs 0 and 1 are the widest; 16 clusters sit at 16 distinct (k0, k1) locations, and
  // within each, knob 2 has a clear most-frequent value.
  const space: SearchSpace = { knobNames: ['a', 'b', 'c'], cardinalities: [32, 32, 4] };
  const locations = Array.from({ length: 16 }, (_, i) => [(i % 4) * 8 + 2, Math.floor(i / 4) * 8 + 3]);
  const mode = (i: number) => i % 4;
  const candidates = locations.flatMap(([a, b], i) => [[a!, b!, mode(i)], [a!, b!, mode(i)], [a!, b!, (mode(i) + 1) % 4]]);

  it('chooses k at the knee and synthesises centroid + most-frequent configs', () => {
    const { samples, k, losses } = adaptiveSample(space, candidates, new Set(), new Random(2));
    expect(k).toBe(16); // k = 8 merges locations (loss > 0), k = 16 has loss 0, 32 > 16 locations
    expect(losses[1]).toBe(0);
    expect(new Set(samples.map(pointKey))).toEqual(new Set(locations.map(([a, b], i) => pointKey([a!, b!, mode(i)]))));
  });

  it('re-draws a synthesised config that was already measured', () => {
    const visited = new Set([pointKey([locations[0]![0]!, locations[0]![1]!, mode(0)])]);
    const { samples } = adaptiveSample(space, candidates, visited, new Random(2));
    expect(samples).toHaveLength(16);
    expect(samples.some((s) => visited.has(pointKey(s)))).toBe(false);
    expect(samples.map(pointKey)).toContain(pointKey([locations[0]![0]!, locations[0]![1]!, (mode(0) + 1) % 4]));
  });
});
