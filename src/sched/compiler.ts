// The Edge TPU compiler's `--num_segments` split, as libcoral's ParameterCountBasedPartitioner
// (coral/tools/partitioner/parameter_count_based_partitioner.cc) writes it: walk the ops in
// execution order and close a segment just before its parameters would pass
// floor(total / K) + 1 bytes; each segment must end early enough that every later segment keeps
// at least one op before the first graph output, and the last takes the rest. Where libcoral
// would leave a segment empty (one op heavier than the average) and abort, this keeps the op.
import { type Assignment, type ScheduleProblem } from './problem.js';

/** Index of the first node without consumers (a graph output): libcoral's last segment starts by then. */
export function firstGraphOutput(problem: ScheduleProblem): number {
  let v = 0;
  while (v < problem.n - 1 && problem.succStart[v + 1]! > problem.succStart[v]!) v++;
  return v;
}

export function compilerSchedule(problem: ScheduleProblem): Assignment {
  const { n, cores: k, paramBytes } = problem;
  let total = 0;
  for (let v = 0; v < n; v++) total += paramBytes[v]!;
  const average = Math.floor(total / k) + 1;
  const firstOutput = firstGraphOutput(problem);
  const out = new Int32Array(n);
  let v = 0;
  for (let stage = 0; stage < k - 1; stage++) {
    const lastEnd = firstOutput - (k - stage - 1);
    let inSegment = 0;
    const start = v;
    while (v <= lastEnd && (v === start || inSegment + paramBytes[v]! <= average)) {
      inSegment += paramBytes[v]!;
      out[v++] = stage;
    }
  }
  out.fill(k - 1, v);
  return out;
}
