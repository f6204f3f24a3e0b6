// The browser entry point in Debian's headless Chromium, driven by playwright-core: the page
// fetches the wasm over HTTP from a loopback server and runs the GEMM self-check, then calls the
// library as shipped, without a bundler.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { importOnnx, schedule, simulate } from '../../src/node/index.js';
import { serveDirectory, type StaticServer } from '../helpers/static-server.js';
import { type Chromium, launchChromium } from '../helpers/chromium.js';

const MODEL = 'test/fixtures/models/resnet18_noweights.onnx';

let server: StaticServer;
let browser: Chromium;

beforeAll(async () => {
  server = await serveDirectory('.');
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it('loads the relaxed-SIMD core in Chromium, its GEMM matches the reference, and the unbundled library imports, schedules and simulates as in Node', async () => {
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.route('**/check-model.onnx', (route) => route.fulfill({ path: MODEL, contentType: 'application/octet-stream' }));
  await page.goto(`${server.url}/web-demo/engine-check.html`);
  await page.waitForFunction(() => 'mapwiseResult' in window, undefined, { timeout: 30_000 });
  const result = (await page.evaluate(() => (window as unknown as { mapwiseResult: unknown }).mapwiseResult)) as Record<string, any>;
  expect(errors).toEqual([]);
  expect(result.error).toBeUndefined();
  expect(result.runtime).toBe('browser');
  expect(result.flavour).toBe('relaxed');
  expect(result.checks.simd.passed).toBe(true);
  expect(result.checks.relaxed.passed).toBe(true);
  expect(result.product).toEqual([19, 22, 43, 50]);
  // The library unbundled: the same import, schedule and simulation as in Node.
  const { solveSeconds: _s, ...scheduled } = await schedule('alexnet', { cores: 2, scheduler: 'dp' });
  expect(result.schedule).toEqual(JSON.parse(JSON.stringify(scheduled)));
  expect(result.simulate).toEqual((await simulate('scalesim:alexnet', { target: 'systolic:google' })).totals);
  const graph = await importOnnx(readFileSync(MODEL), { source: 'resnet18_noweights.onnx' });
  expect(result.importOnnx).toEqual({ name: 'resnet18_noweights', nodes: graph.nodes.length, macs: graph.nodes.reduce((sum, n) => sum + n.macs, 0) });
});
