// Builds the browser demo (web-demo/) into dist/web-demo: the demo page, its Web Worker, and the
// API check page the cross-runtime test loads. The pages import the library from src/ and the
// wasm core from build/, so `npm run build` runs this after the wasm and TypeScript builds.
// (web-demo/engine-check.html is not bundled: it loads dist/src/index.js as shipped.)
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const page = (name: string): string => fileURLToPath(new URL(`web-demo/${name}.html`, import.meta.url));

// highs.mjs imports node:module for its Node code path, which browsers never take; and plugin
// timings are noise in a build that runs inside `npm test`.
const quiet = {
  checks: { pluginTimings: false },
  onLog(level: string, log: { message: string }, handler: (level: never, log: never) => void): void {
    if (log.message.includes('"node:module" has been externalized')) return;
    handler(level as never, log as never);
  },
};

// The core's URL is a template over every flavour (src/core/flavour.ts), so Vite would ship all
// of them; browsers pick a release flavour (threaded where the page is cross-origin isolated and
// asks for threads), so the pages carry those four and never the debug build.
const releaseFlavoursOnly: Plugin = {
  name: 'mapwise-release-flavours-only',
  enforce: 'pre',
  transform(code, id) {
    if (!/\/src\/core\/flavour\.[jt]s$/.test(id)) return null; // the demo's src/ and the API check page's dist/src/
    const template = 'new URL(`../../build/mapwise-${flavour}.wasm`, import.meta.url)';
    if (!code.includes(template)) this.error(`${id}: the core's URL changed; update vite.config.ts`);
    const release = ['relaxed', 'simd', 'relaxed-threads', 'simd-threads'];
    const choices = release.map((f) => `flavour === '${f}' ? new URL('../../build/mapwise-${f}.wasm', import.meta.url) : `).join('');
    return code.replace(template, `(${choices}new URL('mapwise-debug.wasm: not shipped to browsers', 'about:'))`);
  },
};

export default defineConfig({
  plugins: [releaseFlavoursOnly],
  root: fileURLToPath(new URL('web-demo', import.meta.url)),
  base: './',
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('dist/web-demo', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
    rolldownOptions: {
      input: { index: page('index'), 'api-check': page('api-check') },
      ...quiet,
    },
  },
  worker: { format: 'es', plugins: () => [releaseFlavoursOnly], rolldownOptions: quiet },
});
