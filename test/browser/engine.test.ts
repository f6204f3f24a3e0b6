// The browser entry point in Debian's headless Chromium, driven by playwright-core: the page
// fetches the wasm over HTTP from a loopback server and runs the GEMM self-check.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serveDirectory, type StaticServer } from '../helpers/static-server.js';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let server: StaticServer;
let context: BrowserContext;
let profile: string;

beforeAll(async () => {
  server = await serveDirectory('.');
  profile = mkdtempSync(join(tmpdir(), 'mapwise-chromium-'));
  context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_FLAGS });
});

afterAll(async () => {
  await context?.close();
  await server?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

it('loads the relaxed-SIMD core in Chromium and its GEMM matches the reference', async () => {
  const page = await context.newPage();
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
