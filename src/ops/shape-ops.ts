import { fail } from "../errors";
import { attrInt, describeNode, Node, size, Tensor } from "../ir/graph";
import { OpDef, ShapeArg } from "./op";

/**
 * Ops that only relabel a row-major tensor: free in the circuit, folded when constant.
 */

function flattenShape(node: Node, dims: number[]): number[] {
  let axis = attrInt(node, "axis", 1);
  if (axis < 0) axis += dims.length;
  if (axis < 0 || axis > dims.length) fail(`${describeNode(node)}: axis ${axis} is out of range for [${dims}]`);
  return [size(dims.slice(0, axis)), size(dims.slice(axis))];
}

function reshapeShape(node: Node, dims: number[], target: Tensor | undefined): number[] {
  if (!target) fail(`${describeNode(node)}: the target shape must be a constant`);
  const allowZero = attrInt(node, "allowzero", 0) === 1;
  const out = target.data.map((d, i) => (d === 0 && !allowZero ? dims[i] : d));
  if (out.some((d) => d === undefined || d < -1 || !Number.isInteger(d)))
    fail(`${describeNode(node)}: invalid target shape [${target.data}] for input [${dims}]`);
  const free = out.filter((d) => d === -1).length;
  if (free > 1) fail(`${describeNode(node)}: target shape [${target.data}] has more than one -1`);
  const known = size(out.filter((d) => d !== -1));
  if (free === 1) {
    if (known === 0 || size(dims) % known !== 0)
      fail(`${describeNode(node)}: cannot reshape [${dims}] to [${target.data}]`);
    out[out.indexOf(-1)] = size(dims) / known;
  }
  if (size(out) !== size(dims)) fail(`${describeNode(node)}: cannot reshape [${dims}] (${size(dims)} elements) to [${out}]`);
  return out;
}

function relabel(arity: [number, number], shapeOf: (node: Node, ins: ShapeArg[]) => number[]): OpDef {
  return {
    arity,
    inferShapes: (node, ins) => [shapeOf(node, ins)],
    fold: (node, ins) => [{ dims: shapeOf(node, ins.map((t) => ({ shape: t.dims, tensor: t }))), data: ins[0].data }],
    apply(_ctx, node, args) {
      const x = args[0];
      if (x.kind !== "value") fail(`${describeNode(node)}: expected a computed input`);
      const shapes = args.map((a) => (a.kind === "const" ? { shape: a.tensor.dims, tensor: a.tensor } : { shape: a.value.shape }));
      return [{ ...x.value, shape: shapeOf(node, shapes) }];
    },
  };
}

export const Identity = relabel([1, 1], (_n, [x]) => x.shape);
export const Flatten = relabel([1, 1], (n, [x]) => flattenShape(n, x.shape));
export const Reshape = relabel([2, 2], (n, [x, s]) => reshapeShape(n, x.shape, s?.tensor));

/** Constant has no inputs, so it is always folded at import. */
export const Constant: OpDef = {
  arity: [0, 0],
  inferShapes: (node) => [constantValue(node).dims],
  fold: (node) => [constantValue(node)],
  apply: (_ctx, node) => fail(`${describeNode(node)}: Constant must be folded at import`),
};

function constantValue(node: Node): Tensor {
  const a = node.attrs;
  if (a.value && typeof a.value === "object" && !Array.isArray(a.value)) return a.value as Tensor;
  if (typeof a.value_float === "number") return { dims: [], data: [a.value_float] };
  if (typeof a.value_int === "number") return { dims: [], data: [a.value_int] };
  for (const k of ["value_floats", "value_ints"]) {
    const v = a[k];
    if (Array.isArray(v)) return { dims: [v.length], data: v as number[] };
  }
  fail(`${describeNode(node)}: unsupported Constant attribute (${Object.keys(a).join(", ") || "none"})`);
}
