// One model, one input, one flavour (simd): Node, Deno and Chromium give the same output bit for
// bit, and it matches PyTorch. Node loads the package's node entry, Deno its browser/Deno entry,
// Chromium the demo's API check page (dist/web-demo/api-check.html). The calls are in ./infer-calls.js.
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium.js';
import { serveDirectory } from '../helpers/static-server.js';
// @ts-expect-error plain JavaScript shared with Deno and Chromium
import { inferCalls } from './infer-calls.js';

const FOLDER = fileURLToPath(new URL('../fixtures/runtime', import.meta.url));

async function inNode(): Promise<any> {
  const mapwise = await import('../../dist/src/node/index.js');
  return { runtime: mapwise.runtimeName(), calls: await inferCalls(mapwise, async (file: string) => new Uint8Array(await readFile(`${FOLDER}/${file}`))) };
}

function inDeno(): any {
  const run = spawnSync('npx', ['deno', 'run', `--allow-read=dist,build,${FOLDER}`, '--no-prompt', '--no-remote', 'test/run/deno-infer.js', FOLDER], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    maxBuffer: 64 << 20,
  });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
}

async function inChromium(): Promise<any> {
  const server = await serveDirectory('dist/web-demo');
  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.route('**/fixtures/*', (route) => route.fulfill({ path: `${FOLDER}/${new URL(route.request().url()).pathname.split('/').pop()}` }));
    await page.goto(`${server.url}/api-check.html`);
    await page.waitForFunction(() => typeof (window as unknown as { mapwiseInferCheck?: unknown }).mapwiseInferCheck === 'function');
    const result = await page.evaluate(() => (window as unknown as { mapwiseInferCheck: (url: string) => Promise<unknown> }).mapwiseInferCheck('/fixtures'));
    expect(errors).toEqual([]);
    return result;
  } finally {
    await browser.close();
    await server.close();
  }
}

it('runs the external-data ShuffleNet identically in Node, Deno and Chromium, as PyTorch does', async () => {
  const [node, chrome] = await Promise.all([inNode(), inChromium()]);
  const deno = inDeno();
  expect([node.runtime, deno.runtime, chrome.runtime]).toEqual(['node', 'deno', 'browser']);
  expect(node.calls.flavour).toBe('simd');
  expect(node.calls.relativeL2).toBeLessThanOrEqual(1e-4);
  expect(node.calls.output).toHaveLength(1000);
  expect(deno.calls).toEqual(node.calls);
  expect(chrome.calls).toEqual(node.calls);
});
