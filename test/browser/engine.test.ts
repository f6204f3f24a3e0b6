// The browser entry point in Debian's headless Chromium, driven by playwright-core: the page
// fetches the wasm over HTTP from a loopback server and runs the GEMM self-check.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serveDirectory, type StaticServer } from '../helpers/static-server.js';
import { type Chromium, launchChromium } from '../helpers/chromium.js';

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

it('loads the relaxed-SIMD core in Chromium and its GEMM matches the reference', async () => {
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
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
});
