// The library facades in Node: results equal the CLI's for the same input, options are checked
// where they enter, progress is reported and an AbortSignal cancels.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtinGraph, importOnnx, infer, OptionsError, parseModelSpec, schedule, simulate } from '../../src/node/index.js';
import { placeholderWeights } from '../../src/run/placeholder-weights.js';
import { GraphError } from '../../src/graph/types.js';

const MOBILENET = 'test/fixtures/models/mobilenet_v2.onnx';

function cli(...args: string[]): Record<string, unknown> {
  return JSON.parse(execFileSync('node', ['--experimental-wasm-relaxed-simd', 'bin/mapwise.js', ...args, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 }));
}

const timeless = (r: object): Record<string, unknown> => {
  const { solveSeconds, simulatorSeconds, ...rest } = r as Record<string, unknown>;
  return rest;
};

describe('library facades', () => {
  it('importOnnx + schedule give the CLI schedule of the same file', async () => {
    const graph = await importOnnx(readFileSync(MOBILENET), { source: MOBILENET });
    expect(graph.name).toBe('mobilenet_v2');
    const mine = await schedule(graph, { cores: 4, scheduler: 'dp' });
    const { target, ...rest } = mine;
    expect(target).toMatchObject({ kind: 'edgetpu-pipeline', cores: 4 });
    expect(timeless(rest)).toEqual(timeless(cli('schedule', MOBILENET, '--cores', '4', '--scheduler', 'dp')));
  });

  it('simulate gives the CLI simulation of the same network and target', async () => {
    const mine = await simulate('scalesim:alexnet', { target: 'systolic:google' });
    const theirs = cli('simulate', 'scalesim:alexnet', '--target', 'systolic:google');
    expect(mine.totals).toEqual(theirs.totals);
    expect(mine.layers).toEqual(theirs.layers);
    expect(mine.area).toEqual(theirs.area);
    expect(mine.config).toEqual(theirs.config);
  });

  it('zoo names resolve as users write them, and graphs give the same result as names', async () => {
    const byName = await schedule('ResNet-18', { cores: 2, scheduler: 'compiler' });
    expect(byName.model).toBe('resnet18');
    const bySpec = await schedule('resnet18', { target: 'edgetpu:2', scheduler: 'compiler' });
    expect(bySpec.target).toEqual(byName.target);
    expect(bySpec.assignment).toEqual(byName.assignment);
    const sim = await simulate('alexnetconvs', { target: { rows: 16, cols: 16, dataflow: 'is' }, energyTable: 'eyeriss' });
    expect(sim.layers.map((l) => l.name)).toHaveLength(5);
    expect(sim.config.rows).toBe(16);
    expect(sim.energyTable).toMatchObject({ source: expect.stringMatching(/Eyeriss/i) });
  });

  it('rejects unknown options by name and wrong types naming the field and what was expected', async () => {
    await expect(schedule('alexnet', { cores: 4, timeLimit: 3 } as never)).rejects.toThrow(/^schedule: unknown option 'timeLimit'; expected one of: cores, target/);
    await expect(schedule('alexnet', { cores: 0 })).rejects.toThrow("schedule: option 'cores' must be an integer from 1 to 8, got 0");
    await expect(schedule('alexnet', { cores: 2.5 })).rejects.toThrow(/option 'cores' must be an integer from 1 to 8, got 2.5/);
    await expect(schedule('alexnet', { scheduler: 'milp' as never })).rejects.toThrow(/option 'scheduler' must be one of 'auto', 'exact', 'compiler', 'profiling', 'dp', 'learned', got 'milp'/);
    await expect(schedule('alexnet', { target: { cores: 2, sramKiB: 3 } as never })).rejects.toThrow(/pipeline target: unknown field 'sramKiB'/);
    await expect(schedule('alexnet', { target: 'edgetpu:3', cores: 3 })).rejects.toThrow(/give the cores in option 'target' \('edgetpu:3'\) or in 'cores', not both/);
    await expect(schedule('alexnet', { target: 'constructor' })).rejects.toThrow(/option 'target' must be 'edgetpu' or 'edgetpu:K'/);
    await expect(schedule('alexnet', { onProgress: 'yes' as never })).rejects.toThrow(/option 'onProgress' must be a function, got 'yes'/);
    await expect(schedule('alexnet', [] as never)).rejects.toThrow(/schedule: options must be a plain object, got an array/);
    await expect(schedule(42 as never)).rejects.toThrow(/schedule: model must be a Graph \(from importOnnx\) or a zoo name, got number/);
    await expect(simulate('alexnet', { dataflow: 'rs' as never })).rejects.toThrow(/simulate: option 'dataflow' must be one of 'os', 'ws', 'is', got 'rs'/);
    await expect(simulate('alexnet', { target: { rows: -1 } })).rejects.toThrow(/rows/);
    await expect(simulate('scalesim:lenet')).rejects.toThrow(/unknown SCALE-Sim network 'lenet'/);
    await expect(importOnnx('model.onnx' as never)).rejects.toThrow(/importOnnx: bytes must be a Uint8Array or an ArrayBuffer, got string/);
    await expect(importOnnx(new Uint8Array(8), { sorce: 'x' } as never)).rejects.toThrow(/importOnnx: unknown option 'sorce'/);
    await expect(importOnnx(new Uint8Array([8, 1, 2]), { source: 'bad.onnx' })).rejects.toThrow(GraphError);
    await expect(schedule('alexnet', { cores: '4' as never })).rejects.toBeInstanceOf(OptionsError);
  });

  it('reports progress and stops when its signal fires', async () => {
    const events: string[] = [];
    await simulate('scalesim:mobilenet', { onProgress: (e) => events.push(`${e.step} ${e.done}/${e.total}`) });
    expect(events[0]).toBe('layers 0/27');
    expect(events.at(-1)).toBe('layers 27/27');
    expect(events).toHaveLength(28);
    const controller = new AbortController();
    const run = simulate('scalesim:mobilenet', {
      signal: controller.signal,
      onProgress: (e) => {
        if (e.done === 10) controller.abort();
      },
    });
    await expect(run).rejects.toThrow(/abort/i);
    const steps: string[] = [];
    await schedule('alexnet', { scheduler: 'dp', onProgress: (e) => steps.push(e.step) });
    expect(steps).toEqual(['model', 'problem', 'solve', 'cost']);
  });

  it('the learned scheduler is deterministic for a seed', async () => {
    const a = await schedule('mobilenetv2', { cores: 3, scheduler: 'learned', seed: 5 });
    const b = await schedule('mobilenetv2', { cores: 3, scheduler: 'learned', seed: 5 });
    expect(a.assignment).toEqual(b.assignment);
    expect(a.bottleneckSeconds).toBe(b.bottleneckSeconds);
  });

  it('infer runs a zoo spec on the placeholder weights (the demo\'s zoo runs), with an input made from the input\'s shape', async () => {
    const graph = builtinGraph(parseModelSpec('squeezenet11', ['zoo']))!;
    const shapes: (readonly number[])[] = [];
    const input = (shape: readonly number[]) => {
      shapes.push(shape);
      return new Float32Array(shape.reduce((a, d) => a * d, 1)).fill(0.25);
    };
    const bySpec = await infer('squeezenet11', { input });
    const byGraph = await infer(graph, { weights: placeholderWeights(graph), input: new Float32Array(3 * 224 * 224).fill(0.25) });
    expect(shapes).toEqual([[1, 3, 224, 224]]);
    expect(bySpec.report.model).toBe('squeezenet11');
    expect(bySpec.report.outputs).toEqual(byGraph.report.outputs);
  }, 60_000);
});
