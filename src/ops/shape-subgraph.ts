import { fail } from "../errors";
import { attrInt, describeNode, Node, size, Tensor } from "../ir/graph";
import { broadcastIndex, broadcastShapes } from "./broadcast";
import { forEachIndex, Ins, intList, moveOp, Plan, single, strides } from "./layout";
import { OpDef, ShapeArg } from "./op";

/**
 * Ops of the shape-computing subgraphs exporters emit (Shape -> Gather -> Concat -> Reshape...).
 * Shape and Size depend only on their input's shape, so they are folded at import even for a
 * computed input; ConstantOfShape and Range need constant inputs and are always folded. Expand and
 * Tile also apply to computed values, as data movement.
 */

const foldedOnly = (what: string): OpDef["apply"] => (_ctx, node) =>
  fail(`${describeNode(node)}: ${what} must be folded at import; its inputs should be constants`);

function shapeSlice(node: Node, dims: number[]): number[] {
  const r = dims.length;
  const clampAxis = (a: number) => Math.min(Math.max(a < 0 ? a + r : a, 0), r);
  const start = clampAxis(attrInt(node, "start", 0));
  const end = clampAxis(attrInt(node, "end", r));
  return dims.slice(start, Math.max(start, end));
}

/** Shape (with the opset-15 start/end attributes): a 1-D integer constant. */
export const Shape: OpDef = {
  arity: [1, 1],
  inferShapes: (node, [x]) => [[shapeSlice(node, x.shape).length]],
  fold: (node, [x]) => [vector(shapeSlice(node, x.dims))],
  foldShapes: (node, [x]) => [vector(shapeSlice(node, x.shape))],
  apply: foldedOnly("Shape"),
};

/** Size: the element count, a scalar constant. */
export const Size: OpDef = {
  arity: [1, 1],
  inferShapes: () => [[]],
  fold: (_node, [x]) => [{ dims: [], data: [size(x.dims)] }],
  foldShapes: (_node, [x]) => [{ dims: [], data: [size(x.shape)] }],
  apply: foldedOnly("Size"),
};

function vector(values: number[]): Tensor {
  return { dims: [values.length], data: values };
}

/** A constant 1-D shape input, validated. */
function shapeInput(node: Node, a: ShapeArg | undefined, role: string): number[] {
  if (!a?.tensor) fail(`${describeNode(node)}: ${role} must be a constant; computed ${role} are not supported`);
  if (a.tensor.dims.length > 1) fail(`${describeNode(node)}: ${role} must be 1-D, got shape [${a.tensor.dims}]`);
  if (a.tensor.data.some((v) => !Number.isInteger(v) || v < 0)) fail(`${describeNode(node)}: invalid ${role} [${a.tensor.data}]`);
  return a.tensor.data;
}

/** ConstantOfShape: the "value" attribute (a one-element tensor, default float 0) repeated. */
export const ConstantOfShape: OpDef = {
  arity: [1, 1],
  inferShapes: (node, [s]) => [shapeInput(node, s, "shape")],
  fold(node, [s]) {
    const dims = shapeInput(node, { shape: s.dims, tensor: s }, "shape");
    const v = node.attrs.value;
    let fill = 0;
    if (v !== undefined) {
      if (typeof v !== "object" || Array.isArray(v) || (v as Tensor).data.length !== 1)
        fail(`${describeNode(node)}: value must be a one-element tensor`);
      fill = (v as Tensor).data[0];
    }
    return [{ dims, data: new Array<number>(size(dims)).fill(fill) }];
  },
  apply: foldedOnly("ConstantOfShape"),
};

/** Range(start, limit, delta): max(ceil((limit - start) / delta), 0) elements. */
export const Range: OpDef = {
  arity: [3, 3],
  inferShapes(node, ins) {
    if (ins.some((a) => !a.tensor)) fail(`${describeNode(node)}: start, limit and delta must be constants`);
    return [rangeOf(node, ins.map((a) => a.tensor!)).dims];
  },
  fold: (node, ins) => [rangeOf(node, ins)],
  apply: foldedOnly("Range"),
};

function rangeOf(node: Node, [s, l, d]: Tensor[]): Tensor {
  if ([s, l, d].some((t) => t.data.length !== 1)) fail(`${describeNode(node)}: start, limit and delta must be scalars`);
  const [start, limit, delta] = [s.data[0], l.data[0], d.data[0]];
  if (delta === 0) fail(`${describeNode(node)}: delta is 0`);
  const n = Math.max(Math.ceil((limit - start) / delta), 0);
  return vector(Array.from({ length: n }, (_, i) => start + i * delta));
}

/** Expand: bidirectional broadcast of X with the constant shape. */
function expandPlan(node: Node, ins: Ins): Plan {
  const x = ins[0]!.shape;
  const target = shapeInput(node, ins[1], "shape");
  const dims = broadcastShapes(x, target, describeNode(node));
  return single(dims, broadcastIndex(dims, x));
}

/** Tile: repeats[i] copies along axis i. */
function tilePlan(node: Node, ins: Ins): Plan {
  const x = ins[0]!.shape;
  const repeats = intList(node, ins, "", 1, "repeats");
  if (!repeats || repeats.length !== x.length || repeats.some((r) => r < 0))
    fail(`${describeNode(node)}: repeats [${repeats ?? ""}] must hold one non-negative count per axis of [${x}]`);
  const dims = x.map((d, i) => d * repeats[i]);
  const sx = strides(x);
  const at: number[] = [];
  forEachIndex(dims, (idx) => at.push(idx.reduce((acc, v, i) => acc + (v % x[i]) * sx[i], 0)));
  return single(dims, at);
}

export const Expand = moveOp([2, 2], expandPlan, () => [0]);
export const Tile = moveOp([2, 2], tilePlan, () => [0]);
