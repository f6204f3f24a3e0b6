import { writeFile } from 'node:fs/promises';
import type { CommandParts } from './lazy.js';
import { codesign, type CodesignReport } from '../../src/api/codesign.js';
import { DEFAULT_CODESIGN_BUDGET, DEFAULT_DRAM_BYTES_PER_CYCLE, STRATEGIES, type Strategy, tradeoffSpec } from '../../src/codesign/index.js';
import { MODEL_SPEC_KINDS, modelSpecHelp, parseModelSpec } from '../../src/graph/model-spec.js';
import { loadModel } from '../../src/node/models.js';
import { svgToPng } from '../../src/node/png.js';
import { appendRecords, readRecords } from '../../src/node/records-file.js';
import { budgetText } from '../../src/report/systolic.js';
import { renderSvg } from '../../src/report/vega.js';
import { SCALESIM_NETWORKS } from '../../src/sim/networks.js';
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

export const codesignCommand: CommandParts<CodesignArgs> = {
  builder: (y) =>
    y
      .positional('model', { type: 'string', demandOption: true, describe: modelSpecHelp(MODEL_SPEC_KINDS, SCALESIM_NETWORKS) })
      .option('max-pes', { type: 'number', describe: 'budget: processing elements (rows × cols)' })
      .option('max-sram-kib', { type: 'number', describe: 'budget: KiB of SRAM over the ifmap, filter and ofmap buffers' })
      .option('max-area-mm2', { type: 'number', describe: 'budget: silicon for PEs and SRAM (318 µm² per PE, 5700 µm² per KiB), so PEs and SRAM trade. Caps not given are not caps; with none, the budget is the default 32×32 array\'s silicon (192 KiB): 1.42 mm²' })
      .option('dram-bytes-per-cycle', { type: 'number', default: DEFAULT_DRAM_BYTES_PER_CYCLE, describe: 'DRAM bandwidth of the accelerator (the same default as compile --target systolic)' })
      .option('freq-mhz', { type: 'number', default: 1000, describe: 'clock, for throughput' })
      .option('sparsity', { type: 'string', describe: 'every layer\'s weights pruned N:M (such as 2:4): the search may then pick an array with SCALE-Sim v3\'s sparsity support (CSR, CSC or blocked ELLPACK), which skips pruned weights and pays for their metadata' })
      .option('strategy', { choices: STRATEGIES, default: 'arco' as Strategy, describe: 'search strategy; exhaustive: the exact optimum over every accelerator in the budget (ignores --budget; seconds to minutes)' })
      .option('budget', { type: 'number', default: DEFAULT_CODESIGN_BUDGET, describe: 'simulator calls (one per accelerator × layer × mapping first evaluated)' })
      .option('log', { type: 'string', describe: 'append every evaluated configuration to this JSON-lines log' })
      .option('resume', { type: 'boolean', describe: 'continue an interrupted run of the same command from its --log: arco, ga and random replay the log and go on; the other strategies repeat the run deterministically and append only the records the log lacks' })
      .option('svg', { type: 'string', describe: 'write the trade-off plot (throughput against PEs and SRAM) here' })
      .option('png', { type: 'string', describe: 'write the trade-off plot as PNG here (twice the SVG\'s size)' })
      .option('seed', { type: 'number', default: 1 })
      .option('redis', { type: 'string', describe: 'simulate on the workers (`mapwise worker`) of this Redis, redis://… or rediss://…, the same run: exhaustive splits its accelerators over them, the other strategies send each batch\'s layer simulations' })
      .check((argv) => {
        if (argv.resume && !argv.log) throw new Error('--resume needs --log FILE');
        if (!Number.isInteger(argv.budget) || argv.budget < 1) throw new Error(`--budget must be a positive integer, got ${argv.budget}`);
        for (const flag of ['max-pes', 'max-sram-kib', 'max-area-mm2'] as const) {
          if (argv[flag] !== undefined && !(Number(argv[flag]) > 0)) throw new Error(`--${flag} must be positive, got ${argv[flag]}`);
        }
        return true;
      }) as never,
  handler: async (argv) => {
    // SCALE-Sim topologies are layer lists the library reads itself; graphs come from files here.
    const model = parseModelSpec(argv.model).kind === 'scalesim' ? argv.model : await loadModel(argv.model);
    const bar = progressBar(`${argv.strategy} on ${typeof model === 'string' ? model : model.name}`, argv.budget, 'best {best}/s');
    let result: CodesignReport;
    try {
      result = await codesign(model, {
        ...(argv['max-pes'] === undefined ? {} : { maxPEs: argv['max-pes'] }),
        ...(argv['max-sram-kib'] === undefined ? {} : { maxSramKiB: argv['max-sram-kib'] }),
        ...(argv['max-area-mm2'] === undefined ? {} : { maxAreaMm2: argv['max-area-mm2'] }),
        dramBytesPerCycle: argv['dram-bytes-per-cycle'],
        freqMHz: argv['freq-mhz'],
        ...(argv.sparsity === undefined ? {} : { sparsity: String(argv.sparsity) }),
        strategy: argv.strategy,
        budget: argv.budget,
        seed: argv.seed,
        ...(argv.redis === undefined ? {} : { redis: argv.redis }),
        ...(argv.log ? { onRecords: (records) => appendRecords(argv.log!, records) } : {}),
        ...(argv.resume ? { previous: readRecords(argv.log!).records } : {}),
        onProgress: (e) => bar.update(e.done, { best: e.best === undefined ? '-' : formatNumber(e.best) }),
      });
    } finally {
      bar.stop();
    }
    if (argv.log) message(`appended the evaluated configurations to ${argv.log}`);
    if (argv.svg || argv.png) {
      const svg = await renderSvg(tradeoffSpec(`${result.model}: ${result.strategy}, ${result.simulatorCalls} simulator calls`, [{ strategy: result.strategy, accelerators: result.accelerators, chosen: result.best.hardware }]));
      if (argv.svg) {
        await writeFile(argv.svg, svg);
        message(`wrote the trade-off plot to ${argv.svg}`);
      }
      if (argv.png) {
        await writeFile(argv.png, await svgToPng(svg));
        message(`wrote the trade-off plot as PNG to ${argv.png}`);
      }
    }
    report(argv, result, (r) => {
      const h = r.best.hardware;
      const kept = r.kept === 'search' ? 'best accelerator' : `kept SCALE-Sim's mapping on the default array (no search result beat it in ${r.simulatorCalls} simulator calls)`;
      return [
        `${r.model}: ${r.strategy}, ${r.simulatorCalls} simulator calls in ${formatNumber(r.seconds)} s`,
        `budget: ${budgetText(r.budget)}${r.budget.fromDefaultArray ? " (the default array's silicon; --max-pes, --max-sram-kib or --max-area-mm2 set caps instead)" : ''}; DRAM ${r.budget.dramBytesPerCycle} B/cycle at ${r.budget.freqMHz} MHz`,
        `${kept}: ${h.rows}×${h.cols} ${h.dataflow.toUpperCase()}, SRAM ${h.ifmapSramKiB}/${h.filterSramKiB}/${h.ofmapSramKiB} KiB`,
        `throughput ${formatNumber(r.best.throughputPerSecond)}/s (${formatNumber(r.best.speedupOverReference)}× SCALE-Sim's mapping on ${r.reference.hardware.rows}×${r.reference.hardware.cols}${r.reference.withinBudget ? '' : ', which is outside this budget'}), ` +
          `latency ${formatNumber(r.best.latencyMs)} ms, DRAM ${formatNumber(r.best.dramBytes / 2 ** 20)} MiB, energy ${formatNumber(r.best.energyUJ)} µJ`,
        table(['layer', '×', 'splits M/N/K', 'order', 'double buffer', 'cycles', 'util %', 'DRAM KiB'], r.best.layers.map((l) => [
          l.layer, l.count, `${l.mapping.splitM}/${l.mapping.splitN}/${l.mapping.splitK}`, l.mapping.order, l.mapping.doubleBuffer ? 'on' : 'off', l.cycles, l.utilization, l.dramBytes / 1024,
        ])),
      ].join('\n');
    });
  },
};
