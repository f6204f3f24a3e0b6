import type { Random } from '../../helpers/random.js';
import { type Point, pointAt, pointKey, randomPoint, type SearchSpace, spaceSize } from '../../base/search-space.js';

/**
 * Up to `n` distinct random points outside `taken`. Small spaces are enumerated, so the
 * last unmeasured points are still found; large ones are sampled with a bounded number of draws.
 */
export function randomUnvisited(space: SearchSpace, random: Random, n: number, taken: ReadonlySet<string>): Point[] {
  const size = spaceSize(space);
  const picked = new Map<string, Point>();
  if (size <= 4 * (taken.size + n) && size <= 1 << 20) {
    const free: number[] = [];
    for (let index = 0; index < size; index++) if (!taken.has(pointKey(pointAt(space, index)))) free.push(index);
    return random.shuffle(free).slice(0, n).map((index) => pointAt(space, index));
  }
  for (let draws = 0; picked.size < n && draws < 50 * n; draws++) {
    const point = randomPoint(space, random);
    const key = pointKey(point);
    if (!taken.has(key)) picked.set(key, point);
  }
  return [...picked.values()];
}
