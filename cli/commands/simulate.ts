import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandParts } from './lazy.js';
import type { MulticoreReport } from '../../src/api/simulate-multicore.js';
import { SIMULATE_DEFAULTS, type SimulateModel, type SimulateOptions, type SimulateReport, simulate, simulateTraces } from '../../src/api/simulate.js';
import { SYSTOLIC_PRESETS } from '../../src/hw/systolic.js';
import { ENERGY_TABLES, type EnergyTable } from '../../src/sim/energy.js';
import { SCALESIM_NETWORKS } from '../../src/sim/networks.js';
import { MODEL_SPEC_KINDS, modelSpecHelp, parseModelSpec } from '../../src/graph/model-spec.js';
import { latencyProblem, RAMULATOR_OPERANDS, type RamulatorLatencies, type RamulatorOperand, ramulatorFile } from '../../src/sim/ramulator.js';
import { readNpyNumbers } from '../../src/run/npy.js';
import type { Dataflow } from '../../src/sim/types.js';
import { formatNumber, message, report, table } from '../output.js';

interface SimulateArgs {
  model?: string;
  config?: string;
  target?: string;
  topology?: string;
  gemm?: boolean;
  scalesimVersion?: 2 | 3;
  layout?: string;
  ramulatorDir?: string;
  dataflow?: Dataflow;
  out?: string;
  energyTable: string;
  energy?: string;
  fixScalesimQuirks?: boolean;
  trace?: boolean;
  userWorkLimit?: number;
  multicore?: boolean;
  partition?: string;
  json?: boolean;
}

export const simulateCommand: CommandParts<SimulateArgs> = {
  builder: (y) =>
    y
      .positional('model', { type: 'string', describe: `${modelSpecHelp(MODEL_SPEC_KINDS, SCALESIM_NETWORKS)} (instead of --topology)` })
      .option('config', { type: 'string', describe: 'SCALE-Sim .cfg file' })
      .option('target', { type: 'string', describe: `systolic[:${Object.keys(SYSTOLIC_PRESETS).join('|')}] preset instead of --config (default ${SIMULATE_DEFAULTS.target})` })
      .option('topology', { type: 'string', describe: 'SCALE-Sim topology CSV (conv rows, or M,N,K rows with --gemm)' })
      .option('gemm', { type: 'boolean', default: false, describe: 'The topology holds GEMM rows: name, M, N, K' })
      .option('scalesim-version', { type: 'number', choices: [2, 3], describe: 'Read --config and --topology as SCALE-Sim v2 or v3 files (default: by their contents; v3 features not yet simulated are listed as notModelled)' })
      .option('layout', { type: 'string', describe: 'SCALE-Sim v3 layout CSV (its -l): the layout of operands whose [layout] CustomLayout is True (its first row, for every layer)' })
      .option('ramulator-dir', { type: 'string', describe: 'SCALE-Sim v3 with UseRamulatorTrace True: the directory holding each layer\'s DRAM latencies, _ifmapFile<N>.npy, _filterFile<N>.npy and _ofmapFile<N>.npy (what v3 reads from results/ where it runs; Ramulator\'s output, not run here)' })
      .option('dataflow', { type: 'string', choices: ['os', 'ws', 'is'], describe: 'Override the dataflow of the config' })
      .option('out', { type: 'string', describe: 'Directory for SCALE-Sim\'s COMPUTE_REPORT.csv, BANDWIDTH_REPORT.csv, DETAILED_ACCESS_REPORT.csv (v3 sparsity: SPARSE_REPORT.csv), mapwise\'s DRAM bandwidth report and REPORT.json' })
      .option('trace', {
        type: 'boolean', default: false,
        describe: 'With --out: also write SCALE-Sim-style traces, layer<N>/{IFMAP,FILTER,OFMAP}_{SRAM,DRAM}_TRACE.csv (small layers). ' +
          'Byte for byte SCALE-Sim\'s, v2\'s or, with a v3 config, v3\'s (N:M sparsity and custom layouts too)',
      })
      .option('user-work-limit', { type: 'number', describe: `InterfaceBandwidth USER: refuse layers whose line-by-line walk exceeds this many demanded words plus lines (default ${SIMULATE_DEFAULTS.userModeWorkLimit.toExponential()}, some 10–30 s)` })
      .option('fix-scalesim-quirks', { type: 'boolean', default: false, describe: 'Correct SCALE-Sim\'s cycle accounting (OS fold length, off-by-one, OFMAP writes, ceil output size) instead of matching it' })
      .option('energy-table', { type: 'string', default: SIMULATE_DEFAULTS.energyTable, choices: Object.keys(ENERGY_TABLES), describe: 'Per-access energies and areas to estimate with' })
      .option('energy', { type: 'string', describe: 'Override entries of the energy table, e.g. macPJ=0.5,dramPJPerWord=100' })
      .option('multicore', { type: 'boolean', describe: 'Read --config as krittika\'s (SCALE-Sim v3\'s multi-core simulator) and --topology as its topology (default: a config with a [COMPUTE] section is krittika\'s); --out gets its three reports' })
      .option('partition', { type: 'string', describe: 'krittika\'s partition file (its -p), for partition strategy USER' })
      .conflicts('config', 'target') as never,
  handler: async (argv) => {
    if (argv.trace && !argv.out) throw new RangeError('--trace writes files: give --out DIR');
    const configText = argv.config !== undefined ? await readFile(argv.config, 'utf8') : undefined;
    const { isKrittikaConfig } = await import('../../src/sim/krittika-files.js');
    if (argv.multicore || argv.partition !== undefined || (configText !== undefined && argv.multicore === undefined && isKrittikaConfig(configText))) {
      await runMulticore(argv, configText);
      return;
    }
    const model = await modelOf(argv);
    const options: SimulateOptions = {
      ...(configText !== undefined ? { scalesimConfig: { text: configText, source: argv.config } } : {}),
      ...(argv.target !== undefined ? { target: argv.target } : {}),
      ...(argv.scalesimVersion !== undefined ? { scalesimVersion: argv.scalesimVersion } : {}),
      ...(argv.layout !== undefined ? { scalesimLayout: { text: await readFile(argv.layout, 'utf8'), source: argv.layout } } : {}),
      ...(argv.ramulatorDir !== undefined ? { ramulatorLatencies: await readRamulatorDir(argv.ramulatorDir, model, argv.scalesimVersion) } : {}),
      ...(argv.dataflow !== undefined ? { dataflow: argv.dataflow } : {}),
      energyTable: argv.energyTable,
      ...(argv.energy !== undefined ? { energy: parseEnergyOverrides(argv.energy) } : {}),
      ...(argv.fixScalesimQuirks ? { fixScalesimQuirks: true } : {}),
      ...(argv.userWorkLimit !== undefined ? { userModeWorkLimit: argv.userWorkLimit } : {}),
    };
    const result = await simulate(model, options);
    for (const s of result.skipped) message(`skipped ${s.op} node '${s.name}' (${formatNumber(s.macs)} MACs): no SCALE-Sim equivalent`);
    for (const note of result.scalesim?.notModelled ?? []) message(`SCALE-Sim v3, not modelled: ${note}`);
    if (argv.out) await writeReports(argv.out, result, argv.trace ? model : undefined, options);
    report(argv, result, asText);
  },
};

/** A krittika config, topology and partition file through simulateMulticore: its reports in --out, the report as text or --json. */
async function runMulticore(argv: SimulateArgs, configText: string | undefined): Promise<void> {
  if (configText === undefined || argv.topology === undefined) throw new RangeError('a multi-core run takes krittika\'s --config FILE and --topology FILE');
  const others = (['model', 'target', 'gemm', 'scalesimVersion', 'layout', 'ramulatorDir', 'dataflow', 'energy', 'fixScalesimQuirks', 'trace', 'userWorkLimit'] as const).filter((k) => argv[k] !== undefined && argv[k] !== false);
  if (others.length > 0) throw new RangeError(`a multi-core (krittika) run takes --config, --topology, --partition, --out and --json only, not --${others.join(', --')}`);
  const { simulateMulticore } = await import('../../src/api/simulate-multicore.js');
  const result = await simulateMulticore(
    { text: await readFile(argv.topology, 'utf8'), source: argv.topology },
    { krittikaConfig: { text: configText, source: argv.config }, ...(argv.partition !== undefined ? { partition: { text: await readFile(argv.partition, 'utf8'), source: argv.partition } } : {}) },
  );
  for (const note of result.notes) message(`krittika: ${note}`);
  if (argv.out) {
    await mkdir(argv.out, { recursive: true });
    for (const [file, text] of Object.entries(result.reports)) await writeFile(join(argv.out, file), text);
    await writeFile(join(argv.out, 'REPORT.json'), `${JSON.stringify(result, null, 1)}\n`);
    message(`wrote krittika's reports and REPORT.json to ${argv.out}`);
  }
  report(argv, result, multicoreText);
}

function multicoreText(r: MulticoreReport): string {
  const c = r.config;
  const rows = r.layers.map((l, i) => [
    String(i), l.kind, l.kind === 'activation' ? 'simd' : `${l.partition.inputParts}×${l.partition.filterParts} ${l.partition.unit} ${l.partition.dataflow}`,
    l.cores.length, ...l.figures.compute,
  ]);
  const array = c.matmul ? `${c.matmul.rows}×${c.matmul.cols} matmul arrays` : 'no matmul arrays';
  return [
    `${c.cores} cores, ${array}, SIMD ${c.simdLength}, ${c.partitionStrategy} partitions (krittika)`,
    table(['layer', 'kind', 'partition', 'cores', 'cycles', 'stalls', 'util %', 'map eff %', 'compute util %'], rows),
    `total ${formatNumber(r.totals.totalCycles)} cycles (mean per core, summed over layers) for ${formatNumber(r.totals.macs)} MACs`,
    `simulated ${r.totals.layers} layers in ${formatNumber(r.simulatorSeconds * 1e3)} ms`,
  ].join('\n');
}

/** The model as the library takes it: a topology's text, a graph read from a file, or the spec itself. */
async function modelOf(argv: SimulateArgs): Promise<SimulateModel> {
  if (argv.topology !== undefined && argv.model !== undefined) throw new RangeError('give either a model or --topology, not both');
  if (argv.topology !== undefined) return { text: await readFile(argv.topology, 'utf8'), source: argv.topology, gemm: argv.gemm };
  if (argv.model === undefined) throw new RangeError('give a topology (--topology FILE.csv) or a model');
  const spec = parseModelSpec(argv.model);
  if (spec.kind !== 'file') return argv.model;
  // The ONNX decoder loads only for a file, not for zoo names or SCALE-Sim's topologies.
  const { loadModel } = await import('../../src/node/models.js');
  return loadModel(spec);
}

/** Each layer's Ramulator latencies from `dir`, named as SCALE-Sim v3 names them in results/: one set per layer of the topology. */
async function readRamulatorDir(dir: string, model: SimulateModel, version: 2 | 3 | undefined): Promise<RamulatorLatencies[]> {
  if (typeof model !== 'object' || !('text' in model)) throw new RangeError('--ramulator-dir reads the latencies of a SCALE-Sim topology\'s layers: give --topology FILE');
  const { parseScalesimTopology } = await import('../../src/sim/topology.js');
  const { layers } = parseScalesimTopology(model.text, model.source, { gemm: model.gemm, version });
  return Promise.all(layers.map(async (layer, i) => {
    const read = async (op: RamulatorOperand): Promise<Float64Array> => {
      const path = join(dir, ramulatorFile(op, i));
      const bytes = await readFile(path).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
        throw new RangeError(`--ramulator-dir: ${path} is missing: SCALE-Sim v3 reads layer ${i}'s ('${layer.name}') ${op} latencies from results/${ramulatorFile(op, i)} where it runs`);
      });
      return latenciesFromNpy(bytes, path);
    };
    const [ifmap, filter, ofmap] = await Promise.all(RAMULATOR_OPERANDS.map(read));
    return { ifmap: ifmap!, filter: filter!, ofmap: ofmap! };
  }));
}

/**
 * An operand's latencies from its .npy file: whole cycles, of any little-endian int, uint or float
 * dtype, one per DRAM request line along the first axis (v3 also takes a column, n × 1).
 */
function latenciesFromNpy(bytes: Uint8Array, path: string): Float64Array {
  const { shape, data } = readNpyNumbers(bytes, path);
  if (shape.length === 0 || shape.slice(1).some((d) => d !== 1)) {
    throw new RangeError(`${path}: Ramulator latencies are one per DRAM request line, a 1-D array (or an n × 1 column), got shape [${shape.join(', ')}]`);
  }
  const problem = latencyProblem(data);
  if (problem) throw new RangeError(`${path}: ${problem}`);
  return data;
}

/** SCALE-Sim's reports, mapwise's DRAM bandwidth report and REPORT.json in `dir`; with `traced`, each layer's traces. */
async function writeReports(dir: string, result: SimulateReport, traced: SimulateModel | undefined, options: SimulateOptions): Promise<void> {
  const { MAPWISE_BANDWIDTH_REPORT_FILE, mapwiseBandwidthReport, scalesimReports } = await import('../../src/sim/report.js');
  await mkdir(dir, { recursive: true });
  for (const [file, text] of Object.entries(scalesimReports(result.layers, result.scalesim?.version))) await writeFile(join(dir, file), text);
  await writeFile(join(dir, MAPWISE_BANDWIDTH_REPORT_FILE), mapwiseBandwidthReport(result.layers));
  await writeFile(join(dir, 'REPORT.json'), `${JSON.stringify(result, null, 1)}\n`);
  if (traced !== undefined) {
    for (const [i, files] of (await simulateTraces(traced, options)).entries()) {
      await mkdir(join(dir, `layer${i}`), { recursive: true });
      for (const [file, text] of Object.entries(files)) await writeFile(join(dir, `layer${i}`, file), text);
    }
  }
  message(`wrote SCALE-Sim reports and REPORT.json to ${dir}`);
}

function parseEnergyOverrides(text: string): Partial<EnergyTable> {
  const overrides: Record<string, number> = {};
  for (const item of text.split(',')) {
    const [key, value] = item.split('=').map((s) => s.trim());
    if (!key || value === undefined || value === '' || !Number.isFinite(Number(value))) throw new RangeError(`--energy: expected KEY=NUMBER, got '${item}'`);
    overrides[key] = Number(value);
  }
  return overrides as Partial<EnergyTable>;
}

function asText(r: SimulateReport): string {
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
    `simulated ${t.layers} layers in ${formatNumber(r.simulatorSeconds * 1e3)} ms`,
  ].join('\n');
}
