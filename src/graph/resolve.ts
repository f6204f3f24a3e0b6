// Model names: which strings name a built-in model and which look like paths. Reading a path
// is runtime-specific (src/node/models.ts for Node); ONNX bytes go through `modelFromBytes`
// in onnx.ts.
import { dnnLikeGraph, layeredDag } from './synthetic.js';
import type { Graph } from './types.js';
import { zooEntry } from './zoo/index.js';

/** What `builtinModel` accepts besides zoo names. */
export const GENERATOR_SPECS = 'synthetic:N[:seed[:levels]] (layered DAG of N nodes, levels default N/2) or dnnlike:B[:seed] (B conv blocks)';

/** A generated graph for `synthetic:N[:seed[:levels]]` or `dnnlike:B[:seed]`, or undefined for other strings. */
/** Default levels of an n-node synthetic DAG: RESPECT trains on 30 nodes over 10–25 levels, and half the node count sits in that range. */
export function syntheticLevels(n: number): number {
  return Math.max(1, Math.min(n, Math.round(n / 2)));
}

export function generatedModel(spec: string): Graph | undefined {
  const m = /^(synthetic|dnnlike):(\d+)(?::(\d+))?(?::(\d+))?$/.exec(spec.trim().toLowerCase());
  if (!m) return undefined;
  const size = Number(m[2]);
  const seed = Number(m[3] ?? 1);
  if (m[1] === 'dnnlike') {
    if (m[4] !== undefined) throw new RangeError(`dnnlike takes blocks and a seed, not '${spec}'`);
    return dnnLikeGraph({ blocks: size, seed });
  }
  const levels = m[4] === undefined ? syntheticLevels(size) : Number(m[4]);
  return layeredDag({ nodes: size, levels, seed });
}

/** The zoo name a user may have meant: lower case, separators dropped (`ResNet-50` -> `resnet50`). */
export function normaliseModelName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** A zoo model for a name as users write it, or a generated graph for a generator spec; undefined otherwise. */
export function builtinModel(name: string): Graph | undefined {
  return generatedModel(name) ?? zooEntry(normaliseModelName(name))?.build();
}

/** Whether a string looks like a file path rather than a zoo name. */
export function looksLikePath(spec: string): boolean {
  return /[\\/]/.test(spec) || /\.onnx$/i.test(spec);
}
