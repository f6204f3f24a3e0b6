// Writes a weight-stripped copy of an ONNX model: every float initializer larger than a few
// elements loses its data and is marked as external data (dims, names and types kept), so the
// copy imports to the same graph, parameter counts and MACs as the original at a fraction of
// its size. Small tensors (shape constants, Clip bounds) keep their values: import folds them.
// Run: node scripts/strip-weights.js IN.onnx OUT.onnx
import { readFileSync, writeFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const KEEP_AT_MOST = 64; // elements; anything this small is a constant, not a weight
const FLOAT_TYPES = new Set([onnx.TensorProto.DataType.FLOAT, onnx.TensorProto.DataType.FLOAT16, onnx.TensorProto.DataType.DOUBLE]);
const BYTES = { [onnx.TensorProto.DataType.FLOAT]: 4, [onnx.TensorProto.DataType.FLOAT16]: 2, [onnx.TensorProto.DataType.DOUBLE]: 8 };

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node scripts/strip-weights.js IN.onnx OUT.onnx');
  process.exit(2);
}
const model = onnx.ModelProto.decode(readFileSync(input));
let stripped = 0;
for (const t of model.graph.initializer) {
  const count = t.dims.reduce((a, d) => a * Number(d), 1);
  if (!FLOAT_TYPES.has(t.dataType) || count <= KEEP_AT_MOST) continue;
  t.rawData = new Uint8Array(0);
  t.floatData = [];
  t.doubleData = [];
  t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
  t.externalData = [{ key: 'location', value: 'stripped.bin' }, { key: 'length', value: String(count * BYTES[t.dataType]) }];
  stripped++;
}
writeFileSync(output, onnx.ModelProto.encode(model).finish());
console.error(`${output}: ${stripped} initializers stripped of their data`);
