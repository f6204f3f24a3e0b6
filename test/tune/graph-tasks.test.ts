import { expect, it } from 'vitest';
import { loadModel } from '../../src/node/models.js';
import { zooModel } from '../../src/graph/zoo/index.js';
import { modelTasks } from '../../src/tune/graph-tasks.js';

it('finds the 11 distinct convolutions and the classifier of the real ResNet-18 export', async () => {
  const tasks = modelTasks(await loadModel('test/fixtures/models/resnet18_noweights.onnx'));
  const convs = tasks.filter((t) => t.task.kind === 'conv2d');
  const dense = tasks.filter((t) => t.task.kind === 'dense');
  expect(convs).toHaveLength(11);
  expect(dense).toHaveLength(1);
  expect(dense[0]!.task.shape).toMatchObject({ c: 512, oc: 1000 });
  const stem = convs.find((t) => t.task.shape.kh === 7)!;
  expect(stem.task.shape).toMatchObject({ c: 3, h: 224, w: 224, oc: 64, strideH: 2, padTop: 3, padRight: 3 });
  // layer1: four identical 64→64 3×3 convolutions at 56×56
  const layer1 = convs.find((t) => t.task.shape.c === 64 && t.task.shape.oc === 64 && t.task.shape.kh === 3)!;
  expect(layer1.nodes).toHaveLength(4);
  expect(convs.reduce((s, t) => s + t.nodes.length, 0)).toBe(20);
  // every task's FLOPs times its node count add up to the model's Conv MACs × 2
  const convFlops = convs.reduce((s, t) => s + t.task.flops * t.nodes.length, 0);
  expect(convFlops + dense[0]!.task.flops).toBe(2 * 1_814_073_344);
});

it('treats a depthwise convolution as the depthwise kernel', async () => {
  const tasks = modelTasks(await loadModel('test/fixtures/models/mobilenet_v2.onnx'));
  const depthwise = tasks.filter((t) => t.task.kind === 'depthwise');
  expect(depthwise.length).toBeGreaterThan(5);
  depthwise.forEach((t) => expect(t.task.shape.groups).toBe(t.task.shape.c));
});

it("puts DenseNet's transition convolutions on the pooled pixels, as the runtime runs them (its average pool first)", () => {
  const graph = zooModel('densenet121');
  const tasks = modelTasks(graph);
  const taskOf = (node: string) => tasks.find((t) => t.nodes.includes(node))!.task.shape;
  // The three transitions: a 1×1 conv, then a 2×2 average pool.
  const pools = graph.nodes.filter((n) => n.op === 'AveragePool');
  const convs = pools.map((p) => graph.nodes.find((n) => n.op === 'Conv' && n.outputs[0]!.name === p.inputs[0]!.name)!);
  expect(convs.map((c) => [c.inputs[0]!.shape[1], c.inputs[0]!.shape[2]])).toEqual([[256, 56], [512, 28], [1024, 14]]);
  expect(convs.map((c) => [taskOf(c.name).c, taskOf(c.name).h, taskOf(c.name).w])).toEqual([[256, 28, 28], [512, 14, 14], [1024, 7, 7]]);
  // A dense layer's 1×1 conv, which no pool reads, keeps its block's size.
  const bottleneck = graph.nodes.find((n) => n.op === 'Conv' && n.inputs[1]!.shape[2] === 1 && n.inputs[0]!.shape[2] === 56 && !convs.includes(n))!;
  expect(taskOf(bottleneck.name).h).toBe(56);
});
