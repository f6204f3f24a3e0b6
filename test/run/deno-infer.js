// The Deno side of the cross-runtime inference test: `deno run --allow-read test/run/deno-infer.js FOLDER [THREADS]`
// loads the built library through its browser/Deno entry and prints the inference as JSON.
import * as mapwise from '../../dist/src/index.js';
import { inferCalls } from '../../web-demo/infer-calls.js';

const [folder, threads = '1'] = Deno.args;
const result = { runtime: mapwise.runtimeName(), calls: await inferCalls(mapwise, (file) => Deno.readFile(`${folder}/${file}`), Number(threads)) };
await Deno.stdout.write(new TextEncoder().encode(JSON.stringify(result)));
