// The Web Worker of the browser/Deno measurer (./measure-web.ts). Importing the browser entry
// point registers how the core's wasm is fetched.
import '../index.js';
import { serveMeasurements, type ToWorker } from './measure-isolated.js';

const scope = globalThis as unknown as { postMessage(message: unknown): void; onmessage: ((event: MessageEvent<ToWorker>) => void) | null };
const handle = serveMeasurements((message) => scope.postMessage(message));
scope.onmessage = (event) => handle(event.data);
