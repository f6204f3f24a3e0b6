// The learned scheduler's policy: nodes are visited in topological order and each gets a
// stage s ∈ [lo(v), K−1], lo(v) = the largest stage among its predecessors, so no decoded
// schedule can break the graph's order (masking by construction). Every allowed stage is
// scored by one MLP (running in the wasm core) from features of the node and of the partial
// schedule as it would be with the node placed there (attention over stage candidates); a
// softmax over the allowed stages gives the policy.
//
// The partial schedule's costs are kept exactly, incrementally, with the units of problem.ts
// (seconds, bytes): once every node is placed they equal the simulator's.
import { OptionsError } from '../base/options.js';
import type { Core } from '../core/core.js';
import { Mlp } from '../core/nn.js';
import { Random } from '../helpers/random.js';
import type { Assignment, ScheduleProblem } from './problem.js';
import { PipelineSimulator } from './simulate.js';

export const POLICY_FEATURES = 21;

/** How the learned scheduler draws schedules from the policy (see learned.ts). */
export const DECODE_MODES = ['greedy', 'sample', 'beam'] as const;
export type DecodeMode = (typeof DECODE_MODES)[number];
export const POLICY_SIZES = [POLICY_FEATURES, 64, 64, 1] as const;

/** Everything a training step needs of one decoded schedule. */
export interface Trajectory {
  assignment: Assignment;
  /** Candidate rows (POLICY_FEATURES each), grouped per node. */
  features: Float32Array;
  /** groupStart[v] … groupStart[v+1]−1 are node v's candidate rows. */
  groupStart: Int32Array;
  /** Chosen candidate of each node, as an index within its group. */
  actions: Int32Array;
  /** Σ log π(action) (in teacher mode only with `score`; otherwise 0 there, the network does not run). */
  logProb: number;
}

/** Incremental stage costs of a partial schedule. */
export class PartialSchedule {
  readonly compute: Float64Array;
  readonly params: Float64Array;
  readonly inBytes: Float64Array;
  readonly outBytes: Float64Array;
  readonly last: Int32Array;
  readonly stage: Int32Array;
  private readonly extra: Float64Array;
  /** mark[u] = v + 1 while v's candidates are scored and u feeds v. */
  private readonly mark: Int32Array;
  /** Unplaced consumers of each node. */
  readonly pending: Int32Array;
  /** Placed nodes whose output still has unplaced consumers (may hold stale entries; see liveBytesBeyond). */
  private live: number[] = [];
  maxUsed = 0;

  constructor(readonly p: ScheduleProblem) {
    const k = p.cores;
    this.compute = new Float64Array(k);
    this.params = new Float64Array(k);
    this.inBytes = new Float64Array(k);
    this.outBytes = new Float64Array(k);
    this.last = new Int32Array(p.n).fill(-1);
    this.stage = new Int32Array(p.n).fill(-1);
    this.extra = new Float64Array(k);
    this.mark = new Int32Array(p.n);
    this.pending = new Int32Array(p.n);
    for (let v = 0; v < p.n; v++) this.pending[v] = p.succStart[v + 1]! - p.succStart[v]!;
  }

  /** Makes this state equal to `other` (a state of the same problem), reusing the arrays. */
  copyFrom(other: PartialSchedule): void {
    this.compute.set(other.compute);
    this.params.set(other.params);
    this.inBytes.set(other.inBytes);
    this.outBytes.set(other.outBytes);
    this.last.set(other.last);
    this.stage.set(other.stage);
    this.pending.set(other.pending);
    this.live = other.live.slice();
    this.maxUsed = other.maxUsed;
  }

  /**
   * out[s] = bytes × boundaries that tensors still waiting for consumers would cross if those
   * consumers all sat at stage s (v's own inputs excluded: timesWith counts them).
   */
  liveBytesProfile(v: number, out: Float64Array): void {
    out.fill(0);
    const k = this.p.cores;
    let keep = 0;
    for (let e = this.p.predStart[v]!; e < this.p.predStart[v + 1]!; e++) this.mark[this.p.preds[e]!] = v + 1;
    for (const u of this.live) {
      if (this.pending[u]! === 0) continue;
      this.live[keep++] = u;
      if (this.mark[u] === v + 1) continue;
      const from = this.last[u]!;
      const bytes = this.p.outputBytes[u]!;
      for (let s = from + 1; s < k; s++) out[s]! += bytes * (s - from);
    }
    this.live.length = keep;
  }

  lo(v: number): number {
    let lo = 0;
    for (let e = this.p.predStart[v]!; e < this.p.predStart[v + 1]!; e++) lo = Math.max(lo, this.stage[this.p.preds[e]!]!);
    return lo;
  }

  time(s: number): number {
    const { target } = this.p;
    const over = this.params[s]! - target.onChipParamBytes;
    return this.compute[s]! + (over > 0 ? over / target.hostLinkBytesPerSecond : 0) + (this.inBytes[s]! + this.outBytes[s]!) / target.hostLinkBytesPerSecond;
  }

  /** Stage times if v were placed at s (written to `out`). */
  timesWith(v: number, s: number, out: Float64Array): void {
    const { p } = this;
    const k = p.cores;
    const link = p.target.hostLinkBytesPerSecond;
    const extra = this.extra; // added transfer bytes per stage
    extra.fill(0);
    for (let e = p.predStart[v]!; e < p.predStart[v + 1]!; e++) {
      const u = p.preds[e]!;
      for (let b = this.last[u]!; b < s; b++) {
        extra[b]! += p.outputBytes[u]!;
        extra[b + 1]! += p.outputBytes[u]!;
      }
    }
    if (p.succStart[v + 1] === p.succStart[v]) extra[s]! += p.outputBytes[v]!;
    for (let t = 0; t < k; t++) {
      let time = this.time(t) + extra[t]! / link;
      if (t === s) {
        const before = Math.max(0, this.params[s]! - p.target.onChipParamBytes);
        const after = Math.max(0, this.params[s]! + p.paramBytes[v]! - p.target.onChipParamBytes);
        time += p.computeSeconds[v]! + (after - before) / link;
      }
      out[t] = time;
    }
  }

  place(v: number, s: number): void {
    const { p } = this;
    this.stage[v] = s;
    this.compute[s]! += p.computeSeconds[v]!;
    this.params[s]! += p.paramBytes[v]!;
    for (let e = p.predStart[v]!; e < p.predStart[v + 1]!; e++) {
      const u = p.preds[e]!;
      for (let b = this.last[u]!; b < s; b++) {
        this.outBytes[b]! += p.outputBytes[u]!;
        this.inBytes[b + 1]! += p.outputBytes[u]!;
      }
      if (this.last[u]! < s) this.last[u] = s;
    }
    for (let e = p.predStart[v]!; e < p.predStart[v + 1]!; e++) this.pending[p.preds[e]!]!--;
    this.last[v] = s;
    if (p.succStart[v + 1] === p.succStart[v]) this.outBytes[s]! += p.outputBytes[v]!;
    else this.live.push(v);
    this.maxUsed = Math.max(this.maxUsed, s);
  }
}

/** Per-problem constants the features are normalised by. */
class ProblemScale {
  readonly norm: number;
  readonly prefixCompute: Float64Array;
  readonly prefixParams: Float64Array;
  readonly totalCompute: number;
  readonly totalParams: number;

  constructor(core: Core, p: ScheduleProblem) {
    let c = 0;
    let params = 0;
    this.prefixCompute = new Float64Array(p.n + 1);
    this.prefixParams = new Float64Array(p.n + 1);
    for (let v = 0; v < p.n; v++) {
      c += p.computeSeconds[v]!;
      params += p.paramBytes[v]!;
      this.prefixCompute[v + 1] = c;
      this.prefixParams[v + 1] = params;
    }
    this.totalCompute = c;
    this.totalParams = params;
    // Times are measured in units of an achievable bottleneck of this very graph, the
    // contiguous DP's: the features then mean the same on a 40-node training graph and on a
    // 700-node DenseNet (an estimate from totals, which counted every tensor as sent, made
    // the big graphs' compute features vanish).
    // The partial schedule's stage times leave out the invocation cost every stage pays alike.
    const sim = new PipelineSimulator(core, p);
    const norm = sim.contiguousDp().bottleneckSeconds - p.target.invocationSeconds;
    sim.free();
    this.norm = norm > 0 ? norm : 1e-9;
  }
}

/** Writes the candidate rows of node v (stages lo … K−1) into `out` from `offset`. */
function candidateFeatures(p: ScheduleProblem, scale: ProblemScale, state: PartialSchedule, v: number, lo: number, out: Float32Array, offset: number, times: Float64Array): void {
  const k = p.cores;
  const { norm } = scale;
  const chip = p.target.onChipParamBytes;
  const link = p.target.hostLinkBytesPerSecond;
  const succs = p.succStart[v + 1]! - p.succStart[v]!;
  let current = 0;
  for (let t = 0; t < k; t++) current = Math.max(current, state.time(t));
  const computeAfter = scale.totalCompute - scale.prefixCompute[v + 1]!;
  const paramsAfter = scale.totalParams - scale.prefixParams[v + 1]!;
  const live = new Float64Array(k);
  state.liveBytesProfile(v, live);
  for (let s = lo, row = offset; s < k; s++, row += POLICY_FEATURES) {
    state.timesWith(v, s, times);
    let bottleneck = 0;
    for (let t = 0; t < k; t++) bottleneck = Math.max(bottleneck, times[t]!);
    const f = out.subarray(row, row + POLICY_FEATURES);
    f[0] = p.computeSeconds[v]! / norm;
    f[1] = p.paramBytes[v]! / chip;
    f[2] = p.outputBytes[v]! / link / norm;
    f[3] = v / p.n;
    f[4] = scale.totalCompute > 0 ? scale.prefixCompute[v]! / scale.totalCompute : 0;
    f[5] = scale.totalParams > 0 ? scale.prefixParams[v]! / scale.totalParams : 0;
    f[6] = Math.min(succs, 8) / 4;
    f[7] = succs === 0 ? 1 : 0;
    f[8] = (s - lo) / k;
    f[9] = s / k;
    f[10] = state.time(s) / norm;
    f[11] = state.params[s]! / chip;
    f[12] = times[s]! / norm;
    f[13] = bottleneck / norm;
    f[14] = (bottleneck - current) / norm;
    f[15] = s > state.maxUsed ? 1 : 0;
    f[16] = (k - 1 - s) / k;
    f[17] = computeAfter / (k - s) / norm;
    f[18] = (paramsAfter + state.params[s]! + p.paramBytes[v]!) / (k - s) / chip;
    f[19] = k / 8;
    f[20] = live[s]! / link / norm;
  }
}

export interface PolicyWeights {
  sizes: readonly number[];
  params: ArrayLike<number>;
}

/** The policy network plus its decoder. Call `dispose()` when done. */
export class SchedulerPolicy {
  readonly net: Mlp;

  constructor(
    readonly core: Core,
    weights?: PolicyWeights,
    seed = 1,
  ) {
    const sizes = weights?.sizes ?? POLICY_SIZES;
    if (sizes[0] !== POLICY_FEATURES || sizes[sizes.length - 1] !== 1) throw new RangeError(`scheduler policy: sizes must start with ${POLICY_FEATURES} and end with 1, got [${sizes.join(', ')}]`);
    this.net = new Mlp(core, sizes, new Random(seed), 'fast-tanh');
    if (weights) this.net.setParams(weights.params);
  }

  /**
   * Decodes one schedule. mode 'greedy' takes the most likely stage; 'sample' draws from the
   * policy (with `temperature`); 'teacher' follows `teacher` and records its features (with
   * `score`, also its log-probability under the policy).
   */
  decode(problem: ScheduleProblem, mode: 'greedy' | 'sample' | 'teacher', options: { random?: Random; teacher?: ArrayLike<number>; temperature?: number; record?: boolean; score?: boolean } = {}): Trajectory {
    const { n, cores: k } = problem;
    const scale = new ProblemScale(this.core, problem);
    const state = new PartialSchedule(problem);
    const record = options.record ?? mode !== 'greedy';
    const rows = new Float32Array(k * POLICY_FEATURES);
    const features = record ? new Float32Array(n * k * POLICY_FEATURES) : new Float32Array(0);
    const groupStart = new Int32Array(n + 1);
    const actions = new Int32Array(n);
    const times = new Float64Array(k);
    const temperature = options.temperature ?? 1;
    let logProb = 0;
    let cursor = 0;
    for (let v = 0; v < n; v++) {
      const lo = state.lo(v);
      const count = k - lo;
      let choice = 0;
      if (count > 1 || record) {
        candidateFeatures(problem, scale, state, v, lo, rows, 0, times);
        if (record) features.set(rows.subarray(0, count * POLICY_FEATURES), cursor * POLICY_FEATURES);
      }
      if (mode === 'teacher') {
        choice = options.teacher![v]! - lo;
        if (choice < 0 || choice >= count) throw new RangeError(`teacher schedule breaks the order at node '${problem.names[v]}'`);
      }
      if (count > 1 && (mode !== 'teacher' || options.score)) {
        const probs = this.stageProbs(rows, count, temperature);
        if (mode === 'greedy') {
          choice = argmax(probs);
        } else if (mode === 'sample') {
          const random = options.random ?? new Random(0);
          let u = random.float();
          choice = count - 1;
          for (let i = 0; i < count; i++) {
            u -= probs[i]!;
            if (u < 0) {
              choice = i;
              break;
            }
          }
        }
        logProb += logOf(probs[choice]!);
      }
      actions[v] = choice;
      state.place(v, lo + choice);
      if (record) cursor += count;
      groupStart[v + 1] = cursor;
    }
    return { assignment: state.stage.slice(), features: features.subarray(0, cursor * POLICY_FEATURES), groupStart, actions, logProb };
  }

  /**
   * Beam search over the same masked decisions: keeps the `width` most likely partial
   * schedules (by Σ log π) after each node. The greedy schedule's prefix is always kept in the
   * beam (it replaces the last entry when it falls out), so the result is never less likely
   * than greedy decoding, and width 1 is greedy decoding. Returns the final beam, most likely
   * first (ties: the earlier beam entry, then the earlier stage).
   */
  beamSearch(problem: ScheduleProblem, width: number, options: { temperature?: number } = {}): { assignment: Assignment; logProb: number }[] {
    if (!Number.isInteger(width) || width < 1) throw new OptionsError(`beam search: width must be an integer ≥ 1, got ${width}`, { field: 'width' });
    const { n, cores: k } = problem;
    const scale = new ProblemScale(this.core, problem);
    const temperature = options.temperature ?? 1;
    const rows = new Float32Array(k * POLICY_FEATURES);
    const times = new Float64Array(k);
    interface Beam { state: PartialSchedule; logProb: number; greedy: boolean }
    // Two pools of states, swapped after every node, so no state is allocated per step.
    let beams: Beam[] = [{ state: new PartialSchedule(problem), logProb: 0, greedy: true }];
    let spare: PartialSchedule[] = [];
    const logs = new Float64Array(k);
    for (let v = 0; v < n; v++) {
      const expansions: { parent: number; stage: number; logProb: number; greedy: boolean }[] = [];
      for (const [b, beam] of beams.entries()) {
        const lo = beam.state.lo(v);
        const count = k - lo;
        if (count === 1) {
          expansions.push({ parent: b, stage: lo, logProb: beam.logProb, greedy: beam.greedy });
          continue;
        }
        candidateFeatures(problem, scale, beam.state, v, lo, rows, 0, times);
        const probs = this.stageProbs(rows, count, temperature);
        const best = argmax(probs);
        for (let i = 0; i < count; i++) logs[i] = logOf(probs[i]!);
        for (let i = 0; i < count; i++) expansions.push({ parent: b, stage: lo + i, logProb: beam.logProb + logs[i]!, greedy: beam.greedy && i === best });
      }
      // Stable: equal log-probabilities keep the (beam, stage) order.
      const kept = expansions.map((e, i) => ({ e, i })).sort((x, y) => y.e.logProb - x.e.logProb || x.i - y.i).slice(0, width).map((x) => x.e);
      if (!kept.some((e) => e.greedy)) kept[kept.length - 1] = expansions.find((e) => e.greedy)!;
      const next: Beam[] = [];
      for (const e of kept) {
        const state = spare.pop() ?? new PartialSchedule(problem);
        state.copyFrom(beams[e.parent]!.state);
        state.place(v, e.stage);
        next.push({ state, logProb: e.logProb, greedy: e.greedy });
      }
      spare = beams.map((b) => b.state);
      beams = next;
    }
    return beams
      .map((b, i) => ({ b, i }))
      .sort((x, y) => y.b.logProb - x.b.logProb || x.i - y.i)
      .map(({ b }) => ({ assignment: b.state.stage.slice(), logProb: b.logProb }));
  }

  /** π over the `count` candidate rows in `rows` (a softmax of the network's logits / temperature). */
  private stageProbs(rows: Float32Array, count: number, temperature: number): Float64Array {
    const logits = this.net.forward(rows.subarray(0, count * POLICY_FEATURES), count);
    // A softmax over at most 8 logits: cheaper here than a round trip into the core.
    let hi = -Infinity;
    for (let i = 0; i < count; i++) hi = Math.max(hi, logits[i]! / temperature);
    let sum = 0;
    const probs = new Float64Array(count);
    for (let i = 0; i < count; i++) sum += probs[i] = Math.exp(logits[i]! / temperature - hi);
    for (let i = 0; i < count; i++) probs[i]! /= sum;
    return probs;
  }

  dispose(): void {
    this.net.dispose();
  }
}

/** Index of the largest entry; the first on ties. */
function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** log π, floored so an underflowed probability stays finite. */
function logOf(probability: number): number {
  return Math.log(Math.max(probability, 1e-30));
}
