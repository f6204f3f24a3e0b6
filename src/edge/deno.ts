// Entry point for Deno (`deno serve --allow-read=dist/build dist/src/edge/deno.js`, or `Deno.serve(handler.fetch)`):
// the browser/Deno entry registers the wasm loader (fetch of a file: URL), then the shared
// handler answers. Run beside node_modules so the ONNX decoder resolves.
import '../index.js';
import { handle } from './handler.js';

export { createHandler, handle, type HandlerLimits } from './handler.js';

export default { fetch: handle };
