// Writes small ONNX files for tests with onnx-proto's encoder, so importer tests can state
// exactly what a file contains.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const T = onnx.AttributeProto.AttributeType;
const DT: Record<string, number> = { float32: 1, int64: 7, int32: 6, uint8: 2, float16: 10, bool: 9 };

// A number is an INT attribute when it is an integer and a FLOAT otherwise; { float } forces a
// FLOAT attribute for integral values such as alpha = 2.
export type Attr = number | string | number[] | { float: number } | { floats: number[] } | { tensor: ReturnType<typeof tensor> };

export function tensor(name: string, dims: number[], dtype = 'float32', values?: number[], external = false) {
  const t: Record<string, unknown> = { name, dims, dataType: DT[dtype] };
  if (values) {
    if (dtype === 'int64') t['int64Data'] = values;
    else if (dtype === 'float32') t['floatData'] = values;
    else t['int32Data'] = values;
  }
  if (external) {
    t['dataLocation'] = onnx.TensorProto.DataLocation.EXTERNAL;
    t['externalData'] = [{ key: 'location', value: `${name}.bin` }];
  }
  return onnx.TensorProto.create(t);
}

function attribute(name: string, v: Attr) {
  if (typeof v === 'number') return Number.isInteger(v) ? { name, type: T.INT, i: v } : { name, type: T.FLOAT, f: v };
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  if ('float' in v) return { name, type: T.FLOAT, f: v.float };
  if ('floats' in v) return { name, type: T.FLOATS, floats: v.floats };
  return { name, type: T.TENSOR, t: v.tensor };
}

export function node(op: string, inputs: string[], outputs: string[], attrs: Record<string, Attr> = {}, name = '', domain = '') {
  return onnx.NodeProto.create({ opType: op, input: inputs, output: outputs, name, domain, attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) });
}

export function valueInfo(name: string, dims: (number | string)[], dtype = 'float32') {
  return onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType: DT[dtype], shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
  });
}

export interface ModelParts {
  nodes: ReturnType<typeof node>[];
  inputs: ReturnType<typeof valueInfo>[];
  outputs: ReturnType<typeof valueInfo>[];
  initializers?: ReturnType<typeof tensor>[];
  valueInfo?: ReturnType<typeof valueInfo>[];
  /** Version of the default ONNX domain; 13 when absent. */
  opset?: number;
  /** Further operator sets a model imports, such as { 'com.example': 1 } for a custom op. */
  domains?: Record<string, number>;
}

export function model(parts: ModelParts): Uint8Array {
  const m = onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [{ domain: '', version: parts.opset ?? 13 }, ...Object.entries(parts.domains ?? {}).map(([domain, version]) => ({ domain, version }))],
    producerName: 'mapwise-test',
    graph: {
      name: 'test',
      node: parts.nodes,
      input: parts.inputs,
      output: parts.outputs,
      initializer: parts.initializers ?? [],
      valueInfo: parts.valueInfo ?? [],
    },
  });
  return onnx.ModelProto.encode(m).finish();
}
