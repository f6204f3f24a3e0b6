// Model names: which strings name a built-in model and which look like paths. Reading a path
// is runtime-specific (src/node/models.ts for Node); ONNX bytes go through `modelFromBytes`
// in onnx.ts.
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
