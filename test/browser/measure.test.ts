// The Web Worker measurer in Debian's headless Chromium: the page imports the built library,
// measures a good candidate, a runaway one (terminated at its time limit) and a wrong answer.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Chromium, launchChromium } from '../helpers/chromium.js';
import { serveDirectory, type StaticServer } from '../helpers/static-server.js';

let server: StaticServer;
let chromium: Chromium;

beforeAll(async () => {
  server = await serveDirectory('.');
  chromium = await launchChromium();
});

afterAll(async () => {
  await chromium?.close();
  await server?.close();
});

it('measures in a Web Worker: a good candidate, a runaway one killed at its limit, a wrong answer', async () => {
  const page = await chromium.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${server.url}/package.json`);
  // A string, so the test runner's transform leaves the page's dynamic import alone.
  const script = `(async () => {
    const lib = await import('${server.url}/dist/src/index.js');
    const task = lib.convTask('small', { h: 10, w: 10, c: 8, oc: 16, k: 3, pad: 1 });
    const space = lib.spaceFor(task);
    const good = space.point(space.defaultConfig);
    const hang = space.point({ ...space.defaultConfig, order: 1 });
    const wrong = space.point({ ...space.defaultConfig, order: 2 });
    const options = { repeat: 3, minRepeatMs: 2, timeoutMs: 1500 };
    const faults = [{ pointKey: hang.join(','), kind: 'hang' }, { pointKey: wrong.join(','), kind: 'wrong-answer' }];
    const codes = [];
    for (const fault of faults) {
      const measurer = new lib.WebWorkerMeasurer(space, { ...options, fault });
      const results = await measurer.measure(fault.kind === 'hang' ? [good, hang, wrong] : [wrong]);
      await measurer.close();
      codes.push(...results.map((r) => r.errorCode));
    }
    return codes;
  })()`;
  const codes = await page.evaluate(script);
  expect(errors).toEqual([]);
  // none, timeout, none (a fresh worker after the kill); then wrong answer
  expect(codes).toEqual([0, 3, 0, 2]);
});
