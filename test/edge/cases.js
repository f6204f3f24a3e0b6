// The edge handler's behaviour, written once and run against workerd (miniflare, worker.test.ts)
// and Deno.serve (test/deno/edge.deno.js). Plain JavaScript so both load it as is.
//   request(path, init?) → Promise<Response>: the runtime's way to reach the handler
//   lib: that runtime's mapwise library, to compute what the answers must be
//   onnx: the bytes of a small ONNX file (resnet18_noweights.onnx)

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

function assertEqual(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: got ${a.slice(0, 300)}… expected ${e.slice(0, 300)}…`);
}

const timeless = ({ solveSeconds, simulatorSeconds, ...rest }) => rest;

function base64(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

async function call(request, method, path, body) {
  const init = { method };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const response = await request(path, init);
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${method} ${path}: answer ${response.status} is not JSON: ${text.slice(0, 200)}`);
  }
  assert(response.headers.get('content-type') === 'application/json', `${path}: content-type ${response.headers.get('content-type')}`);
  return { status: response.status, json, headers: response.headers };
}

const post = (request, path, body) => call(request, 'POST', path, body);

async function expectError(request, path, body, status, pattern) {
  const { status: got, json } = await post(request, path, body);
  assert(got === status, `${path} ${JSON.stringify(body).slice(0, 80)}: status ${got} (${json.error}), expected ${status}`);
  assert(typeof json.error === 'string' && pattern.test(json.error), `${path}: error '${json.error}' does not match ${pattern}`);
}

export const EDGE_CASES = [
  {
    name: 'GET /health and GET /models answer JSON',
    run: async ({ request }) => {
      const health = await call(request, 'GET', '/health');
      assert(health.status === 200 && health.json.ok === true, 'health');
      const { status, json } = await call(request, 'GET', '/models');
      assert(status === 200, 'models status');
      assert(json.models.some((m) => m.name === 'mobilenetv2' && m.params === 3504872), 'models lists mobilenetv2 with its parameters');
      // AlexNet: the exact MACs of its graph (five convolutions and three dense layers, 714,188,480) beside the published, rounded figure.
      const alexnet = json.models.find((m) => m.name === 'alexnet');
      assertEqual([alexnet.macs, alexnet.published.macs, alexnet.published.params], [714188480, 714000000, 61100840], 'alexnet exact and published figures');
      assertEqual(json.schedulers, ['dp', 'compiler', 'learned'], 'schedulers');
      assertEqual(json.specs, ['NAME[@SIZE]', 'synthetic:N[:SEED[:LEVELS]]', 'dnnlike:B[:SEED]', 'scalesim:NETWORK'], 'the model spec forms a request may use');
      assertEqual([alexnet.size, alexnet.minSize, json.models.find((m) => m.name === 'vgg16convs').size], [224, 223, null], 'input sizes');
      assert(json.systolicTargets.includes('systolic:google'), 'systolic targets');
    },
  },
  {
    name: 'POST /schedule of a zoo model equals the library call',
    run: async ({ request, lib }) => {
      const { status, json } = await post(request, '/schedule', { model: 'mobilenetv2', target: 'edgetpu:4', scheduler: 'learned', seed: 3 });
      assert(status === 200, `status ${status}: ${json.error}`);
      assertEqual(timeless(json), timeless(await lib.schedule('mobilenetv2', { cores: 4, scheduler: 'learned', seed: 3 })), 'schedule');
    },
  },
  {
    name: 'POST /schedule of a zoo model at another input size (NAME@SIZE) equals the library call; a bad size is 422',
    run: async ({ request, lib }) => {
      const { status, json } = await post(request, '/schedule', { model: 'googlenet@160', cores: 2, scheduler: 'dp' });
      assert(status === 200, `status ${status}: ${json.error}`);
      assert(json.model === 'googlenet@160', 'the graph is named with its size');
      assertEqual(timeless(json), timeless(await lib.schedule('googlenet@160', { cores: 2, scheduler: 'dp' })), 'schedule');
      await expectError(request, '/schedule', { model: 'resnet50@20' }, 422, /resnet50 downsamples too much for a 20x20 input; it takes at least 32x32/);
      await expectError(request, '/schedule', { model: 'resnet50@2x' }, 422, /@SIZE must be a whole number of pixels, got '2x'/);
    },
  },
  {
    name: 'POST /schedule of base64 ONNX equals importOnnx + schedule',
    run: async ({ request, lib, onnx }) => {
      const { status, json } = await post(request, '/schedule', { onnx: base64(onnx), name: 'resnet18_noweights.onnx', cores: 3, scheduler: 'dp' });
      assert(status === 200, `status ${status}: ${json.error}`);
      const graph = await lib.importOnnx(onnx, { source: 'resnet18_noweights.onnx' });
      assertEqual(timeless(json), timeless(await lib.schedule(graph, { cores: 3, scheduler: 'dp' })), 'schedule');
      assert(json.model === 'resnet18_noweights' && json.stages.length === 3, 'three stages of the named model');
    },
  },
  {
    name: 'POST /simulate equals the library call',
    run: async ({ request, lib, onnx }) => {
      const { status, json } = await post(request, '/simulate', { model: 'scalesim:alexnet', target: 'systolic:google', dataflow: 'os' });
      assert(status === 200, `status ${status}: ${json.error}`);
      assertEqual(timeless(json), timeless(await lib.simulate('scalesim:alexnet', { target: 'systolic:google', dataflow: 'os' })), 'simulate');
      const fromOnnx = await post(request, '/simulate', { onnx: base64(onnx), target: { rows: 64, cols: 64 } });
      assert(fromOnnx.status === 200, `onnx status ${fromOnnx.status}: ${fromOnnx.json.error}`);
      const graph = await lib.importOnnx(onnx, { source: 'request.onnx' });
      assertEqual(timeless(fromOnnx.json), timeless(await lib.simulate(graph, { target: { rows: 64, cols: 64 } })), 'simulate onnx');
    },
  },
  {
    name: 'malformed JSON, unknown fields and wrong values get a JSON error naming the problem',
    run: async ({ request }) => {
      await expectError(request, '/schedule', '{"model": "alexnet",', 400, /not valid JSON/);
      await expectError(request, '/schedule', '', 400, /not valid JSON/);
      await expectError(request, '/simulate', '[1, 2]', 422, /must be a JSON object/);
      await expectError(request, '/schedule', { model: 'alexnet', coers: 4 }, 422, /unknown field 'coers'/);
      await expectError(request, '/simulate', { model: 'alexnet', dataflow: 'rs' }, 422, /option 'dataflow' must be one of 'os', 'ws', 'is', got 'rs'/);
      await expectError(request, '/schedule', { model: 'alexnet', cores: '4' }, 422, /option 'cores' must be an integer from 1 to 8, got '4'/);
      await expectError(request, '/schedule', { model: 'alexnet', target: 'edgetpu:9' }, 422, /cores must be an integer from 1 to 8, got 9/);
      await expectError(request, '/schedule', { model: 'alexnet', target: 'edgetpu:2', cores: 2 }, 422, /give the cores in option 'target' \('edgetpu:2'\) or in 'cores', not both/);
      await expectError(request, '/schedule', { model: 'alexnet', target: 'tpu:2' }, 422, /option 'target' must be 'edgetpu' or 'edgetpu:K', 'edgetpu-devboard' or 'edgetpu-devboard:K' \(K cores\) or a plain object, got 'tpu:2'/);
      await expectError(request, '/schedule', { model: 'alexnet', scheduler: 'exact' }, 422, /'scheduler' must be one of dp, compiler, learned/);
      await expectError(request, '/schedule', { model: 'lenet' }, 422, /'lenet' is not a zoo model/);
      await expectError(request, '/schedule', { model: 7 }, 422, /'model' must be a string/);
      await expectError(request, '/schedule', { model: 'alexnet', name: 'x.onnx' }, 422, /'name' must be a string .* goes with 'onnx'/);
      await expectError(request, '/schedule', {}, 422, /exactly one of 'model'/);
      await expectError(request, '/schedule', { model: 'alexnet', onnx: 'AAAA' }, 422, /exactly one of 'model'/);
      await expectError(request, '/schedule', { onnx: 'not base64!' }, 422, /must be base64/);
      await expectError(request, '/schedule', { onnx: btoa('\u0008\u0001\u0012\u0005junk!') }, 422, /not a readable ONNX file|request\.onnx/);
      await expectError(request, '/simulate', { model: 'alexnet', target: { rows: 0 } }, 422, /rows/);
      await expectError(request, '/simulate', { model: 'alexnet', budgetMs: -1 }, 422, /'budgetMs' must be a number > 0/);
      const missing = await call(request, 'GET', '/schedule');
      assert(missing.status === 404, 'GET on a POST route is 404');
    },
  },
  {
    name: 'huge bodies get 413, huge graphs 422 before any work, simulations beyond the work limit 422',
    run: async ({ request }) => {
      const huge = `{"model": "alexnet", "pad": "${'x'.repeat(25 * 1024 * 1024)}"}`;
      await expectError(request, '/schedule', huge, 413, /body larger than/);
      await expectError(request, '/simulate', huge, 413, /body larger than/);
      await expectError(request, '/schedule', { model: 'synthetic:50000' }, 422, /beyond the limit of 2000 nodes/);
      await expectError(request, '/schedule', { model: 'dnnlike:5000' }, 422, /beyond the limit/);
      // The work done is limited, not the row count: VGG-16 on the 168-PE Eyeriss array is about 92 million cycles.
      await expectError(request, '/simulate', { model: 'vgg16', target: 'systolic:eyeriss' }, 422, /simulating 'vgg16' takes more than the limit of 50000000 array cycles \(\d+ after \d+ of 16 layers\)/);
    },
  },
  {
    name: 'POST /simulate runs the models edge users send most: MobileNetV2, EfficientNet-B0, MobileNet',
    run: async ({ request }) => {
      // Array cycles on systolic:scale, as the library reports them in Node.
      for (const [model, rows, cycles] of [['mobilenetv2', 7172, 6077484], ['efficientnetb0', 9026, 6797812], ['mobilenet', 4975, 5352953]]) {
        const { status, json } = await call(request, 'POST', '/simulate', { model });
        assert(status === 200, `${model}: status ${status} ${JSON.stringify(json).slice(0, 200)}`);
        assertEqual([json.layers.length, json.layers.reduce((s, l) => s + l.totalCycles, 0)], [rows, cycles], `${model} rows and cycles`);
      }
    },
  },
  {
    name: 'a request that runs out of its CPU budget gets 503, and the worker serves the next one',
    run: async ({ request }) => {
      // ResNet-50 on the small Eyeriss array takes 60–300 ms of CPU (54 layers), so a 10 ms
      // budget runs out between layers even on a fast, quiet machine.
      const { status, json } = await post(request, '/simulate', { model: 'resnet50', target: 'systolic:eyeriss', budgetMs: 10 });
      assert(status === 503, `status ${status}`);
      const m = /^the request ran out of its 10 ms CPU budget \(layers: (\d+) of (\d+) done\)$/.exec(json.error);
      assert(m && Number(m[1]) < Number(m[2]), `error '${json.error}' does not say how far it got`);
      const after = await post(request, '/simulate', { model: 'scalesim:alexnet', target: 'systolic:google' });
      assert(after.status === 200 && after.json.layers.length === 5, 'the next request is served');
    },
  },
  {
    name: '50 concurrent requests each get their own answer',
    run: async ({ request, lib }) => {
      const jobs = Array.from({ length: 50 }, (_, i) =>
        i % 5 !== 4
          ? { path: '/schedule', body: { model: `synthetic:${20 + i}:${i}`, cores: 1 + (i % 8), scheduler: i % 2 === 0 ? 'dp' : 'compiler' } }
          : { path: '/simulate', body: { model: `dnnlike:1:${i}`, target: { rows: 16 + i, cols: 16 + ((3 * i) % 29) }, dataflow: ['os', 'ws', 'is'][i % 3] } },
      );
      const answers = await Promise.all(jobs.map((job) => post(request, job.path, job.body)));
      for (let i = 0; i < jobs.length; i++) {
        const { path, body } = jobs[i];
        const { status, json } = answers[i];
        assert(status === 200, `request ${i}: status ${status} (${json.error})`);
        if (path === '/schedule') {
          const expected = await lib.schedule(body.model, { cores: body.cores, scheduler: body.scheduler });
          assertEqual(timeless(json), timeless(expected), `request ${i}`);
        } else {
          assertEqual(json.totals, (await lib.simulate(body.model, { target: body.target, dataflow: body.dataflow })).totals, `request ${i}`);
          assert(json.config.rows === body.target.rows && json.config.dataflow === body.dataflow, `request ${i} got another request's array`);
        }
      }
    },
  },
];
