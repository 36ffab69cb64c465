import { Node } from "../ir/graph";
import { describeNode } from "../ir/graph";
import { quantizeReal } from "../numeric/fixed-point";
import { binaryShape, broadcastIndex, broadcastShapes, foldBinary } from "./broadcast";
import { QValue } from "./domain";
import { Arg, OpContext, OpDef } from "./op";

/** Add and Sub with ONNX broadcasting. Both are linear, so they cost no constraints. */
function makeAddSub(sign: 1n | -1n): OpDef {
  return {
    arity: [2, 2],
    inferShapes: binaryShape,
    fold: foldBinary((x, y) => x + Number(sign) * y),
    apply<T>(ctx: OpContext<T>, node: Node, [a, b]: Arg<T>[]) {
      const shapeOf = (x: Arg<T>) => (x.kind === "const" ? x.tensor.dims : x.value.shape);
      const shape = broadcastShapes(shapeOf(a), shapeOf(b), describeNode(node));
      // A constant operand is quantized at the computed operand's scale; two computed operands are
      // aligned to the finer scale by an exact multiplication by a power of two.
      const scale = Math.max(...[a, b].map((x) => (x.kind === "value" ? x.value.scale : 0)));
      const operand = (x: Arg<T>) => {
        const dims = shapeOf(x);
        const idx = broadcastIndex(shape, dims);
        if (x.kind === "const") {
          const q = x.tensor.data.map((v) => quantizeReal(v, scale, `${describeNode(node)} constant`));
          return (i: number) => ctx.dom.constant(q[idx[i]]);
        }
        const up = 1n << BigInt(scale - x.value.scale);
        const data = up === 1n ? x.value.data : x.value.data.map((v) => ctx.dom.mulConst(v, up));
        return (i: number) => data[idx[i]];
      };
      const fa = operand(a);
      const fb = operand(b);
      const data = Array.from({ length: shape.reduce((p, d) => p * d, 1) }, (_, i) =>
        ctx.dom.add(fa(i), sign === 1n ? fb(i) : ctx.dom.mulConst(fb(i), -1n)),
      );
      const out: QValue<T> = { shape, scale, data };
      return [out];
    },
  };
}

export const Add = makeAddSub(1n);
export const Sub = makeAddSub(-1n);
