// Entry point for Node: the core's bytes come from the file system.
import './runtime.js';

export * from '../lib.js';
export type { OnnxImportOptions } from '../graph/onnx.js';

// The ONNX reader and writer load on first use, so importing mapwise does not parse them.
type Onnx = typeof import('../graph/onnx.js');
type Models = typeof import('./models.js');

/** A zoo name, a generator spec or an ONNX file by path (see ./models.ts). */
export const loadModel = async (...args: Parameters<Models['loadModel']>): ReturnType<Models['loadModel']> => (await import('./models.js')).loadModel(...args);
/** The graph of an ONNX file's bytes; asynchronous, unlike src/graph/onnx.ts, as it loads the decoder. */
export const modelFromBytes = async (...args: Parameters<Onnx['modelFromBytes']>): Promise<ReturnType<Onnx['modelFromBytes']>> => (await import('../graph/onnx.js')).modelFromBytes(...args);
/** A graph as ONNX bytes; asynchronous, unlike src/graph/onnx.ts, as it loads the encoder. */
export const exportOnnx = async (...args: Parameters<Onnx['exportOnnx']>): Promise<ReturnType<Onnx['exportOnnx']>> => (await import('../graph/onnx.js')).exportOnnx(...args);
export { WorkerMeasurer, type WorkerMeasurerOptions } from './measurer.js';
export { readModelFile, type ModelFile } from './model-file.js';
