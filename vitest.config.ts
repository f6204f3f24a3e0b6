import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Loads the Node entry point, which registers how the wasm core is read from disk.
    setupFiles: ['test/setup.ts'],
    // Lets Node 20 validate relaxed SIMD so both release flavours are tested.
    execArgv: ['--experimental-wasm-relaxed-simd'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
