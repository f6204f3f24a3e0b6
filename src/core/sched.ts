// Typed wrappers over the scheduling exports of the wasm core (assembly/sched). Part of the
// one layer that touches wasm memory: a `PipelineProblemBuffers` copies a problem's flat
// arrays into the core once, and every simulation reuses them.
//
//   heap: [comp f64·n][params f64·n][bytes f64·n][predStart i32·(n+1)][preds i32·m]
//         [assign i32·n][scratch i32·n][out f64·6k][cuts i32·(k+1)]   (one block each)
//
// Views are rebuilt from `memory.buffer` on every access (calls may grow memory).
import type { Core } from './core.js';

/** Fields per stage in the simulator's output, in this order. */
export const STAGE_FIELDS = 6;

export interface FlatPipelineProblem {
  readonly n: number;
  readonly cores: number;
  readonly computeSeconds: Float64Array;
  readonly paramBytes: Float64Array;
  readonly outputBytes: Float64Array;
  readonly predStart: Int32Array;
  readonly preds: Int32Array;
  readonly target: { readonly onChipParamBytes: number; readonly hostLinkBytesPerSecond: number };
}

export class PipelineProblemBuffers {
  private readonly blocks: number[] = [];
  private readonly comp: number;
  private readonly params: number;
  private readonly bytes: number;
  private readonly predStart: number;
  private readonly preds: number;
  private readonly assign: number;
  private readonly scratch: number;
  private readonly out: number;
  private readonly cuts: number;
  private freed = false;
  readonly n: number;
  readonly k: number;

  constructor(
    private readonly core: Core,
    private readonly problem: FlatPipelineProblem,
  ) {
    this.n = problem.n;
    this.k = problem.cores;
    this.comp = this.put(problem.computeSeconds);
    this.params = this.put(problem.paramBytes);
    this.bytes = this.put(problem.outputBytes);
    this.predStart = this.put(problem.predStart);
    this.preds = this.put(problem.preds);
    this.assign = this.block(this.n * 4);
    this.scratch = this.block(this.n * 4);
    this.out = this.block(this.k * STAGE_FIELDS * 8);
    this.cuts = this.block((this.k + 1) * 4);
  }

  /**
   * Simulates `assignment`; returns the per-stage rows (STAGE_FIELDS numbers each) or the
   * core's error code (−1 valid, e ≥ 0 the broken edge index into preds, −2−v a node out of range).
   */
  simulate(assignment: ArrayLike<number>): { code: number; stages: Float64Array } {
    this.check();
    if (assignment.length !== this.n) throw new RangeError(`assignment has ${assignment.length} entries for ${this.n} nodes`);
    new Int32Array(this.core.exports.memory.buffer, this.assign, this.n).set(assignment);
    const { target } = this.problem;
    const code = this.core.exports.pipelineSimulate(
      this.n, this.comp, this.params, this.bytes, this.predStart, this.preds,
      this.assign, this.k, target.onChipParamBytes, target.hostLinkBytesPerSecond, this.scratch, this.out,
    );
    const stages = new Float64Array(this.core.exports.memory.buffer, this.out, this.k * STAGE_FIELDS).slice();
    return { code, stages };
  }

  /** Bottleneck seconds of a valid assignment, or Infinity for an invalid one. */
  bottleneck(assignment: ArrayLike<number>): number {
    const { code, stages } = this.simulate(assignment);
    if (code !== -1) return Infinity;
    let worst = 0;
    for (let s = 0; s < this.k; s++) worst = Math.max(worst, stages[s * STAGE_FIELDS + 5]!);
    return worst;
  }

  /**
   * The contiguous-segment DP on the index order: cut positions (k+1) and the bottleneck.
   * With `upperBoundSeconds` (the bottleneck of a known schedule) it prunes worse partial
   * schedules and returns bottleneckSeconds = Infinity when none reaches the bound.
   */
  contiguousDp(upperBoundSeconds = Infinity): { cuts: Int32Array; bottleneckSeconds: number } {
    this.check();
    const { target } = this.problem;
    const bottleneckSeconds = this.core.exports.pipelineContiguousDp(
      this.n, this.comp, this.params, this.bytes, this.predStart, this.preds,
      this.k, target.onChipParamBytes, target.hostLinkBytesPerSecond, upperBoundSeconds, this.cuts,
    );
    const cuts = new Int32Array(this.core.exports.memory.buffer, this.cuts, this.k + 1).slice();
    return { cuts, bottleneckSeconds };
  }

  free(): void {
    if (this.freed) return;
    this.freed = true;
    for (const ptr of this.blocks) this.core.exports.free(ptr);
  }

  private check(): void {
    if (this.freed) throw new Error('pipeline problem buffers used after free');
  }

  private block(bytes: number): number {
    const ptr = this.core.exports.alloc(Math.max(bytes, 8));
    this.blocks.push(ptr);
    return ptr;
  }

  private put(data: Float64Array | Int32Array): number {
    const ptr = this.block(data.byteLength);
    const Ctor = data instanceof Float64Array ? Float64Array : Int32Array;
    new Ctor(this.core.exports.memory.buffer, ptr, data.length).set(data);
    return ptr;
  }
}
