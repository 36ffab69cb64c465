import { fail } from "../errors";
import { describeNode, Node, size, Tensor } from "../ir/graph";
import { quantizeReal } from "../numeric/fixed-point";
import { broadcastIndex, broadcastShapes } from "./broadcast";
import { select } from "./composite";
import { QValue } from "./domain";
import { Arg, OpContext, OpDef } from "./op";

/**
 * Where(cond, X, Y) with three-way broadcasting. A computed condition (a 0/1 bit at scale 0) selects
 * through composite.select, one multiplication per element, or none when X and Y are both constant
 * (Y + cond * (X - Y) is then linear). A constant condition is pure data movement.
 */

function outShape(node: Node, shapes: number[][]): number[] {
  const where = describeNode(node);
  return broadcastShapes(broadcastShapes(shapes[0], shapes[1], where), shapes[2], where);
}

export const Where: OpDef = {
  arity: [3, 3],
  inferShapes: (node, ins) => [outShape(node, ins.map((a) => a.shape))],
  fold(node, ins: Tensor[]) {
    const dims = outShape(node, ins.map((t) => t.dims));
    const [ic, ix, iy] = ins.map((t) => broadcastIndex(dims, t.dims));
    const [c, x, y] = ins;
    return [{ dims, data: ic.map((j, i) => (c.data[j] !== 0 ? x.data[ix[i]] : y.data[iy[i]])) }];
  },
  apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
    const d = ctx.dom;
    const shapes = args.map((a) => (a.kind === "const" ? a.tensor.dims : a.value.shape));
    const shape = outShape(node, shapes);
    const [ic, ix, iy] = shapes.map((s) => broadcastIndex(shape, s));
    const [cond, x, y] = args;
    const branches = [x, y];
    const computed = branches.filter((a): a is { kind: "value"; value: QValue<T> } => a.kind === "value");
    // Constant branches are quantized at the computed branch's scale; when both are constant, at
    // scale 0 if they are integers (indices, as in tree traversals), else at scaleBits. Computed
    // branches are aligned to the finer scale exactly.
    const integers = branches.every((a) => a.kind === "const" && a.tensor.data.every(Number.isInteger));
    const scale = computed.length ? Math.max(...computed.map((a) => a.value.scale)) : integers ? 0 : ctx.quant.scaleBits;
    const what = `${describeNode(node)} constant`;
    const quantized = branches.map((a) => (a.kind === "const" ? a.tensor.data.map((v) => quantizeReal(v, scale, what)) : undefined));
    const values = branches.map((a) => {
      if (a.kind !== "value") return undefined;
      const k = 1n << BigInt(scale - a.value.scale);
      return k === 1n ? a.value.data : a.value.data.map((v) => d.mulConst(v, k));
    });
    const pick = (b: 0 | 1, i: number): T => {
      const j = (b === 0 ? ix : iy)[i];
      return quantized[b] ? d.constant(quantized[b]![j]) : values[b]![j];
    };
    const n = size(shape);
    let data: T[];
    if (cond.kind === "const") {
      data = Array.from({ length: n }, (_, i) => pick(cond.tensor.data[ic[i]] !== 0 ? 0 : 1, i));
    } else {
      if (cond.value.scale !== 0) fail(`${describeNode(node)}: the condition is not a boolean tensor (it has ${cond.value.scale} fractional bits)`);
      const c = cond.value.data;
      data = Array.from({ length: n }, (_, i) => {
        if (quantized[0] && quantized[1]) {
          const a = quantized[0][ix[i]];
          const b = quantized[1][iy[i]];
          return d.add(d.constant(b), d.mulConst(c[ic[i]], a - b));
        }
        return select(d, c[ic[i]], pick(0, i), pick(1, i), { node: node.name, index: i });
      });
    }
    return [{ shape, scale, data }];
  },
};
