// Puts a simulated layer and a golden SCALE-Sim row in one comparable shape: integers as numbers,
// ratios rounded to 1e-9 relative.
import type { LayerResult } from '../../src/sim/types.js';
import type { GoldenCase } from './golden.js';

export type Figures = Record<string, number>;

const round = (x: number): number => (x === 0 ? 0 : Number(x.toPrecision(10)));

export function layerFigures(source: LayerResult | GoldenCase, layer = 0): Figures {
  if ('compute' in source) {
    const c = source.compute[layer]!.map(Number);
    const b = source.bandwidth[layer]!.map(Number);
    const d = source.detail[layer]!.map(Number);
    return {
      totalCycles: c[0]!, stallCycles: c[1]!, overallUtilization: round(c[2]!), mappingEfficiency: round(c[3]!), computeUtilization: round(c[4]!),
      sramBwIfmap: round(b[0]!), sramBwFilter: round(b[1]!), sramBwOfmap: round(b[2]!),
      dramBwIfmap: round(b[3]!), dramBwFilter: round(b[4]!), dramBwOfmap: round(b[5]!),
      sramIfmapStart: d[0]!, sramIfmapStop: d[1]!, sramIfmapReads: d[2]!,
      sramFilterStart: d[3]!, sramFilterStop: d[4]!, sramFilterReads: d[5]!,
      sramOfmapStart: d[6]!, sramOfmapStop: d[7]!, sramOfmapWrites: d[8]!,
      dramIfmapStart: d[9]!, dramIfmapStop: d[10]!, dramIfmapReads: d[11]!,
      dramFilterStart: d[12]!, dramFilterStop: d[13]!, dramFilterReads: d[14]!,
      dramOfmapStart: d[15]!, dramOfmapStop: d[16]!, dramOfmapWrites: d[17]!,
    };
  }
  const r = source;
  return {
    totalCycles: r.totalCycles, stallCycles: r.stallCycles,
    overallUtilization: round(r.overallUtilization), mappingEfficiency: round(r.mappingEfficiency), computeUtilization: round(r.computeUtilization),
    sramBwIfmap: round(r.sramBandwidth.ifmap), sramBwFilter: round(r.sramBandwidth.filter), sramBwOfmap: round(r.sramBandwidth.ofmap),
    dramBwIfmap: round(r.dramBandwidth.ifmap), dramBwFilter: round(r.dramBandwidth.filter), dramBwOfmap: round(r.dramBandwidth.ofmap),
    sramIfmapStart: r.sramStart.ifmap, sramIfmapStop: r.sramStop.ifmap, sramIfmapReads: r.sramReads.ifmap,
    sramFilterStart: r.sramStart.filter, sramFilterStop: r.sramStop.filter, sramFilterReads: r.sramReads.filter,
    sramOfmapStart: r.sramStart.ofmap, sramOfmapStop: r.sramStop.ofmap, sramOfmapWrites: r.sramWrites.ofmap,
    dramIfmapStart: r.dramStart.ifmap, dramIfmapStop: r.dramStop.ifmap, dramIfmapReads: r.dramReads.ifmap,
    dramFilterStart: r.dramStart.filter, dramFilterStop: r.dramStop.filter, dramFilterReads: r.dramReads.filter,
    dramOfmapStart: r.dramStart.ofmap, dramOfmapStop: r.dramStop.ofmap, dramOfmapWrites: r.dramWrites.ofmap,
  };
}
