// Runs under Deno: the edge handler served by Deno.serve on a loopback port (the shell
// dist/src/edge/deno.js), driven over real HTTP by the cases shared with the workerd test
// (test/edge/cases.js), plus the busy answer of a handler limited to one computing request.
import * as lib from '../../dist/src/index.js';
import handler, { createHandler } from '../../dist/src/edge/deno.js';
import { EDGE_CASES } from '../edge/cases.js';

function serve(fetchHandler) {
  const server = Deno.serve({ hostname: '127.0.0.1', port: 0, onListen() {} }, fetchHandler);
  const base = `http://127.0.0.1:${server.addr.port}`;
  return { server, request: (path, init) => fetch(`${base}${path}`, init) };
}

Deno.test('the edge handler under Deno.serve', async (t) => {
  if (lib.runtimeName() !== 'deno') throw new Error(`expected the deno runtime, got ${lib.runtimeName()}`);
  const onnx = await Deno.readFile(new URL('../fixtures/models/resnet18_noweights.onnx', import.meta.url));
  const { server, request } = serve(handler.fetch);
  try {
    for (const c of EDGE_CASES) await t.step(c.name, () => c.run({ request, lib, onnx }));
  } finally {
    await server.shutdown();
  }
});

Deno.test('a handler limited to one computing request answers the second with 503 and Retry-After', async () => {
  const limited = createHandler({ maxConcurrent: 1 });
  const post = (path, body) => limited(new Request(`http://127.0.0.1${path}`, { method: 'POST', body: JSON.stringify(body) }));
  // The first request counts as computing from the moment the handler is called.
  const slow = post('/simulate', { model: 'resnet18', target: 'systolic:eyeriss' });
  const busy = await post('/schedule', { model: 'alexnet' });
  const body = await busy.json();
  if (busy.status !== 503 || busy.headers.get('retry-after') !== '1' || !/busy/.test(body.error)) throw new Error(`second request: ${busy.status} ${JSON.stringify(body)}`);
  const first = await slow;
  const firstBody = await first.json();
  if (first.status !== 200 || firstBody.layers.length !== 21) throw new Error(`first request: ${first.status} ${JSON.stringify(firstBody).slice(0, 200)}`);
  const after = await post('/schedule', { model: 'alexnet' });
  await after.body?.cancel();
  if (after.status !== 200) throw new Error(`request after the busy one: ${after.status}`);
});
