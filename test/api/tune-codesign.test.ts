import { expect, it } from 'vitest';
import { codesignTarget, hardwareAreaMm2 } from '../../src/codesign/problem.js';
import { tune } from '../../src/node/index.js';
import { OptionsError } from '../../src/base/options.js';

it('tunes layer mappings on the simulated array from the library, resumable from its records', async () => {
  const first = await tune('alexnetconvs', { target: 'systolic:eyeriss', layer: 1, tuner: 'ga', trials: 40, seed: 3 });
  expect(first.layers).toHaveLength(1);
  const [layer] = first.layers;
  expect(layer!.bestCost).toBeLessThanOrEqual(layer!.defaultCost!); // the default mapping is measured first
  expect(first.records).toHaveLength(40);
  const resumed = await tune('alexnetconvs', { target: 'systolic:eyeriss', layer: 1, tuner: 'ga', trials: 56, seed: 3, previous: first.records });
  expect(resumed.records).toHaveLength(16); // only the new trials
  expect(resumed.layers[0]!.bestCost).toBeLessThanOrEqual(layer!.bestCost!);
});

it('tunes a host kernel for real in this thread', async () => {
  const report = await tune('resnet18convs', { target: 'host', layer: 2, tuner: 'random', trials: 4, batchSize: 2 });
  expect(report.layers[0]!.unit).toBe('GFLOP/s');
  expect(report.layers[0]!.bestFigure).toBeGreaterThan(0);
});

it('rejects unknown options and bad values by name', async () => {
  await expect(tune('alexnetconvs', { trails: 5 } as never)).rejects.toThrow(OptionsError);
  await expect(tune('alexnetconvs', { trails: 5 } as never)).rejects.toThrow(/trails/);
  await expect(tune('alexnetconvs', { tuner: 'magic' as never })).rejects.toThrow(/tuner/);
  await expect(tune('alexnetconvs', { layer: 9 })).rejects.toThrow(/layer must be below 5/);
});

it('codesign: an accelerator within the budget, never worse than SCALE-Sim\'s mapping on the default array', async () => {
  const { codesign } = await import('../../src/node/index.js');
  const report = await codesign('alexnetconvs', { maxPEs: 1024, maxSramKiB: 192, strategy: 'ga', budget: 150, seed: 2 });
  expect(report.model).toBe('alexnetconvs');
  expect(report.best.hardware.rows * report.best.hardware.cols).toBeLessThanOrEqual(1024);
  const h = report.best.hardware;
  expect(h.ifmapSramKiB + h.filterSramKiB + h.ofmapSramKiB).toBeLessThanOrEqual(192);
  expect(report.best.speedupOverReference).toBeGreaterThanOrEqual(1);
  expect(report.simulatorCalls).toBeGreaterThan(0);
  await expect(codesign('alexnetconvs', { maxPes: 4 } as never)).rejects.toThrow(/unknown option 'maxPes'/);
}, 120_000);

it('codesign with an area budget: PEs and SRAM uncapped, the chosen array within the area', async () => {
  const { codesign } = await import('../../src/node/index.js');
  const report = await codesign('alexnetconvs', { maxAreaMm2: 1.42, strategy: 'ga', budget: 150, seed: 2 });
  expect(report.budget).toMatchObject({ maxPEs: null, maxSramKiB: null, maxAreaMm2: 1.42 });
  expect(hardwareAreaMm2(report.best.hardware, codesignTarget().energy)).toBeLessThanOrEqual(1.42 * (1 + 1e-12));
  await expect(codesign('alexnetconvs', { maxAreaMm2: 0 })).rejects.toThrow(/maxAreaMm2/);
}, 120_000);

it('codesign with a budget that excludes the default array: the search\'s accelerator is kept, the default array stays the yardstick', async () => {
  const { codesign } = await import('../../src/node/index.js');
  const report = await codesign('alexnetconvs', { maxPEs: 64, maxSramKiB: 24, strategy: 'ga', budget: 100, seed: 2 });
  expect(report.reference.withinBudget).toBe(false);
  expect(report.reference.throughputPerSecond).toBeGreaterThan(0);
  expect(report.kept).toBe('search');
  expect(report.best.hardware.rows * report.best.hardware.cols).toBeLessThanOrEqual(64);
  expect(report.best.speedupOverReference).toBeCloseTo(report.best.throughputPerSecond / report.reference.throughputPerSecond, 9);
}, 120_000);
