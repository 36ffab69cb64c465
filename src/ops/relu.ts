import { OpDef, valueInput } from "./op";

/**
 * Relu. When its input still carries a product scale it is fused with the rescale, so one bit
 * decomposition both bounds the quotient and yields the sign.
 */
export const Relu: OpDef = {
  arity: [1, 1],
  inferShapes: (_node, [x]) => [x.shape],
  fold: (_node, [x]) => [{ dims: x.dims, data: x.data.map((v) => Math.max(v, 0)) }],
  apply(ctx, node, args) {
    const x = valueInput(node, args, 0, "X");
    const target = ctx.quant.scaleBits;
    if (x.scale > target) {
      const shift = x.scale - target;
      return [{ shape: x.shape, scale: target, data: x.data.map((v, index) => ctx.dom.rescaleRelu(v, shift, { node: node.name, index })) }];
    }
    return [{ shape: x.shape, scale: x.scale, data: x.data.map((v, index) => ctx.dom.relu(v, { node: node.name, index })) }];
  },
};
