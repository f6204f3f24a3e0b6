// Bytes of the built wasm cores on disk, for `mapwise info` and the wasm-size bench.
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FLAVOURS, type Flavour, wasmUrl } from '../core/flavour.js';

/** Bytes of each flavour's build/*.wasm, or null where the build is missing. */
export function coreSizes(): Record<Flavour, number | null> {
  const sizes = {} as Record<Flavour, number | null>;
  for (const flavour of FLAVOURS) {
    try {
      sizes[flavour] = statSync(fileURLToPath(wasmUrl(flavour))).size;
    } catch {
      sizes[flavour] = null;
    }
  }
  return sizes;
}
