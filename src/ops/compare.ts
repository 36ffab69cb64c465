import { fail } from "../errors";
import { describeNode, Node } from "../ir/graph";
import { binaryShape, broadcastIndex, broadcastShapes, foldBinary } from "./broadcast";
import { not } from "./composite";
import { Domain, QValue } from "./domain";
import { Arg, OpContext, OpDef } from "./op";

/**
 * Comparisons (Less, Greater, LessOrEqual, GreaterOrEqual, Equal) and boolean logic (And, Or, Xor,
 * Not). Booleans are QValues at scale 0 holding 0 or 1; every comparison bit comes from a
 * constrained primitive (nonneg: the sign of a range-checked decomposition; isZero).
 *
 * Exactness. Two computed operands are aligned to the finer scale by an exact multiplication by a
 * power of two, so the comparison of the fixed-point values is exact. A constant threshold t is not
 * rounded to the nearest step: for an integer q (the operand at scale s) and y = t * 2^s (exact in
 * doubles, a power-of-two product),
 *   q/2^s <  t  <=>  q <  ceil(y)        q/2^s <= t  <=>  q <= floor(y)
 *   q/2^s >  t  <=>  q >  floor(y)       q/2^s >= t  <=>  q >= ceil(y)
 *   q/2^s == t  <=>  y is an integer and q == y
 * so the quantized comparison equals the float comparison of the quantized operand. (The model input
 * itself is rounded to the nearest step when quantized: an input within half a step of a threshold
 * may land on the other side of it, as any fixed-point evaluation would.)
 */

type Relation = "lt" | "le" | "gt" | "ge" | "eq";

/** a R b  <=>  b R' a. */
const MIRROR: Record<Relation, Relation> = { lt: "gt", le: "ge", gt: "lt", ge: "le", eq: "eq" };

function floatRelation(r: Relation, a: number, b: number): boolean {
  switch (r) {
    case "lt": return a < b;
    case "le": return a <= b;
    case "gt": return a > b;
    case "ge": return a >= b;
    case "eq": return a === b;
  }
}

const shapeOf = <T>(a: Arg<T>): number[] => (a.kind === "const" ? a.tensor.dims : a.value.shape);

/** q R t for the integer q of a value at `scale` and a float constant t (see the header). */
function compareWithConstant<T>(dom: Domain<T>, r: Relation, q: T, t: number, scale: number, site: { node: string; index: number }): T {
  if (Number.isNaN(t)) return dom.constant(0n); // every comparison with NaN is false
  const y = t * 2 ** scale;
  if (!Number.isFinite(y)) {
    // Finite q against an infinite threshold: decided by the threshold's sign alone.
    return dom.constant(floatRelation(r, 0, y) ? 1n : 0n);
  }
  const lo = BigInt(Math.floor(y));
  const hi = BigInt(Math.ceil(y));
  const minus = (a: T, c: bigint) => dom.add(a, dom.constant(-c));
  const neg = (a: T) => dom.mulConst(a, -1n);
  switch (r) {
    case "lt": return dom.nonneg(dom.add(dom.constant(hi - 1n), neg(q)), site); // hi - 1 - q >= 0
    case "le": return dom.nonneg(dom.add(dom.constant(lo), neg(q)), site); // lo - q >= 0
    case "gt": return dom.nonneg(minus(q, lo + 1n), site); // q - lo - 1 >= 0
    case "ge": return dom.nonneg(minus(q, hi), site); // q - hi >= 0
    case "eq": return lo === hi ? dom.isZero(minus(q, lo), site) : dom.constant(0n);
  }
}

/** a R b for two integers at the same scale. */
function compareValues<T>(dom: Domain<T>, r: Relation, a: T, b: T, site: { node: string; index: number }): T {
  const diff = (x: T, y: T, c: bigint) => dom.add(dom.add(x, dom.mulConst(y, -1n)), dom.constant(-c));
  switch (r) {
    case "lt": return dom.nonneg(diff(b, a, 1n), site);
    case "le": return dom.nonneg(diff(b, a, 0n), site);
    case "gt": return dom.nonneg(diff(a, b, 1n), site);
    case "ge": return dom.nonneg(diff(a, b, 0n), site);
    case "eq": return dom.isZero(diff(a, b, 0n), site);
  }
}

function comparison(r: Relation): OpDef {
  return {
    arity: [2, 2],
    inferShapes: binaryShape,
    fold: foldBinary((x, y) => (floatRelation(r, x, y) ? 1 : 0)),
    apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
      const [a, b] = args;
      const shape = broadcastShapes(shapeOf(a), shapeOf(b), describeNode(node));
      const ia = broadcastIndex(shape, shapeOf(a));
      const ib = broadcastIndex(shape, shapeOf(b));
      const d = ctx.dom;
      const site = (index: number) => ({ node: node.name, index });
      let data: T[];
      if (a.kind === "value" && b.kind === "value") {
        const scale = Math.max(a.value.scale, b.value.scale);
        const up = (v: QValue<T>) => {
          const k = 1n << BigInt(scale - v.scale);
          return k === 1n ? v.data : v.data.map((x) => d.mulConst(x, k));
        };
        const xa = up(a.value);
        const xb = up(b.value);
        data = ia.map((j, i) => compareValues(d, r, xa[j], xb[ib[i]], site(i)));
      } else if (a.kind === "value" && b.kind === "const") {
        data = ia.map((j, i) => compareWithConstant(d, r, a.value.data[j], b.tensor.data[ib[i]], a.value.scale, site(i)));
      } else if (a.kind === "const" && b.kind === "value") {
        data = ib.map((j, i) => compareWithConstant(d, MIRROR[r], b.value.data[j], a.tensor.data[ia[i]], b.value.scale, site(i)));
      } else {
        fail(`${describeNode(node)}: both operands are constant; the comparison should have been folded`);
      }
      return [{ shape, scale: 0, data }];
    },
  };
}

export const Less = comparison("lt");
export const LessOrEqual = comparison("le");
export const Greater = comparison("gt");
export const GreaterOrEqual = comparison("ge");
export const Equal = comparison("eq");

/** A computed boolean operand: scale 0, and 0/1 by construction (ONNX types it bool). */
function booleanValue<T>(node: Node, v: QValue<T>, i: number): T[] {
  if (v.scale !== 0) fail(`${describeNode(node)}: input ${i} is not a boolean tensor (it has ${v.scale} fractional bits)`);
  return v.data;
}

/**
 * A binary boolean op: `both` for two computed bits (may use one multiplication), `withConst` for a
 * computed bit and a constant one (always linear).
 */
function logic(
  f: (x: boolean, y: boolean) => boolean,
  both: <T>(d: Domain<T>, x: T, y: T, site: { node: string; index: number }) => T,
  withConst: <T>(d: Domain<T>, x: T, c: boolean) => T,
): OpDef {
  return {
    arity: [2, 2],
    inferShapes: binaryShape,
    fold: foldBinary((x, y) => (f(x !== 0, y !== 0) ? 1 : 0)),
    apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
      const [a, b] = args;
      const shape = broadcastShapes(shapeOf(a), shapeOf(b), describeNode(node));
      const ia = broadcastIndex(shape, shapeOf(a));
      const ib = broadcastIndex(shape, shapeOf(b));
      const d = ctx.dom;
      let data: T[];
      if (a.kind === "value" && b.kind === "value") {
        const xa = booleanValue(node, a.value, 0);
        const xb = booleanValue(node, b.value, 1);
        data = ia.map((j, i) => both(d, xa[j], xb[ib[i]], { node: node.name, index: i }));
      } else if (a.kind === "value" && b.kind === "const") {
        const xa = booleanValue(node, a.value, 0);
        data = ia.map((j, i) => withConst(d, xa[j], b.tensor.data[ib[i]] !== 0));
      } else if (a.kind === "const" && b.kind === "value") {
        const xb = booleanValue(node, b.value, 1);
        data = ib.map((j, i) => withConst(d, xb[j], a.tensor.data[ia[i]] !== 0));
      } else {
        fail(`${describeNode(node)}: both operands are constant; the op should have been folded`);
      }
      return [{ shape, scale: 0, data }];
    },
  };
}

/** x AND y = x * y. */
export const And = logic(
  (x, y) => x && y,
  (d, x, y, site) => d.mul(x, y, site),
  (d, x, c) => (c ? x : d.constant(0n)),
);

/** x OR y = x + y - x * y. */
export const Or = logic(
  (x, y) => x || y,
  (d, x, y, site) => d.add(d.add(x, y), d.mulConst(d.mul(x, y, site), -1n)),
  (d, x, c) => (c ? d.constant(1n) : x),
);

/** x XOR y = x + y - 2 * x * y. */
export const Xor = logic(
  (x, y) => x !== y,
  (d, x, y, site) => d.add(d.add(x, y), d.mulConst(d.mul(x, y, site), -2n)),
  (d, x, c) => (c ? not(d, x) : x),
);

/** NOT x = 1 - x: linear. */
export const Not: OpDef = {
  arity: [1, 1],
  inferShapes: (_node, [x]) => [x.shape],
  fold: (_node, [x]) => [{ dims: x.dims, data: x.data.map((v) => (v !== 0 ? 0 : 1)) }],
  apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
    const x = args[0];
    if (x.kind !== "value") fail(`${describeNode(node)}: expected a computed input`);
    return [{ shape: x.value.shape, scale: 0, data: booleanValue(node, x.value, 0).map((v) => not(ctx.dom, v)) }];
  },
};
