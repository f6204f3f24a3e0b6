// Small hand-rolled DAGs for the scheduler tests (independent of src/graph).
import { Random } from '../../src/helpers/random.js';
import { pipelineTarget, type PipelineTarget } from '../../src/hw/pipeline.js';
import { buildProblem, type ScheduleNode, type ScheduleProblem } from '../../src/sched/problem.js';

/**
 * A tiny target whose numbers make the compute, memory and link terms of the cost model matter:
 * 1 MAC per cycle at 1 MHz (1 µs per MAC), 1000 bytes on chip, 1 byte per weight, 1 MB/s link
 * (1 µs per byte); no fixed costs and full utilisation unless `extra` sets them.
 */
export function tinyTarget(cores: number, extra: Partial<PipelineTarget> = {}): PipelineTarget {
  return pipelineTarget({
    cores, onChipParamBytes: 1000, paramBytesPerWeight: 1, hostLinkBytesPerSecond: 1e6, coreMacsPerCycle: 1, freqMHz: 1,
    invocationSeconds: 0, vectorElementSeconds: 0, convUtilisation: 1, lowReuseUtilisation: 1, ...extra,
  });
}

/** A random DAG of n nodes in topological order, each with up to `maxPreds` earlier predecessors. */
export function randomNodes(random: Random, n: number, maxPreds = 3): ScheduleNode[] {
  const nodes: ScheduleNode[] = [];
  for (let v = 0; v < n; v++) {
    const preds = new Set<number>();
    if (v > 0) {
      preds.add(v - 1 - random.int(Math.min(v, 2)));
      const extra = random.int(maxPreds);
      for (let i = 0; i < extra; i++) preds.add(random.int(v));
    }
    nodes.push({
      name: `n${v}`,
      macs: random.intBetween(0, 2000),
      paramCount: random.pick([0, random.intBetween(0, 1500)]),
      outputElements: random.intBetween(1, 600),
      preds: [...preds],
    });
  }
  return nodes;
}

export function randomProblem(random: Random, n: number, cores: number): ScheduleProblem {
  return buildProblem(randomNodes(random, n), tinyTarget(cores));
}

/** A random valid assignment: each node at or after its predecessors' stages, at most `maxStep` later. */
export function randomValidAssignment(random: Random, p: ScheduleProblem, maxStep = p.cores): Int32Array {
  const a = new Int32Array(p.n);
  for (let v = 0; v < p.n; v++) {
    let lo = 0;
    for (let e = p.predStart[v]!; e < p.predStart[v + 1]!; e++) lo = Math.max(lo, a[p.preds[e]!]!);
    a[v] = random.intBetween(lo, Math.min(p.cores - 1, lo + maxStep));
  }
  return a;
}
