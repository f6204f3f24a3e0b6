// The inference the cross-runtime test runs in Node, Deno and Chromium: the external-data
// ShuffleNet fixture (weights in a file beside the model, read through `readExternal`) on its
// PyTorch input. `read(file)` gives a fixture file's bytes however the runtime reads them.
// Plain JavaScript so every runtime loads it as is. The outputs are returned whole, to compare
// bit for bit. `threads` > 1 runs the threaded build with helper threads.
const NAME = 'shufflenet_v2_x0_5_external';

export async function inferCalls(lib, read, threads = 1) {
  const bytes = await read(`${NAME}.onnx`);
  const input = lib.readNpy(await read(`${NAME}.input.npy`), `${NAME}.input.npy`);
  const expected = lib.readNpy(await read(`${NAME}.output.npy`), `${NAME}.output.npy`);
  const { report, data } = await lib.infer(bytes, { source: `${NAME}.onnx`, input: input.data, readExternal: read, flavour: 'simd', threads });
  const output = data[report.outputs[0].name].data;
  let num = 0;
  let den = 0;
  for (let i = 0; i < output.length; i++) {
    num += (output[i] - expected.data[i]) ** 2;
    den += expected.data[i] ** 2;
  }
  return {
    flavour: report.flavour,
    threads: report.threads,
    outputs: report.outputs,
    relativeL2: Math.sqrt(num / den),
    output: Array.from(output),
  };
}
