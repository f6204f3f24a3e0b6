// Entry point for workerd (Cloudflare Workers, miniflare). Workerd refuses to compile wasm
// at run time, so both release flavours are imported as precompiled modules.
import relaxedModule from '../../build/mapwise-relaxed.wasm';
import simdModule from '../../build/mapwise-simd.wasm';
import { registerRuntime } from '../core/load.js';
import { handle } from './handler.js';

registerRuntime({
  runtime: 'workerd',
  provider: async (flavour) => {
    if (flavour === 'relaxed') return relaxedModule;
    if (flavour === 'simd') return simdModule;
    throw new Error(`the ${flavour} build is not bundled for workerd`);
  },
});

export default { fetch: handle };
