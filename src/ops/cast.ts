import { fail } from "../errors";
import { attrInt, describeNode, Node } from "../ir/graph";
import { Domain, QValue, SiteInfo } from "./domain";
import { Arg, OpContext, OpDef } from "./op";

/**
 * Cast. Between float types it is the identity on fixed-point values. To an integer type it
 * truncates toward zero, which is the identity on values that are already integers (scale 0:
 * comparison bits, indices) and otherwise a constrained rounding. To bool it is x != 0.
 * Integer overflow of the target type (e.g. int8 wrap-around) is not modelled.
 */

const FLOAT_TYPES = new Set([1, 10, 11, 16]); // FLOAT, FLOAT16, DOUBLE, BFLOAT16
const INT_TYPES = new Set([2, 3, 4, 5, 6, 7, 12, 13]); // UINT8, INT8, UINT16, INT16, INT32, INT64, UINT32, UINT64
const BOOL = 9;

/**
 * trunc(a / 2^s) for s >= 1, from two constrained roundings and the sign of a:
 *   floor(a / 2^s) = round-half-up((a - 2^(s-1)) / 2^s)
 *   ceil(a / 2^s)  = round-half-up((a + 2^(s-1) - 1) / 2^s)
 *   trunc = a >= 0 ? floor : ceil
 */
export function truncShift<T>(d: Domain<T>, a: T, s: number, site: SiteInfo): T {
  const half = 1n << BigInt(s - 1);
  const floor = d.rescale(d.add(a, d.constant(-half)), s, site);
  const ceil = d.rescale(d.add(a, d.constant(half - 1n)), s, site);
  const nonneg = d.nonneg(a, site);
  return d.add(ceil, d.mul(nonneg, d.add(floor, d.mulConst(ceil, -1n)), site));
}

export const Cast: OpDef = {
  arity: [1, 1],
  inferShapes: (_n, [x]) => [x.shape],
  fold(node, [x]) {
    const to = attrInt(node, "to", 1);
    if (FLOAT_TYPES.has(to)) return [x];
    if (INT_TYPES.has(to)) return [{ dims: x.dims, data: x.data.map(Math.trunc) }];
    if (to === BOOL) return [{ dims: x.dims, data: x.data.map((v) => (v !== 0 ? 1 : 0)) }];
    fail(`${describeNode(node)}: Cast to ONNX type ${to} is not supported`);
  },
  apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
    const to = attrInt(node, "to", 1);
    const x = args[0];
    if (x.kind !== "value") fail(`${describeNode(node)}: expected a computed input`);
    const v = x.value;
    const d = ctx.dom;
    if (FLOAT_TYPES.has(to)) return [v];
    if (INT_TYPES.has(to)) {
      if (v.scale === 0) return [v];
      return [{ shape: v.shape, scale: 0, data: v.data.map((a, index) => truncShift(d, a, v.scale, { node: node.name, index })) }];
    }
    if (to === BOOL) {
      return [{ shape: v.shape, scale: 0, data: v.data.map((a, index) => d.add(d.constant(1n), d.mulConst(d.isZero(a, { node: node.name, index }), -1n))) }];
    }
    fail(`${describeNode(node)}: Cast of a computed value to ONNX type ${to} is not supported (float, integer and bool types are)`);
  },
};
