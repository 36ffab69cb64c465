/** The graph IR: what the ONNX importer produces and every later stage consumes. Float semantics. */

/** A dense row-major tensor. Integer ONNX tensors (shapes, axes) are held as exact JS numbers too. */
export interface Tensor {
  dims: number[];
  data: number[];
}

export type AttrValue = number | number[] | string | string[] | Tensor;

export interface Node {
  op: string;
  name: string;
  inputs: string[]; // "" marks an omitted optional input, as in ONNX
  outputs: string[];
  attrs: Record<string, AttrValue>;
}

/**
 * A graph input's ONNX element type. Floats are quantized at the model scale; integer and bool inputs
 * are exact integers (scale 0). Absent means float32 (manifests written before integer inputs).
 */
export type ElemType = "float32" | "float64" | "int64" | "int32" | "int8" | "uint8" | "bool";

export interface ValueInfo {
  name: string;
  shape: number[];
  elemType?: ElemType;
}

/** True for integer and bool inputs: their values are exact integers, quantized at scale 0. */
export function isIntegerInput(vi: ValueInfo): boolean {
  return vi.elemType !== undefined && vi.elemType !== "float32" && vi.elemType !== "float64";
}

/** The fixed-point scale a graph input is quantized at. */
export function inputScale(vi: ValueInfo, scaleBits: number): number {
  return isIntegerInput(vi) ? 0 : scaleBits;
}

/** The values an integer element type holds (what prove accepts before the input range check). */
export function elemTypeRange(t: ElemType): [number, number] | undefined {
  switch (t) {
    case "bool": return [0, 1];
    case "uint8": return [0, 255];
    case "int8": return [-128, 127];
    case "int32": return [-(2 ** 31), 2 ** 31 - 1];
    case "int64": return [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
    default: return undefined;
  }
}

/**
 * A model after import: `nodes` only compute on values that depend on a graph input; everything that
 * depends only on initializers and constants has been folded into `constants`.
 */
export interface Graph {
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  nodes: Node[];
  constants: Map<string, Tensor>;
  /** Static shape of every tensor the nodes produce or consume. */
  shapes: Map<string, number[]>;
  opset: number;
}

export function size(dims: number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

export function attrInt(node: Node, name: string, dflt: number): number {
  const v = node.attrs[name];
  return typeof v === "number" ? v : dflt;
}

export function attrInts(node: Node, name: string): number[] | undefined {
  const v = node.attrs[name];
  return Array.isArray(v) ? (v as number[]) : undefined;
}

export function describeNode(node: Node): string {
  return `${node.op} node "${node.name}"`;
}
