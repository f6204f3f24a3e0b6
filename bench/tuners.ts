// `npm run bench -- tuners`: every tuner on the conv layers of ResNet-18, VGG-16 and AlexNet
// with the same budget and seeds, on the real host kernels (measured in wasm on this machine)
// and on the simulated systolic accelerator (layer mappings judged by the simulator).
// For each tuner: the best cost, and the measurements and wall-clock seconds it needed to
// reach the AutoTVM-style baseline's final best, with the ratios (the baseline's own
// trials/seconds to that best over the tuner's); geometric means per target and tuner over
// the (layer, seed) runs where the tuner got there; and plots of best-so-far cost against
// measurements and against seconds.
//
// Two references keep the final-cost comparison honest:
// - `--optimum` (default on the simulated array, whose measurements cost microseconds): the
//   exhaustive optimum of each layer's space, so that `gapToOptimum` says how much any tuner
//   could still have gained, and `finalGainCeiling` the largest gain over AutoTVM possible.
//   `--long N` is the estimate where the space is too costly to enumerate (the host): one more
//   AutoTVM run per layer and seed with N trials (row tuner `autotvm@N`), whose best stands in
//   for the optimum (`reference: 'long-run'`), compared by confirmed costs when there are any.
// - `--confirm R` (default 5 on the host): a tuner's best is the minimum of noisy timings, so
//   the best configs of all tuners are re-measured in R interleaved rounds and compared by
//   the median (`confirmedCost`, `confirmedGainVsAutotvm`).
//
// A tuner named `NAME+transfer` (autotvm or chameleon) warm-starts its cost model from its
// own measurements of the layers before this one on the same target and seed, as
// `mapwise tune --all --transfer` does; the baseline `autotvm` never does.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getCore } from '../src/core/load.js';
import { loadModel } from '../src/node/models.js';
import { type TuningJob, workerTuningJobs } from '../src/node/tuning-jobs.js';
import { renderSvg } from '../src/report/vega.js';
import { lineChartSpec, type SeriesPoint } from '../src/report/plots.js';
import { type HistoryPoint, runTuning } from '../src/tune/loop.js';
import { resultCost } from '../src/base/result.js';
import { type Point, pointAt, spaceSize } from '../src/base/search-space.js';
import { createTuner, TUNER_NAMES, type TunerName } from '../src/tune/tuners/index.js';
import { TransferPool } from '../src/tune/transfer.js';
import type { Bench, Row } from './harness.js';

const NETWORKS = ['resnet18convs', 'vgg16convs', 'alexnetconvs'];
/** Largest space enumerated for `--optimum`. */
const OPTIMUM_MAX_POINTS = 200_000;

interface Run {
  layer: string;
  target: string;
  seed: number;
  tuner: string;
  bestCost: number;
  bestPoint: Point | undefined;
  trials: number;
  seconds: number;
  history: HistoryPoint[];
  confirmedCost?: number;
}

/** First point of a history whose best-so-far is at least as good as `target`. */
function reached(history: readonly HistoryPoint[], target: number): HistoryPoint | undefined {
  return history.find((h) => h.bestCost <= target);
}

const geomean = (values: number[]): number => Math.exp(values.reduce((s, v) => s + Math.log(v), 0) / values.length);
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!;

/** The lowest cost of the whole space, measured point by point in chunks. */
async function exhaustiveOptimum(job: TuningJob): Promise<number> {
  const size = spaceSize(job.space);
  if (size > OPTIMUM_MAX_POINTS) throw new Error(`--optimum: ${job.name}'s space has ${size} points, more than ${OPTIMUM_MAX_POINTS}`);
  let best = Number.POSITIVE_INFINITY;
  for (let start = 0; start < size; start += 4096) {
    const points = Array.from({ length: Math.min(4096, size - start) }, (_, i) => pointAt(job.space, start + i));
    for (const result of await job.measurer.measure(points)) best = Math.min(best, resultCost(result));
  }
  return best;
}

/** Re-measures the runs' best points in `rounds` interleaved rounds; sets each run's median. */
async function confirm(job: TuningJob, runs: Run[], rounds: number): Promise<void> {
  const withPoint = runs.filter((run) => run.bestPoint !== undefined);
  const costs = withPoint.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    const results = await job.measurer.measure(withPoint.map((run) => run.bestPoint!));
    results.forEach((result, i) => costs[i]!.push(resultCost(result)));
  }
  withPoint.forEach((run, i) => (run.confirmedCost = median(costs[i]!)));
}

export const tunersBench: Bench = {
  describe: 'random, grid, GA, AutoTVM-style and Chameleon on real host kernels and the simulated array, same budget and seeds',
  async run({ args, log }) {
    const trials = Number(args.trials ?? 128);
    const batchSize = Number(args.batchSize ?? 64);
    const seeds = String(args.seeds ?? args.seed ?? 1).split(',').map(Number);
    const perNetwork = Number(args.layersPerNetwork ?? Number.POSITIVE_INFINITY);
    const networks = String(args.networks ?? NETWORKS.join(',')).split(',');
    const tuners = String(args.tuners ?? TUNER_NAMES.join(',')).split(',');
    if (!tuners.includes('autotvm')) throw new Error('--tuners must include autotvm, the baseline the others are compared with');
    /** One run per layer and seed of each: `label` names its rows. */
    const tunerRuns = tuners.map((label) => {
      const [name, variant] = label.split('+');
      if (!TUNER_NAMES.includes(name as TunerName) || (variant !== undefined && variant !== 'transfer')) throw new Error(`--tuners: '${label}' is not one of ${TUNER_NAMES.join(', ')} (optionally +transfer)`);
      return { label, name: name as TunerName, transfer: variant === 'transfer', trials };
    });
    let longName: string | undefined;
    if (args.long !== undefined) {
      const longTrials = Number(args.long);
      if (!(Number.isInteger(longTrials) && longTrials > trials)) throw new Error(`--long: expected a trial count above --trials (${trials}), got ${String(args.long)}`);
      longName = `autotvm@${longTrials}`;
      tunerRuns.push({ label: longName, name: 'autotvm', transfer: false, trials: longTrials });
    }
    const plotDir = args.plots === undefined ? undefined : String(args.plots);
    const core = await getCore();

    const targets = String(args.target ?? 'host,systolic:eyeriss').split(',');
    const runs: Run[] = [];
    const optimum = new Map<string, number>();
    /** Samples measured so far per target, seed and tuner, for the `+transfer` tuners. */
    const transferPools = new Map<string, TransferPool>();
    for (const target of targets) {
      const host = target === 'host';
      const findOptimum = args.optimum === undefined ? !host : Boolean(args.optimum);
      const confirmRounds = Number(args.confirm ?? (host ? 5 : 0));
      for (const network of networks) {
        const jobs = workerTuningJobs(core, await loadModel(network), target).slice(0, perNetwork);
        for (const job of jobs) {
          try {
            if (findOptimum) optimum.set(`${target}|${job.name}`, await exhaustiveOptimum(job));
            for (const seed of seeds) {
              const ofSeed: Run[] = [];
              for (const { label: tuner, name, transfer, trials: budget } of tunerRuns) {
                log(`${target} ${job.name} seed ${seed} ${tuner}: ${budget} trials…`);
                const poolKey = `${target}|${seed}|${tuner}`;
                const pool = transferPools.get(poolKey) ?? new TransferPool();
                transferPools.set(poolKey, pool);
                const search = createTuner(name, job.space, seed, core, { transfer: transfer ? pool.samplesFor(job.space) : undefined });
                try {
                  const result = await runTuning({ workload: job.workload, space: job.space, measurer: job.measurer, tuner: search, trials: budget, batchSize, seed });
                  if (transfer) pool.add(search);
                  const bestCost = result.best?.cost ?? Number.POSITIVE_INFINITY;
                  ofSeed.push({ layer: job.name, target, seed, tuner, bestCost, bestPoint: result.best?.point, trials: result.trials, seconds: result.seconds, history: result.history });
                } finally {
                  search.dispose?.();
                  // Every tuner starts with a fresh measurer (a host worker's start-up is paid by each alike).
                  await job.close();
                }
              }
              if (confirmRounds > 0) await confirm(job, ofSeed, confirmRounds);
              runs.push(...ofSeed);
            }
          } finally {
            await job.close();
          }
        }
      }
    }

    const rows: Row[] = [];
    const perGroup = new Map<string, { time: number[]; trial: number[]; gain: number[]; confirmedGain: number[]; gap: number[]; ceiling: number[] }>();
    const groupOf = (key: string) => {
      let group = perGroup.get(key);
      if (!group) perGroup.set(key, (group = { time: [], trial: [], gain: [], confirmedGain: [], gap: [], ceiling: [] }));
      return group;
    };
    for (const key of [...new Set(runs.map((r) => `${r.target}|${r.layer}|${r.seed}`))]) {
      const [target, layer, seedText] = key.split('|') as [string, string, string];
      const ofLayer = runs.filter((r) => r.layer === layer && r.target === target && r.seed === Number(seedText));
      const baseline = ofLayer.find((r) => r.tuner === 'autotvm')!;
      const baselineReached = reached(baseline.history, baseline.bestCost)!;
      // The cost each run is held against: the exhaustive optimum, else the long run's best;
      // a run's own cost is its confirmed one when the reference's is (like with like).
      const longRun = longName === undefined ? undefined : ofLayer.find((r) => r.tuner === longName);
      const exhaustive = optimum.get(`${target}|${layer}`);
      const confirmed = exhaustive === undefined && longRun?.confirmedCost !== undefined;
      const costOf = (run: Run): number => (confirmed ? run.confirmedCost ?? run.bestCost : run.bestCost);
      const best = exhaustive ?? (longRun ? costOf(longRun) : undefined);
      const reference = exhaustive !== undefined ? 'exhaustive' : longRun ? 'long-run' : null;
      for (const run of ofLayer) {
        const hit = reached(run.history, baseline.bestCost);
        const timeSpeedup = hit ? baselineReached.seconds / hit.seconds : null;
        const trialSpeedup = hit ? baselineReached.trial / hit.trial : null;
        const finalGain = baseline.bestCost / run.bestCost - 1;
        const confirmedGain = run.confirmedCost !== undefined && baseline.confirmedCost !== undefined ? baseline.confirmedCost / run.confirmedCost - 1 : null;
        const gapToOptimum = best !== undefined ? costOf(run) / best - 1 : null;
        const group = groupOf(`${target}|${run.tuner}`);
        if (timeSpeedup !== null) group.time.push(timeSpeedup);
        if (trialSpeedup !== null) group.trial.push(trialSpeedup);
        group.gain.push(1 + finalGain);
        if (confirmedGain !== null) group.confirmedGain.push(1 + confirmedGain);
        if (gapToOptimum !== null) group.gap.push(1 + gapToOptimum);
        if (best !== undefined) group.ceiling.push(costOf(baseline) / best);
        rows.push({
          layer,
          target,
          seed: run.seed,
          tuner: run.tuner,
          bestCost: run.bestCost,
          trials: run.trials,
          seconds: run.seconds,
          trialsToBaselineBest: hit?.trial ?? null,
          secondsToBaselineBest: hit?.seconds ?? null,
          trialSpeedupVsAutotvm: trialSpeedup,
          timeSpeedupVsAutotvm: timeSpeedup,
          finalGainVsAutotvm: finalGain,
          confirmedCost: run.confirmedCost ?? null,
          confirmedGainVsAutotvm: confirmedGain,
          optimumCost: best ?? null,
          reference,
          gapToOptimum,
          finalGainCeiling: best !== undefined ? costOf(baseline) / best - 1 : null,
        });
      }
      if (plotDir) await writePlots(plotDir, `${target}-${layer}-seed${seedText}`, ofLayer);
    }
    const meanOrNull = (values: number[], shift = 0): number | null => (values.length > 0 ? geomean(values) - shift : null);
    for (const [key, group] of perGroup) {
      const [target, tuner] = key.split('|') as [string, string];
      rows.push({
        layer: 'geomean',
        target,
        seed: seeds.join(','),
        tuner,
        bestCost: null,
        trials: null,
        seconds: null,
        trialsToBaselineBest: `${group.time.length}/${group.gain.length} reached`,
        secondsToBaselineBest: null,
        trialSpeedupVsAutotvm: meanOrNull(group.trial),
        timeSpeedupVsAutotvm: meanOrNull(group.time),
        finalGainVsAutotvm: meanOrNull(group.gain, 1),
        confirmedCost: null,
        confirmedGainVsAutotvm: meanOrNull(group.confirmedGain, 1),
        optimumCost: null,
        reference: null,
        gapToOptimum: meanOrNull(group.gap, 1),
        finalGainCeiling: meanOrNull(group.ceiling, 1),
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
