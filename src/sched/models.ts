// Model specs the schedulers accept by name: `synthetic:N[:seed]` (RESPECT-style layered
// DAG of N nodes), `dnnlike:B[:seed]` (Conv/Relu/Add/Concat network of B blocks).
import { dnnLikeGraph, layeredDag, type Graph } from '../graph/index.js';

export const MODEL_HELP = 'synthetic:N[:seed] (layered DAG of N nodes) or dnnlike:B[:seed] (B conv blocks)';

/** Levels of a synthetic graph of n nodes: RESPECT uses 10–25 levels for 30 nodes. */
export function syntheticLevels(n: number): number {
  return Math.max(1, Math.min(n, Math.round(n * 0.5)));
}

export function syntheticGraph(nodes: number, seed: number): Graph {
  return layeredDag({ nodes, levels: syntheticLevels(nodes), seed });
}

/** A graph for a spec string, or undefined when the spec is not a generator spec. */
export function generatedGraph(spec: string): Graph | undefined {
  const m = /^(synthetic|dnnlike):(\d+)(?::(\d+))?$/.exec(spec);
  if (!m) return undefined;
  const size = Number(m[2]);
  const seed = Number(m[3] ?? 1);
  return m[1] === 'synthetic' ? syntheticGraph(size, seed) : dnnLikeGraph({ blocks: size, seed });
}
