// Where the test fixtures live, inside the repository: tests never read outside it.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const MODELS = new URL('../fixtures/models/', import.meta.url);

/** The path of a fixture model (e.g. 'resnet18_noweights.onnx'), for APIs that take a file. */
export const modelPath = (file: string): string => fileURLToPath(new URL(file, MODELS));

/** A fixture model's bytes, copied into a plain Uint8Array (mutations never leak between reads). */
export const readModel = (file: string): Uint8Array => new Uint8Array(readFileSync(new URL(file, MODELS)));
