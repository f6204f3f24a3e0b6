// The graph front-end: IR, verifier, analyses and generators. Imports nothing of ours outside
// src/graph except src/helpers.
export * from './types.js';
export { OPS, isKnownOp, broadcast, type OpRule, type OutType } from './ops.js';
export {
  buildGraph, verify, specOf,
  type GraphSpec, type NodeSpec, type NodeInputSpec, type TensorSpec, type ConstantInputSpec,
} from './build.js';
export * from './analysis.js';
export * from './synthetic.js';
export { ZOO, ZOO_ENTRIES, zooEntry, zooEntryInfo, zooModel, zooNames, zooSizeProblem, MAX_ZOO_SIZE, ALEXNET_CONVS, VGG16_CONVS, RESNET18_CONVS, convLayerGraph, type ZooEntry, type ZooEntryInfo, type ConvsetLayer } from './zoo/index.js';
export { deploymentGraph, foldBatchNorm } from './passes.js';
export { builtinGraph } from './builtin.js';
export {
  parseModelSpec, modelSpecHelp, syntheticLevels, ModelSpecError, MODEL_SPEC_KINDS, GRAPH_SPEC_KINDS, MODEL_SPEC_FORMS,
  type ModelSpec, type ModelSpecKind,
} from './model-spec.js';
// The ONNX importer (./onnx.js) is reached through the library's async `importOnnx` facade
// (src/api/import-onnx.ts), which loads it on first use.
