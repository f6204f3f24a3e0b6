// `import ... from 'mapwise'` picks the entry of the runtime through package.json `exports`:
// Node the node entry (wasm read from disk, plus loadModel), Deno the browser/Deno entry (wasm
// fetched from a file: URL), and a browser bundler the `browser` entry.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

const PROGRAM = `
const m = await import('mapwise');
const r = await m.schedule('alexnet', { cores: 2, scheduler: 'dp' });
console.log(JSON.stringify({ runtime: m.runtimeName(), loadModel: typeof m.loadModel, stages: r.stages.length, bottleneck: r.bottleneckSeconds }));
`;

it('resolves to the node entry in Node and the Deno entry in Deno, with the same result', () => {
  const node = JSON.parse(execFileSync('node', ['--experimental-wasm-relaxed-simd', '--input-type=module', '-e', PROGRAM], { encoding: 'utf8' }));
  const deno = JSON.parse(execFileSync('npx', ['deno', 'eval', '--no-remote', PROGRAM], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } }));
  expect(node).toMatchObject({ runtime: 'node', loadModel: 'function', stages: 2 });
  expect(deno).toMatchObject({ runtime: 'deno', loadModel: 'undefined', stages: 2 });
  expect(deno.bottleneck).toBe(node.bottleneck);
});

it('declares types, deno, node, browser and default entries that exist in the build', () => {
  const exports = JSON.parse(readFileSync('package.json', 'utf8')).exports['.'];
  expect(Object.keys(exports)).toEqual(['types', 'deno', 'node', 'browser', 'default']);
  for (const file of Object.values(exports) as string[]) expect(() => readFileSync(file)).not.toThrow();
});
