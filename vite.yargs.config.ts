// Bundles yargs and its dependencies into one module, dist/vendor/yargs.js, which the CLI imports
// instead of the package: yargs is some 50 files, and resolving and reading them cost a command more
// than its own work (about 20 ms of `mapwise simulate`'s whole process). Same code, pinned by
// package-lock.json; `npm run build:ts` makes it.
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

// yargs finds its locale files and the package root above it from its own file's location, which in
// the bundle would be dist/vendor: point that back at the installed package, so messages are
// translated and configuration is read as with the package itself.
const ownLocation: Plugin = {
  name: 'mapwise-yargs-own-location',
  transform(code, id) {
    if (!id.endsWith('/yargs/lib/platform-shims/esm.mjs')) return null;
    const line = 'const __dirname = fileURLToPath(import.meta.url);';
    if (!code.includes(line)) this.error(`${id}: yargs no longer locates itself as expected; update vite.yargs.config.ts`);
    return code.replace(line, "const __dirname = createRequire(import.meta.url).resolve('yargs/package.json').replace(/package\\.json$/, 'lib/platform-shims/esm.mjs');");
  },
};

export default defineConfig({
  plugins: [ownLocation],
  logLevel: 'warn',
  ssr: { noExternal: true },
  build: {
    ssr: here('node_modules/yargs/index.mjs'),
    outDir: here('dist/vendor'),
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    copyPublicDir: false,
    rolldownOptions: { checks: { pluginTimings: false }, output: { entryFileNames: 'yargs.js', codeSplitting: false } },
  },
});
