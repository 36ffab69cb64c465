// Minimal ONNX serializer for the hand-built example models.
// Values are float32 (all the zk pipeline computes with); int64 initializers exist only for shape
// operands (Reshape's target shape), which ONNX requires to be int64.
import { onnx } from "onnx-proto";

/** A graph input/output. String dims become symbolic (dim_param), e.g. "batch_size". */
export interface ValueSpec {
  name: string;
  dims: (number | string)[];
}

export interface InitializerSpec {
  name: string;
  dims: number[];
  data: ArrayLike<number>;
  /** Default "float32". */
  type?: "float32" | "int64";
}

/** Attribute kind is given by its key so int vs float can't be confused (Gemm's transB must be INT). */
export type AttrValue = { i: number } | { f: number } | { ints: number[] } | { floats: number[] };

export interface NodeSpec {
  name: string;
  opType: string;
  inputs: string[];
  outputs: string[];
  attributes?: Record<string, AttrValue>;
}

export interface GraphSpec {
  name?: string;
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  initializers: InitializerSpec[];
  nodes: NodeSpec[];
  /** Default 13: the opset our circuit compiler targets. */
  opset?: number;
  producerName?: string;
}

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

function valueInfo({ name, dims }: ValueSpec): onnx.IValueInfoProto {
  const dim = dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d }));
  return { name, type: { tensorType: { elemType: FLOAT, shape: { dim } } } };
}

function tensor({ name, dims, data, type = "float32" }: InitializerSpec): onnx.ITensorProto {
  const count = dims.reduce((a, b) => a * b, 1);
  if (data.length !== count) {
    throw new Error(`initializer ${name}: ${data.length} values for shape [${dims}]`);
  }
  // raw_data is little-endian by spec regardless of host byte order, hence DataView.
  const width = type === "int64" ? 8 : 4;
  const raw = new DataView(new ArrayBuffer(count * width));
  for (let k = 0; k < count; k++) {
    if (type === "float32") raw.setFloat32(k * 4, data[k], true);
    else if (Number.isInteger(data[k])) raw.setBigInt64(k * 8, BigInt(data[k]), true);
    else throw new Error(`initializer ${name}: ${data[k]} is not an integer`);
  }
  return { name, dims, dataType: type === "int64" ? INT64 : FLOAT, rawData: new Uint8Array(raw.buffer) };
}

function attribute(name: string, v: AttrValue): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if ("i" in v) return { name, type: T.INT, i: v.i };
  if ("f" in v) return { name, type: T.FLOAT, f: v.f };
  if ("ints" in v) return { name, type: T.INTS, ints: v.ints };
  return { name, type: T.FLOATS, floats: v.floats };
}

/** Serializes a single-graph float32 model. Output is deterministic for identical input. */
export function encodeModel(spec: GraphSpec): Buffer {
  const model: onnx.IModelProto = {
    irVersion: 8,
    opsetImport: [{ domain: "", version: spec.opset ?? 13 }],
    producerName: spec.producerName ?? "hardhat-zkml",
    graph: {
      name: spec.name ?? "main",
      node: spec.nodes.map((n) => ({
        name: n.name,
        opType: n.opType,
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attributes ?? {}).map(([k, v]) => attribute(k, v)),
      })),
      initializer: spec.initializers.map(tensor),
      input: spec.inputs.map(valueInfo),
      output: spec.outputs.map(valueInfo),
    },
  };
  return Buffer.from(onnx.ModelProto.encode(model).finish());
}
