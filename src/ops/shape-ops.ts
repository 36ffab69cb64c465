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

/**
 * Dropout at inference: the identity. Before opset 7 the is_test attribute selects inference (its
 * default 0 means training); since opset 12 the optional input 2, training_mode, must be absent or a
 * constant false. The ratio (attribute, or input 1 since opset 12) has no effect at inference. The
 * optional mask output is a constant-valued tensor (scale 0, no signal): all true since opset 12, as
 * the spec and onnxruntime agree; before opset 12 the spec leaves it open and onnxruntime, the
 * reference every accuracy check here uses, returns all false (the ONNX reference implementation
 * all true), so it is all false there. Exporters declare the mask but rarely read it at inference.
 */
export const Dropout: OpDef = {
  arity: [1, 3],
  inferShapes: (node, [x]) => node.outputs.map(() => x.shape),
  fold(node, present) {
    // present holds only the given inputs: training_mode follows those of inputs 0 and 1.
    const x = present[0];
    inferenceOnly(node, undefined, node.inputs[2] ? present[node.inputs.slice(0, 2).filter((n) => n !== "").length] : undefined);
    // The mask's value depends on the opset, which folding does not know: a constant mask is not produced.
    return [x];
  },
  apply(ctx, node, args) {
    const x = args[0];
    if (x.kind !== "value") fail(`${describeNode(node)}: expected a computed input`);
    const mode = args[2];
    inferenceOnly(node, ctx.opset, mode === undefined ? undefined : mode.kind === "const" ? mode.tensor : "computed");
    const kept = ctx.opset >= 12 ? 1n : 0n;
    const mask = { shape: x.value.shape, scale: 0, data: x.value.data.map(() => ctx.dom.constant(kept)) };
    return [x.value, mask];
  },
};

/** Refuses a Dropout that would drop: training mode is random, which no proof can reproduce. */
function inferenceOnly(node: Node, opset: number | undefined, trainingMode: Tensor | "computed" | undefined): void {
  if (opset !== undefined && opset < 7 && attrInt(node, "is_test", 0) === 0)
    fail(`${describeNode(node)}: is_test is 0 (training mode, random); only inference (is_test = 1) is supported before opset 7`);
  if (trainingMode === "computed") fail(`${describeNode(node)}: training_mode (input 2) must be a constant false; a computed mode is not supported`);
  if (trainingMode && trainingMode.data.some((v) => v !== 0))
    fail(`${describeNode(node)}: training_mode (input 2) is true (random dropout); only inference is supported`);
}
