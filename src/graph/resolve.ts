// The isomorphic half of model loading: a zoo name or ONNX bytes to a Graph. Reading a path
// is runtime-specific (src/node/models.ts for Node); browsers and edge functions fetch the bytes
// themselves and call `modelFromBytes`.
import { importOnnx } from './onnx.js';
import type { Graph } from './types.js';
import { zooEntry } from './zoo/index.js';

/** The zoo name a user may have meant: lower case, separators dropped (`ResNet-50` -> `resnet50`). */
export function normaliseModelName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** A built-in model for a name as users write it, or undefined when the name is not in the zoo. */
export function builtinModel(name: string): Graph | undefined {
  return zooEntry(normaliseModelName(name))?.build();
}

/** Whether a string looks like a file path rather than a zoo name. */
export function looksLikePath(spec: string): boolean {
  return /[\\/]/.test(spec) || /\.onnx$/i.test(spec);
}

/** An ONNX model from its bytes; `source` (a file name or URL) names the graph and the errors. */
export function modelFromBytes(bytes: Uint8Array, source = 'model.onnx'): Graph {
  const base = source.split(/[\\/]/).pop() ?? source;
  return importOnnx(bytes, { source, name: base.replace(/\.onnx$/i, '') || 'model' });
}
