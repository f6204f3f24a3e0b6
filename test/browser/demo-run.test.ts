// The demo's Run task in headless Chromium: a dropped ONNX file with its weights runs in the
// page's Web Worker and shows the top-5 Node's runtime gives for the same bytes and seed.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { infer } from '../../src/node/index.js';
import { type Chromium, launchChromium } from '../helpers/chromium.js';
import { embedWeights, loadFixture } from '../helpers/fixture-weights.js';
import { serveDirectory, type StaticServer } from '../helpers/static-server.js';

let server: StaticServer;
let chromium: Chromium;

beforeAll(async () => {
  server = await serveDirectory('dist/web-demo');
  chromium = await launchChromium();
});

afterAll(async () => {
  await chromium?.close();
  await server?.close();
});

it('runs a dropped SqueezeNet with its weights in a worker and shows the top-5 Node computes', async () => {
  const fixture = loadFixture('squeezenet1_1');
  const bytes = embedWeights(fixture.onnx, fixture.weights);
  const file = join(mkdtempSync(join(tmpdir(), 'mapwise-demo-')), 'squeezenet1_1.onnx');
  writeFileSync(file, bytes);
  const expected = (await infer(bytes, { source: 'squeezenet1_1.onnx', seed: 3 })).report;

  const page = await chromium.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${server.url}/index.html`);
  await page.setInputFiles('#file', file);
  await page.check('input[name="task"][value="run"]');
  expect(await page.isVisible('#run-options')).toBe(true);
  await page.fill('#seed', '3');
  await page.fill('#repeat', '2');
  await page.click('#run');
  await page.waitForFunction(() => document.body.dataset.state !== 'running', undefined, { timeout: 60_000 });
  expect(await page.evaluate(() => document.body.dataset.state)).toBe('done');
  expect(await page.textContent('#summary')).toBe('squeezenet1_1.onnx: output [1, 1000], top-5');
  expect(await page.textContent('#totals')).toMatch(/^median [\d.]+ ms · min [\d.]+ ms over 2 runs · created in [\d.,]+ ms · arena [\d.]+ MiB · relaxed core · random input$/);
  const rows = await page.$$eval('#table tbody tr', (trs) => trs.map((tr) => Array.from(tr.children, (td) => td.textContent)));
  expect(rows.map((r) => Number(r[1]))).toEqual(expected.outputs[0]!.top5.map((t) => t.index));
  rows.forEach((r, i) => expect(Number(r[2])).toBeCloseTo(expected.outputs[0]!.top5[i]!.value, 3));
  expect(errors).toEqual([]);
  await page.close();
});
