// `npm run bench -- tuners`: every tuner on the conv layers of ResNet-18, VGG-16 and AlexNet
// with the same budget and seed, measured for real on this machine (host kernels in wasm).
// For each tuner: the best cost, and the measurements and wall-clock seconds it needed to
// reach the AutoTVM-style baseline's final best, with the ratios; geometric means per
// tuner; and plots of best-so-far cost against measurements and against seconds.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getCore } from '../src/core/load.js';
import { loadModel } from '../src/node/models.js';
import { WorkerMeasurer } from '../src/node/measurer.js';
import { renderSvg } from '../src/report/vega.js';
import { lineChartSpec, type SeriesPoint } from '../src/report/plots.js';
import { modelTasks } from '../src/tune/graph-tasks.js';
import { type HistoryPoint, tune } from '../src/tune/loop.js';
import { spaceFor } from '../src/tune/space/space.js';
import { taskKey } from '../src/tune/space/task.js';
import { createTuner, TUNER_NAMES, type TunerName } from '../src/tune/tuners/index.js';
import type { Bench, Row } from './harness.js';

const NETWORKS = ['resnet18convs', 'vgg16convs', 'alexnetconvs'];

interface Run {
  layer: string;
  tuner: TunerName;
  bestCost: number;
  trials: number;
  seconds: number;
  history: HistoryPoint[];
}

/** First point of a history whose best-so-far is at least as good as `target`. */
function reached(history: readonly HistoryPoint[], target: number): HistoryPoint | undefined {
  return history.find((h) => h.bestCost <= target);
}

const geomean = (values: number[]): number => Math.exp(values.reduce((s, v) => s + Math.log(v), 0) / values.length);

export const tunersBench: Bench = {
  describe: 'random, grid, GA, AutoTVM-style and Chameleon on real host kernels, same budget and seed',
  async run({ args, log }) {
    const trials = Number(args.trials ?? 128);
    const batchSize = Number(args.batchSize ?? 64);
    const seed = Number(args.seed ?? 1);
    const perNetwork = Number(args.layersPerNetwork ?? Number.POSITIVE_INFINITY);
    const networks = String(args.networks ?? NETWORKS.join(',')).split(',');
    const tuners = String(args.tuners ?? TUNER_NAMES.join(',')).split(',') as TunerName[];
    if (!tuners.includes('autotvm')) throw new Error('--tuners must include autotvm, the baseline the others are compared with');
    const plotDir = args.plots === undefined ? undefined : String(args.plots);
    const core = await getCore();

    const runs: Run[] = [];
    for (const network of networks) {
      const tasks = modelTasks(await loadModel(network)).slice(0, perNetwork);
      for (const { task } of tasks) {
        for (const tuner of tuners) {
          log(`${task.name} ${tuner}: ${trials} trials…`);
          const space = spaceFor(task);
          const measurer = new WorkerMeasurer(space);
          try {
            const result = await tune({ workload: `${taskKey(task)}@host`, space, measurer, tuner: createTuner(tuner, space, seed, core), trials, batchSize, seed });
            runs.push({ layer: task.name, tuner, bestCost: result.best?.cost ?? Number.POSITIVE_INFINITY, trials: result.trials, seconds: result.seconds, history: result.history });
          } finally {
            await measurer.close();
          }
        }
      }
    }

    const rows: Row[] = [];
    const speedups = new Map<TunerName, number[]>();
    const gains = new Map<TunerName, number[]>();
    for (const layer of [...new Set(runs.map((r) => r.layer))]) {
      const ofLayer = runs.filter((r) => r.layer === layer);
      const baseline = ofLayer.find((r) => r.tuner === 'autotvm')!;
      const baselineReached = reached(baseline.history, baseline.bestCost)!;
      for (const run of ofLayer) {
        const hit = reached(run.history, baseline.bestCost);
        const timeSpeedup = hit ? baselineReached.seconds / hit.seconds : null;
        const finalGain = baseline.bestCost / run.bestCost - 1;
        if (timeSpeedup !== null) speedups.set(run.tuner, [...(speedups.get(run.tuner) ?? []), timeSpeedup]);
        gains.set(run.tuner, [...(gains.get(run.tuner) ?? []), 1 + finalGain]);
        rows.push({
          layer,
          target: 'host',
          tuner: run.tuner,
          bestCost: run.bestCost,
          trials: run.trials,
          seconds: run.seconds,
          trialsToBaselineBest: hit?.trial ?? null,
          secondsToBaselineBest: hit?.seconds ?? null,
          timeSpeedupVsAutotvm: timeSpeedup,
          finalGainVsAutotvm: finalGain,
        });
      }
      if (plotDir) await writePlots(plotDir, layer, ofLayer);
    }
    for (const tuner of tuners) {
      const s = speedups.get(tuner) ?? [];
      const g = gains.get(tuner) ?? [];
      rows.push({
        layer: 'geomean',
        target: 'host',
        tuner,
        bestCost: null,
        trials: null,
        seconds: null,
        trialsToBaselineBest: `${s.length}/${g.length} reached`,
        secondsToBaselineBest: null,
        timeSpeedupVsAutotvm: s.length > 0 ? geomean(s) : null,
        finalGainVsAutotvm: g.length > 0 ? geomean(g) - 1 : null,
      });
    }
    return rows;
  },
};

async function writePlots(dir: string, layer: string, runs: readonly Run[]): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const points = (x: (h: HistoryPoint) => number): SeriesPoint[] =>
    runs.flatMap((run) => run.history.filter((h) => Number.isFinite(h.bestCost)).map((h) => ({ series: run.tuner, x: x(h), y: h.bestCost * 1000 })));
  const name = layer.replace(/[^\w.-]/g, '_');
  writeFileSync(join(dir, `${name}-trials.svg`), await renderSvg(lineChartSpec({ title: `${layer}: best so far`, xTitle: 'measurements', yTitle: 'best run time (ms)', points: points((h) => h.trial) })));
  writeFileSync(join(dir, `${name}-seconds.svg`), await renderSvg(lineChartSpec({ title: `${layer}: best so far`, xTitle: 'tuning time (s)', yTitle: 'best run time (ms)', points: points((h) => h.seconds) })));
}
