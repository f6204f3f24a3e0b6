// The pipeline simulator in the wasm core, as typed results. See problem.ts for the cost
// model and units (seconds, bytes).
import type { Core } from '../core/core.js';
import { PipelineProblemBuffers, STAGE_FIELDS } from '../core/sched.js';
import { edgeError, type PipelineCost, type ScheduleProblem, type StageCost } from './problem.js';

/** A problem loaded into the core once, simulated many times. Call `free()` when done. */
export class PipelineSimulator {
  private readonly buffers: PipelineProblemBuffers;

  constructor(
    readonly core: Core,
    readonly problem: ScheduleProblem,
  ) {
    this.buffers = new PipelineProblemBuffers(core, problem);
  }

  /** Full cost breakdown; throws a RangeError naming the broken edge or node. */
  simulate(assignment: ArrayLike<number>): PipelineCost {
    const { problem } = this;
    const { code, stages: rows } = this.buffers.simulate(assignment);
    if (code >= 0) {
      const u = problem.preds[code]!;
      let v = 0;
      while (problem.predStart[v + 1]! <= code) v++;
      throw new RangeError(edgeError(problem, u, v, assignment[u]!, assignment[v]!));
    }
    if (code < -1) {
      const v = -2 - code;
      throw new RangeError(`node '${problem.names[v]}' is assigned stage ${assignment[v]}, outside 0..${problem.cores - 1}`);
    }
    const members: number[][] = Array.from({ length: problem.cores }, () => []);
    const input = new Float64Array(problem.cores);
    for (let v = 0; v < problem.n; v++) {
      members[assignment[v]!]!.push(v);
      input[assignment[v]!]! += problem.inputSeconds[v]!;
    }
    const stages: StageCost[] = [];
    for (let s = 0; s < problem.cores; s++) {
      const r = s * STAGE_FIELDS;
      // The core counts the host's input transfer as compute (see problem.ts); it is a transfer.
      const transferInSeconds = rows[r + 2]! + input[s]!;
      const invoked = members[s]!.length > 0 || rows[r + 2]! + rows[r + 3]! > 0;
      const invocationSeconds = invoked ? problem.target.invocationSeconds : 0;
      stages.push({
        nodes: members[s]!,
        computeSeconds: rows[r]! - input[s]!,
        streamSeconds: rows[r + 1]!,
        transferInSeconds,
        transferOutSeconds: rows[r + 3]!,
        transferSeconds: transferInSeconds + rows[r + 3]!,
        invocationSeconds,
        paramBytes: rows[r + 4]!,
        totalSeconds: rows[r + 5]! + invocationSeconds,
      });
    }
    const bottleneckSeconds = Math.max(...stages.map((s) => s.totalSeconds));
    const latencySeconds = stages.reduce((sum, s) => sum + s.totalSeconds, 0);
    return { stages, bottleneckSeconds, throughputPerSecond: 1 / bottleneckSeconds, latencySeconds };
  }

  /** Bottleneck seconds, or Infinity when the assignment breaks the order. */
  bottleneck(assignment: ArrayLike<number>): number {
    return this.buffers.bottleneck(assignment) + this.problem.target.invocationSeconds;
  }

  /** Total seconds of each stage, or undefined when the assignment breaks the order. */
  stageTimes(assignment: ArrayLike<number>): Float64Array | undefined {
    const { code, stages } = this.buffers.simulate(assignment);
    if (code !== -1) return undefined;
    const out = new Float64Array(this.problem.cores);
    const used = new Uint8Array(this.problem.cores);
    for (let v = 0; v < this.problem.n; v++) used[assignment[v]!] = 1;
    for (let s = 0; s < out.length; s++) {
      const r = s * STAGE_FIELDS;
      const invoked = used[s] === 1 || stages[r + 2]! + stages[r + 3]! > 0;
      out[s] = stages[r + 5]! + (invoked ? this.problem.target.invocationSeconds : 0);
    }
    return out;
  }

  /** Best contiguous cuts of the index order; see PipelineProblemBuffers.contiguousDp for the bound. */
  contiguousDp(upperBoundSeconds = Infinity): { cuts: Int32Array; bottleneckSeconds: number } {
    const c = this.problem.target.invocationSeconds;
    const { cuts, bottleneckSeconds } = this.buffers.contiguousDp(upperBoundSeconds - c);
    return { cuts, bottleneckSeconds: bottleneckSeconds + c };
  }

  free(): void {
    this.buffers.free();
  }
}

/** One-shot simulation. */
export function simulatePipeline(core: Core, problem: ScheduleProblem, assignment: ArrayLike<number>): PipelineCost {
  const sim = new PipelineSimulator(core, problem);
  try {
    return sim.simulate(assignment);
  } finally {
    sim.free();
  }
}
