// The HTTP surface of mapwise for edge functions and servers: a fetch(Request) → Response
// handler over the library's facades. The runtime shell (src/edge/worker.ts for workerd,
// src/edge/deno.ts for Deno.serve) only wires the wasm loader and calls the handler.
//
// Routes: GET /health, GET /info, GET /models, POST /gemm, POST /schedule, POST /simulate, POST /infer.
// Every answer is JSON; every failure is {"error": "..."} with a status that says whose fault
// it is: 400 unreadable JSON, 404 no route, 413 body too large, 422 a request we understood but
// will not run (unknown field, wrong type, bad model, graph beyond the size limit), 503 the
// request's CPU budget ran out or too many requests are computing, 500 our bug.
//
// Isolation: a request's state lives in its own call (no module-level caches of request data);
// the wasm core is shared, and every facade frees what it allocated in `finally`, so a failed or
// cut-off request leaves nothing behind for the next one.
//
// Start-up: a route imports the parts it uses when it first runs (the zoo, the schedulers, the
// simulator, the ONNX importer, the runtime), so a cold start that answers /health parses only
// the core's loader.
import { detectFeatures, getCore, runtimeName } from '../core/index.js';
import type { ProgressEvent } from '../api/check.js';
import { isUserError } from '../base/errors.js';
import { checkOptions, OptionsError, type OptionSpec } from '../base/options.js';
import type { ModelSpec, ModelSpecKind } from '../graph/model-spec.js';
import type { Graph } from '../graph/types.js';
import type { ENERGY_TABLES } from '../sim/energy.js';
import type { DATAFLOWS } from '../sim/types.js';
import { VERSION } from '../version.js';

export interface HandlerLimits {
  /** Largest request body, bytes (default 24 MiB: a base64 ONNX file of up to 18 MiB). */
  maxBodyBytes?: number;
  /** Largest graph a request may schedule or simulate, in nodes (default 2000). */
  maxGraphNodes?: number;
  /**
   * Most array cycles a request may simulate (default 50 million, about 2 s of simulation): the
   * simulator's time follows the cycles it steps through, not its row count, and a repeated layer
   * shape is stepped through once (MobileNetV2's 7,172 one-channel rows report 6 million cycles,
   * of which 0.5 million are simulated; VGG-16's 16 rows on Eyeriss 96 million of 126 million).
   */
  maxSimulatedCycles?: number;
  /** Time one request may compute, milliseconds (default 10000); a request may ask for less with `budgetMs`. */
  cpuBudgetMs?: number;
  /** Requests computing at once; more are answered 503 with Retry-After (default 64). */
  maxConcurrent?: number;
  /** Largest ONNX model (with its weights) POST /infer runs, bytes (default 16 MiB). */
  maxModelBytes?: number;
  /**
   * Threads a POST /infer may ask for (its `threads` field; default 1, so none unless the
   * operator allows it). Threads need shared memory: Deno has it, workerd runs on one thread.
   */
  maxInferThreads?: number;
}

const LIMIT_DEFAULTS: Required<HandlerLimits> = {
  maxBodyBytes: 24 * 1024 * 1024,
  maxGraphNodes: 2000,
  maxSimulatedCycles: 50_000_000,
  cpuBudgetMs: 10_000,
  maxConcurrent: 64,
  maxModelBytes: 16 * 1024 * 1024,
  maxInferThreads: 1,
};

const MAX_INFER_REPEAT = 20;

const MAX_GEMM_ELEMENTS = 1 << 20;

/** Schedulers offered over HTTP: the exact MILP runs for seconds to minutes, beyond a request's budget. */
const EDGE_SCHEDULERS = ['dp', 'compiler', 'learned'] as const;
/** The model specs a request may give: no files here. */
const EDGE_SPECS: readonly ModelSpecKind[] = ['zoo', 'synthetic', 'dnnlike', 'scalesim'];

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

/** Reads at most `limit` bytes of the body, stopping (413) as soon as it is exceeded. */
async function readBody(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > limit) throw new HttpError(413, `body larger than ${limit} bytes`);
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new HttpError(413, `body larger than ${limit} bytes`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

async function readJson(request: Request, limit: number): Promise<Record<string, unknown>> {
  const text = await readBody(request, limit);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(422, 'body must be a JSON object');
  return body as Record<string, unknown>;
}

const LIMIT_SPEC: OptionSpec = Object.fromEntries(Object.keys(LIMIT_DEFAULTS).map((key) => [key, { type: 'number' }]));

/** Unknown fields are refused by name (422); each route checks the values of the fields it reads. */
function rejectUnknownFields(body: Record<string, unknown>, allowed: readonly string[]): void {
  checkOptions('request', body, Object.fromEntries(allowed.map((key) => [key, { type: 'any' }])), 'field');
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

function base64Bytes(text: string, field: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new HttpError(422, `field '${field}' must be base64 (RFC 4648, with padding)`);
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** A request's time budget: checked between steps and between simulated layers. */
class Budget {
  private readonly deadline: number;

  constructor(readonly ms: number) {
    this.deadline = performance.now() + ms;
  }

  check(event?: ProgressEvent): void {
    if (performance.now() <= this.deadline) return;
    const where = event ? ` (${event.step}: ${event.done} of ${event.total} done)` : '';
    throw new HttpError(503, `the request ran out of its ${this.ms} ms CPU budget${where}`);
  }
}

function budgetOf(body: Record<string, unknown>, limits: Required<HandlerLimits>): Budget {
  const asked = body.budgetMs;
  if (asked === undefined) return new Budget(limits.cpuBudgetMs);
  if (typeof asked !== 'number' || !Number.isFinite(asked) || asked <= 0) throw new HttpError(422, "field 'budgetMs' must be a number > 0");
  return new Budget(Math.min(asked, limits.cpuBudgetMs));
}

/** The request's graph: a zoo name or generator spec in `model`, or base64 ONNX bytes in `onnx`. */
async function graphOf(body: Record<string, unknown>, limits: Required<HandlerLimits>, budget: Budget): Promise<Graph | string> {
  const { model, onnx, name } = body;
  if ((model === undefined) === (onnx === undefined)) throw new HttpError(422, "give exactly one of 'model' (a zoo name) and 'onnx' (base64 ONNX bytes)");
  if (name !== undefined && (onnx === undefined || typeof name !== 'string')) throw new HttpError(422, "field 'name' must be a string (the ONNX file's name) and goes with 'onnx'");
  if (model !== undefined) {
    if (typeof model !== 'string') throw new HttpError(422, "field 'model' must be a string (a model spec, see GET /models)");
    const [{ parseModelSpec }, { builtinGraph }] = await Promise.all([import('../graph/model-spec.js'), import('../graph/builtin.js')]);
    let spec: ModelSpec;
    try {
      spec = parseModelSpec(model, EDGE_SPECS);
    } catch (e) {
      throw new HttpError(422, `field 'model': ${(e as Error).message}`);
    }
    if (spec.kind === 'scalesim') return model;
    const size = spec.kind === 'synthetic' ? spec.nodes : spec.kind === 'dnnlike' ? spec.blocks : 0;
    if (size > limits.maxGraphNodes) throw new HttpError(422, `graph of ${size} ${spec.kind === 'synthetic' ? 'nodes' : 'blocks'} is beyond the limit of ${limits.maxGraphNodes} nodes`);
    return checkedSize(builtinGraph(spec)!, limits);
  }
  if (typeof onnx !== 'string') throw new HttpError(422, "field 'onnx' must be a base64 string");
  const { importOnnx } = await import('../api/import-onnx.js');
  const graph = await importOnnx(base64Bytes(onnx, 'onnx'), { source: name ?? 'request.onnx' });
  budget.check();
  return checkedSize(graph, limits);
}

function checkedSize(graph: Graph, limits: Required<HandlerLimits>): Graph {
  if (graph.nodes.length > limits.maxGraphNodes) throw new HttpError(422, `graph '${graph.name}' has ${graph.nodes.length} nodes, beyond the limit of ${limits.maxGraphNodes}`);
  return graph;
}

function stringField(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  if (value !== undefined && typeof value !== 'string') throw new HttpError(422, `field '${key}' must be a string`);
  return value;
}

type Route = (request: Request) => Promise<Response>;

/** The zoo's rows (exact: what /schedule and /simulate work with) with the published figures (their source's rounding) apart. */
async function zooFigures(): Promise<object[]> {
  const { zooModels } = await import('../api/zoo.js');
  return zooModels().map(({ publishedParams, publishedMacs, source, ...m }) => ({ ...m, published: { params: publishedParams, macs: publishedMacs, source } }));
}

function routes(limits: Required<HandlerLimits>): Record<string, Route> {
  return {
    // Healthy means able to answer: the WebAssembly core loads (in Deno that needs read access to it).
    'GET /health': async () => {
      try {
        const core = await getCore();
        return json(200, { ok: true, version: VERSION, flavour: core.flavour });
      } catch (error) {
        return json(503, { ok: false, version: VERSION, error: `the WebAssembly core does not load: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}` });
      }
    },

    'GET /info': async () => {
      const core = await getCore();
      return json(200, { runtime: runtimeName(), flavour: core.flavour, features: detectFeatures(), version: VERSION });
    },

    'GET /models': async () => {
      const [{ SCALESIM_NETWORKS }, { PIPELINE_PRESETS }, { SYSTOLIC_PRESETS }, { MODEL_SPEC_FORMS }] = await Promise.all([
        import('../sim/networks.js'), import('../hw/pipeline.js'), import('../hw/systolic.js'), import('../graph/model-spec.js'),
      ]);
      return json(200, {
        models: await zooFigures(),
        specs: EDGE_SPECS.map((kind) => MODEL_SPEC_FORMS[kind].form),
        generators: (['synthetic', 'dnnlike'] as const).map((kind) => MODEL_SPEC_FORMS[kind].form),
        scalesim: SCALESIM_NETWORKS.map((n) => `scalesim:${n}`),
        pipelineTargets: Object.keys(PIPELINE_PRESETS),
        systolicTargets: ['systolic', ...Object.keys(SYSTOLIC_PRESETS).map((p) => `systolic:${p}`)],
        schedulers: EDGE_SCHEDULERS,
        limits,
      });
    },

    // C = A·B with row-major A (m×k) and B (k×n): the smallest real use of the core.
    'POST /gemm': async (request) => {
      const body = await readJson(request, limits.maxBodyBytes);
      rejectUnknownFields(body, ['m', 'n', 'k', 'a', 'b']);
      const [m, n, k] = [dimension(body, 'm'), dimension(body, 'n'), dimension(body, 'k')];
      if (m * k + k * n + m * n > MAX_GEMM_ELEMENTS) throw new HttpError(413, `matrices larger than ${MAX_GEMM_ELEMENTS} elements`);
      const core = await getCore();
      const c = core.gemm(matrix(body, 'a', m * k), matrix(body, 'b', k * n), m, n, k);
      return json(200, { m, n, c: Array.from(c), flavour: core.flavour });
    },

    // {model | onnx, name?, target?: 'edgetpu[:cores]' | {fields}, cores?, scheduler?, seed?, budgetMs?}
    'POST /schedule': async (request) => {
      const body = await readJson(request, limits.maxBodyBytes);
      rejectUnknownFields(body, ['model', 'onnx', 'name', 'target', 'cores', 'scheduler', 'seed', 'budgetMs']);
      const budget = budgetOf(body, limits);
      const scheduler = stringField(body, 'scheduler') ?? 'dp';
      if (!(EDGE_SCHEDULERS as readonly string[]).includes(scheduler)) {
        throw new HttpError(422, `field 'scheduler' must be one of ${EDGE_SCHEDULERS.join(', ')} (the exact MILP is offered by the CLI and the library, not over HTTP)`);
      }
      const graph = await graphOf(body, limits, budget);
      const { schedule } = await import('../api/schedule.js');
      const report = await schedule(graph, {
        scheduler: scheduler as (typeof EDGE_SCHEDULERS)[number],
        ...(body.target === undefined ? {} : { target: body.target as string }),
        ...(body.cores === undefined ? {} : { cores: body.cores as number }),
        ...(body.seed === undefined ? {} : { seed: body.seed as number }),
        onProgress: (event: ProgressEvent) => budget.check(event),
      });
      return json(200, report);
    },

    // {model | onnx, name?, target?: 'systolic[:preset]' | {fields}, dataflow?, energyTable?, budgetMs?}
    'POST /simulate': async (request) => {
      const body = await readJson(request, limits.maxBodyBytes);
      rejectUnknownFields(body, ['model', 'onnx', 'name', 'target', 'dataflow', 'energyTable', 'budgetMs']);
      const budget = budgetOf(body, limits);
      const { simulate } = await import('../api/simulate.js');
      const graph = await graphOf(body, limits, budget);
      const report = await simulate(graph, {
        ...(body.target === undefined ? {} : { target: body.target as string }),
        ...(body.dataflow === undefined ? {} : { dataflow: body.dataflow as (typeof DATAFLOWS)[number] }),
        ...(body.energyTable === undefined ? {} : { energyTable: body.energyTable as keyof typeof ENERGY_TABLES & string }),
        onProgress: (event: ProgressEvent) => {
          if ((event.cycles ?? 0) > limits.maxSimulatedCycles) {
            throw new HttpError(422, `simulating '${typeof graph === 'string' ? graph : graph.name}' takes more than the limit of ${limits.maxSimulatedCycles} array cycles (${event.cycles} after ${event.done} of ${event.total} layers)`);
          }
          budget.check(event);
        },
        // A signal makes the simulator yield between layers, so other requests are served meanwhile.
        signal: new AbortController().signal,
      });
      return json(200, report);
    },

    // {onnx (base64, with weights), name?, input? (numbers or base64 float32; seeded random if absent), seed?, repeat?, threads?, budgetMs?}
    'POST /infer': async (request) => {
      const body = await readJson(request, limits.maxBodyBytes);
      rejectUnknownFields(body, ['onnx', 'name', 'input', 'seed', 'repeat', 'threads', 'budgetMs']);
      const budget = budgetOf(body, limits);
      if (typeof body.onnx !== 'string') throw new HttpError(422, "field 'onnx' must be a base64 string (an ONNX model with its weights)");
      const bytes = base64Bytes(body.onnx, 'onnx');
      if (bytes.length > limits.maxModelBytes) throw new HttpError(413, `model of ${bytes.length} bytes is larger than the limit of ${limits.maxModelBytes}`);
      const { repeat, seed } = body; // absent: infer's defaults
      if (repeat !== undefined && (typeof repeat !== 'number' || !Number.isInteger(repeat) || repeat < 1 || repeat > MAX_INFER_REPEAT)) throw new HttpError(422, `field 'repeat' must be an integer in [1, ${MAX_INFER_REPEAT}]`);
      if (seed !== undefined && (typeof seed !== 'number' || !Number.isInteger(seed))) throw new HttpError(422, "field 'seed' must be an integer");
      const { threads } = body;
      if (threads !== undefined && (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1 || threads > limits.maxInferThreads)) {
        throw new HttpError(422, `field 'threads' must be an integer in [1, ${limits.maxInferThreads}] (this server's maxInferThreads)`);
      }
      const input = inputOf(body);
      // The runtime loads with the first /infer, so a cold start that answers /health does not parse it.
      const { infer } = await import('../api/infer.js');
      const { report } = await infer(bytes, {
        source: stringField(body, 'name') ?? 'request.onnx', ...(seed === undefined ? {} : { seed }), ...(repeat === undefined ? {} : { repeat }), ...(input ? { input } : {}),
        ...(threads === undefined ? {} : { threads }),
        onProgress: (event: ProgressEvent) => budget.check(event),
      });
      return json(200, report);
    },
  };
}

/** The float32 input of /infer: an array of numbers, or base64 of little-endian float32 bytes. */
function inputOf(body: Record<string, unknown>): Float32Array | undefined {
  const { input } = body;
  if (input === undefined) return undefined;
  if (Array.isArray(input)) {
    if (!input.every((x) => typeof x === 'number' && Number.isFinite(x))) throw new HttpError(422, "field 'input' must be an array of finite numbers (NCHW, row-major)");
    return Float32Array.from(input as number[]);
  }
  if (typeof input !== 'string') throw new HttpError(422, "field 'input' must be an array of numbers or base64 float32 bytes");
  const bytes = base64Bytes(input, 'input');
  if (bytes.length % 4 !== 0) throw new HttpError(422, "field 'input' as base64 must hold whole float32 values (a multiple of 4 bytes)");
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
}

/** A fetch handler with the given limits; `handle` is the one with the defaults. */
export function createHandler(options: HandlerLimits = {}): (request: Request) => Promise<Response> {
  const limits: Required<HandlerLimits> = { ...LIMIT_DEFAULTS };
  for (const [key, value] of Object.entries(checkOptions<HandlerLimits>('createHandler', options, LIMIT_SPEC))) {
    if (value === undefined) continue;
    if (!(value > 0)) throw new OptionsError(`createHandler: option '${key}' must be a number > 0, got ${String(value)}`, { field: key });
    limits[key as keyof HandlerLimits] = value;
  }
  const table = routes(limits);
  let computing = 0;
  return async (request) => {
    const { pathname } = new URL(request.url);
    const route = table[`${request.method} ${pathname}`];
    if (!route) return json(404, { error: `no route ${request.method} ${pathname}` });
    const heavy = request.method === 'POST';
    if (heavy && computing >= limits.maxConcurrent) return json(503, { error: `busy: ${computing} requests are computing; retry shortly` }, { 'retry-after': '1' });
    if (heavy) computing++;
    try {
      return await route(request);
    } catch (cause) {
      if (cause instanceof HttpError) return json(cause.status, { error: cause.message }, cause.headers);
      // The caller's mistakes are 422; anything else is ours, whatever its class.
      if (isUserError(cause)) return json(422, { error: cause.message });
      return json(500, { error: cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause) });
    } finally {
      if (heavy) computing--;
    }
  };
}

export const handle = createHandler();
