// The `model` argument of the facades: a Graph (from importOnnx or built in code), a zoo name
// as users write it (`mobilenetv2`, `ResNet-50`), or a generator spec (`synthetic:30:1`,
// `dnnlike:8:2`).
import { verify } from '../graph/build.js';
import { builtinModel } from '../graph/resolve.js';
import type { Graph } from '../graph/types.js';
import { zooNames } from '../graph/zoo/index.js';
import { OptionsError } from './check.js';

export type ModelInput = Graph | string;

function isGraph(value: unknown): value is Graph {
  const g = value as Graph;
  return typeof value === 'object' && value !== null && typeof g.name === 'string' && Array.isArray(g.nodes) && Array.isArray(g.edges);
}

export function resolveModel(where: string, model: unknown): Graph {
  if (typeof model === 'string') {
    const graph = builtinModel(model);
    if (!graph) throw new OptionsError(`${where}: '${model}' is not a zoo model (${zooNames().join(', ')}) nor synthetic:N[:seed] / dnnlike:B[:seed]; import ONNX bytes with importOnnx`);
    return graph;
  }
  if (!isGraph(model)) throw new OptionsError(`${where}: model must be a Graph (from importOnnx) or a zoo name, got ${model === null ? 'null' : typeof model}`);
  verify(model);
  return model;
}
