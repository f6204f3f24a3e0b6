// `mapwise import` and `mapwise zoo` as a user runs them (needs `npm run build`, which `npm test` does first).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function mapwise(...args: string[]) {
  return spawnSync('node', ['bin/mapwise.js', ...args], { encoding: 'utf8' });
}

function json(...args: string[]) {
  const run = mapwise(...args, '--json');
  expect(run.status, run.stderr).toBe(0);
  expect(run.stdout.trim().split('\n')).toHaveLength(1);
  return JSON.parse(run.stdout);
}

describe('mapwise import', () => {
  it('--json on a real file gives the issue fields and the exact totals', () => {
    const r = json('import', 'test/fixtures/models/squeezenet1_1.onnx');
    expect(r).toMatchObject({ name: 'squeezenet1_1', nodes: 65, params: 1_235_496, paramBytes: 4_941_984, macs: 349_151_936 });
    expect(r.opCounts).toMatchObject({ Conv: 26, Concat: 8, MaxPool: 3 });
    expect(r.layers).toHaveLength(65);
    expect(r.layers[0]).toEqual({
      name: '/features/features.0/Conv', op: 'Conv', inputShapes: [[1, 3, 224, 224]], outputShape: [1, 64, 111, 111],
      params: 1792, paramBytes: 7168, macs: 64 * 111 * 111 * 27, outputBytes: 64 * 111 * 111 * 4,
    });
    expect(r.layers.reduce((s: number, l: { macs: number }) => s + l.macs, 0)).toBe(r.macs);
  });

  it('accepts a zoo name as users write it', () => {
    const r = json('import', 'ResNet-50');
    expect(r).toMatchObject({ name: 'resnet50', params: 25_557_032, macs: 4_089_184_256 });
  });

  it('prints a summary and per-layer rows as text', () => {
    const run = mapwise('import', 'alexnet');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/parameters\s+61,100,840/);
    expect(run.stdout).toMatch(/conv1\s+Conv\s+1x3x224x224\s+1x64x55x55\s+23,296\s+70,276,800/);
  });

  it('fails cleanly on an unknown name and on a file that is not ONNX', () => {
    const unknown = mapwise('import', 'resnet51');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/'resnet51' is neither a built-in model \(alexnet, .*\) nor a file; expected NAME\[@SIZE\].*synthetic:N/);
    const bad = mapwise('import', 'package.json');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^mapwise: package\.json: /);
    expect(bad.stdout).toBe('');
  });
});

describe('mapwise zoo', () => {
  it('lists every built-in model with its totals and the published figures', () => {
    const r = json('zoo');
    const byName = Object.fromEntries(r.models.map((m: { name: string }) => [m.name, m]));
    expect(byName.resnet50).toMatchObject({ params: 25_557_032, publishedParams: 25_557_032, publishedMacs: 4.089e9 });
    for (const m of r.models) expect(m.params).toBe(m.publishedParams);
    expect(Object.keys(byName)).toEqual(expect.arrayContaining(['alexnet', 'vgg16', 'vgg19', 'resnet18', 'resnet101', 'resnet152', 'mobilenet', 'mobilenetv2', 'densenet121', 'densenet169', 'densenet201', 'inceptionv3', 'xception', 'efficientnetb0']));
  });
});
