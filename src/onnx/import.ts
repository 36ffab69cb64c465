import { onnx } from "onnx-proto";
import { fail, ZkmlError } from "../errors";
import { AttrValue, describeNode, ElemType, Graph, Node, size, Tensor, ValueInfo } from "../ir/graph";
import { foldIntoLinearLayers } from "../ir/fold-batchnorm";
import { fuseGelu } from "../ir/fuse-gelu";
import { maskSoftmaxInputs } from "../ir/masked-softmax";
import { softmaxGroups } from "../ops/activations";
import { opFor } from "../ops/registry";
import { ShapeArg } from "../ops/op";

/** Larger tensors are refused up front rather than exhausting memory later. */
const MAX_ELEMENTS = 1 << 26;

type Long = { toNumber(): number };
const num = (v: number | Long | null | undefined): number => (v == null ? 0 : typeof v === "number" ? v : v.toNumber());

export interface ImportOptions {
  /** Merge BatchNormalization and per-channel Mul/Add into the preceding Conv/Gemm (default true). */
  mergeIntoLinearLayers?: boolean;
  /** Replace PyTorch's exported erf GELU (Div, Erf, Add, Mul, Mul) by one Gelu node (default true). */
  fuseGelu?: boolean;
}

/**
 * Parses ONNX bytes into the graph IR, folding every subgraph that depends only on constants, then
 * turning constant -inf masks before a Softmax into a masked Softmax (ir/masked-softmax.ts), fusing
 * PyTorch's erf GELU into one Gelu node (ir/fuse-gelu.ts), and merging per-channel affine steps into
 * the layers that feed them (ir/fold-batchnorm.ts).
 */
export function importOnnx(bytes: Uint8Array, source = "model", options: ImportOptions = {}): Graph {
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    fail(`${source} is not a valid ONNX file (${(e as Error).message})`);
  }
  const g = model.graph as onnx.GraphProto | null;
  if (!g || !g.node || g.node.length === 0) fail(`${source} is not a valid ONNX model: it has no graph nodes`);
  const opset = num(model.opsetImport.find((o) => !o.domain || o.domain === "ai.onnx")?.version) || 1;

  const constants = new Map<string, Tensor>();
  for (const t of g.initializer) constants.set(t.name ?? "", tensorFromProto(t, `initializer "${t.name}"`));

  const shapes = new Map<string, number[]>();
  const inputs: ValueInfo[] = [];
  for (const vi of g.input) {
    const name = vi.name ?? "";
    if (constants.has(name)) continue; // older exporters list initializers as inputs too
    inputs.push({ name, shape: valueShape(vi, "input"), elemType: inputElemType(vi) });
    shapes.set(name, inputs[inputs.length - 1].shape);
  }
  if (inputs.length === 0) fail(`${source} has no graph inputs: nothing to prove`);

  const nodes: Node[] = [];
  g.node.forEach((np, i) => {
    const node = nodeFromProto(np, i);
    const op = opFor(node);
    const [min, max] = op.arity;
    if (node.inputs.length > max || node.inputs.slice(0, min).some((n) => n === "") || node.inputs.length < min)
      fail(`${describeNode(node)} has inputs [${node.inputs.map((n) => `"${n}"`).join(", ")}]; ${node.op} takes ${min === max ? min : `${min} to ${max}`}`);
    const args: ShapeArg[] = node.inputs.map((name) => {
      if (name === "") return { shape: [] };
      const tensor = constants.get(name);
      if (tensor) return { shape: tensor.dims, tensor };
      const shape = shapes.get(name);
      if (!shape) fail(`${describeNode(node)} reads "${name}", which no earlier node produces (missing initializer, cycle or unsorted graph)`);
      return { shape };
    });
    const present = args.filter((_, j) => node.inputs[j] !== "");
    const allConstant = present.every((a) => a.tensor);
    if (op.foldShapes || (op.fold && allConstant)) {
      const folded = op.fold && allConstant ? op.fold(node, present.map((a) => a.tensor!)) : op.foldShapes!(node, args);
      node.outputs.forEach((name, j) => folded[j] && constants.set(name, folded[j]));
      return;
    }
    const outShapes = op.inferShapes(node, args);
    node.outputs.forEach((name, j) => {
      const s = outShapes[j];
      if (!s) return;
      checkDims(s, `output "${name}" of ${describeNode(node)}`);
      shapes.set(name, s);
    });
    nodes.push(node);
  });

  const outputs: ValueInfo[] = g.output.map(({ name }) => ({ name: name ?? "" })).map((vi) => {
    if (constants.has(vi.name)) fail(`${source}: output "${vi.name}" does not depend on any input; nothing to prove`);
    const shape = shapes.get(vi.name);
    if (!shape) fail(`${source}: output "${vi.name}" is not produced by any node`);
    return { name: vi.name, shape };
  });
  const graph: Graph = { inputs, outputs, nodes, constants, shapes, opset };
  maskSoftmaxInputs(graph, (node, dims) => softmaxGroups(node, dims, opset));
  if (options.fuseGelu ?? true) fuseGelu(graph);
  if (options.mergeIntoLinearLayers ?? true) foldIntoLinearLayers(graph);
  return graph;
}

function checkDims(dims: number[], what: string): void {
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) fail(`${what} has an invalid shape [${dims}]`);
  if (size(dims) > MAX_ELEMENTS) fail(`${what} has ${size(dims)} elements; at most ${MAX_ELEMENTS} are supported`);
}

function valueShape(vi: onnx.IValueInfoProto, role: string): number[] {
  const tt = vi.type?.tensorType;
  if (!tt) fail(`${role} "${vi.name}" is not a tensor`);
  const dims = (tt.shape?.dim ?? []).map((d, i) => {
    const v = num(d.dimValue as number | Long);
    if (d.dimParam || v === 0) {
      // A symbolic (or unset) leading dimension is the batch: we prove one sample at a time.
      if (i === 0) return 1;
      fail(`${role} "${vi.name}" has a symbolic dimension ${i} ("${d.dimParam ?? "?"}"); only the batch dimension may be symbolic`);
    }
    return v;
  });
  checkDims(dims, `${role} "${vi.name}"`);
  return dims;
}

const ELEM_TYPES: Partial<Record<number, ElemType>> = {
  [onnx.TensorProto.DataType.FLOAT]: "float32",
  [onnx.TensorProto.DataType.DOUBLE]: "float64",
  [onnx.TensorProto.DataType.INT64]: "int64",
  [onnx.TensorProto.DataType.INT32]: "int32",
  [onnx.TensorProto.DataType.INT8]: "int8",
  [onnx.TensorProto.DataType.UINT8]: "uint8",
  [onnx.TensorProto.DataType.BOOL]: "bool",
};

/** A graph input's element type: floats are quantized at the model scale, integers and bools exactly. */
function inputElemType(vi: onnx.IValueInfoProto): ElemType {
  const t = vi.type!.tensorType!.elemType ?? 0;
  const e = ELEM_TYPES[t];
  if (!e) {
    const name = onnx.TensorProto.DataType[t] ?? String(t);
    fail(`input "${vi.name}" has ONNX element type ${name}; supported input types: float, double, int64, int32, int8, uint8, bool`);
  }
  return e;
}

function nodeFromProto(np: onnx.INodeProto, i: number): Node {
  const node: Node = {
    op: np.domain && np.domain !== "ai.onnx" ? `${np.domain}.${np.opType}` : np.opType ?? "",
    name: np.name || `${np.opType}_${i}`,
    inputs: np.input ?? [],
    outputs: np.output ?? [],
    attrs: {},
  };
  for (const a of np.attribute ?? []) node.attrs[a.name ?? ""] = attrFromProto(a, node);
  return node;
}

function attrFromProto(a: onnx.IAttributeProto, node: Node): AttrValue {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.type) {
    case T.FLOAT: return a.f ?? 0;
    case T.INT: return num(a.i as number | Long);
    case T.STRING: return Buffer.from(a.s ?? []).toString("utf8");
    case T.TENSOR: return tensorFromProto(a.t!, `attribute "${a.name}" of ${describeNode(node)}`);
    case T.FLOATS: return [...(a.floats ?? [])];
    case T.INTS: return (a.ints ?? []).map((v) => num(v as number | Long));
    case T.STRINGS: return (a.strings ?? []).map((s) => Buffer.from(s).toString("utf8"));
    default: return `<unsupported attribute type ${a.type}>`;
  }
}

export function tensorFromProto(t: onnx.ITensorProto, what: string): Tensor {
  const DT = onnx.TensorProto.DataType;
  const dims = (t.dims ?? []).map((d) => num(d as number | Long));
  checkDims(dims, what);
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) fail(`${what} uses external data files, which are not supported`);
  const n = size(dims);
  const raw = t.rawData && t.rawData.length > 0 ? Buffer.from(t.rawData) : undefined;
  const fromRaw = (bytes: number, read: (b: Buffer, off: number) => number): number[] => {
    if (raw!.length !== n * bytes) fail(`${what} has ${raw!.length} bytes of data for shape [${dims}]`);
    return Array.from({ length: n }, (_, i) => read(raw!, i * bytes));
  };
  let data: number[];
  switch (t.dataType) {
    case DT.FLOAT: data = raw ? fromRaw(4, (b, o) => b.readFloatLE(o)) : [...(t.floatData ?? [])]; break;
    case DT.DOUBLE: data = raw ? fromRaw(8, (b, o) => b.readDoubleLE(o)) : [...(t.doubleData ?? [])]; break;
    case DT.INT64: data = raw ? fromRaw(8, (b, o) => Number(b.readBigInt64LE(o))) : (t.int64Data ?? []).map((v) => num(v as number | Long)); break;
    case DT.INT32: data = raw ? fromRaw(4, (b, o) => b.readInt32LE(o)) : [...(t.int32Data ?? [])]; break;
    case DT.INT16: data = raw ? fromRaw(2, (b, o) => b.readInt16LE(o)) : [...(t.int32Data ?? [])]; break;
    case DT.INT8: data = raw ? fromRaw(1, (b, o) => b.readInt8(o)) : [...(t.int32Data ?? [])]; break;
    case DT.UINT8:
    case DT.BOOL: data = raw ? fromRaw(1, (b, o) => b.readUInt8(o)) : [...(t.int32Data ?? [])]; break;
    default: fail(`${what} has ONNX data type ${t.dataType}, which is not supported`);
  }
  if (data.length !== n) fail(`${what} has ${data.length} values for shape [${dims}] (${n} expected)`);
  return { dims, data };
}

export { ZkmlError };
