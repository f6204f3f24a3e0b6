// Topological orders of a problem and the contiguous DP's best cuts of one: contiguous
// segments of a good order are how the DP-based schedulers (the learned scheduler's re-cutting,
// the exact solver's warm start) reach non-contiguous schedules of the index order.
import type { Core } from '../core/core.js';
import { assignmentFromCuts, reorderProblem, type Assignment, type ScheduleProblem } from './problem.js';
import { PipelineSimulator } from './simulate.js';

/**
 * The best contiguous cuts of a topological order (`order[i]` = the i-th node), as a stage
 * per node index; undefined when no cut reaches `upperBoundSeconds`.
 */
export function cutOrder(core: Core, problem: ScheduleProblem, order: ArrayLike<number>, upperBoundSeconds = Infinity): Assignment | undefined {
  const inner = new PipelineSimulator(core, reorderProblem(problem, order));
  try {
    const { cuts, bottleneckSeconds } = inner.contiguousDp(upperBoundSeconds);
    if (!Number.isFinite(bottleneckSeconds)) return undefined;
    const byPosition = assignmentFromCuts(problem.n, cuts);
    const out = new Int32Array(problem.n);
    for (let i = 0; i < problem.n; i++) out[order[i]!] = byPosition[i]!;
    return out;
  } finally {
    inner.free();
  }
}

/**
 * Nodes by (longest-path depth from a graph input, index). Model files list a module's
 * parallel branches one after another, so a contiguous cut of the index order splits one
 * branch and sends every finished branch's output across; in this order the branches sit side
 * by side and one cut can split them all at the same depth, where their tensors are small
 * (Inception-style modules need this: their optimum is contiguous here, not in the index order).
 */
export function levelOrder(problem: ScheduleProblem): Int32Array {
  const depth = new Int32Array(problem.n);
  for (let v = 0; v < problem.n; v++) {
    for (let e = problem.predStart[v]!; e < problem.predStart[v + 1]!; e++) depth[v] = Math.max(depth[v]!, depth[problem.preds[e]!]! + 1);
  }
  return Int32Array.from({ length: problem.n }, (_, v) => v).sort((a, b) => depth[a]! - depth[b]! || a - b);
}

/**
 * Depth first, entering the last-listed of the successors a node makes ready first: where the
 * index order runs a block's branches one way round (a residual block's main path before its
 * shortcut), this runs them the other, so a cut can fall between the two (ResNet-101 on 6 Edge
 * TPUs reaches the exact optimum only so).
 */
export function lastBranchFirstOrder(problem: ScheduleProblem): Int32Array {
  const waiting = new Int32Array(problem.n);
  const stack: number[] = [];
  for (let v = 0; v < problem.n; v++) {
    waiting[v] = problem.predStart[v + 1]! - problem.predStart[v]!;
    if (waiting[v] === 0) stack.push(v);
  }
  const order = new Int32Array(problem.n);
  for (let i = 0; stack.length > 0; i++) {
    const v = stack.pop()!;
    order[i] = v;
    for (let e = problem.succStart[v]!; e < problem.succStart[v + 1]!; e++) if (--waiting[problem.succs[e]!]! === 0) stack.push(problem.succs[e]!);
  }
  return order;
}
