import { writeFile } from 'node:fs/promises';
import type { CommandParts } from './lazy.js';
import { getCore } from '../../src/core/load.js';
import { MODEL_SPEC_KINDS, modelSpecHelp, parseModelSpec } from '../../src/graph/model-spec.js';
import { loadModel } from '../../src/node/models.js';
import { skipLogged } from '../../src/compile/resume.js';
import { appendRecords, readRecords } from '../../src/node/records-file.js';
import { renderSvg } from '../../src/report/vega.js';
import { svgToPng } from '../../src/node/png.js';
import { CodesignProblem, DEFAULT_DRAM_BYTES_PER_CYCLE, defaultReference, type CodesignRun, hardwareOf, networkFromLayers, networkOf, type Network, runStrategy, STRATEGIES, type Strategy, tradeoffSpec, userBudgetTarget } from '../../src/codesign/index.js';
import { MappingModel } from '../../src/sim/mapping.js';
import { SCALESIM_NETWORKS, scalesimNetwork } from '../../src/sim/networks.js';
import { Simulator } from '../../src/sim/simulate.js';
import { budgetText } from '../../src/report/systolic.js';
import { formatNumber, message, report, table } from '../output.js';
import { progressBar } from '../progress.js';

interface CodesignArgs {
  model: string;
  'max-pes'?: number;
  'max-sram-kib'?: number;
  'max-area-mm2'?: number;
  'dram-bytes-per-cycle': number;
  'freq-mhz': number;
  strategy: Strategy;
  budget: number;
  log?: string;
  resume?: boolean;
  svg?: string;
  png?: string;
  seed: number;
  redis?: string;
  json?: boolean;
}

/** JSON has no Infinity: an absent cap is null. */
const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

async function loadNetwork(text: string): Promise<Network> {
  const spec = parseModelSpec(text);
  if (spec.kind === 'scalesim') return networkFromLayers(`scalesim:${spec.network}`, scalesimNetwork(spec.network).map((layer) => ({ layer })));
  return networkOf(await loadModel(spec));
}

export const codesignCommand: CommandParts<CodesignArgs> = {
  builder: (y) =>
    y
      .positional('model', { type: 'string', demandOption: true, describe: modelSpecHelp(MODEL_SPEC_KINDS, SCALESIM_NETWORKS) })
      .option('max-pes', { type: 'number', describe: 'budget: processing elements (rows × cols)' })
      .option('max-sram-kib', { type: 'number', describe: 'budget: KiB of SRAM over the ifmap, filter and ofmap buffers' })
      .option('max-area-mm2', { type: 'number', describe: 'budget: silicon for PEs and SRAM (318 µm² per PE, 5700 µm² per KiB), so PEs and SRAM trade. Caps not given are not caps; with none, the budget is the default 32×32 array\'s silicon (192 KiB): 1.42 mm²' })
      .option('dram-bytes-per-cycle', { type: 'number', default: DEFAULT_DRAM_BYTES_PER_CYCLE, describe: 'DRAM bandwidth of the accelerator (the same default as compile --target systolic)' })
      .option('freq-mhz', { type: 'number', default: 1000, describe: 'clock, for throughput' })
      .option('strategy', { choices: STRATEGIES, default: 'arco' as Strategy, describe: 'search strategy; exhaustive: the exact optimum over every accelerator in the budget (ignores --budget; seconds to minutes)' })
      .option('budget', { type: 'number', default: 2000, describe: 'simulator calls (one per accelerator × layer × mapping first evaluated)' })
      .option('log', { type: 'string', describe: 'append every evaluated configuration to this JSON-lines log' })
      .option('resume', { type: 'boolean', describe: 'continue an interrupted run of the same command: it is repeated deterministically and only the records --log lacks are appended' })
      .option('svg', { type: 'string', describe: 'write the trade-off plot (throughput against PEs and SRAM) here' })
      .option('png', { type: 'string', describe: 'write the trade-off plot as PNG here (twice the SVG\'s size)' })
      .option('seed', { type: 'number', default: 1 })
      .option('redis', { type: 'string', describe: 'exhaustive: split the search\'s accelerators over the workers (`mapwise worker`) of this Redis, redis://… or rediss://…; the same optimum' }) as never,
  handler: async (argv) => {
    if (!(argv.budget >= 1)) throw new RangeError(`--budget must be at least 1, got ${argv.budget}`);
    if (argv.resume && !argv.log) throw new Error('--resume needs --log FILE');
    if (argv.redis && argv.strategy !== 'exhaustive') throw new Error(`--redis splits the exhaustive search only; --strategy ${argv.strategy} runs here`);
    const network = await loadNetwork(argv.model);
    const core = await getCore();
    const { target, fromDefaultArray } = userBudgetTarget(
      { maxPEs: argv['max-pes'], maxSramKiB: argv['max-sram-kib'], maxAreaMm2: argv['max-area-mm2'] },
      { dramBytesPerCycle: argv['dram-bytes-per-cycle'], freqMHz: argv['freq-mhz'] },
    );
    const sim = new Simulator(core);
    const { evaluation: reference, withinBudget: defaultWithinBudget } = defaultReference(new MappingModel(sim), network, target);
    const problem = new CodesignProblem(new MappingModel(sim), network, target);
    const bar = progressBar(`${argv.strategy} on ${network.name}`, argv.budget, 'best {best}/s');
    let run: CodesignRun;
    try {
      const options = {
        budget: argv.budget,
        seed: argv.seed,
        onRecords: argv.log ? skipLogged(argv.resume ? readRecords(argv.log).records : [], (records) => appendRecords(argv.log!, records)) : undefined,
        onProgress: (calls: number, budget: number, best: number) => bar.update(Math.min(calls, budget), { best: formatNumber(best) }),
      };
      // BullMQ loads only for --redis runs.
      run = argv.redis ? await (await import('../../src/node/dist/codesign.js')).distributedExhaustive(argv.redis, problem, options) : await runStrategy(argv.strategy, core, problem, options);
    } finally {
      bar.stop();
      sim.free();
    }
    if (argv.log) message(`appended the evaluated configurations to ${argv.log}`);
    if (argv.svg || argv.png) {
      const svg = await renderSvg(tradeoffSpec(`${network.name}: ${argv.strategy}, ${run.simulatorCalls} simulator calls`, [run]));
      if (argv.svg) {
        await writeFile(argv.svg, svg);
        message(`wrote the trade-off plot to ${argv.svg}`);
      }
      if (argv.png) {
        await writeFile(argv.png, await svgToPng(svg));
        message(`wrote the trade-off plot as PNG to ${argv.png}`);
      }
    }
    const best = run.best;
    const result = {
      network: network.name,
      strategy: run.strategy,
      seed: run.seed,
      budget: {
        maxPEs: finiteOrNull(target.maxPEs), maxSramKiB: finiteOrNull(target.maxSramBytes / 1024), maxAreaMm2: finiteOrNull(target.maxAreaMm2), fromDefaultArray,
        dramBytesPerCycle: target.dramBytesPerCycle, freqMHz: target.freqMHz,
      },
      simulatorCalls: run.simulatorCalls,
      seconds: run.seconds,
      default: { hardware: target.defaultHardware, withinBudget: defaultWithinBudget, throughputPerSecond: reference.throughputPerSecond, latencyMs: reference.latencyMs, dramBytes: reference.dramBytes, energyUJ: reference.energyUJ },
      best: best && {
        hardware: hardwareOf(best.config.hardware),
        throughputPerSecond: best.evaluation.throughputPerSecond,
        speedupOverDefault: best.evaluation.throughputPerSecond / reference.throughputPerSecond,
        latencyMs: best.evaluation.latencyMs,
        dramBytes: best.evaluation.dramBytes,
        energyUJ: best.evaluation.energyUJ,
        layers: problem.describe(best.config).mappings.map((m, i) => {
          const r = best.evaluation.layers[i]!;
          return { ...m, cycles: r.totalCycles, utilization: r.utilization, dramBytes: r.dramReads.ifmap + r.dramReads.filter + r.dramReads.ofmap + r.dramWrites.ofmap };
        }),
      },
      stats: run.stats,
      history: run.history,
    };
    report(argv, result, (r) => {
      if (!r.best) return `no valid configuration found in ${r.simulatorCalls} simulator calls`;
      const h = r.best.hardware;
      return [
        `${r.network}: ${r.strategy}, ${r.simulatorCalls} simulator calls in ${formatNumber(r.seconds)} s`,
        `budget: ${budgetText(r.budget)}${r.budget.fromDefaultArray ? " (the default array's silicon; --max-pes, --max-sram-kib or --max-area-mm2 set caps instead)" : ''}; DRAM ${r.budget.dramBytesPerCycle} B/cycle at ${r.budget.freqMHz} MHz`,
        `best accelerator: ${h.rows}×${h.cols} ${h.dataflow.toUpperCase()}, SRAM ${h.ifmapSramKiB}/${h.filterSramKiB}/${h.ofmapSramKiB} KiB`,
        `throughput ${formatNumber(r.best.throughputPerSecond)}/s (${formatNumber(r.best.speedupOverDefault)}× SCALE-Sim's mapping on ${r.default.hardware.rows}×${r.default.hardware.cols}${r.default.withinBudget ? '' : ', which is outside this budget'}), ` +
          `latency ${formatNumber(r.best.latencyMs)} ms, DRAM ${formatNumber(r.best.dramBytes / 2 ** 20)} MiB, energy ${formatNumber(r.best.energyUJ)} µJ`,
        table(['layer', '×', 'splits M/N/K', 'order', 'double buffer', 'cycles', 'util %', 'DRAM KiB'], r.best.layers.map((l) => [
          l.layer, l.count, `${l.mapping.splitM}/${l.mapping.splitN}/${l.mapping.splitK}`, l.mapping.order, l.mapping.doubleBuffer ? 'on' : 'off', l.cycles, l.utilization, l.dramBytes / 1024,
        ])),
      ].join('\n');
    });
  },
};
