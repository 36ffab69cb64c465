import { fail } from "../errors";
import { attrInt, describeNode, Node, Tensor } from "../ir/graph";
import { quantizeReal } from "../numeric/fixed-point";
import { Equal, Less } from "./compare";
import { QValue } from "./domain";
import { forEachIndex, normAxis } from "./layout";
import { Arg, OpContext, OpDef, ShapeArg, valueInput } from "./op";

/**
 * OneHot (opsets 9 and 11) with a constant depth and constant values [off, on]. Constant indices are
 * folded at import. Computed indices must be integers at scale 0 (ArgMax, a Floor, a comparison): an
 * index in [-depth, depth) selects position index (mod depth) along `axis`, any other gives all off,
 * as onnxruntime does in both opsets. The bits are compare.ts's: per index one Less(index, 0), whose
 * bit adds depth to a negative index (a decomposition, width + 2 constraints); per output element one
 * Equal(index, k), an isZero (3 constraints). The output off + (on - off) * bit is linear.
 */

function depthOf(node: Node, t: Tensor | undefined): number {
  if (!t) fail(`${describeNode(node)}: depth (input 1) must be a constant; a computed depth is not supported`);
  if (t.data.length !== 1) fail(`${describeNode(node)}: depth (input 1) must hold one value, got shape [${t.dims}]`);
  const d = t.data[0];
  if (!Number.isInteger(d) || d < 1) fail(`${describeNode(node)}: depth ${d} must be a positive integer`);
  return d;
}

function valuesOf(node: Node, t: Tensor | undefined): [off: number, on: number] {
  if (!t) fail(`${describeNode(node)}: values (input 2) must be a constant; computed values are not supported`);
  if (t.data.length !== 2) fail(`${describeNode(node)}: values (input 2) must be [off_value, on_value], got ${t.data.length} values`);
  return [t.data[0], t.data[1]];
}

/** The output shape (indices with depth inserted at axis), and the axis. */
function geometry(node: Node, indices: number[], depth: number): { dims: number[]; axis: number } {
  const axis = normAxis(node, attrInt(node, "axis", -1), indices.length + 1);
  return { dims: [...indices.slice(0, axis), depth, ...indices.slice(axis)], axis };
}

export const OneHot: OpDef = {
  arity: [3, 3],
  inferShapes: (node, [ind, depth, values]: ShapeArg[]) => {
    valuesOf(node, values.tensor ?? { dims: [2], data: [0, 0] });
    return [geometry(node, ind.shape, depthOf(node, depth.tensor)).dims];
  },
  fold(node, [ind, depthT, valuesT]) {
    const depth = depthOf(node, depthT);
    const [off, on] = valuesOf(node, valuesT);
    const { dims, axis } = geometry(node, ind.dims, depth);
    const data: number[] = [];
    const inner = ind.dims.slice(axis).reduce((a, b) => a * b, 1);
    forEachIndex(dims, (idx) => {
      const outer = idx.slice(0, axis).reduce((acc, v, i) => acc * dims[i] + v, 0);
      const rest = idx.slice(axis + 1).reduce((acc, v, i) => acc * dims[axis + 1 + i] + v, 0);
      const v = Math.trunc(ind.data[outer * inner + rest]);
      const k = v < 0 ? v + depth : v;
      data.push(k === idx[axis] ? on : off);
    });
    return [{ dims, data }];
  },
  apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
    const ind = valueInput(node, args, 0, "indices");
    if (ind.scale !== 0)
      fail(`${describeNode(node)}: computed indices must be integers at scale 0 (e.g. from ArgMax); this one has ${ind.scale} fractional bits`);
    const depth = depthOf(node, args[1]?.kind === "const" ? args[1].tensor : undefined);
    const [off, on] = valuesOf(node, args[2]?.kind === "const" ? args[2].tensor : undefined);
    const { dims, axis } = geometry(node, ind.shape, depth);
    const d = ctx.dom;
    const pair = { ...node, inputs: ["indices", "constant"] };
    const [negative] = Less.apply(ctx, pair, [{ kind: "value", value: ind }, { kind: "const", tensor: { dims: [], data: [0] } }]);
    const wrapped = ind.data.map((v, i) => d.add(v, d.mulConst(negative.data[i], BigInt(depth))));
    // indices [.., 1 at axis, ..] against positions [depth, 1, ..., 1]: broadcast to the output shape.
    const column: QValue<T> = { shape: [...ind.shape.slice(0, axis), 1, ...ind.shape.slice(axis)], scale: 0, data: wrapped };
    const positions: Tensor = { dims: [depth, ...ind.shape.slice(axis).map(() => 1)], data: Array.from({ length: depth }, (_, k) => k) };
    const [hot] = Equal.apply(ctx, pair, [{ kind: "value", value: column }, { kind: "const", tensor: positions }]);
    // Integer values stay at scale 0 (exact, like the bits); others are quantized at the model scale.
    const scale = Number.isInteger(off) && Number.isInteger(on) ? 0 : ctx.quant.scaleBits;
    const [qOff, qOn] = [off, on].map((v) => quantizeReal(v, scale, `${describeNode(node)} values`));
    return [{ shape: dims, scale, data: hot.data.map((b) => d.affine([b], [qOn - qOff], qOff)) }];
  },
};
