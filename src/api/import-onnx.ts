// `importOnnx(bytes, options) → Promise<Graph>` in every runtime. The importer and its decoder
// (onnx-proto, vendored as an ES module in src/graph/vendor) are loaded on first use, so pages
// and workers that never read ONNX do not fetch them.
import type { Graph } from '../graph/types.js';
import { checkOptions, OptionsError } from '../base/options.js';

export interface ImportOnnxOptions {
  /** Graph name; default: the file name of `source` without `.onnx`, else the model's graph name. */
  name?: string;
  /** Where the bytes came from (a file name or URL), for error messages. */
  source?: string;
}

type Importer = typeof import('../graph/onnx.js');
let importer: Promise<Importer> | undefined;

function loadImporter(): Promise<Importer> {
  importer ??= import('../graph/onnx.js').catch((cause: unknown) => {
    importer = undefined;
    throw new Error(`importOnnx: could not load the ONNX importer: ${cause instanceof Error ? cause.message : String(cause)}`);
  });
  return importer;
}

export async function importOnnx(bytes: Uint8Array | ArrayBuffer, options?: ImportOnnxOptions): Promise<Graph> {
  const o = checkOptions<ImportOnnxOptions>('importOnnx', options, { name: { type: 'string' }, source: { type: 'string' } });
  let view: Uint8Array;
  if (bytes instanceof Uint8Array) view = bytes;
  else if (bytes instanceof ArrayBuffer) view = new Uint8Array(bytes);
  else throw new OptionsError(`importOnnx: bytes must be a Uint8Array or an ArrayBuffer, got ${bytes === null ? 'null' : typeof bytes}`, { field: 'bytes' });
  const onnx = await loadImporter();
  const base = o.source?.split(/[\\/]/).pop()?.replace(/\.onnx$/i, '');
  const name = o.name ?? (base || undefined);
  return onnx.importOnnx(view, { source: o.source ?? 'model.onnx', ...(name === undefined ? {} : { name }) });
}
