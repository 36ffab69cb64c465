// Minimal ONNX serializer for the hand-built example models and the tests' models.
// Values are float32 by default; other element types (int64 token ids, double inputs, int8 weights,
// shape operands) are given per input, output or initializer.
import { onnx } from "onnx-proto";

export type ElementType = "float32" | "float64" | "int64" | "int32" | "int8" | "uint8" | "bool";

/** A graph input/output. String dims become symbolic (dim_param), e.g. "batch_size". */
export interface ValueSpec {
  name: string;
  dims: (number | string)[];
  /** Default "float32". */
  type?: ElementType;
}

export interface InitializerSpec {
  name: string;
  dims: number[];
  data: ArrayLike<number>;
  /** Default "float32". */
  type?: ElementType;
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

const DT = onnx.TensorProto.DataType;
const DATA_TYPES: Record<ElementType, { type: number; width: number; write(v: DataView, at: number, x: number): void }> = {
  float32: { type: DT.FLOAT, width: 4, write: (v, at, x) => v.setFloat32(at, x, true) },
  float64: { type: DT.DOUBLE, width: 8, write: (v, at, x) => v.setFloat64(at, x, true) },
  int64: { type: DT.INT64, width: 8, write: (v, at, x) => v.setBigInt64(at, BigInt(x), true) },
  int32: { type: DT.INT32, width: 4, write: (v, at, x) => v.setInt32(at, x, true) },
  int8: { type: DT.INT8, width: 1, write: (v, at, x) => v.setInt8(at, x) },
  uint8: { type: DT.UINT8, width: 1, write: (v, at, x) => v.setUint8(at, x) },
  bool: { type: DT.BOOL, width: 1, write: (v, at, x) => v.setUint8(at, x ? 1 : 0) },
};

function valueInfo({ name, dims, type = "float32" }: ValueSpec): onnx.IValueInfoProto {
  const dim = dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d }));
  return { name, type: { tensorType: { elemType: DATA_TYPES[type].type, shape: { dim } } } };
}

function tensor({ name, dims, data, type = "float32" }: InitializerSpec): onnx.ITensorProto {
  const count = dims.reduce((a, b) => a * b, 1);
  if (data.length !== count) {
    throw new Error(`initializer ${name}: ${data.length} values for shape [${dims}]`);
  }
  // raw_data is little-endian by spec regardless of host byte order, hence DataView.
  const { type: dataType, width, write } = DATA_TYPES[type];
  const raw = new DataView(new ArrayBuffer(count * width));
  for (let k = 0; k < count; k++) {
    if (type !== "float32" && type !== "float64" && !Number.isInteger(data[k])) throw new Error(`initializer ${name}: ${data[k]} is not an integer`);
    write(raw, k * width, data[k]);
  }
  return { name, dims, dataType, rawData: new Uint8Array(raw.buffer) };
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
