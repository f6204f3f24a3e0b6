// `importOnnx(bytes, options) → Promise<Graph>` in every runtime. The decoder (onnx-proto, a
// CommonJS package) is loaded on first use, so the isomorphic entry stays loadable where bare
// npm names do not resolve (an unbundled page); Node, Deno with node_modules, and bundlers
// (Vite) resolve it.
import type { Graph } from '../graph/types.js';
import { checkOptions, OptionsError } from './check.js';

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
    throw new Error(
      `importOnnx: could not load the ONNX decoder (npm package onnx-proto): ${cause instanceof Error ? cause.message : String(cause)}. ` +
        'In a browser, load mapwise through a bundler such as Vite; in Deno, run beside node_modules.',
    );
  });
  return importer;
}

export async function importOnnx(bytes: Uint8Array | ArrayBuffer, options?: ImportOnnxOptions): Promise<Graph> {
  const o = checkOptions<ImportOnnxOptions>('importOnnx', options, { name: { type: 'string' }, source: { type: 'string' } });
  let view: Uint8Array;
  if (bytes instanceof Uint8Array) view = bytes;
  else if (bytes instanceof ArrayBuffer) view = new Uint8Array(bytes);
  else throw new OptionsError(`importOnnx: bytes must be a Uint8Array or an ArrayBuffer, got ${bytes === null ? 'null' : typeof bytes}`);
  const onnx = await loadImporter();
  const base = o.source?.split(/[\\/]/).pop()?.replace(/\.onnx$/i, '');
  const name = o.name ?? (base || undefined);
  return onnx.importOnnx(view, { source: o.source ?? 'model.onnx', ...(name === undefined ? {} : { name }) });
}
