// The demo's Run task in headless Chromium: a dropped ONNX file with its weights runs in the
// page's Web Worker and shows the top-5 Node's runtime gives for the same bytes and seed.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { infer } from '../../src/node/index.js';
import { type Chromium, launchChromium } from '../helpers/chromium.js';
import { embedWeights, loadFixture } from '../../bench/fixture-weights.js';
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

/** A PNG of one colour (8-bit RGB): scaled to any size it stays that colour, so Node can build the same input. */
function solidPng(width: number, height: number, rgb: readonly [number, number, number]): Uint8Array {
  const chunk = (type: string, data: Uint8Array): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB, deflate, no filter method, no interlace
  const row = Buffer.from([0, ...Array.from({ length: width }, () => rgb).flat()]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', new Uint8Array(0))]);
}

it('classifies a picked image, scaled and normalised as torchvision does, as Node does the same input', async () => {
  const fixture = loadFixture('squeezenet1_1');
  const bytes = embedWeights(fixture.onnx, fixture.weights);
  const dir = mkdtempSync(join(tmpdir(), 'mapwise-demo-'));
  writeFileSync(join(dir, 'squeezenet1_1.onnx'), bytes);
  const rgb = [200, 120, 40] as const;
  writeFileSync(join(dir, 'orange.png'), solidPng(8, 8, rgb));
  const [, , h, w] = fixture.inputShape as [number, number, number, number];
  const mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225];
  const input = Float32Array.from({ length: 3 * h * w }, (_, i) => {
    const c = Math.floor(i / (h * w));
    return (rgb[c]! / 255 - mean[c]!) / std[c]!;
  });
  const expected = (await infer(bytes, { source: 'squeezenet1_1.onnx', input })).report;

  const page = await chromium.context.newPage();
  await page.goto(`${server.url}/index.html`);
  await page.setInputFiles('#file', join(dir, 'squeezenet1_1.onnx'));
  await page.check('input[name="task"][value="run"]');
  await page.setInputFiles('#image', join(dir, 'orange.png'));
  await page.fill('#repeat', '1');
  await page.click('#run');
  await page.waitForFunction(() => document.body.dataset.state !== 'running', undefined, { timeout: 60_000 });
  expect(await page.evaluate(() => document.body.dataset.state)).toBe('done');
  expect(await page.textContent('#totals')).not.toMatch(/random input/);
  const rows = await page.$$eval('#table tbody tr', (trs) => trs.map((tr) => Array.from(tr.children, (td) => td.textContent)));
  expect(rows.map((r) => Number(r[1]))).toEqual(expected.outputs[0]!.top5.map((t) => t.index));
  rows.forEach((r, i) => expect(Number(r[2])).toBeCloseTo(expected.outputs[0]!.top5[i]!.value, 3));
  await page.close();
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
  expect(await page.textContent('#totals')).toMatch(/^median [\d.]+ ms · min [\d.]+ ms over 2 runs · created in [\d.,]+ ms · arena [\d.]+ MiB · relaxed core · 1 thread · random input$/);
  const rows = await page.$$eval('#table tbody tr', (trs) => trs.map((tr) => Array.from(tr.children, (td) => td.textContent)));
  expect(rows.map((r) => Number(r[1]))).toEqual(expected.outputs[0]!.top5.map((t) => t.index));
  rows.forEach((r, i) => expect(Number(r[2])).toBeCloseTo(expected.outputs[0]!.top5[i]!.value, 3));
  expect(errors).toEqual([]);
  await page.close();
});

it('runs on 2 threads in the cross-origin isolated page, with the top-5 of one thread', async () => {
  const fixture = loadFixture('squeezenet1_1');
  const bytes = embedWeights(fixture.onnx, fixture.weights);
  const file = join(mkdtempSync(join(tmpdir(), 'mapwise-demo-')), 'squeezenet1_1.onnx');
  writeFileSync(file, bytes);
  const expected = (await infer(bytes, { source: 'squeezenet1_1.onnx', seed: 5 })).report;

  const page = await chromium.context.newPage();
  await page.goto(`${server.url}/index.html`);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await page.setInputFiles('#file', file);
  await page.check('input[name="task"][value="run"]');
  await page.fill('#seed', '5');
  await page.fill('#repeat', '1');
  await page.fill('#threads', '2');
  await page.click('#run');
  await page.waitForFunction(() => document.body.dataset.state !== 'running', undefined, { timeout: 60_000 });
  expect(await page.evaluate(() => document.body.dataset.state)).toBe('done');
  expect(await page.textContent('#totals')).toMatch(/ · relaxed-threads core · 2 threads · random input$/);
  const rows = await page.$$eval('#table tbody tr', (trs) => trs.map((tr) => Array.from(tr.children, (td) => td.textContent)));
  expect(rows.map((r) => Number(r[1]))).toEqual(expected.outputs[0]!.top5.map((t) => t.index));
  rows.forEach((r, i) => expect(Number(r[2])).toBeCloseTo(expected.outputs[0]!.top5[i]!.value, 3));
  await page.close();
});
