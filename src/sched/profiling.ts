// Coral's profiling-based partitioner (libcoral coral/tools/partitioner, `partition_with_profiling`),
// with the pipeline simulator as its profiler. Segments stay contiguous in execution order:
//   1. split with the compiler's --num_segments rule; its fastest and slowest segments bound the
//      target latency;
//   2. bisect the target: for a target, search segment by segment, each starting as long as the
//      later segments allow (one op each, the last holding every op from the first graph output
//      on) and giving up one op at a time until it meets the target, backtracking when the
//      later segments then cannot; a partition found lowers the upper bound, none raises the
//      lower one;
//   3. stop when the bounds are within diffThresholdSeconds (libcoral's default, 1 ms) and keep
//      the best partition found — the compiler's split when none was.
// The segment latency cache of libcoral (by segment start and length) is exact here: a
// contiguous segment's time depends only on its own ends.
import { compilerSchedule, firstGraphOutput } from './compiler.js';
import { assignmentFromCuts, type Assignment, type ScheduleProblem } from './problem.js';

export interface ProfilingOptions {
  /** Stop when the slowest and fastest segment bounds are this close, seconds (libcoral: 1e6 ns). */
  diffThresholdSeconds?: number;
}

export function profilingSchedule(problem: ScheduleProblem, options: ProfilingOptions = {}): Assignment {
  const threshold = options.diffThresholdSeconds ?? 1e-3;
  const { n, cores: k } = problem;
  const start = compilerSchedule(problem);
  if (k === 1 || n < k) return start;
  const seconds = contiguousSegmentSeconds(problem);
  const startCuts = cutsOf(start, k);
  const times = Array.from({ length: k }, (_, s) => seconds(startCuts[s]!, startCuts[s + 1]!));
  let lower = Math.min(...times);
  let upper = Math.max(...times);
  let best: Int32Array | undefined;
  const lastLength = Math.max(n - firstGraphOutput(problem), 1);
  while (upper - lower > threshold) {
    const target = (lower + upper) / 2;
    const cuts = partitionOnTarget(seconds, n, k, lastLength, target);
    const last = cuts ? seconds(cuts[k - 1]!, n) : Infinity;
    if (cuts && last < target) {
      best = cuts;
      upper = target;
    } else {
      if (cuts && last < upper) {
        best = cuts;
        upper = last;
      }
      lower = target;
    }
  }
  return best ? assignmentFromCuts(n, best) : start;
}

/** Cut positions (K+1) of a contiguous assignment. */
function cutsOf(assignment: Assignment, k: number): Int32Array {
  const cuts = new Int32Array(k + 1);
  for (let s = 0; s <= k; s++) {
    let c = 0;
    while (c < assignment.length && assignment[c]! < s) c++;
    cuts[s] = c;
  }
  return cuts;
}

/**
 * libcoral's SearchPartition for one target: cuts (K+1) whose segments before the last each take
 * at most `target`, or undefined. A (segment, start) that failed once fails again: remembered.
 */
function partitionOnTarget(seconds: (i: number, j: number) => number, n: number, k: number, lastLength: number, target: number): Int32Array | undefined {
  const cuts = new Int32Array(k + 1);
  cuts[k] = n;
  const failed = new Set<number>();
  const search = (segment: number, from: number): boolean => {
    cuts[segment] = from;
    if (segment === k - 1) return true;
    if (failed.has(segment * (n + 1) + from)) return false;
    // Longest first: every later segment keeps one op, the last its whole tail.
    for (let end = n - lastLength - (k - 2 - segment); end > from; end--) {
      if (seconds(from, end) <= target && search(segment + 1, end)) return true;
    }
    failed.add(segment * (n + 1) + from);
    return false;
  };
  return search(0, 0) ? cuts : undefined;
}

/**
 * Seconds of the contiguous segment [i, j) of the index order as a pipeline stage (see problem.ts):
 * its compute, its parameters beyond the cache, every tensor live across either end (received
 * and forwarded) and its graph outputs, plus one invocation. O(n) set-up, O(1) per segment.
 */
export function contiguousSegmentSeconds(problem: ScheduleProblem): (i: number, j: number) => number {
  const { n, target } = problem;
  const link = target.hostLinkBytesPerSecond;
  const compute = new Float64Array(n + 1);
  const params = new Float64Array(n + 1);
  const outputs = new Float64Array(n + 1);
  const cross = new Float64Array(n + 2);
  for (let v = 0; v < n; v++) {
    let last = -1;
    for (let e = problem.succStart[v]!; e < problem.succStart[v + 1]!; e++) last = Math.max(last, problem.succs[e]!);
    compute[v + 1] = compute[v]! + problem.computeSeconds[v]!;
    params[v + 1] = params[v]! + problem.paramBytes[v]!;
    outputs[v + 1] = outputs[v]! + (last < 0 ? problem.outputBytes[v]! : 0);
    if (last > v) {
      // Live across the cuts v+1 … last (a difference array, summed below).
      cross[v + 1]! += problem.outputBytes[v]!;
      cross[last + 1]! -= problem.outputBytes[v]!;
    }
  }
  for (let j = 1; j <= n; j++) cross[j]! += cross[j - 1]!;
  return (i, j) => {
    const stream = Math.max(0, params[j]! - params[i]! - target.onChipParamBytes) / link;
    return compute[j]! - compute[i]! + stream + (cross[i]! + cross[j]! + outputs[j]! - outputs[i]!) / link + target.invocationSeconds;
  };
}
