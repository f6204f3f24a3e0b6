// Registers how Node reads the core: from the file system. Imported by the Node entry
// (./index.ts) and by the CLI, which must not pay for the whole library to start.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { registerRuntime, type RuntimeInfo } from '../core/load.js';
import { wasmUrl } from '../core/flavour.js';

/** How Node reads the core and starts threads (exported so tests can register it again). */
export const nodeRuntime: RuntimeInfo = {
  runtime: 'node',
  provider: async (flavour) => WebAssembly.compile(await readFile(fileURLToPath(wasmUrl(flavour)))),
  // worker_threads loads with the first thread; an unref'd helper never keeps the process alive.
  spawnThread: async (source) => {
    const { Worker } = await import('node:worker_threads');
    const worker = new Worker(`const port = require('node:worker_threads').parentPort;\n${source}`, { eval: true });
    worker.unref();
    return {
      send: (message) => worker.postMessage(message),
      onMessage: (listener) => worker.on('message', listener),
      onError: (listener) => worker.on('error', listener),
      terminate: () => void worker.terminate(),
    };
  },
};

registerRuntime(nodeRuntime);
