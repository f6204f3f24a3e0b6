// The library's `redis` option: work spread over `mapwise worker` processes through Redis, which
// is reached over TCP, so Node only. The modules load on first use from a specifier bundlers do
// not follow, so no browser or edge bundle carries BullMQ.
import type * as Codesign from '../node/dist/codesign.js';
import type * as Coordinator from '../node/dist/coordinator.js';
import type * as Teacher from '../node/dist/teacher.js';
import type * as TuneLayer from '../node/dist/tune-layer.js';
import { runtimeName } from '../core/load.js';
import { OptionsError } from '../base/options.js';

interface DistModules {
  coordinator: typeof Coordinator;
  codesign: typeof Codesign;
  teacher: typeof Teacher;
  'tune-layer': typeof TuneLayer;
}

export async function loadDist<K extends keyof DistModules>(facade: string, module: K): Promise<DistModules[K]> {
  if (runtimeName() !== 'node') throw new OptionsError(`${facade}: redis needs Node (workers are reached over TCP); this runtime is ${runtimeName()}`);
  const specifier = `../node/dist/${module}.js`;
  return import(/* @vite-ignore */ specifier) as Promise<DistModules[K]>;
}
