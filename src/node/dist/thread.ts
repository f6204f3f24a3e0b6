// Codesign slices and teacher labels run in a thread of their own: they compute for seconds to
// minutes without yielding, and the worker's event loop must keep renewing the job's lock in
// Redis meanwhile, or BullMQ would take the job for stalled and hand it to another worker.
// This module is both sides: `runInThread` in the worker, and the thread's entry below.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { getCore } from '../../core/load.js';
import { type CodesignSliceJob, runCodesignSlice } from './codesign.js';
import { runTeacherLabel, type TeacherLabelJob } from './teacher.js';

export type ThreadJob = CodesignSliceJob | TeacherLabelJob;

type FromThread = { type: 'best'; cycles: number } | { type: 'result'; value: unknown } | { type: 'error'; message: string };

interface ThreadData {
  mapwiseJob: ThreadJob;
  /** One float: the fewest cycles the other slices of this problem have found (Infinity: none yet). */
  incumbent?: SharedArrayBuffer;
}

/** Runs a validated job in a new thread; `onBest` hears a codesign slice's improvements as they come. */
export function runInThread(job: ThreadJob, options: { incumbent?: SharedArrayBuffer; onBest?: (cycles: number) => void } = {}): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const data: ThreadData = { mapwiseJob: job, incumbent: options.incumbent };
    const thread = new Worker(new URL(import.meta.url), { workerData: data });
    thread.on('message', (m: FromThread) => {
      if (m.type === 'best') options.onBest?.(m.cycles);
      else {
        if (m.type === 'result') resolve(m.value);
        else reject(new Error(m.message));
        void thread.terminate();
      }
    });
    thread.on('error', reject);
    thread.on('exit', (code) => reject(new Error(`the job's thread exited (code ${code}) without a result`)));
  });
}

async function serve(port: NonNullable<typeof parentPort>, data: ThreadData): Promise<void> {
  await import('../runtime.js');
  const core = await getCore();
  const job = data.mapwiseJob;
  try {
    if (job.kind === 'codesign-slice') {
      const incumbent = data.incumbent && new Float64Array(data.incumbent);
      const value = runCodesignSlice(core, job, {
        incumbent: incumbent && (() => incumbent[0]!),
        onBest: (cycles) => port.postMessage({ type: 'best', cycles } satisfies FromThread),
      });
      port.postMessage({ type: 'result', value } satisfies FromThread);
    } else {
      port.postMessage({ type: 'result', value: await runTeacherLabel(core, job) } satisfies FromThread);
    }
  } catch (error) {
    port.postMessage({ type: 'error', message: (error as Error).message } satisfies FromThread);
  }
}

if (!isMainThread && (workerData as Partial<ThreadData> | null)?.mapwiseJob) void serve(parentPort!, workerData as ThreadData);
