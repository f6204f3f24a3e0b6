// A one-node ONNX model (y = Relu(x), one float): what each runtime creates and releases once
// before any creation is timed, so its wasm and helper threads are up, as a long-lived page or
// server has them.
export async function oneNodeModel(): Promise<Uint8Array> {
  const { default: onnxProto } = await import('onnx-proto');
  const { onnx } = onnxProto;
  const float = onnx.TensorProto.DataType.FLOAT;
  return onnx.ModelProto.encode(onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'init', node: [{ opType: 'Relu', input: ['x'], output: ['y'] }],
      input: [{ name: 'x', type: { tensorType: { elemType: float, shape: { dim: [{ dimValue: 1 }] } } } }],
      output: [{ name: 'y', type: { tensorType: { elemType: float, shape: { dim: [{ dimValue: 1 }] } } } }],
    },
  })).finish();
}
