import type { WasmFeatures } from './features.js';

/**
 * The builds of the core: SIMD128, SIMD128 + relaxed SIMD (fused multiply-add), each also
 * threaded (a shared, imported memory that helper threads run kernels over), and debug.
 */
export type Flavour = 'simd' | 'relaxed' | 'simd-threads' | 'relaxed-threads' | 'debug';
export const FLAVOURS: readonly Flavour[] = ['relaxed', 'simd', 'relaxed-threads', 'simd-threads', 'debug'];

/** The shared memory a threaded flavour imports, in 64 KiB pages (asconfig.json's initialMemory and maximumMemory). */
export const THREADED_MEMORY = { initial: 32, maximum: 65536 } as const;

/** The fastest release flavour the engine accepts. */
export function bestFlavour(features: WasmFeatures): Flavour {
  if (!features.simd) {
    throw new Error('mapwise needs WebAssembly SIMD128, which this engine does not support');
  }
  return features.relaxedSimd ? 'relaxed' : 'simd';
}

export function isThreaded(flavour: Flavour): boolean {
  return flavour.endsWith('-threads');
}

/** The threaded build of the same instruction set. */
export function threadedFlavour(flavour: Flavour): Flavour {
  if (isThreaded(flavour)) return flavour;
  if (flavour === 'debug') throw new RangeError('the debug flavour has no threaded build');
  return flavour === 'simd' ? 'simd-threads' : 'relaxed-threads';
}

/** Where the build puts each flavour, relative to this module (same depth in src/ and dist/src/). */
export function wasmUrl(flavour: Flavour): URL {
  return new URL(`../../build/mapwise-${flavour}.wasm`, import.meta.url);
}
