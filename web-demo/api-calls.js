// The calls the cross-runtime test makes in Node, Deno and Chromium with the same inputs and
// seeds; `lib` is the mapwise module of that runtime and `bytes` an ONNX file's contents.
// Plain JavaScript so every runtime loads it as is. Wall-clock fields are dropped.

const timeless = (report, key = 'solveSeconds') => {
  const { [key]: seconds, ...rest } = report;
  return typeof seconds === 'number' ? rest : { missing: key };
};

// Tuning reports carry wall-clock seconds per layer and a timestamp per record.
const untimedTuning = (report) => ({
  ...report,
  layers: report.layers.map(({ seconds, ...layer }) => layer),
  records: report.records.map(({ result: { timestamp, ...result }, ...record }) => ({ ...record, result })),
});

const messageOf = async (call) => {
  try {
    await call();
    return 'no error';
  } catch (error) {
    return `${error.name}: ${error.message}`;
  }
};

export async function apiCalls(lib, bytes) {
  const graph = await lib.importOnnx(bytes, { source: 'squeezenet1_1.onnx' });
  const sum = (key) => graph.nodes.reduce((total, node) => total + node[key], 0);
  return {
    graph: { name: graph.name, nodes: graph.nodes.length, edges: graph.edges.length, macs: sum('macs'), params: sum('params'), ops: graph.nodes.map((n) => n.op).join(' ') },
    dp: timeless(await lib.schedule(graph, { cores: 4, scheduler: 'dp' })),
    learned: timeless(await lib.schedule('mobilenetv2', { cores: 3, scheduler: 'learned', seed: 7 })),
    exact: timeless(await lib.schedule('alexnet', { cores: 3, scheduler: 'exact' })),
    simulateOnnx: timeless(await lib.simulate(graph, { target: 'systolic:google' }), 'simulatorSeconds'),
    simulateScaleSim: timeless(await lib.simulate('scalesim:alexnet', { target: { rows: 64, cols: 64 }, dataflow: 'ws' }), 'simulatorSeconds'),
    tune: untimedTuning(await lib.tune('alexnetconvs', { target: 'systolic:scale', layer: 1, tuner: 'ga', trials: 24, seed: 2 })),
    errors: [
      await messageOf(() => lib.schedule('alexnet', { cores: 3, sheduler: 'dp' })),
      await messageOf(() => lib.schedule('alexnet', { cores: '3' })),
      await messageOf(() => lib.simulate('alexnet', { target: 'systolic:tpu' })),
      await messageOf(() => lib.importOnnx(new Uint8Array([1, 2, 3]), { source: 'junk.onnx' })),
      await messageOf(() => lib.schedule('nosuchnet')),
    ],
  };
}
