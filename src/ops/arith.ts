import { fail } from "../errors";
import { describeNode, Node, size, Tensor } from "../ir/graph";
import { quantizeReal } from "../numeric/fixed-point";
import { binaryShape, broadcastIndex, broadcastShapes, foldBinary } from "./broadcast";
import { absOf } from "./clamp";
import { reciprocal } from "./composite";
import { Domain, QValue, SiteInfo } from "./domain";
import { Arg, atMostScale, atScale, OpContext, OpDef, valueInput } from "./op";

/**
 * Mul, Div and Pow with ONNX (numpy) broadcasting.
 *  - by a constant: one multiplication by a circuit constant, so zero constraints (the scale grows and
 *    the consumer rescales);
 *  - of two computed values: Mul is one product constraint per element; Div is a constrained signed
 *    floor division (a divisor of either sign; a zero divisor has no proof), Reciprocal the same with
 *    the numerator 1, Sqrt a constrained integer square root;
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
  // Mul(x, x): one rescale, and the same values on both sides (the bounds pass then knows a square is >= 0).
  const same = args[0].kind === "value" && args[1].kind === "value" && args[0].value === args[1].value;
  const b = same ? a : atMostScale(ctx, node, valueInput(node, args, 1, "B"), ctx.quant.scaleBits);
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

/**
 * q = round(A·2^(S + Sb − Sa) / B) for a numerator at scale Sa <= S and a computed divisor at scale Sb: the
 * quotient at the model scale S. As floor((A·2^(S+Sb−Sa+1) + B) / (2B)), one signed floor division
 * (`sdiv`): the exact quotient of the quantized operands rounded to nearest, ties toward +inf, for every
 * sign of A and B. A zero divisor has no proof (the evaluator says so at prove time).
 */
function divideBy<T>(ctx: OpContext<T>, node: Node, num: { shape: number[]; scale: number; data: T[] }, den: QValue<T>, firstSite = 0): QValue<T> {
  const S = ctx.quant.scaleBits;
  const shape = broadcastShapes(num.shape, den.shape, describeNode(node));
  const ia = broadcastIndex(shape, num.shape);
  const ib = broadcastIndex(shape, den.shape);
  const up = 1n << BigInt(S + den.scale - num.scale + 1);
  const d = ctx.dom;
  const data = ia.map((j, i) => {
    const bb = den.data[ib[i]];
    return d.sdiv(d.add(d.mulConst(num.data[j], up), bb), d.mulConst(bb, 2n), { node: node.name, index: firstSite + i });
  });
  return { shape, scale: S, data };
}

/** A computed divisor, kept finer than the model scale up to 2S (a Sqrt's result is at S + 1). */
const divisor = <T>(ctx: OpContext<T>, node: Node, v: QValue<T>) => atMostScale(ctx, node, v, 2 * ctx.quant.scaleBits);

export const Div: OpDef = {
  arity: [2, 2],
  inferShapes: binaryShape,
  fold: foldBinary((a, b) => a / b),
  apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
    const [a, b] = args;
    if (b.kind === "const") {
      if (a.kind === "const") fail(`${describeNode(node)}: both operands are constant; it should have been folded`);
      return [divideByConstant(ctx, node, a.value, b.tensor)];
    }
    const S = ctx.quant.scaleBits;
    const den = divisor(ctx, node, b.value);
    if (a.kind === "const") {
      // A constant numerator at the model scale: its quantized values are circuit constants.
      const q = a.tensor.data.map((v) => quantizeReal(v, S, `${describeNode(node)} numerator`));
      return [divideBy(ctx, node, { shape: a.tensor.dims, scale: S, data: q.map((v) => ctx.dom.constant(v)) }, den)];
    }
    return [divideBy(ctx, node, atMostScale(ctx, node, a.value, S), den)];
  },
};

/** 1/x of a computed value: round(2^(S + Sx) / X), as Div with the numerator 1. */
export const Reciprocal: OpDef = {
  arity: [1, 1],
  inferShapes: (_node, [x]) => [x.shape],
  fold: (_node, [x]) => [{ dims: x.dims, data: x.data.map((v) => 1 / v) }],
  apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
    const den = divisor(ctx, node, valueInput(node, args, 0, "X"));
    return [divideBy(ctx, node, { shape: [], scale: 0, data: [ctx.dom.constant(1n)] }, den)];
  },
};

/**
 * Sqrt of a computed value. With x at scale Sx, t = floor(sqrt(X·2^(2S+2−Sx))) = floor(2^(S+1)·sqrt(x)) exactly:
 * X is shifted up exactly, or down by a floor (a rescale of X − 2^(k−1)), and floor(sqrt(floor(y))) =
 * floor(sqrt(y)). The result is left at scale S + 1: rounding it to S (half up, as every rescale) gives
 * round(2^S·sqrt(x)), the nearest step to the exact root of the quantized input, and a linear consumer or
 * a divisor takes it as it is. A negative input has no proof (the evaluator says so at prove time).
 */
export const Sqrt: OpDef = {
  arity: [1, 1],
  inferShapes: (_node, [x]) => [x.shape],
  fold: (_node, [x]) => [{ dims: x.dims, data: x.data.map((v) => Math.sqrt(v)) }],
  apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
    const x = valueInput(node, args, 0, "X");
    const S = ctx.quant.scaleBits;
    const data = x.data.map((v, index) => rootOf(ctx.dom, v, x.scale, S, { node: node.name, index }));
    return [{ shape: x.shape, scale: S + 1, data }];
  },
};

/**
 * floor(2^(S+1)·sqrt(x)) of one computed value X at scale Sx, at scale S + 1 (see Sqrt): X shifted up
 * exactly to 2S + 2, or down by a floor, then one constrained integer square root. Shared with ReduceL2.
 */
export function rootOf<T>(d: Domain<T>, v: T, xScale: number, S: number, site: SiteInfo): T {
  const target = 2 * S + 2;
  if (xScale <= target) return d.sqrt(d.mulConst(v, 1n << BigInt(target - xScale)), site);
  const k = xScale - target;
  return d.sqrt(d.rescale(d.add(v, d.constant(-(1n << BigInt(k - 1)))), k, site), site);
}

/**
 * Softsign x / (1 + |x|): x rounded to s = min(Sx, S) and its absolute value from one decomposition
 * (as Abs), then round(q·2^S / (2^s + |q|)) by the same rounded division as Div. The divisor is >= 2^s
 * for every admitted witness (Abs's bounds say |q| >= 0), so the bounds pass picks the positive FloorDiv.
 * The result is the nearest step to softsign of the rounded input (ties toward +inf); softsign's slope is
 * at most 1, so a rounded input adds at most half a step.
 */
export const Softsign: OpDef = {
  arity: [1, 1],
  inferShapes: (_node, [x]) => [x.shape],
  fold: (_node, [x]) => [{ dims: x.dims, data: x.data.map((v) => v / (1 + Math.abs(v))) }],
  apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
    const d = ctx.dom;
    const x = valueInput(node, args, 0, "input");
    const s = Math.min(x.scale, ctx.quant.scaleBits);
    const parts = x.data.map((v, index) => absOf(d, v, x.scale, s, { node: node.name, index }));
    const num = { shape: x.shape, scale: s, data: parts.map((p) => p.q) };
    const den = { shape: x.shape, scale: s, data: parts.map((p) => d.add(p.abs, d.constant(1n << BigInt(s)))) };
    // Sites: the n decompositions and products above, then the n divisions (indices n..2n-1).
    const out = divideBy(ctx, node, num, den, x.data.length);
    const one = 1n << BigInt(ctx.quant.scaleBits);
    return [{ ...out, data: out.data.map((v) => d.within(v, -one, one)) }];
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
