// `simulateMulticore(topology, options) → Promise<MulticoreReport>`: SCALE-Sim v3's multi-core
// simulator, krittika (its `multi-core/` submodule), reproduced: a krittika `.cfg`, topology and
// (USER strategy) partition file, as texts, in; every layer split over the cores as krittika splits
// it, each core's share through the wasm simulator, and krittika's three reports out.
// `mapwise simulate` runs it for a krittika config (or --multicore).
import { getCore } from '../core/load.js';
import { checkOptions, OptionsError } from '../base/options.js';
import { type KrittikaConfig, parseKrittikaConfig, parseKrittikaPartition, parseKrittikaTopology } from '../sim/krittika-files.js';
import { KRITTIKA_SRAM_KIB, type KrittikaLayerResult, simulateKrittika } from '../sim/krittika.js';
import { krittikaLayerFigures, krittikaReports } from '../sim/krittika-report.js';
import type { ScalesimText } from './simulate.js';

export interface SimulateMulticoreOptions {
  /** krittika's `.cfg` (configs/krittika.cfg's sections). */
  krittikaConfig: ScalesimText;
  /** krittika's partition file (its `-p`), read when the config's partition strategy is USER. */
  partition?: ScalesimText;
}

/** A layer with its cores and its rows' figures: the means over its cores that krittika reports, as numbers, in the reports' column order. */
export type MulticoreLayer = KrittikaLayerResult & { figures: { compute: number[]; bandwidth?: number[]; detail?: number[] } };

export interface MulticoreReport {
  model: string;
  config: KrittikaConfig;
  layers: MulticoreLayer[];
  /** Sums over the layers of the mean cycles per core (krittika's COMPUTE_REPORT.csv column), and the MACs of the conv and GEMM layers. */
  totals: { layers: number; totalCycles: number; stallCycles: number; macs: number };
  /** krittika's reports by file name (it writes them to <out>/traces/). */
  reports: ReturnType<typeof krittikaReports>;
  /** What krittika does with the config that a reader would not expect, in words. */
  notes: string[];
  /** Seconds the layers took to simulate. */
  simulatorSeconds: number;
}

const TEXT_SPEC = { text: { type: 'string' }, source: { type: 'string' } } as const;
const SPEC = { krittikaConfig: { type: 'object' }, partition: { type: 'object' } } as const;

function text(where: string, value: unknown, fallback: string): { text: string; source: string } {
  const t = checkOptions<Partial<ScalesimText>>(`simulateMulticore: ${where}`, value, TEXT_SPEC, 'field');
  if (t.text === undefined) throw new OptionsError(`simulateMulticore: ${where}: field 'text' is required (the file's contents)`, { field: where });
  return { text: t.text, source: t.source ?? fallback };
}

export async function simulateMulticore(topology: ScalesimText, options: SimulateMulticoreOptions): Promise<MulticoreReport> {
  const o = checkOptions<SimulateMulticoreOptions>('simulateMulticore', options, SPEC);
  if (o.krittikaConfig === undefined) throw new OptionsError("simulateMulticore: option 'krittikaConfig' is required (krittika's .cfg)", { field: 'krittikaConfig' });
  const cfg = text('option krittikaConfig', o.krittikaConfig, 'krittika.cfg');
  const config = parseKrittikaConfig(cfg.text, cfg.source);
  const topo = text('topology', topology, 'topology.csv');
  const layers = parseKrittikaTopology(topo.text, topo.source);
  let partitions;
  if (o.partition !== undefined) {
    if (config.partitionStrategy !== 'USER') throw new OptionsError(`simulateMulticore: a partition file is read for partition strategy USER only; ${cfg.source} says ${config.partitionStrategy}`, { field: 'partition' });
    const p = text('option partition', o.partition, 'partition.csv');
    partitions = parseKrittikaPartition(p.text, p.source);
  }
  const core = await getCore();
  const start = performance.now();
  const results = simulateKrittika(core, config, layers, partitions);
  const simulatorSeconds = (performance.now() - start) / 1e3;
  const withFigures = results.map((layer): MulticoreLayer => {
    const f = krittikaLayerFigures(layer);
    const values = (row?: { value: number }[]) => row?.map((m) => m.value);
    return { ...layer, figures: { compute: values(f.compute)!, ...(f.bandwidth ? { bandwidth: values(f.bandwidth)!, detail: values(f.detail)! } : {}) } };
  });
  const sum = (f: (l: MulticoreLayer) => number): number => withFigures.reduce((a, l) => a + f(l), 0);
  const { ifmap, filter, ofmap } = config.sramKiB;
  const notes = ifmap === KRITTIKA_SRAM_KIB && filter === KRITTIKA_SRAM_KIB && ofmap === KRITTIKA_SRAM_KIB ? [] : [`per-core SRAMs of ${KRITTIKA_SRAM_KIB} KB each, as krittika runs them: it checks the config's ${ifmap}/${filter}/${ofmap} KB but never stores them`];
  return {
    model: topo.source.split(/[\\/]/).pop()!.replace(/\.csv$/i, ''),
    config,
    layers: withFigures,
    totals: {
      layers: withFigures.length,
      totalCycles: sum((l) => l.figures.compute[0]!),
      stallCycles: sum((l) => l.figures.compute[1]!),
      macs: sum((l) => (l.kind === 'activation' ? 0 : l.cores.reduce((a, c) => a + c.macs, 0))),
    },
    reports: krittikaReports(results),
    notes,
    simulatorSeconds,
  };
}
