// The runtime's reference fixtures (test/fixtures/runtime/) and the end-to-end benchmark's
// torchvision models (bench/models/), both made by scripts/make-runtime-fixtures.py:
// weight-stripped ONNX exports of torchvision models whose weights are regenerated here, bit for
// bit, from a counter-based generator keyed by name, and PyTorch's own output for the same input.
// Shared by the tests and the benchmarks, so it lives with the benchmarks.
//
// The generator must match generate() in the Python script exactly:
//   key   = FNV-1a (32 bit) of the UTF-8 bytes of `${seed}:${name}`
//   x_i   = mulberry32's (i+1)-th output started at state key (i = element index in C order)
//   'sym' : u = (x >>> 8) * 2^-23 - 1        in [-1, 1)
//   'pos' : u = ((x >>> 9) + 2^23) * 2^-23   in [1, 2)
//   value = float32(scale * u)  (scale and u are float32, so the double product rounds once)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import onnxProto from 'onnx-proto';
import { readNpy } from '../src/run/npy.js';

/** The repository's root: the first folder above this module with a package.json (this file runs from bench/ under vitest, from dist/bench/ once built). */
function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`fixture-weights: no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}

/** Where fixtures live: the tests' small ones, and the benchmark's models at their published size. */
export const FIXTURE_FOLDERS = {
  runtime: join(repositoryRoot(), 'test', 'fixtures', 'runtime'),
  bench: join(repositoryRoot(), 'bench', 'models'),
} as const;
export type FixtureFolder = keyof typeof FIXTURE_FOLDERS;

export type Dist = 'sym' | 'pos';

/** How to regenerate one initializer, and what Python saw when it generated it. */
export interface TensorRecord {
  name: string; // ONNX initializer name
  key: string; // generator name (the state_dict entry)
  shape: number[];
  dist: Dist;
  scale: number; // exactly a float32
  first: number[]; // the first (up to) 4 values
  sum: number; // float64 sum of all values (math.fsum)
}

export interface FixtureManifest {
  name: string;
  constructor: string; // e.g. torchvision.models.resnet18
  args: Record<string, unknown>; // its keyword arguments
  opset: number;
  torch: string;
  torchvision: string;
  seed: number;
  macs: number; // Conv + Linear multiply-accumulates, counted by forward hooks
  /** The model input; for generated fixtures also how to regenerate it (key 'input'). */
  input: { name: string; shape: number[]; dist?: Dist; scale?: number; first?: number[]; sum?: number };
  output: { name: string; shape: number[] };
  top5: { indices: number[]; values: number[] };
  ops: string[]; // op types in the ONNX graph
  /** Float initializers that are no state_dict entry and keep their data (small constants). */
  keptInitializers?: { name: string; shape: number[] }[];
  /** Generated initializers, stripped from the .onnx (absent in the external-data fixture). */
  tensors?: TensorRecord[];
  /** The external-data fixture only: how it was exported, and the file its weights are in. */
  export?: string;
  externalData?: string;
}

export interface Fixture {
  manifest: FixtureManifest;
  onnx: Uint8Array;
  /** ONNX initializer name → regenerated data ({} for the external-data fixture). */
  weights: Record<string, Float32Array>;
  /** External data files the .onnx refers to, by location ({} unless manifest.externalData). */
  externalData: Record<string, Uint8Array>;
  input: Float32Array;
  inputShape: number[];
  expected: Float32Array; // PyTorch's output
  expectedShape: number[];
}

/** 32-bit FNV-1a over the UTF-8 bytes of `text`. */
export function fnv1a(text: string): number {
  let h = 2166136261;
  for (const b of new TextEncoder().encode(text)) h = Math.imul(h ^ b, 16777619) >>> 0;
  return h;
}

/** `count` values of the tensor named `key` (see the header comment), as Python made them. */
export function generate(seed: number, key: string, count: number, dist: Dist, scale: number): Float32Array {
  if (dist !== 'sym' && dist !== 'pos') throw new Error(`generate: unknown dist '${String(dist)}' for ${key}`);
  const out = new Float32Array(count);
  const s = Math.fround(scale);
  const k = fnv1a(`${seed}:${key}`);
  const sym = dist === 'sym';
  for (let i = 0; i < count; i++) {
    // mulberry32, its (i+1)-th output from state k; written out inline because this loop makes
    // hundreds of millions of values per test run.
    let t = (k + Math.imul(i + 1, 0x6d2b79f5)) | 0;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= (t + Math.imul(t ^ (t >>> 7), t | 61)) | 0; // `| 0` keeps V8 on int32 paths; ^ wraps anyway
    const x = t ^ (t >>> 14); // the uint32 output is x >>> 0; the shifts below see the same bits
    out[i] = s * (sym ? (x >>> 8) * 2 ** -23 - 1 : ((x >>> 9) + 2 ** 23) * 2 ** -23); // the store rounds to float32
  }
  return out;
}

const elements = (shape: readonly number[]): number => shape.reduce((a, d) => a * d, 1);
const reader = (folder: FixtureFolder) => (file: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURE_FOLDERS[folder], file)));

/** The names of every fixture in a folder (one per manifest). */
export function fixtureNames(folder: FixtureFolder = 'runtime'): string[] {
  return readdirSync(FIXTURE_FOLDERS[folder])
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

export function readManifest(name: string, folder: FixtureFolder = 'runtime'): FixtureManifest {
  const read = reader(folder);
  return JSON.parse(new TextDecoder().decode(read(`${name}.json`))) as FixtureManifest;
}

/** A fixture with its weights regenerated and its expected output read. */
export function loadFixture(name: string, folder: FixtureFolder = 'runtime'): Fixture {
  const read = reader(folder);
  const manifest = readManifest(name, folder);
  const weights: Record<string, Float32Array> = {};
  for (const t of manifest.tensors ?? []) weights[t.name] = generate(manifest.seed, t.key, elements(t.shape), t.dist, t.scale);
  const externalData: Record<string, Uint8Array> = {};
  if (manifest.externalData !== undefined) externalData[manifest.externalData] = read(manifest.externalData);
  let input: Float32Array;
  if (manifest.input.dist !== undefined && manifest.input.scale !== undefined) {
    input = generate(manifest.seed, 'input', elements(manifest.input.shape), manifest.input.dist, manifest.input.scale);
  } else {
    const npy = readNpy(read(`${name}.input.npy`), `${name}.input.npy`);
    if (npy.shape.join() !== manifest.input.shape.join()) throw new Error(`${name}.input.npy: shape [${npy.shape}] is not [${manifest.input.shape}]`);
    input = npy.data;
  }
  const expected = readNpy(read(`${name}.output.npy`), `${name}.output.npy`);
  return {
    manifest,
    onnx: read(`${name}.onnx`),
    weights,
    externalData,
    input,
    inputShape: [...manifest.input.shape],
    expected: expected.data,
    expectedShape: expected.shape,
  };
}

/**
 * The same ONNX file with the given initializers' data put back (raw little-endian float32) and
 * their external-data marks removed: the file as the exporter wrote it, for runtimes that cannot
 * take weights separately.
 */
export function embedWeights(onnx: Uint8Array, weights: Record<string, Float32Array>): Uint8Array {
  const { onnx: proto } = onnxProto;
  const model = proto.ModelProto.decode(onnx);
  for (const init of model.graph?.initializer ?? []) {
    const w = weights[init.name ?? ''];
    if (w === undefined) continue;
    const raw = new Uint8Array(w.length * 4);
    const view = new DataView(raw.buffer);
    for (let i = 0; i < w.length; i++) view.setFloat32(4 * i, w[i]!, true);
    init.rawData = raw;
    init.dataLocation = proto.TensorProto.DataLocation.DEFAULT;
    init.externalData = [];
  }
  return proto.ModelProto.encode(model).finish();
}
