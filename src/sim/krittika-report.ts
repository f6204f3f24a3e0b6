// krittika's three reports (simulator.py at 2cf6c8e, written to <out>/traces/): per layer, the mean
// over its cores of each figure, as Python's statistics.mean computes it (the exact mean rounded
// once; a mean of ints stays an int when whole) and str() prints it. Same headers and ", " layout
// as SCALE-Sim's v2 reports. krittika's quirks, kept:
//  1. COMPUTE_REPORT.csv has a row for every layer, activations included (SIMD cycles, no stalls);
//  2. BANDWIDTH_REPORT.csv and DETAILED_ACCESS_REPORT.csv have rows for conv and GEMM layers only,
//     but take layer L's figures from position L of a list that holds conv and GEMM layers only: after
//     an activation, a row shows a later layer's figures, or none ('L, ,').
import { BANDWIDTH_REPORT_HEADER, COMPUTE_REPORT_HEADER, DETAILED_ACCESS_REPORT_HEADER, pythonFloat } from './report.js';
import type { KrittikaCore, KrittikaLayerResult, KrittikaSimdCore } from './krittika.js';

/** A mean as Python holds it: `int` when every value is an int and the mean is whole. */
export interface PythonMean {
  value: number;
  int: boolean;
}

const bitLength = (x: bigint): number => x.toString(2).length;

/** p / q (p ≥ 0, q > 0) rounded to the nearest double, ties to even (Python's int / int). */
function ratioToDouble(p: bigint, q: bigint): number {
  if (p === 0n) return 0;
  const shift = 55 - (bitLength(p) - bitLength(q)); // a quotient of 55 or 56 bits
  const [a, b] = shift >= 0 ? [p << BigInt(shift), q] : [p, q << BigInt(-shift)];
  const quotient = a / b;
  const sticky = a % b !== 0n;
  const extra = BigInt(bitLength(quotient) - 53);
  let mantissa = quotient >> extra;
  const rest = quotient - (mantissa << extra);
  const half = 1n << (extra - 1n);
  if (rest > half || (rest === half && (sticky || (mantissa & 1n) === 1n))) mantissa += 1n;
  return Number(mantissa) * 2 ** (Number(extra) - shift);
}

/** The exact value of a finite double as n / 2^e. */
function dyadic(x: number): { n: bigint; e: number } {
  let e = 0;
  while (!Number.isInteger(x * 2 ** e)) e++;
  return { n: BigInt(x * 2 ** e), e };
}

/** statistics.mean of Python ints (`ints`) or floats. */
export function pythonMean(values: readonly number[], ints: boolean): PythonMean {
  const parts = values.map(dyadic);
  const e = Math.max(...parts.map((d) => d.e));
  const sum = parts.reduce((s, d) => s + (d.n << BigInt(e - d.e)), 0n);
  const q = BigInt(values.length) << BigInt(e);
  if (ints && sum % q === 0n) return { value: Number(sum / q), int: true };
  const value = sum < 0n ? -ratioToDouble(-sum, q) : ratioToDouble(sum, q);
  return { value, int: false };
}

const show = (m: PythonMean): string => (m.int ? String(m.value) : pythonFloat(m.value));

type Column<T> = [(core: T) => number, boolean]; // a figure and whether krittika holds it as an int

const COMPUTE_COLUMNS: Column<KrittikaCore | KrittikaSimdCore>[] = [
  [(c) => c.totalCycles, true], [(c) => ('stallCycles' in c ? c.stallCycles : 0), true],
  [(c) => c.overallUtilization, false], [(c) => c.mappingEfficiency, false], [(c) => c.computeUtilization, false],
];
const BANDWIDTH_COLUMNS: Column<KrittikaCore>[] = [
  [(c) => c.sramBandwidth.ifmap, false], [(c) => c.sramBandwidth.filter, false], [(c) => c.sramBandwidth.ofmap, false],
  [(c) => c.dramBandwidth.ifmap, false], [(c) => c.dramBandwidth.filter, false], [(c) => c.dramBandwidth.ofmap, false],
];
const DETAIL_COLUMNS: Column<KrittikaCore>[] = [
  [(c) => c.sramStart.ifmap, false], [(c) => c.sramStop.ifmap, false], [(c) => c.sramReads.ifmap, true],
  [(c) => c.sramStart.filter, false], [(c) => c.sramStop.filter, false], [(c) => c.sramReads.filter, true],
  [(c) => c.sramStart.ofmap, false], [(c) => c.sramStop.ofmap, false], [(c) => c.sramWrites.ofmap, true],
  [(c) => c.dramStart.ifmap, false], [(c) => c.dramStop.ifmap, false], [(c) => c.dramReads.ifmap, true],
  [(c) => c.dramStart.filter, false], [(c) => c.dramStop.filter, false], [(c) => c.dramReads.filter, true],
  [(c) => c.dramStart.ofmap, false], [(c) => c.dramStop.ofmap, false], [(c) => c.dramWrites.ofmap, true],
];

function means<T>(cores: readonly T[], columns: readonly Column<T>[]): PythonMean[] {
  return columns.map(([figure, ints]) => pythonMean(cores.map(figure), ints));
}

/** A layer's report figures (means over its cores): compute for every layer; bandwidth and detail for conv and GEMM layers. */
export function krittikaLayerFigures(layer: KrittikaLayerResult): { compute: PythonMean[]; bandwidth?: PythonMean[]; detail?: PythonMean[] } {
  const compute = means<KrittikaCore | KrittikaSimdCore>(layer.cores, COMPUTE_COLUMNS);
  if (layer.kind === 'activation') return { compute };
  return { compute, bandwidth: means(layer.cores, BANDWIDTH_COLUMNS), detail: means(layer.cores, DETAIL_COLUMNS) };
}

const line = (id: number, items: readonly PythonMean[]): string => `${id}, ${items.map(show).join(', ')},`;

/** The three reports by krittika's file names. */
export function krittikaReports(layers: readonly KrittikaLayerResult[]): Record<'COMPUTE_REPORT.csv' | 'BANDWIDTH_REPORT.csv' | 'DETAILED_ACCESS_REPORT.csv', string> {
  const figures = layers.map(krittikaLayerFigures);
  const matrixFigures = figures.filter((f) => f.bandwidth);
  const shifted = (key: 'bandwidth' | 'detail') => layers.flatMap((l, i) => (l.kind === 'activation' ? [] : [line(i, matrixFigures[i]?.[key] ?? [])])); // quirk 2
  return {
    'COMPUTE_REPORT.csv': [COMPUTE_REPORT_HEADER, ...figures.map((f, i) => line(i, f.compute)), ''].join('\n'),
    'BANDWIDTH_REPORT.csv': [BANDWIDTH_REPORT_HEADER, ...shifted('bandwidth'), ''].join('\n'),
    'DETAILED_ACCESS_REPORT.csv': [DETAILED_ACCESS_REPORT_HEADER, ...shifted('detail'), ''].join('\n'),
  };
}
