// The tuning tasks of a model: its convolution and dense layers as kernel shapes, the same
// shape met several times counted once (with every node that uses it).
import { averagePoolFirst, tensorReaders, windowGeometry } from '../graph/analysis.js';
import type { Graph, GraphNode } from '../graph/types.js';
import { convTask, denseTask, type Task, taskKey } from './space/task.js';

export interface ModelTask {
  task: Task;
  /** Names of the nodes that run this task. */
  nodes: string[];
}

/** A conv node's kernel shape; after `pooledFirst` (averagePoolFirst), on the pooled pixels as the runtime runs it. */
function convNodeTask(node: GraphNode, pooledFirst?: GraphNode): Task | undefined {
  if (node.inputs[0]?.shape.length !== 4) return undefined; // only 2-D convolutions
  const g = windowGeometry(node);
  if (g.strides[0] !== g.strides[1] || g.dilations[0] !== g.dilations[1]) return undefined; // the kernels take one stride and dilation
  const [h, w] = pooledFirst ? pooledFirst.outputs[0]!.shape.slice(2) : g.inputSize;
  return convTask(node.name, {
    n: g.batch,
    c: g.inChannels,
    h: h!,
    w: w!,
    oc: g.outChannels,
    kh: g.kernel[0],
    kw: g.kernel[1],
    stride: g.strides[0],
    dilation: g.dilations[0],
    padTop: g.padsBegin[0],
    padLeft: g.padsBegin[1],
    padBottom: g.padsEnd[0],
    padRight: g.padsEnd[1],
    groups: g.group,
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
  const { soleReader } = tensorReaders(graph);
  const byKey = new Map<string, ModelTask>();
  for (const node of graph.nodes) {
    const task = node.op === 'Conv' ? convNodeTask(node, averagePoolFirst(node, soleReader)) : node.op === 'Gemm' || node.op === 'MatMul' ? denseNodeTask(node) : undefined;
    if (!task) continue;
    const key = taskKey(task);
    const entry = byKey.get(key);
    if (entry) entry.nodes.push(node.name);
    else byKey.set(key, { task, nodes: [node.name] });
  }
  return [...byKey.values()];
}
