// krittika's three input files (scalesim-project/krittika at 2cf6c8e, SCALE-Sim v3's `multi-core/`):
// its `.cfg` (configparser: [GENERAL], [COMPUTE], [MEMORY], [INTERFACE]; keys in any case), its
// topology (`conv, H, W, FH, FW, C, N, S[, SW]`, `gemm, M, N, K` and `activation, FN…` rows: no
// header, no trailing comma) and its partition file (a header, then `layer id, input parts, filter
// parts, unit, dataflow` rows). Where krittika stops with a Python error or an assertion, or would
// silently read something else, these readers stop with the file, line and field instead.
import { cfgSections, ConfigError } from './config.js';
import { TopologyError } from './topology.js';
import { type ConvLayer, DATAFLOWS, type Dataflow, gemmLayer } from './types.js';

export const KRITTIKA_PARTITION_STRATEGIES = ['USER', 'IFMAP', 'FILTER', 'CONST_DF', 'AUTO'] as const;
export type KrittikaPartitionStrategy = (typeof KRITTIKA_PARTITION_STRATEGIES)[number];
export const KRITTIKA_ACTIVATIONS = ['relu', 'batch_norm', 'tanh', 'softmax'] as const;

/** A krittika `.cfg`: cores of one matmul array (and optional vector unit) each, with per-core SRAMs and interface bandwidths. */
export interface KrittikaConfig {
  readonly runName: string;
  readonly cores: number;
  readonly matmul?: { readonly rows: number; readonly cols: number; readonly dataflow: Dataflow };
  readonly vector?: { readonly dim: number; readonly dataflow: Dataflow };
  readonly simdLength: number;
  readonly partitionStrategy: KrittikaPartitionStrategy;
  readonly offsets: { readonly ifmap: number; readonly filter: number; readonly ofmap: number };
  readonly sramKiB: { readonly ifmap: number; readonly filter: number; readonly ofmap: number };
  /** Per-core interface bandwidths, words per cycle (in CALC mode: the first prefetch's rate and the ofmap drain's). */
  readonly bandwidth: { readonly ifmap: number; readonly filter: number; readonly ofmap: number };
}

/** One topology row: a conv or GEMM layer, or an activation over the latest one's ofmap. */
export type KrittikaLayer =
  | { readonly kind: 'conv' | 'gemm'; readonly layer: ConvLayer; readonly source: string }
  | { readonly kind: 'activation'; readonly functions: readonly string[]; readonly source: string };

/** A row of a partition table: how a layer is split over cores and run. */
export interface KrittikaPartition {
  readonly inputParts: number;
  readonly filterParts: number;
  readonly unit: 'matmul' | 'vector';
  readonly dataflow: Dataflow;
  readonly source: string;
}

const SECTIONS: Record<string, readonly string[]> = {
  GENERAL: ['run name'],
  COMPUTE: [
    'num compute cores', 'matmul core present', 'matmul arrrow', 'matmul arrcol', 'matmul default dataflow',
    'vector core present', 'vector dim', 'vector default dataflow', 'simd length', 'partition strategy',
  ],
  MEMORY: ['ifmap offset', 'filter offset', 'ofmap offset', 'per core ifmap sram size kb', 'per core filter sram size kb', 'per core ofmap sram size kb'],
  INTERFACE: [
    'bandwidth mode', 'per core user ifmap buf interface bw (words/cycle)', 'per core user filter buf interface bw (words/cycle)',
    'per core user ofmap buf interface bw (words/cycle)',
  ],
};

/** Whether a `.cfg` text is krittika's rather than SCALE-Sim's: it has krittika's [COMPUTE] section. */
export function isKrittikaConfig(text: string): boolean {
  return /^\s*\[COMPUTE\]\s*$/m.test(text);
}

export function parseKrittikaConfig(text: string, file = 'krittika.cfg'): KrittikaConfig {
  const { sections, headers } = cfgSections(text, file);
  for (const [name, keys] of sections) {
    if (!(name in SECTIONS)) throw new ConfigError(`${file}:${headers.get(name)}: unknown section [${name}]; krittika reads ${Object.keys(SECTIONS).map((s) => `[${s}]`).join(', ')}`);
    for (const [key, entry] of keys) {
      if (!SECTIONS[name]!.includes(key)) throw new ConfigError(`${file}:${entry.line}: unknown key '${entry.key}' in [${name}]; krittika reads ${SECTIONS[name]!.join(', ')}`);
    }
  }
  const get = (sec: string, key: string) => {
    const entry = sections.get(sec)?.get(key);
    if (!entry) throw new ConfigError(`${file}: missing key '${key}' in [${sec}]`, { file, field: key });
    return entry;
  };
  const int = (sec: string, key: string, min: number): number => {
    const { value, line } = get(sec, key);
    if (!/^[+-]?\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new ConfigError(`${file}:${line}: ${key} must be an integer, got '${value}'`);
    if (Number(value) < min) throw new ConfigError(`${file}:${line}: ${key} must be at least ${min}, got ${value}`);
    return Number(value);
  };
  // krittika takes 'true', 'True' and 'TRUE' as present and anything else as absent.
  const present = (key: string): boolean => {
    const { value, line } = get('COMPUTE', key);
    if (['true', 'True', 'TRUE'].includes(value)) return true;
    if (['false', 'False', 'FALSE'].includes(value)) return false;
    throw new ConfigError(`${file}:${line}: ${key} must be True or False (krittika reads anything but true as False), got '${value}'`);
  };
  const oneOf = <T extends string>(sec: string, key: string, values: readonly T[]): T => {
    const { value, line } = get(sec, key);
    if (!values.includes(value as T)) throw new ConfigError(`${file}:${line}: ${key} must be one of ${values.join(', ')}, got '${value}'`);
    return value as T;
  };
  const mode = oneOf('INTERFACE', 'bandwidth mode', ['CALC', 'USER']);
  if (mode === 'USER') {
    // krittika hands the mode's name to scalesim's estimate-bandwidth flag (any string is true), then installs USER prefetch matrices it lacks
    throw new ConfigError(`${file}:${get('INTERFACE', 'bandwidth mode').line}: bandwidth mode USER: krittika 2cf6c8e stops in it (scalesim's estimating read buffer has no set_fetch_matrix); use CALC`);
  }
  const bw = (op: string) => int('INTERFACE', `per core user ${op} buf interface bw (words/cycle)`, 1);
  const kib = (op: string) => int('MEMORY', `per core ${op} sram size kb`, 1);
  const matmul = present('matmul core present')
    ? { rows: int('COMPUTE', 'matmul arrrow', 1), cols: int('COMPUTE', 'matmul arrcol', 1), dataflow: oneOf('COMPUTE', 'matmul default dataflow', DATAFLOWS) }
    : undefined;
  const vector = present('vector core present') ? { dim: int('COMPUTE', 'vector dim', 1), dataflow: oneOf('COMPUTE', 'vector default dataflow', DATAFLOWS) } : undefined;
  return Object.freeze({
    runName: get('GENERAL', 'run name').value,
    cores: int('COMPUTE', 'num compute cores', 1),
    ...(matmul ? { matmul } : {}),
    ...(vector ? { vector } : {}),
    simdLength: int('COMPUTE', 'simd length', 1),
    partitionStrategy: oneOf('COMPUTE', 'partition strategy', KRITTIKA_PARTITION_STRATEGIES),
    offsets: { ifmap: int('MEMORY', 'ifmap offset', 0), filter: int('MEMORY', 'filter offset', 0), ofmap: int('MEMORY', 'ofmap offset', 0) },
    sramKiB: { ifmap: kib('ifmap'), filter: kib('filter'), ofmap: kib('ofmap') },
    bandwidth: { ifmap: bw('ifmap'), filter: bw('filter'), ofmap: bw('ofmap') },
  });
}

const CONV_FIELDS = ['IFMAP Height', 'IFMAP Width', 'Filter Height', 'Filter Width', 'Channels', 'Num Filter', 'Strides'];

function positiveInts(fields: readonly string[], names: readonly string[], where: string): number[] {
  return fields.map((raw, i) => {
    const v = raw.trim();
    if (v === '') throw new TopologyError(`${where}: ${names[i] ?? `field ${i + 2}`} is empty (krittika's rows end without a comma)`);
    if (!/^\+?\d+$/.test(v) || Number(v) <= 0 || !Number.isSafeInteger(Number(v))) throw new TopologyError(`${where}: ${names[i] ?? `field ${i + 2}`} must be a positive integer, got '${v}'`);
    return Number(v);
  });
}

/** krittika's topology: a layer per line, named by its position (krittika's layer ids). */
export function parseKrittikaTopology(text: string, file = 'topology.csv'): KrittikaLayer[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop(); // the last line's newline
  const layers = lines.map((raw, index): KrittikaLayer => {
    const where = `${file}:${index + 1}`;
    const row = raw.replace(/\r$/, '');
    // krittika takes the kind from before the first ', ' (comma and space)
    const kind = row.split(', ')[0]!;
    if (kind !== 'conv' && kind !== 'gemm' && kind !== 'activation') {
      throw new TopologyError(`${where}: a row must begin with 'conv, ', 'gemm, ' or 'activation, ' (krittika's topologies have no header and no blank lines), got '${row.slice(0, 40)}'`);
    }
    const fields = row.split(',').slice(1);
    if (kind === 'activation') {
      const functions = fields.map((f) => f.trim());
      const bad = functions.find((f) => !(KRITTIKA_ACTIVATIONS as readonly string[]).includes(f));
      if (bad !== undefined) throw new TopologyError(`${where}: unsupported activation '${bad}'; krittika supports ${KRITTIKA_ACTIVATIONS.join(', ')}`);
      if (index === 0) throw new TopologyError(`${where}: an activation applies to the ofmap of the conv or GEMM before it; krittika stops on one in the first row`);
      return { kind, functions, source: where };
    }
    const name = `layer${index}`;
    if (kind === 'gemm') {
      if (fields.length !== 3) throw new TopologyError(`${where}: a gemm row is 'gemm, M, N, K', got ${fields.length} numbers`);
      const [m, n, k] = positiveInts(fields, ['M', 'N', 'K'], where) as [number, number, number];
      return { kind, layer: gemmLayer(name, m, n, k), source: where };
    }
    if (fields.length !== 7 && fields.length !== 8) throw new TopologyError(`${where}: a conv row is 'conv, ${CONV_FIELDS.join(', ')}[, Stride Width]', got ${fields.length} numbers`);
    const [h, w, fh, fw, c, n, sh, sw] = positiveInts(fields, [...CONV_FIELDS, 'Stride Width'], where) as number[];
    if (fh! > h! || fw! > w!) throw new TopologyError(`${where}: filter ${fh}×${fw} is larger than the ifmap ${h}×${w}`);
    const layer = { name, ifmapHeight: h!, ifmapWidth: w!, filterHeight: fh!, filterWidth: fw!, channels: c!, numFilters: n!, strideHeight: sh!, strideWidth: sw ?? sh! };
    return { kind, layer, source: where };
  });
  if (layers.length === 0) throw new TopologyError(`${file}: no layers`);
  return layers;
}

/**
 * krittika's partition file: the header line is skipped; row i (counting from 0 after it) is what
 * layer i uses, whatever its `layer id` column says (krittika looks rows up by position).
 */
export function parseKrittikaPartition(text: string, file = 'partition.csv'): KrittikaPartition[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.slice(1).map((raw, i) => {
    const where = `${file}:${i + 2}`;
    const fields = raw.replace(/\r$/, '').split(',').map((f) => f.trim());
    if (fields.length !== 5) throw new TopologyError(`${where}: a partition row is 'layer id, input parts, filter parts, unit, dataflow', got ${fields.length} fields`);
    const [, inputParts, filterParts] = fields.slice(0, 3).map((v, j) => {
      const name = ['layer id', 'input parts', 'filter parts'][j]!;
      if (!/^[+-]?\d+$/.test(v)) throw new TopologyError(`${where}: ${name} must be an integer, got '${v}'`);
      if (j > 0 && Number(v) < 1) throw new TopologyError(`${where}: ${name} must be at least 1 (krittika divides by it), got ${v}`);
      return Number(v);
    }) as [number, number, number];
    const unit = fields[3]!;
    const dataflow = fields[4]!;
    if (unit !== 'matmul' && unit !== 'vector') throw new TopologyError(`${where}: unit must be matmul or vector, got '${unit}'`);
    if (!(DATAFLOWS as readonly string[]).includes(dataflow)) throw new TopologyError(`${where}: dataflow must be os, ws or is, got '${dataflow}'`);
    return { inputParts, filterParts, unit, dataflow: dataflow as Dataflow, source: where };
  });
}
