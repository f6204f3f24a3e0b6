// One model, one input, one flavour (simd): Node, Deno and Chromium give the same output bit for
// bit, and it matches PyTorch. Node loads the package's node entry, Deno its browser/Deno entry,
// Chromium the demo's API check page (dist/web-demo/api-check.html). The calls are in web-demo/infer-calls.js.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { apiCheckPage, denoJson } from '../helpers/runtimes.js';
// @ts-expect-error plain JavaScript shared with Deno and Chromium
import { inferCalls } from '../../web-demo/infer-calls.js';

const FOLDER = fileURLToPath(new URL('../fixtures/runtime', import.meta.url));

async function inNode(threads = 1): Promise<any> {
  const mapwise = await import('../../dist/src/node/index.js');
  return { runtime: mapwise.runtimeName(), calls: await inferCalls(mapwise, async (file: string) => new Uint8Array(await readFile(`${FOLDER}/${file}`)), threads) };
}

function inDeno(threads = 1): any {
  return denoJson([`--allow-read=dist,build,${FOLDER}`], 'test/run/deno-infer.js', [FOLDER, String(threads)]);
}

function inChromium(threads = 1): Promise<any> {
  const file = (url: string): string => `${FOLDER}/${new URL(url).pathname.split('/').pop()}`;
  const check = threads > 1 ? 'mapwiseInferThreadsCheck' : 'mapwiseInferCheck';
  return apiCheckPage(check, '/fixtures', (page) => page.route('**/fixtures/*', (route) => route.fulfill({ path: file(route.request().url()) })));
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

it('runs it on 2 threads in Node, Deno and a cross-origin isolated Chromium page, bit for bit as on one', async () => {
  const [one, node, chrome] = await Promise.all([inNode(), inNode(2), inChromium(2)]);
  const deno = inDeno(2);
  for (const calls of [node.calls, deno.calls, chrome.calls]) {
    expect(calls).toEqual({ ...one.calls, flavour: 'simd-threads', threads: 2 });
  }
});
