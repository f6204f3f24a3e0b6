// The real measurer for Node: each candidate runs in a worker thread (see
// src/tune/measure-isolated.ts), killed and reported as a time-out past its limit.
import { Worker } from 'node:worker_threads';
import { IsolatedMeasurer, type IsolatedMeasurerOptions, type FromWorker, type WorkerHandle } from '../tune/measure-isolated.js';
import type { Space } from '../tune/space/space.js';

export interface WorkerMeasurerOptions extends IsolatedMeasurerOptions {
  /** The compiled worker module; defaults to measure-worker.js next to this module. */
  workerUrl?: URL;
}

export class WorkerMeasurer extends IsolatedMeasurer {
  constructor(space: Space, options: WorkerMeasurerOptions = {}) {
    const { workerUrl, ...rest } = options;
    super(space, rest, () => spawnThread(workerUrl ?? new URL('./measure-worker.js', import.meta.url)));
  }
}

function spawnThread(url: URL): WorkerHandle {
  const worker = new Worker(url);
  // An idle worker must not keep the process alive when a caller forgets close(); a pending
  // measurement still does, through its time-limit timer.
  worker.unref();
  return {
    post: (message) => worker.postMessage(message),
    listen(onMessage, onError) {
      const message = (m: FromWorker): void => onMessage(m);
      worker.on('message', message);
      worker.on('error', onError);
      return () => {
        worker.off('message', message);
        worker.off('error', onError);
      };
    },
    terminate: () => void worker.terminate(),
  };
}
