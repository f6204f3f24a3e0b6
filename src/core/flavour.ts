import type { WasmFeatures } from './features.js';

/** The builds of the core: SIMD128, SIMD128 + relaxed SIMD (fused multiply-add), and debug. */
export type Flavour = 'simd' | 'relaxed' | 'debug';
export const FLAVOURS: readonly Flavour[] = ['relaxed', 'simd', 'debug'];

/** The fastest release flavour the engine accepts. */
export function bestFlavour(features: WasmFeatures): Flavour {
  if (!features.simd) {
    throw new Error('mapwise needs WebAssembly SIMD128, which this engine does not support');
  }
  return features.relaxedSimd ? 'relaxed' : 'simd';
}

/** Where the build puts each flavour, relative to this module (same depth in src/ and dist/src/). */
export function wasmUrl(flavour: Flavour): URL {
  return new URL(`../../build/mapwise-${flavour}.wasm`, import.meta.url);
}
