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

export interface ValueInfo {
  name: string;
  shape: number[];
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
