// Registers how Node reads the core: from the file system. Imported by the Node entry
// (./index.ts) and by the CLI, which must not pay for the whole library to start.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { registerRuntime } from '../core/load.js';
import { wasmUrl } from '../core/flavour.js';

registerRuntime({
  runtime: 'node',
  provider: async (flavour) => WebAssembly.compile(await readFile(fileURLToPath(wasmUrl(flavour)))),
});
