// The Deno side of the cross-runtime API test: `deno run --allow-read test/api/deno-calls.js FILE.onnx`
// loads the built library through its browser/Deno entry point and prints the calls' results as JSON.
import * as mapwise from '../../dist/src/index.js';
import { apiCalls } from '../../web-demo/api-calls.js';

const bytes = await Deno.readFile(Deno.args[0]);
const result = { runtime: mapwise.runtimeName(), calls: await apiCalls(mapwise, bytes) };
await Deno.stdout.write(new TextEncoder().encode(JSON.stringify(result)));
