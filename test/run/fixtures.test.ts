// The runtime fixtures are whole: the TypeScript generator rebuilds what Python generated (first
// values exactly, sums to 1e-9), every manifest tensor is a stripped initializer of the .onnx with
// the same dims, every float initializer without data is in the manifest, and the expected output
// agrees with the manifest's top-5. The small fixtures also run on onnxruntime-web, which checks
// the whole chain (generator, export, PyTorch's output) independently of our runtime.
import { createRequire } from 'node:module';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { embedWeights, FIXTURE_FOLDERS, type FixtureFolder, fixtureNames, fnv1a, generate, loadFixture, readManifest, type Fixture } from '../../bench/fixture-weights.js';

const { onnx } = onnxProto;
const FLOAT_TYPES = new Set<number>([onnx.TensorProto.DataType.FLOAT, onnx.TensorProto.DataType.DOUBLE, onnx.TensorProto.DataType.FLOAT16]);
const FOLDERS = Object.keys(FIXTURE_FOLDERS) as FixtureFolder[];
const KEEP_AT_MOST = 4096; // elements: the script keeps the data of unknown float initializers this small

/** Neumaier's compensated sum: within an ulp or so of Python's math.fsum. */
function sum(values: Float32Array): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const t = s + v;
    c += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  }
  return s + c;
}

const elements = (shape: readonly number[]): number => shape.reduce((a, d) => a * d, 1);

const expectClose = (actual: number, expected: number, what: string): void => {
  expect(Math.abs(actual - expected), what).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
};

/** What these tests need of a decoded ONNX file, with onnx-proto's optional fields settled. */
interface Initializer {
  name: string;
  dims: number[];
  dataType: number;
  hasData: boolean; // raw_data, float_data or double_data present
  external: boolean; // data_location = EXTERNAL
  entries: Record<string, string>; // external_data key → value
}

function decode(bytes: Uint8Array): { initializers: Initializer[]; inputs: string[]; outputs: string[] } {
  const graph = onnx.ModelProto.decode(bytes).graph;
  return {
    initializers: (graph?.initializer ?? []).map((t) => ({
      name: t.name ?? '',
      dims: (t.dims ?? []).map(Number),
      dataType: t.dataType ?? 0,
      hasData: (t.rawData?.length ?? 0) > 0 || (t.floatData?.length ?? 0) > 0 || (t.doubleData?.length ?? 0) > 0,
      external: t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL,
      entries: Object.fromEntries((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? ''])),
    })),
    inputs: (graph?.input ?? []).map((i) => i.name ?? ''),
    outputs: (graph?.output ?? []).map((o) => o.name ?? ''),
  };
}

/** The tests' fixtures and the benchmark's models at their published size, made the same way. */
const cases = FOLDERS.flatMap((folder) => fixtureNames(folder).map((name) => ({ name, folder, manifest: readManifest(name, folder) })));
const generated = cases.filter((c) => c.manifest.tensors !== undefined);
const external = cases.filter((c) => c.manifest.externalData !== undefined);

describe('the generator', () => {
  it('is FNV-1a and mulberry32 as published', () => {
    expect(fnv1a('')).toBe(2166136261);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
    // JavaScript's mulberry32 as commonly published, its outputs scaled back to uint32.
    const mulberry32 = (a: number) => (): number => {
      let t = (a += 0x6d2b79f5);
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const next = mulberry32(fnv1a('3:layer.weight'));
    const x = Array.from({ length: 1000 }, () => next() * 4294967296);
    expect(generate(3, 'layer.weight', 1000, 'sym', 1)).toEqual(new Float32Array(x.map((v) => (v >>> 8) * 2 ** -23 - 1)));
    expect(generate(3, 'layer.weight', 1000, 'pos', 0.5)).toEqual(new Float32Array(x.map((v) => 0.5 * ((v >>> 9) + 2 ** 23) * 2 ** -23)));
  });

  it('keeps values in range and float32-exact', () => {
    const sym = generate(7, 'w', 10_000, 'sym', 0.25);
    const pos = generate(7, 'w', 10_000, 'pos', 0.5);
    expect(Math.min(...sym)).toBeGreaterThanOrEqual(-0.25);
    expect(Math.max(...sym)).toBeLessThan(0.25);
    expect(Math.min(...pos)).toBeGreaterThanOrEqual(0.5);
    expect(Math.max(...pos)).toBeLessThan(1);
    expect(generate(8, 'w', 4, 'sym', 0.25)).not.toEqual(sym.subarray(0, 4));
  });
});

describe.each(generated)('fixture $name ($folder)', ({ name, folder }) => {
  let fixture: Fixture;
  const get = (): Fixture => (fixture ??= loadFixture(name, folder));

  it('regenerates every tensor and the input as Python did', () => {
    const { manifest, weights, input } = get();
    for (const t of manifest.tensors ?? []) {
      const w = weights[t.name]!;
      expect(Array.from(w.subarray(0, 4)), t.name).toEqual(t.first);
      expectClose(sum(w), t.sum, t.name);
    }
    expect(Array.from(input.subarray(0, 4))).toEqual(manifest.input.first);
    expectClose(sum(input), manifest.input.sum!, 'input');
  });

  it('has every manifest tensor as a stripped initializer and nothing stripped that is not in it', () => {
    const { manifest, onnx: bytes } = get();
    const model = decode(bytes);
    const inits = new Map(model.initializers.map((t) => [t.name, t]));
    for (const t of manifest.tensors!) {
      const init = inits.get(t.name);
      expect(init, t.name).toBeDefined();
      expect(init!.dims, t.name).toEqual(t.shape);
      expect(init!.dataType, t.name).toBe(onnx.TensorProto.DataType.FLOAT);
      expect(init!.hasData, t.name).toBe(false);
      expect(init!.external, t.name).toBe(true);
      expect(init!.entries['location'], t.name).toBe('generated');
    }
    const inManifest = new Set(manifest.tensors!.map((t) => t.name));
    const kept = new Set((manifest.keptInitializers ?? []).map((t) => t.name));
    for (const init of model.initializers) {
      if (!FLOAT_TYPES.has(init.dataType)) continue;
      if (inManifest.has(init.name)) continue;
      expect(kept.has(init.name), `${init.name} is neither generated nor kept`).toBe(true);
      expect(init.hasData || elements(init.dims) === 0, `${init.name} is kept but has no data`).toBe(true);
      expect(elements(init.dims)).toBeLessThanOrEqual(KEEP_AT_MOST);
    }
    expect(model.inputs).toEqual([manifest.input.name]);
    expect(model.outputs).toEqual([manifest.output.name]);
  });

  it("holds PyTorch's output, whose top-5 the manifest names", () => {
    const { manifest, expected, expectedShape, inputShape } = get();
    expect(expectedShape).toEqual(manifest.output.shape);
    expect(inputShape).toEqual(manifest.input.shape);
    const order = Array.from(expected.keys()).sort((a, b) => expected[b]! - expected[a]! || a - b);
    expect(order.slice(0, 5)).toEqual(manifest.top5.indices);
    expect(manifest.top5.indices.map((i) => expected[i])).toEqual(manifest.top5.values);
    expect(expected.every(Number.isFinite)).toBe(true);
  });
});

describe.each(external)('external-data fixture $name ($folder)', ({ name, folder }) => {
  it("refers only to bytes inside its data file, and its input is the generator's", () => {
    const { manifest, onnx: bytes, externalData, input, inputShape, expected } = loadFixture(name, folder);
    const data = externalData[manifest.externalData!]!;
    let external = 0;
    for (const init of decode(bytes).initializers) {
      if (!init.external) continue;
      expect(init.entries['location']).toBe(manifest.externalData);
      const offset = Number(init.entries['offset'] ?? 0);
      const length = Number(init.entries['length']);
      expect(length).toBe(4 * elements(init.dims));
      expect(offset + length).toBeLessThanOrEqual(data.length);
      external += length;
    }
    expect(external).toBeGreaterThan(0.9 * data.length);
    expect(input).toEqual(generate(manifest.seed, 'input', input.length, 'sym', 1));
    expect(inputShape).toEqual(manifest.input.shape);
    expect(expected.length).toBe(elements(manifest.output.shape));
    let best = 0;
    for (let i = 1; i < expected.length; i++) if (expected[i]! > expected[best]!) best = i;
    expect(best).toBe(manifest.top5.indices[0]);
  });
});

const ORT_MAX_MACS = 500e6; // the larger fixtures were checked once by hand; they only add minutes here

describe('onnxruntime-web agrees with PyTorch on the small fixtures (checks the fixtures, not our runtime)', () => {
  const small = cases.filter((c) => c.manifest.macs <= ORT_MAX_MACS);

  it.each(small)('$name ($folder)', async ({ name, folder }) => {
    const ort = await import('onnxruntime-web');
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.wasmPaths = `${path.dirname(createRequire(import.meta.url).resolve('onnxruntime-web'))}/`;
    const { manifest, onnx: bytes, weights, externalData, input, inputShape, expected } = loadFixture(name, folder);
    const session = await ort.InferenceSession.create(embedWeights(bytes, weights), {
      externalData: Object.entries(externalData).map(([where, data]) => ({ path: where, data })),
    });
    const out = await session.run({ [manifest.input.name]: new ort.Tensor('float32', input, inputShape) });
    await session.release();
    const got = out[manifest.output.name]!.data as Float32Array;
    let err = 0;
    let norm = 0;
    let best = 0;
    for (let i = 0; i < expected.length; i++) {
      err += (got[i]! - expected[i]!) ** 2;
      norm += expected[i]! ** 2;
      if (got[i]! > got[best]!) best = i;
    }
    expect(Math.sqrt(err / norm)).toBeLessThan(1e-5);
    expect(best).toBe(manifest.top5.indices[0]);
  });
});
