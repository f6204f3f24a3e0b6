// Entry point for browsers and Deno: the core's bytes come through `fetch`.
import { fetchProvider, registerRuntime } from './core/load.js';
import { webThreadSpawner } from './core/threads.js';

const runtime = 'Deno' in globalThis ? 'deno' : 'browser';
registerRuntime({ runtime, provider: fetchProvider, spawnThread: webThreadSpawner });

export * from './lib.js';
