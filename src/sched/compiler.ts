// The commercial compiler's published partitioner (libcoral's parameter-count-based rule):
// walk the graph in topological order and start a new segment when the next node would push
// the current one past total_params / K. Segments are contiguous in that order.
import { type Assignment, type ScheduleProblem } from './problem.js';

export function compilerSchedule(problem: ScheduleProblem): Assignment {
  const { n, cores: k, paramBytes } = problem;
  let total = 0;
  for (let v = 0; v < n; v++) total += paramBytes[v]!;
  const budget = total / k;
  const out = new Int32Array(n);
  let stage = 0;
  let inSegment = 0; // parameter bytes of the current segment
  let count = 0; // nodes of the current segment
  for (let v = 0; v < n; v++) {
    const p = paramBytes[v]!;
    if (count > 0 && stage < k - 1 && inSegment + p > budget) {
      stage++;
      inSegment = 0;
      count = 0;
    }
    out[v] = stage;
    inSegment += p;
    count++;
  }
  return out;
}
