// Plain TypeScript reference of the pipeline simulator and brute-force optima: the judges
// in tests, deliberately the obvious loops (see problem.ts for the cost model and units).
import { assignmentError, type PipelineCost, type ScheduleProblem, type StageCost } from './problem.js';

export function referenceSimulate(problem: ScheduleProblem, assignment: ArrayLike<number>): PipelineCost {
  const error = assignmentError(problem, assignment);
  if (error) throw new RangeError(error);
  const { cores: k, target } = problem;
  const link = target.hostLinkBytesPerSecond;
  const compute = new Array<number>(k).fill(0);
  const params = new Array<number>(k).fill(0);
  const input = new Array<number>(k).fill(0);
  const inBytes = new Array<number>(k).fill(0);
  const outBytes = new Array<number>(k).fill(0);
  const nodes: number[][] = Array.from({ length: k }, () => []);
  for (let v = 0; v < problem.n; v++) {
    const s = assignment[v]!;
    nodes[s]!.push(v);
    compute[s]! += problem.computeSeconds[v]! - problem.inputSeconds[v]!;
    input[s]! += problem.inputSeconds[v]!;
    params[s]! += problem.paramBytes[v]!;
    const consumers = Array.from(problem.succs.subarray(problem.succStart[v]!, problem.succStart[v + 1]!));
    if (consumers.length === 0) {
      outBytes[s]! += problem.outputBytes[v]!; // a graph output goes to the host
      continue;
    }
    const last = Math.max(...consumers.map((c) => assignment[c]!));
    for (let b = s; b < last; b++) {
      outBytes[b]! += problem.outputBytes[v]!;
      inBytes[b + 1]! += problem.outputBytes[v]!;
    }
  }
  const stages: StageCost[] = [];
  for (let s = 0; s < k; s++) {
    const streamSeconds = Math.max(0, params[s]! - target.onChipParamBytes) / link;
    const transferInSeconds = input[s]! + inBytes[s]! / link;
    const transferOutSeconds = outBytes[s]! / link;
    const transferSeconds = transferInSeconds + transferOutSeconds;
    const invoked = nodes[s]!.length > 0 || inBytes[s]! + outBytes[s]! > 0;
    const invocationSeconds = invoked ? target.invocationSeconds : 0;
    stages.push({
      nodes: nodes[s]!,
      paramBytes: params[s]!,
      computeSeconds: compute[s]!,
      streamSeconds,
      transferInSeconds,
      transferOutSeconds,
      transferSeconds,
      invocationSeconds,
      totalSeconds: compute[s]! + streamSeconds + transferSeconds + invocationSeconds,
    });
  }
  const bottleneckSeconds = Math.max(...stages.map((s) => s.totalSeconds));
  const latencySeconds = stages.reduce((sum, s) => sum + s.totalSeconds, 0);
  return { stages, bottleneckSeconds, throughputPerSecond: 1 / bottleneckSeconds, latencySeconds };
}

/** Every valid assignment (stage(u) ≤ stage(v) on every edge), by enumeration: tiny graphs only. */
export function* allValidAssignments(problem: ScheduleProblem): Generator<Int32Array> {
  const a = new Int32Array(problem.n);
  function* place(v: number): Generator<Int32Array> {
    if (v === problem.n) {
      yield a.slice();
      return;
    }
    let lo = 0;
    for (let e = problem.predStart[v]!; e < problem.predStart[v + 1]!; e++) lo = Math.max(lo, a[problem.preds[e]!]!);
    for (let s = lo; s < problem.cores; s++) {
      a[v] = s;
      yield* place(v + 1);
    }
  }
  yield* place(0);
}

/** Optimal bottleneck over all valid assignments. */
export function bruteForceOptimum(problem: ScheduleProblem): { bottleneckSeconds: number; assignment: Int32Array } {
  let best = Infinity;
  let arg: Int32Array = new Int32Array(problem.n);
  for (const a of allValidAssignments(problem)) {
    const cost = referenceSimulate(problem, a).bottleneckSeconds;
    if (cost < best) {
      best = cost;
      arg = a;
    }
  }
  return { bottleneckSeconds: best, assignment: arg };
}

/** Optimal bottleneck over contiguous segments of the index order (K cuts, empty segments allowed). */
export function bruteForceContiguous(problem: ScheduleProblem): number {
  const { n, cores: k } = problem;
  let best = Infinity;
  const cuts = new Array<number>(k + 1).fill(0);
  cuts[k] = n;
  const rec = (s: number, from: number): void => {
    if (s === k) {
      const a = new Int32Array(n);
      for (let t = 0; t < k; t++) a.fill(t, cuts[t]!, cuts[t + 1]!);
      best = Math.min(best, referenceSimulate(problem, a).bottleneckSeconds);
      return;
    }
    for (let c = from; c <= n; c++) {
      cuts[s] = c;
      rec(s + 1, c);
    }
  };
  rec(1, 0);
  return best;
}
