// The real measurer: runs a kernel schedule on the machine at hand and times it, AutoTVM
// style. Inputs come from a seed; the first run is checked against the plain TypeScript
// reference (a wrong answer is a result with an error code, never a number); then, after the
// caches are flushed, one run is timed per repeat, `repeat` times (or, without the flush,
// `number` runs per repeat), and each repeat's mean run time is one cost. A candidate whose
// first repeat is far slower than the task's fastest so far stops there (rejectFactor).
//
// This module runs anywhere (it times in-process, so its time limit is only checked between
// runs); src/node/measurer.ts runs the same code in a worker thread it can kill.
import { anyValues, checkOptions, OptionsError } from '../base/options.js';
import type { Core, F32Buffer } from '../core/core.js';
import { referenceConv2d } from '../core/kernels-reference.js';
import { type ConvPlan, inputLength, Kernels, outputLength, type PackedWeights, type Schedule, weightLength } from '../core/kernels.js';
import { maxRelativeError } from '../core/reference.js';
import { Random } from '../helpers/random.js';
import { ErrorCode, type Measurer, type MeasureResult } from '../base/result.js';
import { type Point, pointKey } from '../base/search-space.js';
import type { Space } from './space/space.js';
import type { Task } from './space/task.js';

export interface MeasureOptions {
  /** Runs per timed repeat (at least; raised to fill `minRepeatMs`). */
  number?: number;
  /** Timed repeats; each gives one cost. */
  repeat?: number;
  /** Raise `number` until one repeat lasts this long (AutoTVM's min_repeat_ms). */
  minRepeatMs?: number;
  /** Untimed runs after the check, so the engine's optimising tier has compiled the kernel. */
  warmup?: number;
  /** Time limit per candidate, check and timing included. */
  timeoutMs?: number;
  /** Seed of the inputs and weights. */
  seed?: number;
  /** Largest accepted |x−y| / max(1, |y|) against the reference. */
  tolerance?: number;
  /**
   * Bytes of a scratch buffer written before each timed run, so the layer's weights and
   * activations have left the cache as they have in a whole network between two runs of a
   * layer (AutoTVM's enable_cpu_cache_flush); each repeat is then one run. 0 times `number`
   * runs back to back with a warm cache.
   */
  flushBytes?: number;
  /**
   * A candidate whose first timed repeat is slower than this factor times the fastest median
   * measured before on the same fixture (the task's measurer) stops there, with that one cost:
   * it cannot be the best, and its other repeats (each a cache flush and a slow run) would be
   * most of its time. 0 times every repeat. Not in AutoTVM.
   */
  rejectFactor?: number;
  /**
   * Test hook: makes the candidate with this point key (`pointKey`) deliberately broken —
   * 'wrong-answer' corrupts its output, 'hang' never returns. Exercises the failure paths.
   */
  fault?: { pointKey: string; kind: 'wrong-answer' | 'hang' };
}

export const MEASURE_DEFAULTS = {
  number: 1,
  repeat: 5,
  minRepeatMs: 20,
  warmup: 2,
  timeoutMs: 10_000,
  seed: 1,
  tolerance: 1e-3,
  // Past this machine's L2 (4 MiB) and enough of its shared cache that a 7×7 × 512 layer's
  // Winograd weights (38 MB) come from memory, as in the network: with it, F(2×2) times faster
  // than F(4×4) there (4.8 against 5.8 ms) as in ResNet-18, where hot F(4×4) looked 13% ahead.
  flushBytes: 64 * 2 ** 20,
  // Twice the fastest: far outside the few per cent two timings of one config differ by.
  rejectFactor: 2,
} as const;

/** Throws naming the key when an option is unknown or not a positive number (warmup may be 0). */
export function checkMeasureOptions(options: MeasureOptions, extraKeys: readonly string[] = []): void {
  checkOptions('measure options', options, anyValues([...Object.keys(MEASURE_DEFAULTS), 'fault', ...extraKeys]));
  for (const [key, value] of Object.entries(options)) {
    if (key in MEASURE_DEFAULTS && key !== 'seed' && !(typeof value === 'number' && (value > 0 || ((key === 'warmup' || key === 'flushBytes' || key === 'rejectFactor') && value === 0)))) {
      throw new OptionsError(`measure options: ${key} must be a positive number, got ${String(value)}`, { field: key });
    }
  }
}

/** A measurement with the derived figures the benchmark and reports print. */
export interface KernelResult extends MeasureResult {
  /** Seconds per run: the median and the minimum over repeats (NaN on error). */
  readonly medianSeconds: number;
  readonly minSeconds: number;
  /** GFLOP/s at the median run time (0 on error). */
  readonly gflops: number;
  /** Runs per repeat actually used. */
  readonly number: number;
}

/**
 * The inputs of one task in wasm memory, with the reference output computed once. Reused
 * across candidates so that only packing and running differ between them.
 */
export class Fixture {
  readonly input: F32Buffer;
  readonly weights: F32Buffer;
  readonly output: F32Buffer;
  private expected: Float32Array | undefined;
  private readonly hostInput: Float32Array;
  private readonly hostWeights: Float32Array;
  private scratch: F32Buffer | undefined;
  /** The fastest median a full measurement on this fixture gave: rejectFactor's bar. */
  fastestSeconds = Number.POSITIVE_INFINITY;

  /** `reference` may hand over an output already computed for the same task and seed. */
  constructor(readonly kernels: Kernels, readonly task: Task, seed: number, reference?: Float32Array) {
    this.expected = reference;
    const random = new Random(seed);
    this.hostInput = random.floats(inputLength(task.shape));
    this.hostWeights = random.floats(weightLength(task.shape));
    const core = kernels.core;
    this.input = core.f32From(this.hostInput);
    this.weights = core.f32From(this.hostWeights);
    this.output = core.allocF32(outputLength(task.shape));
  }

  /** The reference output (computed on first use: slow for big layers). */
  reference(): Float32Array {
    this.expected ??= referenceConv2d(this.task.shape, this.hostInput, this.hostWeights);
    return this.expected;
  }

  /** Writes `bytes` of a scratch buffer kept for the purpose, evicting what the caches held. */
  evictCaches(bytes: number, value: number): void {
    const floats = Math.ceil(bytes / 4);
    if (!this.scratch || this.scratch.length < floats) {
      if (this.scratch) this.kernels.core.free(this.scratch);
      this.scratch = this.kernels.core.allocF32(floats);
    }
    this.kernels.core.exports.fillF32(this.scratch.ptr, floats, value);
  }

  dispose(): void {
    this.kernels.core.free(this.input, this.weights, this.output, ...(this.scratch ? [this.scratch] : []));
    this.scratch = undefined;
  }
}

/** A failed measurement: no costs, the error as data. */
export function failedResult(code: ErrorCode, text: string): KernelResult {
  return { costs: [], errorCode: code, errorText: text, timestamp: Date.now(), medianSeconds: NaN, minSeconds: NaN, gflops: 0, number: 0 };
}

/** Measures one schedule on a fixture. Never throws: failures come back as error codes. */
export function measureSchedule(fixture: Fixture, schedule: Schedule, options: MeasureOptions = {}, fault?: 'wrong-answer' | 'hang'): KernelResult {
  const o = { ...MEASURE_DEFAULTS, ...options };
  const { kernels, task } = fixture;
  const start = performance.now();
  const overTime = (): boolean => performance.now() - start > o.timeoutMs;
  let packed: PackedWeights | undefined;
  let plan: ConvPlan | undefined;
  try {
    try {
      packed = kernels.packConv(task.shape, fixture.weights, schedule);
      plan = kernels.planConv(task.shape, fixture.input, packed, fixture.output, schedule);
    } catch (error) {
      return failedResult(ErrorCode.invalidConfig, String((error as Error).message ?? error));
    }
    // Timed as the runtime runs a layer: planned once (indirection, padded copy), then each call.
    const run = (): void => kernels.runConv(plan!);
    kernels.core.view(fixture.output).fill(Number.NaN);
    if (fault === 'hang') for (;;) { /* a runaway candidate, for the time-out path */ }
    run();
    if (fault === 'wrong-answer') kernels.core.view(fixture.output)[0]! += 1;
    const error = maxRelativeError(kernels.core.view(fixture.output), fixture.reference());
    if (!(error <= o.tolerance)) {
      return failedResult(ErrorCode.wrongAnswer, `max relative error ${error} exceeds ${o.tolerance}`);
    }
    for (let i = 0; i < o.warmup; i++) run();
    // With a flush, one cold run per repeat; else `number` runs, enough for minRepeatMs.
    let number = o.number;
    if (o.flushBytes > 0) {
      number = 1;
    } else {
      const t0 = performance.now();
      run();
      const once = Math.max(performance.now() - t0, 1e-3);
      number = Math.max(number, Math.ceil(o.minRepeatMs / once));
    }
    const costs: number[] = [];
    for (let r = 0; r < o.repeat; r++) {
      if (overTime()) return failedResult(ErrorCode.timeout, `exceeded ${o.timeoutMs} ms after ${r} of ${o.repeat} repeats`);
      if (o.flushBytes > 0) fixture.evictCaches(o.flushBytes, r);
      const begin = performance.now();
      for (let i = 0; i < number; i++) run();
      costs.push((performance.now() - begin) / 1000 / number);
      if (r === 0 && o.rejectFactor > 0 && costs[0]! > o.rejectFactor * fixture.fastestSeconds) break;
    }
    const sorted = [...costs].sort((a, b) => a - b);
    const medianSeconds = sorted[sorted.length >> 1]!;
    if (costs.length === o.repeat) fixture.fastestSeconds = Math.min(fixture.fastestSeconds, medianSeconds);
    return {
      costs, errorCode: ErrorCode.none, timestamp: Date.now(), medianSeconds, minSeconds: sorted[0]!,
      gflops: task.flops / medianSeconds / 1e9, number,
    };
  } catch (error) {
    return failedResult(ErrorCode.runtimeError, String((error as Error).message ?? error));
  } finally {
    if (plan) kernels.releaseConv(plan);
    if (packed) kernels.core.free(packed.buffer);
  }
}

/**
 * Measures points of a task's space in this thread. Its time limit cannot interrupt a run in
 * progress; use the worker measurer (src/node) where a candidate may never return.
 */
export class InProcessMeasurer implements Measurer {
  private fixture: Fixture | undefined;

  constructor(
    readonly core: Core,
    readonly space: Space,
    readonly options: MeasureOptions = {},
  ) {
    checkMeasureOptions(options);
  }

  async measure(points: readonly Point[]): Promise<KernelResult[]> {
    return points.map((point) => this.measurePoint(point));
  }

  measurePoint(point: Point): KernelResult {
    let schedule: Schedule;
    try {
      schedule = this.space.schedule(this.space.config(point));
    } catch (error) {
      return failedResult(ErrorCode.invalidConfig, String((error as Error).message ?? error));
    }
    this.fixture ??= new Fixture(new Kernels(this.core), this.space.task, this.options.seed ?? MEASURE_DEFAULTS.seed);
    const fault = this.options.fault?.pointKey === pointKey(point) ? this.options.fault.kind : undefined;
    return measureSchedule(this.fixture, schedule, this.options, fault);
  }

  dispose(): void {
    this.fixture?.dispose();
    this.fixture = undefined;
  }
}
