// A step-by-step reference of the tiled mapping model (src/sim/mapping.ts), used only by tests:
// it walks every tile step of the loop nest, fetches an operand's tile whenever its tile index
// differs from the previous step's, reads partial sums back when an ofmap tile was visited
// before, and charges each step its compute and transfer. The fast model aggregates steps by class.
import { gemmLines, gemmSramCounts, type LayerShape, type Mapping, type MappingTarget, mappingTiles } from '../../src/sim/mapping.js';

export interface ReferenceFigures {
  totalCycles: number;
  computeCycles: number;
  dram: { ifmap: number; filter: number; ofmapReads: number; ofmapWrites: number };
  sram: { ifmap: number; filter: number; ofmap: number };
  steps: number;
}

export function referenceTiled(shape: LayerShape, target: MappingTarget, mapping: Mapping): ReferenceFigures {
  const { config, dramBytesPerCycle: bw } = target;
  const cuts = mappingTiles(shape, config, mapping);
  const dims = mapping.order.split('').map((d) => 'mnk'.indexOf(d));
  const sizeAt = (dim: number, index: number): number => (index === cuts[dim]!.count - 1 ? cuts[dim]!.last : cuts[dim]!.size);
  let prev: number[] | undefined;
  const visitedOfmap = new Set<string>();
  const out: ReferenceFigures = { totalCycles: 0, computeCycles: 0, dram: { ifmap: 0, filter: 0, ofmapReads: 0, ofmapWrites: 0 }, sram: { ifmap: 0, filter: 0, ofmap: 0 }, steps: 0 };
  const [a, b, c] = dims as [number, number, number];
  for (let i0 = 0; i0 < cuts[a]!.count; i0++) {
    for (let i1 = 0; i1 < cuts[b]!.count; i1++) {
      for (let i2 = 0; i2 < cuts[c]!.count; i2++) {
        const idx = [0, 0, 0];
        idx[a] = i0;
        idx[b] = i1;
        idx[c] = i2;
        const [im, in_, ik] = idx as [number, number, number];
        const tm = sizeAt(0, im);
        const tn = sizeAt(1, in_);
        const tk = sizeAt(2, ik);
        let bytes = 0;
        if (!prev || prev[0] !== im || prev[2] !== ik) {
          const w = shape.ifmapFootprint(tm, tk);
          out.dram.ifmap += w;
          bytes += w;
        }
        if (!prev || prev[2] !== ik || prev[1] !== in_) {
          out.dram.filter += shape.filterWords(tk, tn); // with its metadata on a sparse array
          bytes += shape.filterWords(tk, tn);
        }
        if (!prev || prev[0] !== im || prev[1] !== in_) {
          out.dram.ofmapWrites += tm * tn;
          bytes += tm * tn;
          const key = `${im},${in_}`;
          if (visitedOfmap.has(key)) {
            out.dram.ofmapReads += tm * tn;
            bytes += tm * tn;
          }
        }
        visitedOfmap.add(`${im},${in_}`);
        const lines = gemmLines(config.dataflow, config.rows, config.cols, tm, tn, tk);
        const s = gemmSramCounts(config.dataflow, config.rows, config.cols, tm, tn, tk);
        out.sram.ifmap += s.ifmap;
        out.sram.filter += s.filter * (1 + shape.metadataPerWord);
        out.sram.ofmap += s.ofmap;
        const transfer = Number.isFinite(bw) ? Math.ceil(bytes / bw) : 0;
        out.totalCycles += !mapping.doubleBuffer || !prev ? lines + transfer : Math.max(lines, transfer);
        out.computeCycles += lines;
        out.steps++;
        prev = idx;
      }
    }
  }
  out.totalCycles -= 1;
  out.computeCycles -= 1;
  return out;
}
