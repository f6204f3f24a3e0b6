// SCALE-Sim topology CSVs → validated layers. Conv rows: name, IFMAP height, IFMAP width, filter
// height, filter width, channels, filters, then v2: stride height[, stride width]; v3: one stride
// [, sparsity N:M]. GEMM rows: name, M, N, K (v3: [, sparsity N:M]). A file is v3 when its header
// names a Sparsity column or a row holds an N:M ratio there; an 8-column conv file reads the same
// either way. Files carry a header line (always skipped, as SCALE-Sim does), trailing commas, blank
// rows and extra columns; errors name the file, the line and what was expected.
import { placeInMessage, UserError, type UserErrorPlace } from '../base/errors.js';
import { type ConvLayer, gemmLayer, type NmSparsity, type ScalesimVersion } from './types.js';

/** A bad SCALE-Sim topology; its messages begin with 'file:line:', which gives the place. */
export class TopologyError extends UserError {
  override name = 'TopologyError';
  constructor(message: string, place: UserErrorPlace = placeInMessage(message)) {
    super(message, place);
  }
}

export interface TopologyOptions {
  /** `M, N, K` rows instead of conv rows (SCALE-Sim's `-i gemm`). */
  gemm?: boolean;
  /**
   * SCALE-Sim expands a conv row whose name contains 'DP' (case-sensitive) into `channels`
   * layers of one channel each — its undocumented depthwise path. On by default to agree with it.
   */
  expandDepthwise?: boolean;
  /** Read the file as this release; by default v3 when it has a Sparsity column (by name or by an N:M value), else v2. */
  version?: ScalesimVersion;
}

/** A parsed topology: which release it is written for and its layers (v3: with their N:M sparsity). */
export interface ScalesimTopologyFile {
  readonly version: ScalesimVersion;
  readonly layers: ConvLayer[];
}

const RATIO = /^(\d+)\s*:\s*(\d+)$/;

const CONV_FIELDS = ['IFMAP height', 'IFMAP width', 'filter height', 'filter width', 'channels', 'number of filters', 'stride height'];

export function parseTopology(text: string, file = '<topology>', options: TopologyOptions = {}): ConvLayer[] {
  return parseScalesimTopology(text, file, options).layers;
}

/** The release a topology's text is written for: v3 when it has a Sparsity column. */
export function detectTopologyVersion(text: string, gemm = false): ScalesimVersion {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((f) => f.trim().toLowerCase());
  if (header.includes('sparsity')) return 3;
  const column = gemm ? 4 : 8;
  return lines.slice(1).some((row) => row.includes(':') && row.split(',')[column]?.includes(':')) ? 3 : 2;
}

export function parseScalesimTopology(text: string, file = '<topology>', options: TopologyOptions = {}): ScalesimTopologyFile {
  const version = options.version ?? detectTopologyVersion(text, options.gemm);
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
      if (!/^[+-]?\d+$/.test(text)) {
        const hint = version === 2 && text.includes(':') ? ' (an N:M Sparsity column is SCALE-Sim v3\'s: read the file as v3)' : '';
        throw new TopologyError(`${file}:${line}: ${what} (column ${i + 1}) must be an integer, got '${text}'${hint}`);
      }
      const value = Number(text);
      if (value <= 0) throw new TopologyError(`${file}:${line}: ${what} (column ${i + 1}) must be positive, got ${value}`);
      return value;
    };
    // v3's Sparsity column; empty means dense (v3 itself stops at an empty one).
    const sparsity = (i: number): { sparsity?: NmSparsity } => {
      const text = fields[i];
      if (text === undefined || text === '') return {};
      const match = RATIO.exec(text);
      const n = match ? Number(match[1]) : NaN;
      const m = match ? Number(match[2]) : NaN;
      if (!match || !(n >= 1 && n <= m)) {
        const hint = /^\d+$/.test(text) && !options.gemm ? ' (v3 has one Strides column; a second stride is v2\'s stride width: read the file as v2)' : '';
        throw new TopologyError(`${file}:${line}: Sparsity (column ${i + 1}) must be N:M with 1 ≤ N ≤ M, got '${text}' in layer '${name}'${hint}`);
      }
      return { sparsity: Object.freeze({ n, m }) };
    };
    if (options.gemm) {
      if (fields.length < 4) throw new TopologyError(`${file}:${line}: a GEMM row needs 4 columns (name, M, N, K), got ${fields.length}`);
      const layer = gemmLayer(name, int(1, 'M'), int(2, 'N'), int(3, 'K'));
      // v2 and v3 both ignore the columns after the ones they read.
      layers.push(version === 3 ? { ...layer, ...sparsity(4) } : layer);
      return;
    }
    const columns = version === 3 ? 'name, IFMAP height, IFMAP width, filter height, filter width, channels, number of filters, strides[, sparsity]' : `name, ${CONV_FIELDS.join(', ')}`;
    if (fields.length < 8) {
      throw new TopologyError(`${file}:${line}: a conv row needs at least 8 columns (${columns}), got ${fields.length}`);
    }
    const v = CONV_FIELDS.map((what, i) => int(i + 1, version === 3 && i === 6 ? 'strides' : what));
    let strideWidth = v[6]!;
    let extra: { sparsity?: NmSparsity } = {};
    if (version === 3) {
      // v3 reads the last field of a row as its sparsity: a field after column 9 would shift it.
      const beyond = fields.findIndex((f, i) => i > 8 && f !== '');
      if (beyond >= 0) throw new TopologyError(`${file}:${line}: a SCALE-Sim v3 conv row has at most 9 columns (${columns}), got '${fields[beyond]}' in column ${beyond + 1}`);
      extra = sparsity(8);
    } else if (fields.length > 8 && fields[8] !== '') {
      // A 9th column is the stride width; empty or absent means "same as the stride height".
      strideWidth = int(8, 'stride width');
    }
    const layer: ConvLayer = {
      name, ifmapHeight: v[0]!, ifmapWidth: v[1]!, filterHeight: v[2]!, filterWidth: v[3]!,
      channels: v[4]!, numFilters: v[5]!, strideHeight: v[6]!, strideWidth, ...extra,
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
  return { version, layers };
}

/** The topology CSV text SCALE-Sim reads for these layers (9 columns, trailing commas). */
export function formatTopology(layers: readonly ConvLayer[]): string {
  const header = 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Stride Height, Stride Width,';
  const rows = layers.map((l) =>
    [l.name, l.ifmapHeight, l.ifmapWidth, l.filterHeight, l.filterWidth, l.channels, l.numFilters, l.strideHeight, l.strideWidth].join(', ') + ',',
  );
  return [header, ...rows, ''].join('\n');
}
