// The same library calls with the same inputs and seeds in Node, Deno and Chromium give the same
// results, figure for figure: Node loads the package's node entry (dist/src/node/index.js), Deno
// its browser/Deno entry (dist/src/index.js), Chromium the Vite bundle of the demo's API check
// page (dist/web-demo/api-check.html), which imports 'mapwise' through the package's browser
// condition. The calls are in ./calls.js.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { serveDirectory } from '../helpers/static-server.js';
import { launchChromium } from '../helpers/chromium.js';
// @ts-expect-error plain JavaScript shared with Deno and Chromium
import { apiCalls } from './calls.js';

const MODEL = new URL('../fixtures/models/squeezenet1_1.onnx', import.meta.url);

async function inNode(): Promise<unknown> {
  const mapwise = await import('../../dist/src/node/index.js');
  return { runtime: mapwise.runtimeName(), calls: await apiCalls(mapwise, readFileSync(MODEL)) };
}

function inDeno(): unknown {
  const run = spawnSync('npx', ['deno', 'run', '--allow-read', '--no-prompt', '--no-remote', 'test/api/deno-calls.js', MODEL.pathname], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    maxBuffer: 64 << 20,
  });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
}

async function inChromium(): Promise<unknown> {
  const server = await serveDirectory('dist/web-demo');
  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.route('**/model.onnx', (route) => route.fulfill({ path: MODEL.pathname, contentType: 'application/octet-stream' }));
    await page.goto(`${server.url}/api-check.html`);
    await page.waitForFunction(() => typeof (window as unknown as { mapwiseApiCheck?: unknown }).mapwiseApiCheck === 'function');
    const result = await page.evaluate(() => (window as unknown as { mapwiseApiCheck: (url: string) => Promise<unknown> }).mapwiseApiCheck('/model.onnx'));
    expect(errors).toEqual([]);
    return result;
  } finally {
    await browser.close();
    await server.close();
  }
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
