// `mapwise run` as a user runs it (the built CLI): a model with external weights beside it, a
// NumPy input in and the output out, compared with PyTorch's.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { readNpy } from '../../src/run/npy.js';

const FIXTURE = 'test/fixtures/runtime/shufflenet_v2_x0_5_external';

function mapwise(...args: string[]) {
  return spawnSync('node', ['bin/mapwise.js', ...args], { encoding: 'utf8' });
}

it('run --input X.npy --output Y.npy --json: PyTorch\'s output, one JSON object with the issue\'s fields', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'mapwise-run-')), 'y.npy');
  const run = mapwise('run', `${FIXTURE}.onnx`, '--input', `${FIXTURE}.input.npy`, '--output', out, '--repeat', '3', '--json');
  expect(run.status, run.stderr).toBe(0);
  expect(run.stdout.trim().split('\n')).toHaveLength(1);
  const report = JSON.parse(run.stdout);
  expect(report).toMatchObject({ model: `${FIXTURE}.onnx`, flavour: 'relaxed', runs: 3, tunedLayers: [] });
  for (const key of ['createMs', 'medianMs', 'minMs', 'peakArenaBytes']) expect(report[key], key).toBeGreaterThan(0);
  const expected = readNpy(new Uint8Array(readFileSync(`${FIXTURE}.output.npy`)));
  const actual = readNpy(new Uint8Array(readFileSync(out)));
  expect(actual.shape).toEqual([1, 1000]);
  let num = 0, den = 0;
  expected.data.forEach((e, i) => {
    num += (actual.data[i]! - e) ** 2;
    den += e * e;
  });
  expect(Math.sqrt(num / den)).toBeLessThanOrEqual(1e-4);
  const top = [...expected.data.keys()].sort((a, b) => expected.data[b]! - expected.data[a]!).slice(0, 5);
  expect(report.outputs[0].top5.map((t: { index: number }) => t.index)).toEqual(top);
});

it('run refuses a shapes-only model and a wrong input file with one clear message', () => {
  const stripped = mapwise('run', 'test/fixtures/models/resnet18_noweights.onnx');
  expect(stripped.status).toBe(1);
  expect(stripped.stderr).toMatch(/weight 'onnx::Conv_193' .* has no data/);
  const wrong = mapwise('run', `${FIXTURE}.onnx`, '--input', `${FIXTURE}.output.npy`);
  expect(wrong.status).toBe(1);
  expect(wrong.stderr).toMatch(/input 'input' must have shape \[1, 3, 112, 112\] \(37632 floats\), got 1000 floats/);
  const threads = mapwise('run', `${FIXTURE}.onnx`, '--threads', '0');
  expect(threads.status).toBe(1);
  expect(threads.stderr).toMatch(/--threads must be an integer ≥ 1, got 0/);
});

it('run --threads 2 runs the threaded build and writes the same output bit for bit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mapwise-run-'));
  const outputs = [1, 2].map((threads) => {
    const out = join(dir, `y${threads}.npy`);
    const run = mapwise('run', `${FIXTURE}.onnx`, '--input', `${FIXTURE}.input.npy`, '--output', out, '--repeat', '1', '--threads', String(threads), '--json');
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ threads, flavour: threads > 1 ? 'relaxed-threads' : 'relaxed' });
    return readFileSync(out);
  });
  expect(outputs[1]!.equals(outputs[0]!)).toBe(true);
});
