import { fail, invariant } from "../errors";
import { describeNode, Node, Tensor } from "../ir/graph";
import { quantizeReal } from "../numeric/fixed-point";
import { maxOf, minOf } from "./composite";
import { Domain, QValue, SiteInfo } from "./domain";
import { Arg, atMostScale, OpContext, OpDef, valueInput } from "./op";
import { decompose } from "./piecewise";

/**
 * Piecewise-linear elementwise ops built from Relu and one decomposition: Clip, HardSigmoid,
 * HardSwish, Abs and Sign. Each is exact in fixed point up to the rounding of its constants.
 */

const same: OpDef["inferShapes"] = (_node, [x]) => [x.shape];

function floatAttr(node: Node, name: string, dflt: number): number {
  const v = node.attrs[name];
  return typeof v === "number" ? v : dflt;
}

/**
 * clamp(x, lo, hi) brought to scale S, for a value at xScale and bounds at S (either may be absent).
 * With a pending rescale (xScale > S, shift k) the rounding and the lower bound share one
 * decomposition, since lo * 2^k is a multiple of 2^k:
 *   max(round(x / 2^k), lo) = lo + rescaleRelu(x - lo * 2^k, k);
 * with an upper bound only, since -round(x / 2^k) = round((-x - 1) / 2^k) for k >= 1 (round half up:
 * floor((2^(k-1) - 1 - x) / 2^k) = -ceil((x + 1 - 2^(k-1)) / 2^k) = -floor((x + 2^(k-1)) / 2^k)),
 *   min(round(x / 2^k), hi) = hi - rescaleRelu(hi * 2^k - x - 1, k).
 * The other bound then costs one Relu (composite.minOf). Without a pending rescale, each bound is one
 * Relu. lo > hi gives hi everywhere, as ONNX (numpy) does.
 */
function clampTo<T>(d: Domain<T>, x: T, xScale: number, S: number, lo: bigint | undefined, hi: bigint | undefined, site: SiteInfo): T {
  const v = clampSteps(d, x, xScale, S, lo, hi, site);
  // Interval arithmetic loses the correlation of the two Relus (min(m, hi) = m - relu(m - hi) gives
  // [lo - (max - hi), max]). Every admitted witness is in [lo, hi] (hi alone when lo > hi): each Relu is
  // max(·, 0) exactly, from a range-checked decomposition. `within` adds no constraint, only that bound.
  return lo !== undefined && hi !== undefined ? d.within(v, lo <= hi ? lo : hi, hi) : v;
}

function clampSteps<T>(d: Domain<T>, x: T, xScale: number, S: number, lo: bigint | undefined, hi: bigint | undefined, site: SiteInfo): T {
  const k = xScale - S;
  if (k > 0 && lo !== undefined) {
    const atLeast = d.add(d.constant(lo), d.rescaleRelu(d.add(x, d.constant(-(lo << BigInt(k)))), k, site));
    return hi === undefined ? atLeast : minOf(d, atLeast, d.constant(hi), site);
  }
  if (k > 0 && hi !== undefined) {
    const over = d.rescaleRelu(d.add(d.mulConst(x, -1n), d.constant((hi << BigInt(k)) - 1n)), k, site);
    return d.add(d.constant(hi), d.mulConst(over, -1n));
  }
  invariant(k <= 0, `clampTo at ${site.node}: a rescale by ${k} with no bound`);
  let v = k < 0 ? d.mulConst(x, 1n << BigInt(-k)) : x;
  if (lo !== undefined) v = maxOf(d, v, d.constant(lo), site);
  if (hi !== undefined) v = minOf(d, v, d.constant(hi), site);
  return v;
}

// ---------------------------------------------------------------------------------------------
// Clip

interface Bounds {
  min?: number;
  max?: number;
}

/** float32's largest magnitude: opset 6's default bounds, meaning "no bound". */
const FLT_MAX = 3.4028234663852886e38;

const finite = (v: number | undefined) => (v === undefined || Math.abs(v) >= FLT_MAX ? undefined : v);

/** One bound given as input i: a constant scalar, or absent (omitted or ""). */
function boundInput(node: Node, t: Tensor | "computed" | undefined, i: number, role: string): number | undefined {
  if (t === undefined) return undefined;
  if (t === "computed") fail(`${describeNode(node)}: ${role} (input ${i}) must be a constant; computed bounds are not supported`);
  if (t.data.length !== 1) fail(`${describeNode(node)}: ${role} (input ${i}) must be a scalar, got shape [${t.dims}]`);
  return t.data[0];
}

/**
 * The bounds of a Clip node: the min/max attributes before opset 11, the optional inputs 1 and 2
 * since. `opset` is unknown when folding constants; a node then carries one form or the other.
 */
function clipBounds(node: Node, opset: number | undefined, ins: (Tensor | "computed" | undefined)[]): Bounds {
  const hasAttrs = "min" in node.attrs || "max" in node.attrs;
  if (opset !== undefined && opset < 11 && node.inputs.length > 1)
    fail(`${describeNode(node)}: before opset 11 Clip takes min and max as attributes, not inputs (model opset ${opset})`);
  if (opset !== undefined && opset >= 11 && hasAttrs)
    fail(`${describeNode(node)}: since opset 11 Clip takes min and max as inputs 1 and 2, not attributes (model opset ${opset})`);
  if (hasAttrs) return { min: finite(floatAttr(node, "min", -Infinity)), max: finite(floatAttr(node, "max", Infinity)) };
  return { min: finite(boundInput(node, ins[1], 1, "min")), max: finite(boundInput(node, ins[2], 2, "max")) };
}

/** The fold's present tensors back at their input positions (an omitted input "" is skipped there). */
function byPosition(node: Node, present: Tensor[]): (Tensor | undefined)[] {
  let k = 0;
  return node.inputs.map((name) => (name === "" ? undefined : present[k++]));
}

const clipFloat = (v: number, b: Bounds) => Math.min(Math.max(v, b.min ?? -Infinity), b.max ?? Infinity);

/**
 * Clip: max(x, min) then min(·, max), rounded to the model scale like Relu (ReLU6 after a Conv costs
 * the Conv's rescale fused with the lower bound, plus one Relu). Bounds are rounded to the nearest
 * step, so the result is within half a step of the float clip of the quantized input.
 */
export const Clip: OpDef = {
  arity: [1, 3],
  inferShapes: same,
  fold(node, present) {
    const ins = byPosition(node, present);
    const b = clipBounds(node, undefined, ins);
    return [{ dims: ins[0]!.dims, data: ins[0]!.data.map((v) => clipFloat(v, b)) }];
  },
  apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
    const x = valueInput(node, args, 0, "input");
    const b = clipBounds(node, ctx.opset, args.map((a) => (a === undefined ? undefined : a.kind === "const" ? a.tensor : "computed")));
    if (b.min === undefined && b.max === undefined) return [x];
    const S = ctx.quant.scaleBits;
    const q = (v: number | undefined, role: string) => (v === undefined ? undefined : quantizeReal(v, S, `${describeNode(node)} ${role}`));
    const [lo, hi] = [q(b.min, "min"), q(b.max, "max")];
    const data = x.data.map((v, index) => clampTo(ctx.dom, v, x.scale, S, lo, hi, { node: node.name, index }));
    return [{ shape: x.shape, scale: S, data }];
  },
};

// ---------------------------------------------------------------------------------------------
// HardSigmoid, HardSwish

/**
 * Fraction bits of alpha beyond the model scale: alpha * x is then off by at most
 * |x| * 2^-(scaleBits + 5), a quarter step for |x| <= 8 (the linear part of HardSigmoid's defaults is
 * |x| <= 2.5, HardSwish's |x| <= 3). They cost 4 more remainder bits in the rescale.
 */
const ALPHA_EXTRA_BITS = 4;

const hardSigmoidFloat = (x: number, alpha: number, beta: number) => Math.max(0, Math.min(1, alpha * x + beta));

/** clamp(alpha * x + beta, 0, 1) at the model scale, from x at xScale: one rescaleRelu and one Relu. */
function hardSigmoid<T>(ctx: OpContext<T>, node: Node, x: T, xScale: number, alpha: number, beta: number, site: SiteInfo): T {
  const S = ctx.quant.scaleBits;
  const P = S + ALPHA_EXTRA_BITS;
  const a = quantizeReal(alpha, P, `${describeNode(node)} alpha`);
  const b = quantizeReal(beta, xScale + P, `${describeNode(node)} beta`);
  const y = ctx.dom.add(ctx.dom.mulConst(x, a), ctx.dom.constant(b));
  return clampTo(ctx.dom, y, xScale + P, S, 0n, 1n << BigInt(S), site);
}

export const HardSigmoid: OpDef = {
  arity: [1, 1],
  inferShapes: same,
  fold: (node, [x]) => [{ dims: x.dims, data: x.data.map((v) => hardSigmoidFloat(v, floatAttr(node, "alpha", 0.2), floatAttr(node, "beta", 0.5))) }],
  apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
    const x = valueInput(node, args, 0, "X");
    const [alpha, beta] = [floatAttr(node, "alpha", 0.2), floatAttr(node, "beta", 0.5)];
    const data = x.data.map((v, index) => hardSigmoid(ctx, node, v, x.scale, alpha, beta, { node: node.name, index }));
    return [{ shape: x.shape, scale: ctx.quant.scaleBits, data }];
  },
};

/**
 * HardSwish: x * HardSigmoid(x) with alpha = 1/6, beta = 1/2. x is first brought to the model scale
 * (its one rescale then serves both factors), and the product is left at twice the scale for the
 * consumer to rescale, as Gelu's is: one rescaleRelu, one Relu and one product per element.
 */
export const HardSwish: OpDef = {
  arity: [1, 1],
  inferShapes: same,
  fold: (_node, [x]) => [{ dims: x.dims, data: x.data.map((v) => v * hardSigmoidFloat(v, 1 / 6, 0.5)) }],
  apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
    const x = atMostScale(ctx, node, valueInput(node, args, 0, "X"), ctx.quant.scaleBits);
    const data = x.data.map((v, index) => {
      const site = { node: node.name, index };
      return ctx.dom.mul(v, hardSigmoid(ctx, node, v, x.scale, 1 / 6, 0.5, site), site);
    });
    return [{ shape: x.shape, scale: x.scale + ctx.quant.scaleBits, data }];
  },
};

// ---------------------------------------------------------------------------------------------
// Abs, Sign

/**
 * Abs: q * (2 * sign - 1) from one decomposition of x rounded to at most the model scale (the
 * decomposition also does a pending rescale): its width plus 2 constraints, as a Relu.
 */
export const Abs: OpDef = {
  arity: [1, 1],
  inferShapes: same,
  fold: (_node, [x]) => [{ dims: x.dims, data: x.data.map(Math.abs) }],
  apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
    const d = ctx.dom;
    const x = valueInput(node, args, 0, "X");
    const scale = Math.min(x.scale, ctx.quant.scaleBits);
    const data = x.data.map((v, index) => absOf(d, v, x.scale, scale, { node: node.name, index }).abs);
    return [{ shape: x.shape, scale, data }];
  },
};

/**
 * x (at xScale) rounded to scale s, q, and |q| = q * (2 * sign - 1): one decomposition and one product.
 * The decomposition's w bits put q in [-2^(w-1), 2^(w-1)) and its top bit is q's sign, so every admitted
 * witness has |q| in [0, 2^(w-1)]: `within` tells the bounds pass so (no constraint), where the product's
 * interval alone would include negative values (and a divisor 1 + |x| would not be seen to be >= 1).
 */
export function absOf<T>(d: Domain<T>, x: T, xScale: number, s: number, site: SiteInfo): { q: T; abs: T } {
  const q = decompose(d, x, xScale, s, site);
  const abs = d.mul(q.q, d.add(d.mulConst(q.nonneg, 2n), d.constant(-1n)), site);
  return { q: q.q, abs: d.within(abs, 0n, 1n << BigInt(q.bits.length - 1)) };
}

/**
 * Sign: -1, 0 or 1 at scale 0, like the other integer-valued results (comparison bits, indices), so
 * it multiplies a value exactly and costs nothing to scale. It is 2 * nonneg(x) - 1 - isZero(x),
 * from x at its own scale (no rounding: a small non-zero x keeps its sign), one decomposition and one
 * isZero per element.
 */
export const Sign: OpDef = {
  arity: [1, 1],
  inferShapes: same,
  fold: (_node, [x]) => [{ dims: x.dims, data: x.data.map((v) => Math.sign(v)) }],
  apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
    const d = ctx.dom;
    const x = valueInput(node, args, 0, "X");
    const data = x.data.map((v, index) => {
      const site = { node: node.name, index };
      const q = decompose(d, v, x.scale, x.scale, site);
      return d.add(d.add(d.mulConst(q.nonneg, 2n), d.constant(-1n)), d.mulConst(d.isZero(v, site), -1n));
    });
    return [{ shape: x.shape, scale: 0, data }];
  },
};
