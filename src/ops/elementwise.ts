import { fail } from "../errors";
import { Node, Tensor } from "../ir/graph";
import { describeNode } from "../ir/graph";
import { quantizeReal } from "../numeric/fixed-point";
import { binaryShape, broadcastIndex, broadcastShapes, foldBinary } from "./broadcast";
import { maxOf, minOf, reciprocal } from "./composite";
import { Domain, QValue, SiteInfo } from "./domain";
import { Arg, OpContext, OpDef, ShapeArg } from "./op";

/**
 * Elementwise ops with ONNX multidirectional broadcasting: Add and Sub (binary), Sum, Mean, Max and
 * Min (n-ary, 1..N operands), and Neg. Sums and Neg are linear, so they cost no constraints; Max and
 * Min chain composite.maxOf/minOf, one Relu per operand after the first and per element.
 */

const shapeOf = <T>(x: Arg<T>): number[] => (x.kind === "const" ? x.tensor.dims : x.value.shape);

/** The operands of an elementwise op, aligned: operand k at output element i is `at[k](i)`, all at `scale`. */
interface Aligned<T> {
  shape: number[];
  scale: number;
  size: number;
  at: ((i: number) => T)[];
}

/**
 * Brings every operand to the output shape and one scale. A constant operand is quantized at the
 * computed operands' scale; computed operands are aligned to the finest of them by an exact
 * multiplication by a power of two.
 */
function align<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): Aligned<T> {
  const where = describeNode(node);
  const shape = args.map(shapeOf).reduce((s, d) => broadcastShapes(s, d, where));
  const scale = Math.max(...args.map((x) => (x.kind === "value" ? x.value.scale : 0)));
  const at = args.map((x) => {
    const idx = broadcastIndex(shape, shapeOf(x));
    if (x.kind === "const") {
      const q = x.tensor.data.map((v) => quantizeReal(v, scale, `${where} constant`));
      return (i: number) => ctx.dom.constant(q[idx[i]]);
    }
    const up = 1n << BigInt(scale - x.value.scale);
    const data = up === 1n ? x.value.data : x.value.data.map((v) => ctx.dom.mulConst(v, up));
    return (i: number) => data[idx[i]];
  });
  return { shape, scale, size: shape.reduce((p, d) => p * d, 1), at };
}

/** Add and Sub with ONNX broadcasting. Both are linear, so they cost no constraints. */
function makeAddSub(sign: 1n | -1n): OpDef {
  return {
    arity: [2, 2],
    inferShapes: binaryShape,
    fold: foldBinary((x, y) => x + Number(sign) * y),
    apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]) {
      const { shape, scale, size, at: [fa, fb] } = align(ctx, node, args);
      const data = Array.from({ length: size }, (_, i) => ctx.dom.add(fa(i), sign === 1n ? fb(i) : ctx.dom.mulConst(fb(i), -1n)));
      const out: QValue<T> = { shape, scale, data };
      return [out];
    },
  };
}

export const Add = makeAddSub(1n);
export const Sub = makeAddSub(-1n);

// ---------------------------------------------------------------------------------------------
// n-ary: Sum, Mean, Max, Min

/** The operands of a variadic node, which ONNX never leaves empty (""). */
function variadicArgs<T>(node: Node, args: (Arg<T> | undefined)[]): Arg<T>[] {
  args.forEach((a, i) => a || fail(`${describeNode(node)}: input ${i} is empty; ${node.op} takes no optional inputs`));
  return args as Arg<T>[];
}

/** Folds a list of float tensors pairwise with broadcasting. */
function foldAll(f: (a: number, b: number) => number): (node: Node, ins: Tensor[]) => Tensor {
  const pair = foldBinary(f);
  return (node, ins) => ins.slice(1).reduce((acc, t) => pair(node, [acc, t])[0], ins[0]);
}

/**
 * An n-ary elementwise op. The constant operands are combined first, in floats, into one constant
 * (so Max(x, 1, 2) costs one comparison per element, Sum(x, a, b) one rounding of a + b); the
 * remaining operands are aligned and reduced left to right by `q`.
 */
function nary(
  f: (a: number, b: number) => number,
  q: <T>(d: Domain<T>, a: T, b: T, site: SiteInfo) => T,
  finish: <T>(ctx: OpContext<T>, v: QValue<T>, count: number) => QValue<T> = (_ctx, v) => v,
  post: (x: number, count: number) => number = (x) => x,
): OpDef {
  const combine = foldAll(f);
  return {
    arity: [1, Infinity],
    inferShapes: (node, ins: ShapeArg[]) => [ins.map((a) => a.shape).reduce((s, d) => broadcastShapes(s, d, describeNode(node)))],
    fold: (node, ins) => {
      const t = combine(node, ins);
      return [{ dims: t.dims, data: t.data.map((x) => post(x, ins.length)) }];
    },
    apply<T>(ctx: OpContext<T>, node: Node, raw: Arg<T>[]): QValue<T>[] {
      const args = variadicArgs(node, raw);
      const consts = args.flatMap((a) => (a.kind === "const" ? [a.tensor] : []));
      const values = args.filter((a) => a.kind === "value");
      const operands: Arg<T>[] = consts.length ? [...values, { kind: "const", tensor: combine(node, consts) }] : values;
      const { shape, scale, size, at } = align(ctx, node, operands);
      const data = Array.from({ length: size }, (_, i) => {
        const site = { node: node.name, index: i };
        return at.slice(1).reduce((acc, g) => q(ctx.dom, g(i), acc, site), at[0](i));
      });
      return [finish(ctx, { shape, scale, data }, args.length)];
    },
  };
}

const add = <T>(d: Domain<T>, a: T, b: T): T => d.add(a, b);

/** Sum: linear, free. */
export const Sum = nary((a, b) => a + b, add);

/**
 * Mean: the Sum times round(2^k / n), as ReduceMean does: the division by the operand count costs no
 * constraint, and the scale grows by k (a consumer rescales). With 4 extra bits the reciprocal's
 * relative error is at most 2^-(scaleBits + 5), below the output step for moderate means.
 */
export const Mean = nary(
  (a, b) => a + b,
  add,
  (ctx, v, n) => {
    if (n === 1) return v;
    const r = reciprocal(n, ctx.quant.scaleBits + 4);
    return { shape: v.shape, scale: v.scale + r.shift, data: v.data.map((x) => ctx.dom.mulConst(x, r.q)) };
  },
  (x, n) => x / n,
);

/** Max and Min: one Relu per element and per operand after the first (composite.maxOf/minOf). */
export const Max = nary(Math.max, maxOf);
export const Min = nary(Math.min, minOf);

/** Neg: -x, linear and free (the scale is kept). */
export const Neg: OpDef = {
  arity: [1, 1],
  inferShapes: (_node, [x]) => [x.shape],
  fold: (_node, [x]) => [{ dims: x.dims, data: x.data.map((v) => -v) }],
  apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
    const x = args[0];
    if (x.kind !== "value") fail(`${describeNode(node)}: expected a computed input`);
    return [{ shape: x.value.shape, scale: x.value.scale, data: x.value.data.map((v) => ctx.dom.mulConst(v, -1n)) }];
  },
};
