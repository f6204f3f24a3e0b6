// The tuning tasks of a model: its convolution and dense layers as kernel shapes, the same
// shape met several times counted once (with every node that uses it).
import type { Graph, GraphNode } from '../graph/types.js';
import { convTask, denseTask, type Task, taskKey } from './space/task.js';

export interface ModelTask {
  task: Task;
  /** Names of the nodes that run this task. */
  nodes: string[];
}

function intList(node: GraphNode, name: string, length: number, fill: number): number[] {
  const value = node.attributes[name];
  if (value === undefined) return new Array<number>(length).fill(fill);
  if (!Array.isArray(value) || value.length !== length || !value.every((v) => typeof v === 'number')) {
    throw new Error(`node '${node.name}': attribute '${name}' should be ${length} integers`);
  }
  return value as number[];
}

/** Pads [top, left, bottom, right] from `pads`, or those SAME auto-padding implies. */
function padsOf(node: GraphNode, input: readonly number[], output: readonly number[], kernel: number[], strides: number[], dilations: number[]): number[] {
  const autoPad = node.attributes.auto_pad;
  if (autoPad !== 'SAME_UPPER' && autoPad !== 'SAME_LOWER') return intList(node, 'pads', 4, 0);
  const total = [0, 1].map((i) => Math.max(0, (output[i + 2]! - 1) * strides[i]! + (kernel[i]! - 1) * dilations[i]! + 1 - input[i + 2]!));
  const begin = total.map((t) => (autoPad === 'SAME_UPPER' ? Math.floor(t / 2) : Math.ceil(t / 2)));
  return [begin[0]!, begin[1]!, total[0]! - begin[0]!, total[1]! - begin[1]!];
}

function convNodeTask(node: GraphNode): Task | undefined {
  const input = node.inputs[0]?.shape;
  const weight = node.inputs[1]?.shape;
  const output = node.outputs[0]?.shape;
  if (!input || !weight || !output || input.length !== 4 || weight.length !== 4) return undefined; // only 2-D convolutions
  const kernel = [weight[2]!, weight[3]!];
  const strides = intList(node, 'strides', 2, 1);
  const dilations = intList(node, 'dilations', 2, 1);
  const [padTop, padLeft, padBottom, padRight] = padsOf(node, input, output, kernel, strides, dilations);
  if (strides[0] !== strides[1] || dilations[0] !== dilations[1]) return undefined; // the kernels take one stride and dilation
  return convTask(node.name, {
    n: input[0]!,
    c: input[1]!,
    h: input[2]!,
    w: input[3]!,
    oc: weight[0]!,
    kh: kernel[0],
    kw: kernel[1],
    stride: strides[0],
    dilation: dilations[0],
    padTop,
    padLeft,
    padBottom,
    padRight,
    groups: Number(node.attributes.group ?? 1),
  });
}

function denseNodeTask(node: GraphNode): Task | undefined {
  const a = node.inputs[0]?.shape;
  const output = node.outputs[0]?.shape;
  if (!a || !output || a.length !== 2 || output.length !== 2) return undefined;
  const transA = node.op === 'Gemm' && node.attributes.transA === 1;
  const k = transA ? a[0]! : a[1]!;
  return denseTask(node.name, output[0]!, k, output[1]!);
}

export function modelTasks(graph: Graph): ModelTask[] {
  const byKey = new Map<string, ModelTask>();
  for (const node of graph.nodes) {
    const task = node.op === 'Conv' ? convNodeTask(node) : node.op === 'Gemm' || node.op === 'MatMul' ? denseNodeTask(node) : undefined;
    if (!task) continue;
    const key = taskKey(task);
    const entry = byKey.get(key);
    if (entry) entry.nodes.push(node.name);
    else byKey.set(key, { task, nodes: [node.name] });
  }
  return [...byKey.values()];
}
