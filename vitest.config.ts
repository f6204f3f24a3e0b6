import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// Test tiers by what they need built (test/tiers.json): `npx vitest run --project pure` needs no
// build at all, `core` the wasm core, `cli` dist/ too, `runtimes` Deno, Chromium and workerd.
// `vitest run` with no --project runs every tier.
const tiers = JSON.parse(readFileSync(new URL('test/tiers.json', import.meta.url), 'utf8')) as Record<'pure' | 'cli' | 'runtimes', string[]>;
// Loads the Node entry point, which registers how the wasm core is read from disk; pure tests
// never load the core, so they run without it (and without build/).
const setupFiles = ['test/setup.ts'];

export default defineConfig({
  test: {
    // Lets Node 20 validate relaxed SIMD so both release flavours are tested.
    execArgv: ['--experimental-wasm-relaxed-simd'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'pure', include: tiers.pure } },
      { extends: true, test: { name: 'core', include: ['test/**/*.test.ts'], exclude: [...tiers.pure, ...tiers.cli, ...tiers.runtimes], setupFiles } },
      { extends: true, test: { name: 'cli', include: tiers.cli, setupFiles } },
      { extends: true, test: { name: 'runtimes', include: tiers.runtimes, setupFiles } },
    ],
  },
});
