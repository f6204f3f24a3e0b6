// The edge worker under workerd (miniflare): the bundle of src/edge/worker.ts (dist/edge, built by
// vite.edge.config.ts) imports the wasm as precompiled modules and answers requests. The route
// cases are shared with the Deno.serve test (./cases.js).
import { readFileSync } from 'node:fs';
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceGemm } from '../../src/core/reference.js';
import { Random } from '../../src/helpers/random.js';
import * as lib from '../../src/node/index.js';
import { startWorker } from '../helpers/miniflare.js';
// @ts-expect-error plain JavaScript shared with the Deno test
import { EDGE_CASES } from './cases.js';

let mf: Miniflare;

beforeAll(async () => {
  mf = await startWorker();
});

afterAll(async () => {
  await mf?.dispose();
});

async function post(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await mf.dispatchFetch(`http://localhost${path}`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const request = (path: string, init?: RequestInit): Promise<Response> => mf.dispatchFetch(`http://localhost${path}`, init as never) as unknown as Promise<Response>;
const onnx = new Uint8Array(readFileSync(new URL('../fixtures/models/resnet18_noweights.onnx', import.meta.url)));

describe('edge worker in workerd', () => {
  it('loads the relaxed-SIMD build, which workerd accepts', async () => {
    const info = (await (await mf.dispatchFetch('http://localhost/info')).json()) as Record<string, unknown>;
    expect(info.runtime).toBe('workerd');
    expect(info.flavour).toBe('relaxed');
  });

  it('answers POST /gemm with the product the reference computes', async () => {
    const random = new Random(11);
    const [m, n, k] = [13, 9, 21];
    const a = Array.from(random.floats(m * k));
    const b = Array.from(random.floats(k * n));
    const { status, json } = await post('/gemm', { m, n, k, a, b });
    expect(status).toBe(200);
    const expected = referenceGemm(a, b, m, n, k);
    const c = json.c as number[];
    expect(c).toHaveLength(m * n);
    c.forEach((value, i) => expect(value).toBeCloseTo(expected[i]!, 4));
  });

  it('rejects malformed GEMM JSON, unknown fields and wrong sizes with a JSON error', async () => {
    expect((await post('/gemm', '{not json')).status).toBe(400);
    const unknown = await post('/gemm', { m: 1, n: 1, k: 1, a: [1], b: [1], extra: 1 });
    expect(unknown.status).toBe(422);
    expect(unknown.json.error).toMatch(/unknown field 'extra'/);
    const short = await post('/gemm', { m: 2, n: 1, k: 1, a: [1], b: [1] });
    expect(short.status).toBe(422);
    expect(short.json.error).toMatch(/'a' must be an array of 2 finite numbers/);
    expect((await post('/gemm', { m: 2000, n: 2000, k: 2000, a: [], b: [] })).status).toBe(413);
    expect((await mf.dispatchFetch('http://localhost/nowhere')).status).toBe(404);
  });

  for (const c of EDGE_CASES as { name: string; run: (env: unknown) => Promise<void> }[]) {
    it(c.name, () => c.run({ request, lib, onnx }));
  }
});
