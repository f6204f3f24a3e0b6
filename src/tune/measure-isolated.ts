// Measuring in an isolated worker, for every runtime: the candidate runs in a worker (a Node
// worker thread, or a Web Worker in browsers and Deno) so that one that never returns is
// killed at its time limit, reported as a time-out, and the next candidate gets a fresh worker.
// This module holds the protocol and the runtime-neutral parts; src/node/measurer.ts and
// ./measure-web.ts only say how a worker is spawned.
import type { Flavour } from '../core/flavour.js';
import { getCore } from '../core/load.js';
import { Kernels, type Schedule } from '../core/kernels.js';
import { checkMeasureOptions, failedResult, Fixture, type KernelResult, MEASURE_DEFAULTS, type MeasureOptions, measureSchedule } from './measure.js';
import { ErrorCode, type Measurer } from '../base/result.js';
import { type Point, pointKey } from '../base/search-space.js';
import type { Space } from './space/space.js';
import type { Task } from './space/task.js';

export interface IsolatedMeasurerOptions extends MeasureOptions {
  /** The core's flavour to measure; the best the engine accepts by default. */
  flavour?: Flavour;
  /** Time allowed for a worker to start and compute the reference output. */
  setupTimeoutMs?: number;
}

/** Messages to the worker: first `init`, then one `measure` per candidate. */
export type ToWorker =
  | { type: 'init'; flavour: Flavour | undefined; task: Task; options: MeasureOptions }
  | { type: 'measure'; id: number; schedule: Schedule; fault?: 'wrong-answer' | 'hang' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'failed'; text: string }
  | { type: 'result'; id: number; result: KernelResult };

/** A spawned worker, whatever the runtime. */
export interface WorkerHandle {
  post(message: ToWorker): void;
  /** Subscribes to messages and errors; returns the unsubscribe function. */
  listen(onMessage: (message: FromWorker) => void, onError: (error: Error) => void): () => void;
  terminate(): void;
}

export class IsolatedMeasurer implements Measurer {
  private worker: WorkerHandle | undefined;
  private ready: Promise<void> | undefined;
  private nextId = 0;

  constructor(
    readonly space: Space,
    readonly options: IsolatedMeasurerOptions,
    private readonly spawn: () => WorkerHandle,
  ) {
    checkMeasureOptions(options, ['flavour', 'setupTimeoutMs']);
  }

  async measure(points: readonly Point[]): Promise<KernelResult[]> {
    const results: KernelResult[] = [];
    for (const point of points) results.push(await this.measurePoint(point));
    return results;
  }

  async measurePoint(point: Point): Promise<KernelResult> {
    let schedule: Schedule;
    try {
      schedule = this.space.schedule(this.space.config(point));
    } catch (error) {
      return failedResult(ErrorCode.invalidConfig, String((error as Error).message ?? error));
    }
    try {
      await this.start();
    } catch (error) {
      this.kill();
      return failedResult(ErrorCode.runtimeError, `measure worker did not start: ${(error as Error).message}`);
    }
    const worker = this.worker!;
    const id = this.nextId++;
    const fault = this.options.fault?.pointKey === pointKey(point) ? this.options.fault.kind : undefined;
    const limit = this.options.timeoutMs ?? MEASURE_DEFAULTS.timeoutMs;
    return new Promise<KernelResult>((resolve) => {
      const done = (result: KernelResult, kill = false): void => {
        clearTimeout(timer);
        unsubscribe();
        if (kill) this.kill();
        resolve(result);
      };
      const unsubscribe = worker.listen(
        (message) => {
          if (message.type === 'result' && message.id === id) done(message.result);
        },
        (error) => done(failedResult(ErrorCode.runtimeError, error.message), true),
      );
      const timer = setTimeout(() => done(failedResult(ErrorCode.timeout, `killed after ${limit} ms`), true), limit);
      worker.post({ type: 'measure', id, schedule, fault });
    });
  }

  /** Stops the worker; the next measurement starts a new one. */
  async close(): Promise<void> {
    this.kill();
  }

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    const { flavour, setupTimeoutMs = 60_000, ...measureOptions } = this.options;
    const worker = this.spawn();
    this.worker = worker;
    this.ready = new Promise<void>((resolve, reject) => {
      const finish = (error?: Error): void => {
        clearTimeout(timer);
        unsubscribe();
        if (error) reject(error);
        else resolve();
      };
      const timer = setTimeout(() => finish(new Error(`no ready signal within ${setupTimeoutMs} ms`)), setupTimeoutMs);
      const unsubscribe = worker.listen(
        (message) => {
          if (message.type === 'ready') finish();
          else if (message.type === 'failed') finish(new Error(message.text));
        },
        (error) => finish(error),
      );
      worker.post({ type: 'init', flavour, task: this.space.task, options: measureOptions });
    });
    return this.ready;
  }

  private kill(): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.ready = undefined;
  }
}

/**
 * The worker's side: answers `init` by building the task's fixture (and its reference output)
 * in the core of the runtime that imported this module, then each `measure` with a result.
 */
export function serveMeasurements(post: (message: FromWorker) => void): (message: ToWorker) => void {
  let fixture: Promise<Fixture> | undefined;
  let options: MeasureOptions = {};
  return (message) => {
    if (message.type === 'init') {
      options = message.options;
      fixture = getCore(message.flavour).then((core) => {
        const f = new Fixture(new Kernels(core), message.task, options.seed ?? MEASURE_DEFAULTS.seed);
        f.reference();
        return f;
      });
      fixture.then(() => post({ type: 'ready' }), (error: Error) => post({ type: 'failed', text: String(error.stack ?? error) }));
      return;
    }
    if (!fixture) {
      post({ type: 'result', id: message.id, result: failedResult(ErrorCode.runtimeError, 'measure before init') });
      return;
    }
    void fixture.then((f) => post({ type: 'result', id: message.id, result: measureSchedule(f, message.schedule, options, message.fault) }));
  };
}
