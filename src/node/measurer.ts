// The real measurer for Node: each candidate runs in a worker thread, so one that never
// returns is killed at its time limit and reported as a time-out; the next candidate gets a
// fresh worker. The measuring itself is src/tune/measure.ts, the same code as in-process.
import { Worker } from 'node:worker_threads';
import type { Flavour } from '../core/flavour.js';
import type { Schedule } from '../core/kernels.js';
import { type KernelResult, MEASURE_DEFAULTS, type MeasureOptions } from '../tune/measure.js';
import type { Measurer } from '../tune/loop.js';
import { ErrorCode } from '../tune/result.js';
import { type Point, pointKey } from '../tune/search-space.js';
import type { Space } from '../tune/space/space.js';
import type { Task } from '../tune/space/task.js';

export interface WorkerMeasurerOptions extends MeasureOptions {
  /** The core's flavour to measure; the best the engine accepts by default. */
  flavour?: Flavour;
  /** Time allowed for a worker to start and compute the reference output. */
  setupTimeoutMs?: number;
  /** The compiled worker module; defaults to measure-worker.js next to this module. */
  workerUrl?: URL;
}

export interface WorkerData {
  flavour: Flavour | undefined;
  task: Task;
  options: MeasureOptions;
}

export interface MeasureRequest {
  id: number;
  schedule: Schedule;
  fault?: 'wrong-answer' | 'hang';
}

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'failed'; text: string }
  | { type: 'result'; id: number; result: KernelResult };

function failure(code: ErrorCode, text: string): KernelResult {
  return { costs: [], errorCode: code, errorText: text, timestamp: Date.now(), medianSeconds: NaN, minSeconds: NaN, gflops: 0, number: 0 };
}

export class WorkerMeasurer implements Measurer {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private nextId = 0;

  constructor(
    readonly space: Space,
    readonly options: WorkerMeasurerOptions = {},
  ) {}

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
      return failure(ErrorCode.invalidConfig, String((error as Error).message ?? error));
    }
    try {
      await this.start();
    } catch (error) {
      this.kill();
      return failure(ErrorCode.runtimeError, `measure worker did not start: ${(error as Error).message}`);
    }
    const worker = this.worker!;
    const id = this.nextId++;
    const fault = this.options.fault?.pointKey === pointKey(point) ? this.options.fault.kind : undefined;
    const limit = this.options.timeoutMs ?? MEASURE_DEFAULTS.timeoutMs;
    return new Promise<KernelResult>((resolve) => {
      const done = (result: KernelResult): void => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        resolve(result);
      };
      const onMessage = (message: WorkerMessage): void => {
        if (message.type === 'result' && message.id === id) done(message.result);
      };
      const onError = (error: Error): void => {
        this.kill();
        done(failure(ErrorCode.runtimeError, error.message));
      };
      const timer = setTimeout(() => {
        this.kill();
        done(failure(ErrorCode.timeout, `killed after ${limit} ms`));
      }, limit);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.postMessage({ id, schedule, fault } satisfies MeasureRequest);
    });
  }

  /** Stops the worker; the next measurement starts a new one. */
  async close(): Promise<void> {
    this.kill();
  }

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    const { flavour, setupTimeoutMs, workerUrl, ...measureOptions } = this.options;
    const data: WorkerData = { flavour, task: this.space.task, options: measureOptions };
    const worker = new Worker(workerUrl ?? new URL('./measure-worker.js', import.meta.url), { workerData: data });
    this.worker = worker;
    this.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ready signal within ${setupTimeoutMs ?? 60_000} ms`)), setupTimeoutMs ?? 60_000);
      const onMessage = (message: WorkerMessage): void => {
        if (message.type === 'ready') finish();
        else if (message.type === 'failed') finish(new Error(message.text));
      };
      const onError = (error: Error): void => finish(error);
      const finish = (error?: Error): void => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        if (error) reject(error);
        else resolve();
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
    });
    return this.ready;
  }

  private kill(): void {
    void this.worker?.terminate();
    this.worker = undefined;
    this.ready = undefined;
  }
}
