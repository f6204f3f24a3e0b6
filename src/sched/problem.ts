// The pipeline scheduling problem: every node of a DAG goes to one of K stages (one per
// core) with stage(u) ≤ stage(v) for every edge u→v.
//
// Cost model (all times in seconds, all sizes in bytes; the constants are the target's, see
// src/hw/pipeline.ts for their meaning and where the Edge TPU presets' values come from):
//   compute(v)  = arrayMacs_v / (coreMacsPerCycle · freqMHz · 1e6 · utilisation_v)
//                 (utilisation_v: lowReuseUtilisation for depthwise and fully connected layers,
//                 convUtilisation otherwise), or for a node without MACs (pooling, elementwise,
//                 concatenation) outputElements_v · vectorElementSeconds
//   input(v)    = hostInputElements_v · paramBytesPerWeight / hostLinkBytesPerSecond
//                 (the graph's input image, sent by the host to the stage of its first reader)
//   compute(s)  = Σ_{v in s} compute(v)
//   params(s)   = Σ_{v in s} paramCount_v · paramBytesPerWeight
//   stream(s)   = max(0, params(s) − onChipParamBytes) / hostLinkBytesPerSecond
//                 (parameters that do not fit on chip are re-sent every inference)
//   A tensor (the output of u, outputElements_u · paramBytesPerWeight bytes) whose last
//   consumer sits in stage t > stage(u) crosses every boundary b with stage(u) ≤ b < t; at
//   each crossing it is an output transfer of stage b and an input transfer of stage b+1
//   (an intermediate stage receives and forwards it through the host).
//   The output of a node without consumers (a graph output) goes to the host from its stage.
//   transfer(s) = (Σ_{v in s} input(v) · link + in(s) + out(s)) / hostLinkBytesPerSecond
//   invoked(s)  = stage s holds a node or forwards a tensor; it then pays invocationSeconds
//   time(s)     = compute(s) + stream(s) + transfer(s) + invocationSeconds · invoked(s)
//   bottleneck  = max_s time(s);  throughput = 1 / bottleneck;  latency = Σ_s time(s)
// Every invoked stage pays the same constant, so bottleneck = (the same without it) + invocationSeconds:
// the wasm core leaves it out and src/sched/simulate.ts adds it, and the input transfers ride
// in the per-node compute the core sums, split back out as transfers in simulate.ts.
import { UserError } from '../base/errors.js';
import { macsPerSecond, type PipelineTarget, validatePipelineTarget } from '../hw/pipeline.js';

/** The plain input a scheduler needs of one node; nodes are listed in a topological order. */
export interface ScheduleNode {
  readonly name: string;
  /** Multiply-accumulates of one inference. */
  readonly macs: number;
  /** MACs the array spends, idle lanes included (default: macs); see from-graph.ts. */
  readonly arrayMacs?: number;
  /** A depthwise or fully connected layer, which reuses each weight little (default false). */
  readonly lowReuse?: boolean;
  /** Elements of the graph's inputs this node is the first to read: the host sends them (default 0). */
  readonly hostInputElements?: number;
  /** Number of weights (bytes on the device = paramCount · paramBytesPerWeight). */
  readonly paramCount: number;
  /** Elements of the node's output tensor (bytes = outputElements · paramBytesPerWeight). */
  readonly outputElements: number;
  /** Indices of predecessor nodes; each must be smaller than this node's own index. */
  readonly preds: readonly number[];
}

/** Largest graph the schedulers accept. */
export const MAX_SCHEDULE_NODES = 20_000;

/** A validated problem in flat arrays, ready for the simulator and the solvers. */
export interface ScheduleProblem {
  readonly target: PipelineTarget;
  readonly cores: number;
  readonly names: readonly string[];
  readonly n: number;
  /** Seconds of compute per node, its share of the host's input transfer included (see inputSeconds). */
  readonly computeSeconds: Float64Array;
  /** Seconds of each node's host-to-device transfer of graph inputs (part of computeSeconds). */
  readonly inputSeconds: Float64Array;
  /** Parameter bytes per node on the device. */
  readonly paramBytes: Float64Array;
  /** Output tensor bytes per node on the device. */
  readonly outputBytes: Float64Array;
  /** CSR predecessor lists: preds of v are preds[predStart[v] .. predStart[v+1]). */
  readonly predStart: Int32Array;
  readonly preds: Int32Array;
  /** CSR successor lists, same layout. */
  readonly succStart: Int32Array;
  readonly succs: Int32Array;
}

export function buildProblem(nodes: readonly ScheduleNode[], target: PipelineTarget): ScheduleProblem {
  target = validatePipelineTarget(target);
  const n = nodes.length;
  if (n === 0) throw new UserError('schedule: the graph has no nodes', { field: 'model' });
  if (n > MAX_SCHEDULE_NODES) throw new UserError(`schedule: the graph has ${n} nodes, more than the limit of ${MAX_SCHEDULE_NODES}`, { field: 'model' });
  const rate = macsPerSecond(target);
  const bpw = target.paramBytesPerWeight;
  const link = target.hostLinkBytesPerSecond;
  const computeSeconds = new Float64Array(n);
  const inputSeconds = new Float64Array(n);
  const paramBytes = new Float64Array(n);
  const outputBytes = new Float64Array(n);
  const predStart = new Int32Array(n + 1);
  const names: string[] = [];
  const seen = new Set<string>();
  let edges = 0;
  for (let v = 0; v < n; v++) {
    const node = nodes[v]!;
    if (typeof node.name !== 'string' || node.name === '') throw new RangeError(`schedule: node ${v} has no name`);
    if (seen.has(node.name)) throw new RangeError(`schedule: node name '${node.name}' appears twice`);
    seen.add(node.name);
    names.push(node.name);
    for (const key of ['macs', 'paramCount', 'outputElements', 'arrayMacs', 'hostInputElements'] as const) {
      const value = node[key];
      if (value === undefined && (key === 'arrayMacs' || key === 'hostInputElements')) continue;
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new RangeError(`schedule: node '${node.name}': ${key} must be a finite number ≥ 0, got ${value}`);
    }
    const utilisation = node.lowReuse ? target.lowReuseUtilisation : target.convUtilisation;
    inputSeconds[v] = ((node.hostInputElements ?? 0) * bpw) / link;
    const work = node.macs > 0 ? (node.arrayMacs ?? node.macs) / (rate * utilisation) : node.outputElements * target.vectorElementSeconds;
    computeSeconds[v] = work + inputSeconds[v]!;
    paramBytes[v] = node.paramCount * bpw;
    outputBytes[v] = node.outputElements * bpw;
    const unique = new Set(node.preds);
    for (const u of unique) {
      if (!Number.isInteger(u) || u < 0 || u >= v) {
        throw new RangeError(`schedule: node '${node.name}' (index ${v}) has predecessor ${u}; predecessors must be earlier nodes (topological order)`);
      }
    }
    edges += unique.size;
    predStart[v + 1] = edges;
  }
  const preds = new Int32Array(edges);
  const succCount = new Int32Array(n);
  for (let v = 0, e = 0; v < n; v++) {
    for (const u of [...new Set(nodes[v]!.preds)].sort((a, b) => a - b)) {
      preds[e++] = u;
      succCount[u]!++;
    }
  }
  const succStart = new Int32Array(n + 1);
  for (let u = 0; u < n; u++) succStart[u + 1] = succStart[u]! + succCount[u]!;
  const succs = new Int32Array(edges);
  const fill = succStart.slice(0, n);
  for (let v = 0; v < n; v++) {
    for (let e = predStart[v]!; e < predStart[v + 1]!; e++) succs[fill[preds[e]!]!++] = v;
  }
  return { target, cores: target.cores, names, n, computeSeconds, inputSeconds, paramBytes, outputBytes, predStart, preds, succStart, succs };
}

/** The same problem on another number of cores. */
export function withCores(problem: ScheduleProblem, cores: number): ScheduleProblem {
  const target = validatePipelineTarget({ ...problem.target, cores });
  return { ...problem, target, cores };
}

/** Cost of one stage; times in seconds, sizes in bytes. */
export interface StageCost {
  /** Node indices of the stage, ascending. */
  readonly nodes: number[];
  readonly paramBytes: number;
  readonly computeSeconds: number;
  readonly streamSeconds: number;
  readonly transferInSeconds: number;
  readonly transferOutSeconds: number;
  readonly transferSeconds: number;
  /** The target's invocationSeconds when the stage runs (holds a node or forwards a tensor), else 0. */
  readonly invocationSeconds: number;
  readonly totalSeconds: number;
}

export interface PipelineCost {
  readonly stages: StageCost[];
  readonly bottleneckSeconds: number;
  readonly throughputPerSecond: number;
  readonly latencySeconds: number;
}

/** Stage of every node by index. */
export type Assignment = Int32Array;

/** Turns a name → stage record into an assignment, naming any missing or unknown node. */
export function assignmentFromRecord(problem: ScheduleProblem, record: Readonly<Record<string, number>>): Assignment {
  const index = new Map(problem.names.map((name, i) => [name, i]));
  for (const name of Object.keys(record)) if (!index.has(name)) throw new RangeError(`assignment: unknown node '${name}'`);
  const out = new Int32Array(problem.n);
  for (let v = 0; v < problem.n; v++) {
    const name = problem.names[v]!;
    const stage = record[name];
    if (stage === undefined) throw new RangeError(`assignment: node '${name}' is missing`);
    out[v] = stage;
  }
  return out;
}

export function assignmentToRecord(problem: ScheduleProblem, assignment: Assignment): Record<string, number> {
  const out: Record<string, number> = {};
  for (let v = 0; v < problem.n; v++) out[problem.names[v]!] = assignment[v]!;
  return out;
}

/**
 * Checks stage ranges and edge order; returns an error message naming the node or edge,
 * or undefined when the assignment is valid.
 */
export function assignmentError(problem: ScheduleProblem, assignment: ArrayLike<number>): string | undefined {
  if (assignment.length !== problem.n) return `assignment has ${assignment.length} stages for ${problem.n} nodes`;
  for (let v = 0; v < problem.n; v++) {
    const s = assignment[v]!;
    if (!Number.isInteger(s) || s < 0 || s >= problem.cores) return `node '${problem.names[v]}' is assigned stage ${s}, outside 0..${problem.cores - 1}`;
  }
  for (let v = 0; v < problem.n; v++) {
    for (let e = problem.predStart[v]!; e < problem.predStart[v + 1]!; e++) {
      const u = problem.preds[e]!;
      if (assignment[u]! > assignment[v]!) return edgeError(problem, u, v, assignment[u]!, assignment[v]!);
    }
  }
  return undefined;
}

export function edgeError(problem: ScheduleProblem, u: number, v: number, su: number, sv: number): string {
  return `edge '${problem.names[u]}' → '${problem.names[v]}' breaks the order: stage ${su} > stage ${sv}`;
}

/**
 * The same schedule with its empty stages moved to the end (the used stages renumbered
 * 0, 1, … in order). No stage's time rises: a tensor that crossed an empty stage crosses one
 * boundary fewer.
 */
export function compactStages(assignment: Assignment, cores: number): Assignment {
  const used = new Uint8Array(cores);
  for (const s of assignment) used[s] = 1;
  const renumber = new Int32Array(cores);
  for (let s = 0, next = 0; s < cores; s++) renumber[s] = used[s] ? next++ : next;
  return assignment.map((s) => renumber[s]!);
}

/** Stage of each node when the topological order is cut at `cuts` (K+1 positions, 0 … n). */
export function assignmentFromCuts(n: number, cuts: ArrayLike<number>): Assignment {
  const out = new Int32Array(n);
  for (let s = 0; s + 1 < cuts.length; s++) out.fill(s, cuts[s]!, cuts[s + 1]!);
  return out;
}

/**
 * The same problem with its nodes listed in another topological order: `order[i]` is the
 * original index of the i-th node. Throws when the order puts a node before a predecessor.
 */
export function reorderProblem(problem: ScheduleProblem, order: ArrayLike<number>): ScheduleProblem {
  const { n } = problem;
  if (order.length !== n) throw new RangeError(`reorder: ${order.length} positions for ${n} nodes`);
  const position = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) position[order[i]!] = i;
  const computeSeconds = new Float64Array(n);
  const inputSeconds = new Float64Array(n);
  const paramBytes = new Float64Array(n);
  const outputBytes = new Float64Array(n);
  const predStart = new Int32Array(n + 1);
  const preds = new Int32Array(problem.preds.length);
  const names: string[] = [];
  for (let i = 0, e = 0; i < n; i++) {
    const v = order[i]!;
    if (position[v] !== i) throw new RangeError('reorder: the order is not a permutation');
    names.push(problem.names[v]!);
    computeSeconds[i] = problem.computeSeconds[v]!;
    inputSeconds[i] = problem.inputSeconds[v]!;
    paramBytes[i] = problem.paramBytes[v]!;
    outputBytes[i] = problem.outputBytes[v]!;
    for (let f = problem.predStart[v]!; f < problem.predStart[v + 1]!; f++) {
      const u = position[problem.preds[f]!]!;
      if (u >= i) throw new RangeError(`reorder: '${problem.names[v]}' would come before its predecessor '${problem.names[problem.preds[f]!]}'`);
      preds[e++] = u;
    }
    predStart[i + 1] = e;
  }
  const succCount = new Int32Array(n);
  for (const u of preds) succCount[u]!++;
  const succStart = new Int32Array(n + 1);
  for (let u = 0; u < n; u++) succStart[u + 1] = succStart[u]! + succCount[u]!;
  const succs = new Int32Array(preds.length);
  const fill = succStart.slice(0, n);
  for (let v = 0; v < n; v++) for (let e = predStart[v]!; e < predStart[v + 1]!; e++) succs[fill[preds[e]!]!++] = v;
  return { ...problem, names, computeSeconds, inputSeconds, paramBytes, outputBytes, predStart, preds, succStart, succs };
}
