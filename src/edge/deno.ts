// Entry point for Deno (`deno serve --allow-read=dist/build dist/src/edge/deno.js`, or `Deno.serve(handler.fetch)`):
// registers the wasm loader (fetch of a file: URL) as the Deno entry of the library does, without
// importing the rest of the library, then the shared handler answers, loading what each route uses.
import { fetchProvider, registerRuntime } from '../core/load.js';
import { handle } from './handler.js';

registerRuntime({ runtime: 'deno', provider: fetchProvider });

export { createHandler, handle, type HandlerLimits } from './handler.js';

export default { fetch: handle };
