// The exact scheduler: a mixed-integer program solved by HiGHS (the `highs` package, HiGHS
// compiled to wasm). It minimises the bottleneck stage time; on a time-out it returns its
// best schedule with the proven optimality gap.
//
// Variables (units inside the model: microseconds for time, MiB for bytes, to keep the
// coefficients near 1; results are converted back to seconds and bytes):
//   T            bottleneck, µs                                   (objective: min T)
//   y[v][s]      binary, s = 1 … K−1: 1 iff stage(v) ≥ s  (cumulative encoding)
//                membership x[v][s] = y[v][s] − y[v][s+1] with y[v][0] ≡ 1, y[v][K] ≡ 0
//   o[s]         parameter overflow of stage s beyond on-chip memory, MiB, ≥ 0
//   z[u][b]      ∈ [0,1], b = 0 … K−2: u's output crosses boundary b (b ↔ b+1)
// Constraints:
//   y[v][s+1] ≤ y[v][s]                              (the encoding is cumulative)
//   y[u][s] ≤ y[v][s]          for each edge u→v     (stage(u) ≤ stage(v))
//   z[u][b] ≥ y[v][b+1] − y[u][b+1]  for each edge   (live across b: u at ≤ b, a consumer at > b)
//   o[s] ≥ Σ_v paramMiB_v · x[v][s] − onChipMiB
//   T ≥ Σ_v (compute_v + sinkOut_v) · x[v][s] + o[s]·streamµsPerMiB
//       + Σ_u tensorµs_u · (z[u][s−1] + z[u][s])    (input + output transfers of stage s)
// Bounds: T ≥ what any node costs alone, and ≥ the average stage time. An empty stage can be
// moved last without raising any stage's time, so the model keeps empty stages last: a graph
// with a single input node has it fixed in stage 0, and warm starts are compacted to match.
// z and o are only bounded from below: raising them never helps, so at an optimum the
// bottleneck stage's row is tight and T equals the simulator's bottleneck. Schedules are
// always re-costed by the simulator.
import type { Highs, Model, ModelData } from 'highs';
import { OptionsError } from '../base/options.js';
import type { Core } from '../core/core.js';
import { cutOrder, levelOrder } from './orders.js';
import { assignmentFromCuts, compactStages, type Assignment, type ScheduleProblem } from './problem.js';
import { PipelineSimulator } from './simulate.js';

const US = 1e6; // microseconds per second
const MIB = 1024 * 1024;


/** Seconds the exact solver runs by default before it returns its best schedule and gap. */
export const EXACT_TIME_LIMIT_SECONDS = 60;
export interface ExactOptions {
  /** Wall-clock limit of the HiGHS solve, in seconds. */
  timeLimitSeconds?: number;
  /** Relative gap at which HiGHS stops (default 1e-6: proven optimal to six digits). */
  relativeGap?: number;
  /** Branch-and-bound node limit (deterministic, unlike the time limit). */
  maxNodes?: number;
  /** A schedule to start from (default: the contiguous DP's best cuts of the index or the level order). */
  warmStart?: Assignment;
  /** A loaded HiGHS runtime; default: load the `highs` package (Node finds its wasm beside it). */
  highs?: Highs;
  /** Called while HiGHS searches (from its MIP checkpoints, at most every 0.2 s). */
  onProgress?: (progress: ExactProgress) => void;
}

/** Where the exact solver stands during its search. */
export interface ExactProgress {
  /** Seconds HiGHS has run. */
  seconds: number;
  timeLimitSeconds: number;
  /** Bottleneck of its best schedule and its proven lower bound so far, seconds (the bound 0 until it has one). */
  bestSeconds: number;
  boundSeconds: number;
}

export interface ExactResult {
  assignment: Assignment;
  bottleneckSeconds: number;
  /** Proven lower bound on the optimal bottleneck, seconds. */
  lowerBoundSeconds: number;
  /** (bottleneck − lower bound) / bottleneck; 0 when proven optimal. */
  optimalityGap: number;
  /** 'optimal', 'time-limit', 'solve-error' (HiGHS failed; its best schedule and a trivial bound) or another HiGHS status name. */
  status: string;
  solveSeconds: number;
}

let highsPromise: Promise<Highs> | undefined;

export function loadHighs(): Promise<Highs> {
  highsPromise ??= import('highs').then((m) => (m.default as unknown as () => Promise<Highs>)());
  return highsPromise;
}

interface Row {
  terms: Map<number, number>;
  lo: number;
  hi: number;
}

/** The MILP in HiGHS's sparse form, with index helpers to read and seed solutions. */
export interface PipelineMilp {
  model: ModelData;
  y: (v: number, s: number) => number;
  z: (u: number, b: number) => number;
  o: (s: number) => number;
  timeRows: number[];
  rows: Row[];
}

export function buildPipelineMilp(problem: ScheduleProblem, highs: Pick<Highs, 'infinity' | 'constants'>): PipelineMilp {
  const { n, cores: k, target } = problem;
  const inf = highs.infinity;
  const link = target.hostLinkBytesPerSecond;
  const hasSucc = (u: number): boolean => problem.succStart[u + 1]! > problem.succStart[u]!;
  const zBase = new Int32Array(n).fill(-1);
  let cols = 1;
  const yStart = cols;
  cols += n * (k - 1);
  const oStart = cols;
  cols += k;
  for (let u = 0; u < n; u++) {
    if (hasSucc(u) && k > 1) {
      zBase[u] = cols;
      cols += k - 1;
    }
  }
  const y = (v: number, s: number): number => yStart + v * (k - 1) + (s - 1);
  const z = (u: number, b: number): number => zBase[u]! + b;
  const o = (s: number): number => oStart + s;
  const rows: Row[] = [];
  const add = (terms: Map<number, number>, constant: number, lo: number, hi: number): number => {
    rows.push({ terms, lo: lo - constant, hi: hi - constant });
    return rows.length - 1;
  };
  const term = (terms: Map<number, number>, col: number, coef: number): void => {
    terms.set(col, (terms.get(col) ?? 0) + coef);
  };
  // Adds coef · x[v][s] to terms; returns the constant part.
  const member = (terms: Map<number, number>, v: number, s: number, coef: number): number => {
    if (k === 1) return coef;
    if (s === 0) {
      term(terms, y(v, 1), -coef);
      return coef;
    }
    term(terms, y(v, s), coef);
    if (s < k - 1) term(terms, y(v, s + 1), -coef);
    return 0;
  };
  for (let v = 0; v < n; v++) {
    for (let s = 1; s < k - 1; s++) add(new Map([[y(v, s + 1), 1], [y(v, s), -1]]), 0, -inf, 0);
  }
  for (let v = 0; v < n; v++) {
    for (let e = problem.predStart[v]!; e < problem.predStart[v + 1]!; e++) {
      const u = problem.preds[e]!;
      for (let s = 1; s < k; s++) add(new Map([[y(u, s), 1], [y(v, s), -1]]), 0, -inf, 0);
      for (let b = 0; b + 1 < k; b++) add(new Map([[z(u, b), 1], [y(v, b + 1), -1], [y(u, b + 1), 1]]), 0, 0, inf);
    }
  }
  const timeRows: number[] = [];
  for (let s = 0; s < k; s++) {
    const over = new Map<number, number>([[o(s), 1]]);
    let c = 0;
    for (let v = 0; v < n; v++) if (problem.paramBytes[v]! > 0) c += member(over, v, s, -problem.paramBytes[v]! / MIB);
    add(over, c, -target.onChipParamBytes / MIB, inf);

    const time = new Map<number, number>([[0, 1], [o(s), -(MIB / link) * US]]);
    let ct = 0;
    for (let v = 0; v < n; v++) {
      const out = hasSucc(v) ? 0 : problem.outputBytes[v]! / link;
      const w = (problem.computeSeconds[v]! + out) * US;
      if (w > 0) ct += member(time, v, s, -w);
      if (hasSucc(v) && k > 1 && problem.outputBytes[v]! > 0) {
        const t = (problem.outputBytes[v]! / link) * US;
        if (s >= 1) term(time, z(v, s - 1), -t);
        if (s <= k - 2) term(time, z(v, s), -t);
      }
    }
    timeRows.push(add(time, ct, 0, inf));
  }
  const starts = [0];
  const indices: number[] = [];
  const values: number[] = [];
  const rowLower: number[] = [];
  const rowUpper: number[] = [];
  for (const row of rows) {
    for (const [col, coef] of [...row.terms].sort((a, b) => a[0] - b[0])) {
      if (coef === 0) continue;
      indices.push(col);
      values.push(coef);
    }
    starts.push(indices.length);
    rowLower.push(row.lo);
    rowUpper.push(row.hi);
  }
  const colCost = new Float64Array(cols);
  colCost[0] = 1;
  const colLower = new Float64Array(cols);
  // T is at least what any single node costs in whichever stage holds it (its compute, its
  // own parameter overflow, its graph output); the LP relaxation alone spreads nodes thinly.
  // And at least the average stage: every node's compute and graph output, and the
  // parameters beyond all cores' memory, are paid in some stage.
  let total = Math.max(0, problemParams(problem) - k * target.onChipParamBytes) / link;
  for (let v = 0; v < n; v++) {
    const alone = problem.computeSeconds[v]! + Math.max(0, problem.paramBytes[v]! - target.onChipParamBytes) / link + (hasSucc(v) ? 0 : problem.outputBytes[v]! / link);
    colLower[0] = Math.max(colLower[0]!, alone * US * (1 - 1e-9));
    total += problem.computeSeconds[v]! + (hasSucc(v) ? 0 : problem.outputBytes[v]! / link);
  }
  colLower[0] = Math.max(colLower[0]!, (total / k) * US * (1 - 1e-9));
  const colUpper = new Float64Array(cols).fill(inf);
  const integrality = new Int32Array(cols);
  for (let v = 0; v < n; v++) {
    for (let s = 1; s < k; s++) {
      colUpper[y(v, s)] = 1;
      integrality[y(v, s)] = highs.constants.variableType.integer;
    }
    if (zBase[v]! >= 0) for (let b = 0; b + 1 < k; b++) colUpper[z(v, b)] = 1;
  }
  // Symmetry: an empty stage can move to the end without raising any stage's time (the
  // tensors it forwarded cross one boundary fewer), so some optimum fills a prefix of the
  // stages, and stage 0 then holds a graph input. With a single input node, fix it there.
  let sources = 0;
  let source = 0;
  for (let v = 0; v < n; v++) {
    if (problem.predStart[v + 1] === problem.predStart[v]) {
      sources++;
      source = v;
    }
  }
  if (sources === 1) for (let s = 1; s < k; s++) colUpper[y(source, s)] = 0;
  const model: ModelData = {
    numCols: cols,
    numRows: rows.length,
    colCost,
    colLower,
    colUpper,
    rowLower,
    rowUpper,
    matrix: { format: 'csr', numRows: rows.length, numCols: cols, starts, indices, values },
    integrality,
  };
  return { model, y, z, o, timeRows, rows };
}

/** Column values of the MILP that encode `assignment` (for a warm start). */
export function milpSolutionOf(problem: ScheduleProblem, milp: PipelineMilp, assignment: Assignment): Float64Array {
  const { n, cores: k } = problem;
  const x = new Float64Array(milp.model.numCols);
  for (let v = 0; v < n; v++) for (let s = 1; s < k; s++) x[milp.y(v, s)] = assignment[v]! >= s ? 1 : 0;
  for (let u = 0; u < n; u++) {
    if (problem.succStart[u + 1]! === problem.succStart[u]! || k === 1) continue;
    let last = assignment[u]!;
    for (let e = problem.succStart[u]!; e < problem.succStart[u + 1]!; e++) last = Math.max(last, assignment[problem.succs[e]!]!);
    for (let b = 0; b + 1 < k; b++) x[milp.z(u, b)] = assignment[u]! <= b && b < last ? 1 : 0;
  }
  const params = new Float64Array(k);
  for (let v = 0; v < n; v++) params[assignment[v]!]! += problem.paramBytes[v]!;
  for (let s = 0; s < k; s++) x[milp.o(s)] = Math.max(0, params[s]! - problem.target.onChipParamBytes) / MIB;
  // T = the largest stage row's requirement.
  let t = 0;
  for (const r of milp.timeRows) {
    const row = milp.rows[r]!;
    let activity = 0;
    for (const [col, coef] of row.terms) if (col !== 0) activity += coef * x[col]!;
    t = Math.max(t, row.lo - activity);
  }
  x[0] = Math.max(t * (1 + 1e-9) + 1e-9, Number(milp.model.colLower[0]));
  return x;
}

/** The better of the contiguous DP's cuts of the index order and of the level order. */
/** The contiguous DP's best cuts of the index order or of the level order, whichever is better. */
export function dpWarmStart(core: Core, sim: PipelineSimulator, problem: ScheduleProblem): Assignment {
  const { cuts, bottleneckSeconds } = sim.contiguousDp();
  const index = assignmentFromCuts(problem.n, cuts);
  const level = cutOrder(core, problem, levelOrder(problem), bottleneckSeconds);
  return level && sim.bottleneck(level) < sim.bottleneck(index) ? level : index;
}

function problemParams(problem: ScheduleProblem): number {
  let sum = 0;
  for (let v = 0; v < problem.n; v++) sum += problem.paramBytes[v]!;
  return sum;
}

const STATUS_NAMES: Record<number, string> = {
  7: 'optimal',
  8: 'infeasible',
  11: 'objective-bound',
  12: 'objective-target',
  13: 'time-limit',
  14: 'iteration-limit',
  15: 'unknown',
  16: 'solution-limit',
  17: 'interrupted',
};

export async function exactSchedule(core: Core, problem: ScheduleProblem, options: ExactOptions = {}): Promise<ExactResult> {
  const timeLimit = options.timeLimitSeconds ?? EXACT_TIME_LIMIT_SECONDS;
  if (!(timeLimit > 0)) throw new OptionsError(`exact scheduler: timeLimitSeconds must be > 0, got ${timeLimit}`, { field: 'timeLimitSeconds' });
  const highs = options.highs ?? (await loadHighs());
  const started = performance.now();
  const sim = new PipelineSimulator(core, problem);
  let model: Model | undefined;
  try {
    // The model puts empty stages last (see buildPipelineMilp); so must its start.
    const warm = compactStages(options.warmStart ?? dpWarmStart(core, sim, problem), problem.cores);
    const warmCost = sim.bottleneck(warm);
    if (!Number.isFinite(warmCost)) throw new RangeError('exact scheduler: the warm start breaks the graph order');
    const milp = buildPipelineMilp(problem, highs);
    // The model's trivial bound on T (each node alone, the average stage) holds whatever HiGHS
    // proves; early in a search its dual bound can still be below it.
    // The model's T leaves out the invocation cost every stage pays alike (see problem.ts).
    const fixed = problem.target.invocationSeconds;
    const trivial = Number(milp.model.colLower[0]) / US + fixed;
    model = highs.createModel(milp.model);
    const remaining = Math.max(0.01, timeLimit - (performance.now() - started) / 1000);
    model.options.set({
      // HiGHS calls back only with its output on; it goes to the callbacks, never the console.
      output_flag: options.onProgress !== undefined,
      log_to_console: false,
      time_limit: remaining,
      mip_rel_gap: options.relativeGap ?? 1e-6,
      mip_abs_gap: 1e-9,
      random_seed: 0,
      ...(options.maxNodes !== undefined ? { mip_max_nodes: options.maxNodes } : {}),
    });
    model.setSolution({ colValue: milpSolutionOf(problem, milp, warm) });
    // HiGHS can end in a solve error (e.g. "claims optimality, but with primal
    // infeasibilities" of 1e-6): that is a result too. Its incumbent is still read and
    // re-costed by the simulator, but its bound is not trusted: the model's own trivial bound
    // on T (each node alone, the average stage) stands in.
    let failed = false;
    // HiGHS calls back as it logs (presolve can take seconds on a large graph), from its simplex
    // and from its branch and bound, where the incumbent and the bound are known.
    let reported = -Infinity;
    let best = warmCost;
    let bound = trivial;
    const report = (data: { mip_primal_bound?: number; mip_dual_bound?: number }): undefined => {
      if (data.mip_primal_bound !== undefined && Number.isFinite(data.mip_primal_bound)) best = Math.min(best, data.mip_primal_bound / US + fixed);
      if (data.mip_dual_bound !== undefined && Number.isFinite(data.mip_dual_bound)) bound = Math.max(bound, data.mip_dual_bound / US + fixed);
      const seconds = (performance.now() - started) / 1000;
      if (seconds - reported < 0.2) return;
      reported = seconds;
      options.onProgress!({ seconds, timeLimitSeconds: timeLimit, bestSeconds: best, boundSeconds: Math.min(best, bound) });
    };
    const { callbackType } = highs.constants;
    try {
      const each = (event: { data: Parameters<typeof report>[0] }): undefined => report(event.data);
      model.run(options.onProgress ? { [callbackType.logging]: each, [callbackType.simplexInterrupt]: each, [callbackType.mipInterrupt]: each } : undefined);
    } catch {
      failed = true;
    }
    const statusCode = model.getModelStatus();
    const status = failed ? 'solve-error' : (STATUS_NAMES[statusCode] ?? `status-${statusCode}`);
    let assignment = warm;
    let bottleneckSeconds = warmCost;
    // After a solve error HiGHS may flag its incumbent as not quite feasible; the simulator
    // is the judge of every decoded schedule anyway.
    const primal = Number(model.info.get('primal_solution_status'));
    if (primal === highs.constants.solutionStatus.feasible || (failed && model.getSolution().colValue.length === milp.model.numCols)) {
      const x = model.getSolution().colValue;
      const found = new Int32Array(problem.n);
      for (let v = 0; v < problem.n; v++) {
        let s = 0;
        for (let t = 1; t < problem.cores; t++) s += x[milp.y(v, t)]! > 0.5 ? 1 : 0;
        found[v] = s;
      }
      const cost = sim.bottleneck(found);
      if (cost < bottleneckSeconds) {
        assignment = found;
        bottleneckSeconds = cost;
      }
    }
    let proven = failed ? trivial : Math.max(trivial, Number(model.info.get('mip_dual_bound')) / US + fixed);
    if (!Number.isFinite(proven)) proven = trivial;
    // With K = 1 there is one schedule; the model has no integer column and HiGHS, solving an
    // LP, reports no MIP bound.
    if (problem.cores === 1) proven = bottleneckSeconds;
    const lowerBoundSeconds = Math.min(proven, bottleneckSeconds);
    const optimalityGap = bottleneckSeconds > 0 ? Math.max(0, (bottleneckSeconds - lowerBoundSeconds) / bottleneckSeconds) : 0;
    return { assignment, bottleneckSeconds, lowerBoundSeconds, optimalityGap, status, solveSeconds: (performance.now() - started) / 1000 };
  } finally {
    model?.dispose();
    sim.free();
  }
}
