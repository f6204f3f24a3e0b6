// The built-in models: the table of entries.ts with a builder for each (models.ts, convsets.ts).
import { UserError } from '../../base/errors.js';
import type { Graph } from '../types.js';
import { ALEXNET_CONVS, RESNET18_CONVS, VGG16_CONVS, convLayerGraph } from './convsets.js';
import { ZOO_ENTRIES, zooNames, zooSizeProblem, type ZooEntryInfo } from './entries.js';
import * as m from './models.js';

export interface ZooEntry extends ZooEntryInfo {
  /** The graph for a square input of `size` pixels; the entry's own size when omitted. */
  readonly build: (size?: number) => Graph;
}

const BUILDERS: Readonly<Record<string, (size?: number) => Graph>> = {
  alexnet: m.alexnet,
  vgg16: m.vgg16,
  vgg19: m.vgg19,
  resnet18: m.resnet18,
  resnet34: m.resnet34,
  resnet50: m.resnet50,
  resnet101: m.resnet101,
  resnet152: m.resnet152,
  squeezenet11: m.squeezenet11,
  mobilenet: m.mobilenet,
  mobilenetv2: m.mobilenetv2,
  densenet121: m.densenet121,
  densenet169: m.densenet169,
  densenet201: m.densenet201,
  inceptionv3: m.inceptionv3,
  xception: m.xception,
  googlenet: m.googlenet,
  inceptionv4: m.inceptionv4,
  inceptionresnetv2: m.inceptionresnetv2,
  resnet50v2: m.resnet50v2,
  resnet152v2: m.resnet152v2,
  efficientnetb0: m.efficientnetb0,
  efficientnetedgetpus: m.efficientnetedgetpus,
  efficientnetedgetpum: m.efficientnetedgetpum,
  efficientnetedgetpul: m.efficientnetedgetpul,
  alexnetconvs: () => convLayerGraph('alexnetconvs', ALEXNET_CONVS),
  vgg16convs: () => convLayerGraph('vgg16convs', VGG16_CONVS),
  resnet18convs: () => convLayerGraph('resnet18convs', RESNET18_CONVS),
};

export const ZOO: readonly ZooEntry[] = ZOO_ENTRIES.map((e) => ({ ...e, build: BUILDERS[e.name]! }));

export function zooEntry(name: string): ZooEntry | undefined {
  return ZOO.find((e) => e.name === name);
}

/**
 * A built-in model by name, at its own input size or at `size` x `size` (named `name@size` then);
 * throws naming the known models, or saying why the size does not fit the network.
 */
export function zooModel(name: string, size?: number): Graph {
  const entry = zooEntry(name);
  if (!entry) throw new UserError(`no built-in model '${name}'; known: ${zooNames().join(', ')}`, { field: 'model' });
  if (size === undefined || size === entry.size) return entry.build();
  const problem = zooSizeProblem(entry, size);
  if (problem) throw new UserError(`${name}@${size}: ${problem}`, { field: 'model' });
  let graph: Graph;
  try {
    graph = entry.build(size);
  } catch (e) {
    throw new UserError(`${name}@${size}: ${name} cannot take a ${size}x${size} input: ${(e as Error).message}`, { field: 'model' });
  }
  return { ...graph, name: `${name}@${size}` };
}

export { MAX_ZOO_SIZE, ZOO_ENTRIES, zooEntryInfo, zooNames, zooSizeProblem, type ZooEntryInfo } from './entries.js';
export { ALEXNET_CONVS, RESNET18_CONVS, VGG16_CONVS, convLayerGraph, type ConvsetLayer } from './convsets.js';
