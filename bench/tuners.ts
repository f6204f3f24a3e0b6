// `npm run bench -- tuners`: every tuner on the conv layers of ResNet-18, VGG-16 and AlexNet
// with the same budget and seed, on the real host kernels (measured in wasm on this machine)
// and on the simulated systolic accelerator (layer mappings judged by the simulator).
// For each tuner: the best cost, and the measurements and wall-clock seconds it needed to
// reach the AutoTVM-style baseline's final best, with the ratios (the baseline's own
// trials/seconds to that best over the tuner's); geometric means per target and tuner over
// the layers where the tuner got there; and plots of best-so-far cost against measurements
// and against seconds.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getCore } from '../src/core/load.js';
import { loadModel } from '../src/node/models.js';
import { tuningJobs } from '../src/node/tuning-jobs.js';
import { renderSvg } from '../src/report/vega.js';
import { lineChartSpec, type SeriesPoint } from '../src/report/plots.js';
import { type HistoryPoint, tune } from '../src/tune/loop.js';
import { createTuner, TUNER_NAMES, type TunerName } from '../src/tune/tuners/index.js';
import type { Bench, Row } from './harness.js';

const NETWORKS = ['resnet18convs', 'vgg16convs', 'alexnetconvs'];

interface Run {
  layer: string;
  target: string;
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
  describe: 'random, grid, GA, AutoTVM-style and Chameleon on real host kernels and the simulated array, same budget and seed',
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

    const targets = String(args.target ?? 'host,systolic:eyeriss').split(',');
    const runs: Run[] = [];
    for (const target of targets) {
      for (const network of networks) {
        const jobs = tuningJobs(core, await loadModel(network), target).slice(0, perNetwork);
        for (const job of jobs) {
          for (const tuner of tuners) {
            log(`${target} ${job.name} ${tuner}: ${trials} trials…`);
            const search = createTuner(tuner, job.space, seed, core);
            try {
              const result = await tune({ workload: job.workload, space: job.space, measurer: job.measurer, tuner: search, trials, batchSize, seed });
              runs.push({ layer: job.name, target, tuner, bestCost: result.best?.cost ?? Number.POSITIVE_INFINITY, trials: result.trials, seconds: result.seconds, history: result.history });
            } finally {
              search.dispose?.();
              await job.close();
            }
          }
        }
      }
    }

    const rows: Row[] = [];
    const speedups = new Map<string, number[]>();
    const trialSpeedups = new Map<string, number[]>();
    const gains = new Map<string, number[]>();
    for (const key of [...new Set(runs.map((r) => `${r.target}|${r.layer}`))]) {
      const [target, layer] = key.split('|') as [string, string];
      const ofLayer = runs.filter((r) => r.layer === layer && r.target === target);
      const baseline = ofLayer.find((r) => r.tuner === 'autotvm')!;
      const baselineReached = reached(baseline.history, baseline.bestCost)!;
      for (const run of ofLayer) {
        const hit = reached(run.history, baseline.bestCost);
        const timeSpeedup = hit ? baselineReached.seconds / hit.seconds : null;
        const trialSpeedup = hit ? baselineReached.trial / hit.trial : null;
        const finalGain = baseline.bestCost / run.bestCost - 1;
        const group = `${target}|${run.tuner}`;
        if (timeSpeedup !== null) speedups.set(group, [...(speedups.get(group) ?? []), timeSpeedup]);
        gains.set(group, [...(gains.get(group) ?? []), 1 + finalGain]);
        rows.push({
          layer,
          target,
          tuner: run.tuner,
          bestCost: run.bestCost,
          trials: run.trials,
          seconds: run.seconds,
          trialsToBaselineBest: hit?.trial ?? null,
          secondsToBaselineBest: hit?.seconds ?? null,
          trialSpeedupVsAutotvm: trialSpeedup,
          timeSpeedupVsAutotvm: timeSpeedup,
          finalGainVsAutotvm: finalGain,
        });
        if (trialSpeedup !== null) trialSpeedups.set(group, [...(trialSpeedups.get(group) ?? []), trialSpeedup]);
      }
      if (plotDir) await writePlots(plotDir, `${target}-${layer}`, ofLayer);
    }
    for (const group of gains.keys()) {
      const [target, tuner] = group.split('|') as [string, string];
      const s = speedups.get(group) ?? [];
      const g = gains.get(group)!;
      rows.push({
        layer: 'geomean',
        target,
        tuner,
        bestCost: null,
        trials: null,
        seconds: null,
        trialsToBaselineBest: `${s.length}/${g.length} reached`,
        secondsToBaselineBest: null,
        trialSpeedupVsAutotvm: (trialSpeedups.get(group) ?? []).length > 0 ? geomean(trialSpeedups.get(group)!) : null,
        timeSpeedupVsAutotvm: s.length > 0 ? geomean(s) : null,
        finalGainVsAutotvm: g.length > 0 ? geomean(g) - 1 : null,
      });
    }
    return rows;
  },
};

async function writePlots(dir: string, layer: string, runs: readonly Run[]): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const host = runs[0]!.target === 'host';
  const scale = host ? 1000 : 1; // ms or cycles
  const yTitle = host ? 'best run time (ms)' : 'best cycles';
  const points = (x: (h: HistoryPoint) => number): SeriesPoint[] =>
    runs.flatMap((run) => run.history.filter((h) => Number.isFinite(h.bestCost)).map((h) => ({ series: run.tuner, x: x(h), y: h.bestCost * scale })));
  const name = layer.replace(/[^\w.-]/g, '_');
  writeFileSync(join(dir, `${name}-trials.svg`), await renderSvg(lineChartSpec({ title: `${layer}: best so far`, xTitle: 'measurements', yTitle, points: points((h) => h.trial) })));
  writeFileSync(join(dir, `${name}-seconds.svg`), await renderSvg(lineChartSpec({ title: `${layer}: best so far`, xTitle: 'tuning time (s)', yTitle, points: points((h) => h.seconds) })));
}
