// Running the built library in the other runtimes for cross-runtime tests: a Deno script that
// prints JSON, and a function of the demo's API check page (dist/web-demo/api-check.html) in
// Chromium, with the fixture files the page fetches served by a route.
import { spawnSync } from 'node:child_process';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { launchChromium } from './chromium.js';
import { serveDirectory } from './static-server.js';

/** `deno run` of a script with the given permissions and arguments; its stdout as JSON. */
export function denoJson(permissions: string[], script: string, args: string[]): any {
  const run = spawnSync('npx', ['deno', 'run', ...permissions, '--no-prompt', '--no-remote', script, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    maxBuffer: 64 << 20,
  });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
}

/**
 * Calls `window[name](arg)` on the API check page once it is defined, after `route` set up the
 * page's routes; fails on any page error.
 */
export async function apiCheckPage(name: string, arg: string, route: (page: Page) => Promise<void>): Promise<any> {
  const server = await serveDirectory('dist/web-demo');
  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await route(page);
    await page.goto(`${server.url}/api-check.html`);
    await page.waitForFunction((fn) => typeof (window as unknown as Record<string, unknown>)[fn] === 'function', name);
    const result = await page.evaluate(([fn, value]) => (window as unknown as Record<string, (v: string) => Promise<unknown>>)[fn!]!(value!), [name, arg]);
    expect(errors).toEqual([]);
    return result;
  } finally {
    await browser.close();
    await server.close();
  }
}
