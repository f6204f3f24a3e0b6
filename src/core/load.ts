// Loading the core in any runtime. Each entry point (src/index.ts for browsers and Deno,
// src/node/index.ts, src/edge/worker.ts) registers how its runtime obtains a compiled
// module; everything else just calls `getCore()`.
import { Core } from './core.js';
import { detectFeatures, type WasmFeatures } from './features.js';
import { bestFlavour, type Flavour, wasmUrl } from './flavour.js';
import type { ThreadSpawner } from './threads.js';

/** Gives the compiled module of one flavour, however the runtime gets its bytes. */
export type ModuleProvider = (flavour: Flavour) => Promise<WebAssembly.Module>;

export interface RuntimeInfo {
  /** 'node', 'deno', 'browser' or 'workerd' — set by the entry point that registered. */
  runtime: string;
  provider: ModuleProvider;
  /** Starts helper threads for the threaded flavours; absent where the runtime has none (workerd). */
  spawnThread?: ThreadSpawner;
  /**
   * Idle helper threads may wait for the next session rather than stop with theirs: true where
   * they keep nothing alive (Node's are unref'd; a page's die with it). Not in Deno, whose live
   * Web Workers keep the process running.
   */
  keepsIdleThreads?: boolean;
}

let registered: RuntimeInfo | undefined;
const cores = new Map<Flavour, Promise<Core>>();

export function registerRuntime(info: RuntimeInfo): void {
  registered = info;
  cores.clear();
}

/** Whether a session's helper threads may outlive it for the next one (RuntimeInfo.keepsIdleThreads). */
export function keepsIdleThreads(): boolean {
  return registered?.keepsIdleThreads ?? false;
}

/** How this runtime starts helper threads, if it can. */
export function threadSpawner(): ThreadSpawner | undefined {
  return registered?.spawnThread;
}

export function runtimeName(): string {
  return registered?.runtime ?? 'unregistered';
}

export function features(): WasmFeatures {
  return detectFeatures();
}

/**
 * The core in the given flavour, or in the best one this engine accepts. Instances are
 * shared: one per flavour per runtime.
 */
export function getCore(flavour?: Flavour): Promise<Core> {
  if (!registered) {
    throw new Error('mapwise: no WebAssembly loader registered; import mapwise from its package entry point (node, browser or edge)');
  }
  const chosen = flavour ?? bestFlavour(detectFeatures());
  let core = cores.get(chosen);
  if (!core) {
    const { provider } = registered;
    core = provider(chosen).then((module) => Core.instantiate(chosen, module));
    cores.set(chosen, core);
  }
  return core;
}

/** Provider for runtimes whose `fetch` reads the build's URL (browsers, Deno). */
export const fetchProvider: ModuleProvider = async (flavour) => {
  const url = wasmUrl(flavour);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`mapwise: could not load ${url}: HTTP ${response.status}`);
  return WebAssembly.compile(await response.arrayBuffer());
};
