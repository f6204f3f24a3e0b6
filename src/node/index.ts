// Entry point for Node: the core's bytes come from the file system.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { registerRuntime } from '../core/load.js';
import { wasmUrl } from '../core/flavour.js';

registerRuntime({
  runtime: 'node',
  provider: async (flavour) => WebAssembly.compile(await readFile(fileURLToPath(wasmUrl(flavour)))),
});

export * from '../lib.js';
export { loadModel } from './models.js';
export { exportOnnx, modelFromBytes, type OnnxImportOptions } from '../graph/onnx.js';
export { WorkerMeasurer, type WorkerMeasurerOptions } from './measurer.js';
export { readModelFile, type ModelFile } from './model-file.js';
