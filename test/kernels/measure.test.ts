// The real measurer: timings of a good candidate, and the failure paths on deliberately broken
// ones — a wrong answer (in-process and in the worker) and a runaway candidate killed at its
// time limit, after which the next candidate is measured by a fresh worker.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getCore } from '../../src/node/index.js';
import { WorkerMeasurer } from '../../src/node/measurer.js';
import { Fixture, InProcessMeasurer, measureSchedule } from '../../src/tune/measure.js';
import { Kernels } from '../../src/core/kernels.js';
import { ErrorCode } from '../../src/base/result.js';
import { pointKey } from '../../src/base/search-space.js';
import { convTask, spaceFor } from '../../src/tune/space/index.js';

const task = convTask('small', { h: 12, w: 12, c: 16, oc: 24, k: 3, pad: 1 });
const space = spaceFor(task);
const good = space.point(space.defaultConfig);
const other = space.point({ ...space.defaultConfig, order: 3 });
const options = { repeat: 3, minRepeatMs: 2, timeoutMs: 2_000 };
// The worker is compiled JavaScript: tests run after `npm run build`.
const workerUrl = new URL('../../dist/src/node/measure-worker.js', import.meta.url);

describe('real measurer', () => {
  it('times a correct candidate: repeat costs, median ≥ min, GFLOP/s from the task', async () => {
    const measurer = new InProcessMeasurer(await getCore(), space, options);
    const [result] = await measurer.measure([good]);
    measurer.dispose();
    expect(result!.errorCode).toBe(ErrorCode.none);
    expect(result!.costs).toHaveLength(3);
    expect(result!.medianSeconds).toBeGreaterThanOrEqual(result!.minSeconds);
    expect(result!.gflops).toBeCloseTo(task.flops / result!.medianSeconds / 1e9, 6);
    expect(result!.timestamp).toBeGreaterThan(Date.UTC(2024, 0));
  });

  it('times one cold run per repeat after flushing the caches, or enough warm runs to fill minRepeatMs without', async () => {
    const core = await getCore();
    const cold = new InProcessMeasurer(core, space, options);
    const warm = new InProcessMeasurer(core, space, { ...options, flushBytes: 0, minRepeatMs: 5 });
    const [flushed] = await cold.measure([good]);
    const [unflushed] = await warm.measure([good]);
    cold.dispose();
    warm.dispose();
    expect(flushed!.errorCode).toBe(ErrorCode.none);
    expect(flushed!.number).toBe(1);
    expect(flushed!.costs).toHaveLength(3);
    // A 12×12 layer takes microseconds: filling 5 ms takes many runs.
    expect(unflushed!.number).toBeGreaterThan(1);
    expect(() => new InProcessMeasurer(core, space, { flushBytes: -1 })).toThrow(/flushBytes must be a positive number/);
  });

  it('stops a candidate after its first repeat when that is slower than rejectFactor times the fastest median so far', async () => {
    const fixture = new Fixture(new Kernels(await getCore()), task, 1);
    const schedule = space.schedule(space.defaultConfig);
    try {
      const full = measureSchedule(fixture, schedule, options);
      expect(full.costs).toHaveLength(3);
      expect(fixture.fastestSeconds).toBe(full.medianSeconds);
      // As if a config a thousand times faster had been measured before: this one cannot be the best.
      const bar = full.minSeconds / 1000;
      fixture.fastestSeconds = bar;
      const cut = measureSchedule(fixture, schedule, options);
      expect(cut.errorCode).toBe(ErrorCode.none);
      expect(cut.costs).toHaveLength(1);
      expect(cut.medianSeconds).toBe(cut.costs[0]);
      expect(fixture.fastestSeconds, 'a cut measurement sets no bar').toBe(bar);
      expect(measureSchedule(fixture, schedule, { ...options, rejectFactor: 0 }).costs, 'rejectFactor 0 times every repeat').toHaveLength(3);
      expect(() => new InProcessMeasurer(fixture.kernels.core, space, { rejectFactor: -1 })).toThrow(/rejectFactor must be a positive number/);
    } finally {
      fixture.dispose();
    }
  });

  it('reports a wrong answer as an error code with no costs', async () => {
    const measurer = new InProcessMeasurer(await getCore(), space, { ...options, fault: { pointKey: pointKey(other), kind: 'wrong-answer' } });
    const [ok, wrong] = await measurer.measure([good, other]);
    measurer.dispose();
    expect(ok!.errorCode).toBe(ErrorCode.none);
    expect(wrong!.errorCode).toBe(ErrorCode.wrongAnswer);
    expect(wrong!.errorText).toMatch(/relative error/);
    expect(wrong!.costs).toHaveLength(0);
  });

  it('rejects unknown and non-positive options by name', async () => {
    const core = await getCore();
    expect(() => new InProcessMeasurer(core, space, { repeats: 3 } as never)).toThrow(/measure options: unknown option 'repeats'; expected one of: number, repeat/);
    expect(() => new InProcessMeasurer(core, space, { timeoutMs: 0 })).toThrow(/timeoutMs must be a positive number/);
    expect(() => new WorkerMeasurer(space, { flavour: 'simd', workerUrl, warmup: 0 })).not.toThrow();
  });

  it('reports points outside the space as invalid configs', async () => {
    const measurer = new InProcessMeasurer(await getCore(), space, options);
    const [bad] = await measurer.measure([good.map((v, i) => (i === 0 ? 999 : v))]);
    expect(bad!.errorCode).toBe(ErrorCode.invalidConfig);
  });

  it('kills a runaway candidate in the worker at its time limit and goes on with a fresh worker', async () => {
    expect(existsSync(workerUrl), 'build first: npm run build').toBe(true);
    const hang = space.point({ ...space.defaultConfig, order: 1 });
    const measurer = new WorkerMeasurer(space, { ...options, timeoutMs: 1_500, workerUrl, fault: { pointKey: pointKey(hang), kind: 'hang' } });
    try {
      const t0 = performance.now();
      const [first, runaway, after] = await measurer.measure([good, hang, other]);
      const elapsed = performance.now() - t0;
      expect(first!.errorCode).toBe(ErrorCode.none);
      expect(runaway!.errorCode).toBe(ErrorCode.timeout);
      expect(runaway!.errorText).toMatch(/killed after 1500 ms/);
      expect(after!.errorCode).toBe(ErrorCode.none);
      expect(after!.costs).toHaveLength(3);
      expect(elapsed).toBeGreaterThan(1_500);
    } finally {
      await measurer.close();
    }
  });

  it('reports a wrong answer from the worker', async () => {
    const measurer = new WorkerMeasurer(space, { ...options, workerUrl, fault: { pointKey: pointKey(good), kind: 'wrong-answer' } });
    try {
      const [wrong, ok] = await measurer.measure([good, other]);
      expect(wrong!.errorCode).toBe(ErrorCode.wrongAnswer);
      expect(ok!.errorCode).toBe(ErrorCode.none);
    } finally {
      await measurer.close();
    }
  });
});
