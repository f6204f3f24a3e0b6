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
  // worker_threads loads with the first thread; a helper is unref'd once ready (a 'message'
  // listener refs it again until then), so it never keeps the process alive and idle ones may
  // wait for the next session.
  keepsIdleThreads: true,
  spawnThread: async (source) => {
    const { Worker } = await import('node:worker_threads');
    // A module from a data: URL, whatever --input-type the main script ran with (`node -e`).
    const module = `import { parentPort as port } from 'node:worker_threads';\n${source}`;
    const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(module)}`));
    return {
      send: (message) => worker.postMessage(message),
      onMessage: (listener) => worker.on('message', listener),
      onError: (listener) => worker.on('error', listener),
      unref: () => worker.unref(),
      terminate: () => void worker.terminate(),
    };
  },
};

registerRuntime(nodeRuntime);
