import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandParts } from './lazy.js';
import { getCore } from '../../src/core/load.js';
import { parseSystolicTargetSpec, SYSTOLIC_PRESETS, systolicTarget } from '../../src/hw/systolic.js';
import { parseScalesimConfig, type ScalesimConfigFile, scalesimNotModelled, validateConfig } from '../../src/sim/config.js';
import { ENERGY_TABLES, type EnergyTable, energyTable } from '../../src/sim/energy.js';
import { type NetworkResult, networkResult } from '../../src/sim/network.js';
import { MAPWISE_BANDWIDTH_REPORT_FILE, mapwiseBandwidthReport, scalesimReports } from '../../src/sim/report.js';
import { type SimulateOptions, Simulator, USER_MODE_WORK_LIMIT } from '../../src/sim/simulate.js';
import { scalesimNetwork, SCALESIM_NETWORKS } from '../../src/sim/networks.js';
import { MODEL_SPEC_KINDS, modelSpecHelp, parseModelSpec } from '../../src/graph/model-spec.js';
import { parseScalesimTopology } from '../../src/sim/topology.js';
import type { ConvLayer, Dataflow, LayerResult, SystolicConfig } from '../../src/sim/types.js';
import { formatNumber, message, report, table } from '../output.js';

interface SimulateArgs {
  model?: string;
  config?: string;
  target?: string;
  topology?: string;
  gemm?: boolean;
  scalesimVersion?: 2 | 3;
  dataflow?: Dataflow;
  out?: string;
  energyTable: string;
  energy?: string;
  fixScalesimQuirks?: boolean;
  trace?: boolean;
  userWorkLimit?: number;
  json?: boolean;
}

export const simulateCommand: CommandParts<SimulateArgs> = {
  builder: (y) =>
    y
      .positional('model', { type: 'string', describe: `${modelSpecHelp(MODEL_SPEC_KINDS, SCALESIM_NETWORKS)} (instead of --topology)` })
      .option('config', { type: 'string', describe: 'SCALE-Sim .cfg file' })
      .option('target', { type: 'string', describe: `systolic[:${Object.keys(SYSTOLIC_PRESETS).join('|')}] preset instead of --config (default systolic:scale)` })
      .option('topology', { type: 'string', describe: 'SCALE-Sim topology CSV (conv rows, or M,N,K rows with --gemm)' })
      .option('gemm', { type: 'boolean', default: false, describe: 'The topology holds GEMM rows: name, M, N, K' })
      .option('scalesim-version', { type: 'number', choices: [2, 3], describe: 'Read --config and --topology as SCALE-Sim v2 or v3 files (default: by their contents; v3 features not yet simulated are listed as notModelled)' })
      .option('dataflow', { type: 'string', choices: ['os', 'ws', 'is'], describe: 'Override the dataflow of the config' })
      .option('out', { type: 'string', describe: `Directory for SCALE-Sim's COMPUTE_REPORT.csv, BANDWIDTH_REPORT.csv, DETAILED_ACCESS_REPORT.csv, mapwise's ${MAPWISE_BANDWIDTH_REPORT_FILE} and REPORT.json` })
      .option('trace', {
        type: 'boolean', default: false,
        describe: 'With --out: also write SCALE-Sim-style traces, layer<N>/{IFMAP,FILTER,OFMAP}_{SRAM,DRAM}_TRACE.csv (small layers). ' +
          'Byte for byte SCALE-Sim\'s, except CALC-mode IFMAP/FILTER DRAM rows, which list each prefetch\'s addresses sorted (SCALE-Sim: Python set order)',
      })
      .option('user-work-limit', { type: 'number', describe: `InterfaceBandwidth USER: refuse layers whose line-by-line walk exceeds this many demanded words plus lines (default ${USER_MODE_WORK_LIMIT.toExponential()}, some 10–30 s)` })
      .option('fix-scalesim-quirks', { type: 'boolean', default: false, describe: 'Correct SCALE-Sim\'s cycle accounting (OS fold length, off-by-one, OFMAP writes, ceil output size) instead of matching it' })
      .option('energy-table', { type: 'string', default: 'horowitz45nm', choices: Object.keys(ENERGY_TABLES), describe: 'Per-access energies and areas to estimate with' })
      .option('energy', { type: 'string', describe: 'Override entries of the energy table, e.g. macPJ=0.5,dramPJPerWord=100' }) as never,
  handler: async (argv) => {
    let config: SystolicConfig;
    let configFile: ScalesimConfigFile | undefined;
    if (argv.config !== undefined) {
      if (argv.target !== undefined) throw new RangeError('give either --config or --target, not both');
      configFile = parseScalesimConfig(await readFile(argv.config, 'utf8'), argv.config, { version: argv.scalesimVersion });
      config = configFile.config;
    } else {
      config = systolicTarget({}, parseSystolicTargetSpec(argv.target ?? 'systolic:scale'));
    }
    if (argv.dataflow) config = validateConfig({ ...config, dataflow: argv.dataflow });
    const layers = await loadLayers(argv);
    if (argv.trace && !argv.out) throw new RangeError('--trace writes files: give --out DIR');
    if (argv.trace && configFile?.v3) throw new RangeError(`--trace writes SCALE-Sim v2's traces, not v3's; ${argv.config} is a v3 config`);
    const core = await getCore();
    const sim = new Simulator(core);
    const start = performance.now();
    if (argv.userWorkLimit !== undefined && !(argv.userWorkLimit > 0)) throw new RangeError(`--user-work-limit: expected a positive number, got ${argv.userWorkLimit}`);
    const results = simulateEachShapeOnce(sim, config, layers, { fixScalesimQuirks: argv.fixScalesimQuirks, userModeWorkLimit: argv.userWorkLimit, v3: configFile?.v3 });
    const seconds = (performance.now() - start) / 1e3;
    sim.free();
    const notModelled = configFile ? scalesimNotModelled(configFile, layers) : [];
    const result = {
      ...networkResult(config, results, energyTable(parseEnergyOverrides(argv.energy), ENERGY_TABLES[argv.energyTable])),
      ...(configFile?.v3 ? { scalesim: { version: 3, v3: configFile.v3, notModelled } } : {}),
    };
    for (const note of notModelled) message(`SCALE-Sim v3, not modelled: ${note}`);
    if (argv.out) {
      await mkdir(argv.out, { recursive: true });
      for (const [file, text] of Object.entries(scalesimReports(results, configFile?.version))) await writeFile(join(argv.out, file), text);
      await writeFile(join(argv.out, MAPWISE_BANDWIDTH_REPORT_FILE), mapwiseBandwidthReport(results));
      await writeFile(join(argv.out, 'REPORT.json'), `${JSON.stringify(result, null, 1)}\n`);
      if (argv.trace) {
        const { dramTraceCsv, dramTraces, sramTraces } = await import('../../src/sim/trace.js');
        for (const [i, layer] of layers.entries()) {
          const sram = sramTraces(core, config, layer);
          const dram = dramTraces(core, config, layer);
          const dir = join(argv.out, `layer${i}`);
          await mkdir(dir, { recursive: true });
          for (const op of ['ifmap', 'filter', 'ofmap'] as const) {
            await writeFile(join(dir, `${op.toUpperCase()}_SRAM_TRACE.csv`), sram[op]);
            await writeFile(join(dir, `${op.toUpperCase()}_DRAM_TRACE.csv`), dramTraceCsv(dram[op]));
          }
        }
      }
      message(`wrote SCALE-Sim reports and REPORT.json to ${argv.out}`);
    }
    report(argv, { ...result, simulatorSeconds: seconds }, (r) => asText(r, seconds));
  },
};

/**
 * The network's figures, simulating each distinct layer shape once: a layer's figures are a pure
 * function of the array and its shape (Simulator.layer), and networks repeat their blocks
 * (ResNet-18's 21 layers have 12 shapes), so the copies take the first one's figures under their
 * own names. Identical output, about half the simulation time on ResNets.
 */
function simulateEachShapeOnce(sim: Simulator, config: SystolicConfig, layers: readonly ConvLayer[], options: SimulateOptions): LayerResult[] {
  const shapeOf = ({ name: _, ...shape }: ConvLayer): string => JSON.stringify(shape);
  const firsts = new Map<string, ConvLayer>();
  for (const layer of layers) if (!firsts.has(shapeOf(layer))) firsts.set(shapeOf(layer), layer);
  const distinct = [...firsts.values()];
  const results = sim.network(config, distinct, options);
  const byShape = new Map(distinct.map((layer, i) => [shapeOf(layer), results[i]!]));
  return layers.map((layer) => ({ ...byShape.get(shapeOf(layer))!, name: layer.name }));
}

function parseEnergyOverrides(text: string | undefined): Partial<EnergyTable> {
  if (!text) return {};
  const overrides: Record<string, number> = {};
  for (const item of text.split(',')) {
    const [key, value] = item.split('=').map((s) => s.trim());
    if (!key || value === undefined || value === '' || !Number.isFinite(Number(value))) throw new RangeError(`--energy: expected KEY=NUMBER, got '${item}'`);
    overrides[key] = Number(value);
  }
  return overrides as Partial<EnergyTable>;
}

async function loadLayers(argv: SimulateArgs): Promise<ConvLayer[]> {
  if (argv.topology !== undefined && argv.model !== undefined) throw new RangeError('give either a model or --topology, not both');
  if (argv.topology !== undefined) return parseScalesimTopology(await readFile(argv.topology, 'utf8'), argv.topology, { gemm: argv.gemm, version: argv.scalesimVersion }).layers;
  if (argv.model !== undefined) {
    const spec = parseModelSpec(argv.model);
    if (spec.kind === 'scalesim') return scalesimNetwork(spec.network);
    // The graph readers (zoo, ONNX decoder) load only for a model, not for SCALE-Sim's topologies.
    const [{ loadModel }, { graphTopology }] = await Promise.all([import('../../src/node/models.js'), import('../../src/sim/from-graph.js')]);
    const { layers, skipped } = graphTopology(await loadModel(spec));
    for (const s of skipped) message(`skipped ${s.op} node '${s.name}' (${formatNumber(s.macs)} MACs): no SCALE-Sim equivalent`);
    return layers;
  }
  throw new RangeError('give a topology (--topology FILE.csv) or a model');
}

function asText(r: NetworkResult, seconds: number): string {
  const c = r.config;
  const rows = r.layers.map((l) => [
    l.name, l.totalCycles, l.stallCycles, l.overallUtilization, l.mappingEfficiency, l.computeUtilization,
    l.sramReads.ifmap + l.sramReads.filter, l.sramWrites.ofmap, l.dramReads.ifmap + l.dramReads.filter, l.dramWrites.ofmap,
    l.energy.totalPJ / 1e6,
  ]);
  const t = r.totals;
  return [
    `${c.rows}×${c.cols} array, ${c.dataflow.toUpperCase()} dataflow, SRAM ${c.ifmapSramKiB}/${c.filterSramKiB}/${c.ofmapSramKiB} KiB, ${c.interfaceBandwidth} bandwidth`,
    table(['layer', 'cycles', 'stalls', 'util %', 'map eff %', 'compute util %', 'SRAM reads', 'SRAM writes', 'DRAM reads', 'DRAM writes', 'energy µJ'], rows),
    `total ${formatNumber(t.totalCycles)} cycles (${formatNumber(t.stallCycles)} stalls) for ${formatNumber(t.macs)} MACs: utilisation ${formatNumber(t.overallUtilization)}%` +
      ` · energy ${formatNumber(t.energyPJ / 1e6)} µJ · area ${formatNumber(r.area.totalMm2)} mm² (${r.energyTable.source})`,
    `simulated ${t.layers} layers in ${formatNumber(seconds * 1e3)} ms`,
  ].join('\n');
}
