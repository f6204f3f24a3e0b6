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
export { ZOO, zooEntry, zooModel, zooNames, ALEXNET_CONVS, VGG16_CONVS, RESNET18_CONVS, convLayerGraph, type ZooEntry, type ConvLayer } from './zoo/index.js';
export { foldBatchNorm } from './passes.js';
export { builtinModel, generatedModel, normaliseModelName, looksLikePath, GENERATOR_SPECS } from './resolve.js';
// The ONNX importer (./onnx.js) is not re-exported here: onnx-proto is a CommonJS npm package that
// Deno (--no-npm) and browsers cannot resolve by bare name, so the entry points that can load it
// export it (src/node/index.ts).
