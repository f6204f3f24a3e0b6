// Reading an ONNX model file for the runtime in Node: its bytes, and a reader for the external
// data files it names, resolved beside the model as ONNX specifies.
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { UserError } from '../base/errors.js';
import type { ExternalDataReader } from '../run/index.js';

export interface ModelFile {
  readonly bytes: Uint8Array;
  readonly source: string;
  readonly readExternal: ExternalDataReader;
}

export async function readModelFile(path: string): Promise<ModelFile> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (e) {
    throw new UserError(`cannot read '${path}': ${(e as Error).message}`, { file: path });
  }
  const folder = dirname(path);
  const readExternal: ExternalDataReader = async (location) => {
    if (isAbsolute(location) || location.split(/[\\/]/).includes('..')) {
      throw new UserError(`external data location '${location}' must be a relative path inside the model's folder`, { file: path });
    }
    return new Uint8Array(await readFile(join(folder, location)));
  };
  return { bytes, source: path, readExternal };
}
