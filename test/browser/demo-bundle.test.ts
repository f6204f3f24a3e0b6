// What the demo's build (dist/web-demo) makes a visitor download (issue 22): the page alone until
// a task is picked; the worker without vega (it loads when plots are drawn) or HiGHS (when the
// exact scheduler runs); the release flavours of the core (threaded too) and never the debug build.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const DIR = 'dist/web-demo';
const assets = readdirSync(join(DIR, 'assets'));
const staticImports = (file: string): string[] =>
  [...readFileSync(join(DIR, 'assets', file), 'utf8').matchAll(/(?:^|[;}\n])\s*import\s*(?:[\w$*{}\s,]*?from\s*)?["']\.\/([^"']+)["']/g)].map((m) => m[1]!);

it('ships the release flavours of the core and not the debug build', () => {
  expect(assets.filter((a) => a.startsWith('mapwise-')).map((a) => a.replace(/-[\w-]{8}\.wasm$/, '.wasm')).sort())
    .toEqual(['mapwise-relaxed-threads.wasm', 'mapwise-relaxed.wasm', 'mapwise-simd-threads.wasm', 'mapwise-simd.wasm']);
});

it('loads at most 1 MB before a task is picked, and the worker loads neither vega nor HiGHS up front', () => {
  const html = readFileSync(join(DIR, 'index.html'), 'utf8');
  const page = [...html.matchAll(/(?:src|href)="\.\/assets\/([^"]+)"/g)].map((m) => m[1]!);
  const eager = new Set<string>();
  const visit = (file: string): void => {
    if (eager.has(file)) return;
    eager.add(file);
    if (file.endsWith('.js')) for (const i of staticImports(file)) visit(i);
  };
  for (const file of page) visit(file);
  const bytes = Buffer.byteLength(html) + [...eager].reduce((a, f) => a + statSync(join(DIR, 'assets', f)).size, 0);
  expect(bytes).toBeLessThan(1_000_000);
  expect([...eager].some((f) => f.startsWith('worker-'))).toBe(false);
  const worker = assets.find((a) => /^worker-[\w-]+\.js$/.test(a))!;
  const workerEager = new Set<string>();
  const visitWorker = (file: string): void => {
    if (workerEager.has(file)) return;
    workerEager.add(file);
    for (const i of staticImports(file)) visitWorker(i);
  };
  visitWorker(worker);
  expect([...workerEager].filter((f) => /^(vega|highs)-/.test(f))).toEqual([]);
  expect(readFileSync(join(DIR, 'assets', worker), 'utf8')).not.toContain('vega-lite'); // not bundled into the worker itself
});
