// `npm run bench -- wasm-size`: bytes of each flavour of the core against its budget in
// assembly/size-budget.json (test/core/wasm-binary.test.ts fails past it).
import { readFileSync } from 'node:fs';
import { coreSizes } from '../src/node/core-sizes.js';
import { FLAVOURS } from '../src/node/index.js';
import type { Bench, Row } from './harness.js';

export const wasmSizeBench: Bench = {
  describe: 'bytes of each flavour of the wasm core against its budget (assembly/size-budget.json)',
  async run() {
    // dist/bench → the repository's assembly/, as from bench/ in the sources.
    const budget: Record<string, number> = JSON.parse(readFileSync(new URL('../../assembly/size-budget.json', import.meta.url), 'utf8')).bytes;
    const sizes = coreSizes();
    return FLAVOURS.map((flavour): Row => {
      const bytes = sizes[flavour];
      const budgetBytes = budget[flavour] ?? null;
      return {
        flavour,
        bytes,
        kib: bytes === null ? null : Math.round((bytes / 1024) * 10) / 10,
        budgetBytes,
        ofBudget: bytes === null || budgetBytes === null ? null : Math.round((bytes / budgetBytes) * 1000) / 1000,
      };
    });
  },
};
