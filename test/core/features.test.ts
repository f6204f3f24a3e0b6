import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { bestFlavour, detectFeatures } from '../../src/core/index.js';

// A plain Node process without the flag, on the built module (`npm test` builds first).
const probe = "import('./dist/src/core/features.js').then((m) => console.log(JSON.stringify(m.detectFeatures())))";

it('detects relaxed SIMD only when the engine accepts it (Node 20 needs a flag)', () => {
  // vitest runs with --experimental-wasm-relaxed-simd
  expect(detectFeatures()).toEqual({ simd: true, relaxedSimd: true, threads: true });
  const plain = spawnSync('node', ['--input-type=module', '-e', probe], { encoding: 'utf8' });
  expect(plain.status, plain.stderr).toBe(0);
  const major = Number(process.versions.node.split('.')[0]);
  if (major === 20) expect(JSON.parse(plain.stdout)).toEqual({ simd: true, relaxedSimd: false, threads: true });
});

it('prefers the fused build and refuses an engine without SIMD', () => {
  expect(bestFlavour({ simd: true, relaxedSimd: true, threads: true })).toBe('relaxed');
  expect(bestFlavour({ simd: true, relaxedSimd: false, threads: false })).toBe('simd');
  expect(() => bestFlavour({ simd: false, relaxedSimd: false, threads: false })).toThrow(/needs WebAssembly SIMD128/);
});
