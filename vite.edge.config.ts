// Bundles the workerd entry (src/edge/worker.ts) into dist/edge/worker.js, one module: workerd
// resolves no bare npm names, and the library still has one, `highs` (the exact scheduler's
// solver, imported on demand), which is replaced by a stub (src/edge/no-highs.ts) as HTTP
// offers no exact scheduler. The two release flavours of the core stay separate CompiledWasm
// modules beside the bundle (workerd refuses to compile wasm at run time).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

const wasmModules: Plugin = {
  name: 'mapwise-wasm-modules',
  enforce: 'pre',
  resolveId(source) {
    return source.endsWith('.wasm') ? { id: `./${basename(source)}`, external: true } : null;
  },
  buildStart() {
    for (const flavour of ['relaxed', 'simd']) {
      const fileName = `mapwise-${flavour}.wasm`;
      this.emitFile({ type: 'asset', fileName, source: readFileSync(here(`build/${fileName}`)) });
    }
  },
};

export default defineConfig({
  plugins: [wasmModules],
  logLevel: 'warn',
  resolve: { alias: { highs: here('src/edge/no-highs.ts') } },
  ssr: { noExternal: true, target: 'webworker', resolve: { conditions: ['workerd', 'worker', 'browser'], externalConditions: [] } },
  build: {
    ssr: here('src/edge/worker.ts'),
    outDir: here('dist/edge'),
    emptyOutDir: true,
    target: 'es2022',
    minify: false,
    copyPublicDir: false,
    ssrEmitAssets: true,
    rolldownOptions: { checks: { pluginTimings: false }, output: { entryFileNames: 'worker.js', codeSplitting: false } },
  },
});
