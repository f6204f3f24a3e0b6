// The inference runtime: ONNX models compiled once and run in the wasm core.
export { createSession, Session, SUPPORTED_OPS, type Feed, type OutputTensor, type Profile, type SessionOptions, type TensorDescription } from './session.js';
export { RuntimeError } from './lower.js';
export type { ExternalDataReader } from './weights.js';
export { readNpy, writeNpy, type NpyArray } from './npy.js';
export { placeholderWeights } from './placeholder-weights.js';
