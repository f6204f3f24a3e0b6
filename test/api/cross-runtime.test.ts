// The same library calls with the same inputs and seeds in Node, Deno and Chromium give the same
// results, figure for figure: Node loads the package's node entry (dist/src/node/index.js), Deno
// its browser/Deno entry (dist/src/index.js), Chromium the Vite bundle of the demo's API check
// page (dist/web-demo/api-check.html), which imports 'mapwise' through the package's browser
// condition. The calls are in web-demo/api-calls.js (the demo's API check page runs them too).
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { apiCheckPage, denoJson } from '../helpers/runtimes.js';
// @ts-expect-error plain JavaScript shared with Deno and Chromium
import { apiCalls } from '../../web-demo/api-calls.js';

const MODEL = new URL('../fixtures/models/squeezenet1_1.onnx', import.meta.url);

async function inNode(): Promise<unknown> {
  const mapwise = await import('../../dist/src/node/index.js');
  return { runtime: mapwise.runtimeName(), calls: await apiCalls(mapwise, readFileSync(MODEL)) };
}

function inDeno(): unknown {
  return denoJson(['--allow-read'], 'test/api/deno-calls.js', [MODEL.pathname]);
}

function inChromium(): Promise<unknown> {
  return apiCheckPage('mapwiseApiCheck', '/model.onnx', (page) => page.route('**/model.onnx', (route) => route.fulfill({ path: MODEL.pathname, contentType: 'application/octet-stream' })));
}

it('importOnnx, schedule, simulate and tune give the same results in Node, Deno and Chromium', async () => {
  const [node, chrome] = await Promise.all([inNode(), inChromium()]);
  const deno = inDeno();
  const runtimes = [node, deno, chrome].map((r) => (r as { runtime: string }).runtime);
  expect(runtimes).toEqual(['node', 'deno', 'browser']);
  const calls = (r: unknown): unknown => (r as { calls: unknown }).calls;
  const n = calls(node) as Record<string, any>;
  // The calls really ran: a real graph, schedules on every core, a simulation with figures, named errors.
  expect(n.graph).toMatchObject({ name: 'squeezenet1_1', nodes: 65 });
  expect(n.dp.stages).toHaveLength(4);
  expect(n.learned.stages).toHaveLength(3);
  expect(n.exact.status).toBe('optimal');
  expect(n.simulateOnnx.totals.totalCycles).toBeGreaterThan(0);
  expect(n.tune.records).toHaveLength(24);
  expect(n.tune.layers[0].bestCost).toBeLessThan(n.tune.layers[0].defaultCost);
  expect(n.errors[0]).toMatch(/unknown option 'sheduler'/);
  expect(calls(deno)).toEqual(n);
  expect(calls(chrome)).toEqual(n);
  // toEqual ignores undefined-valued keys and -0; the JSON text must match too.
  expect(JSON.stringify(calls(deno))).toBe(JSON.stringify(n));
  expect(JSON.stringify(calls(chrome))).toBe(JSON.stringify(n));
});
