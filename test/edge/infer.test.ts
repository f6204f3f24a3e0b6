// POST /infer in workerd (miniflare, the bundle in dist/edge): a real network's top-5 as PyTorch
// computed it, and the limits answered with 413, 422 and 503.
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embedWeights, loadFixture } from '../../bench/fixture-weights.js';
import { startWorker } from '../helpers/miniflare.js';

let mf: Miniflare;

beforeAll(async () => {
  mf = await startWorker();
});

afterAll(async () => {
  await mf?.dispose();
});

/** The fixture's ONNX with its regenerated weights written into the file, as a user's model is. */
function withWeights(name: string): { bytes: Uint8Array; fixture: ReturnType<typeof loadFixture> } {
  const fixture = loadFixture(name);
  return { bytes: embedWeights(fixture.onnx, fixture.weights), fixture };
}

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

async function post(body: unknown): Promise<{ status: number; json: Record<string, any> }> {
  const response = await mf.dispatchFetch('http://localhost/infer', { method: 'POST', body: JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}

describe('POST /infer in workerd', () => {
  it("gives SqueezeNet 1.1's top-5 as PyTorch computed it", async () => {
    const { bytes, fixture } = withWeights('squeezenet1_1');
    const input = base64(new Uint8Array(fixture.input.buffer, fixture.input.byteOffset, fixture.input.byteLength));
    const { status, json } = await post({ onnx: base64(bytes), name: 'squeezenet1_1.onnx', input, repeat: 2 });
    expect(status, JSON.stringify(json)).toBe(200);
    expect(json.model).toBe('squeezenet1_1.onnx');
    expect(json.flavour).toBe('relaxed');
    expect(json.outputs[0].shape).toEqual(fixture.expectedShape);
    expect(json.outputs[0].top5.map((t: { index: number }) => t.index)).toEqual(fixture.manifest.top5.indices);
    json.outputs[0].top5.forEach((t: { value: number }, i: number) => expect(t.value).toBeCloseTo(fixture.manifest.top5.values[i]!, 3));
    expect(json.runs).toBe(2);
    expect(json.medianMs).toBeGreaterThan(0);
    expect(json.peakArenaBytes).toBeGreaterThan(0);
  });

  it('answers 422 for a model without weights or a wrong input, 413 for a model over the limit', async () => {
    const stripped = loadFixture('squeezenet1_1').onnx;
    const noWeights = await post({ onnx: base64(stripped), name: 'stripped.onnx' });
    expect(noWeights.status).toBe(422);
    expect(noWeights.json.error).toMatch(/^stripped\.onnx: weight '.+' \(read by node '.+'\) has no data/);
    const { bytes } = withWeights('squeezenet1_1');
    const short = await post({ onnx: base64(bytes), input: [1, 2, 3] });
    expect(short.status).toBe(422);
    expect(short.json.error).toMatch(/input 'input' must have shape \[1, 3, \d+, \d+\]/);
    const notBase64 = await post({ onnx: base64(bytes), input: 'not base64!' });
    expect(notBase64.status).toBe(422);
    expect(notBase64.json.error).toBe("field 'input' must be base64 (RFC 4648, with padding)");
    const unknown = await post({ onnx: base64(bytes), thread: 2 });
    expect(unknown.status).toBe(422);
    expect(unknown.json.error).toMatch(/unknown field 'thread'/);
    const threads = await post({ onnx: base64(bytes), threads: 2 });
    expect(threads.status).toBe(422);
    expect(threads.json.error).toBe("field 'threads' must be an integer in [1, 1] (this server's maxInferThreads)");
    const repeat = await post({ onnx: base64(bytes), repeat: 1000 });
    expect(repeat.status).toBe(422);
    const big = await post({ onnx: base64(new Uint8Array(17 * 1024 * 1024)) });
    expect(big.status).toBe(413);
  });

  it('answers 503 when the runs outlast the request budget', async () => {
    const { bytes } = withWeights('squeezenet1_1');
    const { status, json } = await post({ onnx: base64(bytes), repeat: 20, budgetMs: 1 });
    expect(status).toBe(503);
    expect(json.error).toMatch(/ran out of its 1 ms CPU budget/);
  });
});
