// POST /infer with `threads`, where the operator allows them (createHandler's maxInferThreads) and
// the runtime has shared memory (Node here): the report says the threads it ran on and the top-5
// is one thread's. workerd's refusal at the default limit is in infer.test.ts.
import { expect, it } from 'vitest';
import { createHandler } from '../../src/edge/handler.js';
import { embedWeights, loadFixture } from '../../bench/fixture-weights.js';

it('runs a model on the threads a request asks for, up to maxInferThreads', async () => {
  const fixture = loadFixture('squeezenet1_1');
  const onnx = Buffer.from(embedWeights(fixture.onnx, fixture.weights)).toString('base64');
  const handler = createHandler({ maxInferThreads: 2 });
  const post = async (body: unknown) => {
    const response = await handler(new Request('http://edge/infer', { method: 'POST', body: JSON.stringify(body) }));
    return { status: response.status, json: (await response.json()) as Record<string, any> };
  };
  const one = await post({ onnx, seed: 4 });
  const two = await post({ onnx, seed: 4, threads: 2 });
  expect([one.status, two.status]).toEqual([200, 200]);
  expect([one.json.threads, two.json.threads]).toEqual([1, 2]);
  expect(two.json.outputs).toEqual(one.json.outputs);
  const three = await post({ onnx, threads: 3 });
  expect(three.status).toBe(422);
  expect(three.json.error).toBe("field 'threads' must be an integer in [1, 2] (this server's maxInferThreads)");
});
