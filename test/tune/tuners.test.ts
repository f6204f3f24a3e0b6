import { describe, expect, it } from 'vitest';
import { getCore } from '../../src/core/load.js';
import { runTuning } from '../../src/tune/loop.js';
import type { TuningRecord } from '../../src/tune/records.js';
import { type Point, pointKey, spaceSize } from '../../src/base/search-space.js';
import { AutoTvmTuner } from '../../src/tune/tuners/autotvm.js';
import { GeneticTuner } from '../../src/tune/tuners/ga.js';
import { GridTuner } from '../../src/tune/tuners/grid.js';
import { RandomTuner } from '../../src/tune/tuners/random.js';
import { BowlMeasurer, bowlSpace, TARGET, transferFromBowl } from './synthetic-space.js';

const core = await getCore();

describe('every tuner finds the known optimum of a synthetic space', () => {
  it('grid and random: exhaustively, never measuring a point twice', async () => {
    const space = bowlSpace([5, 4, 6, 3, 4]);
    for (const make of [() => new GridTuner(space, 1), () => new RandomTuner(space, 1)]) {
      const measurer = new BowlMeasurer();
      const result = await runTuning({ workload: 'bowl', space, measurer, tuner: make(), trials: 10_000, batchSize: 64, seed: 1 });
      expect(result.trials).toBe(spaceSize(space));
      expect(new Set(measurer.measuredKeys).size).toBe(measurer.measuredKeys.length);
      expect(result.best?.point).toEqual([4, 2, 4, 1, 3]); // TARGET clipped into this smaller space
    }
  });

  it.each([
    ['ga', () => new GeneticTuner(bowlSpace(), 3)],
    ['autotvm', () => new AutoTvmTuner(core, bowlSpace(), 3)],
  ])('%s: within 448 of 9,600 points', async (_name, make) => {
    const measurer = new BowlMeasurer();
    const result = await runTuning({ workload: 'bowl', space: bowlSpace(), measurer, tuner: make(), trials: 448, batchSize: 64, seed: 3 });
    expect(result.best?.point).toEqual(TARGET);
    expect(result.best?.cost).toBe(1);
    expect(new Set(measurer.measuredKeys).size).toBe(measurer.measuredKeys.length);
  });

  it('autotvm beats random at equal budget', async () => {
    const space = bowlSpace([16, 16, 8, 8, 6]);
    const run = async (tuner: AutoTvmTuner | RandomTuner) => (await runTuning({ workload: 'bowl', space, measurer: new BowlMeasurer(), tuner, trials: 192, batchSize: 64, seed: 5 })).best!.cost;
    expect(await run(new AutoTvmTuner(core, space, 5))).toBeLessThan(await run(new RandomTuner(space, 5)));
  });
});

describe('transfer', () => {
  it('a cost model warm-started from a related workload picks the first batch itself: it holds the optimum, a random one does not', async () => {
    const space = bowlSpace();
    const firstBatch = async (tuner: AutoTvmTuner) => {
      const measurer = new BowlMeasurer();
      await runTuning({ workload: 'bowl', space, measurer, tuner, trials: 32, batchSize: 32, seed: 6 });
      return measurer.measuredKeys;
    };
    expect(await firstBatch(new AutoTvmTuner(core, space, 6, { transfer: transferFromBowl(space, 300, 11) }))).toContain(pointKey(TARGET));
    expect(await firstBatch(new AutoTvmTuner(core, space, 6))).not.toContain(pointKey(TARGET));
  });

  it('rejects samples whose feature count differs from the space\'s', () => {
    expect(() => new AutoTvmTuner(core, bowlSpace(), 1, { transfer: { features: [[0, 1]], targets: [1] } })).toThrow(/sample 0 has 2 features, this space's cost model takes 5/);
  });
});

describe('the loop', () => {
  it('stops early after a stretch without a new best', async () => {
    const space = bowlSpace([5, 4, 6, 3, 4]);
    const result = await runTuning({ workload: 'bowl', space, measurer: new BowlMeasurer(), tuner: new GridTuner(space, 1), trials: 1000, batchSize: 8, earlyStopping: 40, seed: 1 });
    expect(result.stoppedEarly).toBe(true);
    const lastBest = result.history.findIndex((h) => h.bestCost === result.best!.cost);
    expect(result.trials - (lastBest + 1)).toBeGreaterThanOrEqual(40);
    expect(result.trials - (lastBest + 1)).toBeLessThan(48);
  });

  it('times each trial by the end of its own measurement, not of its batch', async () => {
    const space = bowlSpace([5, 4, 6, 3, 4]);
    const slow = new BowlMeasurer();
    const measurer = {
      async measure(points: readonly Point[]) {
        const results = [];
        for (const point of points) {
          await new Promise((resolve) => setTimeout(resolve, 40));
          results.push({ ...(await slow.measure([point]))[0]!, timestamp: Date.now() });
        }
        return results;
      },
    };
    const result = await runTuning({ workload: 'bowl', space, measurer, tuner: new GridTuner(space, 1), trials: 4, batchSize: 4, seed: 1 });
    const seconds = result.history.map((h) => h.seconds);
    expect(seconds[3]! - seconds[0]!).toBeGreaterThan(0.1); // three 40 ms waits apart
    expect(seconds).toEqual([...seconds].sort((a, b) => a - b));
    expect(seconds[3]!).toBeLessThanOrEqual(result.seconds);
  });

  it('measures the initial points first and once, also when resumed', async () => {
    const space = bowlSpace();
    const start = [TARGET.map((t) => t - 1), [0, 0, 1, 0, 0]];
    const measurer = new BowlMeasurer();
    const records: TuningRecord[] = [];
    await runTuning({ workload: 'bowl', space, measurer, tuner: new RandomTuner(space, 2), trials: 10, batchSize: 4, seed: 2, initialPoints: start, onRecords: (r) => void records.push(...r) });
    expect(measurer.measuredKeys.slice(0, 2)).toEqual(start.map(pointKey));
    const again = new BowlMeasurer();
    await runTuning({ workload: 'bowl', space, measurer: again, tuner: new RandomTuner(space, 2), trials: 14, batchSize: 4, seed: 2, initialPoints: start, previous: records });
    expect(again.measuredKeys).toHaveLength(4);
    expect(again.measuredKeys).not.toContain(pointKey(start[0]!));
  });

  it('records failed measurements as data and never picks them as best', async () => {
    const space = bowlSpace([2, 2, 1, 1, 1]);
    const records: string[] = [];
    const result = await runTuning({ workload: 'bowl', space, measurer: new BowlMeasurer(), tuner: new GridTuner(space, 1), trials: 4, seed: 1, onRecords: (batch) => void records.push(...batch.map((r) => pointKey(r.config.point) + ':' + r.result.errorCode)) });
    expect(records).toContain('0,0,0,0,0:1');
    expect(result.best?.point).not.toEqual([0, 0, 0, 0, 0]);
  });
});
