import { fail } from "../errors";
import { describeNode, Node, size, Tensor } from "../ir/graph";
import { quantizeReal } from "../numeric/fixed-point";
import { binaryShape, broadcastIndex, broadcastShapes, foldBinary } from "./broadcast";
import { reciprocal } from "./composite";
import { QValue } from "./domain";
import { Arg, atMostScale, atScale, OpContext, OpDef, valueInput } from "./op";

/**
 * Mul, Div and Pow with ONNX (numpy) broadcasting.
 *  - by a constant: one multiplication by a circuit constant, so zero constraints (the scale grows and
 *    the consumer rescales);
 *  - of two computed values: Mul is one product constraint per element; Div is a constrained floor
 *    division, whose divisor the circuit proves to be positive (a model that can divide by a value
 *    <= 0 is refused by the bounds pass or fails to prove);
 *  - Pow: a constant non-negative integer exponent, by repeated products.
 */

const shapeOf = <T>(a: Arg<T>): number[] => (a.kind === "const" ? a.tensor.dims : a.value.shape);

/** True when every entry times 2^0 is an integer: such constants multiply exactly, at no scale cost. */
const allIntegers = (t: Tensor) => t.data.every((v) => Number.isInteger(v));

/** x * c for a constant tensor c broadcast against x. */
function timesConstant<T>(ctx: OpContext<T>, node: Node, value: QValue<T>, c: Tensor, what: string): QValue<T> {
  const shape = broadcastShapes(value.shape, c.dims, describeNode(node));
  const ix = broadcastIndex(shape, value.shape);
  const ic = broadcastIndex(shape, c.dims);
  // Integer constants (x * 2, x * -1) are exact at scale 0; others are quantized at scaleBits.
  const cScale = allIntegers(c) ? 0 : ctx.quant.scaleBits;
  const x = cScale === 0 ? value : atMostScale(ctx, node, value, ctx.quant.scaleBits);
  const q = c.data.map((v) => quantizeReal(v, cScale, `${describeNode(node)} ${what}`));
  return { shape, scale: x.scale + cScale, data: ix.map((j, i) => ctx.dom.mulConst(x.data[j], q[ic[i]])) };
}

/** Two computed values brought to at most scaleBits, broadcast against each other. */
function alignedPair<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]) {
  const a = atMostScale(ctx, node, valueInput(node, args, 0, "A"), ctx.quant.scaleBits);
  const b = atMostScale(ctx, node, valueInput(node, args, 1, "B"), ctx.quant.scaleBits);
  const shape = broadcastShapes(a.shape, b.shape, describeNode(node));
  return { a, b, shape, ia: broadcastIndex(shape, a.shape), ib: broadcastIndex(shape, b.shape) };
}

export const Mul: OpDef = {
  arity: [2, 2],
  inferShapes: binaryShape,
  fold: foldBinary((a, b) => a * b),
  apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
    const [a, b] = args;
    if (a.kind === "const" && b.kind === "value") return [timesConstant(ctx, node, b.value, a.tensor, "constant")];
    if (b.kind === "const" && a.kind === "value") return [timesConstant(ctx, node, a.value, b.tensor, "constant")];
    const p = alignedPair(ctx, node, args);
    const data = p.ia.map((j, i) => ctx.dom.mul(p.a.data[j], p.b.data[p.ib[i]], { node: node.name, index: i }));
    return [{ shape: p.shape, scale: p.a.scale + p.b.scale, data }];
  },
};

/** A computed value divided by a constant tensor: multiplication by reciprocals precise to scaleBits. */
function divideByConstant<T>(ctx: OpContext<T>, node: Node, x: QValue<T>, c: Tensor): QValue<T> {
  const what = describeNode(node);
  if (c.data.some((v) => v === 0)) fail(`${what}: divides by a constant that contains 0`);
  const largest = Math.max(...c.data.map((v) => Math.abs(v)));
  // 1/c at 2^shift has relative error at most |c| / 2^(shift+1) <= 2^-(scaleBits+1): no worse than rounding.
  const { shift } = reciprocal(largest, ctx.quant.scaleBits);
  const inverse: Tensor = { dims: c.dims, data: c.data.map((v) => 1 / v) };
  const shape = broadcastShapes(x.shape, c.dims, what);
  const y = atMostScale(ctx, node, x, ctx.quant.scaleBits);
  const ix = broadcastIndex(shape, y.shape);
  const ic = broadcastIndex(shape, c.dims);
  const q = inverse.data.map((v) => quantizeReal(v, shift, `${what} reciprocal`));
  return { shape, scale: y.scale + shift, data: ix.map((j, i) => ctx.dom.mulConst(y.data[j], q[ic[i]])) };
}

export const Div: OpDef = {
  arity: [2, 2],
  inferShapes: binaryShape,
  fold: foldBinary((a, b) => a / b),
  apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
    const [a, b] = args;
    if (a.kind === "const") fail(`${describeNode(node)}: dividing a constant by a computed value is not supported yet`);
    if (b.kind === "const") return [divideByConstant(ctx, node, a.value, b.tensor)];
    // round-half-up(A * 2^S / B) = floor((A * 2^(S+1) + B) / (2B)) with both operands at scale S,
    // so the quotient is at scale S too. The divisor must be positive: the circuit proves 2B >= 1.
    const p = alignedPair(ctx, node, args);
    const S = ctx.quant.scaleBits;
    const num = atScale(ctx, node, p.a, S);
    const den = atScale(ctx, node, p.b, S);
    const d = ctx.dom;
    const data = p.ia.map((j, i) => {
      const bb = den.data[p.ib[i]];
      const n = d.add(d.mulConst(num.data[j], 1n << BigInt(S + 1)), bb);
      return d.div(n, d.mulConst(bb, 2n), { node: node.name, index: i });
    });
    return [{ shape: p.shape, scale: S, data }];
  },
};

/** The exponent of a Pow: a constant holding one non-negative integer value. */
function integerExponent(node: Node, args: Arg<unknown>[]): number {
  const e = args[1];
  if (!e || e.kind !== "const") fail(`${describeNode(node)}: the exponent must be a constant`);
  const values = [...new Set(e.tensor.data)];
  if (values.length !== 1) fail(`${describeNode(node)}: the exponent must be one value, got [${values}]`);
  const n = values[0];
  if (!Number.isInteger(n) || n < 0)
    fail(`${describeNode(node)}: exponent ${n} is not supported; only constant non-negative integer exponents are`);
  if (n > 64) fail(`${describeNode(node)}: exponent ${n} is too large (at most 64)`);
  return n;
}

export const Pow: OpDef = {
  arity: [2, 2],
  inferShapes: binaryShape,
  fold: foldBinary((a, b) => Math.pow(a, b)),
  apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
    const n = integerExponent(node, args as Arg<unknown>[]);
    const x = atMostScale(ctx, node, valueInput(node, args, 0, "X"), ctx.quant.scaleBits);
    const shape = broadcastShapes(x.shape, shapeOf(args[1]), describeNode(node));
    const ix = broadcastIndex(shape, x.shape);
    const S = ctx.quant.scaleBits;
    if (n === 0) return [{ shape, scale: S, data: ix.map(() => ctx.dom.constant(1n << BigInt(S))) }];
    // Square-and-multiply would save products for large n; exponents in models are 2 or 3.
    let acc: QValue<T> = x;
    for (let k = 1; k < n; k++) {
      const base = atMostScale(ctx, node, acc, S);
      acc = { shape: x.shape, scale: base.scale + x.scale, data: base.data.map((v, i) => ctx.dom.mul(v, x.data[i], { node: node.name, index: (k - 1) * size(x.shape) + i })) };
    }
    return [{ shape, scale: acc.scale, data: ix.map((j) => acc.data[j]) }];
  },
};

/** numpy matmul's shape for two operands of rank >= 2: batch dimensions broadcast. */
export function batchedMatMulShape(node: Node, a: number[], b: number[]): number[] {
  const d = describeNode(node);
  if (a.length < 2 || b.length < 2) fail(`${d}: a MatMul of two computed values needs operands of rank >= 2, got [${a}] and [${b}]`);
  if (a[a.length - 1] !== b[b.length - 2]) fail(`${d}: cannot multiply [${a}] by [${b}]`);
  const batch = broadcastShapes(a.slice(0, -2), b.slice(0, -2), d);
  return [...batch, a[a.length - 2], b[b.length - 1]];
}

/** MatMul of two computed values: one product constraint per multiply-add, the sum is linear. */
export function matMulOfValues<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T> {
  const a = atMostScale(ctx, node, valueInput(node, args, 0, "A"), ctx.quant.scaleBits);
  const b = atMostScale(ctx, node, valueInput(node, args, 1, "B"), ctx.quant.scaleBits);
  const shape = batchedMatMulShape(node, a.shape, b.shape);
  const [M, K, N] = [a.shape[a.shape.length - 2], a.shape[a.shape.length - 1], b.shape[b.shape.length - 1]];
  const batch = shape.slice(0, -2);
  // The first element of each broadcast batch matrix of a and b, for every output batch.
  const aBase = broadcastIndex(batch, a.shape.slice(0, -2));
  const bBase = broadcastIndex(batch, b.shape.slice(0, -2));
  const data: T[] = [];
  for (let t = 0; t < size(batch); t++)
    for (let m = 0; m < M; m++)
      for (let n = 0; n < N; n++) {
        const products: T[] = [];
        for (let k = 0; k < K; k++) {
          const x = a.data[aBase[t] * M * K + m * K + k];
          const y = b.data[bBase[t] * K * N + k * N + n];
          products.push(ctx.dom.mul(x, y, { node: node.name, index: data.length * K + k }));
        }
        data.push(ctx.dom.affine(products, products.map(() => 1n), 0n));
      }
  return { shape, scale: a.scale + b.scale, data };
}
