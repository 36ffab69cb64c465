import { fail } from "../errors";
import { describeNode, Node } from "../ir/graph";
import { quantizeReal, roundShift } from "../numeric/fixed-point";
import { decomposed, expm1Times, floatAttr, modeFor, softmaxGroups } from "./activations";
import { maxOf } from "./composite";
import { Domain, QValue, SiteInfo } from "./domain";
import { Arg, atScale, OpContext, OpDef, valueInput } from "./op";
import {
  celuSpec, decompose, Decomposed, evaluateTable, EXP_NEGATIVE, expSpec, FunctionSpec, LN_MANTISSA, lookup, MISH_FACTOR, polyTable,
  SOFTPLUS_GAP, TableMode,
} from "./piecewise";

/**
 * Exp, Log, Softplus, Selu, Celu, Mish, LogSoftmax and the log-sum-exp ReduceLogSumExp shares with
 * LogSoftmax. Every function is a piecewise polynomial of piecewise.ts read off one constrained
 * decomposition (error bounds there); Log first normalises its input to a mantissa in [1, 2) with
 * constrained bits. No op here divides by a computed value, so Softsign (x / (1 + |x|)) is not
 * provided: it would need the floor division.
 */

const same: OpDef["inferShapes"] = (_node, [x]) => [x.shape];


/** An integer bound at `from` fractional bits brought to `to`, as decompose rounds it. */
const atBits = (v: bigint, from: number, to: number) => (from > to ? roundShift(v, from - to) : v << BigInt(to - from));

// ---------------------------------------------------------------------------------------------
// Exp

/** Exp is tabulated on at most [-16, 16): e^16 = 8.9e6, 2^23 steps, already beyond float16. */
const EXP_MAX_LOG2 = 4;

/**
 * exp(x) from one decomposition at the model scale and a signed table on [-2^r, 2^r). r comes from
 * the decomposition's width w (the bounds pass's range, the same in every domain): r = w - 1 - s,
 * so every representable input lies in the table, at most 4 (and at least 1). When the bounds allow
 * |x| >= 16 the table's range flag sends x < -16 to 0 (error e^-16 = 1.1e-7); an input that may reach
 * +16 is refused by the bounds pass. All elements share the widest element's table.
 *
 * Error: relative 3.0e-5 (segments of width 1, degree 4) plus half a step, plus e^-16 below -16.
 * Cost: w + (2^(r+1) - r - 2) + 4 products + the rounding (4(s-1)+2 fraction bits plus the result's
 * width) + 1, and 3 for the range flag when w - 1 - s > 4.
 */
export const Exp: OpDef = {
  arity: [1, 1],
  inferShapes: same,
  fold: (_node, [x]) => [{ dims: x.dims, data: x.data.map(Math.exp) }],
  apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
    const d = ctx.dom;
    const S = ctx.quant.scaleBits;
    const x = valueInput(node, args, 0, "input");
    x.data.forEach((v) => {
      const iv = d.staticRange?.(v);
      if (iv && atBits(iv.hi, x.scale, S) >= 16n << BigInt(S))
        fail(`${describeNode(node)}: its input may reach ${Number(iv.hi) / 2 ** x.scale} (bounds pass); Exp supports inputs below 16 (e^16 = 8.9e6): bound it first (Clip, a smaller inputBits)`);
    });
    const decs = x.data.map((v, index) => decompose(d, v, x.scale, S, { node: node.name, index }));
    const w = Math.max(...decs.map((q) => q.bits.length));
    const spec = expSpec(Math.min(EXP_MAX_LOG2, Math.max(1, w - 1 - S)));
    const mode = modeFor(ctx, node);
    const outs = decs.map((q, index) => lookup(d, spec, q, mode, { node: node.name, index }));
    const scale = outs.length ? outs[0].scale : S;
    return [{ shape: x.shape, scale, data: outs.map((o) => o.v), fine: scale > S && ctx.deferRounding?.(node) ? true : undefined }];
  },
};

// ---------------------------------------------------------------------------------------------
// Log

/**
 * ln(q / 2^s) for an integer q >= 1 given by the offset-binary bits of a decomposition (its top bit,
 * the sign, is then 1 and the others spell q). With n = w - 1 magnitude bits b:
 *  - the prefix ORs p_k = b_k + p_(k+1) - b_k p_(k+1) (n - 1 products) are 1 exactly when q >= 2^k, so
 *    e_k = p_k - p_(k+1) is the one-hot position of q's leading one;
 *  - m = q * sum_k e_k 2^(n-1-k) (one product) is q shifted so that m is in [2^(n-1), 2^n);
 *  - the n - 1 bits of m - 2^(n-1) (a range check that holds by construction) are the mantissa's
 *    fraction; its top s bits (zeros below when n - 1 < s) are the argument of ln(1 + z), z in [0, 1);
 *  - ln q/2^s = ln(1 + z) + (k - s) ln 2, the second term linear in the one-hot e.
 * Error: the fraction is truncated to s bits (at most 2^-s in ln), plus the table's bound (one rounding
 * included in "rounded" mode) and the constants' rounding (2^-(s+P+1)).
 * Cost: w + 2(n - 1) + 2 + (2^4 - 5) + 3 + the rounding (3(s-1) + 2 fraction bits plus the width).
 */
export function lnOfPositive<T>(d: Domain<T>, x: Decomposed<T>, mode: TableMode, site: SiteInfo): { v: T; scale: number } {
  const s = x.scale;
  const b = x.bits.slice(0, -1);
  const n = b.length;
  const pow = (k: number) => 1n << BigInt(k);
  const q = n ? d.affine(b, b.map((_, i) => pow(i)), 0n) : d.constant(0n);
  const p: T[] = new Array(n + 1);
  p[n] = d.constant(0n);
  for (let k = n - 1; k >= 0; k--) p[k] = k === n - 1 ? b[k] : d.add(d.add(b[k], p[k + 1]), d.mulConst(d.mul(b[k], p[k + 1], site), -1n));
  const e = b.map((_, k) => d.add(p[k], d.mulConst(p[k + 1], -1n)));
  const frac: T[] = [];
  if (n >= 2) {
    const m = d.mul(q, d.affine(e, e.map((_, k) => pow(n - 1 - k)), 0n), site);
    frac.push(...d.bits(d.add(m, d.constant(-pow(n - 1))), n - 1, site));
  }
  // The top s bits of the fraction, least significant first.
  const u = Array.from({ length: s }, (_, i) => {
    const j = i + frac.length - s;
    return j >= 0 ? frac[j] : d.constant(0n);
  });
  const table = polyTable(LN_MANTISSA, s, mode);
  const P = table.precision;
  const ln2 = e.map((_, k) => BigInt(Math.round((k - s) * Math.LN2 * 2 ** (s + P))));
  let y = d.add(evaluateTable(d, table, u, site), d.affine(e, ln2, 0n));
  if (mode === "rounded" && P > 0) return { v: d.rescale(y, P, site), scale: s };
  return { v: y, scale: s + P };
}

/**
 * Log of a computed value, which the bounds pass must prove to be at least one step (2^-s, after the
 * rounding to the model scale) everywhere: otherwise a one-line refusal (ONNX gives -inf or NaN there,
 * which fixed point cannot represent). Inputs lie in [2^-s, 2^(w-1-s)); see lnOfPositive.
 */
export const Log: OpDef = {
  arity: [1, 1],
  inferShapes: same,
  fold: (_node, [x]) => [{ dims: x.dims, data: x.data.map(Math.log) }],
  apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
    const S = ctx.quant.scaleBits;
    const x = valueInput(node, args, 0, "input");
    x.data.forEach((v, i) => {
      const iv = ctx.dom.staticRange?.(v);
      if (iv && atBits(iv.lo, x.scale, S) < 1n)
        fail(`${describeNode(node)}: its input (element ${i}) may be ${Number(iv.lo) / 2 ** x.scale} by the bounds pass, but Log needs inputs provably >= 2^-${S} (one step): add a positive offset or a Clip before it`);
    });
    const mode = modeFor(ctx, node);
    const outs = x.data.map((v, index) => {
      const site = { node: node.name, index };
      return lnOfPositive(ctx.dom, decompose(ctx.dom, v, x.scale, S, site), mode, site);
    });
    const scale = outs.length ? outs[0].scale : S;
    return [{ shape: x.shape, scale, data: outs.map((o) => o.v), fine: scale > S && ctx.deferRounding?.(node) ? true : undefined }];
  },
};

// ---------------------------------------------------------------------------------------------
// Softplus, Mish, Selu, Celu

/** relu(x) + log(1 + e^-|x|): one product with the sign bit and one table, from one decomposition. */
export const Softplus = decomposed(
  (x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))),
  (ctx, _node, x, mode, site) => {
    const d = ctx.dom;
    const g = lookup(d, SOFTPLUS_GAP, x, mode, site);
    const relu = d.mul(x.q, x.nonneg, site);
    return { v: d.add(g.v, d.mulConst(relu, 1n << BigInt(g.scale - x.scale))), scale: g.scale };
  },
);

/**
 * x * tanh(softplus(x)), as Gelu: the factor is left unrounded (the product is rescaled by its
 * consumer anyway), so its table's precision only widens that rescale.
 */
export const Mish = decomposed(
  (x) => x * Math.tanh(x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))),
  (ctx, _node, x, _mode, site) => {
    const t = lookup(ctx.dom, MISH_FACTOR, x, "fine", site);
    return { v: ctx.dom.mul(x.q, t.v, site), scale: x.scale + t.scale };
  },
  true,
);

const SELU_ALPHA = 1.67326319217681884765625;
const SELU_GAMMA = 1.05070102214813232421875;

/**
 * gamma * Elu_alpha(x): Elu's table (alpha folded in) and its x >= 0 branch from one decomposition,
 * then gamma as a constant quantized at the model scale: free, the scale grows by s (a consumer
 * rescales), and gamma's rounding is at most 2^-(s+1) relative.
 */
export const Selu = decomposed(
  (x, node) => floatAttr(node, "gamma", SELU_GAMMA) * (x > 0 ? x : floatAttr(node, "alpha", SELU_ALPHA) * Math.expm1(x)),
  (ctx, node, x, mode, site) => {
    const d = ctx.dom;
    const S = ctx.quant.scaleBits;
    const elu = lookup(d, expm1Times(floatAttr(node, "alpha", SELU_ALPHA)), x, mode, site, (scale) => d.mulConst(x.q, 1n << BigInt(scale - x.scale)));
    const gamma = quantizeReal(floatAttr(node, "gamma", SELU_GAMMA), S, `${describeNode(node)} gamma`);
    return { v: d.mulConst(elu.v, gamma), scale: elu.scale + S };
  },
);

/** max(0, x) + min(0, alpha * expm1(x / alpha)): x above 0, the one-sided table below (celuSpec). */
export const Celu = decomposed(
  (x, node) => (x > 0 ? x : floatAttr(node, "alpha", 1) * Math.expm1(x / floatAttr(node, "alpha", 1))),
  (ctx, node, x, mode, site) => {
    const d = ctx.dom;
    const alpha = floatAttr(node, "alpha", 1);
    if (!(alpha > 0)) fail(`${describeNode(node)}: alpha ${alpha} must be positive`);
    return lookup(d, celuSpec(alpha), x, mode, site, (scale) => d.mulConst(x.q, 1n << BigInt(scale - x.scale)));
  },
);

// ---------------------------------------------------------------------------------------------
// log-sum-exp: LogSoftmax and ReduceLogSumExp

export interface LogSumExp<T> {
  /** max(xs) at the model scale. */
  max: T;
  /** xs[i] - max, at the model scale. */
  diffs: T[];
  /** ln(sum exp(xs[i] - max)), at the model scale. */
  ln: T;
}

/**
 * For values at the model scale s: the max (a chain of Relu, exactly one of the xs), exp(x - max) from
 * Softmax's one-sided table, and ln of their sum. The maximum's own term is exactly 2^s (exp(0)), so
 * the sum is at least one (2^s) for every assignment of the constrained bits: `within` tells the
 * bounds pass so, and lnOfPositive's input is positive by construction. The table's values are never
 * negative, so the sum is at most n (plus the table's excess over 1, which is none at 0).
 * Error: ln's bound (about 1.5 steps) plus each exp's error (EXP_NEGATIVE's bound, about 1.4 steps
 * below -8 plus the rounding) relative to the sum (>= 1), so at most n of them.
 * Cost per group of n: (n - 1) Relu, n decompositions and exp lookups, one decomposition of the sum and
 * one lnOfPositive.
 */
export function logSumExp<T>(d: Domain<T>, xs: T[], s: number, node: string, index: number): LogSumExp<T> {
  const site = { node, index };
  let m = xs[0];
  for (const x of xs.slice(1)) m = maxOf(d, x, m, site);
  const one = 1n << BigInt(s);
  const diffs: T[] = [];
  const es = xs.map((x, k) => {
    const at = { node, index: index + k };
    const diff = decompose(d, d.add(x, d.mulConst(m, -1n)), s, s, at);
    diffs.push(diff.q);
    return d.add(lookup(d, EXP_NEGATIVE, diff, "rounded", at).v, d.mulConst(diff.nonneg, one));
  });
  const table = polyTable(EXP_NEGATIVE, s, "rounded");
  const top = BigInt(xs.length) * (roundShift(table.hi, table.precision) > one ? roundShift(table.hi, table.precision) : one) + one;
  const sum = d.within(es.reduce((a, b) => d.add(a, b)), one, top);
  const ln = lnOfPositive(d, decompose(d, sum, s, s, site), "rounded", site);
  return { max: m, diffs, ln: ln.v };
}

/**
 * LogSoftmax: (x - max) - ln(sum exp(x - max)) over Softmax's groups (the 2-D coercion before opset
 * 13, one axis since), at the model scale: no division at all, unlike Softmax.
 */
export const LogSoftmax: OpDef = {
  arity: [1, 1],
  inferShapes: same,
  fold: (node, [x]) => {
    const out = [...x.data];
    for (const g of softmaxGroups(node, x.dims, 13)) {
      const m = Math.max(...g.map((i) => x.data[i]));
      const l = Math.log(g.reduce((a, i) => a + Math.exp(x.data[i] - m), 0));
      g.forEach((i) => (out[i] = x.data[i] - m - l));
    }
    return [{ dims: x.dims, data: out }];
  },
  apply<T>(ctx: OpContext<T>, node: Node, args: Arg<T>[]): QValue<T>[] {
    const d = ctx.dom;
    const S = ctx.quant.scaleBits;
    const x = atScale(ctx, node, valueInput(node, args, 0, "input"), S);
    const out = new Array<T>(x.data.length);
    for (const group of softmaxGroups(node, x.shape, ctx.opset)) {
      const r = logSumExp(d, group.map((i) => x.data[i]), S, node.name, group[0]);
      group.forEach((i, k) => (out[i] = d.add(r.diffs[k], d.mulConst(r.ln, -1n))));
    }
    return [{ shape: x.shape, scale: S, data: out }];
  },
};

export type { FunctionSpec };
