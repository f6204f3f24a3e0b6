// SCALE-Sim v2's three CSV reports (simulator.py generate_reports), byte for byte: same headers,
// same column order, ", " separators, a trailing comma on every line, and numbers printed the way
// Python's str() prints them (floats always with a '.' or an exponent, e.g. 33.0, 1e-05). v3's
// compute report adds 'Total Cycles (incl. prefetch)' as its second column; with sparsity on, its
// bandwidth report adds the filter metadata's SRAM bandwidth and a fourth report, SPARSE_REPORT.csv.
import type { LayerResult, ScalesimVersion } from './types.js';

export const COMPUTE_REPORT_HEADER = 'LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %,';
export const COMPUTE_REPORT_HEADER_V3 = 'LayerID, Total Cycles (incl. prefetch), Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %,';
export const BANDWIDTH_REPORT_HEADER =
  'LayerID, Avg IFMAP SRAM BW, Avg FILTER SRAM BW, Avg OFMAP SRAM BW, Avg IFMAP DRAM BW, Avg FILTER DRAM BW, Avg OFMAP DRAM BW,';
export const BANDWIDTH_REPORT_HEADER_SPARSE =
  'LayerID, Avg IFMAP SRAM BW, Avg FILTER SRAM BW, Avg FILTER Metadata SRAM BW, Avg OFMAP SRAM BW, Avg IFMAP DRAM BW, Avg FILTER DRAM BW, Avg OFMAP DRAM BW,';
export const SPARSE_REPORT_HEADER =
  'LayerID, Sparsity Representation, Original Filter Storage, New Storage (Filter+Metadata), Filter Metadata Storage, Avg FILTER Metadata SRAM BW, ';
export const DETAILED_ACCESS_REPORT_HEADER =
  'LayerID, SRAM IFMAP Start Cycle, SRAM IFMAP Stop Cycle, SRAM IFMAP Reads, SRAM Filter Start Cycle, SRAM Filter Stop Cycle, ' +
  'SRAM Filter Reads, SRAM OFMAP Start Cycle, SRAM OFMAP Stop Cycle, SRAM OFMAP Writes, DRAM IFMAP Start Cycle, DRAM IFMAP Stop Cycle, ' +
  'DRAM IFMAP Reads, DRAM Filter Start Cycle, DRAM Filter Stop Cycle, DRAM Filter Reads, DRAM OFMAP Start Cycle, DRAM OFMAP Stop Cycle, ' +
  'DRAM OFMAP Writes,';

/** Python's repr/str of a float: shortest round-trip digits, exponent below 1e-4 and from 1e16. */
export function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = x.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace('-', '').replace('.', '');
  if (exp < -4 || exp >= 16) {
    const body = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${body}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const whole = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${whole}.${frac === '' ? '0' : frac}`;
}

const int = (x: number): string => String(x);
const line = (id: number, items: string[]): string => `${id}, ${items.join(', ')},`;

export function computeReport(layers: readonly LayerResult[], version: ScalesimVersion = 2): string {
  const rows = layers.map((r, i) => {
    const items = [int(r.totalCycles), int(r.stallCycles), pythonFloat(r.overallUtilization), pythonFloat(r.mappingEfficiency), pythonFloat(r.computeUtilization)];
    if (version === 3) {
      if (r.totalCyclesWithPrefetch === undefined) throw new RangeError(`layer '${r.name}': a v3 compute report needs results simulated as v3 (SimulatorOptions.v3)`);
      items.unshift(int(r.totalCyclesWithPrefetch));
    }
    return line(i, items);
  });
  return [version === 3 ? COMPUTE_REPORT_HEADER_V3 : COMPUTE_REPORT_HEADER, ...rows, ''].join('\n');
}

const isSparse = (layers: readonly LayerResult[]): boolean => layers.length > 0 && layers.every((r) => r.sparse);

export function bandwidthReport(layers: readonly LayerResult[]): string {
  const sparse = isSparse(layers);
  const rows = layers.map((r, i) =>
    line(i, [
      r.sramBandwidth.ifmap, r.sramBandwidth.filter, ...(sparse ? [r.sparse!.metadataSramBandwidth] : []), r.sramBandwidth.ofmap,
      r.dramBandwidth.ifmap, r.dramBandwidth.filter, r.dramBandwidth.ofmap,
    ].map(pythonFloat)),
  );
  return [sparse ? BANDWIDTH_REPORT_HEADER_SPARSE : BANDWIDTH_REPORT_HEADER, ...rows, ''].join('\n');
}

/** v3's SPARSE_REPORT.csv (results simulated with sparsity support on). */
export function sparseReport(layers: readonly LayerResult[]): string {
  const rows = layers.map((r, i) => {
    const s = r.sparse;
    if (!s) throw new RangeError(`layer '${r.name}': a sparse report needs results simulated with sparsity support on`);
    const storage = s.storageIsFloat ? pythonFloat : int;
    return line(i, [s.representation, int(s.originalFilterStorage), storage(s.newStorage), storage(s.metadataStorage), pythonFloat(s.metadataSramBandwidth)]);
  });
  return [SPARSE_REPORT_HEADER, ...rows, ''].join('\n');
}

export function detailedAccessReport(layers: readonly LayerResult[]): string {
  const f = pythonFloat; // cycles come out of numpy float arrays in SCALE-Sim
  const rows = layers.map((r, i) =>
    line(i, [
      // v3 counts WS ifmap reads with sparsity on as a float (× M/N per fold)
      f(r.sramStart.ifmap), f(r.sramStop.ifmap), r.sparse?.ifmapSramReadsIsFloat ? f(r.sramReads.ifmap) : int(r.sramReads.ifmap),
      f(r.sramStart.filter), f(r.sramStop.filter), int(r.sramReads.filter),
      f(r.sramStart.ofmap), f(r.sramStop.ofmap), int(r.sramWrites.ofmap),
      f(r.dramStart.ifmap), f(r.dramStop.ifmap), int(r.dramReads.ifmap),
      f(r.dramStart.filter), f(r.dramStop.filter), int(r.dramReads.filter),
      f(r.dramStart.ofmap), f(r.dramStop.ofmap), int(r.dramWrites.ofmap),
    ]),
  );
  return [DETAILED_ACCESS_REPORT_HEADER, ...rows, ''].join('\n');
}

// mapwise's own addition, in the same CSV style: average DRAM bandwidth (as BANDWIDTH_REPORT.csv)
// beside the maximum demand (LayerResult.maxDramBandwidth), words per cycle per operand.
export const MAPWISE_BANDWIDTH_REPORT_FILE = 'MAPWISE_DRAM_BANDWIDTH_REPORT.csv';
export const MAPWISE_BANDWIDTH_REPORT_HEADER =
  'LayerID, Avg IFMAP DRAM BW, Max IFMAP DRAM BW, Avg FILTER DRAM BW, Max FILTER DRAM BW, Avg OFMAP DRAM BW, Max OFMAP DRAM BW,';

export function mapwiseBandwidthReport(layers: readonly LayerResult[]): string {
  const rows = layers.map((r, i) =>
    line(i, [
      pythonFloat(r.dramBandwidth.ifmap), int(r.maxDramBandwidth.ifmap),
      pythonFloat(r.dramBandwidth.filter), int(r.maxDramBandwidth.filter),
      pythonFloat(r.dramBandwidth.ofmap), int(r.maxDramBandwidth.ofmap),
    ]),
  );
  return [MAPWISE_BANDWIDTH_REPORT_HEADER, ...rows, ''].join('\n');
}

/** The three reports by SCALE-Sim's file names, as SCALE-Sim `version` writes them (and v3's SPARSE_REPORT.csv for sparse runs). */
export function scalesimReports(layers: readonly LayerResult[], version: ScalesimVersion = 2): Record<'COMPUTE_REPORT.csv' | 'BANDWIDTH_REPORT.csv' | 'DETAILED_ACCESS_REPORT.csv', string> & { 'SPARSE_REPORT.csv'?: string } {
  return {
    ...(isSparse(layers) ? { 'SPARSE_REPORT.csv': sparseReport(layers) } : {}),
    'COMPUTE_REPORT.csv': computeReport(layers, version),
    'BANDWIDTH_REPORT.csv': bandwidthReport(layers),
    'DETAILED_ACCESS_REPORT.csv': detailedAccessReport(layers),
  };
}
