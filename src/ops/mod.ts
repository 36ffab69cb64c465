import { fail } from "../errors";
import { attrInt, describeNode, Node } from "../ir/graph";
import { binaryShape, broadcastIndex, broadcastShapes, foldBinary } from "./broadcast";
import { not } from "./composite";
import { QValue } from "./domain";
import { Arg, atMostScale, atScale, OpContext, OpDef } from "./op";

/**
 * Mod with a constant divisor (opset 10+). fmod = 0: the result has the divisor's sign (Python's %,
 * ONNX's integer semantics); fmod = 1: the dividend's sign (C's fmod). ONNX asks fmod = 1 for float
 * tensors; a fixed-point value at scale s is exact integer arithmetic either way, so both are computed.
 *
 * For q = x * 2^s and C = c * 2^s (an integer: s is the input's own scale, at most the model's, when
 * c * 2^s is an integer, e.g. integer tensors at scale 0; otherwise the model scale, c rounded there):
 *   k = floor(q / |C|) by Domain.div with a constant divisor (the circuit proves 0 <= q - k|C| < |C|),
 *   r0 = q - k|C| in [0, |C|), the floor modulus of |C|;
 *   fmod = 0, C > 0: r0; C < 0: r0 + C when r0 != 0 (one isZero and a linear term);
 *   fmod = 1: r0 - |C| when q < 0 and r0 != 0 (a sign decomposition of q, an isZero, one product).
 * Exact when c is a multiple of 2^-s; otherwise off by |k| times C's rounding (2^-(s+1)).
 * Cost per element: the floor division (about the quotient's width plus |C|'s bits), +3 for a
 * negative C or fmod = 1, + the width of q for fmod = 1.
 */
export const Mod: OpDef = {
  arity: [2, 2],
  inferShapes: binaryShape,
  fold: (node, ins) => {
    const fmod = attrInt(node, "fmod", 0) === 1;
    return foldBinary((a, b) => (fmod ? a % b : a - b * Math.floor(a / b)))(node, ins);
  },
  apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
    const [a, b] = args;
    if (a.kind !== "value") fail(`${describeNode(node)}: the dividend must be a computed value`);
    if (b.kind !== "const") fail(`${describeNode(node)}: the divisor (input 1) must be a constant; a computed divisor is not supported`);
    const fmod = attrInt(node, "fmod", 0);
    if (fmod !== 0 && fmod !== 1) fail(`${describeNode(node)}: fmod must be 0 or 1, got ${fmod}`);
    const d = ctx.dom;
    const S = ctx.quant.scaleBits;
    let x = atMostScale(ctx, node, a.value, S);
    if (!b.tensor.data.every((c) => Number.isInteger(c * 2 ** x.scale))) x = atScale(ctx, node, x, S);
    const C = b.tensor.data.map((c) => BigInt(Math.round(c * 2 ** x.scale)));
    if (C.some((c) => c === 0n)) fail(`${describeNode(node)}: the divisor is 0 at scale 2^-${x.scale} (ONNX leaves x mod 0 undefined)`);
    const shape = broadcastShapes(x.shape, b.tensor.dims, describeNode(node));
    const ic = broadcastIndex(shape, b.tensor.dims);
    const data = broadcastIndex(shape, x.shape).map((j, i) => {
      const site = { node: node.name, index: i };
      const q = x.data[j];
      const c = C[ic[i]];
      const abs = c < 0n ? -c : c;
      const k = d.div(q, d.constant(abs), site);
      const r0 = d.add(q, d.mulConst(k, -abs));
      if (fmod === 0 && c > 0n) return r0;
      const nonzero = not(d, d.isZero(r0, site));
      if (fmod === 0) return d.add(r0, d.mulConst(nonzero, c));
      const negative = not(d, d.nonneg(q, site));
      return d.add(r0, d.mulConst(d.mul(negative, nonzero, site), -abs));
    });
    return [{ shape, scale: x.scale, data }];
  },
};
