// The `model` argument of the facades: a Graph (from importOnnx or built in code), or a spec in
// the one grammar of src/graph/model-spec.ts: a zoo name as users write it (`mobilenetv2`,
// `ResNet-50@299`) or a generator spec (`synthetic:30:1`, `dnnlike:8:2`). Files are the caller's
// to read (the library runs where there is no file system).
import { verify } from '../graph/build.js';
import { builtinGraph } from '../graph/builtin.js';
import type { Graph } from '../graph/types.js';
import { OptionsError } from '../base/options.js';
import { modelSpecOf } from './check.js';

export type ModelInput = Graph | string;

function isGraph(value: unknown): value is Graph {
  const g = value as Graph;
  return typeof value === 'object' && value !== null && typeof g.name === 'string' && Array.isArray(g.nodes) && Array.isArray(g.edges);
}

export function resolveModel(where: string, model: unknown): Graph {
  if (typeof model === 'string') return builtinGraph(modelSpecOf(where, model))!;
  if (!isGraph(model)) throw new OptionsError(`${where}: model must be a Graph (from importOnnx) or a zoo name, got ${model === null ? 'null' : typeof model}`, { field: 'model' });
  verify(model);
  return model;
}
