// The browser demo end to end in Debian's headless Chromium: the Vite build (dist/web-demo) is
// served over loopback; the test drops a real ONNX file, runs a 4-core schedule in the page's
// Web Worker, compares the table and the downloaded report with the CLI's JSON for the same
// input, takes a screenshot, cancels a long tuning run, and tunes layer mappings with the
// library's figures.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tune } from '../../src/node/index.js';
import { type Chromium, launchChromium } from '../helpers/chromium.js';
import { serveDirectory, type StaticServer } from '../helpers/static-server.js';

const MODEL = 'test/fixtures/models/mobilenet_v2.onnx';
const SCREENSHOT = 'dist/test-artifacts/web-demo.png';

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

async function cli(...args: string[]): Promise<Record<string, any>> {
  const { stdout } = await promisify(execFile)('node', ['--experimental-wasm-relaxed-simd', 'bin/mapwise.js', ...args, '--json'], { maxBuffer: 64 << 20 });
  return JSON.parse(stdout);
}

async function openDemo(): Promise<{ page: Page; errors: string[] }> {
  const page = await chromium.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.setViewportSize({ width: 1100, height: 1300 });
  await page.goto(`${server.url}/index.html`);
  await page.waitForSelector('#zoo option[value="mobilenetv2"]', { state: 'attached' });
  return { page, errors };
}

const state = (page: Page): Promise<string | undefined> => page.evaluate(() => document.body.dataset.state);

it('drops mobilenet_v2.onnx, schedules it on 4 cores in a worker, and shows the CLI numbers', async () => {
  const expected = cli('schedule', MODEL, '--cores', '4', '--scheduler', 'exact');
  const { page, errors } = await openDemo();
  await page.setInputFiles('#file', MODEL);
  await expect.poll(() => page.textContent('#model-status')).toMatch(/^mobilenet_v2\.onnx \(44\.1 KiB\)/);
  await page.fill('#cores', '4');
  await page.selectOption('#scheduler', 'exact');
  await page.click('#run');
  await page.waitForFunction(() => document.body.dataset.state !== 'running', undefined, { timeout: 90_000 });
  expect(await page.textContent('#status')).toMatch(/^done in \d+\.\d\d s$/);
  expect(await state(page)).toBe('done');
  const cliReport = await expected;

  // The table: one row per stage with the CLI's node counts and stage times.
  const rows = await page.$$eval('#table tbody tr', (trs) => trs.map((tr) => Array.from(tr.children, (td) => td.textContent)));
  expect(rows.map((r) => Number(r[1]))).toEqual(cliReport.stages.map((s: { nodes: string[] }) => s.nodes.length));
  rows.forEach((r, i) => expect(Number(r[6])).toBeCloseTo(cliReport.stages[i].totalSeconds * 1e3, 3));
  expect(await page.textContent('#summary')).toBe(`mobilenet_v2: ${cliReport.nodes} nodes on 4 cores (exact scheduler)`);
  expect(await page.textContent('#totals')).toContain(`bottleneck ${(cliReport.bottleneckSeconds * 1e3).toPrecision(6)} ms`);
  expect(await page.$$eval('#plots svg', (svgs) => svgs.map((s) => s.querySelectorAll('path, rect').length))).toEqual([expect.any(Number), expect.any(Number)]);
  expect(await page.$$eval('#plots svg .mark-rect path, #plots svg .mark-rect rect', (marks) => marks.length)).toBeGreaterThanOrEqual(4);

  // The downloaded report is the CLI's, figure for figure (solve time aside).
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  const report = JSON.parse(readFileSync((await download.path())!, 'utf8'));
  const { solveSeconds: _a, target, ...mine } = report;
  const { solveSeconds: _b, ...theirs } = cliReport;
  expect(target).toMatchObject({ kind: 'edgetpu-pipeline', cores: 4 });
  expect(mine).toEqual(theirs);

  mkdirSync('dist/test-artifacts', { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  expect(errors).toEqual([]);
  await page.close();
});

it('cancels a long tuning run and runs the next job', async () => {
  const { page, errors } = await openDemo();
  await page.selectOption('#zoo', 'alexnetconvs');
  await page.check('input[name="task"][value="tune"]');
  await page.selectOption('#tune-target', 'host');
  await page.selectOption('#tuner', 'random');
  await page.fill('#trials', '2000');
  await page.click('#run');
  // 10,000 real kernel measurements take minutes: progress moves, then we cancel.
  await page.waitForFunction(() => /^trials [1-9]\d*\/10000$/.test(document.getElementById('status')!.textContent ?? ''), undefined, { timeout: 60_000 });
  const value = await page.$eval('#progress', (p) => (p as HTMLProgressElement).value);
  expect(value).toBeGreaterThan(0);
  expect(value).toBeLessThan(1);
  await page.click('#cancel');
  expect(await state(page)).toBe('cancelled');
  expect(await page.textContent('#status')).toBe('cancelled');
  expect(await page.isEnabled('#run')).toBe(true);
  expect(await page.isHidden('#results')).toBe(true);
  await page.waitForTimeout(500); // the terminated worker reports nothing more
  expect(await page.textContent('#status')).toBe('cancelled');

  // A simulation of a zoo model after the cancel.
  await page.check('input[name="task"][value="simulate"]');
  await page.selectOption('#zoo', 'alexnet');
  await page.selectOption('#systolic', 'systolic:google');
  await page.click('#run');
  await page.waitForFunction(() => document.body.dataset.state !== 'running', undefined, { timeout: 60_000 });
  expect(await state(page)).toBe('done');
  const simulated = await cli('simulate', 'alexnet', '--target', 'systolic:google');
  expect(await page.textContent('#summary')).toBe(`alexnet: ${simulated.layers.length} layers on a 256×256 array, WS dataflow`);
  const cycles = await page.$$eval('#table tbody tr', (trs) => trs.map((tr) => Number(tr.children[1]!.textContent!.replace(/,/g, ''))));
  expect(cycles).toEqual(simulated.layers.map((l: { totalCycles: number }) => l.totalCycles));
  // The utilisation plot: one bar per layer.
  expect(await page.$$eval('#plots svg .mark-rect path', (bars) => bars.length)).toBe(simulated.layers.length);
  expect(errors).toEqual([]);
  await page.close();
});

it('tunes the layer mappings of a zoo model and shows the figures the library finds with the same seed', async () => {
  const { page, errors } = await openDemo();
  await page.selectOption('#zoo', 'alexnetconvs');
  await page.check('input[name="task"][value="tune"]');
  await page.selectOption('#tune-target', 'systolic:scale');
  await page.selectOption('#tuner', 'ga');
  await page.fill('#trials', '24');
  await page.click('#run');
  await page.waitForFunction(() => document.body.dataset.state !== 'running', undefined, { timeout: 60_000 });
  expect(await state(page)).toBe('done');
  const expected = await tune('alexnetconvs', { target: 'systolic:scale', tuner: 'ga', trials: 24 });
  const rows = await page.$$eval('#table tbody tr', (trs) => trs.map((tr) => Array.from(tr.children, (td) => td.textContent!)));
  expect(rows.map((r) => [r[0], r[1], Number(r[2]), Number(r[4]!.replace(/,/g, ''))])).toEqual(
    expected.layers.map((l) => [l.layer, l.shape, l.trials, l.bestCost]),
  );
  expect(await page.textContent('#summary')).toBe('alexnetconvs: 5 layers tuned on systolic:scale (ga)');
  // One best-so-far line per layer.
  expect(await page.$$eval('#plots svg .mark-line path', (lines) => lines.length)).toBe(5);
  expect(errors).toEqual([]);
  await page.close();
});

it('takes an ONNX file dropped on the drop zone', async () => {
  const { page, errors } = await openDemo();
  const small = 'test/fixtures/models/resnet18_noweights.onnx';
  await page.route('**/dropped.onnx', (route) => route.fulfill({ path: small, contentType: 'application/octet-stream' }));
  const dataTransfer = await page.evaluateHandle(async () => {
    const bytes = await (await fetch('/dropped.onnx')).arrayBuffer();
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], 'resnet18_noweights.onnx'));
    return transfer;
  });
  await page.dispatchEvent('#drop', 'dragover', { dataTransfer });
  expect(await page.getAttribute('#drop', 'class')).toContain('over');
  await page.dispatchEvent('#drop', 'drop', { dataTransfer });
  expect(await page.textContent('#model-status')).toMatch(/^resnet18_noweights\.onnx \(10\.1 KiB\)/);
  expect(await page.isDisabled('#zoo')).toBe(false); // the zoo select stays usable: picking a model there drops the file
  await page.selectOption('#scheduler', 'dp');
  await page.fill('#cores', '3');
  await page.click('#run');
  await page.waitForFunction(() => document.body.dataset.state !== 'running', undefined, { timeout: 60_000 });
  const expected = await cli('schedule', small, '--cores', '3', '--scheduler', 'dp');
  expect(await page.textContent('#summary')).toBe(`resnet18_noweights: ${expected.nodes} nodes on 3 cores (dp scheduler)`);
  const nodes = await page.$$eval('#table tbody tr', (trs) => trs.map((tr) => Number(tr.children[1]!.textContent)));
  expect(nodes).toEqual(expected.stages.map((s: { nodes: string[] }) => s.nodes.length));
  expect(errors).toEqual([]);
  await page.close();
});

it('stops the progress bar when a run fails', async () => {
  const { page } = await openDemo();
  await page.setInputFiles('#file', { name: 'broken.onnx', mimeType: 'application/octet-stream', buffer: Buffer.from('not an onnx model') });
  await page.selectOption('#scheduler', 'dp');
  await page.click('#run');
  await page.waitForFunction(() => document.body.dataset.state !== 'running', undefined, { timeout: 60_000 });
  expect(await state(page)).toBe('error');
  // The import step showed an indeterminate bar (no value attribute), which animates until a value is set.
  expect(await page.$eval('#progress', (p) => (p as HTMLProgressElement).hasAttribute('value'))).toBe(true);
  await page.close();
});

it('schedules a zoo model at another input size (NAME@SIZE) as the CLI does, and refuses a size the network cannot take', async () => {
  const { page, errors } = await openDemo();
  await page.selectOption('#zoo', 'alexnetconvs');
  expect(await page.isDisabled('#size')).toBe(true); // fixed layer shapes
  await page.selectOption('#zoo', 'googlenet');
  expect(await page.getAttribute('#size', 'placeholder')).toBe('224');
  await page.fill('#size', '160');
  await page.selectOption('#scheduler', 'dp');
  await page.fill('#cores', '2');
  await page.click('#run');
  await page.waitForFunction(() => document.body.dataset.state !== 'running', undefined, { timeout: 60_000 });
  expect(await state(page)).toBe('done');
  const expected = await cli('schedule', 'googlenet@160', '--cores', '2', '--scheduler', 'dp');
  expect(await page.textContent('#summary')).toBe(`googlenet@160: ${expected.nodes} nodes on 2 cores (dp scheduler)`);
  const nodes = await page.$$eval('#table tbody tr', (trs) => trs.map((tr) => Number(tr.children[1]!.textContent)));
  expect(nodes).toEqual(expected.stages.map((s: { nodes: string[] }) => s.nodes.length));

  // Below the network's minimum the form itself refuses (the field's min is the model's minSize)...
  await page.fill('#size', '20');
  expect(await page.$eval('#size', (input) => (input as HTMLInputElement).validity.rangeUnderflow)).toBe(true);
  // ...and a size the zoo refuses only when it builds comes back from the worker as the run's error.
  await page.selectOption('#zoo', 'vgg16');
  expect(await page.getAttribute('#size', 'min')).toBe('224');
  await page.fill('#size', '300');
  await page.click('#run');
  await page.waitForFunction(() => document.body.dataset.state !== 'running', undefined, { timeout: 60_000 });
  expect(await state(page)).toBe('error');
  expect(await page.textContent('#status')).toMatch(/vgg16 cannot take a 300x300 input: its last feature map, 9x9, is not a multiple of the 7x7/);
  expect(errors).toEqual([]);
  await page.close();
});
