// `npm run bench -- codesign [--networks resnet18,mobilenetv2] [--strategies arco,ga,random,autotvm,chameleon]
//                            [--seeds 1,2] [--budget-per-layer 100 | --budget N] [--ablation] [--area-budget] [--ceiling] [--svg-dir DIR]`
// Hardware/software co-design on the systolic simulator: every strategy with the same simulator-call
// budget (by default 100 simulator calls per distinct layer of the network) and seeds; best throughput, simulator calls and seconds; the ratios against the best
// software-only baseline (AutoTVM-style or Chameleon at the default accelerator) and the GA.
// `--ablation` also runs ARCO without confidence sampling for as many batches as ARCO ran (no
// call budget), to show what confidence sampling saves. `--area-budget` replaces the PE and SRAM
// caps by the default accelerator's silicon area (areaBudgetTarget), so PEs and SRAM trade; the
// software-only baselines still run on the default accelerator. `--ceiling` adds, per network, the
// exact optimum over every accelerator within the budget (codesignCeiling: a row 'exhaustive' whose
// throughputVsDefaultOptimum is the most any strategy can gain over the default accelerator) and
// every row's share of it (throughputVsCeiling). Networks: zoo names (add grid
// with --strategies …,grid: the slow reference).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getCore } from '../src/node/index.js';
import { zooModel } from '../src/graph/zoo/index.js';
import { arcoSearch, areaBudgetTarget, type Ceiling, codesignCeiling, CodesignProblem, codesignTarget, type CodesignRun, hardwareOf, networkOf, runStrategy, type Strategy, timeToReach, tradeoffOf, tradeoffSpec } from '../src/codesign/index.js';
import { renderSvg } from '../src/report/vega.js';
import { MappingModel } from '../src/sim/mapping.js';
import { Simulator } from '../src/sim/simulate.js';
import type { Bench, Row } from './harness.js';

const list = (value: unknown, fallback: string): string[] => String(value ?? fallback).split(',').map((s) => s.trim()).filter(Boolean);

export const codesignBench: Bench = {
  describe: 'co-design on the systolic simulator: ARCO against software-only tuning, random, GA (and grid) at equal simulator calls',
  async run({ args, log }) {
    const networks = list(args.networks, 'resnet18,mobilenetv2');
    const strategies = list(args.strategies, 'autotvm,chameleon,arco,ga,random') as Strategy[];
    const seeds = list(args.seeds, '1').map(Number);
    const perLayer = Number(args.budgetPerLayer ?? 100);
    const svgDir = args.svgDir === undefined ? undefined : String(args.svgDir);
    const core = await getCore();
    const sim = new Simulator(core);
    const target = args.areaBudget ? areaBudgetTarget() : codesignTarget();
    const rows: Row[] = [];
    for (const name of networks) {
      const network = networkOf(zooModel(name));
      const budget = args.budget === undefined ? perLayer * network.layers.length : Number(args.budget);
      const runsOfNetwork: CodesignRun[] = [];
      let ceiling: Ceiling | undefined;
      if (args.ceiling) {
        ceiling = codesignCeiling(new CodesignProblem(new MappingModel(sim), network, target));
        const throughput = ceiling.best.evaluation.throughputPerSecond;
        const atDefault = ceiling.defaultOptimum.evaluation.throughputPerSecond;
        log(`${name} exhaustive: ${throughput.toFixed(1)}/s, ${(throughput / atDefault).toFixed(3)}× the default accelerator's optimum ${atDefault.toFixed(1)}/s (${ceiling.hardwarePoints} accelerators, ${ceiling.seconds.toFixed(1)} s)`);
        rows.push({
          network: name, strategy: 'exhaustive', seed: null, budget: null, throughputPerSecond: throughput, latencyMs: ceiling.best.evaluation.latencyMs,
          dramMiB: ceiling.best.evaluation.dramBytes / 2 ** 20, energyUJ: ceiling.best.evaluation.energyUJ, simulatorCalls: ceiling.evaluations, seconds: ceiling.seconds,
          defaultOptimumPerSecond: atDefault, throughputVsDefaultOptimum: throughput / atDefault, hardware: hardwareOf(ceiling.best.config.hardware),
        });
      }
      for (const seed of seeds) {
        const runs = new Map<string, CodesignRun>();
        for (const strategy of strategies) {
          const problem = new CodesignProblem(new MappingModel(sim), network, target);
          const run = await runStrategy(strategy, core, problem, { budget, seed });
          runs.set(strategy, run);
          runsOfNetwork.push(run);
          log(`${name} seed ${seed} ${strategy}: ${(run.best?.evaluation.throughputPerSecond ?? 0).toFixed(1)}/s, ${run.simulatorCalls} calls, ${run.seconds.toFixed(1)} s`);
        }
        if (args.ablation && runs.has('arco')) {
          const problem = new CodesignProblem(new MappingModel(sim), network, target);
          const batches = runs.get('arco')!.stats.batches!;
          const run = await arcoSearch(core, problem, { budget: Number.POSITIVE_INFINITY, seed }, { confidenceSampling: false, maxBatches: batches });
          run.strategy = 'arco-no-cs';
          runs.set('arco-no-cs', run);
          log(`${name} seed ${seed} arco-no-cs (${batches} batches): ${(run.best?.evaluation.throughputPerSecond ?? 0).toFixed(1)}/s, ${run.simulatorCalls} calls, ${run.seconds.toFixed(1)} s`);
        }
        const software = ['autotvm', 'chameleon'].map((s) => runs.get(s)).filter((r): r is CodesignRun => r !== undefined);
        const bestSoftware = software.reduce<CodesignRun | undefined>((b, r) => ((r.best?.evaluation.throughputPerSecond ?? 0) > (b?.best?.evaluation.throughputPerSecond ?? 0) ? r : b), undefined);
        const softwareThroughput = bestSoftware?.best?.evaluation.throughputPerSecond;
        const softwareReach = bestSoftware ? timeToReach(bestSoftware, softwareThroughput!) : undefined;
        const ga = runs.get('ga')?.best?.evaluation.throughputPerSecond;
        for (const [strategy, run] of runs) {
          const throughput = run.best?.evaluation.throughputPerSecond ?? 0;
          const reach = softwareThroughput === undefined ? undefined : timeToReach(run, softwareThroughput);
          rows.push({
            network: name,
            strategy,
            seed,
            budget,
            throughputPerSecond: throughput,
            latencyMs: run.best?.evaluation.latencyMs ?? null,
            dramMiB: run.best ? run.best.evaluation.dramBytes / 2 ** 20 : null,
            energyUJ: run.best?.evaluation.energyUJ ?? null,
            simulatorCalls: run.simulatorCalls,
            seconds: run.seconds,
            throughputVsBestSoftwareOnly: softwareThroughput ? throughput / softwareThroughput : null,
            // Wall clock and simulator calls to first reach the best software-only throughput,
            // against what the best software-only run itself needed to reach it.
            timeVsBestSoftwareOnly: reach && softwareReach ? reach.seconds / softwareReach.seconds : null,
            callsVsBestSoftwareOnly: reach && softwareReach ? reach.calls / softwareReach.calls : null,
            callsToBestSoftwareOnly: reach?.calls ?? null,
            throughputVsGa: ga ? throughput / ga : null,
            ...(ceiling ? { throughputVsCeiling: throughput / ceiling.best.evaluation.throughputPerSecond } : {}),
            hardware: run.best ? hardwareOf(run.best.config.hardware) : null,
          });
        }
      }
      if (svgDir) {
        mkdirSync(svgDir, { recursive: true });
        writeFileSync(join(svgDir, `codesign-${name}.svg`), await renderSvg(tradeoffSpec(`${name}: accelerators evaluated (budget ${budget} simulator calls)`, runsOfNetwork.map(tradeoffOf))));
        log(`wrote ${join(svgDir, `codesign-${name}.svg`)}`);
      }
    }
    sim.free();
    return rows;
  },
};
