// Codesign slices, layer searches and teacher labels run in a thread: they compute for seconds to
// minutes without yielding, and the worker's event loop must keep renewing the job's lock in Redis
// meanwhile, or BullMQ would take the job for stalled and hand it to another worker. A thread lives
// on between jobs, so the core and HiGHS load once (0.3 s a fresh thread), and warms up first.
// This module is both sides: `JobThread` in the worker, and the thread's loop below.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { getCore } from '../../core/load.js';
import { type CodesignSliceJob, runCodesignSlice } from './codesign.js';
import type { MappingSearchJob } from './jobs.js';
import { runTeacherLabel, type TeacherLabelJob } from './teacher.js';
import { runMappingSearch, warmUpSearch } from './tune-layer.js';

export type ThreadJob = CodesignSliceJob | MappingSearchJob | TeacherLabelJob;

interface ToThread {
  job: ThreadJob;
  /** One float: the fewest cycles the other slices of this problem have found (Infinity: none yet). */
  incumbent?: SharedArrayBuffer;
  /** A layer search's synthetic device: each measured point also waits this long (tests, benchmarks). */
  msPerPoint?: number;
}

type FromThread =
  | { type: 'ready' }
  | { type: 'best'; cycles: number }
  | { type: 'progress'; trials: number }
  | { type: 'result'; value: unknown }
  | { type: 'error'; message: string };

const MARK = 'mapwiseJobThread';

/** A thread running validated jobs one at a time. After a failure it is not used again (`terminate`). */
export class JobThread {
  private readonly thread = new Worker(new URL(import.meta.url), { workerData: { [MARK]: true } });
  private current: { resolve: (value: unknown) => void; reject: (error: Error) => void; onBest?: (cycles: number) => void; onTrials?: (trials: number) => void } | undefined;
  /** Resolves once the thread has loaded the core and warmed its searches up; rejects if it dies first. */
  readonly ready: Promise<void>;

  constructor() {
    let started: () => void;
    let died: (error: Error) => void;
    this.ready = new Promise((resolve, reject) => ((started = resolve), (died = reject)));
    this.ready.catch(() => {}); // a thread that dies unwatched fails its job instead
    this.thread.on('message', (m: FromThread) => {
      const current = this.current;
      if (m.type === 'ready') return started();
      if (m.type === 'best') return current?.onBest?.(m.cycles);
      if (m.type === 'progress') return current?.onTrials?.(m.trials);
      this.current = undefined;
      if (m.type === 'result') current?.resolve(m.value);
      else current?.reject(new Error(m.message));
    });
    const fail = (error: Error): void => {
      died(error);
      this.current?.reject(error);
      this.current = undefined;
    };
    this.thread.on('error', fail);
    this.thread.on('exit', (code) => fail(new Error(`the job thread exited (code ${code}) without a result`)));
  }

  /** Runs `job`; `onBest` hears a codesign slice's improvements as they come, `onTrials` a layer search's trials so far. */
  run(job: ThreadJob, options: { incumbent?: SharedArrayBuffer; onBest?: (cycles: number) => void; onTrials?: (trials: number) => void; msPerPoint?: number } = {}): Promise<unknown> {
    if (this.current) throw new Error('a job thread runs one job at a time');
    return new Promise((resolve, reject) => {
      this.current = { resolve, reject, onBest: options.onBest, onTrials: options.onTrials };
      this.thread.postMessage({ job, incumbent: options.incumbent, msPerPoint: options.msPerPoint } satisfies ToThread);
    });
  }

  async terminate(): Promise<void> {
    await this.thread.terminate();
  }
}

async function serve(port: NonNullable<typeof parentPort>): Promise<void> {
  await import('../runtime.js');
  const core = await getCore();
  await warmUpSearch(core);
  const post = (message: FromThread): void => port.postMessage(message);
  post({ type: 'ready' });
  port.on('message', async ({ job, incumbent, msPerPoint }: ToThread) => {
    try {
      if (job.kind === 'codesign-slice') {
        const best = incumbent && new Float64Array(incumbent);
        post({ type: 'result', value: runCodesignSlice(core, job, { incumbent: best && (() => best[0]!), onBest: (cycles) => post({ type: 'best', cycles }) }) });
      } else if (job.kind === 'tune-mapping') {
        post({ type: 'result', value: await runMappingSearch(core, job, { msPerPoint, onTrials: (trials) => post({ type: 'progress', trials }) }) });
      } else {
        post({ type: 'result', value: await runTeacherLabel(core, job) });
      }
    } catch (error) {
      post({ type: 'error', message: (error as Error).message });
    }
  });
}

if (!isMainThread && (workerData as Record<string, unknown> | null)?.[MARK]) void serve(parentPort!);
