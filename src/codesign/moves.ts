// Local moves in the hardware space, for searches that refine an incumbent accelerator.
import type { Random } from '../helpers/random.js';
import type { Point } from '../base/search-space.js';
import { brokenCap, type CodesignProblem, HARDWARE_KNOB, hardwareOf } from './problem.js';

/** The size knobs come first; the dataflow and the sparsity support after them are categories. */
const SIZE_KNOBS = HARDWARE_KNOB.dataflow;
const SIDES = [0, 1];
const BUFFERS = [2, 3, 4];
/** The knobs whose step down relieves each cap of the budget. */
const RELIEVERS = { pes: SIDES, sram: BUFFERS, area: [...SIDES, ...BUFFERS] };

/**
 * A random neighbour of an accelerator within the budget, or undefined after ten failed draws:
 * one knob a step (the dataflow or the sparsity support to another), or a trade — an array side or a buffer a step up,
 * then other array sides or buffers a step down, picked among those that relieve the cap it
 * breaks (PEs, SRAM or area), until the budget holds. An accelerator at its budget can only move
 * by trading, and one doubling may take several halvings to pay for.
 */
export function hardwareNeighbour(problem: CodesignProblem, hw: Point, random: Random): Point | undefined {
  const cards = problem.hardwareCardinalities;
  const inRange = (p: Point): boolean => p.every((v, k) => v >= 0 && v < cards[k]!);
  const valid = (p: Point): boolean => inRange(p) && problem.hardwareError(p) === undefined;
  for (let attempt = 0; attempt < 10; attempt++) {
    const next = [...hw];
    if (random.float() < 0.5) {
      const k = random.int(cards.length);
      next[k] = k >= SIZE_KNOBS ? (hw[k]! + 1 + random.int(cards[k]! - 1)) % cards[k]! : hw[k]! + (random.float() < 0.5 ? -1 : 1);
    } else {
      const up = random.int(SIZE_KNOBS);
      next[up]! += 1;
      const broken = (): ReturnType<typeof brokenCap> => (inRange(next) ? brokenCap(hardwareOf(next), problem.target) : undefined);
      for (let cap = broken(); cap !== undefined; cap = broken()) {
        const down = RELIEVERS[cap].filter((k) => k !== up && next[k]! > 0);
        if (down.length === 0) break;
        next[down[random.int(down.length)]!]! -= 1;
      }
    }
    if (valid(next)) return next;
  }
  return undefined;
}
