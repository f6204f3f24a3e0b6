// The Edge TPU compiler's `--num_segments` split, as libcoral's ParameterCountBasedPartitioner
// (coral/tools/partitioner/parameter_count_based_partitioner.cc) writes it: walk the ops in
// execution order and close a segment just before its parameters would pass
// floor(total / K) + 1 bytes; each segment must end early enough that every later segment keeps
// at least one op before the first graph output, and the last takes the rest. Where libcoral
// would leave a segment empty (one op heavier than the average) and abort, this keeps the op.
import { type Assignment, type ScheduleProblem } from './problem.js';

export function compilerSchedule(problem: ScheduleProblem): Assignment {
  const { n, cores: k, paramBytes, succStart } = problem;
  let total = 0;
  for (let v = 0; v < n; v++) total += paramBytes[v]!;
  const average = Math.floor(total / k) + 1;
  let firstOutput = 0;
  while (firstOutput < n - 1 && succStart[firstOutput + 1]! > succStart[firstOutput]!) firstOutput++;
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
