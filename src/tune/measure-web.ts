// The real measurer for browsers and Deno: each candidate runs in a module Web Worker (see
// ./measure-isolated.ts), terminated and reported as a time-out past its limit.
import { IsolatedMeasurer, type IsolatedMeasurerOptions, type FromWorker, type WorkerHandle } from './measure-isolated.js';
import type { Space } from './space/space.js';

export interface WebWorkerMeasurerOptions extends IsolatedMeasurerOptions {
  /** The worker module; defaults to measure-web-worker.js next to this module. */
  workerUrl?: URL;
}

export class WebWorkerMeasurer extends IsolatedMeasurer {
  constructor(space: Space, options: WebWorkerMeasurerOptions = {}) {
    const { workerUrl, ...rest } = options;
    super(space, rest, () => spawnWebWorker(workerUrl ?? new URL('./measure-web-worker.js', import.meta.url)));
  }
}

function spawnWebWorker(url: URL): WorkerHandle {
  if (typeof Worker === 'undefined') throw new Error('WebWorkerMeasurer: this runtime has no Web Worker; in Node use WorkerMeasurer from the node entry point');
  const worker = new Worker(url, { type: 'module' });
  return {
    post: (message) => worker.postMessage(message),
    listen(onMessage, onError) {
      const message = (event: MessageEvent<FromWorker>): void => onMessage(event.data);
      const error = (event: ErrorEvent): void => {
        event.preventDefault();
        onError(new Error(event.message || 'worker error'));
      };
      worker.addEventListener('message', message);
      worker.addEventListener('error', error);
      return () => {
        worker.removeEventListener('message', message);
        worker.removeEventListener('error', error);
      };
    },
    terminate: () => worker.terminate(),
  };
}
