// Runs under Deno: the Web Worker measurer times a good candidate, reports a wrong answer, and
// terminates a runaway candidate at its time limit, then measures the next in a fresh worker.
import { convTask, spaceFor, WebWorkerMeasurer } from '../../dist/src/index.js';

Deno.test('the Web Worker measurer kills a runaway candidate and reports a wrong answer', async () => {
  const task = convTask('small', { h: 10, w: 10, c: 8, oc: 16, k: 3, pad: 1 });
  const space = spaceFor(task);
  const good = space.point(space.defaultConfig);
  const hang = space.point({ ...space.defaultConfig, order: 1 });
  const wrong = space.point({ ...space.defaultConfig, order: 2 });
  const options = { repeat: 3, minRepeatMs: 2, timeoutMs: 1500 };
  const measurer = new WebWorkerMeasurer(space, { ...options, fault: { pointKey: hang.join(','), kind: 'hang' } });
  try {
    const [first, runaway, after] = await measurer.measure([good, hang, wrong]);
    if (first.errorCode !== 0 || first.costs.length !== 3) throw new Error(`good candidate: ${JSON.stringify(first)}`);
    if (runaway.errorCode !== 3) throw new Error(`runaway candidate: ${JSON.stringify(runaway)}`);
    if (after.errorCode !== 0) throw new Error(`candidate after the time-out: ${JSON.stringify(after)}`);
  } finally {
    await measurer.close();
  }
  const checker = new WebWorkerMeasurer(space, { ...options, fault: { pointKey: wrong.join(','), kind: 'wrong-answer' } });
  try {
    const [result] = await checker.measure([wrong]);
    if (result.errorCode !== 2) throw new Error(`wrong answer not caught: ${JSON.stringify(result)}`);
  } finally {
    await checker.close();
  }
});
