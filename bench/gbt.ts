// `npm run bench -- gbt [--samples 128,1000,3000] [--predict-rows 128]`: the gradient-boosted
// trees cost model fitted and queried in the wasm core against the plain TypeScript reference
// (src/tune/cost-model/gbt-reference.ts), in one process on the same data: the mapping features of random
// ResNet-18 layer mappings on the Eyeriss-like systolic array, each target the layer's best
// cycles / cycles (how the tuners' transfer pool feeds the model).
import { getCore } from '../src/core/load.js';
import { Random } from '../src/helpers/random.js';
import { loadModel } from '../src/node/models.js';
import { workerTuningJobs } from '../src/node/tuning-jobs.js';
import { GBT_DEFAULTS, GradientBoostedTrees } from '../src/tune/cost-model/gbt.js';
import { resultCost } from '../src/base/result.js';
import { pointFeatures, pointKey, randomPoint } from '../src/base/search-space.js';
import { ReferenceGbt } from '../src/tune/cost-model/gbt-reference.js';
import { type Bench, type Row, time } from './harness.js';

async function mappingSamples(count: number, seed: number): Promise<{ features: number[][]; targets: number[] }> {
  const core = await getCore();
  const jobs = workerTuningJobs(core, await loadModel('resnet18'), 'systolic:eyeriss');
  const random = new Random(seed);
  const features: number[][] = [];
  const targets: number[] = [];
  const perJob = Math.ceil(count / jobs.length);
  for (const job of jobs) {
    const seen = new Set<string>();
    const points = [];
    for (let tries = 0; points.length < perJob && tries < 20 * perJob; tries++) {
      const point = randomPoint(job.space, random);
      if (!seen.has(pointKey(point))) {
        seen.add(pointKey(point));
        points.push(point);
      }
    }
    const costs = (await job.measurer.measure(points)).map(resultCost);
    const best = Math.min(...costs);
    points.forEach((point, i) => {
      features.push(pointFeatures(job.space, point));
      targets.push(Number.isFinite(costs[i]!) ? best / costs[i]! : 0);
    });
    await job.close();
  }
  // Interleave the layers, so the first n samples come from every layer.
  const order = random.shuffle(Array.from({ length: features.length }, (_, i) => i)).slice(0, count);
  return { features: order.map((i) => features[i]!), targets: order.map((i) => targets[i]!) };
}

export const gbtBench: Bench = {
  describe: 'gradient-boosted trees cost model: fit and batch prediction in the wasm core against the TypeScript reference',
  async run({ args, log }) {
    const sizes = String(args.samples ?? '128,1000,3000').split(',').map(Number);
    const predictRows = Number(args.predictRows ?? 128);
    const core = await getCore();
    const data = await mappingSamples(Math.max(...sizes) + predictRows, 1);
    const queries = data.features.slice(-predictRows);
    const rows: Row[] = [];
    for (const n of sizes) {
      const features = data.features.slice(0, n);
      const targets = data.targets.slice(0, n);
      log(`gbt: ${n} samples × ${features[0]!.length} features…`);
      const reference = new ReferenceGbt(GBT_DEFAULTS);
      const model = new GradientBoostedTrees(core, GBT_DEFAULTS);
      const fitReference = time(() => reference.fit(features, targets), { minRuns: 3, minSeconds: 0.5 });
      const fitWasm = time(() => model.fit(features, targets), { minRuns: 3, minSeconds: 0.5 });
      const expected = queries.map((row) => reference.predict(row));
      const predictReference = time(() => queries.forEach((row) => reference.predict(row)), { minRuns: 5, minSeconds: 0.25 });
      const predictWasm = time(() => model.predictMany(queries), { minRuns: 5, minSeconds: 0.25 });
      const got = model.predictMany(queries);
      rows.push({
        samples: n,
        features: features[0]!.length,
        rounds: GBT_DEFAULTS.rounds,
        fitReferenceMs: fitReference.medianSeconds * 1e3,
        fitWasmMs: fitWasm.medianSeconds * 1e3,
        fitSpeedup: fitReference.medianSeconds / fitWasm.medianSeconds,
        predictRows,
        predictReferenceUs: predictReference.medianSeconds * 1e6,
        predictWasmUs: predictWasm.medianSeconds * 1e6,
        predictSpeedup: predictReference.medianSeconds / predictWasm.medianSeconds,
        identical: expected.every((p, i) => Object.is(p, got[i])),
      });
    }
    return rows;
  },
};
