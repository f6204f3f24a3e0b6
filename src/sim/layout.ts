// SCALE-Sim v3 layout files (its `-l`, e.g. layouts/conv_nets/test.csv) → a validated ScalesimLayout.
// v3 reads every row but applies only the first, to every layer (operand_matrix asks for layer 0),
// and only for an operand whose [layout] {Ifmap,Filter}CustomLayout is True. A row is: name, the
// intraline factors of IFMAP height, IFMAP width, filter height, filter width, channels, filters,
// then the ifmap's intraline (3) and interline (3) orders and the filter's intraline (4) and
// interline (4) orders. Errors name the file, the line and the column; v3 itself stops with a
// Python traceback (or, for some, never finishes).
import { ConfigError } from './config.js';
import type { OperandLayout, ScalesimLayout, ScalesimV3Config, SystolicConfig } from './types.js';

const COLUMNS = [
  'IFMAP Height Intraline Factor', 'IFMAP Width Intraline Factor', 'Filter Height Intraline Factor', 'Filter Width Intraline Factor',
  'Channel Intraline Factor', 'Num Filter Intraline Factor',
  'IFMAP Height Intraline Order', 'IFMAP Width Intraline Order', 'Channel Intraline Order',
  'IFMAP Height Interline Order', 'IFMAP Width Interline Order', 'Channel Interline Order',
  'Num Filter Intraline Order', 'Channel Intraline Order', 'Filter Height Intraline Order', 'Filter Width Intraline Order',
  'Num Filter Interline Order', 'Channel Interline Order', 'Filter Height Interline Order', 'Filter Width Interline Order',
];

/** Parses a v3 layout file's text; `file` names it in errors. Every row is checked (v3 converts them all); the first is kept. */
export function parseScalesimLayout(text: string, file = '<layout>'): ScalesimLayout {
  let first: ScalesimLayout | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const row = raw.trim();
    if (index === 0 || row === '') return; // the header, whatever it holds, and blank rows
    const fields = row.split(',').map((f) => f.trim());
    // v3 drops a row's last field (`split(',')[:-1]`), so every row must end in a comma.
    if (fields[fields.length - 1] !== '') {
      throw new ConfigError(`${file}:${line}: row must end with a comma (SCALE-Sim v3 drops the last field of a row without one): '${row}'`);
    }
    fields.pop();
    const name = fields[0]!;
    if (fields.length !== COLUMNS.length + 1) {
      throw new ConfigError(`${file}:${line}: a layout row has ${COLUMNS.length + 1} columns (the layer name, ${COLUMNS.length} integers), got ${fields.length} in '${name}'`);
    }
    const v = fields.slice(1).map((f, i) => {
      if (!/^[+-]?\d+$/.test(f)) throw new ConfigError(`${file}:${line}: ${COLUMNS[i]} (column ${i + 2}) must be an integer, got '${f}' in '${name}'`);
      return Number(f);
    });
    for (let i = 0; i < 6; i++) {
      if (v[i]! < 1) throw new ConfigError(`${file}:${line}: ${COLUMNS[i]} (column ${i + 2}) must be a positive integer, got ${v[i]} in '${name}'`);
    }
    // np.transpose takes a permutation of the axes: interline order first, then intraline.
    const permutation = (order: number[], axes: number, what: string, column: number): number[] => {
      const sorted = [...order].sort((a, b) => a - b);
      if (!sorted.every((a, i) => a === i)) {
        throw new ConfigError(`${file}:${line}: the ${what} interline and intraline orders (columns ${column}–${column + axes - 1}) must together be a permutation of 0–${axes - 1}, got ${order.join(', ')} in '${name}'`);
      }
      return order;
    };
    if (first) return;
    // A 'DP' row is v3's depthwise expansion: one row per channel, each with channel factor 1.
    const channelFactor = name.includes('DP') ? 1 : v[4]!;
    const ifmap: OperandLayout = { factors: [v[0]!, v[1]!, channelFactor], order: permutation([...v.slice(9, 12), ...v.slice(6, 9)], 6, 'ifmap', 8) };
    const filter: OperandLayout = { factors: [v[5]!, channelFactor, v[2]!, v[3]!], order: permutation([...v.slice(16, 20), ...v.slice(12, 16)], 8, 'filter', 14) };
    first = Object.freeze({ name, source: `${file}:${line}`, ifmap: Object.freeze(ifmap), filter: Object.freeze(filter) });
  });
  if (!first) throw new ConfigError(`${file}: no layout row (SCALE-Sim v3 applies the first row after the header to every layer)`);
  return first;
}

/**
 * Why v3 would refuse (or never finish) this layout with this config, or undefined. The factors
 * are checked for each operand whose custom layout is on, in either interface mode (v3 builds the
 * custom prefetch order in CALC mode too, then does not use it).
 */
export function layoutMismatch(layout: ScalesimLayout, v3: ScalesimV3Config, config: SystolicConfig): string | undefined {
  const product = (l: OperandLayout): number => l.factors.reduce((a, b) => a * b, 1);
  const { ifmap, filter } = v3.layout;
  if (ifmap.customLayout && product(layout.ifmap) > ifmap.bankBandwidth) {
    return `${layout.source}: the ifmap intraline factors (${layout.ifmap.factors.join(' × ')} = ${product(layout.ifmap)}) must not exceed IfmapSRAMBankBandwidth (${ifmap.bankBandwidth}): a line holds one bank row`;
  }
  if (filter.customLayout && product(layout.filter) !== filter.bankBandwidth) {
    return `${layout.source}: the filter intraline factors (${layout.filter.factors.join(' × ')} = ${product(layout.filter)}) must equal FilterSRAMBankBandwidth (${filter.bankBandwidth}), as SCALE-Sim v3 asserts`;
  }
  if (ifmap.customLayout && config.interfaceBandwidth === 'USER' && config.ifmapOffset !== 0) {
    return `IfmapCustomLayout needs IfmapOffset 0, got ${config.ifmapOffset}: SCALE-Sim v3 lays out the ifmap's addresses without the offset and never finds the demanded ones`;
  }
  return undefined;
}

/**
 * v3's custom-layout prefetch order of an operand (operand_matrix.py get_{ifmap,filter}_prefetch_
 * matrix_custom_layout): the word indices of `dims` (row-major), each dimension padded with -1 to a
 * multiple of its factor and split into (lines, factor), the line axes first, then transposed by
 * `order` (output axis j is split axis order[j]) and flattened.
 */
export function layoutPrefetchOrder(dims: readonly number[], layout: OperandLayout): number[] {
  const { factors, order } = layout;
  const split = [...dims.map((d, i) => Math.ceil(d / factors[i]!)), ...factors];
  const shape = order.map((a) => split[a]!);
  const axisOf = split.map((_, a) => order.indexOf(a));
  const index = new Array<number>(shape.length).fill(0);
  const out: number[] = [];
  const total = shape.reduce((a, b) => a * b, 1);
  for (let i = 0; i < total; i++) {
    let value = 0;
    let valid = true;
    dims.forEach((d, k) => {
      const x = index[axisOf[k]!]! * factors[k]! + index[axisOf[dims.length + k]!]!;
      if (x >= d) valid = false;
      value = value * d + x;
    });
    out.push(valid ? value : -1);
    for (let j = shape.length - 1; j >= 0 && ++index[j]! === shape[j]!; j--) index[j] = 0;
  }
  return out;
}
