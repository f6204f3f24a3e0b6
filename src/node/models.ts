// Node's model loader: a zoo name or a path to an ONNX file. Every command that takes a model
// goes through `loadModel`.
import { readFile } from 'node:fs/promises';
import { modelFromBytes } from '../graph/onnx.js';
import { GENERATOR_SPECS, builtinModel, looksLikePath } from '../graph/resolve.js';
import { GraphError, type Graph } from '../graph/types.js';
import { zooNames } from '../graph/zoo/index.js';

/** A zoo model by name (`resnet50`, `ResNet-50`), a generator spec (`synthetic:30:7`) or an ONNX file by path. */
export async function loadModel(nameOrPath: string): Promise<Graph> {
  if (!looksLikePath(nameOrPath)) {
    const builtin = builtinModel(nameOrPath);
    if (builtin) return builtin;
  }
  let bytes: Uint8Array;
  try {
    bytes = await readFile(nameOrPath);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !looksLikePath(nameOrPath)) {
      throw new GraphError(`'${nameOrPath}' is neither a built-in model (${zooNames().join(', ')}), ${GENERATOR_SPECS}, nor a file`);
    }
    throw new GraphError(`cannot read '${nameOrPath}': ${(e as Error).message}`);
  }
  return modelFromBytes(bytes, nameOrPath);
}
