// The HTTP surface of mapwise for edge functions and servers: a fetch(Request) → Response
// handler over the isomorphic library. The runtime shell (workerd, Deno.serve) only wires
// the wasm loader and calls `handle`.
import { detectFeatures, getCore, runtimeName } from '../core/index.js';
import { VERSION } from '../version.js';

const MAX_BODY_BYTES = 4 * 1024 * 1024;
const MAX_GEMM_ELEMENTS = 1 << 20;

type Route = (request: Request) => Promise<Response>;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

async function readJson(request: Request): Promise<Record<string, unknown>> {
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > MAX_BODY_BYTES) throw new HttpError(413, `body larger than ${MAX_BODY_BYTES} bytes`);
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) throw new HttpError(413, `body larger than ${MAX_BODY_BYTES} bytes`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(422, 'body must be a JSON object');
  return body as Record<string, unknown>;
}

function rejectUnknownFields(body: Record<string, unknown>, allowed: readonly string[]): void {
  const unknown = Object.keys(body).find((key) => !allowed.includes(key));
  if (unknown) throw new HttpError(422, `unknown field '${unknown}'; expected ${allowed.join(', ')}`);
}

function dimension(body: Record<string, unknown>, key: string): number {
  const value = body[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new HttpError(422, `field '${key}' must be a positive integer`);
  return value;
}

function matrix(body: Record<string, unknown>, key: string, length: number): number[] {
  const value = body[key];
  if (!Array.isArray(value) || value.length !== length || !value.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new HttpError(422, `field '${key}' must be an array of ${length} finite numbers`);
  }
  return value as number[];
}

const routes: Record<string, Route> = {
  'GET /health': async () => json(200, { ok: true, version: VERSION }),

  'GET /info': async () => {
    const core = await getCore();
    return json(200, { runtime: runtimeName(), flavour: core.flavour, features: detectFeatures(), version: VERSION });
  },

  // C = A·B with row-major A (m×k) and B (k×n): the smallest real use of the core.
  'POST /gemm': async (request) => {
    const body = await readJson(request);
    rejectUnknownFields(body, ['m', 'n', 'k', 'a', 'b']);
    const [m, n, k] = [dimension(body, 'm'), dimension(body, 'n'), dimension(body, 'k')];
    if (m * k + k * n + m * n > MAX_GEMM_ELEMENTS) throw new HttpError(413, `matrices larger than ${MAX_GEMM_ELEMENTS} elements`);
    const core = await getCore();
    const c = core.gemm(matrix(body, 'a', m * k), matrix(body, 'b', k * n), m, n, k);
    return json(200, { m, n, c: Array.from(c), flavour: core.flavour });
  },
};

export async function handle(request: Request): Promise<Response> {
  const { pathname } = new URL(request.url);
  const route = routes[`${request.method} ${pathname}`];
  if (!route) return json(404, { error: `no route ${request.method} ${pathname}` });
  try {
    return await route(request);
  } catch (cause) {
    if (cause instanceof HttpError) return json(cause.status, { error: cause.message });
    return json(500, { error: cause instanceof Error ? cause.message : String(cause) });
  }
}
