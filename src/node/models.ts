// Node's model loader: every command that takes a model goes through `loadModel`, which reads
// the spec with the one grammar (src/graph/model-spec.ts) and reads ONNX files from disk.
import { readFile } from 'node:fs/promises';
import { builtinGraph } from '../graph/builtin.js';
import { GRAPH_SPEC_KINDS, modelSpecHelp, parseModelSpec, type ModelSpec } from '../graph/model-spec.js';
import { modelFromBytes } from '../graph/onnx.js';
import { GraphError, type Graph } from '../graph/types.js';
import { zooNames } from '../graph/zoo/entries.js';

/** A zoo model (`resnet50`, `ResNet-50@299`), a generator spec (`synthetic:30:7`) or an ONNX file by path. */
export async function loadModel(text: string | ModelSpec): Promise<Graph> {
  const spec = typeof text === 'string' ? parseModelSpec(text, GRAPH_SPEC_KINDS) : text;
  const builtin = builtinGraph(spec);
  if (builtin) return builtin;
  if (spec.kind !== 'file') throw new GraphError(`a ${spec.kind} spec names no graph; expected ${modelSpecHelp(GRAPH_SPEC_KINDS)}`);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(spec.path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && spec.bare) {
      throw new GraphError(`'${spec.path}' is neither a built-in model (${zooNames().join(', ')}) nor a file; expected ${modelSpecHelp(GRAPH_SPEC_KINDS)}`);
    }
    throw new GraphError(`cannot read '${spec.path}': ${(e as Error).message}`);
  }
  return modelFromBytes(bytes, spec.path);
}
