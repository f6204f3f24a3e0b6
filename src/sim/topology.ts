// SCALE-Sim topology CSVs → validated layers. Conv rows: name, IFMAP height, IFMAP width, filter
// height, filter width, channels, filters, stride height[, stride width]; GEMM rows: name, M, N, K.
// Files carry a header line (always skipped, as SCALE-Sim does), trailing commas, blank rows and
// extra columns; errors name the file, the line and what was expected.
import { type ConvLayer, gemmLayer } from './types.js';

export class TopologyError extends Error {
  override name = 'TopologyError';
}

export interface TopologyOptions {
  /** `M, N, K` rows instead of conv rows (SCALE-Sim's `-i gemm`). */
  gemm?: boolean;
  /**
   * SCALE-Sim expands a conv row whose name contains 'DP' (case-sensitive) into `channels`
   * layers of one channel each — its undocumented depthwise path. On by default to agree with it.
   */
  expandDepthwise?: boolean;
}

const CONV_FIELDS = ['IFMAP height', 'IFMAP width', 'filter height', 'filter width', 'channels', 'number of filters', 'stride height'];

export function parseTopology(text: string, file = '<topology>', options: TopologyOptions = {}): ConvLayer[] {
  const layers: ConvLayer[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    if (index === 0) return; // the header, whatever it holds
    const line = index + 1;
    const row = raw.trim();
    if (row === '') return;
    const fields = row.split(',').map((f) => f.trim());
    if (fields.every((f) => f === '')) return; // a row of bare commas (mlperf/Resnet50.csv has one)
    // SCALE-Sim drops the last field (`split(',')[:-1]`), so every row must end in a comma.
    if (fields[fields.length - 1] !== '') {
      throw new TopologyError(`${file}:${line}: row must end with a comma (SCALE-Sim drops the last field of a row without one): '${row}'`);
    }
    fields.pop();
    const name = fields[0]!;
    if (name === '') throw new TopologyError(`${file}:${line}: the layer name (first column) is empty`);
    const int = (i: number, what: string): number => {
      const text = fields[i];
      if (text === undefined || text === '') throw new TopologyError(`${file}:${line}: missing ${what} (column ${i + 1}) in layer '${name}'`);
      if (!/^[+-]?\d+$/.test(text)) throw new TopologyError(`${file}:${line}: ${what} (column ${i + 1}) must be an integer, got '${text}'`);
      const value = Number(text);
      if (value <= 0) throw new TopologyError(`${file}:${line}: ${what} (column ${i + 1}) must be positive, got ${value}`);
      return value;
    };
    if (options.gemm) {
      if (fields.length < 4) throw new TopologyError(`${file}:${line}: a GEMM row needs 4 columns (name, M, N, K), got ${fields.length}`);
      layers.push(gemmLayer(name, int(1, 'M'), int(2, 'N'), int(3, 'K')));
      return;
    }
    if (fields.length < 8) {
      throw new TopologyError(`${file}:${line}: a conv row needs at least 8 columns (name, ${CONV_FIELDS.join(', ')}), got ${fields.length}`);
    }
    const v = CONV_FIELDS.map((what, i) => int(i + 1, what));
    // A 9th column is the stride width; empty or absent means "same as the stride height".
    const strideWidth = fields.length > 8 && fields[8] !== '' ? int(8, 'stride width') : v[6]!;
    const layer: ConvLayer = {
      name, ifmapHeight: v[0]!, ifmapWidth: v[1]!, filterHeight: v[2]!, filterWidth: v[3]!,
      channels: v[4]!, numFilters: v[5]!, strideHeight: v[6]!, strideWidth,
    };
    if (layer.filterHeight > layer.ifmapHeight) {
      throw new TopologyError(`${file}:${line}: filter height ${layer.filterHeight} is larger than the IFMAP height ${layer.ifmapHeight} in layer '${name}'`);
    }
    if (layer.filterWidth > layer.ifmapWidth) {
      throw new TopologyError(`${file}:${line}: filter width ${layer.filterWidth} is larger than the IFMAP width ${layer.ifmapWidth} in layer '${name}'`);
    }
    if ((options.expandDepthwise ?? true) && name.includes('DP')) {
      for (let c = 0; c < layer.channels; c++) layers.push({ ...layer, name: `${name}Channel_${c}`, channels: 1 });
    } else {
      layers.push(layer);
    }
  });
  if (layers.length === 0) throw new TopologyError(`${file}: no layers (the first line is a header and is always skipped)`);
  return layers;
}

/** The topology CSV text SCALE-Sim reads for these layers (9 columns, trailing commas). */
export function formatTopology(layers: readonly ConvLayer[]): string {
  const header = 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Stride Height, Stride Width,';
  const rows = layers.map((l) =>
    [l.name, l.ifmapHeight, l.ifmapWidth, l.filterHeight, l.filterWidth, l.channels, l.numFilters, l.strideHeight, l.strideWidth].join(', ') + ',',
  );
  return [header, ...rows, ''].join('\n');
}
