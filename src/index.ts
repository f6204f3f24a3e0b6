// Entry point for browsers and Deno: the core's bytes come through `fetch`.
import { fetchProvider, registerRuntime } from './core/load.js';
import { webThreadSpawner } from './core/threads.js';

const runtime = 'Deno' in globalThis ? 'deno' : 'browser';
// A page's idle Web Workers die with it; Deno's would keep the process running.
registerRuntime({ runtime, provider: fetchProvider, spawnThread: webThreadSpawner, keepsIdleThreads: runtime === 'browser' });

export * from './lib.js';
